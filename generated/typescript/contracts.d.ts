// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.

/**
 * A task, step or run id. It becomes a single path segment under the runs root, so it is 1 to 128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit: '.', '..', separators, NUL, whitespace and control characters can never appear.
 */
export type RunIdentifier = string;
/**
 * How a file differs from the checkpoint's base commit (git's A, M, D, R, C, T).
 */
export type CheckpointChangeKind = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed";
/**
 * Checkpoint mode of a step. `reserved_for_t006` reserves sequence numbers and the checkpoints directory without writing checkpoint content. `git_diff` writes checkpoints/<seq>.patch (the worktree's difference from the step's base commit) and checkpoints/<seq>.json (its checkpoint-record) when the worker exits, before a timed-out or stopped worker is signalled, and every `everySec` seconds.
 */
export type CheckpointMode = "disabled" | "reserved_for_t006" | "git_diff";
/**
 * An RFC 3339 date-time as JavaScript's Date.prototype.toISOString writes it (upper-case T and Z, or a numeric offset). The pattern is the whole rule, so every validator agrees whether or not it asserts `format`: the calendar date must exist (leap years by the Gregorian rule, year 0000 included), hours 00-23, and a leap second only as 23:59:60 in UTC (Z, +00:00 or -00:00).
 */
export type Timestamp = string;
/**
 * Why it was taken: the worker exited, the step timed out or was stopped (taken before the worker is signalled), or the --checkpoint-every interval came round.
 */
export type CheckpointReason = "worker_exited" | "timeout" | "stopped" | "interval";
export type CheckpointRecordMode = "git_diff";
export type CheckpointStatus = "written" | "failed";
export type CheckpointOmissionReason = "size_limit" | "submodule";
/**
 * Type of a worker lifecycle event.
 */
export type WorkerLifecycleEventType =
  | "run_prepared"
  | "checkpoint_slot_reserved"
  | "worker_started"
  | "worker_execution_deferred"
  | "worker_exited"
  | "step_prepared"
  | "step_completed"
  | "step_failed"
  | "step_blocked"
  | "step_cancelled"
  | "checkpoint_written"
  | "checkpoint_failed"
  | "checkpoint_skipped"
  | "checkpoint_restored";
/**
 * Severity of a lifecycle event.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
/**
 * Any JSON value: string, number, boolean, null, array or object of structured values.
 */
export type StructuredValue =
  | string
  | number
  | boolean
  | null
  | StructuredValue[]
  | {
      [k: string]: StructuredValue;
    };
/**
 * Channel of a stream chunk: the worker process's standard output or standard error.
 */
export type StreamLogChannel = "stdout" | "stderr";
/**
 * Kind of worker process that executes a step.
 */
export type WorkerKind = "codex" | "shell" | "git";
/**
 * Status of a run in state.json.
 */
export type RunStatus = "prepared" | "running" | "completed" | "failed" | "blocked" | "cancelled";
/**
 * Kind of a step artifact.
 */
export type StepArtifactKind = "log" | "metadata" | "state" | "directory" | "artifact";
/**
 * Outcome of executing a step.
 */
export type StepExecutionOutcome = "prepared" | "completed" | "failed" | "blocked" | "cancelled";
/**
 * Kind of step: a worker kind or an orchestration step.
 */
export type StepKind = "codex" | "shell" | "git" | "planner" | "review" | "finalize";
/**
 * Channel of a run log entry.
 */
export type WorkerLogChannel = "worker" | "stdout" | "stderr";

/**
 * Every schema of the contract package, by file name.
 */
