// Applications: autosave of the draft through the JSON API, and live
// countdowns to deadlines. Every page works without this file (plain POST).
(function () {
  "use strict";

  // --- Autosave: fields marked data-autosave="<name>" PATCH the API. ---
  var form = document.querySelector("form[data-autosave-url]");
  if (form && window.fetch) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector("[data-autosave-status]");
    var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    var pending = {};
    var timer = null;

    var show = function (text) { if (status) { status.textContent = text; } };

    var flush = function () {
      var body = pending;
      pending = {};
      timer = null;
      if (!Object.keys(body).length) { return; }
      fetch(url, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : ""},
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.ok) {
          var now = new Date();
          show(form.getAttribute("data-saved-text") + " " + now.toTimeString().slice(0, 5));
        } else {
          return response.json().then(function (data) {
            show(form.getAttribute("data-error-text") + ": " + (data.detail || response.status));
          });
        }
      }).catch(function () { show(form.getAttribute("data-error-text")); });
    };

    form.addEventListener("input", function (event) {
      var name = event.target.getAttribute("data-autosave");
      if (!name) { return; }
      pending[name] = event.target.value;
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(flush, 800);
    });
    form.addEventListener("change", function (event) {
      var name = event.target.getAttribute("data-autosave");
      if (!name || event.target.tagName !== "SELECT") { return; }
      pending[name] = event.target.value;
      flush();
    });
  }

  // --- Countdowns: <span data-deadline="ISO"> shows days and hours left. ---
  var tick = function () {
    var nodes = document.querySelectorAll("[data-deadline]");
    Array.prototype.forEach.call(nodes, function (node) {
      var left = new Date(node.getAttribute("data-deadline")).getTime() - Date.now();
      if (isNaN(left)) { return; }
      if (left <= 0) { node.textContent = node.getAttribute("data-overdue-text"); return; }
      var hours = Math.floor(left / 3600000);
      var days = Math.floor(hours / 24);
      node.textContent = days + " " + node.getAttribute("data-days-text") + " " + (hours % 24) + " " +
        node.getAttribute("data-hours-text") + " " + node.getAttribute("data-left-text");
    });
  };
  tick();
  window.setInterval(tick, 60000);
})();
