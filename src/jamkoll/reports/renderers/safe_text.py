"""What the renderers do with stored text before they lay it out: a document never fails, and
never takes the machine down, because of text that is already in the database.

`sanitise(document)` makes every string of a document printable in every format. Input is checked
on the way in (`jamkoll.validation`), but text stored before those checks, written by the admin,
or imported directly must still render: XML (DOCX, the PDF's HTML, SVG) cannot hold most control
characters, and python-docx refuses the whole file for one of them. A vertical tab (what Word
inserts for Shift+Enter), a form feed and the Unicode line and paragraph separators become line
breaks; every other C0 and C1 control except tab and newline, lone surrogates and the two
non-characters U+FFFE/U+FFFF are dropped. Nothing is shortened: what the field holds is printed.

`break_long_words(html)` gives WeasyPrint break opportunities in words longer than
`LONG_WORD` characters. Laying out one unspaced word costs time that grows with the square of its
length and more (with `hyphens: auto`, a 4 000-character word in a table cell took 140 s and a
100 000-character one did not finish); the same word with a zero-width space every `CHUNK`
characters and hyphenation off takes a fraction of a second. Only the print HTML gets them: a
browser and Word break long words themselves.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

from jamkoll.reports.document import BulletList, Document, NoteAt, Paragraph, pieces

T = TypeVar("T")

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# What XML 1.0 cannot hold (tab and newline can), C1 controls, and lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def safe_text(text: str) -> str:
    """`text` with line-breaking controls as newlines and every character XML cannot hold dropped."""
    return _ILLEGAL.sub("", _LINE_BREAKS.sub("\n", text))


def _safe_with_notes(text: str, notes_at: tuple[NoteAt, ...]) -> tuple[str, tuple[NoteAt, ...]]:
    """`safe_text` piece by piece, so that a reference inside the text keeps its place when a
    character before it is dropped or a line break shortened."""
    if not notes_at:
        return safe_text(text), ()
    out, refs, length = [], [], 0
    for piece, numbers in pieces(text, notes_at):
        piece = safe_text(piece)
        out.append(piece)
        length += len(piece)
        refs += [(length, n) for n in numbers]
    return "".join(out), tuple(refs)


def _sanitised(value: Any) -> Any:
    if isinstance(value, Paragraph) and value.notes_at:
        text, notes_at = _safe_with_notes(value.text, value.notes_at)
        return dataclasses.replace(value, text=text, notes_at=notes_at)
    if isinstance(value, BulletList) and value.notes_at:
        items = [_safe_with_notes(t, n) for t, n in zip(value.items, value.notes_at, strict=True)]
        return dataclasses.replace(
            value, items=tuple(t for t, _n in items), notes_at=tuple(n for _t, n in items)
        )
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, tuple):
        return tuple(_sanitised(v) for v in value)
    if isinstance(value, list):
        return [_sanitised(v) for v in value]
    if isinstance(value, dict):
        return {k: _sanitised(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _sanitised(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def sanitise(document: Document) -> Document:
    """A copy of `document` whose every string (headings, cells, notes, chart SVG) is `safe_text`."""
    result: Document = _sanitised(document)
    return result


# A word this long gets break opportunities; Swedish compounds stay below it
# ("jämställdhetsintegreringsarbetet" has 32 letters), web addresses and unspaced strings do not.
LONG_WORD = 40
CHUNK = 20
ZWSP = "\u200b"

# Text between tags; <title> (raw text), <style> and inline <svg> (CSS and chart markup) are left
# as they are.
_SKIP = re.compile(r"<(title|style|svg)\b.*?</\1>", re.S)
_TAG = re.compile(r"(<[^>]*>)")
# One character of text: an entity or a character that is neither space nor markup.
_UNIT = r"(?:&#?\w+;|[^\s<>&\u200b])"
_LONG = re.compile(f"{_UNIT}{{{LONG_WORD + 1},}}")
_UNITS = re.compile(_UNIT)


def _broken(match: re.Match[str]) -> str:
    units = _UNITS.findall(match[0])
    chunks = ["".join(units[i : i + CHUNK]) for i in range(0, len(units), CHUNK)]
    return f'<span class="long-word">{ZWSP.join(chunks)}</span>'


def _text(part: str) -> str:
    if part.startswith("<"):
        return part
    return _LONG.sub(_broken, part)


def break_long_words(html: str) -> str:
    """The HTML with every word longer than LONG_WORD in text (not in tags, CSS or SVG) split by a
    zero-width space every CHUNK characters, inside <span class="long-word"> (no hyphenation)."""
    out: list[str] = []
    last = 0
    for skip in _SKIP.finditer(html):
        out.append("".join(_text(p) for p in _TAG.split(html[last : skip.start()])))
        out.append(skip[0])
        last = skip.end()
    out.append("".join(_text(p) for p in _TAG.split(html[last:])))
    return "".join(out)
