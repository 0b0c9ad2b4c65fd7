// Pickers: a search box over a <select data-picker="URL"> that finds by any word of the name, SKU,
// town or phone as the user types (the server's /api/v1/search/ endpoints). Arrow keys move, Enter
// chooses, Escape closes. The select stays in the form and is what is sent, so without this file
// the page works as before; with it the select is hidden and kept in step with the choice.
(function () {
  "use strict";
  var DELAY = 120; // ms after the last key before asking the server

  function packText(quantity, unit, packs) {
    if (!packs || !packs.length) { return quantity.toLocaleString("en-IN") + " " + unit; }
    var pack = packs.slice().sort(function (a, b) { return a.quantity - b.quantity; })[0];
    if (quantity < pack.quantity) { return quantity.toLocaleString("en-IN") + " " + unit; }
    var whole = Math.floor(quantity / pack.quantity);
    var loose = quantity - whole * pack.quantity;
    return whole.toLocaleString("en-IN") + " " + (whole === 1 ? pack.name : pack.plural) +
      (loose ? " + " + loose.toLocaleString("en-IN") : "") + " = " + quantity.toLocaleString("en-IN") + " " + unit;
  }

  function describe(row) {
    if (row.sku !== undefined) {
      var parts = ["In stock: " + packText(row.stock, row.unit, row.packs)];
      if (row.price !== null && row.price !== undefined) { parts.push("price " + row.price + (row.list_price ? " (list)" : "")); }
      return parts.join(" · ");
    }
    return [row.town, row.phone].filter(Boolean).join(" · ");
  }

  // The URL's extra parameters from other fields: data-picker-params="customer=#id_customer date=#id_date".
  function extraParams(select) {
    var spec = select.dataset.pickerParams || "";
    var out = "";
    spec.split(/\s+/).forEach(function (pair) {
      var bits = pair.split("=");
      if (bits.length !== 2) { return; }
      var source = document.querySelector(bits[1]);
      if (source && source.value) { out += "&" + encodeURIComponent(bits[0]) + "=" + encodeURIComponent(source.value); }
    });
    return out;
  }

  function nextFocus(select, input) {
    var target = null;
    if (select.dataset.pickerNext) {
      target = document.querySelector(select.dataset.pickerNext);
    } else {
      var row = select.closest("[data-row]");
      var scope = row || select.form;
      if (scope) {
        var fields = Array.prototype.slice.call(scope.querySelectorAll("input:not([type=hidden]), select, textarea"));
        var after = false;
        for (var i = 0; i < fields.length; i += 1) {
          if (fields[i] === input) { after = true; continue; }
          if (after && fields[i] !== select && !fields[i].disabled && fields[i].offsetParent !== null) { target = fields[i]; break; }
        }
      }
    }
    if (target) { target.focus(); if (target.select) { target.select(); } }
  }

  // The line's pack list offers only the chosen item's packs (the server checks this too).
  function offerPacks(select, packs) {
    var line = select.closest("[data-row]");
    var packSelect = line && line.querySelector("select[name$='-pack']");
    if (!packSelect || !packs) { return; }
    var ids = packs.map(function (p) { return String(p.id); });
    Array.prototype.forEach.call(packSelect.options, function (option) {
      option.hidden = option.value !== "" && ids.indexOf(option.value) < 0;
    });
    if (packSelect.selectedOptions.length && packSelect.selectedOptions[0].hidden) { packSelect.value = ""; }
  }

  function enhance(select) {
    if (select.dataset.pickerReady === "1") { return; }
    select.dataset.pickerReady = "1";
    // Moving the select into the picker's box below takes its focus away: remember it.
    var hadFocus = document.activeElement === select;
    var id = (select.id || "picker") + "_search";
    var listId = id + "_list";
    var wrap = document.createElement("div");
    wrap.className = "picker";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("data-picker-input", "");
    input.placeholder = select.dataset.pickerPlaceholder || "Type any part of the name";
    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.textContent : "";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var meta = document.createElement("small");
    meta.className = "picker-meta";
    meta.setAttribute("aria-live", "polite");
    meta.setAttribute("data-picker-meta", "");
    // The select's label now names the search box; the select stays for the form (and screen
    // readers are pointed at the box).
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    if (label) { label.htmlFor = id; }
    // Out of sight but still in the form (and still set by hand or by a test's select_option).
    select.classList.add("picker-native");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(meta);
    wrap.appendChild(select);

    var rows = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var row = rows[index];
      if (!row) { return; }
      var option = select.querySelector("option[value='" + row.id + "']");
      if (!option) {
        option = document.createElement("option");
        option.value = String(row.id);
        option.textContent = row.label;
        select.appendChild(option);
      }
      select.value = String(row.id);
      select.dataset.price = row.price === null || row.price === undefined ? "" : row.price;
      input.value = row.label;
      meta.textContent = describe(row);
      offerPacks(select, row.packs);
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
      nextFocus(select, input);
    }

    function show(found) {
      rows = found;
      list.innerHTML = "";
      if (!rows.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "Nothing found";
        list.appendChild(none);
      }
      rows.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = listId + "_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = row.label;
        li.appendChild(name);
        var detail = describe(row);
        if (detail) {
          var small = document.createElement("small");
          small.textContent = detail;
          li.appendChild(small);
        }
        // mousedown, not click: the box keeps the focus, so a tap chooses before blur closes the list.
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (rows.length) { highlight(0); }
    }

    function ask() {
      var query = input.value.trim();
      if (!query) { close(); return; }
      asked += 1;
      var mine = asked;
      var url = select.dataset.picker;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query) + extraParams(select);
      input.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          if (mine !== asked) { return; } // a later key asked again; this answer is stale
          input.removeAttribute("aria-busy");
          show(body.results || []);
        })
        .catch(function () { input.removeAttribute("aria-busy"); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (input.value.trim() === "") {
        // Cleared: nothing chosen any more.
        if (select.value !== "") { select.value = ""; select.dataset.price = ""; meta.textContent = ""; select.dispatchEvent(new Event("change", { bubbles: true })); }
        close();
        return;
      }
      timer = window.setTimeout(function () { timer = null; ask(); }, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { ask(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden) {
          event.preventDefault();
          event.stopPropagation();
          if (rows.length) { choose(active < 0 ? 0 : active); }
        } else if (timer && input.value.trim()) {
          // Enter before the answer came: choose the first match once it does.
          event.preventDefault();
          event.stopPropagation();
          window.clearTimeout(timer);
          timer = null;
          var wanted = asked + 1;
          ask();
          var wait = window.setInterval(function () {
            if (asked !== wanted) { window.clearInterval(wait); return; }
            if (!list.hidden) { window.clearInterval(wait); if (rows.length) { choose(0); } }
          }, 30);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
      // Text that is no longer the choice's name goes back to it: what is sent is the select.
      var current = select.options[select.selectedIndex];
      if (current && current.value && input.value !== current.textContent) { input.value = current.textContent; }
    });

    // Set another way (e.g. a draft's value restored): the box shows the select's choice.
    select.addEventListener("change", function () {
      var current = select.options[select.selectedIndex];
      var text = current && current.value ? current.textContent : "";
      if (input.value !== text) { input.value = text; meta.textContent = ""; delete select.dataset.price; }
    });

    if (hadFocus || (select.hasAttribute("autofocus") && !select.value)) { input.focus(); }
  }

  function enhanceAll(root) {
    if (root.matches && root.matches("select[data-picker]")) { enhance(root); }
    if (root.querySelectorAll) { root.querySelectorAll("select[data-picker]").forEach(enhance); }
  }

  // Rows added later (the "add a line" template) are enhanced as they appear; <template> content
  // is not in the document, so it keeps its plain select for the next row.
  enhanceAll(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) { change.addedNodes.forEach(function (node) { if (node.nodeType === 1) { enhanceAll(node); } }); });
  }).observe(document.body, { childList: true, subtree: true });

  // A new customer: the lines already chosen ask again for their price (the customer's list), and
  // those whose price nobody typed follow it (static/js/app.js).
  document.addEventListener("change", function (event) {
    var customer = event.target;
    if (customer.tagName !== "SELECT" || !customer.id || !customer.form) { return; }
    customer.form.querySelectorAll("select[data-picker-params]").forEach(function (select) {
      var chosen = select.options[select.selectedIndex];
      if (!chosen || !chosen.value || (select.dataset.pickerParams || "").indexOf("#" + customer.id) < 0) { return; }
      var sku = chosen.textContent.split(" — ")[0];
      var url = select.dataset.picker;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(sku) + extraParams(select) + "&limit=25";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) {
          (body.results || []).forEach(function (row) {
            if (String(row.id) !== select.value) { return; }
            select.dataset.price = row.price === null ? "" : row.price;
            var meta = select.parentNode.querySelector("[data-picker-meta]");
            if (meta) { meta.textContent = describe(row); }
            select.dispatchEvent(new Event("change", { bubbles: true }));
          });
        });
    });
  });

  // Ctrl+Enter (or Cmd+Enter) submits a document form from anywhere in it, as its main button does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) { return; }
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    var button = form && form.querySelector("button.primary[type=submit]");
    if (button) { event.preventDefault(); button.click(); }
  });
})();
