/* JämKoll's page script (no inline script: the Content-Security-Policy allows 'self' only;
   scrolling tables are made keyboard regions by tables.js).
   1. A form's error summary gets the focus when the page loads, so that a screen reader reads it
      and the page shows it, not the top of a long page; its links move the focus to their field.
   2. The main menu collapses under a button on a narrow screen.
   3. A form whose first button is a search (the activity search inside a form, a national year)
      saves with Enter from its other one-line fields: Enter presses the button marked
      data-default-submit, as it would in a form without the search. Enter in the search box
      searches. Without the script, Enter searches from any field: nothing is lost or saved.
   4. Leaving a page asks first (the browser's own question) while a form with free text
      (a textarea) holds what was not saved: typed or chosen since the page came (not search
      words), or sent back with an error or by a search (data-unsaved) with something written in
      it. Sending that form itself does not ask; sending another form of the page (a status
      report's new row beside its texts) does. A sending that is cancelled asks again.
   5. A list marked data-restricts narrows another list of its form: the chosen option's
      data-recipients names the values that may go with it, the others are disabled (a ledger
      entry's kind and its level or county); a choice that no longer goes is cleared, never
      replaced. The server checks every pair all the same.
   6. A list marked data-only-with ("kind:expenditure recipient:skr") is chosen only when those
      fields hold those values (a goal area goes with the recipient's own expenditure alone):
      otherwise it is cleared and disabled. A choice the server sent back with its error stays. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  // The one-line fields where Enter sends a form (not the search box: Enter there searches).
  var ONE_LINE = ["text", "email", "number", "tel", "url", "password", "date", "month", "week", "time", "datetime-local"];
  function oneLine(field) { return field.tagName === "INPUT" && ONE_LINE.indexOf(field.type) !== -1; }
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
        // keyCode 229: the Enter that ends an input method's composition (Safari says isComposing false)
        if (event.key !== "Enter" || event.defaultPrevented || event.isComposing || event.keyCode === 229) { return; }
        if (!oneLine(field) || field.form !== form) { return; }
        event.preventDefault();
        button.click();
      });
    });
    var unsaved = [];
    function written(form) {
      return Array.prototype.some.call(form.elements, function (field) {
        return (field.tagName === "TEXTAREA" || oneLine(field)) && field.value.trim() !== "";
      });
    }
    document.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post" || !form.querySelector("textarea")) { return; }
      if (form.querySelector("[data-error-summary], .field-error, [data-unsaved]") && written(form)) { unsaved.push(form); }
      form.addEventListener("input", function (event) {
        if (event.target.type === "search") { return; }  // search words are not the form's content
        if (unsaved.indexOf(form) === -1) { unsaved.push(form); }
      });
    });
    var sending = null;
    document.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) { sending = event.target; }
    });
    window.addEventListener("beforeunload", function (event) {
      var lost = unsaved.filter(function (form) { return form !== sending; });
      sending = null;  // if this leaving is cancelled (Esc, a download), the next one asks again
      if (!lost.length) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers ask only when a value is set
    });
    document.querySelectorAll("select[data-restricts]").forEach(function (select) {
      var other = select.form && select.form.elements.namedItem(select.getAttribute("data-restricts"));
      if (!other || other.tagName !== "SELECT") { return; }
      function narrow(initial) {
        var chosen = select.options[select.selectedIndex];
        var names = chosen && chosen.getAttribute("data-recipients");
        var allowed = names === null || names === undefined ? null : names.split(" ");
        function refused(option) {
          return allowed !== null && option.value !== "" && allowed.indexOf(option.value) === -1;
        }
        var current = other.options[other.selectedIndex];
        // A pair the server sent back (refused, with its reason beside the kind) stays as sent.
        if (initial && current && refused(current)) { return; }
        Array.prototype.forEach.call(other.options, function (option) { option.disabled = refused(option); });
        // A level or county that no longer goes with the kind is not replaced by another one
        // silently (money for a county nobody chose): the list is left without a choice.
        if (current && current.disabled) { other.selectedIndex = -1; }
      }
      select.addEventListener("change", function () { narrow(false); });
      narrow(true);
    });
    document.querySelectorAll("select[data-only-with]").forEach(function (select) {
      var form = select.form;
      if (!form) { return; }
      var needs = select.getAttribute("data-only-with").split(" ").map(function (pair) {
        var at = pair.indexOf(":");
        return { field: form.elements.namedItem(pair.slice(0, at)), value: pair.slice(at + 1) };
      });
      if (needs.some(function (n) { return !n.field || n.field.tagName !== "SELECT"; })) { return; }
      function follow(initial) {
        var ok = needs.every(function (n) { return n.field.value === n.value; });
        // A goal area sent back with the server's error stays as sent, to be seen and changed.
        if (initial && !ok && select.value !== "") { return; }
        if (!ok) { select.value = ""; }
        select.disabled = !ok;
      }
      needs.forEach(function (n) { n.field.addEventListener("change", function () { follow(false); }); });
      follow(true);
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
