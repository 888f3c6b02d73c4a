// Progressive enhancement only: every page works without this file.
"use strict";

// After a form is sent, its buttons wait for the answer, so a double click sends once.
// The server already ignores a repeated step; this spares the learner the confusion.
document.addEventListener("submit", (event) => {
  const form = event.target;
  window.setTimeout(() => {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((button) => {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    });
  }, 0);
});

// Browsers restore pages from the back/forward cache with buttons still disabled.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("button[aria-disabled=true]").forEach((button) => {
    button.disabled = false;
    button.removeAttribute("aria-disabled");
  });
});
