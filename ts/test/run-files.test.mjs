// ajv (draft 2020-12, ajv-formats) validates the files of a real run made by the Python runner,
// and the envelope it prints; corrupted copies are rejected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const schemasDir = join(root, "schemas");
const BASE = "https://baa-conductor.dev/schemas/";
const baa = process.env.BAA_BIN ?? join(root, ".venv", "bin", "baa");

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword("x-version");
for (const file of readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(join(schemasDir, file), "utf8")));
}
const check = (name, value) => {
  const validate = ajv.getSchema(`${BASE}${name}.schema.json`);
  assert.ok(validate, `schema ${name} is registered`);
  return { ok: validate(value), errors: validate.errors };
};
const jsonl = (path) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

// One real run: output on both streams, a non-UTF-8 byte, a non-zero exit.
const runsDir = mkdtempSync(join(tmpdir(), "baa-ajv-"));
let envelopeText;
try {
  envelopeText = execFileSync(baa, [
    "run", "--json", "--task", "T-005", "--step", "ajv", "--run", "run-1", "--runs-dir", runsDir, "--",
    "sh", "-c", "echo hello; printf 'caf\\351\\n'; echo warning >&2; exit 3",
  ], { encoding: "utf8" });
} catch (error) {
  envelopeText = error.stdout; // the step's exit code (3) is baa's exit code
  assert.equal(error.status, 3);
}
const envelope = JSON.parse(envelopeText);
const runDir = join(runsDir, "T-005", "run-1");

const files = {
  "meta.json": ["run-metadata", () => [JSON.parse(readFileSync(join(runDir, "meta.json"), "utf8"))]],
  "state.json": ["run-state-snapshot", () => [JSON.parse(readFileSync(join(runDir, "state.json"), "utf8"))]],
  "worker.log": ["worker-log-line", () => jsonl(join(runDir, "worker.log"))],
  "stdout.log": ["stream-chunk-log-entry", () => jsonl(join(runDir, "stdout.log"))],
  "stderr.log": ["stream-chunk-log-entry", () => jsonl(join(runDir, "stderr.log"))],
};

test("every file of a real run validates with ajv", () => {
  for (const [file, [schema, read]] of Object.entries(files)) {
    const docs = read();
    assert.ok(docs.length > 0, `${file} has content`);
    for (const doc of docs) {
      const { ok, errors } = check(schema, doc);
      assert.ok(ok, `${file}: ${JSON.stringify(errors)}`);
    }
  }
});

test("the envelope baa run prints validates with ajv", () => {
  assert.equal(envelope.outcome, "failed");
  assert.equal(envelope.state.exitCode, 3);
  const { ok, errors } = check("step-execution-result", envelope);
  assert.ok(ok, JSON.stringify(errors));
});

test("non-UTF-8 output carries its exact bytes", () => {
  const chunks = jsonl(join(runDir, "stdout.log"));
  const bytes = Buffer.concat(chunks.map((c) => (c.encoding === "base64" ? Buffer.from(c.bytesB64, "base64") : Buffer.from(c.text))));
  assert.deepEqual(bytes, Buffer.from("hello\ncaf\xe9\n", "latin1"));
});

const corruptions = [
  ["state with an unknown status", "run-state-snapshot", () => ({ ...files["state.json"][1]()[0], status: "done" }), "/status"],
  ["meta without taskId", "run-metadata", () => { const m = files["meta.json"][1]()[0]; delete m.taskId; return m; }, ""],
  ["meta with a hostile runId", "run-metadata", () => ({ ...files["meta.json"][1]()[0], runId: ".." }), "/runId"],
  ["worker line with seq 0", "worker-log-line", () => ({ ...files["worker.log"][1]()[0], seq: 0 }), "/seq"],
  ["worker line with channel", "worker-log-line", () => ({ ...files["worker.log"][1]()[0], channel: "worker" }), ""],
  ["chunk with a bad timestamp", "stream-chunk-log-entry", () => ({ ...files["stdout.log"][1]()[0], createdAt: "2026-02-30T00:00:00Z" }), "/createdAt"],
  ["envelope with a negative duration", "step-execution-result", () => ({ ...envelope, durationMs: -1 }), "/durationMs"],
  ["envelope missing logSummary", "step-execution-result", () => { const e = structuredClone(envelope); delete e.logSummary; return e; }, ""],
];

for (const [what, schema, corrupt, pointer] of corruptions) {
  test(`ajv rejects a corrupted copy: ${what}`, () => {
    const { ok, errors } = check(schema, corrupt());
    assert.equal(ok, false);
    assert.ok(errors.some((e) => e.instancePath === pointer), JSON.stringify(errors));
  });
}
