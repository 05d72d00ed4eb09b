/*
 * Keyboard navigation between changes on the desk's compare page: "n" goes to the next
 * changed section, "p" to the previous one (not while typing in a field). Without
 * JavaScript the "Next change" / "Previous change" links on each section do the same.
 */
(function () {
  "use strict";
  var changes = Array.prototype.slice.call(document.querySelectorAll(".compare-change"));
  if (!changes.length) { return; }
  var current = -1;
  var fromHash = changes.findIndex(function (el) { return "#" + el.id === window.location.hash; });
  if (fromHash >= 0) { current = fromHash; }

  function go(index) {
    if (index < 0 || index >= changes.length) { return; }
    if (current >= 0) { changes[current].classList.remove("is-current"); }
    current = index;
    var target = changes[current];
    target.classList.add("is-current");
    target.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + target.id);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.target.isContentEditable) { return; }
    if (event.key === "n") { go(current + 1); event.preventDefault(); }
    else if (event.key === "p") { go(Math.max(current - 1, 0)); event.preventDefault(); }
  });
})();