export interface BaaConductorContracts {
  "agent-activity"?: AgentActivity;
  "agent-command"?: AgentCommand;
  "agent-file-change"?: AgentFileChange;
  "agent-token-usage"?: AgentTokenUsage;
  "checkpoint-change-kind"?: CheckpointChangeKind;
  "checkpoint-mode"?: CheckpointMode;
  "checkpoint-record"?: CheckpointRecord;
  "codex-options"?: CodexOptions;
  "local-run-log-context"?: LocalRunLogContext;
  "local-run-log-session"?: LocalRunLogSession;
  "local-run-log-summary"?: LocalRunLogSummary;
  "local-run-paths"?: LocalRunPaths;
  "log-level"?: LogLevel;
  "run-identifier"?: RunIdentifier;
  "run-metadata"?: RunMetadata;
  "run-state-snapshot"?: RunStateSnapshot;
  "run-status"?: RunStatus;
  "step-artifact-kind"?: StepArtifactKind;
  "step-artifact"?: StepArtifact;
  "step-checkpoint-config"?: StepCheckpointConfig;
  "step-checkpoint-state"?: StepCheckpointState;
  "step-execution-metrics"?: StepExecutionMetrics;
  "step-execution-outcome"?: StepExecutionOutcome;
  "step-execution-request"?: StepExecutionRequest;
  "step-execution-result"?: StepExecutionResult;
  "step-execution-runtime"?: StepExecutionRuntime;
  "step-kind"?: StepKind;
  "stream-chunk-log-entry"?: StreamChunkLogEntry;
  "stream-chunk-log-stream"?: StreamChunkLogStream;
  "stream-log-channel"?: StreamLogChannel;
  "structured-data"?: StructuredData;
  "structured-value"?: StructuredValue;
  "suggested-followup"?: SuggestedFollowup;
  timestamp?: Timestamp;
  "worker-execution-outcome"?: WorkerExecutionOutcome;
  "worker-kind"?: WorkerKind;
  "worker-lifecycle-event-type"?: WorkerLifecycleEventType;
  "worker-lifecycle-log-entry"?: WorkerLifecycleLogEntry;
  "worker-lifecycle-log-stream"?: WorkerLifecycleLogStream;
  "worker-log-channel"?: WorkerLogChannel;
  "worker-log-line"?: WorkerLogLine;
}
/**
 * What an agent did in a run, read from its event stream as it ran: the thread to resume, the tokens used, every command with its exit code, every file change, the warnings it reported, and where its final message is kept in full. A codex step returns it as `agent` and writes it to `artifacts/agent-activity.json`.
 */
export interface AgentActivity {
  /**
   * The codex thread id (`codex exec resume <threadId>` continues it).
   */
  threadId?: string;
  /**
   * The attempt this one continues: its run and the codex thread resumed (`codex exec resume`).
   */
  resumedFrom?: {
    runId: RunIdentifier;
    threadId: string;
  };
  usage?: AgentTokenUsage;
  /**
   * The file holding the agent's final message in full (written by `codex exec -o`).
   */
  finalMessagePath?: string;
  commands: AgentCommand[];
  fileChanges: AgentFileChange[];
  /**
   * Non-fatal errors the agent reported (codex `error` items).
   */
  warnings: string[];
  /**
   * How many events the agent printed (0: it failed before starting a thread).
   */
  eventCount: number;
}
/**
 * Tokens an agent's turn used, as codex reports them in `turn.completed`.
 */
export interface AgentTokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  /**
   * Input tokens written to the model's prompt cache (codex `cache_write_input_tokens`).
   */
  cacheWriteInputTokens?: number;
  outputTokens: number;
  /**
   * Output tokens spent on reasoning (codex `reasoning_output_tokens`).
   */
  reasoningOutputTokens?: number;
}
/**
 * A command the agent ran (a codex `command_execution` item), as it last reported it. `status` is codex's word for it (`completed`, `failed`, `declined`, `in_progress` when the run ended first); `exitCode` is absent when the command never exited.
 */
export interface AgentCommand {
  command: string;
  status: string;
  exitCode?: number;
}
/**
 * A file the agent changed (one change of a codex `file_change` item). `kind` is `add`, `delete` or `update`; `status` is `completed` when the patch was applied, `failed` when it was not (for example in a read-only sandbox).
 */
