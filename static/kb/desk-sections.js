/* desk-sections.js: the sections of the revision form, made easier with JavaScript.
 *
 * - "Move up" / "Move down" buttons on each section move it in the page and renumber every
 *   section's "Order" field (10, 20, 30 …); the server keeps that order when saving. The
 *   move is announced to screen readers and keeps the focus on the button pressed.
 * - A section added with "Add another Section" goes at the end: it gets the number after
 *   the highest and proposes the first kind, in the usual order, that no section has yet.
 * - Ticking "Delete" on a section asks once for confirmation; cancelling unticks it.
 *
 * Without JavaScript the same form works: the "Order" numbers and the "Delete" boxes do the
 * same, and kb/admin/sections.py settles the order on the server.
 */
(function () {
  "use strict";

  var PREFIX = "sections";
  var STEP = 10;
  var USUAL_ORDER = [
    "overview", "symptoms", "causes", "diagnosis", "treatment", "prognosis",
    "when_to_get_help"
  ];

  function group() {
    return document.getElementById(PREFIX + "-group");
  }

  function rows() {
    var g = group();
    if (!g) { return []; }
    return Array.prototype.filter.call(
      g.querySelectorAll(".inline-related"),
      function (row) { return !row.classList.contains("empty-form"); }
    );
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function title(row) {
    var heading = field(row, "heading");
    if (heading && heading.value.trim()) { return heading.value.trim(); }
    var label = row.querySelector("h3 .inline_label");
    return label ? label.textContent.trim() : "section";
  }

  function announce(text) {
    var live = document.getElementById("kb-sections-status");
    if (live) {
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 50);
    }
  }

  function renumber() {
    rows().forEach(function (row, index) {
      var position = field(row, "position");
      if (position) { position.value = String((index + 1) * STEP); }
    });
    refreshButtons();
  }

  function refreshButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      var name = title(row);
      var up = row.querySelector(".kb-move-up");
      var down = row.querySelector(".kb-move-down");
      if (!up || !down) { return; }
      up.disabled = index === 0;
      down.disabled = index === all.length - 1;
      up.setAttribute("aria-label", "Move “" + name + "” up");
      down.setAttribute("aria-label", "Move “" + name + "” down");
    });
  }

  function move(row, direction) {
    var all = rows();
    var index = all.indexOf(row);
    var target = all[index + direction];
    if (!target) { return; }
    if (direction < 0) {
      target.parentNode.insertBefore(row, target);
    } else {
      target.parentNode.insertBefore(row, target.nextSibling);
    }
    renumber();
    var now = rows().indexOf(row);
    announce("“" + title(row) + "” is now section " + (now + 1) + " of " + all.length + ".");
    var button = row.querySelector(direction < 0 ? ".kb-move-up" : ".kb-move-down");
    if (button && button.disabled) {
      button = row.querySelector(direction < 0 ? ".kb-move-down" : ".kb-move-up");
    }
    if (button) { button.focus(); }
  }

  function addButtons(row) {
    var heading = row.querySelector("h3");
    // Read-only sections (an approved revision) have no order to change.
    if (!heading || !field(row, "position") || row.querySelector(".kb-move")) { return; }
    var box = document.createElement("span");
    box.className = "kb-move";
    [["kb-move-up", "↑ Up", -1], ["kb-move-down", "↓ Down", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button " + spec[0];
      button.textContent = spec[1];
      button.addEventListener("click", function () { move(row, spec[2]); });
      box.appendChild(button);
    });
    heading.appendChild(box);
  }

  function nextKind() {
    var used = rows().map(function (row) {
      var kind = field(row, "kind");
      return kind ? kind.value : "";
    });
    for (var i = 0; i < USUAL_ORDER.length; i++) {
      if (used.indexOf(USUAL_ORDER[i]) === -1) { return USUAL_ORDER[i]; }
    }
    return "custom";
  }

  function onAdded(row) {
    var kind = field(row, "kind");
    // Proposed before the new row counts among the used kinds.
    if (kind) {
      kind.value = "";
      kind.value = nextKind();
    }
    // After the last section, leaving the numbers the author typed elsewhere alone.
    var position = field(row, "position");
    if (position) {
      var highest = rows().reduce(function (top, other) {
        var input = field(other, "position");
        var value = other === row || !input ? NaN : parseInt(input.value, 10);
        return isNaN(value) ? top : Math.max(top, value);
      }, 0);
      position.value = String(highest + STEP);
    }
    addButtons(row);
    refreshButtons();
  }

  function confirmDelete(event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][name$='-DELETE']")) { return; }
    if (!box.checked) { return; }
    var row = box.closest(".inline-related");
    var name = row ? title(row) : "this section";
    if (!window.confirm("Remove “" + name + "” from this revision when you save?")) {
      box.checked = false;
    }
  }


  function start() {
    var g = group();
    if (!g) { return; }
    var live = document.createElement("p");
    live.id = "kb-sections-status";
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    g.appendChild(live);
    rows().forEach(addButtons);
    refreshButtons();
    g.addEventListener("change", confirmDelete);
    g.addEventListener("input", function (event) {
      if (event.target.name && /-heading$/.test(event.target.name)) { refreshButtons(); }
    });
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName === PREFIX) { onAdded(event.target); }
    });
    // Django re-indexes the forms in page order when an added one is removed: put them
    // back in index order first, so a moved section keeps its own fields.
    g.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest(".inline-deletelink")) { sortByIndex(); }
    }, true);
    document.addEventListener("formset:removed", function (event) {
      if (event.detail && event.detail.formsetName === PREFIX) { sortByPosition(); }
    });
  }

  function index(row) {
    var match = /-(\d+)$/.exec(row.id || "");
    return match ? parseInt(match[1], 10) : 0;
  }

  function reorder(key) {
    var all = rows();
    if (!all.length) { return; }
    var parent = all[0].parentNode;
    var anchor = parent.querySelector(".empty-form");
    all.sort(function (a, b) { return key(a) - key(b); }).forEach(function (row) {
      parent.insertBefore(row, anchor);
    });
  }

  function sortByIndex() {
    reorder(index);
  }

  function sortByPosition() {
    reorder(function (row) {
      var position = field(row, "position");
      return position ? parseInt(position.value || "0", 10) : 0;
    });
    refreshButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
