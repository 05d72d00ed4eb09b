/*
 * Citations at the cursor, in the desk's revision form.
 *
 * Under each section's Markdown box: a "Cite…" button opening a search of the reference
 * library (title, author, year, DOI or PMID, as you type) whose results insert [@key] at
 * the cursor, and, for those who may add references, a box that adds a publication from
 * its DOI or PMID without leaving the page. While the author types, markers that name no
 * reference (submission is refused until they do) or a retracted one are listed under
 * the box.
 *
 * Endpoints come from the JSON block #desk-writing-config (kb/admin/revisions.py).
 * Progressive enhancement: without this file, the section's "Cite references" box still
 * cites on saving, and the problems are listed after saving. No inline script (CSP).
 */
(function () {
  "use strict";

  var configNode = document.getElementById("desk-writing-config");
  if (!configNode || !window.fetch) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var MARKER = /\[(@[^[\]]+?)\]/g;
  var KEY = /^@([A-Za-z0-9][A-Za-z0-9_:.\-]*)$/;
  var counter = 0;
  var checked = {}; // key -> "ok" | "unknown" | "retracted" | "merged:<key>"

  function node(tag, attrs, text) {
    var element = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      element.setAttribute(name, attrs[name]);
    });
    if (text) {
      element.textContent = text;
    }
    return element;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fn, ms);
    };
  }

  /** Every key cited in the text, once each, in order (as kb.citations.cited_keys). */
  function keysIn(text) {
    var keys = [];
    var match;
    MARKER.lastIndex = 0;
    while ((match = MARKER.exec(text)) !== null) {
      var parts = match[1].split(";");
      var found = [];
      for (var i = 0; i < parts.length; i += 1) {
        var key = KEY.exec(parts[i].trim());
        if (!key) {
          found = [];
          break;
        }
        found.push(key[1]);
      }
      found.forEach(function (k) {
        if (keys.indexOf(k) === -1) {
          keys.push(k);
        }
      });
    }
    return keys;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      });
  }

  function setUp(textarea) {
    if (textarea.dataset.citePicker || textarea.name.indexOf("__prefix__") !== -1) {
      return;
    }
    textarea.dataset.citePicker = "on";
    counter += 1;
    var id = "cite-" + counter;
    var caret = { start: textarea.value.length, end: textarea.value.length };

    function remember() {
      caret = { start: textarea.selectionStart, end: textarea.selectionEnd };
    }
    ["keyup", "click", "select", "input", "blur"].forEach(function (name) {
      textarea.addEventListener(name, remember);
    });

    var tools = node("div", { class: "cite-tools" });
    var open = node(
      "button",
      { type: "button", class: "button cite-open", "aria-expanded": "false", "aria-controls": id },
      "Cite…"
    );
    var flags = node("div", { class: "cite-flags", id: id + "-flags", "aria-live": "polite" });
    var panel = node("div", { class: "cite-panel", id: id, role: "group", "aria-label": "Cite a reference" });
    panel.hidden = true;
    var label = node("label", { for: id + "-q" }, "Search the reference library");
    var query = node("input", {
      type: "search",
      id: id + "-q",
      class: "vTextField cite-query",
      autocomplete: "off",
      placeholder: "Title, author, year, DOI or PMID",
      "aria-describedby": id + "-hint",
    });
    var hint = node("p", { class: "cite-hint", id: id + "-hint" }, "Choose a result to insert [@key] where the cursor was in the text.");
    var results = node("ul", { class: "cite-results", "aria-live": "polite" });
    var more = node("button", { type: "button", class: "button cite-more" }, "More results");
    more.hidden = true;
    var message = node("p", { class: "cite-message", role: "status" });
    panel.append(label, query, hint, results, more);
    if (config.lookup) {
      var addLabel = node("label", { for: id + "-id" }, "Not in the library? Add it from its DOI or PMID");
      var identifier = node("input", {
        type: "text",
        id: id + "-id",
        class: "vTextField cite-identifier",
        autocomplete: "off",
        placeholder: "10.1212/… or 15326253",
      });
      var add = node("button", { type: "button", class: "button cite-add" }, "Add and cite");
      panel.append(addLabel, identifier, add);
      add.addEventListener("click", function () {
        addByIdentifier(identifier.value);
      });
      identifier.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault(); // do not submit the revision form
          addByIdentifier(identifier.value);
        }
      });
    }
    panel.append(message);
    tools.append(open, flags, panel);
    // The picker replaces the section's "Cite references" box (it appends on saving).
    var inline = textarea.closest(".inline-related");
    var citeRow = inline && inline.querySelector(".form-row.field-cite");
    if (citeRow) {
      citeRow.hidden = true;
    }
    var row = textarea.closest(".flex-container");
    if (row && row.parentElement) {
      row.parentElement.append(tools); // below the box and its help text
    } else {
      textarea.insertAdjacentElement("afterend", tools);
    }
    var described = (textarea.getAttribute("aria-describedby") || "").trim();
    textarea.setAttribute("aria-describedby", (described + " " + flags.id).trim());

    function insert(key) {
      var marker = "[@" + key + "]";
      textarea.focus();
      textarea.setRangeText(marker, caret.start, caret.end, "end");
      caret = { start: textarea.selectionStart, end: textarea.selectionEnd };
      textarea.dispatchEvent(new Event("input", { bubbles: true })); // autosave, checks
      message.textContent = "Inserted " + marker + ".";
    }

    function show(records, append) {
      if (!append) {
        results.textContent = "";
      }
      records.forEach(function (record) {
        var item = node("li");
        var button = node("button", { type: "button", class: "cite-result" });
        button.append(node("strong", {}, "[@" + record.key + "]"));
        var about = " " + record.title;
        if (record.authors || record.year) {
          about += " — " + [record.authors, record.year].filter(Boolean).join(", ");
        }
        button.append(document.createTextNode(about));
        if (record.retracted) {
          button.append(node("span", { class: "cite-retracted" }, " Retracted: do not cite"));
        }
        button.addEventListener("click", function () {
          insert(record.key);
        });
        item.append(button);
        results.append(item);
      });
    }

    var page = 1;
    function search(append) {
      var q = query.value.trim();
      if (!q) {
        results.textContent = "";
        more.hidden = true;
        message.textContent = "";
        return;
      }
      page = append ? page + 1 : 1;
      var url = config.search + "?q=" + encodeURIComponent(q) + "&page=" + page;
      getJSON(url).then(function (answer) {
        if (query.value.trim() !== q) {
          return; // a newer search is on its way
        }
        if (!answer.ok) {
          message.textContent = answer.data.error || "The search failed.";
          return;
        }
        show(answer.data.results, append);
        more.hidden = !answer.data.has_more;
        message.textContent = answer.data.results.length || append
          ? ""
          : "Nothing in the library matches “" + q + "”.";
      });
    }
    query.addEventListener("input", debounce(function () { search(false); }, 250));
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // do not submit the revision form
        search(false);
      }
    });
    more.addEventListener("click", function () { search(true); });

    function addByIdentifier(value) {
      if (!value.trim()) {
        message.textContent = "Give a DOI (10.…/…) or a PubMed ID.";
        return;
      }
      message.textContent = "Looking up " + value.trim() + "…";
      var body = new FormData();
      body.append("identifier", value.trim());
      fetch(config.lookup, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            message.textContent = answer.data.error || "The lookup failed.";
            return;
          }
          checked[answer.data.key] = answer.data.retracted ? "retracted" : "ok";
          insert(answer.data.key);
          message.textContent = [answer.data.message].concat(answer.data.notes || []).join(" ");
        })
        .catch(function () {
          message.textContent = "The lookup failed: the desk could not be reached.";
        });
    }

    open.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      open.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      if (!panel.hidden) {
        query.focus();
      }
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        panel.hidden = true;
        open.setAttribute("aria-expanded", "false");
        textarea.focus();
      }
    });

    function renderFlags() {
      flags.textContent = "";
      var unknown = [];
      var retracted = [];
      var merged = [];
      keysIn(textarea.value).forEach(function (key) {
        var state = checked[key];
        if (state === "unknown") {
          unknown.push("[@" + key + "]");
        } else if (state === "retracted") {
          retracted.push("[@" + key + "]");
        } else if (state && state.indexOf("merged:") === 0) {
          merged.push("[@" + key + "] (cite [@" + state.slice(7) + "] instead)");
        }
      });
      var lines = [];
      if (unknown.length) {
        lines.push("Not in the reference library: " + unknown.join(", ") + ". Submitting waits until they are.");
      }
      if (merged.length) {
        lines.push("Merged into another record: " + merged.join(", ") + ".");
      }
      if (retracted.length) {
        lines.push("Retracted publications: " + retracted.join(", ") + ".");
      }
      lines.forEach(function (line) {
        flags.append(node("p", { class: "cite-flag" }, line));
      });
      textarea.classList.toggle("cite-has-problems", lines.length > 0);
    }

    var check = debounce(function () {
      var wanted = keysIn(textarea.value).filter(function (key) {
        return !(key in checked);
      });
      if (!wanted.length) {
        renderFlags();
        return;
      }
      var url = config.check + "?" + wanted.map(function (key) {
        return "key=" + encodeURIComponent(key);
      }).join("&");
      getJSON(url).then(function (answer) {
        if (!answer.ok) {
          return;
        }
        wanted.forEach(function (key) {
          checked[key] = "ok";
        });
        answer.data.unknown.forEach(function (key) { checked[key] = "unknown"; });
        answer.data.retracted.forEach(function (key) { checked[key] = "retracted"; });
        Object.keys(answer.data.merged).forEach(function (key) {
          checked[key] = "merged:" + answer.data.merged[key];
        });
        renderFlags();
      });
    }, 400);
    textarea.addEventListener("input", check);
    check();
  }

  function setUpAll() {
    document
      .querySelectorAll("textarea[name^='sections-'][name$='-body']")
      .forEach(setUp);
  }
  setUpAll();
  document.addEventListener("formset:added", setUpAll); // "Add another Section"
})();
