// The customer picker: typing suggests customers from the autocomplete view (a <datalist>);
// choosing one fills the hidden customer id. Without this the server finds the customer
// from the text typed.
(() => {
  const timers = new WeakMap();

  const sync = (input) => {
    const hidden = document.getElementById(input.dataset.customerPicker);
    const list = document.getElementById(input.getAttribute("list"));
    if (!hidden || !list) return null;
    const match = [...list.options].find((option) => option.value === input.value);
    hidden.value = match ? match.dataset.id : "";
    return match;
  };

  const suggest = async (input, q) => {
    const url = new URL(input.dataset.url, window.location.href);
    url.searchParams.set("q", q);
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    const data = await response.json();
    const list = document.getElementById(input.getAttribute("list"));
    list.replaceChildren(
      ...data.results.map((customer) => {
        const option = document.createElement("option");
        option.value = `${customer.code} · ${customer.name}`;
        option.dataset.id = customer.id;
        return option;
      }),
    );
    sync(input);
  };

  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches || !input.matches("[data-customer-picker]")) return;
    if (sync(input)) return;
    clearTimeout(timers.get(input));
    const q = input.value.trim();
    if (!q) return;
    timers.set(input, setTimeout(() => suggest(input, q).catch(() => {}), 200));
  });
})();
