// The runs list: filters by task and status (kept in the URL), newest first, refreshed every
// two seconds while the tab is visible: new runs and status changes appear without a reload.

import { el, getJSON, runHref, statusBadge, fmtTime, fmtDuration, durationMs, setMain } from "./common.js";

const STATUSES = ["", "running", "prepared", "completed", "failed", "blocked", "cancelled", "interrupted", "lost", "unreadable"];
const REFRESH_MS = 2000;
const params = new URLSearchParams(location.search);
let shown = new Map(); // "task/run" -> the row's status key, to mark what changed
let pages = 1;
let timer = null;

const taskInput = el("input", { id: "task", type: "search", placeholder: "task", value: params.get("task") || "", "aria-label": "task" });
const statusSelect = el("select", { id: "status", "aria-label": "status" },
  STATUSES.map((s) => el("option", { value: s, text: s || "any status" })));
statusSelect.value = params.get("status") || "";
const tbody = el("tbody", { id: "runs" });
const more = el("button", { id: "more", text: "Older runs", hidden: "" });
const count = el("span", { class: "muted", id: "count" });
const liveNote = el("span", { class: "muted right", id: "updated" });

function query(cursor) {
  const q = new URLSearchParams();
  if (taskInput.value.trim()) q.set("task", taskInput.value.trim());
  if (statusSelect.value) q.set("status", statusSelect.value);
  if (cursor) q.set("cursor", cursor);
  return q;
}

function row(r) {
  const meta = r.meta || {};
  const state = r.state || {};
  const key = `${r.taskId}/${r.runId}`;
  const tr = el("tr", { "data-run": key }, [
    el("td", { class: "id" }, el("a", { href: `/?task=${encodeURIComponent(r.taskId)}`, text: r.taskId })),
    el("td", { class: "id" }, el("a", { href: runHref(r.taskId, r.runId), text: r.runId })),
    el("td", { class: "id", text: meta.stepId ?? "–" }),
    el("td", { text: meta.workerKind ?? "–" }),
    el("td", {}, [statusBadge(r.status, r.live), r.problem ? el("div", { class: "problems", text: r.problem }) : null]),
    el("td", { text: meta.attempt ?? "–" }),
    el("td", { class: "mono", text: fmtTime(state.startedAt) }),
    el("td", { text: fmtDuration(durationMs(r.state)) }),
    el("td", { text: state.exitCode ?? "–" }),
  ]);
  const status = `${r.status}${r.live}${state.updatedAt}`;
  if (shown.size && shown.get(key) !== status) tr.classList.add("changed");
  return [key, status, tr];
}

async function load() {
  const rows = [];
  let cursor = null;
  let body = null;
  for (let i = 0; i < pages; i++) {
    const q = query(cursor);
    body = await getJSON(`/api/runs?${q}`);
    rows.push(...body.runs);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  const next = new Map();
  const trs = rows.map((r) => { const [key, status, tr] = row(r); next.set(key, status); return tr; });
  tbody.replaceChildren(...trs);
  shown = next;
  more.hidden = !cursor;
  count.textContent = `${rows.length} shown of ${body.total} runs`;
  liveNote.textContent = `updated ${new Date().toLocaleTimeString()}`;
  if (!rows.length) tbody.append(el("tr", {}, el("td", { colspan: 9, class: "muted", text: "No runs match." })));
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    if (!document.hidden) await load().catch((e) => { liveNote.textContent = `cannot refresh: ${e.message}`; });
    schedule();
  }, REFRESH_MS);
}

function filtersChanged() {
  pages = 1;
  shown = new Map();
  const q = query(null);
  history.replaceState(null, "", q.toString() ? `/?${q}` : "/");
  load().catch((e) => { liveNote.textContent = e.message; });
}

taskInput.addEventListener("change", filtersChanged);
statusSelect.addEventListener("change", filtersChanged);
more.addEventListener("click", () => { pages += 1; load(); });

setMain(
  el("h1", { text: "Runs" }),
  el("div", { class: "filters" }, [el("label", {}, ["Task ", taskInput]), el("label", {}, ["Status ", statusSelect]), count, liveNote]),
  el("table", {}, [
    el("thead", {}, el("tr", {}, ["Task", "Run", "Step", "Kind", "Status", "Attempt", "Started", "Duration", "Exit"].map((h) => el("th", { text: h })))),
    tbody,
  ]),
  el("p", {}, more),
);
load().then(schedule, (e) => { liveNote.textContent = e.message; schedule(); });
