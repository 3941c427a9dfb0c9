// The service request form: the complaint category is asked only for a complaint type (the
// type select lists the complaint types' ids in data-complaint-types). Without this script
// the field is always shown; the server asks for it when the type is a complaint.
(() => {
  const sync = (select) => {
    const form = select.form;
    const category = form && form.querySelector("[name=complaint_category]");
    const box = category && category.closest("div");
    if (!box) return;
    const ids = (select.dataset.complaintTypes || "").split(" ").filter(Boolean);
    const complaint = ids.includes(select.value);
    box.classList.toggle("d-none", !complaint);
    category.required = complaint;
  };

  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("select[data-complaint-types]")) {
      sync(event.target);
    }
  });
  const init = () => document.querySelectorAll("select[data-complaint-types]").forEach(sync);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