export interface AgentFileChange {
  path: string;
  kind: string;
  status: string;
}
/**
 * checkpoints/<seq>.json: the record of one git_diff checkpoint. `written`: checkpoints/<seq>.patch holds the worktree's difference from `baseCommit` (a `git diff --binary` patch, untracked files included, ignored files left out) and `patch.sha256` is its digest; `omitted` lists what the patch leaves out (over `maxPatchBytes`: recorded by size and sha256; submodules: their commit is in the patch, their own changes are not). `failed`: no patch; `error` says why.
 */
export interface CheckpointRecord {
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  attempt: number;
  seq: number;
  createdAt: Timestamp;
  reason: CheckpointReason;
  mode: CheckpointRecordMode;
  status: CheckpointStatus;
  /**
   * The top of the git worktree the patch is relative to.
   */
  worktreePath: string;
  /**
   * The commit the step started from; null in a repository with no commit yet (the base is then the empty tree).
   */
  baseCommit: string | null;
  maxPatchBytes: number;
  /**
   * The git tree id of the whole worktree as snapshotted.
   */
  tree?: string;
  /**
   * The git tree id the patch restores: `tree` unless files were omitted.
   */
  patchTree?: string;
  patch?: CheckpointPatch;
  /**
   * Every file the patch changes.
   */
  files?: CheckpointFile[];
  /**
   * What the patch does not restore, and why.
   */
  omitted?: CheckpointOmission[];
  durationMs: number;
  error?: string;
}
export interface CheckpointPatch {
  file: string;
  bytes: number;
  sha256: string;
}
export interface CheckpointFile {
  path: string;
  change: CheckpointChangeKind;
  oldPath?: string;
  mode?: string;
  binary: boolean;
  linesAdded?: number;
  linesDeleted?: number;
}
export interface CheckpointOmission {
  path: string;
  reason: CheckpointOmissionReason;
  change: CheckpointChangeKind;
  bytes?: number;
  blob?: string;
  sha256?: string;
}
/**
 * How a codex step runs `codex exec`: each option maps to one of its command-line options. Carried by the request, so a step dispatched to another machine runs as asked.
 */
export interface CodexOptions {
  /**
   * `--model`: the model to ask.
   */
  model?: string;
  /**
   * `--profile`: a profile of the worker's codex config.toml.
   */
  profile?: string;
  /**
   * `--sandbox`: what the agent's commands may touch.
   */
  sandbox?: "read-only" | "workspace-write" | "danger-full-access";
  /**
   * `-c key=value` overrides, in order.
   *
   * Items: One `-c key=value` override (the value is TOML).
   */
  config?: string[];
  /**
   * Further arguments passed to `codex exec` as given, before the prompt.
   */
  extraArgs?: string[];
}
/**
 * The ids every log entry of a run carries.
 */
export interface LocalRunLogContext {
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
}
/**
 * The log session of a run: context, paths, the next seq to allocate and the three streams.
 */
export interface LocalRunLogSession {
  context: LocalRunLogContext;
  paths: LocalRunPaths;
  nextSeq: number;
  worker: WorkerLifecycleLogStream;
  stdout: StreamChunkLogStream;
  stderr: StreamChunkLogStream;
}
/**
 * The on-disk layout of one run: runs/<taskId>/<runId>/{meta.json,state.json,worker.log,stdout.log,stderr.log,checkpoints/,artifacts/}.
 */
export interface LocalRunPaths {
  layoutVersion: "local-run-v1";
  repoRoot: string;
  runsRootDir: string;
  taskRunsDir: string;
  runDir: string;
  checkpointsDir: string;
  artifactsDir: string;
  metaPath: string;
  statePath: string;
  workerLogPath: string;
  stdoutLogPath: string;
  stderrLogPath: string;
}
/**
 * The worker.log stream of a run with all its lifecycle entries.
 */
export interface WorkerLifecycleLogStream {
  channel: "worker";
  filePath: string;
  entries: WorkerLifecycleLogEntry[];
}
/**
 * A lifecycle event as held in memory and returned in the envelope; `renderedLine` is the exact worker.log line.
 */
