// Small progressive enhancements; every page works without them.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A second tap on a slow connection must not send the form twice (the server refuses it anyway).
  if (form.hasAttribute("data-submit-once")) {
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; });
  }
});

// After a refused form, bring its errors into view (they may sit below the fold on a tablet).
document.addEventListener("DOMContentLoaded", () => {
  const errors = document.querySelector(".form-errors, .field .errorlist");
  if (errors) {
    errors.scrollIntoView({ block: "center" });
    errors.focus({ preventScroll: true });
  }
});

// ==== e-approval (approvals/) ==========================================================================
// One tap, one action: a form marked data-once sends once; its buttons are disabled after the first submit
// (a form that data-confirm cancelled stays usable). The services refuse a second action anyway.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-once]") || event.defaultPrevented) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // Disabled after the submission has read the form, so the pressed button's own value still goes out.
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach((button) => { button.disabled = true; });
    if (form.id) {
      document.querySelectorAll(`button[type=submit][form="${form.id}"]`).forEach((button) => { button.disabled = true; });
    }
  }, 0);
});

// Bulk approval (一括承認): "select all" ticks every row of its form; the bar says how many are ticked. Rows may
// be replaced by the live update, so everything is looked up at the time of the event.
function approvalsSelection(formId) {
  return Array.from(document.querySelectorAll(`input[type=checkbox][name=slot][form="${formId}"]`));
}

function approvalsShowCount(formId) {
  const form = document.getElementById(formId);
  if (!form) {
    return;
  }
  const boxes = approvalsSelection(formId);
  const ticked = boxes.filter((box) => box.checked).length;
  const count = form.querySelector("[data-selected-count]");
  if (count) {
    count.textContent = ticked ? (count.dataset.selectedCount || "{n}").replace("{n}", ticked) : "";
  }
  const all = form.querySelector("[data-select-all]");
  if (all) {
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches("[data-select-all]")) {
    approvalsSelection(box.dataset.selectAll).forEach((row) => { row.checked = box.checked; });
    approvalsShowCount(box.dataset.selectAll);
  } else if (box.matches("input[type=checkbox][name=slot][form]")) {
    approvalsShowCount(box.getAttribute("form"));
  }
});
