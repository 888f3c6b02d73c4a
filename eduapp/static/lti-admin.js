// The admin's LTI tool configuration page: "Copy" buttons for the values an LMS admin pastes.
// Progressive enhancement: the buttons stay hidden without this file (they get their button
// style here, as the style's display would show a hidden button), and every value can be
// selected and copied by hand. Loaded only by the LTI admin templates (no inline script: CSP).
"use strict";

(() => {
  const status = document.getElementById("copy-status");
  // How long a button says "Copied" before it reads "Copy" again.
  const SHOWN_MS = 2000;

  const announce = (text) => {
    if (!status) return;
    // Emptied first, so that copying the same value twice is announced twice.
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  };

  // Where the asynchronous clipboard is missing (plain http on another host), a selected
  // off-screen text area and the older copy command still copy.
  const copyBySelection = (value) => {
    const area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  };

  const copyText = (value) => {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(value).catch(() => copyBySelection(value));
    }
    return copyBySelection(value);
  };

  // "Copy Target link URI" copies the target link URI.
  const nameOf = (button) => button.textContent.replace(/^\s*Cop(y|ied)\s*/, "").trim();

  const showCopied = (button) => {
    const label = button.firstChild;
    if (!label || label.nodeType !== Node.TEXT_NODE) return;
    label.textContent = label.textContent.replace(/^Copy\b/, "Copied");
    window.clearTimeout(button.copiedTimer);
    button.copiedTimer = window.setTimeout(() => {
      label.textContent = label.textContent.replace(/^Copied\b/, "Copy");
    }, SHOWN_MS);
  };

  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.classList.add("button", "small");
    button.hidden = false;
    button.addEventListener("click", () => {
      const focusBack = document.activeElement;
      copyText(button.dataset.copy).then(
        () => {
          showCopied(button);
          announce(`Copied ${nameOf(button)}.`);
        },
        () => announce(`Could not copy ${nameOf(button)}: select it and copy it by hand.`),
      ).finally(() => {
        if (focusBack instanceof HTMLElement) focusBack.focus();
      });
    });
  });
})();
