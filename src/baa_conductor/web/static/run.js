// One run: header, the log (tail first, earlier lines on demand, permalinks, search, follow),
// the lifecycle timeline, the agent's activity, checkpoints as diffs, and each file raw with its
// schema verdict. Everything from the run is put in the page as text (el() / textContent).

import {
  el, getJSON, getText, apiRun, runHref, statusBadge, fmtTime, fmtDuration, durationMs, setMain, showError, ansiLines, present,
} from "./common.js";

const [, , taskPart, runPart] = location.pathname.split("/");
const task = decodeURIComponent(taskPart);
const run = decodeURIComponent(runPart);
const base = apiRun(task, run);

const PAGE = 500;          // entries per log request
const FIRST_PAGE = 1000;   // entries shown first (the end of the log)
const MAX_SHOWN_CHARS = 4000; // longer lines are cut until asked for in full

let detail = null;
let firstSeq = null;       // smallest seq shown
let lastSeq = null;        // largest seq shown
let earlier = false;       // entries exist before firstSeq
let later = false;         // entries exist after lastSeq (a window opened at a permalink)
let source = null;         // the EventSource while following
let follow = true;
let hits = [];
let hitIndex = -1;

const header = el("section", { id: "header" });
const logBox = el("div", { class: "log", id: "log", role: "log", "aria-label": "log", tabindex: "0" });
const earlierButton = el("button", { id: "earlier", text: "Load earlier lines", hidden: "" });
const laterButton = el("button", { id: "later", text: "Load later lines", hidden: "" });
const searchInput = el("input", { id: "search", type: "search", placeholder: "search loaded lines", "aria-label": "search" });
const searchCount = el("span", { class: "muted", id: "search-count" });
const followButton = el("button", { id: "follow", text: "Follow", "aria-pressed": "true", hidden: "" });
const liveNote = el("span", { class: "muted", id: "live-note" });
const logProblems = el("div", { class: "problems", id: "log-problems" });
const timeline = el("ol", { class: "timeline", id: "timeline" });
const agentBox = el("section", { id: "agent" });
const checkpointBox = el("section", { id: "checkpoints" });
const filesBox = el("details", { id: "files" }, el("summary", { text: "Files, raw, with their schema verdicts" }));

// -- the log ------------------------------------------------------------------------------------

function lineId(seq, k) { return k === 1 ? `L${seq}` : `L${seq}.${k}`; }

function cutLine(fragment, full) {
  // A very long line is shown cut (the rest on request): a 10 MB line stays a button press away.
  const text = fragment.textContent;
  if (text.length <= MAX_SHOWN_CHARS) return fragment;
  const shown = document.createDocumentFragment();
  shown.append(text.slice(0, MAX_SHOWN_CHARS));
  const button = el("button", { class: "cut", text: `… ${text.length - MAX_SHOWN_CHARS} more characters` });
  button.addEventListener("click", () => { button.parentNode.replaceChildren(full()); });
  shown.append(button);
  return shown;
}

function entryNodes(entry) {
  const nodes = [];
  if (entry.channel === undefined) {
    const level = entry.level || "info";
    const node = el("div", { class: `line event ${level}`, id: lineId(entry.seq, 1), "data-seq": entry.seq }, [
      el("a", { class: "ln", href: `#${lineId(entry.seq, 1)}`, text: entry.seq }),
      el("span", { class: "ch", text: "event" }),
      el("span", { class: "txt", text: `${entry.type}: ${entry.message}` }),
    ]);
    node.dataset.text = `${entry.type}: ${entry.message}`;
    nodes.push(node);
    return nodes;
  }
  const lines = ansiLines(entry.text);
  lines.forEach((fragment, index) => {
    const k = index + 1;
    const id = lineId(entry.seq, k);
    const plain = fragment.textContent;
    const txt = el("span", { class: "txt" });
    txt.append(cutLine(fragment, () => {
      const again = ansiLines(entry.text)[index];
      return again;
    }));
    const node = el("div", { class: `line ${entry.channel}`, id, "data-seq": entry.seq }, [
      el("a", { class: "ln", href: `#${id}`, text: k === 1 ? entry.seq : `${entry.seq}.${k}` }),
      el("span", { class: "ch", text: entry.channel === "stderr" ? "stderr" : "" }),
      txt,
    ]);
    node.dataset.text = plain;
    nodes.push(node);
  });
  return nodes;
}

