"""Layout on the main pages as the coordinator sees them (issue 15): the header is one line at
1 280 px and wider, and nothing is wider than a 360 px screen (tables scroll inside their own
focusable region, the menu collapses under a button)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .pages import goto, login

DECISION = "jamstalldhet-kvinnofrid-2018-2020"
PAGES = [
    "/",
    "/tidsfrister/",
    f"/tidsfrister/{DECISION}/2019/",
    f"/medel/{DECISION}/2019/",
    "/planer/",
    f"/planer/{DECISION}/2018/",
    "/rapporter/",
    "/nyckeltal/",
    "/historik/",
    "/satsningar/starkt-jamstalldhet-kvinnofrid-2018-2020/",
]

HEADER_ON_ONE_LINE = """() => {
  // Every link, button and field the header shows (not a closed menu's, not a hidden label): the
  // nav and the tools wrap inside themselves too, so their own boxes are not enough.
  const row = document.querySelector('.site-header .header-row');
  const items = [...row.querySelectorAll('a, button, summary, input, .brand')].filter(e => {
    const r = e.getBoundingClientRect();
    return e.offsetParent !== null && r.width > 2 && r.height > 2
      && !e.closest('.account-menu ul') && !e.closest('.visually-hidden');
  });
  const tops = items.map(e => e.getBoundingClientRect().top);
  const bottoms = items.map(e => e.getBoundingClientRect().bottom);
  return {lowestTop: Math.max(...tops), highestBottom: Math.min(...bottoms), count: items.length};
}"""


def test_the_header_stays_on_one_line_from_1280_px(page: Page) -> None:
    login(page, "samordnare")
    for width in (1280, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES:
            goto(page, path)
            box = page.evaluate(HEADER_ON_ONE_LINE)
            # Every item of the header row starts above the bottom of every other: one line.
            assert box["lowestTop"] < box["highestBottom"], (width, path, box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)


BROKEN_DATES = r"""() => {
  // Every ISO date in the page's text whose letters lie on more than one line.
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const iso = /\d{4}-\d{2}-\d{2}/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(iso)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
      if (tops.length && Math.max(...tops) - Math.min(...tops) > 2) {
        broken.push(match[0] + ': ' + node.parentElement.textContent.trim().slice(0, 60));
      }
    }
  }
  return broken;
}"""


def test_nothing_is_wider_than_a_360_px_screen(page: Page) -> None:
    login(page, "samordnare")
    page.set_viewport_size({"width": 360, "height": 740})
    kept_in_view = seconds = charts = 0
    for path in PAGES:
        goto(page, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
        # A date is read whole: never broken at its hyphens ("2019-04-" over "01").
        assert page.evaluate(BROKEN_DATES) == [], path
        # A bar chart keeps readable labels: drawn at 540 px at least, scrolling in its figure,
        # which the keyboard reaches.
        for figure in page.locator("main figure.chart-box:has(svg.chart:not(.indicator-chart))").all():
            box = figure.locator("svg").bounding_box()
            assert box and box["width"] >= 539, (path, box)
            expect(figure).to_have_attribute("tabindex", "0")
            charts += 1
        # A table wider than the screen scrolls inside a named region a keyboard can reach.
        for region in page.locator("main .table-wrap").all():
            if region.evaluate("e => e.scrollWidth > e.clientWidth"):
                expect(region).to_have_attribute("tabindex", "0")
                expect(region).to_have_attribute("role", "region")
                assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby"), path
                # Scrolled to the figures, the cell that says what the row is stays in view at the
                # region's left edge: the first, or the second (the title) in a table marked so.
                key = "2" if region.locator("table.key-second").count() else "1"
                cell = region.locator(f"tbody tr:first-child > :nth-child({key}):not([colspan])").first
                if cell.count():
                    region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
                    edge, after = region.bounding_box(), cell.bounding_box()
                    assert edge and after and abs(after["x"] - edge["x"]) < 2, (path, key, edge, after)
                    kept_in_view += 1
                    seconds += key == "2"
    assert kept_in_view >= 3  # the ledger's tables among them: the check above ran
    assert seconds >= 1  # the plan page's activities, by their title
    assert charts >= 2  # the ledger's and the programme page's
    # The menu is behind its button, and opens.
    toggle = page.get_by_role("button", name="Meny")
    expect(toggle).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_hidden()
    toggle.click()
    expect(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Tidsfrister")
    ).to_be_visible()


INJECT_WRAP = """() => {
  // A wrap whose markup names it (aria-label) but does not make it focusable, and a chart figure.
  const main = document.querySelector('main');
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.id = 'own-name';
  wrap.setAttribute('aria-label', 'Eget namn');
  wrap.innerHTML = '<table><tr><td>bred</td></tr></table>';
  wrap.querySelector('table').style.minWidth = '900px';  // CSSOM: the CSP refuses style attributes
  main.prepend(wrap);
  document.dispatchEvent(new Event('htmx:afterSettle'));
}"""


def test_a_region_that_stops_scrolling_loses_only_what_the_script_gave_it(page: Page) -> None:
    """tables.js makes a scrolling wrap a named region in the tab order and takes that away when
    the window grows; a name the markup gave stays (it removed every aria-label before)."""
    login(page, "samordnare")
    page.set_viewport_size({"width": 360, "height": 740})
    goto(page, "/")
    page.evaluate(INJECT_WRAP)
    wrap = page.locator("#own-name")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("role", "region")
    expect(wrap).to_have_attribute("aria-label", "Eget namn")
    page.set_viewport_size({"width": 1600, "height": 900})
    wrap.evaluate("e => { e.querySelector('table').style.minWidth = '0'; }")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    expect(wrap).not_to_have_attribute("tabindex", "0")
    expect(wrap).not_to_have_attribute("role", "region")
    expect(wrap).to_have_attribute("aria-label", "Eget namn")
