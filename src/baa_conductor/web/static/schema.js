// One contract schema for people: what it is, its properties with their types, whether they are
// required, their constraints and descriptions, an example from the fixtures, and the JSON itself.

import { el, getJSON, getText, setMain, showError } from "./common.js";

const name = decodeURIComponent(location.pathname.split("/")[2] || "");

function refName(ref) {
  const file = ref.split("#")[0].split("/").pop();
  return file.replace(/\.schema\.json$/, "");
}

function typeNode(schema) {
  if (!schema || typeof schema !== "object") return document.createTextNode(schema === true ? "anything" : "nothing");
  if (schema.$ref) {
    const target = refName(schema.$ref);
    return target ? el("a", { href: `/schemas/${encodeURIComponent(target)}`, text: target }) : el("span", { text: schema.$ref });
  }
  const parts = document.createDocumentFragment();
  const alternatives = schema.oneOf || schema.anyOf;
  if (alternatives) {
    alternatives.forEach((alt, i) => { if (i) parts.append(" | "); parts.append(typeNode(alt)); });
    return parts;
  }
  if (schema.allOf) {
    schema.allOf.forEach((alt, i) => { if (i) parts.append(" & "); parts.append(typeNode(alt)); });
    return parts;
  }
  if (schema.const !== undefined) return el("code", { text: JSON.stringify(schema.const) });
  if (schema.enum) return el("span", {}, schema.enum.flatMap((v, i) => [i ? " | " : "", el("code", { text: JSON.stringify(v) })]));
  const type = [].concat(schema.type || "any").join(" | ");
  if (type === "array" && schema.items) {
    parts.append("array of ", typeNode(schema.items));
    return parts;
  }
  return el("span", { text: type });
}

const CONSTRAINTS = ["minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "default"];

function constraints(schema) {
  const out = [];
  if (!schema || typeof schema !== "object") return out;
  for (const key of CONSTRAINTS) {
    if (schema[key] !== undefined) out.push(el("span", { class: "constraint", text: `${key}: ${JSON.stringify(schema[key])}` }));
  }
  if (schema.additionalProperties === false) out.push(el("span", { class: "constraint", text: "no other properties" }));
  if (schema.items && typeof schema.items === "object") out.push(...constraints(schema.items).map((c) => { c.textContent = `items ${c.textContent}`; return c; }));
  return out;
}

function propertyRows(schema, prefix, depth, rows) {
  const required = new Set(schema.required || []);
  for (const [prop, sub] of Object.entries(schema.properties || {})) {
    const path = prefix ? `${prefix}.${prop}` : prop;
    rows.push(el("tr", { id: `p-${path}` }, [
      el("td", {}, [el("span", { text: path }), required.has(prop) ? el("span", { class: "req", text: "required" }) : null]),
      el("td", {}, typeNode(sub)),
      el("td", {}, constraints(sub)),
      el("td", { text: (sub && sub.description) || "" }),
    ]));
    if (depth < 4 && sub && typeof sub === "object") {
      if (sub.properties) propertyRows(sub, path, depth + 1, rows);
      else if (sub.items && sub.items.properties) propertyRows(sub.items, `${path}[]`, depth + 1, rows);
    }
  }
  return rows;
}

async function main() {
  let schema;
  try {
    schema = JSON.parse((await getText(`/api/schemas/${encodeURIComponent(name)}`)).text);
  } catch (e) {
    showError(e.message);
    return;
  }
  const parts = [
    el("div", { class: "muted" }, el("a", { href: "/schemas", text: "Schemas" })),
    el("h1", {}, [`${schema.title || name} `, el("span", { class: "pill", text: `version ${schema["x-version"] ?? "?"}` })]),
    el("p", { class: "mono muted", text: schema.$id || "" }),
    el("p", { id: "description", text: schema.description || "" }),
    el("div", { class: "facts" }, [el("div", {}, [el("span", { class: "muted", text: "type " }), typeNode(schema)]), ...constraints(schema)]),
  ];
  if (schema.properties) {
    parts.push(el("h2", { text: "Properties" }));
    parts.push(el("table", { class: "schema-props", id: "properties" }, [
      el("thead", {}, el("tr", {}, ["Property", "Type", "Constraints", "Description"].map((h) => el("th", { text: h })))),
      el("tbody", {}, propertyRows(schema, "", 0, [])),
    ]));
  }
  const examples = el("section", { id: "examples" });
  parts.push(examples);
  parts.push(el("details", {}, [el("summary", { text: "The schema as shipped (JSON)" }), el("div", { class: "body" }, el("pre", { class: "raw", text: JSON.stringify(schema, null, 2) }))]));
  setMain(...parts);
  document.title = `${name} · baa`;
  const body = await getJSON(`/api/schemas/${encodeURIComponent(name)}/examples`).catch(() => ({ examples: [] }));
  if (body.examples.length) {
    examples.append(el("h2", { text: body.examples.length > 1 ? "Examples" : "Example" }));
    for (const example of body.examples) {
      examples.append(el("p", { class: "muted", text: example.source }));
      examples.append(el("pre", { class: "raw summary", text: JSON.stringify(example.value, null, 2) }));
    }
  }
}

main();
