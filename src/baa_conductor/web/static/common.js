// Shared by every page. Text from runs only ever reaches the page through textContent (el()
// below): worker output, file contents, ids and messages are never parsed as markup.

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "href") node.setAttribute("href", safeHref(value));
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Links are built here from ids and names, never taken from data: only same-origin paths and
// fragments pass, so no "javascript:" (or any other scheme) can become a link.
export function safeHref(href) {
  return /^(\/(?!\/)|#)/.test(href) ? href : "#";
}

export function runHref(task, run) {
  return `/runs/${encodeURIComponent(task)}/${encodeURIComponent(run)}`;
}

export function apiRun(task, run) {
  return `/api/runs/${encodeURIComponent(task)}/${encodeURIComponent(run)}`;
}

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error || `${response.status}`);
  return body;
}

export async function getText(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return { text: await response.text(), size: Number(response.headers.get("X-Baa-File-Size") || 0) };
}

export function statusBadge(status, live) {
  return el("span", { class: `status ${status}${live ? " live" : ""}`, text: status, title: live ? "a runner is at work on it" : null });
}

export function fmtTime(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function durationMs(state) {
  if (!state || !state.startedAt) return null;
  const end = state.finishedAt ? Date.parse(state.finishedAt) : Date.now();
  return Math.max(0, end - Date.parse(state.startedAt));
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function present(nodes) {
  return nodes.filter((node) => node !== null && node !== undefined);
}

export function setMain(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...present(children));
  return main;
}

export function showError(message) {
  setMain(el("h1", { text: "Cannot show this" }), el("p", { class: "problems", text: message }));
}

// ANSI: colours and text attributes from SGR sequences (ESC [ ... m) only. Every other escape
// sequence (cursor moves, OSC titles and hyperlinks, DCS, ...) is dropped whole, and the other
// control characters are shown as ^X: nothing else of the terminal reaches the page.

const CUBE = [0, 95, 135, 175, 215, 255];

function colour256(n) {
  if (n < 16) return { index: n };
  if (n < 232) {
    const i = n - 16;
    return { rgb: `rgb(${CUBE[Math.floor(i / 36)]}, ${CUBE[Math.floor(i / 6) % 6]}, ${CUBE[i % 6]})` };
  }
  const g = 8 + 10 * (n - 232);
  return { rgb: `rgb(${g}, ${g}, ${g})` };
}

function applySGR(style, params) {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((p) => (p === "" ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) Object.assign(style, { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null });
    else if (c === 1) style.bold = true;
    else if (c === 2) style.dim = true;
    else if (c === 3) style.italic = true;
    else if (c === 4) style.underline = true;
    else if (c === 22) style.bold = style.dim = false;
    else if (c === 23) style.italic = false;
    else if (c === 24) style.underline = false;
    else if (c >= 30 && c <= 37) style.fg = { index: c - 30 };
    else if (c >= 90 && c <= 97) style.fg = { index: c - 90 + 8 };
    else if (c === 39) style.fg = null;
    else if (c >= 40 && c <= 47) style.bg = { index: c - 40 };
    else if (c >= 100 && c <= 107) style.bg = { index: c - 100 + 8 };
    else if (c === 49) style.bg = null;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? "fg" : "bg";
      if (codes[i + 1] === 5 && i + 2 < codes.length) {
        const n = codes[i + 2];
        if (n >= 0 && n <= 255) style[key] = colour256(n);
        i += 2;
      } else if (codes[i + 1] === 2 && i + 4 < codes.length) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map((v) => Math.max(0, Math.min(255, v | 0)));
        style[key] = { rgb: `rgb(${r}, ${g}, ${b})` };
        i += 4;
      } else {
        i = codes.length;
      }
    }
  }
}

function styledSpan(text, style) {
  const span = document.createElement("span");
  span.textContent = text;
  const classes = [];
  if (style.bold) classes.push("ansi-bold");
  if (style.dim) classes.push("ansi-dim");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  if (style.fg) { if (style.fg.rgb) span.style.color = style.fg.rgb; else classes.push(`ansi-fg-${style.fg.index}`); }
  if (style.bg) { if (style.bg.rgb) span.style.backgroundColor = style.bg.rgb; else classes.push(`ansi-bg-${style.bg.index}`); }
  if (classes.length) span.className = classes.join(" ");
  return span;
}

// One escape sequence at text[i] (ESC or a C1 introducer): its end, and its SGR parameters.
function escapeAt(text, i) {
  let c = text[i];
  let j = i + 1;
  if (c === "\x1b") {
    const next = text[j];
    if (next === undefined) return { end: j };
    if (next === "[") { c = "\x9b"; j++; }
    else if (next === "]") { c = "\x9d"; j++; }
    else if ("PX^_".includes(next)) { c = "\x90"; j++; }
    else {
      // ESC followed by intermediates (0x20-0x2f) and one final byte.
      while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
      return { end: Math.min(j + 1, text.length) };
    }
  }
  if (c === "\x9b") {
    const start = j;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x3f) j++;
    const final = text[j];
    if (final === undefined) return { end: j };
    if (final === "m" && /^[0-9;:]*$/.test(text.slice(start, j))) return { end: j + 1, sgr: text.slice(start, j) };
    return { end: j + 1 };
  }
  if (c === "\x9d" || c === "\x90" || c === "\x98" || c === "\x9e" || c === "\x9f") {
    // A string up to BEL, ST (ESC \ or U+009C); a newline ends a runaway one.
    while (j < text.length) {
      const ch = text[j];
      if (ch === "\x07" || ch === "\x9c") return { end: j + 1 };
      if (ch === "\x1b" && text[j + 1] === "\\") return { end: j + 2 };
      if (ch === "\n") return { end: j };
      j++;
    }
    return { end: j };
  }
  return { end: i + 1 };
}

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
// Where plain text ends: a newline, an escape, any other control character.
const SPECIAL = /[\x00-\x1f\x7f-\x9f]/g;

function visibleControl(ch) {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return "^" + String.fromCharCode(code + 0x40);
  if (code === 0x7f) return "^?";
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

// The lines of a chunk of output, each a DocumentFragment of styled text.
export function ansiLines(text, style = { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null }) {
  const lines = [];
  let fragment = document.createDocumentFragment();
  let run = "";
  const flush = () => {
    if (run) { fragment.append(style.fg || style.bg || style.bold || style.dim || style.italic || style.underline ? styledSpan(run, style) : document.createTextNode(run)); run = ""; }
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\n") {
      flush();
      lines.push(fragment);
      fragment = document.createDocumentFragment();
      i++;
    } else if (ch === "\x1b" || ch === "\x9b" || ch === "\x9d" || ch === "\x90" || ch === "\x98" || ch === "\x9e" || ch === "\x9f") {
      flush();
      const found = escapeAt(text, i);
      if (found.sgr !== undefined) applySGR(style, found.sgr);
      i = Math.max(found.end, i + 1);
    } else if (ch === "\r") {
      i++; // a carriage return moves a terminal's cursor: not shown
    } else if (CONTROL.test(ch)) {
      flush();
      fragment.append(el("span", { class: "ctl", text: visibleControl(ch) }));
      i++;
    } else {
      SPECIAL.lastIndex = i + 1;
      const next = SPECIAL.exec(text);
      const j = next ? next.index : text.length;
      run += text.slice(i, j);
      i = j;
    }
  }
  flush();
  if (fragment.childNodes.length || !lines.length) lines.push(fragment);
  return lines;
}
