// A small consumer of the generated declarations, type-checked with tsc --strict: what the
// conductor's TypeScript side writes against the contract.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  RunMetadata,
  RunStateSnapshot,
  StepExecutionResult,
  StreamChunkLogEntry,
  WorkerLogLine,
} from "../generated/typescript/contracts.d.ts";

export interface RunView {
  meta: RunMetadata;
  state: RunStateSnapshot;
  events: WorkerLogLine[];
  stdout: string;
}

function jsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as T);
}

export function readRun(runDir: string): RunView {
  const stdout = jsonl<StreamChunkLogEntry>(join(runDir, "stdout.log"))
    .map((chunk) => (chunk.encoding === "base64" && chunk.bytesB64 !== undefined
      ? Buffer.from(chunk.bytesB64, "base64").toString("utf8")
      : chunk.text))
    .join("");
  return {
    meta: JSON.parse(readFileSync(join(runDir, "meta.json"), "utf8")) as RunMetadata,
    state: JSON.parse(readFileSync(join(runDir, "state.json"), "utf8")) as RunStateSnapshot,
    events: jsonl<WorkerLogLine>(join(runDir, "worker.log")),
    stdout,
  };
}

export function describe(result: StepExecutionResult): string {
  const omitted = result.logSession.stdout.omittedEntryCount ?? 0;
  const exit = result.state.exitCode ?? (result.ok ? 0 : 1);
  return `${result.taskId}/${result.runId}: ${result.outcome} (exit ${exit}), ` +
    `${result.metrics.stdoutChunkCount} stdout chunks, ${omitted} not in the envelope`;
}
