// Keyboard access to tables and charts that scroll (WCAG 2.1.1, axe-core's
// scrollable-region-focusable). A chart's `figure.chart-box` scrolls on a narrow screen (its bars
// keep a readable size): it joins the tab order the same way, as a figure named by its caption.
//
// A `.table-wrap` that is wider (or taller) than its room scrolls; one without a link or a field
// inside cannot be reached from the keyboard. Such a wrap becomes a named region in the tab order
// (tabindex="0", role="region", labelled by the table's caption or the heading before it), and
// stops being one when the window grows and it no longer scrolls. Markup that already makes a
// wrap focusable (the reports' tables) is left alone. Runs on load, on resize and after an htmx swap.
(function () {
  "use strict";
  var MARK = "data-scroll-region";

  function headingBefore(node) {
    for (var el = node; el && el.tagName !== "MAIN" && el !== document.body; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev;
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1];
      }
    }
    return null;
  }

  function name(wrap) {
    var caption = wrap.querySelector("caption");
    var source = caption || headingBefore(wrap);
    var text = source ? source.textContent.replace(/\s+/g, " ").trim() : "";
    if (text) return text;
    return (document.documentElement.lang || "sv").indexOf("en") === 0 ? "Table" : "Tabell";
  }

  function update() {
    var wraps = document.querySelectorAll(".table-wrap, .chart-box");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var ours = wrap.hasAttribute(MARK);
      if (!ours && wrap.hasAttribute("tabindex")) continue;
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
      // A chart's figure keeps its role and its name (the figcaption); it only joins the tab order.
      var figure = wrap.tagName === "FIGURE";
      if (scrolls && !ours) {
        // MARK lists the attributes added here, so that only those are taken away again (a
        // figure keeps its own role; a name the markup gave stays).
        var added = ["tabindex"];
        wrap.setAttribute("tabindex", "0");
        if (!figure) {
          if (!wrap.hasAttribute("role")) {
            wrap.setAttribute("role", "region");
            added.push("role");
          }
          if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
            wrap.setAttribute("aria-label", name(wrap));
            added.push("aria-label");
          }
        }
        wrap.setAttribute(MARK, added.join(" "));
      } else if (!scrolls && ours) {
        var names = (wrap.getAttribute(MARK) || "").split(" ");
        for (var n = 0; n < names.length; n++) {
          if (names[n]) wrap.removeAttribute(names[n]);
        }
        wrap.removeAttribute(MARK);
      }
    }
  }

  var pending = null;
  function later() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(update, 150);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("toggle", later, true); // a table inside a <details> that opens
})();
