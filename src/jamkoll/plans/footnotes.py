"""Where a note of a document is referenced: an inline mark "[^n]" in the stored text, exactly
where the document prints its superscript (seed 003: note 1 after "s.k. patientkontrakt", in the
middle of a sentence). The text keeps the mark (the JSON API returns it as stored); the report
renderers print it as a superscript reference at that place, pages as a superscript number.

A mark whose note the year does not have stays ordinary text: a reference must never lead
nowhere, and a text typed with "[^9]" in it is not lost.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MARK = re.compile(r"\[\^(\d{1,3})\]")


def marks(text: str) -> list[int]:
    """The note numbers referenced in `text`, in order."""
    return [int(m[1]) for m in MARK.finditer(text)]


def split_marks(text: str, known: Collection[int]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`text` without the marks of `known` notes, and (offset in that text, note number) for each:
    "a[^1] b" → ("a b", ((1, 1),))."""
    out: list[str] = []
    refs: list[tuple[int, int]] = []
    length = last = 0
    for m in MARK.finditer(text):
        number = int(m[1])
        if number not in known:
            continue
        out.append(text[last : m.start()])
        length += m.start() - last
        refs.append((length, number))
        last = m.end()
    out.append(text[last:])
    return "".join(out), tuple(refs)


def strip_marks(text: str) -> str:
    """The text as read without its notes (a county report, which prints no notes)."""
    return MARK.sub("", text)
