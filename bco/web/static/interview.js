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

  // Polling (who else is here) saves nothing: its failures stay quiet and its successes do not
  // clear a problem a save met.
  function isPoll(elt) {
    return elt instanceof Element && /(^|,)\s*every\s/.test(elt.getAttribute("hx-trigger") || "");
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

  // Date fields save when the tracer leaves them or presses Enter, not on each change: a date
  // input fires `change` for every segment typed (0002-11-18, 0020-11-18, ... 2026-11-18) and
  // for each step of an impossible date (31 February passes through 3 February). A date the
  // field cannot give (half-typed, or a day that does not exist) is said next to it, unsaved.
  var AUTOSAVED = "form.answer-form, form.contact-form";

  function isDate(el) {
    return el instanceof HTMLInputElement && el.type === "date";
  }

  function texts() {
    var root = document.getElementById("interview");
    return root ? root.dataset : {};
  }

  function problemBox(input, create) {
    var form = input.form;
    if (!form) { return null; }
    var box = form.querySelector(".date-problem");
    if (box || !create) { return box; }
    box = document.createElement(form.classList.contains("entry-row") ? "p" : "span");
    box.className = "date-problem " + (form.classList.contains("entry-row")
      ? "field-error row-error" : "problem-inline");
    box.setAttribute("role", "alert");
    box.id = (input.id || form.id || "entry") + "-date-problem";
    var status = form.querySelector(".save-status");
    if (status) {
      status.textContent = "";
      status.appendChild(box);
    } else {
      form.appendChild(box);
    }
    return box;
  }

  function showDateProblem(input) {
    var t = texts();
    var message = t.badDate || "";
    if (input.form && input.form.classList.contains("answer-form")) {
      var saved = input.dataset.saved !== undefined ? input.dataset.saved : input.defaultValue;
      message += " " + (saved ? (t.stillSaved || "").replace(
        "__ANSWER__", saved.split("-").reverse().join("-")) : (t.stillOpen || ""));
    }
    var box = problemBox(input, true);
    box.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", box.id);
  }

  function clearDateProblem(input) {
    var box = problemBox(input, false);
    if (box) { box.remove(); }
    if (input.getAttribute("aria-invalid") === "true") {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }

  function commitDate(input) {
    var form = input.closest(AUTOSAVED);
    if (!form || input.disabled) { return; }
    if (input.validity.badInput) { showDateProblem(input); return; }
    var last = input.dataset.sent !== undefined ? input.dataset.sent : input.defaultValue;
    if (input.value === last) { return; }
    input.dataset.sent = input.value;
    // A form just redrawn is wired up by htmx only when it settles; make sure it listens.
    if (window.htmx) { window.htmx.process(form); }
    form.dispatchEvent(new CustomEvent("bco-commit"));
  }

  document.addEventListener("change", function (event) {
    if (isDate(event.target) && event.target.closest(AUTOSAVED)) { event.stopPropagation(); }
  }, true);

  document.addEventListener("focusout", function (event) {
    if (isDate(event.target)) { commitDate(event.target); }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (isDate(target) && !target.validity.badInput) { clearDateProblem(target); }
  });

  // Any save from a form whose date field holds a date it cannot give waits for that date:
  // sent as it is, the day would be cleared or an older one kept without a word.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var form = elt instanceof Element ? elt.closest("form") : null;
    if (!form) { return; }
    var bad = Array.prototype.find.call(form.querySelectorAll("input[type=date]"), function (input) {
      return input.validity.badInput;
    });
    if (bad) {
      event.preventDefault();
      showDateProblem(bad);
      bad.focus();
    }
  });

  // What a date field last saved, so its problem can say what is still saved; a failed save may
  // be sent again as it is.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!(elt instanceof HTMLFormElement)) { return; }
    elt.querySelectorAll("input[type=date]").forEach(function (input) {
      input.dataset.sending = input.value;
    });
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!(elt instanceof HTMLFormElement)) { return; }
    // Not detail.successful: refusals are swapped in as content (htmx:beforeSwap above).
    var xhr = event.detail.xhr;
    var ok = xhr && xhr.status >= 200 && xhr.status < 300;
    elt.querySelectorAll("input[type=date]").forEach(function (input) {
      if (ok) { input.dataset.saved = input.dataset.sending || ""; } else { delete input.dataset.sent; }
    });
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
      if (isDate(target)) {
        commitDate(target);
        if (target.validity.badInput) { return; }  // stay on the date to correct it
      }
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

  // Links to a step (completeness, timeline) open the folded section it is in and focus its
  // first field; a contact card's details open only when nothing to fill is in the open.
  var FIELD = "input:not([type=hidden]):not([disabled]), select, textarea, button";
  function firstShown(root) {
    return Array.prototype.find.call(root.querySelectorAll(FIELD), function (el) {
      return el.offsetParent !== null;
    });
  }

  function reveal(hash) {
    if (!hash || hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) { return; }
    var around = target.closest("details");
    if (around) { around.open = true; }
    // A link to one field (a contact's day of last contact) focuses that field itself.
    var field = target.matches(FIELD) ? target : firstShown(target);
    var details = target.querySelector("details");
    if (details && !field) {
      details.open = true;
      field = firstShown(details);
    }
    target.scrollIntoView({block: "start"});
    if (field) { field.focus({preventScroll: true}); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[href^='#step-'], a[href^='#c-']") : null;
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
      var fold = step.closest("details.section-fold");
      if (fold) { fold.open = true; }
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
  // Opening an interview under way lands on the step the guide is at, not on the top; a page
  // that came back with something to answer first (a refusal, a confirmation) keeps its focus.
  document.addEventListener("DOMContentLoaded", function () {
    markCurrent();
    var land = texts().land;
    if (location.hash) {
      reveal(location.hash);
    } else if (land && !document.querySelector("#interview [autofocus]")) {
      reveal("#" + land);
    }
  });
}());
