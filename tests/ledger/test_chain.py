"""The ledger cannot be rewritten unnoticed (issue 12, finding 2): a keyed digest with the key
outside the database, the chain head also in an anchor file outside the database, and the
database's own refusal of UPDATE and DELETE on entries.

Each test plays an attacker who can write to the database (and lifts the refusal first, as the
table's owner can) but holds neither the key nor the anchor file."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from jamkoll.accounts.policy import operator
from jamkoll.ledger.chain import (
    GENESIS,
    anchor_read,
    anchor_write,
    append_only_lifted,
    entry_digest,
    key_load,
)
from jamkoll.ledger.models import ChainHead, LedgerEntry
from jamkoll.ledger.services import entry_record, ledger_verify
from jamkoll.programmes.models import FundingDecision
from jamkoll.programmes.selectors import decision_get

pytestmark = pytest.mark.django_db
SLUG = "jamstalldhet-kvinnofrid-2018-2020"
OP = operator("testkörning")


@pytest.fixture
def decision() -> FundingDecision:
    return decision_get(slug=SLUG)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a real commit would run (the anchor line), which a rolled-back test never sees."""

    def run(fn: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn()

    return run


def record(
    decision: FundingDecision, kind: str = "requisition", amount: str = "10.00", **kw: Any
) -> LedgerEntry:
    kw.setdefault("reference", "Ju2018/00001")
    return entry_record(actor=OP, decision=decision, year=2018, kind=kind, amount=amount, **kw)


def three(decision: FundingDecision, committed: Any) -> list[LedgerEntry]:
    return [
        committed(lambda: record(decision, "requisition", "100.00")),
        committed(lambda: record(decision, "disbursement", "60.00")),
        committed(lambda: record(decision, "expenditure", "50.00")),
    ]


def rechain(entries: list[LedgerEntry], digest: Any) -> None:
    """What an attacker with database access does after changing an entry: recompute every digest
    from that entry on and move the head, with `digest(entry)`."""
    previous = entries[0].previous_digest
    with append_only_lifted():
        for entry in entries:
            entry.refresh_from_db()
            entry.previous_digest = previous
            entry.digest = digest(entry)
            LedgerEntry.objects.filter(pk=entry.pk).update(previous_digest=previous, digest=entry.digest)
            previous = entry.digest
        ChainHead.objects.filter(pk=1).update(sequence=entries[-1].sequence, digest=previous)


def problems() -> list[str]:
    return ledger_verify().problems


def verify_exit(**kw: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify", stdout=out, stderr=err, **kw)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_clean_anchored_ledger_verifies(decision: FundingDecision, committed: Any) -> None:
    entries = three(decision, committed)
    assert problems() == []
    assert ledger_verify().notices == []
    lines, malformed = anchor_read()
    assert malformed == []
    assert [(line.sequence, line.event) for line in lines] == [
        (0, "key"),
        (1, "append"),
        (2, "append"),
        (3, "append"),
    ]
    assert lines[-1].digest == entries[-1].digest
    assert verify_exit()[0] == 0


def test_the_digest_is_keyed_and_the_key_file_private(decision: FundingDecision, ledger_files: Path) -> None:
    entry = record(decision)
    key = key_load()
    assert key is not None and len(key) == 64
    assert entry.digest == entry_digest(entry, key)
    assert entry.digest != hashlib.sha256(entry.canonical().encode()).hexdigest()
    assert stat.S_IMODE(os.stat(ledger_files / "ledger.key").st_mode) == 0o600


def test_deleting_the_newest_entry_and_moving_the_head_back_fails_verify(
    decision: FundingDecision, committed: Any
) -> None:
    _first, second, last = three(decision, committed)
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(pk=1).update(sequence=second.sequence, digest=second.digest)
    found = problems()
    assert any(
        "databasen saknar poster som ankaret registrerat: ankaret har #3, databasen slutar vid #2" in p
        for p in found
    ), found
    code, _out, err = verify_exit()
    assert code == 1 and "databasen saknar poster" in err


@pytest.mark.parametrize("how", ["sha256", "guessed-key"])
def test_changing_an_amount_and_recomputing_the_digests_fails_verify(
    decision: FundingDecision, committed: Any, how: str
) -> None:
    entries = three(decision, committed)
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entries[1].pk).update(amount=Decimal("59.00"))
    if how == "sha256":
        rechain(entries[1:], lambda e: hashlib.sha256(e.canonical().encode()).hexdigest())
    else:  # the project's own function, with a key that is not the one in the key file
        rechain(entries[1:], lambda e: entry_digest(e, b"x" * 64))
    found = problems()
    assert any("post #2: innehållet stämmer inte med kontrollsumman" in p for p in found), found
    assert any(
        "ankarfilen rad 3 (#2): posten i databasen är inte den som ankaret registrerade" in p for p in found
    )


def test_an_entry_after_the_last_anchored_one_is_still_protected_by_the_key(
    decision: FundingDecision,
) -> None:
    """No anchor line yet (the crash window): the key alone catches a changed amount."""
    entries = [record(decision, "requisition", "100.00"), record(decision, "disbursement", "60.00")]
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entries[1].pk).update(amount=Decimal("61.00"))
    rechain(entries[1:], lambda e: hashlib.sha256(e.canonical().encode()).hexdigest())
    assert any("post #2: innehållet stämmer inte" in p for p in problems())


