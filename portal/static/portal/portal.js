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
