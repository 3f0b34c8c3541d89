// Live progress of an issuing batch: polls the JSON endpoint named in
// data-progress-url until nothing remains. No inline script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("batch-progress");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var retry = box.querySelector("[data-retry-form]");
  var delay = 1000;

  function show(data) {
    ["issued", "failed", "remaining", "total"].forEach(function (name) {
      var el = box.querySelector('[data-field="' + name + '"]');
      if (el) { el.textContent = String(data[name]); }
    });
    bar.max = Math.max(data.total, 1);
    bar.value = data.issued + data.failed;
    bar.textContent = data.issued + "/" + data.total;
    if (retry) { retry.hidden = !(data.failed > 0 && data.remaining === 0); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        show(data);
        if (!data.done) { window.setTimeout(poll, delay); }
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); window.setTimeout(poll, delay); });
  }

  if (box.getAttribute("data-done") !== "1") { window.setTimeout(poll, delay); }
})();
