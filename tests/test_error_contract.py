"""The one error contract (issue 10): the shapes every app builds on — the site's own refusal
pages, the API's one error body, the bounds on what comes in, and the policy's actors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from jamkoll.accounts.policy import (
    SEED_LOADER,
    SystemActor,
    actor_label,
    actor_user,
    check,
    operator,
    require,
)
from jamkoll.errors import (
    NON_FIELD_ERRORS,
    ErrorCollector,
    NotFound,
    error_body,
    error_line,
    field_error,
    form_add_errors,
)
from jamkoll.forms import AmountField, BoundedDateField, MultiLineField, OneLineField
from jamkoll.money import MAX_AMOUNT, AmountError, parse_amount
from jamkoll.validation import clean_date, clean_int, clean_text, int_param, text_problem
from tests.conftest import client_for
from tests.hostile import HOSTILE_AMOUNTS, HOSTILE_TEXT, assert_refused, nothing_stored

AGREEMENT = "jamstalldhet-kvinnofrid-2018-2020"
db = pytest.mark.django_db


# --- The web's refusal pages -----------------------------------------------------------------


def test_it_refuses_in_the_sites_layout_with_the_policys_reason(no_role: Any) -> None:
    response = client_for(no_role).get("/medel/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="sv">' in body
    assert "Du har inte behörighet" in body
    assert "Medelsflödet visas för användare med en roll i satsningen." in body
    assert 'href="http://testserver/"' in body, "a way back"
    assert 'class="site-header"' in body, "the site's own layout, not Django's bare page"
    assert "403 Forbidden" not in body


def test_it_does_not_offer_a_way_back_to_another_site(no_role: Any) -> None:
    response = client_for(no_role).get("/medel/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


@db
def test_it_says_what_is_missing_on_a_404(client: Client) -> None:
    response = client.get("/satsningar/finns-inte/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "okänd satsning" in body and 'class="site-header"' in body


@db
def test_it_refuses_a_nul_byte_in_the_query_string_with_a_page(client: Client) -> None:
    response = client.get("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/?ar=%00")
    assert_refused(response, where="?ar=%00")
    assert response.status_code == 400
    assert "Parametern ar" in response.content.decode()
    assert "[&#x27;" not in response.content.decode() and "['" not in response.content.decode(), (
        "the reason as a sentence, not a Python list"
    )


@db
def test_it_refuses_a_stale_form_in_the_sites_layout_with_the_reason(coordinator: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    page = f"http://testserver/medel/{AGREEMENT}/2018/"
    with nothing_stored():
        response = client.post(
            page,
            {"kind": "requisition", "recipient": "SKR", "amount": "1000", "reference": "x"},
            HTTP_REFERER=page,
        )
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="sv">' in body and 'class="site-header"' in body
    assert "Formuläret kunde inte skickas" in body
    assert "sidan var för gammal eller kakor är avstängda. Ladda om sidan och försök igen." in body
    assert "CSRF" not in body, "Django's reason is for the log"
    assert f'href="{page}"' in body, "a way back to the form"


@db
def test_it_refuses_a_nul_byte_in_the_path(client: Client) -> None:
    assert client.get("/tidsfrister/feed/%00.ics").status_code == 400


@db
@pytest.mark.parametrize("value", ["²", "٣", "0", "-1", "99999999999", "2018.0", "x" * 400])
def test_it_ignores_a_year_filter_that_is_not_a_year(client: Client, value: str) -> None:
    response = client.get("/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/", {"ar": value})
    assert response.status_code == 200


# --- The API's one error body --------------------------------------------------------------------


@db
def test_it_answers_an_unknown_object_with_the_one_error_body(client: Client) -> None:
    response = client.get(f"/api/v1/decisions/{AGREEMENT}/allocations/2030")
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "errors": {}}
    assert "utanför beslutets period" in response.json()["detail"]


@db
def test_it_answers_a_schema_mismatch_with_errors_by_field(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"kind": "planet"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "kind" in body["errors"]


@db
def test_it_refuses_a_nul_byte_in_an_api_query_with_json(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"code": "\x00"})
    assert response.status_code == 400
    body = response.json()
    assert "Parametern code" in body["detail"]
    assert set(body) == {"detail", "errors"} and list(body["errors"]) == ["query"]
    assert body["errors"]["query"][0].startswith("Parametern code")


@db
def test_it_answers_an_anonymous_write_with_401_and_the_one_body(client: Client) -> None:
    response = client.post(
        f"/api/v1/ledger/{AGREEMENT}/2018/entries",
        {"kind": "requisition", "amount": "1.00", "reference": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Logga in")
    assert response.json()["errors"] == {}


@pytest.mark.parametrize(
    ("url", "body", "content_type", "status", "words"),
    [
        # Django's multipart parser raises before the endpoint runs (an HTML page before)
        ("/api/v1/indicators/imports", b"--x\r\nbroken", "multipart/form-data", 400, "kan inte läsas"),
        ("/api/v1/comments/plan/1", b"--x\r\nbroken", "multipart/form-data", 400, "kan inte läsas"),
        # Ninja's own English ("Cannot parse request body") before
        ("/api/v1/comments/plan/1", b'{"body": ', "application/json", 400, "kan inte läsas"),
        # past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): an HTML page before
        (
            "/api/v1/comments/plan/1",
            b'{"body": "' + b"x" * 3_000_000 + b'"}',
            "application/json",
            413,
            "för stor",
        ),
    ],
)
def test_it_answers_a_body_it_cannot_read_with_the_one_error_body(
    coordinator: Any, url: str, body: bytes, content_type: str, status: int, words: str
) -> None:
    with nothing_stored():
        response = client_for(coordinator).post(url, body, content_type=content_type)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail", "errors"} and words in response.json()["detail"]


# --- The shapes of a refusal ---------------------------------------------------------------------


def test_it_keys_a_validation_error_by_field_for_every_surface() -> None:
    exc = ValidationError({"amount": ["måste vara större än noll"], "reference": ["ange referens"]})
    body = error_body(exc)
    assert body["errors"] == {"amount": ["måste vara större än noll"], "reference": ["ange referens"]}
    assert "amount: måste vara större än noll" in body["detail"]
    assert (
        error_line(exc, {"reference": "--ref"}) == "amount: måste vara större än noll; --ref: ange referens"
    )
    assert error_body(ValidationError("planen är fastställd")) == {
        "detail": "planen är fastställd",
        "errors": {},
    }


def test_it_puts_each_error_beside_its_field_on_a_form() -> None:
    class F(forms.Form):
        amount = forms.CharField()
        recipient = forms.CharField()

    form = F({"amount": "1", "recipient": "12"})
    assert form.is_valid()
    form_add_errors(
        form,
        ValidationError({"amount": ["för stort"], "county": ["okänt län"], "other": ["något annat"]}),
        aliases={"county": "recipient"},
    )
    assert form.errors["amount"] == ["för stort"]
    assert form.errors["recipient"] == ["okänt län"]
    assert form.non_field_errors() == ["något annat"]


def test_it_makes_not_found_a_404_for_django() -> None:
    from django.http import Http404

    assert isinstance(NotFound("okänt beslut"), Http404)


def test_field_error_is_keyed_by_its_field() -> None:
    assert field_error("amount", "fel").message_dict == {"amount": ["fel"]}


def test_it_collects_every_bad_field_into_one_validation_error() -> None:
    errors = ErrorCollector()
    assert not errors
    errors.raise_if_any()  # nothing collected: nothing raised
    assert errors.run(lambda: 42) == 42
    assert errors.run(lambda: clean_int("x", field="line", minimum=1, maximum=9)) is None
    assert errors.run(lambda: clean_text("a\x00", field="reference")) is None

    def plain() -> None:
        raise ValidationError("regeln bryts", code="invariant")

    errors.run(plain)
    errors.add("line", "ett till fel")
    assert errors
    with pytest.raises(ValidationError) as info:
        errors.raise_if_any()
    messages = info.value.message_dict
    assert set(messages) == {"line", "reference", NON_FIELD_ERRORS}
    assert messages["line"] == ["Ange ett heltal.", "ett till fel"]
    assert messages[NON_FIELD_ERRORS] == ["regeln bryts"]


# --- The policy's actors -------------------------------------------------------------------------


def test_it_refuses_a_missing_actor_like_an_anonymous_visitor() -> None:
    verdict = check(None, "ledger.state.requisition")
    assert not verdict and verdict.reason.startswith("Logga in")
    with pytest.raises(PermissionDenied):
        require(None, "plan.edit")


def test_it_lets_a_system_actor_act_and_records_its_name() -> None:
    assert check(SEED_LOADER, "plan.fix")
    assert check(operator("anna"), "ledger.state.disbursement")
    assert actor_label(operator("anna")) == "kommandoraden (anna)"
    assert actor_user(operator("anna")) is None
    assert isinstance(SEED_LOADER, SystemActor) and not SEED_LOADER.is_authenticated


def test_it_records_a_users_name(coordinator: Any) -> None:
    assert actor_user(coordinator) == coordinator
    assert actor_label(coordinator) == coordinator.get_username()


# --- Bounds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_it_refuses_hostile_text(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        clean_text(value, field="note", max_length=2000, multiline=True)
    assert list(info.value.message_dict) == ["note"]


def test_it_keeps_tabs_newlines_and_swedish_text() -> None:
    assert clean_text("Åsa  \r\nÖrjan\tär här ", field="note", multiline=True) == "Åsa  \nÖrjan\tär här"
    assert text_problem("Malmö – 2018 (§ 4)", multiline=False) is None
    assert text_problem("två\nrader", multiline=False) is not None


def test_it_bounds_integers_and_dates() -> None:
    import datetime as dt

    assert clean_int("2018", field="year", minimum=2000, maximum=2100) == 2018
    for bad in ["²", "1e3", "٣", "", "2018.0", True]:
        with pytest.raises(ValidationError):
            clean_int(bad, field="year", minimum=2000, maximum=2100)
    assert int_param("-10", minimum=0, maximum=10) is None
    with pytest.raises(ValidationError) as info:
        clean_date(dt.date(9999, 12, 31), field="entry_date")
    assert "entry_date" in info.value.message_dict


@pytest.mark.parametrize("value", HOSTILE_AMOUNTS)
def test_it_refuses_hostile_amounts(value: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(value)


@given(st.text(max_size=60))
def test_parse_amount_refuses_cleanly_or_returns_two_decimals(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert isinstance(amount, Decimal) and amount == amount.quantize(Decimal("0.01"))
    assert Decimal(0) <= amount <= MAX_AMOUNT


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_parse_amount_reads_both_notations(amount: Decimal) -> None:
    plain = f"{amount:f}"
    whole, _, ore = plain.partition(".")
    groups = f"{int(whole):,}".replace(",", " ")
    assert parse_amount(plain) == amount
    assert parse_amount(f"{groups},{ore or '00'}") == amount


@db
def test_it_leads_back_to_the_form_after_a_refused_post(rss_norrbotten: Any) -> None:
    page = f"http://testserver/medel/{AGREEMENT}/2018/"
    response = client_for(rss_norrbotten).post(
        page,
        {
            "kind": "requisition",
            "recipient": "12",
            "amount": "1000",
            "entry_date": "2018-06-01",
            "reference": "x",
        },
        HTTP_REFERER=page,
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "Du kan bara rekvirera för ditt eget län." in body
    assert f'href="{page}"' in body, "a refused post leads back to its form"


# --- The shared bounded form fields (jamkoll.forms) ------------------------------------------------


class _BoundedForm(forms.Form):
    on = BoundedDateField(required=False)
    happened = BoundedDateField(required=False, past_only=True)
    title = OneLineField(required=False)
    notes = MultiLineField()
    amount = AmountField(required=False)


@pytest.mark.parametrize("value", ["1999-12-31", "2101-01-01", "9999-12-31"])
def test_it_bounds_a_date_field_by_its_validator_not_only_its_widget(value: str) -> None:
    form = _BoundedForm({"on": value})
    assert not form.is_valid()
    assert form.errors["on"] == ["Datumet måste ligga mellan 2000-01-01 och 2100-12-31."]
    assert _BoundedForm({"on": "2000-01-01"}).is_valid()
    assert _BoundedForm({"on": "2100-12-31"}).is_valid()


def test_it_refuses_a_date_in_the_future_where_only_the_past_will_do() -> None:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    form = _BoundedForm({"happened": (today + dt.timedelta(days=1)).isoformat()})
    assert not form.is_valid()
    assert form.errors["happened"] == ["Datumet får inte ligga i framtiden."]
    assert _BoundedForm({"happened": today.isoformat()}).is_valid()
    assert 'max="' + today.isoformat() + '"' in str(_BoundedForm()["happened"])


def test_it_narrows_a_date_fields_range_per_form() -> None:
    import datetime as dt

    form = _BoundedForm({"on": "2017-06-01"})
    field = form.fields["on"]
    assert isinstance(field, BoundedDateField)
    field.set_bounds(dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    assert not form.is_valid()
    assert form.errors["on"] == ["Datumet måste ligga mellan 2018-01-01 och 2018-12-31."]
    assert 'min="2018-01-01"' in str(form["on"]) and 'type="date"' in str(form["on"])
    assert _BoundedForm({"on": "2017-06-01"}).is_valid(), "another form keeps the class's range"


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_it_refuses_hostile_text_in_the_text_fields(value: str) -> None:
    form = _BoundedForm({"title": value, "notes": value})
    assert not form.is_valid()
    assert "title" in form.errors and "notes" in form.errors


def test_it_bounds_a_one_line_field_and_keeps_lines_in_a_multi_line_field() -> None:
    form = _BoundedForm({"title": "två\nrader", "notes": "två\nrader"})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
    assert not _BoundedForm({"title": "x" * 201}).is_valid()
    assert not _BoundedForm({"notes": "x" * 20_001}).is_valid()


@pytest.mark.parametrize("value", HOSTILE_AMOUNTS)
def test_it_refuses_hostile_amounts_in_the_amount_field(value: str) -> None:
    form = _BoundedForm({"amount": value})
    assert not form.is_valid()
    assert form.errors["amount"]


def test_it_cleans_an_amount_field_to_a_decimal() -> None:
    form = _BoundedForm({"amount": "2 500 000,50"})
    assert form.is_valid()
    assert form.cleaned_data["amount"] == Decimal("2500000.50")
    form = _BoundedForm({"amount": ""})
    assert form.is_valid() and form.cleaned_data["amount"] is None
