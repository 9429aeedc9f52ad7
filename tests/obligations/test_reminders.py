"""Reminders 30, 7 and 1 days before the effective date and on the first overdue day: each exactly
once, a missed day caught up, nothing for what is submitted or waived."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from jamkoll.obligations.models import Obligation, Reminder
from jamkoll.obligations.reminders import reminder_stage, reminders_send
from jamkoll.obligations.tasks import next_morning, reminders_daily, reminders_schedule

from .conftest import obligation

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
# The 2018 financial report: nominal 2019-03-31 (a Sunday), effective 2019-04-01.
FIN = "2018-financial_report"


@pytest.fixture
def owners(coordinator: Any, certifier: Any, rss_skane: Any, treasury: Any) -> list[Any]:
    for user in (coordinator, certifier, rss_skane, treasury):
        user.email = f"{user.username}@example.se"
        user.save()
    return [coordinator, certifier]


def sent_to(kind: str) -> set[str]:
    return set(
        Reminder.objects.filter(kind=kind, sent_at__isnull=False).values_list("user__username", flat=True)
    )


def test_stages() -> None:
    eff = D("2019-04-01")
    assert reminder_stage(eff, D("2019-03-01")) is None  # 31 days
    assert reminder_stage(eff, D("2019-03-02")) == "days_30"
    assert reminder_stage(eff, D("2019-03-25")) == "days_7"
    assert reminder_stage(eff, D("2019-03-31")) == "days_1"
    assert reminder_stage(eff, D("2019-04-01")) == "days_1"
    assert reminder_stage(eff, D("2019-04-02")) == "overdue"
    assert reminder_stage(eff, D("2019-05-01")) == "overdue"
    assert reminder_stage(eff, D("2019-05-02")) is None


def test_each_reminder_is_sent_once_even_if_the_job_runs_twice(owners: Any) -> None:
    first = reminders_send(today=D("2019-03-02"))
    second = reminders_send(today=D("2019-03-02"))
    fin = obligation(FIN)
    mine = [r for r in first.sent if r.obligation_id == fin.pk]
    assert {r.user.username for r in mine} == {"anna-samordnare", "erik-ekonomichef"}
    assert not [r for r in second.sent if r.obligation_id == fin.pk]
    assert len(second.sent) == 0
    assert Reminder.objects.filter(obligation=fin).count() == 2
    subjects = [m.subject for m in mail.outbox if "Ekonomisk redovisning för 2018" in m.subject]
    assert len(subjects) == 2
    body = next(m.body for m in mail.outbox if "Ekonomisk redovisning för 2018" in m.subject)
    assert "30 dagar kvar till sista dag, 2019-04-01" in body
    assert "2019-03-31" in body and "återkräva stödet" in body


def test_the_four_stages_over_time_and_nobody_else(owners: Any) -> None:
    for day in ["2019-03-02", "2019-03-25", "2019-03-31", "2019-04-01", "2019-04-02", "2019-04-03"]:
        reminders_send(today=D(day))
    fin = obligation(FIN)
    kinds = sorted(
        Reminder.objects.filter(obligation=fin, user__username="anna-samordnare").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["days_1", "days_30", "days_7", "overdue"]
    # Treasury receives the report; RSS does not owe it: neither is reminded.
    assert not Reminder.objects.filter(
        obligation=fin, user__username__in=["karin-kammarkollegiet", "sara-skane"]
    ).exists()


def test_a_skipped_day_is_caught_up_with_the_latest_stage_only(owners: Any) -> None:
    reminders_send(today=D("2019-03-05"))  # 27 days: the 30-day reminder, three days late
    assert "anna-samordnare" in sent_to("days_30")
    reminders_send(today=D("2019-03-29"))  # 3 days: the 7-day reminder was missed
    assert "anna-samordnare" in sent_to("days_7")
    reminders_send(today=D("2019-04-04"))  # the 1-day and first-overdue days were missed
    fin = obligation(FIN)
    kinds = set(
        Reminder.objects.filter(obligation=fin, user__username="anna-samordnare").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"days_30", "days_7", "overdue"}  # no late "1 day left"
    overdue_mail = [
        m for m in mail.outbox if m.subject.startswith("[JämKoll] Försenat: Ekonomisk redovisning för 2018")
    ]
    assert overdue_mail and "Sista dag var 2019-04-01" in overdue_mail[0].body


def test_submitted_and_waived_obligations_send_nothing(owners: Any, coordinator: Any) -> None:
    fin = obligation(FIN)
    Obligation.objects.filter(pk=fin.pk).update(submitted_on=D("2019-02-01"))
    Obligation.objects.filter(pk=obligation("2019-project_plan").pk).update(
        waived_at=timezone.now(), waiver_reason="test"
    )
    report = reminders_send(today=D("2019-03-25"))
    keys = {r.obligation.key for r in report.sent}
    assert "2018-financial_report" not in keys and "2019-project_plan" not in keys
    assert "2018-activity_report" not in keys  # seed 003 shows it done
    assert "2018-repayment" in keys


def test_rss_reminders_go_to_the_county_only(owners: Any, rss_norrbotten: Any, rss_skane: Any) -> None:
    rss_norrbotten.email = "nils@example.se"
    rss_norrbotten.save()
    skane = obligation("2018-requisition-rss-12")
    skane.nominal_date = D("2018-05-15")
    skane.save()
    reminders_send(today=D("2018-05-10"))
    assert list(Reminder.objects.filter(obligation=skane).values_list("user__username", "kind")) == [
        ("sara-skane", "days_7")
    ]


def test_users_without_an_email_address_are_skipped(coordinator: Any) -> None:
    report = reminders_send(today=D("2019-03-25"))
    assert report.sent == [] and not Reminder.objects.exists()


def test_rescheduling_starts_the_reminders_over(owners: Any, coordinator: Any, ministry: Any) -> None:
    from jamkoll.obligations.transitions import obligation_reschedule

    reminders_send(today=D("2020-03-25"))
    fin19 = obligation("2019-financial_report")
    assert Reminder.objects.filter(obligation=fin19, kind="days_7").exists()
    obligation_reschedule(
        obligation=fin19, nominal_date=D("2020-04-30"), reason="Nytt beslut", actor=ministry
    )
    assert not Reminder.objects.filter(obligation=fin19).exists()
    reminders_send(today=D("2020-03-31"))
    assert Reminder.objects.filter(obligation=fin19, kind="days_30").count() == 2


def test_the_task_sends_and_queues_itself_for_the_next_morning(owners: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    result = reminders_daily.call(today="2019-03-25")
    assert result["sent"] > 0
    queued = DBTaskResult.objects.filter(task_path=reminders_daily.module_path, status="READY")
    assert queued.count() == 1
    assert reminders_daily.call(today="2019-03-25")["sent"] == 0
    assert queued.count() == 1  # not a second one
    assert reminders_schedule() is False


def test_next_morning_is_six_o_clock_stockholm_time() -> None:
    now = dt.datetime(2019, 3, 30, 23, 30, tzinfo=dt.UTC)  # already 31 March in Stockholm
    morning = next_morning(now)
    assert morning.isoformat() == "2019-04-01T06:00:00+02:00"


def test_the_reminders_command(owners: Any) -> None:
    out = io.StringIO()
    call_command("reminders", "--today", "2019-03-25", stdout=out)
    assert "skickade" in out.getvalue()
    again = io.StringIO()
    call_command("reminders", "--today", "2019-03-25", stdout=again)
    assert "Påminnelser 2019-03-25: 0 skickade" in again.getvalue()


def test_a_failing_run_still_queues_tomorrows(monkeypatch: pytest.MonkeyPatch) -> None:
    from django_tasks_db.models import DBTaskResult

    from jamkoll.obligations import tasks

    def broken(**kwargs: object) -> None:
        raise RuntimeError("e-postservern svarar inte")

    monkeypatch.setattr(tasks, "reminders_send", broken)
    with pytest.raises(RuntimeError):
        reminders_daily.call()
    assert DBTaskResult.objects.filter(task_path=reminders_daily.module_path, status="READY").count() == 1


def test_the_worker_queues_todays_run_at_once() -> None:
    from django_tasks_db.models import DBTaskResult

    assert reminders_schedule(immediately=True) is True
    queued = DBTaskResult.objects.get(task_path=reminders_daily.module_path, status="READY")
    assert queued.run_after is None or queued.run_after.year == 9999 or queued.run_after <= timezone.now()


def test_a_reminder_is_written_in_the_language_its_reader_chose(owners: Any, client: Any) -> None:
    """The language switch on the site is kept for a signed-in user; their e-mail follows it."""
    coordinator = owners[0]
    client.force_login(coordinator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    coordinator.profile.refresh_from_db()
    assert coordinator.profile.language == "en"
    reminders_send(today=D("2019-03-02"))
    mine = [m for m in mail.outbox if "Ekonomisk redovisning för 2018" in m.subject]
    english = next(m for m in mine if m.to == [coordinator.email])
    swedish = next(m for m in mine if m.to != [coordinator.email])
    assert english.subject.startswith("[JämKoll] Reminder:")
    assert "Owed by" in english.body and "Lämnas av" not in english.body
    assert swedish.subject.startswith("[JämKoll] Påminnelse:") and "Lämnas av" in swedish.body
