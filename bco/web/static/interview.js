/* Interview screen: keyboard flow and showing refusals next to the field (no inline JS: CSP). */
(function () {
  "use strict";

  // 409 (someone else changed it) and 422 (refused input) carry a message for next to the
  // field; htmx would drop them by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function fields() {
    var guide = document.getElementById("guide");
    if (!guide) { return []; }
    return Array.prototype.filter.call(
      guide.querySelectorAll("input:not([type=hidden]), select, textarea, button, a.button"),
      function (el) { return !el.disabled && el.offsetParent !== null; });
  }

  // Enter in a question saves it (the change event) and moves on to the next step.
  function focusNext(from) {
    var all = fields();
    var form = from.closest("form");
    var start = all.indexOf(from);
    for (var i = start + 1; i < all.length; i += 1) {
      if (all[i].closest("form") !== form) { all[i].focus(); return; }
    }
    from.blur();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.shiftKey) { return; }
    var target = event.target;
    if (!(target instanceof HTMLElement)) { return; }
    if (target.tagName === "TEXTAREA" || target.tagName === "BUTTON" || target.tagName === "A") {
      return;
    }
    var row = target.closest("form.entry-row");
    if (row) {
      // Text fields submit the line natively; do the same from the select and the checkbox.
      if (target.tagName === "SELECT" || target.type === "checkbox") {
        event.preventDefault();
        row.requestSubmit();
      }
      return;
    }
    if (target.closest("form.answer-form") || target.closest("form.contact-form")) {
      event.preventDefault();
      focusNext(target);
    }
  });

  // Ctrl+Enter in a textarea answer does the same as Enter elsewhere.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && event.ctrlKey && target instanceof HTMLTextAreaElement &&
        target.closest("form.answer-form")) {
      event.preventDefault();
      focusNext(target);
    }
  });

  // Links to a step (completeness, timeline) open a closed contact card and focus its field.
  function reveal(hash) {
    if (!hash || hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) { return; }
    var details = target.querySelector("details") || target.closest("details");
    if (details) { details.open = true; }
    var field = target.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button");
    target.scrollIntoView({block: "center"});
    if (field) { field.focus({preventScroll: true}); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[href^='#step-']") : null;
    if (link) {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
      reveal(link.getAttribute("href"));
    }
  });
  window.addEventListener("hashchange", function () { reveal(location.hash); });

  // Mark the step the guide proposes now, and its section.
  function markCurrent() {
    var now = document.getElementById("now");
    var anchor = now ? now.getAttribute("data-anchor") : "";
    document.querySelectorAll(".step.current").forEach(function (el) { el.classList.remove("current"); });
    document.querySelectorAll(".section.current-section").forEach(function (el) { el.classList.remove("current-section"); });
    var step = anchor ? document.getElementById(anchor) : null;
    if (step) {
      step.classList.add("current");
      var section = step.closest(".section");
      if (section) { section.classList.add("current-section"); section.hidden = false; }
    }
    // A section becomes visible once it has something to ask.
    document.querySelectorAll(".section[hidden]").forEach(function (section) {
      if (section.querySelector(".question:not([hidden]), .probe-head:not([hidden])")) { section.hidden = false; }
    });
  }

  // The completeness list is redrawn after each answer; keep "show more" open if it was.
  var moreOpen = false;
  document.addEventListener("toggle", function (event) {
    if (event.target instanceof Element && event.target.classList.contains("more-missing")) {
      moreOpen = event.target.open;
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function () {
    var more = document.querySelector("details.more-missing");
    if (more && moreOpen) { more.open = true; }
    markCurrent();
  });
  document.addEventListener("DOMContentLoaded", function () {
    markCurrent();
    if (location.hash) { reveal(location.hash); }
  });
}());
