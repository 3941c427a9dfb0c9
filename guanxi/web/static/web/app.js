// Small behaviours without inline script (the CSP forbids it).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
// The quick search dropdown: arrow keys move between the results, Escape closes it.
document.addEventListener("keydown", (event) => {
  const box = event.target.closest && event.target.closest(".quick-search");
  if (!box) return;
  const input = box.querySelector("[data-quick-search]");
  const links = Array.from(box.querySelectorAll("#quick-search-results a"));
  const at = links.indexOf(document.activeElement);
  if (event.key === "ArrowDown" && links.length) {
    event.preventDefault();
    links[Math.min(at + 1, links.length - 1)].focus();
  } else if (event.key === "ArrowUp" && links.length) {
    event.preventDefault();
    if (at <= 0) input.focus(); else links[at - 1].focus();
  } else if (event.key === "Escape") {
    box.querySelector("#quick-search-results").innerHTML = "";
    input.focus();
  }
});