function nodesOf(entries) {
  const fragment = document.createDocumentFragment();
  for (const entry of entries) for (const node of entryNodes(entry)) fragment.append(node);
  return fragment;
}

function noteProblems(problems) {
  for (const p of problems || []) logProblems.append(el("div", { text: p }));
}

// Lines off screen are laid out only when shown (content-visibility), so the log's height is
// an estimate until the lines at its end have been drawn: stay at the end until it settles.
function scrollToEnd(rounds = 6) {
  logBox.scrollTop = logBox.scrollHeight;
  if (rounds > 0) requestAnimationFrame(() => { if (follow || rounds > 3) scrollToEnd(rounds - 1); });
}

function atBottom() { return logBox.scrollHeight - logBox.scrollTop - logBox.clientHeight < 40; }

function append(entries) {
  const fresh = entries.filter((e) => lastSeq === null || e.seq > lastSeq);
  if (!fresh.length) return;
  const stick = follow && (atBottom() || lastSeq === null);
  logBox.append(nodesOf(fresh));
  for (const entry of fresh) if (entry.channel === undefined && entry.seq > timelineSeq) addEvent(entry);
  if (firstSeq === null) firstSeq = fresh[0].seq;
  lastSeq = fresh[fresh.length - 1].seq;
  if (stick) scrollToEnd();
  refreshSearch();
}

function prepend(entries) {
  const fresh = entries.filter((e) => firstSeq === null || e.seq < firstSeq);
  if (!fresh.length) return;
  const before = logBox.scrollHeight;
  logBox.prepend(nodesOf(fresh));
  logBox.scrollTop += logBox.scrollHeight - before;
  firstSeq = fresh[0].seq;
  if (lastSeq === null) lastSeq = fresh[fresh.length - 1].seq;
  refreshSearch();
}

async function loadEarlier() {
  if (firstSeq === null) return;
  const page = await getJSON(`${base}/log?before_seq=${firstSeq}&limit=${PAGE}`);
  prepend(page.entries);
  earlier = page.more;
  earlierButton.hidden = !earlier;
  noteProblems(page.problems);
}

async function loadLater() {
  if (lastSeq === null) return;
  const page = await getJSON(`${base}/log?after_seq=${lastSeq}&limit=${PAGE}`);
  append(page.entries);
  later = page.more;
  laterButton.hidden = !later;
  noteProblems(page.problems);
  if (!later) startFollowing();
}

function targetOf(hash) {
  const match = /^#L(\d+)(?:\.(\d+))?$/.exec(hash);
  return match ? { seq: Number(match[1]), id: hash.slice(1) } : null;
}

function markTarget(id) {
  for (const old of logBox.querySelectorAll(".target")) old.classList.remove("target");
  const node = document.getElementById(id);
  if (!node) return false;
  node.classList.add("target");
  node.scrollIntoView({ block: "center" });
  return true;
}

async function openLog() {
  const target = targetOf(location.hash);
  logBox.replaceChildren();
  firstSeq = lastSeq = null;
  if (target) {
    // A permalink: a window around its entry, then earlier and later lines on demand.
    const page = await getJSON(`${base}/log?after_seq=${Math.max(0, target.seq - 1)}&limit=${PAGE}`);
    append(page.entries);
    later = page.more;
    const before = await getJSON(`${base}/log?before_seq=${Math.max(1, target.seq)}&limit=100`);
    prepend(before.entries);
    earlier = before.more;
    noteProblems(page.problems);
    markTarget(target.id);
  } else {
    const page = await getJSON(`${base}/log?limit=${FIRST_PAGE}`);
    append(page.entries);
    earlier = page.more;
    later = false;
    noteProblems(page.problems);
    scrollToEnd();
  }
  earlierButton.hidden = !earlier;
  laterButton.hidden = !later;
  // The moment the log is on screen, for the benchmarks (performance.getEntriesByName).
  requestAnimationFrame(() => performance.mark("baa:log-shown"));
  if (!later) startFollowing();
}

function startFollowing() {
  if (source || !detail || !detail.live) return;
  followButton.hidden = false;
  liveNote.textContent = "live: new lines appear as they are written";
  source = new EventSource(`${base}/events?after_seq=${lastSeq ?? 0}`);
  source.addEventListener("entry", (event) => {
    const entry = JSON.parse(event.data);
    append([entry]);
  });
  source.addEventListener("state", (event) => updateState(JSON.parse(event.data)));
  source.addEventListener("end", (event) => {
    updateState(JSON.parse(event.data));
    source.close();
    source = null;
    followButton.hidden = true;
    liveNote.textContent = "the run has ended";
  });
}

