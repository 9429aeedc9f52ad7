"""The site's template filters that make HTML: dates kept on one line, citations escaped."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from jamkoll.web.templatetags.jamkoll import cite, day, moment, source_link


def test_a_day_is_a_time_element_in_stockholm() -> None:
    assert day(dt.date(2019, 4, 1)) == '<time datetime="2019-04-01">2019-04-01</time>'
    late = dt.datetime(2019, 5, 1, 23, 30, tzinfo=dt.UTC)  # 01:30 on 2 May in Stockholm
    assert day(late) == '<time datetime="2019-05-02">2019-05-02</time>'
    assert day(None) == "" and day("") == ""  # type: ignore[arg-type]
    assert day("2020-01-02") == ""  # type: ignore[arg-type]  # not a date: nothing, as |date gives


def test_a_moment_is_a_time_element_in_stockholm_and_a_day_stays_a_day() -> None:
    late = dt.datetime(2019, 5, 1, 23, 30, tzinfo=dt.UTC)
    assert moment(late) == '<time datetime="2019-05-02T01:30+02:00">2019-05-02 01:30</time>'
    assert moment(dt.date(2020, 1, 2)) == '<time datetime="2020-01-02">2020-01-02</time>'  # type: ignore[arg-type]
    assert moment(None) == "" and moment("x") == ""  # type: ignore[arg-type]


def test_a_missing_day_still_takes_the_default() -> None:
    template = Template('{% load day from jamkoll %}{{ d|day|default:"–" }} {{ e|day }}')
    assert template.render(Context({"d": None, "e": dt.date(2020, 3, 31)})) == (
        '– <time datetime="2020-03-31">2020-03-31</time>'
    )


def test_a_citation_keeps_its_dates_whole_and_escapes_the_rest() -> None:
    assert cite("seed 001, bilaga 1 §2") == (
        'SKL:s cirkulär <span class="nowrap">2018-01-26</span> (ärendenr 17/05981), bilaga 1 §2'
    )
    assert cite('<script>alert("2018-01-26")</script>') == (
        '&lt;script&gt;alert(&quot;<span class="nowrap">2018-01-26</span>&quot;)&lt;/script&gt;'
    )
    assert cite("") == "" and cite(None) == ""  # type: ignore[arg-type]


def test_a_source_link_keeps_the_documents_date_whole() -> None:
    class Document:
        title = "Regeringsbeslut 2018-01-18 <A>"

    class Section:
        anchor, label, document = "s-1", "§8", Document()

    html = source_link(Section(), "beslut")
    assert '<span class="nowrap">2018-01-18</span> &lt;A&gt;, §8</a>' in html


def test_an_applications_text_keeps_its_dates_whole_and_is_escaped() -> None:
    from jamkoll.web.templatetags.jamkoll import whole_dates

    assert whole_dates("Redan inlämnat 2019-11-20 <b>.") == (
        'Redan inlämnat <span class="nowrap">2019-11-20</span> &lt;b&gt;.'
    )
    assert whole_dates(None) == ""  # type: ignore[arg-type]
