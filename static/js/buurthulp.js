// Every page (templates/base.html): the phone menu, the error summary after a failed save, and the
// confirmation of destructive actions. No inline script (strict CSP); everything works without this file.
"use strict";

// --- the menu on a phone: one "Menu" button (buurthulp.css hides the list while aria-expanded="false") ---
(function () {
  const nav = document.querySelector(".site-nav");
  const button = nav && nav.querySelector(".menu-toggle");
  if (!button) return;
  nav.classList.add("js-menu");
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and puts the focus back on its button.
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();

// --- after a failed save: go to the error summary (templates/_error_summary.html, tabindex="-1") ---
(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
})();

// --- destructive actions: a button (or form) with data-confirm="question" asks before it is sent ---
document.addEventListener(
  "submit",
  function (event) {
    const button = event.submitter;
    const question =
      (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