// -- search (over the lines loaded) -------------------------------------------------------------

function refreshSearch() {
  if (searchInput.value) runSearch(false);
}

function runSearch(jump) {
  const needle = searchInput.value.toLowerCase();
  for (const node of hits) node.classList.remove("hit", "current");
  hits = [];
  if (!needle) { searchCount.textContent = ""; hitIndex = -1; return; }
  for (const node of logBox.children) {
    if ((node.dataset.text || "").toLowerCase().includes(needle)) { node.classList.add("hit"); hits.push(node); }
  }
  if (jump || hitIndex >= hits.length) hitIndex = hits.length ? 0 : -1;
  showHit();
}

function showHit() {
  for (const node of hits) node.classList.remove("current");
  if (hitIndex >= 0 && hits[hitIndex]) {
    hits[hitIndex].classList.add("current");
    hits[hitIndex].scrollIntoView({ block: "center" });
    searchCount.textContent = `${hitIndex + 1} of ${hits.length} in the lines loaded`;
  } else {
    searchCount.textContent = hits.length ? "" : "no match in the lines loaded";
  }
}

function step(by) {
  if (!hits.length) return;
  hitIndex = (hitIndex + by + hits.length) % hits.length;
  showHit();
}

// The whole log, searched by the server in steps; each match opens as a permalink.
const wholeButton = el("button", { id: "search-all", text: "Search the whole log" });
const wholeCount = el("span", { class: "muted", id: "search-all-count" });
let whole = null;

async function moreWhole() {
  while (whole.next !== null && whole.index + 1 >= whole.matches.length) {
    wholeCount.textContent = `searching the whole log… ${whole.matches.length} found`;
    const q = new URLSearchParams({ q: whole.query, after_seq: String(whole.next) });
    const page = await getJSON(`${base}/search?${q}`);
    whole.matches.push(...page.matches);
    whole.next = page.nextAfterSeq;
  }
}

async function stepWhole(by) {
  if (!whole || whole.query !== searchInput.value) {
    if (!searchInput.value) return;
    whole = { query: searchInput.value, matches: [], next: 0, index: -1 };
  }
  if (by > 0) await moreWhole();
  const index = whole.index + by;
  if (index < 0 || index >= whole.matches.length) {
    wholeCount.textContent = whole.matches.length ? `no more matches (${whole.matches.length} in the whole log)` : "no match in the whole log";
    return;
  }
  whole.index = index;
  const total = whole.next === null ? `${whole.matches.length}` : `${whole.matches.length}+`;
  wholeCount.textContent = `match ${index + 1} of ${total} in the whole log`;
  location.hash = `#${whole.matches[index].id}`;
}

wholeButton.addEventListener("click", (event) => { stepWhole(event.shiftKey ? -1 : 1).catch((e) => { wholeCount.textContent = e.message; }); });

searchInput.addEventListener("input", () => runSearch(true));
searchInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter") { event.preventDefault(); step(event.shiftKey ? -1 : 1); }
});

// -- header, timeline, agent, checkpoints, files ------------------------------------------------

function fact(label, value) {
  return el("div", {}, [el("span", { text: label }), value instanceof Node ? value : el("span", { text: value ?? "–" })]);
}

function renderHeader() {
  const { meta, state } = detail;
  const attempts = (detail.attempts || []).filter((a) => a.runId !== run);
  header.replaceChildren(...present([
    el("div", { class: "muted" }, [el("a", { href: `/?task=${encodeURIComponent(task)}`, text: task }), ` / ${meta.stepId}`]),
    el("h1", {}, [`${run} `, statusBadge(detail.status, detail.live)]),
    el("div", { class: "facts" }, [
      fact("status", detail.status),
      fact("exit code", state.exitCode ?? "–"),
      fact("duration", fmtDuration(durationMs(state))),
      fact("attempt", meta.attempt),
      fact("kind", meta.workerKind),
      fact("worker", meta.worker ?? "this machine's runner"),
      fact("started", fmtTime(state.startedAt)),
      fact("finished", fmtTime(state.finishedAt)),
      fact("checkpoints", meta.checkpointMode),
    ]),
    meta.command ? el("div", { class: "facts" }, fact("command", el("code", { text: meta.command }))) : null,
    meta.promptSummary ? el("div", { class: "facts" }, fact("prompt", meta.promptSummary)) : null,
    detail.nextAttempt
      ? el("div", { class: "facts", id: "next-attempt" }, fact("next attempt", el("a", { href: runHref(task, detail.nextAttempt), text: detail.nextAttempt })))
      : null,
    state.summary ? el("div", { class: "summary", id: "summary", text: state.summary }) : null,
    attempts.length
      ? el("div", { class: "facts", id: "attempts" }, [
        el("span", { class: "muted", text: "other runs of this step:" }),
        ...attempts.map((a) => el("span", {}, [el("a", { href: runHref(task, a.runId), text: `attempt ${a.attempt}` }), " ", statusBadge(a.status, false), ` ${a.runId}`])),
      ])
      : null,
  ]));
}

