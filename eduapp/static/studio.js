// The studio editor: live checks, a live preview of the node under the cursor, and the source
// box's line numbers, problem links and hints.
// Progressive enhancement: without this file the editor still saves, checks and previews on load,
// and each problem's "line 61" is a link to the source box.
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

// ---- Reading the source around the caret -------------------------------------------------
// Each of these looks only as far as it must (indexOf, lastIndexOf), never splits the text:
// a draft may be 2 MB.

const countLines = (text, end = text.length) => {
  let lines = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < end; at = text.indexOf("\n", at + 1)) {
    lines += 1;
  }
  return lines;
};

const lineStartOf = (text, number) => {
  let at = 0;
  for (let line = 1; line < number; line += 1) {
    const next = text.indexOf("\n", at);
    if (next === -1) {
      break;
    }
    at = next + 1;
  }
  return at;
};

const lineAround = (text, pos) => {
  const start = text.lastIndexOf("\n", pos - 1) + 1;
  const end = text.indexOf("\n", pos);
  return text.slice(start, end === -1 ? text.length : end);
};

// The same rule as eduapp/studio/source_lines.py: a part starts with a "::" line.
const HEADER = /^::[ \t]*([^\s|]{1,64})/;

// The id of the node (section, question) the caret is in: the nearest "::" line above it
// ("" if its id cannot be read); null in the header, above the first one.
const partAt = (text, pos) => {
  let at = pos > 0 ? text.lastIndexOf("\n::", pos - 1) : -1;
  if (at === -1 && !text.startsWith("::")) {
    return null;
  }
  at = at === -1 ? 0 : at + 1;
  const match = HEADER.exec(lineAround(text, at));
  return match ? match[1] : "";
};

const declaredVariables = (text) => {
  const first = text.search(/^::/m);
  const header = first === -1 ? text : text.slice(0, first);
  return Array.from(header.matchAll(/^var\s+([a-z][a-z0-9_]*)/gm), (match) => match[1]);
};

// ---- Hints for the line under the caret ---------------------------------------------------

const variablesHint = (text) => {
  const names = declaredVariables(text);
  return names.length
    ? ` Variables declared: ${names.join(", ")}.`
    : " No variable is declared yet: add a var line to the header.";
};

