"""Seed 003's figures are held as exact as the document states them, no more (issue 13, class 2).

The tables below are read against the document itself: each phrase must stand in seed 003 (so the
table stays true to it), and the system must hold the figure with the same qualifier — "ett
tjugotal diagnosområden" is approximately 20, not 20; "sannolikt … fem kommuner" is likely;
"2019 startar … sex Modellregioner" is planned; "kan det vara ungefär 250 000" is an estimate.
Every quantity the document states is in one of the tables (a figure added to the document or the
data without a decision here fails), and only exact figures and lower bounds count as measured
results: in the API, the result report and the 21 counties' overview.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from jamkoll.accounts.policy import SEED_LOADER
from jamkoll.plans.models import (
    Activity,
    Narrative,
    Output,
    OutputQualifier,
    SteeringGroup,
    SubProject,
)
from jamkoll.plans.selectors import rss_overview
from jamkoll.plans.services import output_create, output_update
from jamkoll.programmes.selectors import decision_get
from jamkoll.reports.assemblers import result_report, rss_report
from jamkoll.reports.document import Table
from tests.conftest import client_for
from tests.hostile import nothing_stored
from tests.seeds import seed_path

from .factories import SLUG, ActivityFactory

pytestmark = pytest.mark.django_db

SEED_003 = seed_path("003")

Q = OutputQualifier
# (phrase in seed 003, activity code, output label, total, qualifier)
OUTPUT_FIGURES: list[tuple[str, str, str, int, str]] = [
    (
        "gap-analyser som görs inom ett tjugotal diagnosområden",
        "2018-3-1-kunskapsstyrning",
        "Diagnosområden där gap-analyser görs i kunskapsstyrningen",
        20,
        Q.APPROXIMATE,
    ),
    (
        "utveckla nytt material (bland annat fem filmer)",
        "2018-3-2-hot-hat-vald-fortroendevalda",
        "Filmer i nytt material om hot, hat och våld mot förtroendevalda",
        5,
        Q.EXACT,
    ),
    (
        "elva nya benchmarking-kommuner samt Norrbottens kommunalförbund gick med",
        "2018-3-4-modellkommuner-utlysning",
        "Nya benchmarking-kommuner i Modellkommuner",
        11,
        Q.EXACT,
    ),
    (
        "elva nya benchmarking-kommuner samt Norrbottens kommunalförbund gick med",
        "2018-3-4-modellkommuner-utlysning",
        "Kommunalförbund som gick med i Modellkommuner (Norrbottens kommunalförbund)",
        1,
        Q.EXACT,
    ),
    (
        "vilket sannolikt leder till att fem kommuner i Norrbotten kommer att delta i satsningen",
        "2018-3-4-modellkommuner-utlysning",
        "Kommuner i Norrbotten som deltar i satsningen genom Norrbottens kommunalförbund",
        5,
        Q.LIKELY,
    ),
    (
        "2019 startar också en pilot med sex Modellregioner",
        "2018-3-4-modellregioner-pilot",
        "Modellregioner i piloten",
        6,
        Q.PLANNED,
    ),
    (
        "fem regionala spridningskonferenser om Modellkommuner",
        "2018-3-4-spridningskonferenser",
        "Regionala spridningskonferenser om Modellkommuner",
        5,
        Q.EXACT,
    ),
    (
        "två workshops om Modellkommuner",
        "2018-3-4-jim-workshops",
        "Workshops om Modellkommuner på JiM-myndigheternas slutkonferens",
        2,
        Q.EXACT,
    ),
    (
        "Samtliga 21 RSS har anställt en regional utvecklingsledare för kvinnofrid och tagit fram en "
        "genomförandeplan för arbetet",
        "2018-4-1-utvecklingsledare-genomforandeplaner",
        "RSS som har anställt en regional utvecklingsledare för kvinnofrid",
        21,
        Q.EXACT,
    ),
    (
        "Samtliga 21 RSS har anställt en regional utvecklingsledare för kvinnofrid och tagit fram en "
        "genomförandeplan för arbetet",
        "2018-4-1-utvecklingsledare-genomforandeplaner",
        "Framtagna genomförandeplaner för RSS arbete med kvinnofrid",
        21,
        Q.EXACT,
    ),
    (
        "ett nätverk för chefer i 13 kommuner",
        "2018-4-1-jonkoping-chefsnatverk",
        "Kommuner vars chefer ingår i nätverket",
        13,
        Q.EXACT,
    ),
    (
        "Avtal har tecknats om utvärdering och implementeringsstöd till åtta skolor",
        "2018-4-2-mvp-pilot",
        "Skolor med tecknat avtal om utvärdering och implementeringsstöd (MVP)",
        8,
        Q.EXACT,
    ),
    (
        "Utifrån aktuella omfångsundersökningar kan det vara ungefär 250 000 medarbetare (kvinnor)",
        "2018-4-3-arbetsgivarstod",
        "Medarbetare (kvinnor) hos SKL:s medlemmar som är eller har varit utsatta för våld av en "
        "nuvarande eller före detta partner",
        250000,
        Q.ESTIMATED,
    ),
]

# Figures that are no result of an activity: held in the document's words (the stored text says
# them as the document does), never as a number of their own — a "över en miljon" stored as
# 1 000 000 would be more exact than the source. (phrase in seed 003, a number it must not become)
TEXT_FIGURES: list[tuple[str, int | None]] = [
    ("Satsningen är uppdelad i två delprojekt", None),  # and two sub-projects are held: below
    ("inom de två delprojekten", None),
    ("sektionschefer från fyra olika avdelningar på SKL", None),
    ("har två delar", None),
    ("utifrån RSS fyra målområden för kvinnofridsatsningen", None),
    ("centrala kollektivavtal för över en miljon medarbetare", 1_000_000),
    ("Dessa vårdverksamheter möter 80 – 98 procent av befolkningen", 98),
]

# A quantity the document states: a number word or digits, and the word it counts.
QUANTITY = re.compile(
    r"(?<![\d.,])\b(två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tjugotal|miljon"
    r"|\d{1,3}(?: \d{3})*(?: ?– ?\d+)?)\b (\w+)"
)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


SEED = _plain(SEED_003.read_text(encoding="utf-8"))


def _output(code: str, label: str) -> Output:
    return Output.objects.get(
        activity__decision__slug=SLUG, activity__year=2018, activity__code=code, label=label
    )


def _stored_texts() -> str:
    texts = [a.description for a in Activity.objects.filter(decision__slug=SLUG, year=2018)]
    texts += [n.text for n in Narrative.objects.filter(decision__slug=SLUG, year=2018)]
    texts += [g.description for g in SteeringGroup.objects.filter(decision__slug=SLUG)]
    texts += [s.description for s in SubProject.objects.filter(decision__slug=SLUG)]
    return _plain(" ".join(texts))


# --- the tables stay true to the document, and cover it --------------------------------------


@pytest.mark.parametrize(
    "phrase", sorted({row[0] for row in OUTPUT_FIGURES} | {row[0] for row in TEXT_FIGURES})
)
def test_each_phrase_of_the_tables_stands_in_seed_003(phrase: str) -> None:
    assert _plain(phrase) in SEED


def test_every_quantity_seed_003_states_is_in_a_table() -> None:
    phrases = [_plain(row[0]) for row in OUTPUT_FIGURES] + [_plain(row[0]) for row in TEXT_FIGURES]
    quantities = [m.group(0) for m in QUANTITY.finditer(SEED)]
    assert len(quantities) >= 17  # the matcher finds the document's quantities at all
    unplaced = [q for q in quantities if not any(q in p for p in phrases)]
    assert unplaced == [], unplaced


# --- the system holds each figure with the document's qualifier -------------------------------


@pytest.mark.parametrize(("phrase", "code", "label", "total", "qualifier"), OUTPUT_FIGURES)
def test_the_system_holds_the_figure_with_the_documents_qualifier(
    phrase: str, code: str, label: str, total: int, qualifier: str
) -> None:
    output = _output(code, label)
    assert (output.total, output.qualifier) == (total, qualifier)
    assert _plain(output.note) == _plain(phrase)  # the document's own words, kept in the note
    assert output.measured is (qualifier in (Q.EXACT, Q.AT_LEAST))


def test_every_seeded_output_of_2018_is_in_the_table() -> None:
    held = set(
        Output.objects.filter(activity__decision__slug=SLUG, activity__year=2018).values_list(
            "activity__code", "label"
        )
    )
    assert held == {(code, label) for _p, code, label, _t, _q in OUTPUT_FIGURES}


@pytest.mark.parametrize(("phrase", "not_as"), TEXT_FIGURES)
def test_a_figure_that_is_no_result_is_held_in_the_documents_words(phrase: str, not_as: int | None) -> None:
    assert _plain(phrase) in _stored_texts()
    if not_as is not None:
        assert not Output.objects.filter(activity__decision__slug=SLUG, total=not_as).exists()


def test_the_two_sub_projects_are_held() -> None:
    assert SubProject.objects.filter(decision__slug=SLUG).count() == 2


def test_the_seed_file_refuses_an_unknown_qualifier(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    from jamkoll.plans import seed
    from jamkoll.seeding import SeedError, read_json

    document = copy.deepcopy(read_json("jamkoll.plans", "plans_2018.json"))
    at = next(i for i, a in enumerate(document["activities"]) if a["outputs"])
    document["activities"][at]["outputs"][0]["qualifier"] = "ungefär"
    monkeypatch.setattr(seed, "read_json", lambda package, name: document)
    with nothing_stored(), pytest.raises(SeedError) as caught:
        seed.plans_seed(actor=SEED_LOADER)
    assert caught.value.path == f"activities[{at}].outputs[0].qualifier"


# --- shown with the qualifier: API, pages, documents ----------------------------------------


def test_the_api_carries_the_qualifier_and_the_figure_as_the_document_says_it(analyst: Any) -> None:
    client = client_for(analyst)
    body = client.get(f"/api/v1/plans/{SLUG}/2018/activities/2018-3-1-kunskapsstyrning").json()
    (out,) = body["outputs"]
    assert (out["total"], out["qualifier"], out["measured"]) == (20, "approximate", False)
    assert out["figure"] == "ungefär 20" and "ett tjugotal" in out["note"]
    body = client.get(f"/api/v1/plans/{SLUG}/2018/activities/2018-4-3-arbetsgivarstod").json()
    assert _plain(body["outputs"][0]["figure"]) == "cirka 250 000 (uppskattning)"
    listed = client.get(f"/api/v1/plans/{SLUG}/2018/activities").json()["items"]
    by_label = {o["label"]: o for a in listed for o in a["outputs"]}
    assert by_label["Modellregioner i piloten"]["figure"] == "planerat: 6"
    assert by_label["Nya benchmarking-kommuner i Modellkommuner"]["qualifier"] == "exact"


def test_an_output_is_entered_and_corrected_with_its_qualifier(coordinator: Any) -> None:
    client = client_for(coordinator)
    url = f"/api/v1/plans/{SLUG}/2018/activities/2018-4-1-jonkoping-chefsnatverk/outputs"
    made = client.post(
        url,
        json.dumps(
            {"label": "Kommuner som väntas gå med", "unit": "kommuner", "total": 4, "qualifier": "likely"}
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert (made.json()["qualifier"], made.json()["figure"], made.json()["measured"]) == (
        "likely",
        "sannolikt 4",
        False,
    )
    refused = client.post(
        url,
        json.dumps({"label": "X", "unit": "st", "total": 4, "qualifier": "roughly"}),
        content_type="application/json",
    )
    assert refused.status_code == 422 and "qualifier" in refused.json()["errors"]
    output = Output.objects.get(pk=made.json()["id"])
    patched = client.generic(
        "PATCH", f"{url}/{output.pk}", json.dumps({"qualifier": "at_least"}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["figure"] == "minst 4"
    assert patched.json()["measured"] is True


def test_the_web_form_takes_the_qualifier_and_the_page_shows_it(coordinator: Any) -> None:
    client = client_for(coordinator)
    page_url = f"/planer/{SLUG}/2018/aktivitet/2018-4-1-jonkoping-chefsnatverk/"
    page = client.get(page_url).content.decode()
    assert 'name="qualifier"' in page
    posted = client.post(
        page_url,
        {
            "form": "output",
            "label": "Deltagare",
            "unit": "personer",
            "total": "40",
            "qualifier": "approximate",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    assert Output.objects.get(
        activity__code="2018-4-1-jonkoping-chefsnatverk", label="Deltagare"
    ).qualifier == (Q.APPROXIMATE)
    with nothing_stored():
        refused = client.post(
            page_url, {"form": "output", "label": "X", "unit": "st", "total": "4", "qualifier": "x" * 500}
        )
    assert refused.status_code == 400 and "qualifier" in refused.content.decode()
    page = _plain(client.get(page_url).content.decode())
    assert "ungefär 40" in page and "räknas inte som mätt resultat" in page
    shown = _plain(client.get(f"/planer/{SLUG}/2018/aktivitet/2018-3-1-kunskapsstyrning/").content.decode())
    assert "ungefär 20" in shown
    plan = _plain(client.get(f"/planer/{SLUG}/2018/").content.decode())
    assert "ungefär 20 diagnosområden" in plan and "sannolikt 5 kommuner" in plan


def _tables(document: Any) -> dict[str, Table]:
    return {b.caption: b for s in document.sections for b in s.blocks if isinstance(b, Table)}


def test_the_result_report_says_ett_tjugotal_and_ungefar_not_a_bare_20() -> None:
    document = result_report(decision=decision_get(slug=SLUG), year=2018)
    tables = _tables(document)
    measured = tables["Mätta resultat 2018"]
    others = tables["Ungefärliga, sannolika, planerade och uppskattade uppgifter 2018"]
    label = "Diagnosområden där gap-analyser görs i kunskapsstyrningen"
    assert label not in [row[2] for row in measured.rows]
    (row,) = [r for r in others.rows if r[2] == label]
    assert row[3] == "ungefär 20" and "ett tjugotal diagnosområden" in row[5]
    figures = {r[2]: _plain(r[3]) for r in others.rows}
    assert figures["Modellregioner i piloten"] == "planerat: 6"
    assert (
        figures["Kommuner i Norrbotten som deltar i satsningen genom Norrbottens kommunalförbund"]
        == "sannolikt 5"
    )
    assert _plain(figures[OUTPUT_FIGURES[-1][2]]) == "cirka 250 000 (uppskattning)"
    # Words, not a bare figure: left-aligned, so that the PDF may wrap them (a right-aligned
    # figure never wraps, and this one squeezed the activity's column to a word a line).
    assert others.align[3] == "left" and measured.align[3] == "right"


def test_measured_results_exclude_approximate_likely_planned_and_estimated_figures() -> None:
    document = result_report(decision=decision_get(slug=SLUG), year=2018)
    measured = _tables(document)["Mätta resultat 2018"]
    in_measured = {row[2] for row in measured.rows}
    expected = {label for _p, _c, label, _t, q in OUTPUT_FIGURES if q in (Q.EXACT, Q.AT_LEAST)}
    assert in_measured == expected
    assert len(expected) == 9  # 13 figures, of which 4 are not measured


def test_the_county_overview_counts_only_measured_results(rss_skane: Any) -> None:
    decision = decision_get(slug=SLUG)
    activity = ActivityFactory(county="12")

    def skane() -> Any:
        return next(r for r in rss_overview(decision=decision, year=2018) if r.code == "12")

    before = skane()
    planned = output_create(
        activity=activity,
        actor=rss_skane,
        label="Utbildningsdagar",
        unit="dagar",
        total=3,
        qualifier="planned",
    )
    after = skane()
    assert (after.outputs, after.with_outputs, after.unmeasured) == (
        before.outputs,
        before.with_outputs,
        before.unmeasured + 1,
    )
    output_update(output=planned, actor=rss_skane, qualifier="exact")
    done = skane()
    assert (done.outputs, done.with_outputs, done.unmeasured) == (
        before.outputs + 1,
        before.with_outputs + 1,
        before.unmeasured,
    )
    assert "Utbildningsdagar: 3 dagar" in _plain(
        " ".join(
            item
            for s in rss_report(decision=decision, year=2018, county_code="12").sections
            for b in s.blocks
            for item in getattr(b, "items", ())
        )
    )
