// One contract schema for people: the contracts' own page for it (Markdown generated from the
// schema with its properties, types, constraints, descriptions, version and an example from the
// fixtures, shipped beside the schemas), and the schema itself as shipped.

import { el, getText, setMain, showError } from "./common.js";
import { renderMarkdown } from "./markdown.js";

const name = decodeURIComponent(location.pathname.split("/")[2] || "");

async function main() {
  let schema;
  try {
    schema = JSON.parse((await getText(`/api/schemas/${encodeURIComponent(name)}`)).text);
  } catch (e) {
    showError(e.message);
    return;
  }
  document.title = `${name} · baa`;
  const doc = await getText(`/api/schemas/${encodeURIComponent(name)}/page`).catch(() => null);
  setMain(
    el("div", { class: "muted" }, el("a", { href: "/schemas", text: "Schemas" })),
    doc
      ? el("article", { id: "doc" }, renderMarkdown(doc.text))
      : el("article", { id: "doc" }, [el("h1", { text: schema.title || name }), el("p", { text: schema.description || "" })]),
    el("details", { id: "raw" }, [el("summary", { text: "The schema as shipped (JSON)" }), el("div", { class: "body" }, el("pre", { class: "raw", text: JSON.stringify(schema, null, 2) }))]),
  );
}

main();
