// Generates the npm package @baa-conductor/contracts in generated/typescript from schemas/:
//   contracts.d.ts   a declaration per schema (json-schema-to-typescript)
//   validators.js    every schema compiled ahead of time by ajv (2020-12, strict, ajv-formats) as
//                    standalone ESM code, so nothing is compiled at run time
//   index.js, .d.ts  type guards, validate(name, x), schemaNames: compiled with tsc from an index.ts
//                    made here and package-src/violations.ts
//   cli.js           baa-contracts-validate (package-src/cli.ts)
//   schemas/         a copy of the schemas; package.json (version: schemas/VERSION), README.md
//   docs/            a Markdown page per schema, copied from docs/schemas/ (tools/schema_docs.py)
// `node generate.mjs --check` generates into a temporary directory and fails on any difference.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import standaloneCode from "ajv/dist/standalone/index.js";
import { compile } from "json-schema-to-typescript";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const schemasDir = join(root, "schemas");
const output = join(root, "generated", "typescript");
const BASE = "https://baa-conductor.dev/schemas/";
const SUFFIX = ".schema.json";
const NAME = "@baa-conductor/contracts";
const BIN = "baa-contracts-validate";
const HEADER = "// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.";

const version = readFileSync(join(schemasDir, "VERSION"), "utf8").trim();
if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`schemas/VERSION: ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH`);

const schemas = readdirSync(schemasDir).filter((f) => f.endsWith(SUFFIX)).sort().map((file) => {
  const schema = JSON.parse(readFileSync(join(schemasDir, file), "utf8"));
  const name = file.slice(0, -SUFFIX.length);
  if (schema.$id !== BASE + file) throw new Error(`schemas/${file}: $id is not ${BASE + file}`);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(schema.title ?? "")) throw new Error(`schemas/${file}: title is not a type name`);
  return { file, name, type: schema.title, schema };
});

// The exact versions the validators are compiled with are the versions they run with.
function pinned(dependency) {
  const wanted = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).devDependencies[dependency];
  const installed = JSON.parse(readFileSync(join(here, "node_modules", dependency, "package.json"), "utf8")).version;
  if (wanted !== installed) throw new Error(`${dependency} ${installed} is installed, tools/typescript/package.json pins ${wanted}: run npm ci --prefix tools/typescript`);
  return installed;
}

async function declarations() {
  // One root that refers to every schema, so each becomes one named declaration in one file.
  const index = {
    $id: BASE + "index.json",
    title: "BaaConductorContracts",
    description: "Every schema of the contract package, by file name.",
    type: "object",
    properties: Object.fromEntries(schemas.map(({ file, name }) => [name, { $ref: file }])),
    additionalProperties: false,
  };
  return compile(index, "BaaConductorContracts", {
    bannerComment: HEADER,
    additionalProperties: false,
    unreachableDefinitions: false,
    format: true,
    // Relative $refs resolve as files next to each schema; nothing is fetched.
    cwd: schemasDir,
    $refOptions: { resolve: { http: false } },
  });
}

function validatorsModule() {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    code: { source: true, esm: true, lines: true },
  });
  formatsPlugin.default(ajv);
  ajv.addKeyword("x-version");
  for (const { schema } of schemas) ajv.addSchema(schema);
  const code = standaloneCode(ajv, Object.fromEntries(schemas.map(({ file, type }) => [type, BASE + file])));
  // ajv's standalone code loads its runtime helpers and ajv-formats' formats with require() even as
  // ESM; a require made for this module resolves them from the package's own dependencies.
  return [
    HEADER,
    "// ajv standalone validators, one export per schema, named by the schema's title.",
    'import { createRequire } from "node:module";',
    "const require = createRequire(import.meta.url);",
    code.replace(/^"use strict";\n?/, ""), // a module is strict already
    "",
  ].join("\n");
}

function validatorsDeclarations() {
  return [
    HEADER,
    'import type { CompiledValidator } from "./violations.js";',
    ...schemas.map(({ type }) => `export declare const ${type}: CompiledValidator;`),
    "",
  ].join("\n");
}

