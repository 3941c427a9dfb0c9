// Contract, payment and sales-record pages: customer autocomplete, product search on a line,
// adding lines without a round trip. Everything also works without this file: the customer
// box accepts a typed code or name, the product <select> lists the first products, and
// "Add line" posts the form. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  function hideResults(box) {
    box.hidden = true;
    box.replaceChildren();
  }

  // --- customer picker -------------------------------------------------------------------

  function setupCustomerPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    const url = picker.dataset.url;
    const idInput = picker.querySelector("[data-picker-id]");
    const text = picker.querySelector("[data-picker-text]");
    const results = picker.querySelector("[data-picker-results]");
    if (!url || !idInput || !text || !results) return;
    let controller = null;

    const search = debounce(async () => {
      const q = text.value.trim();
      if (!q) return hideResults(results);
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const response = await fetch(url + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) return hideResults(results);
        const data = await response.json();
        results.replaceChildren();
        for (const item of data.results || []) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "list-group-item list-group-item-action";
          button.textContent = item.code + " " + item.name;
          button.dataset.id = item.id;
          results.appendChild(button);
        }
        results.hidden = results.children.length === 0;
      } catch (error) {
        if (error.name !== "AbortError") hideResults(results);
      }
    }, 250);

    text.addEventListener("input", () => {
      idInput.value = ""; // typed text is resolved by the server unless a result is picked
      search();
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hideResults(results);
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-id]");
      if (!button) return;
      idInput.value = button.dataset.id;
      text.value = button.textContent;
      hideResults(results);
      picker.dispatchEvent(
        new CustomEvent("customer-picked", { bubbles: true, detail: { id: button.dataset.id } }),
      );
    });
  }

  // A contract's opportunity select follows the chosen customer.
  document.addEventListener("customer-picked", async (event) => {
    const form = event.target.closest("form");
    const select = form && form.querySelector("select[data-opportunity-select]");
    if (!select || !select.dataset.optionsUrl) return;
    const response = await fetch(
      select.dataset.optionsUrl + "?customer=" + encodeURIComponent(event.detail.id),
    );
    if (response.ok) select.innerHTML = await response.text(); // server-rendered, escaped
  });

  // --- product search on a line ----------------------------------------------------------

  function setupProductPicker(line, pickUrl) {
    const picker = line.querySelector("[data-product-picker]");
    if (!picker || picker.dataset.ready || !pickUrl) return;
    picker.dataset.ready = "1";
    picker.hidden = false;
    const input = picker.querySelector("[data-product-search]");
    const results = picker.querySelector("[data-picker-results]");
    const search = debounce(async () => {
      const q = input.value.trim();
      if (!q) return hideResults(results);
      const response = await fetch(pickUrl + "?q=" + encodeURIComponent(q));
      if (!response.ok) return hideResults(results);
      results.innerHTML = await response.text(); // server-rendered, escaped
      results.hidden = results.children.length === 0;
    }, 250);
    input.addEventListener("input", search);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // do not submit the form
      if (event.key === "Escape") hideResults(results);
    });
    results.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-product-id]");
      if (!button) return;
      const select = line.querySelector("select[data-product-select]");
      if (select) {
        let option = Array.from(select.options).find((o) => o.value === button.dataset.productId);
        if (!option) {
          option = new Option(button.dataset.label, button.dataset.productId);
          select.add(option);
        }
        select.value = button.dataset.productId;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      const price = line.querySelector("input[name$='unit_price']");
      if (price && !price.value) price.value = button.dataset.price;
      input.value = "";
      hideResults(results);
    });
  }

  // --- adding lines ----------------------------------------------------------------------

  function setupLines(form) {
    const pickUrl = form.dataset.pickUrl;
    form.querySelectorAll("[data-line]").forEach((line) => setupProductPicker(line, pickUrl));
    const addButton = form.querySelector("[data-add-line]");
    const template = document.getElementById("line-template");
    const rows = form.querySelector("[data-line-rows]");
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    if (!addButton || !template || !rows || !total) return;
    addButton.addEventListener("click", (event) => {
      event.preventDefault();
      const index = parseInt(total.value, 10) || 0;
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      const holder = document.createElement("tbody");
      holder.innerHTML = html;
      const row = holder.querySelector("[data-line]");
      if (!row) return;
      rows.appendChild(row);
      total.value = String(index + 1);
      setupProductPicker(row, pickUrl);
      const select = row.querySelector("select");
      if (select) select.focus();
    });
  }

  function init() {
    document.querySelectorAll("[data-customer-picker]").forEach(setupCustomerPicker);
    document.querySelectorAll("form[data-pick-url]").forEach(setupLines);
  }

  document.addEventListener("click", (event) => {
    document.querySelectorAll("[data-picker-results]").forEach((box) => {
      if (!box.hidden && !box.parentElement.contains(event.target)) hideResults(box);
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