function updateState(body) {
  detail.status = body.status;
  detail.live = body.live;
  detail.state = body.state;
  renderHeader();
}

let timelineSeq = 0;

function addEvent(event) {
  timelineSeq = Math.max(timelineSeq, event.seq);
  const start = detail.state.startedAt ? Date.parse(detail.state.startedAt) : Date.parse(event.createdAt);
  const offset = Date.parse(event.createdAt) - start;
  timeline.append(el("li", { class: event.level }, [
    el("a", { class: "when", href: `#L${event.seq}`, text: `+${fmtDuration(offset)}` }),
    el("span", { class: "type", text: event.type }),
    el("span", { class: "msg", text: event.message }),
  ]));
}

function renderAgent(agent) {
  if (!agent) return;
  const usage = agent.usage;
  const parts = [el("h2", { text: "Agent" })];
  const facts = [];
  if (agent.threadId) facts.push(fact("thread", el("code", { text: agent.threadId })));
  if (usage) {
    const extra = [];
    if (usage.cacheWriteInputTokens !== undefined) extra.push(`${usage.cacheWriteInputTokens} written to cache`);
    if (usage.reasoningOutputTokens !== undefined) extra.push(`${usage.reasoningOutputTokens} of reasoning`);
    facts.push(fact("tokens", `${usage.inputTokens} in (${usage.cachedInputTokens} cached), ${usage.outputTokens} out${extra.length ? `; ${extra.join(", ")}` : ""}`));
  }
  if (agent.resumedFrom) facts.push(fact("resumed from", el("a", { href: runHref(task, agent.resumedFrom.runId), text: `${agent.resumedFrom.runId} (thread ${agent.resumedFrom.threadId})` })));
  facts.push(fact("events", agent.eventCount));
  parts.push(el("div", { class: "facts" }, facts));
  parts.push(el("h3", { text: `Commands (${agent.commands.length})` }));
  parts.push(el("table", { id: "agent-commands" }, [
    el("thead", {}, el("tr", {}, [el("th", { text: "exit" }), el("th", { text: "command" })])),
    el("tbody", {}, agent.commands.map((c) => el("tr", {}, [el("td", { text: c.exitCode ?? c.status }), el("td", {}, el("code", { text: c.command }))]))),
  ]));
  parts.push(el("h3", { text: `File changes (${agent.fileChanges.length})` }));
  parts.push(el("ul", {}, agent.fileChanges.map((f) => el("li", {}, [el("span", { class: "pill", text: f.kind }), " ", el("code", { text: f.path }), f.status === "completed" ? null : ` (${f.status})`]))));
  for (const warning of agent.warnings) parts.push(el("p", { class: "problems", text: `warning: ${warning}` }));
  if (agent.finalMessagePath) {
    const message = el("pre", { class: "raw", id: "final-message", text: "…" });
    parts.push(el("h3", { text: "Final message" }), message);
    const name = agent.finalMessagePath.split("/").pop();
    getText(`${base}/files/artifacts/${encodeURIComponent(name)}?length=1048576`)
      .then(({ text }) => { message.textContent = text; }, (e) => { message.textContent = `cannot read: ${e.message}`; });
  }
  agentBox.replaceChildren(...parts);
}

function diffView(text) {
  const box = el("div", { class: "diff" });
  for (const line of text.split("\n")) {
    let cls = "";
    if (line.startsWith("diff --git") || line.startsWith("+++ ") || line.startsWith("--- ")) cls = "file";
    else if (line.startsWith("@@")) cls = "hunk";
    else if (line.startsWith("+")) cls = "add";
    else if (line.startsWith("-")) cls = "del";
    box.append(el("div", { class: cls, text: line || " " }));
  }
  return box;
}

