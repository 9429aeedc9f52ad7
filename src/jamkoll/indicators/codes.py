"""Organisation ids in key-figure files ↔ JämKoll's organisations.

Kolada names its units with four characters: a municipality by its SCB code (`0580`), Riket as `0000`
and a region as `00` + the county code (`0001` … `0025`). Group ids (`G…`, Kolada's comparison
groups) are not organisations and are refused. Long-format CSV and XLSX files use the same ids and may
also name a county (län) by its two-digit code (`12`) and Riket as `00`.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jamkoll.reference.models import Organisation, OrganisationKind

_KOLADA = re.compile(r"\d{4}")
_COUNTY = re.compile(r"\d{2}")

# The levels the analysis speaks of (CLI `--level`, the explorer's choice) → organisation kinds.
LEVELS = {
    "kommun": OrganisationKind.KOMMUN,
    "region": OrganisationKind.REGION,
    "lan": OrganisationKind.LAN,
    "riket": OrganisationKind.RIKET,
}


def kolada_org(code: str, *, allow_county: bool = True) -> tuple[str, str]:
    """(kind, JämKoll code) for an organisation id as a file writes it; `ValueError` with a message
    for the user when it is not one. `allow_county=False` for Kolada's own documents, which have no
    two-digit ids."""
    text = str(code).strip()
    if text[:1] in {"G", "g"}:
        raise ValueError(
            _("%(code)r är en grupp i Kolada, inte en organisation; importera kommunernas egna värden")
            % {"code": text[:20]}
        )
    if _KOLADA.fullmatch(text):
        if text == "0000":
            return OrganisationKind.RIKET, "00"
        if text.startswith("00"):
            return OrganisationKind.REGION, text[2:]
        return OrganisationKind.KOMMUN, text
    if allow_county and _COUNTY.fullmatch(text):
        if text == "00":
            return OrganisationKind.RIKET, "00"
        return OrganisationKind.LAN, text
    raise ValueError(
        _("okänd organisation %(code)r (ange kommunkod som 0580, 0000 för riket eller 00NN för en region)")
        % {"code": text[:20]}
    )


def kolada_id(kind: str, code: str) -> str:
    """The id Kolada (and our exports) use for an organisation: the inverse of `kolada_org`."""
    if kind == OrganisationKind.RIKET:
        return "0000"
    if kind == OrganisationKind.REGION:
        return "00" + code
    return code


def org_index() -> dict[tuple[str, str], int]:
    """{(kind, code): organisation id} for Riket, counties, regions and municipalities (one query)."""
    kinds = list(LEVELS.values())
    return {
        (kind, code): pk
        for pk, kind, code in Organisation.objects.filter(kind__in=kinds).values_list("id", "kind", "code")
    }