def test_the_database_refuses_update_and_delete_of_an_entry(decision: FundingDecision) -> None:
    entry = record(decision)
    for sql in (
        "UPDATE ledger_ledgerentry SET amount = 11 WHERE id = %s",
        "DELETE FROM ledger_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(note="ändrad")
    entry.refresh_from_db()
    assert entry.amount == Decimal("10.00") and entry.note == ""


def test_verify_reports_the_refusal_lifted(decision: FundingDecision) -> None:
    record(decision)
    with append_only_lifted():
        assert any("spärr mot ändring" in p for p in problems())
    assert problems() == []


def test_a_lagging_anchor_is_a_notice_and_catches_up(decision: FundingDecision, committed: Any) -> None:
    """A crash between the commit and the anchor line: the database is ahead of the anchor. That
    is not tampering; the next append or `jamkoll ledger anchor` brings the anchor level."""
    committed(lambda: record(decision))
    record(decision)  # committed, but the process died before its anchor line
    record(decision)
    result = ledger_verify()
    assert result.problems == []
    assert result.notices == [
        "ankaret ligger 2 poster efter databasen (senast #1, databasen #3): ett avbrott mellan registrering "
        "och ankarskrivning; nästa registrering eller `jamkoll ledger anchor` för ikapp det"
    ]
    code, out, _err = verify_exit()
    assert code == 0 and "OBS: ankaret ligger 2 poster efter" in out
    out_io = io.StringIO()
    call_command("ledger", "anchor", stdout=out_io)
    assert "från post #1 till #3" in out_io.getvalue()
    assert ledger_verify().notices == []
    committed(lambda: record(decision))
    assert [line.sequence for line in anchor_read()[0]] == [0, 1, 3, 4]


def test_the_anchor_never_goes_backwards(decision: FundingDecision) -> None:
    """Two writers commit #1 and #2; #2's line is written first. #1's line is then covered."""
    key = b"k" * 64
    anchor_write(key=key, sequence=0, digest=GENESIS, event="key")
    assert anchor_write(key=key, sequence=2, digest="b" * 64, event="append")
    assert not anchor_write(key=key, sequence=1, digest="a" * 64, event="append")
    assert [line.sequence for line in anchor_read()[0]] == [0, 2]


def test_a_forged_or_edited_anchor_line_fails_verify(decision: FundingDecision, committed: Any) -> None:
    three(decision, committed)
    path = Path(settings.LEDGER_ANCHOR_FILE)
    lines = path.read_text().splitlines()
    seq, _digest, at, event, mac = lines[-1].split("\t")
    lines[-1] = "\t".join([seq, "f" * 64, at, event, mac])
    path.write_text("\n".join(lines) + "\n")
    assert any("ankarfilen rad 4 (#3): raden är inte signerad med nyckeln" in p for p in problems())


def test_a_missing_key_is_reported_and_never_silently_replaced(
    decision: FundingDecision, committed: Any, ledger_files: Path
) -> None:
    three(decision, committed)
    (ledger_files / "ledger.key").unlink()
    found = problems()
    assert any("nyckel saknas" in p and "en ny nyckel skapas inte" in p for p in found), found
    with pytest.raises(ValidationError) as info:
        record(decision)
    assert info.value.code == "ledger_key"
    assert "nyckel eller ankarfil saknas" in info.value.messages[0]
    assert not (ledger_files / "ledger.key").exists()


def test_a_different_key_is_reported_clearly(
    decision: FundingDecision, committed: Any, ledger_files: Path
) -> None:
    three(decision, committed)
    (ledger_files / "ledger.key").write_text("a" * 64)
    found = problems()
    assert any("är inte den som kedjan och ankaret skrevs med" in p for p in found), found
    assert not any("post #" in p for p in found)  # one clear message, not one per entry


def test_a_different_key_without_an_anchor_is_one_message(
    decision: FundingDecision, ledger_files: Path
) -> None:
    record(decision)
    record(decision)
    (ledger_files / "ledger-anchor.log").unlink()
    (ledger_files / "ledger.key").write_text("a" * 64)
    found = problems()
    assert any("ingen av de 2 nyckelskyddade posterna stämmer med nyckeln" in p for p in found), found
    assert any("ankarfilen" in p and "saknas" in p for p in found)


def test_a_missing_anchor_is_reported_and_refuses_appends(
    decision: FundingDecision, ledger_files: Path
) -> None:
    record(decision)
    (ledger_files / "ledger-anchor.log").unlink()
    assert any("ankarfilen" in p and "saknas eller är tom men kedjan har 1 poster" in p for p in problems())
    with pytest.raises(ValidationError):
        record(decision)


def test_a_key_from_the_environment_is_used_and_no_file_made(
    decision: FundingDecision, settings: Any, ledger_files: Path
) -> None:
    settings.LEDGER_KEY = "miljö-" + "n" * 40
    entry = record(decision)
    assert entry.digest == entry_digest(entry, settings.LEDGER_KEY.encode())
    assert not (ledger_files / "ledger.key").exists()
    settings.LEDGER_KEY = "för-kort"
    assert any("kortare än 32 tecken" in p for p in problems())


def _make_legacy(entries: list[LedgerEntry], ledger_files: Path) -> None:
    """A ledger as written before issue 12: plain SHA-256 links, no key, no anchor."""
    rechain(entries, lambda e: hashlib.sha256(e.canonical().encode()).hexdigest())
    (ledger_files / "ledger.key").unlink()
    (ledger_files / "ledger-anchor.log").unlink()


def test_a_legacy_ledger_is_sealed_under_the_key_without_rewriting_it(
    decision: FundingDecision, committed: Any, ledger_files: Path
) -> None:
    entries = [record(decision, "requisition", "100.00"), record(decision, "disbursement", "60.00")]
    _make_legacy(entries, ledger_files)
    legacy_digests = list(LedgerEntry.objects.values_list("digest", flat=True))
    assert any("kör `jamkoll ledger seal`" in p for p in problems())
    with pytest.raises(ValidationError, match="nyckel eller ankarfil saknas"):
        record(decision)
    out = io.StringIO()
    call_command("ledger", "seal", stdout=out)
    assert "t.o.m. post #2" in out.getvalue()
    assert list(LedgerEntry.objects.values_list("digest", flat=True)) == legacy_digests
    assert problems() == []
    new = committed(lambda: record(decision, "expenditure", "50.00"))
    assert new.digest == entry_digest(new, key_load())
    assert problems() == []
    assert [(line.sequence, line.event) for line in anchor_read()[0]] == [(2, "key"), (3, "append")]
    with pytest.raises(CommandError, match="redan förseglat"):
        call_command("ledger", "seal")
    # A legacy entry changed and the legacy chain recomputed: the keyed entry after it and the
    # signed key line both still hold the old head.
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entries[0].pk).update(amount=Decimal("99.00"))
    rechain(entries, lambda e: hashlib.sha256(e.canonical().encode()).hexdigest())
    found = problems()
    assert any("post #3: kedjan är bruten" in p for p in found), found
    assert any(
        "ankarfilen rad 1 (#2): posten i databasen är inte den som ankaret registrerade" in p for p in found
    )


