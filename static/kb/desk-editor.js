/*
 * Markdown help on each section body of the revision form: a formatting toolbar,
 * keyboard shortcuts (Ctrl+B bold, Ctrl+I italic, Ctrl+K link; Cmd on a Mac) and a live
 * word and character count.
 *
 * Why this and not a full editor (EasyMDE, SimpleMDE, TinyMDE): those replace the
 * textarea with their own editing surface, which loses the browser's spell checker, undo
 * and screen-reader support for a plain text field, and hides the textarea from the other
 * desk scripts (live preview, citations). The basic formats come from the vendored MIT
 * <markdown-toolbar> element (static/kb/vendor/markdown-toolbar-element/, GitHub's, used
 * on github.com), which edits the plain <textarea> in place and manages toolbar focus as
 * the WAI-ARIA toolbar pattern advises; this file adds the buttons the site's Markdown
 * needs beyond it (table, callout boxes), the shortcuts and the count. Citations have one
 * entry point, the picker under each box (desk-citations.js), not a second toolbar button.
 *
 * Progressive enhancement: without JavaScript the textarea works as before. No inline
 * script or style (CSP). Every button is a real <button> with a visible name.
 */
(function () {
  "use strict";

  var CALLOUTS = [
    ["urgent", "Urgent advice"],
    ["emergency", "Immediate action required (999)"],
    ["non-urgent", "Non-urgent advice"],
    ["info", "Information"]
  ];
  var BUTTONS = [
    ["header-3", "Heading", ""],
    ["bold", "Bold", "Control+B"],
    ["italic", "Italic", "Control+I"],
    ["unordered-list", "Bulleted list", ""],
    ["ordered-list", "Numbered list", ""],
    ["link", "Link", "Control+K"],
    ["desk-table", "Table", ""]
  ];  // citing: the "Cite…" picker under each box (desk-citations.js), the one way in
  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };
  var MAC = /Mac|iPhone|iPad/.test(navigator.platform || "");

  function bodies(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("textarea[name^='sections-'][name$='-body']"),
      function (area) { return area.name.indexOf("__prefix__") === -1; }
    );
  }

  /* Insert text in place of the selection, through the browser's editing so that Undo
   * works and an "input" event fires (the count and the live preview listen for it). */
  function insert(area, text, selectFrom, selectTo) {
    var start = area.selectionStart;
    area.focus();
    var done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (e) {
      done = false;
    }
    if (!done) {
      area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  /* Blocks (tables, boxes) need a blank line before and after to be read as blocks. */
  function asBlock(area, block) {
    var before = area.value.slice(0, area.selectionStart);
    var after = area.value.slice(area.selectionEnd);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    return { text: lead + block + tail, offset: lead.length };
  }

  function insertTable(area) {
    var block = asBlock(area, "| Column 1 | Column 2 |\n| --- | --- |\n| Text | Text |");
    insert(area, block.text, block.offset + 2, block.offset + 10);
  }

  function insertCallout(area, kind) {
    var selected = area.value.slice(area.selectionStart, area.selectionEnd);
    var head = "::: " + kind + " ";
    var block = asBlock(area, head + "Title\n" + (selected || "What to do") + "\n:::");
    insert(area, block.text, block.offset + head.length, block.offset + head.length + 5);
  }

  function button(label, action, shortcut) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "desk-tool";
    b.textContent = label;
    b.setAttribute("data-md-button", action);
    if (shortcut) {
      b.setAttribute("aria-keyshortcuts", shortcut);
      b.title = label + " (" + shortcut.replace("Control", MAC ? "Cmd" : "Ctrl") + ")";
    }
    return b;
  }

  function calloutMenu(area, id) {
    var wrap = document.createElement("span");
    wrap.className = "desk-callout";
    var trigger = button("Callout box", "desk-callout-menu", "");
    trigger.setAttribute("aria-expanded", "false");
    trigger.setAttribute("aria-controls", id);
    var menu = document.createElement("span");
    menu.id = id;
    menu.className = "desk-callout-menu";
    menu.hidden = true;
    CALLOUTS.forEach(function (pair) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "desk-tool desk-callout-" + pair[0];
      item.textContent = pair[1];
      item.addEventListener("click", function () {
        close();
        insertCallout(area, pair[0]);
      });
      menu.appendChild(item);
    });
    function close() {
      menu.hidden = true;
      trigger.setAttribute("aria-expanded", "false");
    }
    trigger.addEventListener("click", function () {
      var open = menu.hidden;
      menu.hidden = !open;
      trigger.setAttribute("aria-expanded", String(open));
      if (open) {
        menu.firstChild.focus();
      }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        trigger.focus();
      }
    });
    wrap.appendChild(trigger);
    wrap.appendChild(menu);
    return wrap;
  }

  function words(text) {
    var found = text.match(/[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’-]*/g);
    return found ? found.length : 0;
  }

  function enhance(area) {
    if (area.getAttribute("data-desk-editor")) {
      return;
    }
    area.setAttribute("data-desk-editor", "on");
    var row = area.closest(".inline-related");
    var headingInput = row ? row.querySelector("input[name$='-heading']") : null;
    var name = headingInput && headingInput.value ? headingInput.value : "this section";

    var toolbar = document.createElement("markdown-toolbar");
    toolbar.setAttribute("for", area.id);
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting for the text of " + name);
    toolbar.setAttribute("aria-controls", area.id);
    toolbar.className = "desk-toolbar";
    BUTTONS.forEach(function (spec) {
      toolbar.appendChild(button(spec[1], spec[0], spec[2]));
    });
    toolbar.appendChild(calloutMenu(area, area.id + "-callouts"));
    toolbar.addEventListener("click", function (event) {
      var target = event.target.closest("[data-md-button]");
      if (!target) {
        return;
      }
      var action = target.getAttribute("data-md-button");
      if (action === "desk-table") {
        insertTable(area);
      }
    });

    var count = document.createElement("p");
    count.className = "desk-count";
    count.id = area.id + "-count";
    function recount() {
      var n = words(area.value);
      count.textContent = n + (n === 1 ? " word, " : " words, ") + area.value.length +
        (area.value.length === 1 ? " character" : " characters");
    }
    recount();
    area.addEventListener("input", recount);

    area.addEventListener("keydown", function (event) {
      var mod = MAC ? event.metaKey : event.ctrlKey;
      var action = SHORTCUTS[(event.key || "").toLowerCase()];
      if (!mod || event.altKey || event.shiftKey || !action) {
        return;
      }
      var target = toolbar.querySelector("[data-md-button='" + action + "']");
      if (target) {
        event.preventDefault();
        target.click();
      }
    });

    // One block for toolbar, text and count, so the admin's label-beside-field row lays
    // them out as one field (the toolbar above the text, the count below).
    var editor = document.createElement("div");
    editor.className = "desk-editor";
    area.parentNode.insertBefore(editor, area);
    editor.appendChild(toolbar);
    editor.appendChild(area);
    editor.appendChild(count);
    var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(count.id);
    area.setAttribute("aria-describedby", described.join(" "));
    area.classList.add("desk-editor-text");
  }

  bodies(document).forEach(enhance);
  document.addEventListener("formset:added", function (event) {
    bodies(event.target).forEach(enhance);
  });
})();
