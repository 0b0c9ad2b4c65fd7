// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Disable a form's submit buttons once it is sent, so a double click sends it once.
  // (The one-time request key also makes a repeated POST create a single document.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var confirmText = form.dataset.confirm;
    if (confirmText && !window.confirm(confirmText)) { event.preventDefault(); return; }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  function number(input) {
    if (!input || input.value === "") { return 0; }
    var n = Number(input.value);
    return isFinite(n) ? n : 0;
  }

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  // Amounts as the plant writes them (<html data-locale>, e.g. 1,23,456.50 for en-IN).
  var moneyFormat = new Intl.NumberFormat(document.documentElement.dataset.locale || undefined,
    { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  // Tax rates per item (a bill's form only): each line shows its tax as it is typed. Prices are
  // before tax; the server fixes the exact figures (and the CGST/SGST or IGST split) on posting.
  var taxNode = document.getElementById("item-tax-rates");
  var taxRates = taxNode ? JSON.parse(taxNode.textContent || "{}") : null;

  function lineTax(row, cents) {
    var item = field(row, "item");
    var rate = taxRates && item ? Number(taxRates[item.value] || 0) : 0;
    return Math.round(cents * rate / 100);
  }

  // Amount per line and the running total, in cents to keep sums exact.
  function recalc(fieldset) {
    var total = 0;
    var taxTotal = 0;
    var seen = false;
    fieldset.querySelectorAll("[data-row]").forEach(function (row) {
      var out = row.querySelector("[data-amount]");
      if (!out) { return; }
      var del = field(row, "DELETE");
      var qty = field(row, "quantity");
      var price = field(row, "unit_price");
      var packs = field(row, "packs");
      var counted = (qty && qty.value !== "") || (packs && packs.value !== "");
      if (!qty || !price || (del && del.checked) || !counted || price.value === "") { out.textContent = ""; return; }
      // A line counted in packs: packs × the chosen pack's size, plus the loose units.
      var pack = field(row, "pack");
      var size = pack && pack.selectedOptions.length ? Number(pack.selectedOptions[0].dataset.quantity || 0) : 0;
      var units = number(qty) + number(field(row, "packs")) * size;
      var cents = Math.round(units * number(price) * 100) - Math.round(number(field(row, "discount")) * 100);
      var tax = taxRates ? lineTax(row, cents) : 0;
      out.textContent = moneyFormat.format(cents / 100) + (tax ? " + tax " + moneyFormat.format(tax / 100) : "");
      total += cents;
      taxTotal += tax;
      seen = true;
    });
    var totalOut = fieldset.querySelector("[data-total]");
    if (totalOut) {
      var text = moneyFormat.format(total / 100);
      if (taxTotal) { text += " + tax " + moneyFormat.format(taxTotal / 100) + " = " + moneyFormat.format((total + taxTotal) / 100); }
      totalOut.textContent = seen ? text : "—";
      // The grand total: what an approval limit is checked against.
      totalOut.dataset.cents = seen ? String(total + taxTotal) : "";
    }
  }

  function renumber(fieldset) {
    var n = 0;
    fieldset.querySelectorAll("[data-row]").forEach(function (row) {
      if (row.classList.contains("removed")) { return; }
      n += 1;
      var cell = row.querySelector(".row-no");
      if (cell) { cell.textContent = String(n); }
    });
  }

  function addRow(fieldset) {
    var prefix = fieldset.dataset.formset;
    var totalInput = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = fieldset.querySelector("template[data-empty-row]");
    var body = fieldset.querySelector("[data-rows]");
    if (!totalInput || !template || !body) { return null; }
    var index = parseInt(totalInput.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__line__/g, String(index + 1));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    body.appendChild(row);
    totalInput.value = String(index + 1);
    renumber(fieldset);
    var first = row.querySelector("select, input:not([type=hidden])");
    if (first) { first.focus(); }
    return row;
  }

  document.querySelectorAll("fieldset[data-formset]").forEach(function (fieldset) {
    var addButton = fieldset.querySelector("[data-add-row]");
    if (addButton) {
      addButton.type = "button";
      addButton.addEventListener("click", function () { addRow(fieldset); });
    }
    fieldset.addEventListener("input", function () { recalc(fieldset); });
    fieldset.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name && /-DELETE$/.test(target.name) && target.checked) {
        var row = target.closest("[data-row]");
        if (row) { row.classList.add("removed"); renumber(fieldset); }
      }
      recalc(fieldset);
    });
    // Keyboard: Enter in the last row's last field adds a row instead of submitting.
    fieldset.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target.tagName === "TEXTAREA" || event.target.tagName === "BUTTON") { return; }
      var rows = fieldset.querySelectorAll("[data-row]:not(.removed)");
      var last = rows[rows.length - 1];
      if (last && last.contains(event.target)) { event.preventDefault(); addRow(fieldset); }
    });
    recalc(fieldset);
  });

  // A line's price follows its item's default selling price until someone types a price; then it
  // stays as typed, and clearing it lets it follow again. Typing an item's name in the list selects
  // other items on the way, so the price must follow every change, not only the first.
  var pricesNode = document.getElementById("item-prices");
  if (pricesNode) {
    var prices = JSON.parse(pricesNode.textContent || "{}");
    // A price the page came back with (an edited draft, a refused form) counts as typed, unless it
    // is the chosen item's own price.
    document.querySelectorAll("[data-row]").forEach(function (row) {
      var select = field(row, "item");
      var price = field(row, "unit_price");
      if (!select || !price || price.value === "") { return; }
      var own = prices[select.value];
      if (!own || Number(price.value) !== Number(own)) { price.dataset.typed = "1"; }
    });
    var followItem = function (event) {
      var target = event.target;
      var row = target.name && target.closest("[data-row]");
      var price = row && field(row, "unit_price");
      if (!price) { return; }
      if (target === price) {
        // A half-typed number reads as "" but is still the user's.
        if (event.type === "input") { price.dataset.typed = price.value === "" && !price.validity.badInput ? "" : "1"; }
        return;
      }
      if (!/-item$/.test(target.name) || price.dataset.typed === "1") { return; }
      // A picker gives the price for this bill's customer with its choice (data-price).
      var suggested = (target.dataset.price !== undefined ? target.dataset.price : prices[target.value]) || "";
      if (price.value !== suggested) {
        price.value = suggested;
        recalc(target.closest("fieldset[data-formset]"));
      }
    };
    document.addEventListener("input", followItem);
    document.addEventListener("change", followItem);
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