function indexModule() {
  const lines = [
    HEADER,
    "// The package's API: a type guard per schema, validate(name, x) with every violation, schemaNames.",
    'import * as compiled from "./validators.js";',
    'import type * as C from "./contracts.js";',
    'import { check, type CompiledValidator, passes, type ValidationResult } from "./violations.js";',
    "",
    'export type * from "./contracts.js";',
    'export type { ValidationResult, Violation } from "./violations.js";',
    "",
    `/** The version of the contracts (schemas/VERSION), which is this package's version. */`,
    `export const version = ${JSON.stringify(version)};`,
    "",
    "/** Each schema's name (its file name without .schema.json) and the type it describes. */",
    "export interface Contracts {",
    ...schemas.map(({ name, type }) => `  ${JSON.stringify(name)}: C.${type};`),
    "}",
    "",
    "export type SchemaName = keyof Contracts;",
    "",
    "/** Every schema name, in file name order. */",
    "export const schemaNames: readonly SchemaName[] = [",
    ...schemas.map(({ name }) => `  ${JSON.stringify(name)},`),
    "];",
    "",
    "/** Each schema's own version (its x-version). */",
    "export const schemaVersions: Readonly<Record<SchemaName, string>> = {",
    ...schemas.map(({ name, schema }) => `  ${JSON.stringify(name)}: ${JSON.stringify(schema["x-version"])},`),
    "};",
    "",
    "const validators: Readonly<Record<SchemaName, CompiledValidator>> = {",
    ...schemas.map(({ name, type }) => `  ${JSON.stringify(name)}: compiled.${type},`),
    "};",
    "",
    "export function isSchemaName(name: unknown): name is SchemaName {",
    '  return typeof name === "string" && Object.hasOwn(validators, name);',
    "}",
    "",
    "function validator(name: SchemaName): CompiledValidator {",
    "  if (!isSchemaName(name)) {",
    "    throw new TypeError(`unknown schema ${JSON.stringify(name)}: schemaNames lists the known ones`);",
    "  }",
    "  return validators[name];",
    "}",
    "",
    "/** Whether `instance` is valid against the schema `name` (schemas/<name>.schema.json). */",
    "export function is<N extends SchemaName>(name: N, instance: unknown): instance is Contracts[N] {",
    "  return passes(validator(name), instance);",
    "}",
    "",
    "/** Validates `instance` against the schema `name` and reports every violation with its JSON pointer. */",
    "export function validate(name: SchemaName, instance: unknown): ValidationResult {",
    "  return check(validator(name), instance);",
    "}",
    ...schemas.flatMap(({ file, name, type }) => [
      "",
      `/** Whether \`x\` is a ${type} (schemas/${file}). */`,
      `export function is${type}(x: unknown): x is C.${type} {`,
      `  return passes(validators[${JSON.stringify(name)}], x);`,
      "}",
    ]),
    "",
  ];
  return lines.join("\n");
}

// Every pattern of the schemas, with the title of the schema that holds it (if it has one).
function patterns() {
  const found = [];
  const walk = (node, title) => {
    if (Array.isArray(node)) node.forEach((item) => walk(item, title));
    else if (node !== null && typeof node === "object") {
      if (typeof node.pattern === "string") found.push({ pattern: node.pattern, title: node.title ?? title });
      for (const [key, value] of Object.entries(node)) if (key !== "pattern" && key !== "enum" && key !== "const") walk(value, undefined);
    }
  };
  for (const { schema } of schemas) walk(schema, undefined);
  return found;
}

// What a violation says about a pattern (package-src/messages.ts): timestamps and ids are diagnosed,
// every other pattern has its words in src/baa_conductor/pattern-words.json, which Python reads too.
const DIAGNOSED = new Set(["Timestamp", "RunIdentifier"]);

function patternsModule() {
  const words = JSON.parse(readFileSync(join(root, "src", "baa_conductor", "pattern-words.json"), "utf8"));
  const titles = {};
  for (const { pattern, title } of patterns()) {
    if (DIAGNOSED.has(title)) titles[pattern] = title;
    else if (!Object.hasOwn(words, pattern)) throw new Error(`no words for the pattern ${JSON.stringify(pattern)}: add them to src/baa_conductor/pattern-words.json`);
  }
  return [
    HEADER,
    "// Which patterns are diagnosed (by the title of their schema), and the words of every other one.",
    `export const PATTERN_TITLES: Readonly<Record<string, string>> = ${JSON.stringify(titles, null, 2)};`,
    `export const PATTERN_WORDS: Readonly<Record<string, string>> = ${JSON.stringify(words, null, 2)};`,
    "",
  ].join("\n");
}