export interface WorkerLifecycleLogEntry {
  seq: number;
  eventId: string;
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  type: WorkerLifecycleEventType;
  level: LogLevel;
  createdAt: Timestamp;
  message: string;
  data: StructuredData;
  channel: "worker";
  renderedLine: string;
}
/**
 * A JSON object whose values are structured values.
 */
export interface StructuredData {
  [k: string]: StructuredValue;
}
/**
 * A stdout or stderr stream of a run. In a result envelope `entries` holds only the last chunks (a bounded tail, 200 by default, configurable); the log file keeps every chunk. `omittedEntryCount` says how many earlier chunks were left out; absent or 0 means `entries` is complete.
 */
export interface StreamChunkLogStream {
  channel: StreamLogChannel;
  filePath: string;
  entries: StreamChunkLogEntry[];
  omittedEntryCount?: number;
}
/**
 * One line of stdout.log or stderr.log: one chunk of the worker's output as it arrived (complete lines, or a piece of an over-long line). Output that is not valid UTF-8 keeps its exact bytes: see `encoding`.
 */
export interface StreamChunkLogEntry {
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  seq: number;
  channel: StreamLogChannel;
  createdAt: Timestamp;
  text: string;
  /**
   * Present when the chunk was not valid UTF-8: `bytesB64` then holds the exact original bytes and `text` a lossy rendering with U+FFFD where bytes could not be decoded.
   */
  encoding?: "base64";
  bytesB64?: string;
}
/**
 * Counts over all three streams of a run (true totals).
 */
export interface LocalRunLogSummary {
  totalEntries: number;
  lastSeq: number;
  lifecycleEventCount: number;
  stdoutChunkCount: number;
  stderrChunkCount: number;
}
/**
 * meta.json: written once when the run is prepared, never changed.
 */
export interface RunMetadata {
  layoutVersion: "local-run-v1";
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  stepName: string;
  runId: RunIdentifier;
  workerKind: WorkerKind;
  attempt: number;
  /**
   * Which worker took the step: a `baa worker`'s Celery node name (`celery@host`), or `host:pid` of the `baa run` that ran it.
   */
  worker?: string;
  repoRoot: string;
  worktreePath: string;
  createdAt: Timestamp;
  checkpointMode: CheckpointMode;
  promptSummary?: string;
  command?: string;
}
/**
 * state.json: the run's current state, replaced atomically on every change. `lastEventSeq` is the last seq allocated across worker.log, stdout.log and stderr.log.
 */
export interface RunStateSnapshot {
  status: RunStatus;
  attempt: number;
  startedAt: Timestamp;
  updatedAt: Timestamp;
  finishedAt?: Timestamp;
  lastEventSeq: number;
  checkpointSeq: number;
  summary?: string;
  exitCode?: number;
}
/**
 * A file or directory a run produced or reserved.
 */
export interface StepArtifact {
  name: string;
  kind: StepArtifactKind;
  path: string;
  description: string;
}
/**
 * Checkpoint configuration requested for a step.
 */
export interface StepCheckpointConfig {
  mode: CheckpointMode;
  /**
   * The checkpoint to resume from: in `git_diff` mode with `resumeFromRunId` (a run of the same task under the same runs root), checkpoint `resumeFromSeq` of that run is restored before the worker starts, into a worktree that must be clean and at its base commit. The run's own checkpoints are numbered after it.
   */
  resumeFromSeq?: number;
  summaryHint?: string;
  resumeFromRunId?: RunIdentifier;
  /**
   * In `git_diff` mode, also take a checkpoint every this many seconds while the worker runs (skipped when nothing changed since the last one).
   */
  everySec?: number;
  /**
   * In `git_diff` mode, the most bytes one patch may hold; beyond it the largest files are recorded by size and sha256 instead (default 67108864, 64 MiB).
   */
  maxPatchBytes?: number;
}
/**
 * Checkpoint sequence numbers of a run.
 */
