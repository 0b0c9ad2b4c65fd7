// Entry forms on a phone: the bill's running total in a footer that stays on screen, a hint when
// the bill will wait for approval, and after a refusal the focus on the first marked line.
// The server decides; this only tells the user earlier. Every page works without this file.
(function () {
  "use strict";

  // After a refusal the page comes back with the banner at the top and the lines marked; the
  // person's next move is on the first marked line, so take them there.
  var summary = document.querySelector(".error-summary");
  var marked = document.querySelector(".line-row.line-error");
  if (summary && marked) {
    var target = marked.querySelector(".has-error input, .has-error select") ||
      marked.querySelector("select, input:not([type=hidden])");
    if (target) {
      target.focus({ preventScroll: true });
      marked.scrollIntoView({ block: "center" });
    }
  }

  var footer = document.querySelector("[data-running-total]");
  if (!footer) { return; }
  var form = footer.closest("form");
  var value = footer.querySelector("[data-running-total-value]");
  var hint = footer.querySelector("[data-approval-hint]");
  // The threshold the server's rule uses (a total above it waits: documents.approval).
  var threshold = Math.round(Number(footer.dataset.approvalThreshold) * 100);

  function update() {
    var total = form.querySelector("[data-total]");
    if (!total) { return; }
    value.textContent = total.textContent;
    var cents = total.dataset.cents === "" || total.dataset.cents === undefined ? NaN : Number(total.dataset.cents);
    if (hint) { hint.hidden = !(isFinite(threshold) && cents > threshold); }
  }

  // app.js recomputes the lines on the fieldset; this listens further up, so it runs after.
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("click", function () { window.setTimeout(update, 0); });
  // The deferred app.js fills the line amounts first.
  document.addEventListener("DOMContentLoaded", update);
})();
