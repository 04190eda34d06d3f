// The admin's autocompletes (Select2) draw their own combobox beside the hidden <select>: give it the name of the
// field's label, so a screen reader says what is being chosen (axe: aria-input-field-name).
"use strict";
function portalNameAutocompletes() {
  document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
    const label = select.id ? document.querySelector(`label[for="${select.id}"]`) : null;
    const box = select.parentElement && select.parentElement.querySelector(".select2-selection[role=combobox]");
    if (label && box) {
      if (!label.id) {
        label.id = `${select.id}_label`;
      }
      box.setAttribute("aria-labelledby", `${label.id} ${box.getAttribute("aria-labelledby") || ""}`.trim());
    }
  });
}
window.addEventListener("load", portalNameAutocompletes);
