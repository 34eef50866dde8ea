/* Every page: the browser's own complaint about a field ("Please fill out this field", in the
   browser's language) replaced by ours, in the page's language. The texts come from data
   attributes of <body>, so no inline script is needed (CSP). The server checks every field
   again and says the same. */
(function () {
  "use strict";

  function texts() {
    return document.body ? document.body.dataset : {};
  }

  function messageFor(field) {
    var t = texts();
    var v = field.validity;
    if (v.valueMissing) {
      return field.tagName === "SELECT" ? t.msgChoose : t.msgRequired;
    }
    if (v.typeMismatch && field.type === "email") { return t.msgEmail; }
    if (v.badInput) { return t.msgBadInput; }
    if (v.rangeOverflow || v.rangeUnderflow) { return t.msgRange; }
    if (v.tooLong) { return t.msgTooLong; }
    return t.msgInvalid;
  }

  // Fires on each invalid field when a form is sent (or reportValidity is called).
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement ||
          field instanceof HTMLTextAreaElement)) { return; }
    field.setCustomValidity("");
    if (!field.validity.valid) {
      field.setCustomValidity(messageFor(field) || "");
    }
  }, true);

  // A custom message makes a field invalid until cleared: clear it as soon as it changes.
  function clear(event) {
    var field = event.target;
    if (field && typeof field.setCustomValidity === "function") { field.setCustomValidity(""); }
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);

  // A date field shows its day the way the browser's locale writes dates ("12/05/2026" in an
  // English browser on a Dutch page); beside it, the day in words in the page's language
  // ("zaterdag 5 december 2026") leaves no doubt which day it is.
  function words(input) {
    var next = input.nextElementSibling;
    var shown = next && next.classList.contains("date-words") ? next : null;
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
    if (!match) {
      if (shown) { shown.textContent = ""; }
      return;
    }
    if (!shown) {
      shown = document.createElement("span");
      shown.className = "date-words";
      input.insertAdjacentElement("afterend", shown);
    }
    var day = new Date(2000, 0, 1);
    day.setFullYear(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    shown.textContent = day.toLocaleDateString(document.documentElement.lang || undefined,
      {weekday: "long", day: "numeric", month: "long", year: "numeric"});
  }

  function allWords(root) {
    if (!root || typeof root.querySelectorAll !== "function") { return; }
    root.querySelectorAll("input[type=date]").forEach(words);
  }

  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLInputElement && event.target.type === "date") {
      words(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { allWords(document); });
  document.addEventListener("htmx:load", function (event) { allWords(event.target); });

  // "Copy" buttons (the self-report link and its message): shown only where the browser can
  // copy; without them the text is selected by hand from its read-only field.
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) { return; }
        source.select();
        navigator.clipboard.writeText(source.value).then(function () {
          button.textContent = button.dataset.copied || button.textContent;
        });
      });
    });
  });
}());
