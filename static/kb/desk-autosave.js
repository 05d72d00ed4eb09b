/*
 * Autosave of a draft in the desk's revision form, and a warning before leaving the page
 * with unsaved changes.
 *
 * A few seconds after the author stops typing, the whole form is posted (with its CSRF
 * token) to the autosave endpoint, which checks it through the same optimistic lock as
 * the Save button (kb/admin/autosave.py). On success the page takes the new lock version,
 * so its next save or autosave starts from it. When someone else saved first, the server
 * answers 409 with who and when: the message is shown, autosave stops and nothing is
 * overwritten. Adding or removing a section waits for the Save button.
 *
 * Progressive enhancement: without this file, Save keeps working and a stale save gets
 * the same conflict message. No inline script (CSP).
 */
(function () {
  "use strict";

  var configNode = document.getElementById("desk-writing-config");
  var form = document.getElementById("revision_form");
  if (!configNode || !form || !window.fetch || !window.FormData) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  if (!config.autosave) {
    return;
  }
  var DELAY = Number(config.autosaveDelay || 3000); // ms of quiet before saving
  var version = form.querySelector("input[name=opened_version]");
  var dirty = false;
  var edits = 0; // counts edits, so one made while a save is in flight stays unsaved
  var saving = false;
  var stopped = false;
  var submitting = false;
  var timer = null;

  var status = document.createElement("p");
  status.className = "autosave-status";
  status.setAttribute("role", "status");
  status.textContent = "Changes are saved automatically a few seconds after you stop typing.";
  var conflict = document.createElement("div");
  conflict.className = "errornote autosave-conflict";
  conflict.setAttribute("role", "alert");
  conflict.hidden = true;
  var bar = document.createElement("div");
  bar.className = "autosave-bar"; // stays in view while the author scrolls (CSS sticky)
  bar.append(status, conflict);
  form.prepend(bar);

  function sectionsAddedOrRemoved() {
    var total = form.querySelector("input[name=sections-TOTAL_FORMS]");
    var initial = form.querySelector("input[name=sections-INITIAL_FORMS]");
    var deleting = form.querySelector("input[name$='-DELETE']:checked");
    if (deleting) {
      return true;
    }
    if (!total || !initial) {
      return false;
    }
    // The form always offers one blank section (for adding without JavaScript): only a new
    // section with a heading or text counts as added, as on the server (kb/admin/sections.py).
    for (var i = Number(initial.value); i < Number(total.value); i++) {
      var heading = form.querySelector("[name='sections-" + i + "-heading']");
      var body = form.querySelector("[name='sections-" + i + "-body']");
      if ((heading && heading.value.trim()) || (body && body.value.trim())) {
        return true;
      }
    }
    return false;
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!stopped) {
      timer = window.setTimeout(save, DELAY);
    }
  }

  function save() {
    if (!dirty || stopped || submitting) {
      return;
    }
    if (saving) {
      schedule();
      return;
    }
    if (sectionsAddedOrRemoved()) {
      status.textContent = "Sections were added or removed: press Save to keep them (autosave waits).";
      return;
    }
    saving = true;
    var sent = edits;
    status.textContent = "Saving…";
    fetch(config.autosave, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, ok: response.ok, data: data };
        });
      })
      .then(function (answer) {
        if (answer.ok) {
          version.value = answer.data.version;
          if (edits === sent) {
            dirty = false;
          }
          status.textContent = answer.data.message;
          return;
        }
        if (answer.status === 409) {
          stopped = true;
          conflict.textContent = answer.data.conflict + " Autosave is off on this page.";
          conflict.hidden = false;
          status.textContent = "Not saved.";
          return;
        }
        var problems = answer.data.problems || [];
        status.textContent = [answer.data.error || "Not saved automatically."].concat(problems).join(" ");
      })
      .catch(function () {
        status.textContent = "Not saved automatically: the desk could not be reached. Your text is still here; try Save.";
      })
      .then(function () {
        saving = false;
        if (pendingSubmit) {
          var submitter = pendingSubmit === true ? undefined : pendingSubmit;
          pendingSubmit = null;
          form.requestSubmit(submitter);
          return;
        }
        if (dirty && !stopped && edits !== sent) {
          schedule();
        }
      });
  }

  function changed(event) {
    if (!event.target.name) {
      return; // the citation search and similar helpers are not part of the draft
    }
    dirty = true;
    edits += 1;
    schedule();
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  var pendingSubmit = null;
  form.addEventListener("submit", function (event) {
    if (saving) {
      // An autosave is on its way: send the form once it has answered, with the lock
      // version it returns, or the author's own autosave would make the Save stale.
      event.preventDefault();
      pendingSubmit = event.submitter || true;
      return;
    }
    submitting = true;
    window.clearTimeout(timer);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the dialog
    }
  });
})();
