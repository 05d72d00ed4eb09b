/*
 * Live preview beside the revision form: a moment after the author stops typing, the
 * whole form (with its CSRF token) is posted to the desk's live-preview endpoint
 * (kb/admin/live_preview.py), which renders the unsaved text with the public page's
 * template and renderer and saves nothing. The page is shown in a frame (so the site's own
 * styles and its phone layout apply, apart from the desk's), and each section's
 * readability scores in the form are replaced with those of the text as typed.
 *
 * Wide screens show the panel beside the form; narrower ones keep it in a bar at the
 * bottom of the window that opens and closes ("Show preview"). "Phone width" narrows the
 * frame to 375 px. Links inside the preview do not navigate: in-page links scroll.
 *
 * Progressive enhancement: without this file the panel stays hidden and the "Preview"
 * link still opens the full-page preview of the saved text. No inline script (CSP).
 */
(function () {
  "use strict";

  var DELAY = 600; // ms of quiet typing before the preview is asked for
  var panel = document.getElementById("desk-live-preview");
  var form = document.getElementById("revision_form");
  if (!panel || !form || !window.fetch || !window.FormData) {
    return;
  }
  var content = document.getElementById("content");
  // The frame is made here, not in the template: the page as served holds no <iframe>,
  // and it exists only where this script runs to fill it.
  var frame = document.createElement("iframe");
  frame.className = "desk-preview-frame";
  frame.title = "Live preview of the public page, not saved";
  document.getElementById("desk-preview-body").appendChild(frame);
  var status = panel.querySelector(".desk-preview-status");
  var toggle = panel.querySelector(".desk-preview-toggle");
  var phone = panel.querySelector(".desk-preview-phone");
  var url = panel.getAttribute("data-url");
  var timer = null;
  var controller = null;
  var sequence = 0;
  var scrollY = 0;

  panel.hidden = false;
  if (content) {
    content.classList.add("desk-split");
  }

  function say(text) {
    status.textContent = text;
  }

  function time() {
    // 24-hour clock, as the autosave status shows it.
    return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  function showReadability(parts) {
    Object.keys(parts || {}).forEach(function (prefix) {
      var row = document.getElementById(prefix);
      var box = row ? row.querySelector(".field-readability_report .readonly") : null;
      if (box) {
        box.innerHTML = parts[prefix]; // rendered and escaped by the server's template
      }
    });
  }

  function show(answer) {
    var view = frame.contentWindow;
    scrollY = view && view.document && view.document.documentElement ? view.scrollY : 0;
    frame.srcdoc = answer.html;
    showReadability(answer.readability);
    panel.setAttribute("data-updated", String(sequence));
    say("Preview updated at " + time() + ". Not saved.");
  }

  function refresh() {
    var mine = ++sequence;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            throw new Error(answer.error || "The preview could not be made (" + response.status + ").");
          }
          return answer;
        }, function () {
          throw new Error("The preview could not be made (" + response.status + "). Is your session still open?");
        });
      })
      .then(function (answer) {
        if (mine === sequence) {
          show(answer);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && mine === sequence) {
          say(error.message + " Your text is not affected; save as usual.");
        }
      });
  }

  function schedule(event) {
    if (event && event.target && event.target.closest && event.target.closest("#desk-live-preview")) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY);
  }

  frame.addEventListener("load", function () {
    var doc = frame.contentDocument;
    if (!doc) {
      return;
    }
    if (scrollY) {
      frame.contentWindow.scrollTo(0, scrollY);
    }
    doc.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link) {
        return;
      }
      event.preventDefault();
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#") {
        var target = doc.getElementById(decodeURIComponent(href.slice(1)));
        if (target) {
          target.scrollIntoView();
        }
      }
    });
  });

  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide preview" : "Show preview";
    panel.classList.toggle("open", open);
  });

  phone.addEventListener("click", function () {
    var on = phone.getAttribute("aria-pressed") !== "true";
    phone.setAttribute("aria-pressed", String(on));
    panel.classList.toggle("phone", on);
  });

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  document.addEventListener("formset:added", schedule);
  document.addEventListener("formset:removed", schedule);
  refresh();
})();
