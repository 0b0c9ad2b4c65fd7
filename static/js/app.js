// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Disable a form's submit buttons once it is sent, so a double click sends it once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
