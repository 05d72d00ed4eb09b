/* Gives the reference picker's search box (select2's inline field, which the admin's
   autocomplete widget creates without a label) the accessible name of the field it
   belongs to, e.g. "Cite references". Pure enhancement: without JavaScript there is no
   select2 box and the plain labelled <select> is used. */
(function () {
  "use strict";
  function label(field) {
    if (field.hasAttribute("aria-label")) return;
    var container = field.closest(".select2-container");
    var select = container && container.previousElementSibling;
    if (!select || !select.id) return;
    var text = document.querySelector('label[for="' + select.id + '"]');
    field.setAttribute("aria-label", text ? text.textContent.replace(/:$/, "").trim() : select.name);
  }
  function all() {
    document.querySelectorAll(".select2-search__field").forEach(label);
  }
  document.addEventListener("DOMContentLoaded", function () {
    all();
    new MutationObserver(all).observe(document.body, { childList: true, subtree: true });
  });
})();
