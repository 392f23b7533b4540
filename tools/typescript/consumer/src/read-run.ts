// A consumer of @baa-conductor/contracts as the conductor's TypeScript side would write one: it reads
// a run directory, checks every document with the package's validators, and works on typed values.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  isRunMetadata,
  isRunStateSnapshot,
  isStreamChunkLogEntry,
  isWorkerLogLine,
  validate,
  type RunMetadata,
  type RunStateSnapshot,
  type SchemaName,
  type StepExecutionResult,
  type StreamChunkLogEntry,
  type WorkerLogLine,
} from "@baa-conductor/contracts";

export interface RunView {
  meta: RunMetadata;
  state: RunStateSnapshot;
  events: WorkerLogLine[];
  stdout: StreamChunkLogEntry[];
  stderr: StreamChunkLogEntry[];
}

/** A document that fails its schema: where it is and every violation, as `validate` reports them. */
export class ContractViolation extends Error {
  constructor(readonly where: string, readonly schema: SchemaName, readonly document: unknown) {
    const { errors } = validate(schema, document);
    super(`${where} is not a valid ${schema}: ${errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ")}`);
  }
}

function checked<T>(where: string, schema: SchemaName, guard: (x: unknown) => x is T, document: unknown): T {
  if (!guard(document)) throw new ContractViolation(where, schema, document);
  return document;
}

export function jsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as unknown);
}

function json(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

function lines<T>(runDir: string, file: string, schema: SchemaName, guard: (x: unknown) => x is T): T[] {
  return jsonLines(join(runDir, file)).map((line, i) => checked(`${file}:${i + 1}`, schema, guard, line));
}

export function readRun(runDir: string): RunView {
  return {
    meta: checked("meta.json", "run-metadata", isRunMetadata, json(join(runDir, "meta.json"))),
    state: checked("state.json", "run-state-snapshot", isRunStateSnapshot, json(join(runDir, "state.json"))),
    events: lines(runDir, "worker.log", "worker-log-line", isWorkerLogLine),
    stdout: lines(runDir, "stdout.log", "stream-chunk-log-entry", isStreamChunkLogEntry),
    stderr: lines(runDir, "stderr.log", "stream-chunk-log-entry", isStreamChunkLogEntry),
  };
}

/** The exact bytes a stream's chunks carry: base64 where the output was not UTF-8, else the text. */
export function bytes(chunks: readonly StreamChunkLogEntry[]): Buffer {
  return Buffer.concat(chunks.map((chunk) => (chunk.encoding === "base64" && chunk.bytesB64 !== undefined
    ? Buffer.from(chunk.bytesB64, "base64")
    : Buffer.from(chunk.text, "utf8"))));
}

export function describe(result: StepExecutionResult): string {
  const omitted = result.logSession.stdout.omittedEntryCount ?? 0;
  const exit = result.state.exitCode ?? (result.ok ? 0 : 1);
  return `${result.taskId}/${result.runId}: ${result.outcome} (exit ${exit}), ` +
    `${result.metrics.stdoutChunkCount} stdout chunks, ${omitted} not in the envelope`;
}
