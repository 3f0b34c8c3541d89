// Tables on a phone: below 576 px wide access.css shows each row of a table
// that has a header row as a card, each cell under its column's name. This
// file gives every body cell that name (data-label, unless the template set
// one) and keeps the table's meaning for screen readers with ARIA roles,
// which browsers drop once CSS changes a table's display. Without it the
// cards still show, only without the column names.
(function () {
  "use strict";

  var label = function (th) {
    // The text a sighted reader sees in the header, without visually hidden helpers.
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".visually-hidden").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  document.querySelectorAll("main table").forEach(function (table) {
    var head = table.tHead;
    if (!head || !head.rows.length) { return; }
    var names = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th) {
      var name = label(th);
      for (var span = th.colSpan || 1; span > 0; span -= 1) { names.push(name); }
    });
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (row.parentNode === head) {
          cell.setAttribute("role", "columnheader");
        } else {
          cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
          if (!cell.hasAttribute("data-label") && names[column]) {
            cell.setAttribute("data-label", names[column]);
          }
        }
        column += cell.colSpan || 1;
      });
    });
  });

  // A table that still scrolls sideways (a wide one on a narrow screen) can be scrolled with the keyboard.
  var focusable = function () {
    document.querySelectorAll("main .table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("tabindex");
      }
    });
  };
  focusable();
  window.addEventListener("resize", focusable);
})();
