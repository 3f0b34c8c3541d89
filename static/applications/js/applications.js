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
        // The answer's body is not read on success: ask for none (RFC 7240; a 204).
        headers: {"Content-Type": "application/json", "Prefer": "return=minimal",
                  "X-CSRFToken": tokenInput ? tokenInput.value : ""},
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

  // --- The return form: one correction at a time; "+ Another correction" shows the next row
  // and, past the rows the page brought, adds one (the formset's TOTAL_FORMS follows). ---
  var returnForm = document.querySelector("form[data-correction-rows]");
  if (returnForm) {
    var addButton = returnForm.querySelector("[data-add-correction]");
    var total = returnForm.querySelector("input[name$='-TOTAL_FORMS']");
    var maxForms = returnForm.querySelector("input[name$='-MAX_NUM_FORMS']");
    var rowsOf = function () { return Array.prototype.slice.call(returnForm.querySelectorAll("[data-correction-row]")); };
    var filled = function (row) {
      var select = row.querySelector("select");
      var text = row.querySelector("textarea");
      return (select && select.value) || (text && text.value.trim());
    };
    var rows = rowsOf();
    var last = -1;
    rows.forEach(function (row, i) { if (filled(row) || row.querySelector(".text-danger")) { last = i; } });
    rows.forEach(function (row, i) { row.hidden = i > Math.max(0, last); });
    if (addButton && total) {
      addButton.classList.remove("d-none");
      addButton.addEventListener("click", function () {
        var hidden = rowsOf().filter(function (row) { return row.hidden; })[0];
        if (hidden) {
          hidden.hidden = false;
          hidden.querySelector("select").focus();
          return;
        }
        var count = parseInt(total.value, 10);
        if (maxForms && count >= parseInt(maxForms.value, 10)) { return; }
        var all = rowsOf();
        var template = all[all.length - 1];
        var copy = template.cloneNode(true);
        var from = new RegExp("-" + (count - 1) + "-", "g");
        Array.prototype.forEach.call(copy.querySelectorAll("[name],[id],[for]"), function (node) {
          ["name", "id", "for"].forEach(function (attr) {
            var value = node.getAttribute(attr);
            if (value) { node.setAttribute(attr, value.replace(from, "-" + count + "-")); }
          });
          if (node.tagName === "SELECT") { node.selectedIndex = 0; }
          if (node.tagName === "TEXTAREA") { node.value = ""; }
        });
        Array.prototype.forEach.call(copy.querySelectorAll(".text-danger"), function (node) { node.remove(); });
        var legend = copy.querySelector("legend");
        if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(count + 1)); }
        template.insertAdjacentElement("afterend", copy);
        total.value = String(count + 1);
        copy.querySelector("select").focus();
      });
    }
  }
})();