def test_a_broken_legacy_ledger_is_not_sealed(decision: FundingDecision, ledger_files: Path) -> None:
    entries = [record(decision, "requisition", "100.00"), record(decision, "disbursement", "60.00")]
    _make_legacy(entries, ledger_files)
    with append_only_lifted():
        LedgerEntry.objects.filter(pk=entries[0].pk).update(amount=Decimal("99.00"))
    with pytest.raises(CommandError, match="Den gamla kedjan håller inte, inget förseglades: post #1"):
        call_command("ledger", "seal")
    assert not (ledger_files / "ledger.key").exists()
    assert not (ledger_files / "ledger-anchor.log").exists()


def test_the_refusal_comes_back_after_it_is_lifted(decision: FundingDecision) -> None:
    entry = record(decision)
    with pytest.raises(DatabaseError), append_only_lifted():
        LedgerEntry.objects.filter(pk=entry.pk).update(note="x")
        raise DatabaseError("the block failed")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(note="y")


def test_a_failed_anchor_write_keeps_the_entry_and_shows_as_lag(
    decision: FundingDecision,
    committed: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The anchor is written after the commit: a full disk there must not turn a recorded entry
    into an error page; the anchor lags, `verify` says so, and the next append catches up."""
    from jamkoll.ledger import chain

    committed(lambda: record(decision))

    def full_disk(**kw: Any) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(chain, "anchor_write", full_disk)
    entry = committed(lambda: record(decision))
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert "kunde inte skrivas efter post #2" in caplog.text
    result = ledger_verify()
    assert result.problems == [] and "ankaret ligger 1 poster efter databasen" in result.notices[0]
    monkeypatch.undo()
    committed(lambda: record(decision))
    assert ledger_verify().notices == []


def test_a_key_file_readable_by_others_is_a_notice(decision: FundingDecision, ledger_files: Path) -> None:
    record(decision)
    (ledger_files / "ledger.key").chmod(0o644)
    assert any("kan läsas av andra" in n for n in ledger_verify().notices)
