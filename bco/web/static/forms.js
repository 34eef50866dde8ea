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
}());
