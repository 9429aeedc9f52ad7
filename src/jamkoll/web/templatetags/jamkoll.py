import datetime as dt
import re
import textwrap
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jamkoll.money import format_mnkr, format_sek, group_digits
from jamkoll.plans.footnotes import MARK
from jamkoll.reference.sources import cite as cite_sources

register = template.Library()


@register.filter
def shorten(value: Any, width: int) -> str:
    """`value` in at most `width` characters, cut between words with " …" (Django's
    `truncatechars` cuts inside a word: "Att förebygga v…")."""
    return textwrap.shorten(str(value or ""), width=int(width), placeholder=" …")


@register.filter
def sek(value: Decimal | None) -> str:
    return format_sek(value)


@register.filter
def mnkr(value: Decimal | None) -> str:
    return format_mnkr(value)


@register.filter
def name_on(organisation: Any, on: dt.date | int | None) -> str:
    """`{{ org|name_on:date }}`; an int is read as a year (its last day)."""
    if organisation is None:
        return ""
    return str(organisation.name_at(_on(on)))


@register.filter
def short_name_on(organisation: Any, on: dt.date | int | None) -> str:
    if organisation is None:
        return ""
    return str(organisation.short_name_at(_on(on)))


def _on(on: dt.date | int | None) -> dt.date:
    if isinstance(on, int):
        return dt.date(on, 12, 31)
    return on or timezone.localdate()


@register.simple_tag
def recipient_short(decision: Any, on: dt.date | int | None) -> str:
    """`{% recipient_short decision year as short %}`: the decision's recipient's short name valid
    on the date (an int is a year, its last day): SKL for 2018, SKR from 2019-11-27."""
    from jamkoll.programmes.selectors import recipient_short_name

    return recipient_short_name(decision=decision, on=_on(on)) if decision is not None else ""


@register.simple_tag
def recipient_label(decision: Any, on: dt.date | int | None, recipient: str) -> str:
    """`{% recipient_label decision year line.recipient %}`: a budget line's recipient as the
    table names it for that year ("SKL" in 2018, "SKR" in 2020, "RSS")."""
    from jamkoll.programmes.selectors import recipient_names

    if decision is None:
        return str(recipient)
    return recipient_names(decision=decision, on=_on(on)).get(str(recipient), str(recipient))


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """A date as `<time datetime="2019-04-01">2019-04-01</time>` (a moment as its day in
    Stockholm), never broken at a hyphen (CSS keeps a `time` on one line); "" for none, so that
    `|default:"–"` still applies."""
    if not isinstance(value, dt.date):  # None, "", or anything else: nothing, as |date gives
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    iso = value.isoformat()
    return format_html('<time datetime="{}">{}</time>', iso, iso)


@register.filter
def moment(value: dt.datetime | None) -> str:
    """A moment as `<time datetime="…">2026-11-28 20:37</time>` in Stockholm's time, kept on one
    line as `day` is; "" for none."""
    if not isinstance(value, dt.datetime):  # a day has no time of day: shown as a day
        return day(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}">{}</time>', local.isoformat(timespec="minutes"), local.strftime("%Y-%m-%d %H:%M")
    )


_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@register.filter
def whole_dates(text: str) -> SafeString:
    """`text` escaped, each ISO date in it kept on one line: a text the application makes (a
    refusal's reason, how an obligation was closed), a document's title ("SKL:s cirkulär
    2018-01-26" broke at the hyphen on a narrow screen)."""
    escaped = str(conditional_escape(text or ""))  # a date has no character that escaping changes
    return mark_safe(_ISO_DAY.sub(lambda m: f'<span class="nowrap">{m.group()}</span>', escaped))


@register.filter
def cite(text: str) -> SafeString:
    """A data file's "seed 001, bilaga 1 §7" as the document's title, its dates unbroken."""
    return whole_dates(cite_sources(text))


@register.filter
def note_marks(text: str) -> SafeString:
    """Stored text as paragraphs, each note mark "[^n]" a superscript number where the text has it
    (`plans.footnotes`); the notes themselves are listed by the page."""
    html = linebreaks(text, autoescape=True)
    return mark_safe(MARK.sub(lambda m: f'<sup class="fnref"><a href="#not-{m[1]}">{m[1]}</a></sup>', html))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def num(value: Any) -> str:
    """An integer in Swedish form: 250 000."""
    if value is None or value == "":
        return "–"
    text = str(value)
    return group_digits(text) if text.isdigit() else text


@register.filter
def source_link(section: Any, decision_slug: str) -> str:
    """`{{ row.document_section|source_link:decision.slug }}`: "Källa: <the document's title>,
    §8" linking to the section on the decision's page of documents; empty for a row without one."""
    if section is None:
        return ""
    href = reverse("web:decision_documents", args=[decision_slug]) + "#" + section.anchor
    return format_html(
        '<a class="source-link" href="{}">{}: {}, {}</a>',
        href,
        gettext("Källa"),
        whole_dates(section.document.title),
        section.label,
    )


@register.filter
def marked(text: str, query: str) -> str:
    """`text` escaped, each occurrence of `query` (case ignored) in <mark>."""
    text, words = str(text or ""), str(query or "").split()
    if not words:
        return conditional_escape(text)
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(conditional_escape(text[last : match.start()]))
        out.append(format_html("<mark>{}</mark>", match.group()))
        last = match.end()
    out.append(conditional_escape(text[last:]))
    return mark_safe("".join(out))  # every part is escaped above
