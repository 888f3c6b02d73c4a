// The studio editor: live checks and a live preview of the node under the cursor.
// Progressive enhancement: without this file the editor still saves, checks and previews on load.
"use strict";

// Never lose typing to a closed tab or a stray link: warn while a source box has unsaved changes.
document.querySelectorAll("form textarea.source:not([readonly])").forEach((box) => {
  const saved = box.value;
  window.addEventListener("beforeunload", (event) => {
    if (box.value !== saved && !box.form.dataset.submitting) {
      event.preventDefault();
    }
  });
  box.form.addEventListener("submit", () => {
    box.form.dataset.submitting = "true";
  });
});

(() => {
  const source = document.getElementById("source");
  if (!source || !source.dataset.checkUrl) {
    return;
  }
  const form = source.form;
  const token = form.querySelector("input[name=csrf_token]").value;
  const problems = document.getElementById("problems");
  const preview = document.getElementById("preview");
  let timer = null;
  let lastNode = null;

  const post = async (url, fields) => {
    const body = new FormData();
    body.append("csrf_token", token);
    Object.entries(fields).forEach(([name, value]) => body.append(name, value));
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  };

  // Whenever a check could not run, the panel must not go on saying "No problems".
  const showStale = (error) => {
    const why =
      error.status === 413
        ? "the source is larger than the check accepts (1 MB)"
        : error.status
          ? "the server could not check it just now"
          : "the connection to the server failed";
    const note = document.createElement("p");
    note.className = "stale-text";
    note.setAttribute("role", "status");
    note.textContent = `Checks out of date: ${why}. Saving checks the draft again.`;
    problems.setAttribute("data-stale", "true");
    problems.replaceChildren(note);
  };

  // The node whose text the cursor is in: the nearest ":: id | title" line above it.
  const nodeAtCursor = () => {
    const before = source.value.slice(0, source.selectionStart);
    const headers = before.match(/^::\s*([a-z0-9_-]+)/gm);
    return headers ? headers[headers.length - 1].replace(/^::\s*/, "") : "";
  };

  const showProblems = (list) => {
    problems.replaceChildren();
    if (list.length === 0) {
      const ok = document.createElement("p");
      ok.className = "ok-text";
      ok.textContent = "No problems: this draft passes every check.";
      problems.append(ok);
      return;
    }
    const ul = document.createElement("ul");
    ul.className = "problem-list";
    list.forEach((problem) => {
      const li = document.createElement("li");
      const line = document.createElement("span");
      line.className = "line-ref";
      line.textContent = `line ${problem.line}`;
      li.append(line, " ", problem.message);
      ul.append(li);
    });
    problems.append(ul);
  };

  const refresh = async () => {
    try {
      const checked = await post(source.dataset.checkUrl, { source: source.value });
      problems.removeAttribute("data-stale");
      showProblems(checked.problems);
    } catch (error) {
      showStale(error);
      return;
    }
    try {
      lastNode = nodeAtCursor();
      const shown = await post(source.dataset.previewUrl, { source: source.value, node: lastNode });
      // The server renders and sanitizes this HTML; author text never reaches the page unescaped.
      preview.innerHTML = shown.html;
    } catch (error) {
      preview.setAttribute("data-stale", "true");
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  };

  source.addEventListener("input", schedule);
  ["click", "keyup"].forEach((name) =>
    source.addEventListener(name, () => {
      if (nodeAtCursor() !== lastNode) {
        schedule();
      }
    }),
  );
})();
