/* JämKoll's page script (no inline script: the Content-Security-Policy allows 'self' only;
   scrolling tables are made keyboard regions by tables.js).
   1. A form's error summary gets the focus when the page loads, so that a screen reader reads it
      and the page shows it, not the top of a long page; its links move the focus to their field.
   2. The main menu collapses under a button on a narrow screen. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
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