function renderCheckpoints(records) {
  if (!records.length) return;
  const parts = [el("h2", { text: `Checkpoints (${records.length})` })];
  for (const record of records) {
    const label = record.status === "failed"
      ? `#${record.seq} ${record.reason}: failed: ${record.error || ""}`
      : `#${record.seq} ${record.reason}: ${(record.files || []).length} files, ${record.patch ? record.patch.bytes : 0} bytes of patch`;
    const body = el("div", { class: "body" }, el("span", { class: "muted", text: "…" }));
    const details = el("details", { class: "checkpoint" }, [el("summary", { text: `${label} · ${fmtTime(record.createdAt)}` }), body]);
    let loaded = false;
    details.addEventListener("toggle", () => {
      if (!details.open || loaded || record.status === "failed") return;
      loaded = true;
      getText(`${base}/files/checkpoints/${record.seq}.patch?length=2097152`).then(({ text, size }) => {
        body.replaceChildren(...present([diffView(text), size > 2097152 ? el("p", { class: "muted", text: `the first 2 MiB of ${size} bytes` }) : null]));
      }, (e) => body.replaceChildren(el("span", { class: "problems", text: e.message })));
    });
    parts.push(details);
  }
  checkpointBox.replaceChildren(...parts);
}

function fileRow(file) {
  const verdict = file.verdict || (file.schema ? "" : "no schema");
  const verdictClass = verdict.split(/[ :]/)[0];
  const body = el("div", { class: "body" });
  const details = el("details", { class: "file" }, [
    el("summary", {}, [el("code", { text: file.name }), ` · ${file.size} bytes · `, file.schema ? `${file.schema}: ` : "", el("span", { class: `verdict ${verdictClass}`, text: verdict })]),
    body,
  ]);
  let loaded = false;
  details.addEventListener("toggle", () => {
    if (!details.open || loaded) return;
    loaded = true;
    const path = file.name.split("/").map(encodeURIComponent).join("/");
    getText(`${base}/files/${path}?length=262144`).then(({ text, size }) => {
      body.replaceChildren(...present([el("pre", { class: "raw", text }), size > 262144 ? el("p", { class: "muted", text: `the first 256 KiB of ${size} bytes` }) : null]));
    }, (e) => body.replaceChildren(el("span", { class: "problems", text: e.message })));
  });
  return details;
}

let filesLoaded = false;
filesBox.addEventListener("toggle", () => {
  if (!filesBox.open || filesLoaded) return;
  filesLoaded = true;
  const list = el("div", { class: "body", text: "…" });
  filesBox.append(list);
  getJSON(`${base}/files`).then((body) => list.replaceChildren(...body.files.map(fileRow)),
    (e) => list.replaceChildren(el("span", { class: "problems", text: e.message })));
});

// -- the page -----------------------------------------------------------------------------------

async function main() {
  try {
    detail = await getJSON(base);
  } catch (e) {
    showError(e.message);
    return;
  }
  document.title = `${run} · ${task} · baa`;
  renderHeader();
  followButton.addEventListener("click", () => {
    follow = !follow;
    followButton.setAttribute("aria-pressed", String(follow));
    if (follow) scrollToEnd();
  });
  earlierButton.addEventListener("click", () => loadEarlier());
  laterButton.addEventListener("click", () => loadLater());
  setMain(
    header,
    el("h2", { text: "Log" }),
    el("div", { class: "toolbar" }, [searchInput, el("button", { text: "↑", title: "previous match", onclick: () => step(-1) }),
      el("button", { text: "↓", title: "next match", onclick: () => step(1) }), searchCount, wholeButton, wholeCount,
      el("span", { class: "right" }), liveNote, followButton]),
    el("div", {}, earlierButton),
    logBox,
    el("div", {}, laterButton),
    logProblems,
    el("h2", { text: `Lifecycle (${detail.eventCount} events)` }),
    timeline,
    agentBox,
    checkpointBox,
    el("h2", { text: "Files" }),
    filesBox,
    detail.problems.length ? el("div", { class: "problems" }, detail.problems.map((p) => el("div", { text: p }))) : null,
  );
  for (const event of detail.events) addEvent(event);
  renderAgent(detail.agent);
  renderCheckpoints(detail.checkpoints);
  await openLog();
  window.addEventListener("hashchange", () => {
    const target = targetOf(location.hash);
    if (target && !markTarget(target.id)) {
      if (source) { source.close(); source = null; }
      openLog();
    }
  });
}

main();
