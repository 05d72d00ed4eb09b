/*
 * Report a passage: select words in a section of the article, then press Ctrl+Enter
 * (Cmd+Enter on a Mac) or the "Report this passage" button that appears below them, to
 * open the report form with the words and their section filled in
 * (?passage=…&section=<anchor>, added to the page's "Report an inaccuracy" link, which
 * already names the revision shown).
 *
 * Progressive enhancement: without this file the link opens the same form, where the
 * reader can type the words and pick the section. No inline script or style (CSP): the
 * button is placed in the flow of the text, after the block the selection ends in, so it
 * is near the words, in reading and Tab order, and needs no positioning.
 */
(function () {
  "use strict";

  var MAX_LENGTH = 1000; // kb.feedback.PASSAGE_MAX_LENGTH
  var link = document.querySelector("a[data-report-passage]");
  if (!link || !window.getSelection || !window.URL) {
    return;
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "report-passage";
  button.hidden = true;
  button.textContent = "Report this passage";
  button.setAttribute("aria-keyshortcuts", "Control+Enter");

  var hint = document.createElement("p");
  hint.className = "hint report-passage-hint";
  hint.textContent =
    "To report particular words, select them in the article and press Ctrl+Enter, " +
    "or the “Report this passage” button that appears below them.";
  link.parentNode.appendChild(hint);

  var chosen = null; // {text, section} of the last selection inside one section

  function sectionOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    return element ? element.closest("section.article-section") : null;
  }

  function blockOf(node, section) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    while (element && element.parentElement !== section) {
      element = element.parentElement;
    }
    return element;
  }

  function current() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return null;
    }
    var text = selection.toString().replace(/\s+/g, " ").trim();
    var section = sectionOf(selection.anchorNode);
    if (!text || !section || sectionOf(selection.focusNode) !== section) {
      return null;
    }
    var range = selection.getRangeAt(0);
    return {
      text: text.slice(0, MAX_LENGTH),
      section: section.getAttribute("aria-labelledby") || "",
      element: section,
      block: blockOf(range.endContainer, section),
    };
  }

  function report(found) {
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("passage", found.text);
    if (found.section) {
      url.searchParams.set("section", found.section);
    }
    window.location.assign(url.toString());
  }

  function update() {
    var found = current();
    if (found) {
      chosen = found;
      var after = found.block && found.block !== button ? found.block : found.element.lastChild;
      if (after.nextSibling !== button) {
        after.parentNode.insertBefore(button, after.nextSibling);
      }
      button.hidden = false;
    } else if (document.activeElement !== button) {
      // Keep the button while it has focus: a keyboard user may have just tabbed to it.
      button.hidden = true;
      chosen = null;
    }
  }

  var pending = 0;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 100);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var found = current() || (document.activeElement === button ? chosen : null);
      if (found) {
        event.preventDefault();
        report(found);
      }
    }
  });

  button.addEventListener("click", function () {
    var found = current() || chosen;
    if (found) {
      report(found);
    }
  });
})();
