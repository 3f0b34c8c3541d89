// Uploads: the browser checks each chosen file before anything is sent —
// its size against the limit, its type by its first bytes (as the server
// does, not by its name) — and says what to do. File inputs carry their
// limits and messages in data attributes (portal.uploads.file_input_attrs).
// The server checks everything again; every form works without this file.
(function () {
  "use strict";

  var SIGNATURES = {
    pdf: [[0x25, 0x50, 0x44, 0x46]],
    jpeg: [[0xff, 0xd8, 0xff]],
    png: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    xlsx: [[0x50, 0x4b, 0x03, 0x04]]
  };

  // HEIC/HEIF (an iPhone's photos) and AVIF: an ISO box "ftyp" at byte 4 and an image brand.
  var HEIC_BRANDS = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"];
  var isHeic = function (bytes) {
    if (bytes.length < 12) { return false; }
    var text = String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, 4, 12));
    return text.slice(0, 4) === "ftyp" && HEIC_BRANDS.indexOf(text.slice(4)) !== -1;
  };

  var formatSize = function (bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / (1024 * 1024)).toFixed(1) + " MB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KB"; }
    return bytes + " B";
  };

  var fill = function (template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  };

  var head = function (file) {
    var slice = file.slice(0, 12);
    if (slice.arrayBuffer) { return slice.arrayBuffer(); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(slice);
    });
  };

  var matches = function (bytes, types) {
    return types.some(function (type) {
      return (SIGNATURES[type] || []).some(function (signature) {
        return signature.every(function (value, i) { return bytes[i] === value; });
      });
    });
  };

  var feedback = function (input) {
    var id = input.id ? input.id + "-upload-feedback" : "";
    var node = input.uploadFeedback;
    if (!node) {
      node = document.createElement("div");
      node.setAttribute("aria-live", "polite");
      if (id) { node.id = id; }
      input.insertAdjacentElement("afterend", node);
      input.uploadFeedback = node;
      if (id) {
        var described = input.getAttribute("aria-describedby");
        input.setAttribute("aria-describedby", described ? described + " " + id : id);
      }
    }
    return node;
  };

  var show = function (input, problem, text) {
    var node = feedback(input);
    node.className = problem ? "invalid-feedback d-block" : "form-text";
    node.setAttribute("role", problem ? "alert" : "status");
    node.textContent = text;
    input.classList.toggle("is-invalid", !!problem);
    input.setCustomValidity(problem ? text : "");
    input.uploadProblem = problem ? text : "";
  };

  var check = function (input) {
    var files = Array.prototype.slice.call(input.files || []);
    var data = input.dataset;
    var max = parseInt(data.uploadMax || "0", 10);
    var types = (data.upload || "").split(/\s+/).filter(Boolean);
    if (!files.length) { show(input, false, ""); return Promise.resolve(true); }
    var maxFiles = parseInt(data.uploadMaxFiles || "0", 10);
    if (maxFiles && files.length > maxFiles) {
      show(input, true, fill(data.msgTooMany, {count: maxFiles}));
      return Promise.resolve(false);
    }
    var total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
    var maxTotal = parseInt(data.uploadMaxTotal || "0", 10);
    for (var i = 0; i < files.length; i += 1) {
      var file = files[i];
      if (file.size === 0) { show(input, true, fill(data.msgEmpty, {name: file.name})); return Promise.resolve(false); }
      if (max && file.size > max) {
        show(input, true, fill(data.msgTooLarge, {name: file.name, size: formatSize(file.size),
                                                  limit: formatSize(max)}));
        return Promise.resolve(false);
      }
    }
    if (maxTotal && total > maxTotal) {
      show(input, true, fill(data.msgTotal, {size: formatSize(total), limit: formatSize(maxTotal)}));
      return Promise.resolve(false);
    }
    input.uploadChecking = true;
    return Promise.all(files.map(function (file) {
      return head(file).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        return {file: file, ok: !types.length || matches(bytes, types), heic: isHeic(bytes)};
      }, function () { return {file: file, ok: true}; });  // unreadable here: the server decides
    })).then(function (results) {
      input.uploadChecking = false;
      var bad = results.filter(function (r) { return !r.ok; })[0];
      if (bad) {
        // A phone's HEIC photo gets the server's own advice (switch the camera to JPEG), not the general one.
        var message = bad.heic && data.msgHeic ? data.msgHeic : data.msgBadType;
        show(input, true, fill(message, {name: bad.file.name}));
        return false;
      }
      show(input, false, files.map(function (file) {
        return fill(data.msgReady, {name: file.name, size: formatSize(file.size)});
      }).join("; "));
      return true;
    });
  };

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("input[type=file][data-upload]")) { check(input); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file][data-upload]"));
    if (!inputs.length || event.defaultPrevented) { return; }
    if (form.uploadSending) { event.preventDefault(); return; }  // a second click while sending
    var submitter = event.submitter || null;
    var checking = inputs.filter(function (input) { return input.uploadChecking; });
    if (checking.length) {
      event.preventDefault();
      Promise.all(checking.map(check)).then(function (results) {
        if (results.every(Boolean)) {
          if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
        }
      });
      return;
    }
    var wrong = inputs.filter(function (input) { return input.uploadProblem; })[0];
    if (wrong) {
      event.preventDefault();
      wrong.focus();
      return;
    }
    var size = inputs.reduce(function (sum, input) {
      return sum + Array.prototype.reduce.call(input.files || [], function (s, f) { return s + f.size; }, 0);
    }, 0);
    if (size > 0) {
      form.uploadSending = true;
      form.setAttribute("aria-busy", "true");
      show(inputs[0], false, fill(inputs[0].dataset.msgSending, {size: formatSize(size)}));
    }
  });

  // Coming back to the page (browser back button) starts afresh.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[aria-busy]"), function (form) {
      form.uploadSending = false;
      form.removeAttribute("aria-busy");
    });
  });
})();
