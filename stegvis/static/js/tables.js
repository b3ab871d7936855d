// A table wider than the screen scrolls sideways in a box of its own. A keyboard user must be
// able to reach that box with Tab to scroll it (WCAG 2.1.1): tables the templates did not put in
// a focusable .table-scroll box get one here, focusable while the table is wider than the box
// and named by the table's caption. Runs on load, on resize and after every htmx swap.
(function () {
  "use strict";

  function box(table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-scroll")) {
      return parent;
    }
    var wrapper = document.createElement("div");
    wrapper.className = "table-scroll";
    wrapper.dataset.added = "";
    parent.insertBefore(wrapper, table);
    wrapper.appendChild(table);
    return wrapper;
  }

  function update(wrapper) {
    // Boxes written in the templates are focusable already; only those added here change.
    if (!("added" in wrapper.dataset)) {
      return;
    }
    var table = wrapper.querySelector("table");
    if (wrapper.scrollWidth > wrapper.clientWidth) {
      wrapper.tabIndex = 0;
      wrapper.setAttribute("role", "region");
      var caption = table && table.caption ? table.caption.textContent.trim() : "";
      if (caption) {
        wrapper.setAttribute("aria-label", caption);
      }
    } else {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
    }
  }

  function run(root) {
    var tables = (root || document).querySelectorAll("table");
    for (var i = 0; i < tables.length; i++) {
      update(box(tables[i]));
    }
  }

  function all() {
    var wrappers = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < wrappers.length; i++) {
      update(wrappers[i]);
    }
  }

  var pending = null;
  document.addEventListener("DOMContentLoaded", function () { run(document); });
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(all, 100);
  });
  document.addEventListener("htmx:afterSwap", function (event) { run(event.target); });
})();
