// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Forms with data-confirm ask before they submit (approve, reject, end).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Buttons with data-print print the page (receipts).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      window.print();
    }
  });
})();