function packageJson(dependencies) {
  return JSON.stringify({
    name: NAME,
    version,
    description: "The baa-conductor wire contracts: JSON Schemas (draft 2020-12), TypeScript declarations, and validators compiled ahead of time.",
    license: "MIT",
    type: "module",
    exports: {
      ".": { types: "./index.d.ts", default: "./index.js" },
      "./schemas/*": "./schemas/*",
      "./docs/*": "./docs/*",
      "./package.json": "./package.json",
    },
    types: "./index.d.ts",
    bin: { [BIN]: "./cli.js" },
    files: ["*.js", "*.d.ts", "schemas/", "docs/", "README.md"],
    sideEffects: false,
    engines: { node: ">=18" },
    dependencies,
  }, null, 2) + "\n";
}

const MAX_DEPTH = 254;

/** The file `npm pack` makes of the package. */
const tarball = `${NAME.slice(1).replace("/", "-")}-${version}.tgz`;

function readme(dependencies) {
  const example = schemas.find(({ name }) => name === "step-execution-result") ?? schemas[0];
  return `<!-- Generated from schemas/ by \`nox -s codegen\` (tools/typescript/generate.mjs). Do not edit. -->
# ${NAME}

The wire contracts of the baa-conductor worker runner, version ${version}: the JSON Schemas
(draft 2020-12) in \`schemas/\`, a TypeScript declaration per schema, and a validator per schema
compiled ahead of time by ajv (no schema is compiled at run time). ESM only, for Node 18 or later;
the types compile under \`module: NodeNext\` and \`strict\` (TypeScript 5.0 or later). The package
version is the version of the schemas.

## Install

The package is on no registry. Each release of baa-conductor carries it as a tarball,
\`${tarball}\`, which CI builds with \`npm pack\` and the release attaches as an asset. Install
the tarball of the version you want; npm writes it into \`package.json\` and its sha512 into
\`package-lock.json\`, so the version is pinned and \`npm ci\` reinstalls exactly it. Made from a
checkout of baa-conductor at the release's tag, beside your project:

\`\`\`sh
npm pack ../baa-conductor/generated/typescript
npm install ./${tarball}
node --input-type=module -e 'import { version, validate } from "${NAME}"; console.log(version, validate("run-identifier", "run-1").valid)'
\`\`\`

The last line prints \`${version} true\`. Keep the tarball in your repository, or install the
release asset by its URL instead (\`npm install https://…/${tarball}\`: the URL goes into
\`package.json\`, pinned by the lock file the same way). A git dependency does not work: the
package is the \`generated/typescript/\` directory of the repository, and npm installs a git
dependency from the repository's root (npm 11 accepts \`#<tag>::path:generated/typescript\`
and still installs the root).

## Use

\`\`\`ts
import { is${example.type}, validate, type ${example.type} } from "${NAME}";

const value: unknown = JSON.parse(process.argv[2] ?? "null");
if (is${example.type}(value)) {
  const narrowed: ${example.type} = value;
  console.log(narrowed.taskId);
}
const { valid, errors } = validate("${example.name}", value);
for (const { pointer, keyword, message } of errors) console.error(\`\${pointer}: \${message} (\${keyword})\`);
process.exitCode = valid ? 0 : 1;
\`\`\`

- \`is<Type>(x): x is <Type>\` for each of the ${schemas.length} schemas, and \`is(name, x)\`.
- \`validate(name, x)\` returns \`{valid, errors}\`; \`errors\` holds every violation, each with the
  JSON pointer of the value at fault (\`""\` is the whole instance). Before any schema, a value
  must be JSON as the contracts allow (keyword \`i-json\`): no lone surrogate in a string or key,
  no NaN or Infinity, at most ${MAX_DEPTH} nested arrays and objects; nothing is ever thrown. These
  are the rules the Python validators apply (the schemas' README, "What no schema can state").
- \`schemaNames\`, \`schemaVersions\` (each schema's \`x-version\`), \`version\`.
- The schemas: \`${NAME}/schemas/<name>.schema.json\`; a Markdown page per schema (its
  properties, an example, the run files that carry it): \`${NAME}/docs/<name>.md\`, and
  \`docs/README.md\` listing them.
- \`${BIN} [--errors]\` reads JSON lines \`{"schema": name, "instance": value}\` and writes one
  verdict per line (\`true\` / \`false\`, or with \`--errors\` the result of \`validate\`).

\`format\` is asserted (\`date-time\` by ajv-formats), as it must be for these schemas: a 2020-12
validator that only annotates formats accepts timestamps such as 30 February. Runtime
dependencies: ${Object.entries(dependencies).map(([n, v]) => `${n} ${v}`).join(", ")}, used by the compiled code.
`;
}

