/* JämKoll's only script (no inline script: the Content-Security-Policy allows 'self' only).
   1. A form's error summary gets the focus when the page loads, so that a screen reader reads it
      and the page shows it, not the top of a long page; its links move the focus to their field.
   2. The main menu collapses under a button on a narrow screen.
   3. A table wider than its container scrolls inside it; the container becomes a named, focusable
      region, so that a keyboard can scroll it too (templates may already say so themselves). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function headingBefore(node) {
    for (var el = node; el && el !== document.body; el = el.parentElement) {
      for (var sib = el.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (/^H[1-4]$/.test(sib.tagName)) { return sib.textContent; }
      }
    }
    return "";
  }
  function scrollRegions() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.hasAttribute("tabindex") || wrap.scrollWidth <= wrap.clientWidth) { return; }
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
        var caption = wrap.querySelector("caption");
        var label = (caption ? caption.textContent : "") || headingBefore(wrap) || document.title;
        wrap.setAttribute("aria-label", label.replace(/\s+/g, " ").trim());
      }
    });
  }
  ready(function () {
    scrollRegions();
    var resizing;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(scrollRegions, 200);
    });
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      var details = summary.closest("details");
      if (details) { details.open = true; }
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) { return; }
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (field) {
          event.preventDefault();
          field.focus();
          field.scrollIntoView({ block: "center" });
        }
      });
    }
    var toggle = document.querySelector("[data-menu-toggle]");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (toggle && menu) {
      toggle.hidden = false;
      document.documentElement.classList.add("js-menu");
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") === "true";
        toggle.setAttribute("aria-expanded", open ? "false" : "true");
        menu.classList.toggle("open", !open);
      });
    }
  });
})();
