// The installed package validates every file of a real run made by the Python runner and the
// envelope it returned, with the type guards, with validate() and with its command; corrupted copies
// are rejected with the pointer of the value at fault. BAA_RUN_DIR and BAA_ENVELOPE name the run.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  is,
  isStepExecutionResult,
  schemaNames,
  schemaVersions,
  validate,
  version,
  type SchemaName,
} from "@baa-conductor/contracts";
import { bytes, describe, jsonLines, readRun } from "./read-run.js";

function env(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is set`);
  return value;
}

const runDir = env("BAA_RUN_DIR");
const envelope: unknown = JSON.parse(readFileSync(env("BAA_ENVELOPE"), "utf8"));

const files: ReadonlyArray<[file: string, schema: SchemaName, documents: () => unknown[]]> = [
  ["meta.json", "run-metadata", () => [JSON.parse(readFileSync(join(runDir, "meta.json"), "utf8"))]],
  ["state.json", "run-state-snapshot", () => [JSON.parse(readFileSync(join(runDir, "state.json"), "utf8"))]],
  ["worker.log", "worker-log-line", () => jsonLines(join(runDir, "worker.log"))],
  ["stdout.log", "stream-chunk-log-entry", () => jsonLines(join(runDir, "stdout.log"))],
  ["stderr.log", "stream-chunk-log-entry", () => jsonLines(join(runDir, "stderr.log"))],
];

function first(file: string): Record<string, unknown> {
  const entry = files.find(([name]) => name === file);
  assert.ok(entry);
  const document = entry[2]()[0];
  assert.ok(typeof document === "object" && document !== null && !Array.isArray(document));
  return document as Record<string, unknown>;
}

test("every file and every log line of a real run is valid, by guard and by validate()", () => {
  for (const [file, schema, documents] of files) {
    const docs = documents();
    assert.ok(docs.length > 0, `${file} has content`);
    for (const doc of docs) {
      assert.deepEqual(validate(schema, doc), { valid: true, errors: [] }, file);
      assert.ok(is(schema, doc), file);
    }
  }
  const run = readRun(runDir);
  assert.equal(run.meta.runId, "run-1");
  assert.equal(run.state.status, "failed");
  assert.deepEqual(run.events.map((e) => e.seq), [...run.events.map((e) => e.seq)].sort((a, b) => a - b));
});

test("the envelope is a StepExecutionResult, and narrows to one", () => {
  assert.deepEqual(validate("step-execution-result", envelope), { valid: true, errors: [] });
  if (!isStepExecutionResult(envelope)) assert.fail("the envelope is not a StepExecutionResult");
  assert.equal(envelope.outcome, "failed");
  assert.equal(envelope.state.exitCode, 3);
  assert.match(describe(envelope), /^T-005\/run-1: failed \(exit 3\), [1-9]\d* stdout chunks, 0 not in the envelope$/);
});

test("non-UTF-8 output carries its exact bytes", () => {
  assert.deepEqual(bytes(readRun(runDir).stdout), Buffer.from("hello\ncaf\xe9\n", "latin1"));
});

const corruptions: ReadonlyArray<[what: string, schema: SchemaName, corrupt: () => unknown, pointers: string[]]> = [
  ["state with an unknown status", "run-state-snapshot", () => ({ ...first("state.json"), status: "done" }), ["/status"]],
  ["meta without taskId", "run-metadata", () => { const m = first("meta.json"); delete m.taskId; return m; }, ["/taskId"]],
  ["meta with a hostile runId", "run-metadata", () => ({ ...first("meta.json"), runId: ".." }), ["/runId"]],
  ["meta with two faults", "run-metadata", () => ({ ...first("meta.json"), runId: "a/b", attempt: 0 }), ["/runId", "/attempt"]],
  ["worker line with seq 0", "worker-log-line", () => ({ ...first("worker.log"), seq: 0 }), ["/seq"]],
  ["worker line with channel", "worker-log-line", () => ({ ...first("worker.log"), channel: "worker" }), ["/channel"]],
  ["chunk with a bad timestamp", "stream-chunk-log-entry", () => ({ ...first("stdout.log"), createdAt: "2026-02-30T00:00:00Z" }), ["/createdAt"]],
  ["envelope with a negative duration", "step-execution-result", () => ({ ...(envelope as object), durationMs: -1 }), ["/durationMs"]],
  ["envelope missing logSummary", "step-execution-result", () => { const e = structuredClone(envelope) as Record<string, unknown>; delete e.logSummary; return e; }, ["/logSummary"]],
];

for (const [what, schema, corrupt, pointers] of corruptions) {
  test(`a corrupted copy is rejected with every pointer: ${what}`, () => {
    const document = corrupt();
    assert.equal(is(schema, document), false);
    const { valid, errors } = validate(schema, document);
    assert.equal(valid, false);
    assert.deepEqual([...new Set(errors.map((e) => e.pointer))].sort(), [...pointers].sort(), JSON.stringify(errors));
    for (const error of errors) assert.ok(error.keyword !== "" && error.message !== "", JSON.stringify(error));
  });
}

test("validate() says what is wrong in words, one violation per problem", () => {
  const { errors } = validate("worker-log-line", { ...first("worker.log"), channel: "worker" });
  assert.deepEqual(errors, [{ pointer: "/channel", keyword: "additionalProperties", message: "unknown property" }]);
  const meta = { ...first("meta.json"), createdAt: "2026-13-01T00:00:00Z", runId: "a/b" };
  assert.deepEqual(validate("run-metadata", meta).errors, [
    { pointer: "/createdAt", keyword: "pattern", message: "not an RFC 3339 date-time: month 13" },
    { pointer: "/runId", keyword: "pattern", message: 'not a valid id: "/" is not allowed (only ASCII letters, digits, ".", "_" and "-")' },
  ]);
});

test("an unknown schema name is a TypeError, not a verdict", () => {
  assert.throws(() => validate("no-such-schema" as SchemaName, {}), { name: "TypeError", message: /unknown schema "no-such-schema"/ });
});

test("baa-contracts-validate gives one verdict per line, as validate() does", () => {
  const requests = [
    ...files.flatMap(([, schema, documents]) => documents().map((instance) => ({ schema, instance }))),
    { schema: "step-execution-result", instance: envelope },
    ...corruptions.map(([, schema, corrupt]) => ({ schema, instance: corrupt() })),
  ];
  const bin = fileURLToPath(new URL("../node_modules/.bin/baa-contracts-validate", import.meta.url));
  const out = execFileSync(bin, { input: requests.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8" });
  const expected = requests.map((_, i) => (i < requests.length - corruptions.length ? "true" : "false"));
  assert.deepEqual(out.trimEnd().split("\n"), expected);
});

test("the package ships each schema, at the version schemaVersions states, and its page", () => {
  const manifest = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve("@baa-conductor/contracts/package.json")), "utf8")) as { version: string };
  assert.equal(version, manifest.version);
  assert.ok(schemaNames.length > 0);
  for (const name of schemaNames) {
    const path = fileURLToPath(import.meta.resolve(`@baa-conductor/contracts/schemas/${name}.schema.json`));
    const schema = JSON.parse(readFileSync(path, "utf8")) as { "x-version": string; title: string };
    assert.equal(schema["x-version"], schemaVersions[name]);
    const page = readFileSync(fileURLToPath(import.meta.resolve(`@baa-conductor/contracts/docs/${name}.md`)), "utf8");
    assert.equal(page.split("\n")[1], `# ${schema.title}`, `docs/${name}.md`);
  }
});