// Type-checks (strict, NodeNext) and compiles the TypeScript sources in `dir` next to themselves.
function compileTypeScript(dir, sources) {
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    declaration: true,
    newLine: ts.NewLineKind.LineFeed,
    skipLibCheck: false,
    types: ["node"],
    typeRoots: [join(here, "node_modules", "@types")],
  };
  const program = ts.createProgram(sources.map((s) => join(dir, s)), options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" };
    throw new Error(`the package's TypeScript does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  for (const source of sources) {
    rmSync(join(dir, source));
    // tsc leaves out a declaration file's leading comment; every generated file carries the header.
    const declaration = join(dir, source.replace(/\.ts$/, ".d.ts"));
    if (existsSync(declaration)) writeFileSync(declaration, `${HEADER}\n${readFileSync(declaration, "utf8")}`);
  }
}

async function generate(out) {
  const dependencies = { ajv: pinned("ajv"), "ajv-formats": pinned("ajv-formats") };
  mkdirSync(join(out, "schemas"), { recursive: true });
  for (const { file } of schemas) cpSync(join(schemasDir, file), join(out, "schemas", file));
  // The schema pages, as tools/codegen.py wrote them (nox -s codegen runs it first).
  cpSync(join(root, "docs", "schemas"), join(out, "docs"), { recursive: true });
  writeFileSync(join(out, "package.json"), packageJson(dependencies));
  writeFileSync(join(out, "README.md"), readme(dependencies));
  writeFileSync(join(out, "contracts.d.ts"), await declarations());
  writeFileSync(join(out, "validators.js"), validatorsModule());
  writeFileSync(join(out, "validators.d.ts"), validatorsDeclarations());
  writeFileSync(join(out, "index.ts"), indexModule());
  writeFileSync(join(out, "patterns.ts"), patternsModule());
  for (const source of ["violations.ts", "messages.ts", "wire.ts", "cli.ts"]) {
    // The header goes below a #! line, which must stay first.
    const text = readFileSync(join(here, "package-src", source), "utf8");
    const shebang = text.startsWith("#!") ? text.slice(0, text.indexOf("\n") + 1) : "";
    writeFileSync(join(out, source), `${shebang}${HEADER}\n${text.slice(shebang.length)}`);
  }
  compileTypeScript(out, ["index.ts", "violations.ts", "messages.ts", "patterns.ts", "wire.ts", "cli.ts"]);
  rmSync(join(out, "cli.d.ts"));
}

function listing(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath ?? entry.path, entry.name)))
    .filter((file) => !file.split("/").includes("node_modules"))
    .sort();
}

function drift(fresh) {
  const ours = new Set(listing(output));
  const theirs = new Set(listing(fresh));
  const changed = [...ours].filter((f) => theirs.has(f) && !readFileSync(join(output, f)).equals(readFileSync(join(fresh, f))));
  const oneSide = [...ours, ...theirs].filter((f) => !(ours.has(f) && theirs.has(f)));
  return [...oneSide, ...changed].sort();
}

const staging = mkdtempSync(join(tmpdir(), "baa-contracts-"));
try {
  await generate(staging);
  if (process.argv.includes("--check")) {
    const stale = drift(staging);
    if (stale.length > 0) {
      console.error(`generated/typescript is stale; run \`nox -s codegen\`:\n  ${stale.join("\n  ")}`);
      process.exitCode = 1;
    } else {
      console.log("generated/typescript matches the schemas");
    }
  } else {
    for (const file of readdirSync(output)) {
      if (file !== "node_modules") rmSync(join(output, file), { recursive: true, force: true });
    }
    mkdirSync(output, { recursive: true });
    cpSync(staging, output, { recursive: true });
    console.log(`wrote ${relative(process.cwd(), output) || "."} (${NAME} ${version})`);
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}