export interface StepCheckpointState {
  mode: CheckpointMode;
  lastCheckpointSeq: number;
  nextCheckpointSeq: number;
  resumeFromSeq?: number;
  resumeFromRunId?: RunIdentifier;
  deferredFeatures: "git_diff"[];
  note: string;
}
/**
 * Counts and duration of a run. The chunk counts are the true totals, whatever the envelope's log session holds.
 */
export interface StepExecutionMetrics {
  durationMs: number;
  lifecycleEventCount: number;
  stdoutChunkCount: number;
  stderrChunkCount: number;
  checkpointCount: number;
}
/**
 * A request to execute one step of a task as one run. `argv` and `prompt` extend the seed's request: `argv` runs a command without a shell, `prompt` is the full prompt given to a codex worker (`promptSummary` is used when it is absent).
 */
export interface StepExecutionRequest {
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  attempt: number;
  stepName: string;
  stepKind: StepKind;
  workerKind: WorkerKind;
  /**
   * Seconds before the worker is stopped. Integer or fractional; listing integer keeps whole numbers whole in generated models.
   */
  timeoutSec: number;
  runtime: StepExecutionRuntime;
  createdAt?: Timestamp;
  promptSummary?: string;
  command?: string;
  /**
   * @minItems 1
   */
  argv?: [string, ...string[]];
  prompt?: string;
  checkpoint?: StepCheckpointConfig;
  codex?: CodexOptions;
}
/**
 * Where a step runs: the repository, the worktree the worker runs in, an optional runs root and environment variables merged over the runner's environment.
 */
export interface StepExecutionRuntime {
  repoRoot: string;
  worktreePath: string;
  runsRootDir?: string;
  env?: {
    [k: string]: string;
  };
}
/**
 * The result envelope run_step returns for one run.
 */
export interface StepExecutionResult {
  ok: boolean;
  outcome: StepExecutionOutcome;
  summary: string;
  needsHuman: boolean;
  blocked: boolean;
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  attempt: number;
  workerKind: WorkerKind;
  startedAt: Timestamp;
  finishedAt: Timestamp;
  durationMs: number;
  metadata: RunMetadata;
  state: RunStateSnapshot;
  logPaths: LocalRunPaths;
  logSession: LocalRunLogSession;
  logSummary: LocalRunLogSummary;
  lifecycleEvents: WorkerLifecycleLogEntry[];
  checkpoint: StepCheckpointState;
  artifacts: StepArtifact[];
  suggestedFollowup: SuggestedFollowup[];
  metrics: StepExecutionMetrics;
  agent?: AgentActivity;
}
/**
 * A step the worker suggests running next.
 */
export interface SuggestedFollowup {
  stepName: string;
  stepKind: StepKind;
  reason: string;
}
/**
 * What an executor returns to the runner. `stdout`/`stderr` are chunks the runner appends to the stream logs after the executor returns (executors that stream live leave them out).
 */
export interface WorkerExecutionOutcome {
  ok: boolean;
  outcome: StepExecutionOutcome;
  summary: string;
  needsHuman?: boolean;
  blocked?: boolean;
  stdout?: string[];
  stderr?: string[];
  artifacts?: StepArtifact[];
  suggestedFollowup?: SuggestedFollowup[];
  exitCode?: number;
  agent?: AgentActivity;
}
/**
 * One line of worker.log: a lifecycle entry without `channel` and `renderedLine`, keys in this order (the seed's serializeLifecycleEvent). `eventId` is `<runId>:event:<seq, zero-padded to 4 digits>`.
 */
export interface WorkerLogLine {
  seq: number;
  eventId: string;
  taskId: RunIdentifier;
  stepId: RunIdentifier;
  runId: RunIdentifier;
  type: WorkerLifecycleEventType;
  level: LogLevel;
  createdAt: Timestamp;
  message: string;
  data: StructuredData;
}
