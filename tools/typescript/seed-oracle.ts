// Runs the seed's own runStep (../../../shared/seed) on a request and a fixed executor outcome read as
// JSON from stdin ({"request": ..., "outcome": ...}), and prints the envelope as JSON.
// The Python runner's equivalence test compares its envelope with this one.
import { runStep } from "../../../shared/seed/apps/worker-runner/src/runner.ts";
import type { StepExecutionRequest, WorkerExecutionOutcome } from "../../../shared/seed/apps/worker-runner/src/contracts.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const input = JSON.parse(await readStdin()) as { request: StepExecutionRequest; outcome?: WorkerExecutionOutcome };
const executor = input.outcome === undefined ? undefined : { execute: async () => input.outcome! };
const result = await runStep(input.request, executor);
process.stdout.write(JSON.stringify(result));
