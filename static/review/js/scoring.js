// Scoring form: autosave as the expert types, live weighted total, comment
// templates per verdict. The form works without it (Save / Submit buttons).
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var version = parseInt(form.getAttribute("data-version") || "0", 10);
  var status = form.querySelector("[data-autosave-status]");
  var totalEl = form.querySelector("[data-total]");
  var verdict = form.querySelector("select[name=verdict]");
  var comment = form.querySelector("textarea[name=comment]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var inFlight = false;
  var pending = false;
  var lastTemplate = null;

  function say(text, bad) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("text-danger", !!bad);
  }

  function criteria() {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-criterion]"));
  }

  function localTotal() {
    var inputs = criteria();
    var weights = 0;
    var total = 0;
    for (var i = 0; i < inputs.length; i++) {
      var w = parseFloat(inputs[i].getAttribute("data-weight"));
      var m = parseFloat(inputs[i].getAttribute("data-max"));
      var v = parseFloat(inputs[i].value);
      weights += w;
      if (isNaN(v)) { return null; }
      total += v / m * w;
    }
    return weights ? (total * 100 / weights).toFixed(2) : null;
  }

  function payload() {
    var values = {};
    criteria().forEach(function (input) {
      values[input.getAttribute("data-criterion")] = input.value === "" ? null : input.value;
    });
    return {values: values, verdict: verdict ? verdict.value : null, comment: comment ? comment.value : null,
            version: version};
  }

  function save() {
    if (inFlight) { pending = true; return; }
    inFlight = true;
    say(form.getAttribute("data-saving") || "…");
    fetch(url, {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify(payload())})
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (result) {
        if (result.ok) {
          version = result.data.version;
          say("✓ " + result.data.saved_at);
        } else {
          say((result.data.rule ? "[" + result.data.rule + "] " : "") + (result.data.detail || "!"), true);
        }
      })
      .catch(function () { say("✗", true); })
      .then(function () {
        inFlight = false;
        if (pending) { pending = false; save(); }
      });
  }

  function schedule() {
    if (totalEl) { totalEl.textContent = localTotal() || "—"; }
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  if (verdict && comment) {
    verdict.addEventListener("change", function () {
      var item = form.querySelector("[data-comment-templates] li[data-verdict='" + verdict.value + "']");
      if (!item) { return; }
      if (comment.value.trim() === "" || comment.value === lastTemplate) {
        comment.value = item.textContent;
        lastTemplate = comment.value;
        comment.focus();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm-submit");
    if (question && !window.confirm(question)) { event.preventDefault(); }
    clearTimeout(timer);
  });
})();