// [pattern, hint]: the first pattern the line matches gives its hint, a text or a function of
// the line and the whole source.
const choiceHint = (line) => {
  const target = /->\s*([^\]\s]+)\s*\]\]\s*$/.exec(line);
  const here = target ? ` (here '${target[1]}')` : "";
  return `A choice: the label learners see, then -> and the target node's id${here}.`;
};
const SCENARIO_HINTS = [
  [/^::/, "A node's header: its id (lowercase letters, digits, - and _), then | and its title."],
  [/^\[\[/, choiceHint],
  [
    /^\s{2,}if:/,
    (line, text) =>
      "A condition: the choice above is offered only when it holds " +
      "(==, !=, <, <=, >, >=, and, or, not)." +
      variablesHint(text),
  ],
  [
    /^\s{2,}set:/,
    (line, text) =>
      "Effects of the choice above, separated by commas: " +
      "name = value, name += number, name -= number." +
      variablesHint(text),
  ],
  [/^\s{2,}feedback:/, "Feedback shown after the choice above: what it gains and what it costs."],
  [/^speaker:/, "Whose voice the node gives: patient, carer, nurse, ..."],
  [/^reflect:/, "A reflection prompt: the learner is offered a text box with this question."],
  [/^ending:/, "Makes the node an ending, with this label: no choices, and a debrief: line."],
  [/^debrief:/, "The ending's debrief, in Markdown, up to the next node."],
];
const ASSESSMENT_HINTS = [
  [/^::/, "A question's header: its id, then | and its title; a type: line follows."],
  [/^type:/, "The question's type: single, multiple, text, scale or concordance."],
  [/^points:/, "What the question is worth: a whole number from 1."],
  [/^- \[[xX ]\]/, "An option: [x] marks a correct one, [ ] a wrong one."],
  [/^feedback:/, "Shown to the learner after answering, whatever the answer."],
  [/^(rubric|model answer):/, "For a text question: how tutors mark it."],
];
const MODULE_HINTS = [
  [/^::/, "A section: :: reading (required) or :: references."],
  [/^outcome:/, "A learning outcome, one line each."],
  [/^scenario:/, "The id of a scenario the module contains, in the order shown."],
];
const HINTS = { scenario: SCENARIO_HINTS, assessment: ASSESSMENT_HINTS, module: MODULE_HINTS };
// Above the first "::" line: the header's key: value lines.
const HEADER_HINTS = [
  [/^var\b/, "A variable: var name = value | description (a whole number, or true or false)."],
  [/^start:/, "The id of the node the scenario starts with."],
  [/^author:/, "An author: kind | credit (kind: patient educator, student or staff)."],
  [/^[a-z_ ]+:/, "A header line: key: value."],
];
const BODY_HINTS = {
  scenario: "The node's text, in Markdown.",
  assessment: "The question, in Markdown.",
  module: "The section's text, in Markdown.",
};

const hintFor = (kind, text, pos, inHeader) => {
  const line = lineAround(text, pos);
  if (line.trim() === "") {
    return "";
  }
  const rules = inHeader ? HEADER_HINTS : HINTS[kind] || [];
  const rule = rules.find(([pattern]) => pattern.test(line));
  if (rule) {
    return typeof rule[1] === "function" ? rule[1](line, text) : rule[1];
  }
  return inHeader ? "" : BODY_HINTS[kind] || "";
};

// ---- The editor --------------------------------------------------------------------------

(() => {
  const source = document.getElementById("source");
  if (!source || !source.dataset.checkUrl) {
    return;
  }
  const form = source.form;
  const token = form.querySelector("input[name=csrf_token]").value;
  const problems = document.getElementById("problems");
  const preview = document.getElementById("preview");
  const kind = source.dataset.kind || "scenario";
  const partWord = problems.dataset.partWord || "node";
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
        ? "the source is larger than the check accepts"
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

  const nodeAtCursor = () => partAt(source.value, source.selectionStart) || "";

  // The same list as the server renders (editor.html, "Checks"): each line a link to it.
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
      const line = document.createElement("a");
      line.className = "line-ref";
      line.href = "#source";
      line.dataset.line = problem.line;
      line.textContent = `line ${problem.line}`;
      const where = problem.node ? `, in ${partWord} '${problem.node}'` : "";
      li.append(line, `${where}: ${problem.message}`);
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

  const followCaret = () => {
    if (nodeAtCursor() !== lastNode) {
      schedule();
    }
  };

  source.addEventListener("input", schedule);
  ["click", "keyup"].forEach((name) => source.addEventListener(name, followCaret));

  // ---- Line numbers: a gutter beside the box, hidden from screen readers (the status line
  // below says where the caret is). It holds one text node with only the numbers of the lines
  // in view, "\n"-joined, rewritten when the first line in view or the number of lines changes
  // and scrolled by less than a line to sit level with the box: a 2 MB draft's 70,000 numbers
  // would cost the browser half a second to lay out at every new line. studio.css gives the box
  // and the gutter one whole-pixel line height, so line n is at the same height in both.
  const editor = document.createElement("div");
  editor.className = "source-editor";
  const gutter = document.createElement("div");
  gutter.className = "source-gutter";
  gutter.setAttribute("aria-hidden", "true");
  const numbers = document.createElement("pre");
  numbers.className = "source-numbers";
  const digits = document.createTextNode("");
  numbers.append(digits);
  gutter.append(numbers);
  source.before(editor);
  editor.append(gutter, source);

  let lineCount = countLines(source.value);
  let lineHeight = 20;
  let padding = 0;
  const measure = () => {
    const style = window.getComputedStyle(source);
    lineHeight = parseFloat(style.lineHeight) || lineHeight;
    padding = parseFloat(style.paddingTop) || 0;
  };
  const drawNumbers = () => {
    const top = source.scrollTop;
    const first = Math.max(1, Math.floor((top - padding) / lineHeight) + 1);
    const last = Math.min(lineCount, first + Math.ceil(source.clientHeight / lineHeight) + 1);
    // Every number as wide as the last one (figure spaces), so the gutter keeps its width.
    const width = String(lineCount).length;
    const shown = [];
    for (let n = first; n <= last; n += 1) {
      shown.push(String(n).padStart(width, "\u2007"));
    }
    const text = shown.join("\n");
    if (digits.data !== text) {
      digits.data = text;
    }
    numbers.scrollTop = top - (first - 1) * lineHeight;
  };
  let drawing = false;
  const redraw = () => {
    if (!drawing) {
      drawing = true;
      window.requestAnimationFrame(() => {
        drawing = false;
        drawNumbers();
      });
    }
  };
  source.addEventListener("input", () => {
    lineCount = countLines(source.value);
    redraw();
  });
  source.addEventListener("scroll", drawNumbers);
  new ResizeObserver(() => {
    measure();
    redraw();
  }).observe(source);
  measure();
  drawNumbers();

  // ---- Where the caret is, and a hint for its line. The visible line is rewritten as the caret
  // moves; a separate polite region speaks only once the caret rests after moving (keys that
  // move it, a click, a problem link), or when typing turns the line into another kind.
  const status = document.createElement("div");
  status.className = "source-status";
  const position = document.createElement("p");
  position.className = "source-position";
  const spoken = document.createElement("p");
  spoken.className = "visually-hidden";
  // A polite live region, not role=status: the page's flash messages are its one status.
  spoken.setAttribute("aria-live", "polite");
  spoken.setAttribute("aria-atomic", "true");
  status.append(position, spoken);
  editor.after(status);

  const describe = () => {
    const text = source.value;
    const pos = source.selectionStart;
    const part = partAt(text, pos);
    const where = part ? `, in ${partWord} '${part}'` : part === null ? ", in the header" : "";
    const hint = hintFor(kind, text, pos, part === null);
    return { line: `Line ${countLines(text, pos)}${where}.`, hint };
  };

  let shownHint = null;
  let speakTimer = null;
  let showTimer = null;
  const show = () => {
    const now = describe();
    position.textContent = now.hint ? `${now.line} ${now.hint}` : now.line;
    return now;
  };
  // Said: where the caret is, and the hint only when it is not the one said last.
  const speak = () => {
    const now = show();
    const said = now.hint && now.hint !== shownHint ? `${now.line} ${now.hint}` : now.line;
    shownHint = now.hint;
    if (spoken.textContent !== said) {
      spoken.textContent = said;
    }
  };
  const moved = (delay = 500) => {
    window.clearTimeout(speakTimer);
    speakTimer = window.setTimeout(speak, delay);
  };
  const typed = () => {
    window.clearTimeout(showTimer);
    showTimer = window.setTimeout(() => {
      if (show().hint !== shownHint) {
        moved(0);
      }
    }, 700);
  };
  const MOVES = new Set([
    ...["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"],
    ...["PageUp", "PageDown", "Home", "End"],
  ]);
  source.addEventListener("keyup", (event) => {
    if (MOVES.has(event.key)) {
      moved();
    }
  });
  source.addEventListener("mouseup", () => moved());
  source.addEventListener("focus", () => moved());
  source.addEventListener("input", typed);
  show();

  // ---- A problem's "line 61": the caret to the start of that line, the line in view, the focus
  // in the box (the links work in the list the server rendered and in every live one).
  const goToLine = (number) => {
    const text = source.value;
    const at = lineStartOf(text, number);
    source.focus({ preventScroll: true });
    source.setSelectionRange(at, at);
    const above = (countLines(text, at) - 1) * lineHeight;
    source.scrollTop = Math.max(0, above - source.clientHeight / 3);
    source.scrollLeft = 0;
    drawNumbers();
    source.scrollIntoView({ block: "nearest" });
    followCaret();
    moved(0);
  };
  problems.addEventListener("click", (event) => {
    const link = event.target.closest("a.line-ref[data-line]");
    if (link) {
      event.preventDefault();
      goToLine(Number(link.dataset.line));
    }
  });
})();
