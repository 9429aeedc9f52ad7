/* JämKoll's page script (no inline script: the Content-Security-Policy allows 'self' only;
   scrolling tables are made keyboard regions by tables.js).
   1. A form's error summary gets the focus when the page loads, so that a screen reader reads it
      and the page shows it, not the top of a long page; its links move the focus to their field.
   2. The main menu collapses under a button on a narrow screen.
   3. A form whose first button is a search (the activity search inside a form, a national year)
      saves with Enter from its other one-line fields: Enter presses the button marked
      data-default-submit, as it would in a form without the search. Enter in the search box
      searches. Without the script, Enter searches from any field: nothing is lost or saved. */
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
    document.querySelectorAll("button[data-default-submit]").forEach(function (button) {
      var form = button.form;
      if (!form) { return; }
      form.addEventListener("keydown", function (event) {
        var field = event.target;
        if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) { return; }
        if (field.tagName !== "INPUT" || field.type === "search" || field.form !== form) { return; }
        if (["checkbox", "radio", "button", "submit", "reset", "file"].indexOf(field.type) !== -1) { return; }
        event.preventDefault();
        button.click();
      });
    });
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
