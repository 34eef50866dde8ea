/* Interview screen: keyboard flow and showing refusals next to the field (no inline JS: CSP). */
(function () {
  "use strict";

  // Refusals and failures carry a message; htmx would drop them by default, and a save would
  // fail silently. 409 (someone else changed it) and 422 (refused input) mostly come as a
  // fragment made for the request's target, next to the field. 400 (form expired), 401 (signed
  // out), 403, 404 and 500 come as the generic problem block (error_fragment.html), as does a
  // refusal from a view without such a fragment: swapped into the target, that block could
  // replace a form and what was typed in it, so it goes to the banner instead.
  var SHOWN = [400, 401, 403, 404, 409, 422, 500];

  function isProblemBlock(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = typeof html === "string" ? html : "";
    var root = parsed.content.firstElementChild;
    return parsed.content.childElementCount === 1 && root.matches("div.problem[data-status]");
  }

  // Polling (who else is here) and the side panels' refresh after a save (data-background)
  // save nothing: their failures stay quiet and their successes do not clear a problem a save met.
  function isPoll(elt) {
    return elt instanceof Element && (elt.hasAttribute("data-background") ||
      /(^|,)\s*every\s/.test(elt.getAttribute("hx-trigger") || ""));
  }

  function banner() {
    var region = document.getElementById("htmx-problem");
    if (!region) {
      region = document.createElement("div");
      region.id = "htmx-problem";
      region.className = "htmx-problem";
      document.body.appendChild(region);
    }
    return region;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (SHOWN.indexOf(detail.xhr.status) < 0 || isPoll(detail.elt)) { return; }
    detail.shouldSwap = true;
    detail.isError = false;
    if (isProblemBlock(detail.serverResponse)) {
      detail.target = banner();
      detail.swapOverride = "innerHTML";
    }
  });

  // The banner stays until a later request goes through (e.g. after signing in again).
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("htmx-problem");
    var xhr = event.detail.xhr;
    if (region && xhr && xhr.status >= 200 && xhr.status < 400 && !isPoll(event.detail.elt)) {
      region.textContent = "";
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

  // The completeness list is redrawn after saves; keep "show more" open if it was.
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
