// Every contract schema, with its version and what it describes.

import { el, getJSON, setMain, showError } from "./common.js";

getJSON("/api/schemas").then((body) => {
  setMain(
    el("h1", { text: "Contract schemas" }),
    el("p", { class: "muted", text: "JSON Schema 2020-12. The HTTP API is described in /api/openapi.json on these same schemas." }),
    el("table", {}, [
      el("thead", {}, el("tr", {}, ["Schema", "Version", "Description"].map((h) => el("th", { text: h })))),
      el("tbody", {}, body.schemas.map((s) => el("tr", {}, [
        el("td", {}, el("a", { href: `/schemas/${encodeURIComponent(s.name)}`, text: s.name })),
        el("td", { text: s.version ?? "–" }),
        el("td", { text: s.description }),
      ]))),
    ]),
  );
}, (e) => showError(e.message));
