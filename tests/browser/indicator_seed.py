"""Key figures for the browser journey's live site: one generated indicator with plausible values for
every municipality, region, county and the nation over ten years (deterministic, no randomness
between runs), and a few small counts so that suppression shows.

Run in the live site's environment (its data directory and settings):
`python -m tests.browser.indicator_seed` (see `load_into`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

CODE = "N99945"
TITLE = "Andel invånare 25–64 år med eftergymnasial utbildning"
YEARS = tuple(range(2015, 2025))
SMALL = {"2584", "2418"}  # Kiruna and Malå: small counts (hidden for the public) in the last year
ROOT = Path(__file__).resolve().parents[2]


def _noise(*parts: str) -> Decimal:
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big") % 1000) / Decimal(100)  # 0.00 … 9.99


def seed() -> int:
    from jamkoll.indicators.models import Indicator, Observation
    from jamkoll.reference.models import Organisation

    Indicator.objects.filter(code=CODE).delete()
    indicator = Indicator.objects.create(
        code=CODE,
        title=TITLE,
        description="Andel (%) av invånarna 25–64 år som har en eftergymnasial utbildning.",
        unit="procent",
        divided_by_gender=True,
        higher_is_better=True,
        generated=True,
        source="own",
    )
    orgs = list(Organisation.objects.filter(kind__in=["kommun", "region", "lan", "riket"]))
    rows = []
    for org in orgs:
        base = Decimal(28) + _noise(org.kind, org.code) * 3
        for year in YEARS:
            step = Decimal(year - YEARS[0]) * Decimal("0.6")
            women = (base + Decimal(9) + step + _noise(org.code, str(year), "K")).quantize(Decimal("0.1"))
            men = (base + step * Decimal("0.7") + _noise(org.code, str(year), "M")).quantize(Decimal("0.1"))
            total = ((women + men) / 2).quantize(Decimal("0.1"))
            small = org.kind == "kommun" and org.code in SMALL and year == YEARS[-1]
            for gender, value in (("K", women), ("M", men), ("T", total)):
                rows.append(
                    Observation(
                        indicator=indicator,
                        organisation=org,
                        period=year,
                        gender=gender,
                        value=value,
                        count=3 if small else 1000,
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def load_into(env: dict[str, str]) -> None:
    """Seed the live site's database (a subprocess in its environment)."""
    subprocess.run(
        [sys.executable, "-m", "tests.browser.indicator_seed"],
        env={**env, "PYTHONPATH": os.pathsep.join([env.get("PYTHONPATH", ""), str(ROOT)])},
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    django.setup()
    print(seed(), "mätvärden")
