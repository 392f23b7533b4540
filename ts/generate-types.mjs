// Generates ../generated/typescript/contracts.d.ts from the JSON Schemas with json-schema-to-typescript.
// `node generate-types.mjs --check` fails when the committed file differs (drift check).
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const schemasDir = join(here, "..", "schemas");
const output = join(here, "..", "generated", "typescript", "contracts.d.ts");
const BASE = "https://baa-conductor.dev/schemas/";

const files = readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json")).sort();

// One root that refers to every schema, so each becomes one named declaration in one file.
const root = {
  $id: BASE + "index.json",
  title: "BaaConductorContracts",
  description: "Every schema of the contract package, by file name.",
  type: "object",
  properties: Object.fromEntries(files.map((f) => [f.replace(".schema.json", ""), { $ref: f }])),
  additionalProperties: false,
};

const banner = "// Generated from schemas/ by `npm run generate` (ts/generate-types.mjs). Do not edit.";
let text = await compile(root, "BaaConductorContracts", {
  bannerComment: banner,
  additionalProperties: false,
  unreachableDefinitions: false,
  format: true,
  // Relative $refs resolve as files next to each schema; nothing is fetched.
  cwd: schemasDir,
  $refOptions: { resolve: { http: false } },
});

if (process.argv.includes("--check")) {
  let committed = "";
  try { committed = readFileSync(output, "utf8"); } catch { /* missing counts as drift */ }
  if (committed !== text) {
    console.error(`${output} is stale: run \`npm run generate --prefix ts\` (or nox -s codegen)`);
    process.exit(1);
  }
  console.log("generated TypeScript declarations match the schemas");
} else {
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, text);
  console.log(`wrote ${output}`);
}
