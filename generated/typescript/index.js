// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
// The package's API: a type guard per schema, validate(name, x) with every violation, schemaNames.
import * as compiled from "./validators.js";
import { check, passes } from "./violations.js";
/** The version of the contracts (schemas/VERSION), which is this package's version. */
export const version = "3.0.0";
/** Every schema name, in file name order. */
export const schemaNames = [
    "agent-activity",
    "agent-command",
    "agent-file-change",
    "agent-token-usage",
    "checkpoint-change-kind",
    "checkpoint-mode",
    "checkpoint-record",
    "codex-options",
    "local-run-log-context",
    "local-run-log-session",
    "local-run-log-summary",
    "local-run-paths",
    "log-level",
    "run-identifier",
    "run-metadata",
    "run-state-snapshot",
    "run-status",
    "step-artifact-kind",
    "step-artifact",
    "step-checkpoint-config",
    "step-checkpoint-state",
    "step-execution-metrics",
    "step-execution-outcome",
    "step-execution-request",
    "step-execution-result",
    "step-execution-runtime",
    "step-kind",
    "stream-chunk-log-entry",
    "stream-chunk-log-stream",
    "stream-log-channel",
    "structured-data",
    "structured-value",
    "suggested-followup",
    "timestamp",
    "worker-execution-outcome",
    "worker-kind",
    "worker-lifecycle-event-type",
    "worker-lifecycle-log-entry",
    "worker-lifecycle-log-stream",
    "worker-log-channel",
    "worker-log-line",
];
/** Each schema's own version (its x-version). */
export const schemaVersions = {
    "agent-activity": "2.0",
    "agent-command": "2.0",
    "agent-file-change": "1.0",
    "agent-token-usage": "2.0",
    "checkpoint-change-kind": "1.0",
    "checkpoint-mode": "1.1",
    "checkpoint-record": "2.0",
    "codex-options": "1.0",
    "local-run-log-context": "1.0",
    "local-run-log-session": "2.0",
    "local-run-log-summary": "2.0",
    "local-run-paths": "1.0",
    "log-level": "1.0",
    "run-identifier": "1.0",
    "run-metadata": "2.0",
    "run-state-snapshot": "2.0",
    "run-status": "1.1",
    "step-artifact-kind": "1.0",
    "step-artifact": "1.0",
    "step-checkpoint-config": "2.0",
    "step-checkpoint-state": "2.0",
    "step-execution-metrics": "2.0",
    "step-execution-outcome": "1.1",
    "step-execution-request": "2.0",
    "step-execution-result": "2.0",
    "step-execution-runtime": "1.0",
    "step-kind": "1.0",
    "stream-chunk-log-entry": "2.0",
    "stream-chunk-log-stream": "2.0",
    "stream-log-channel": "1.0",
    "structured-data": "1.0",
    "structured-value": "1.0",
    "suggested-followup": "1.0",
    "timestamp": "2.0",
    "worker-execution-outcome": "2.0",
    "worker-kind": "1.0",
    "worker-lifecycle-event-type": "1.2",
    "worker-lifecycle-log-entry": "2.0",
    "worker-lifecycle-log-stream": "1.0",
    "worker-log-channel": "1.0",
    "worker-log-line": "2.0",
};
const validators = {
    "agent-activity": compiled.AgentActivity,
    "agent-command": compiled.AgentCommand,
    "agent-file-change": compiled.AgentFileChange,
    "agent-token-usage": compiled.AgentTokenUsage,
    "checkpoint-change-kind": compiled.CheckpointChangeKind,
    "checkpoint-mode": compiled.CheckpointMode,
    "checkpoint-record": compiled.CheckpointRecord,
    "codex-options": compiled.CodexOptions,
    "local-run-log-context": compiled.LocalRunLogContext,
    "local-run-log-session": compiled.LocalRunLogSession,
    "local-run-log-summary": compiled.LocalRunLogSummary,
    "local-run-paths": compiled.LocalRunPaths,
    "log-level": compiled.LogLevel,
    "run-identifier": compiled.RunIdentifier,
    "run-metadata": compiled.RunMetadata,
    "run-state-snapshot": compiled.RunStateSnapshot,
    "run-status": compiled.RunStatus,
    "step-artifact-kind": compiled.StepArtifactKind,
    "step-artifact": compiled.StepArtifact,
    "step-checkpoint-config": compiled.StepCheckpointConfig,
    "step-checkpoint-state": compiled.StepCheckpointState,
    "step-execution-metrics": compiled.StepExecutionMetrics,
    "step-execution-outcome": compiled.StepExecutionOutcome,
    "step-execution-request": compiled.StepExecutionRequest,
    "step-execution-result": compiled.StepExecutionResult,
    "step-execution-runtime": compiled.StepExecutionRuntime,
    "step-kind": compiled.StepKind,
    "stream-chunk-log-entry": compiled.StreamChunkLogEntry,
    "stream-chunk-log-stream": compiled.StreamChunkLogStream,
    "stream-log-channel": compiled.StreamLogChannel,
    "structured-data": compiled.StructuredData,
    "structured-value": compiled.StructuredValue,
    "suggested-followup": compiled.SuggestedFollowup,
    "timestamp": compiled.Timestamp,
    "worker-execution-outcome": compiled.WorkerExecutionOutcome,
    "worker-kind": compiled.WorkerKind,
    "worker-lifecycle-event-type": compiled.WorkerLifecycleEventType,
    "worker-lifecycle-log-entry": compiled.WorkerLifecycleLogEntry,
    "worker-lifecycle-log-stream": compiled.WorkerLifecycleLogStream,
    "worker-log-channel": compiled.WorkerLogChannel,
    "worker-log-line": compiled.WorkerLogLine,
};
export function isSchemaName(name) {
    return typeof name === "string" && Object.hasOwn(validators, name);
}
function validator(name) {
    if (!isSchemaName(name)) {
        throw new TypeError(`unknown schema ${JSON.stringify(name)}: schemaNames lists the known ones`);
    }
    return validators[name];
}
/** Whether `instance` is valid against the schema `name` (schemas/<name>.schema.json). */
export function is(name, instance) {
    return passes(validator(name), instance);
}
/** Validates `instance` against the schema `name` and reports every violation with its JSON pointer. */
export function validate(name, instance) {
    return check(validator(name), instance);
}
/** Whether `x` is a AgentActivity (schemas/agent-activity.schema.json). */
export function isAgentActivity(x) {
    return passes(validators["agent-activity"], x);
}
/** Whether `x` is a AgentCommand (schemas/agent-command.schema.json). */
export function isAgentCommand(x) {
    return passes(validators["agent-command"], x);
}
/** Whether `x` is a AgentFileChange (schemas/agent-file-change.schema.json). */
export function isAgentFileChange(x) {
    return passes(validators["agent-file-change"], x);
}
/** Whether `x` is a AgentTokenUsage (schemas/agent-token-usage.schema.json). */
export function isAgentTokenUsage(x) {
    return passes(validators["agent-token-usage"], x);
}
/** Whether `x` is a CheckpointChangeKind (schemas/checkpoint-change-kind.schema.json). */
export function isCheckpointChangeKind(x) {
    return passes(validators["checkpoint-change-kind"], x);
}
/** Whether `x` is a CheckpointMode (schemas/checkpoint-mode.schema.json). */
export function isCheckpointMode(x) {
    return passes(validators["checkpoint-mode"], x);
}
/** Whether `x` is a CheckpointRecord (schemas/checkpoint-record.schema.json). */
export function isCheckpointRecord(x) {
    return passes(validators["checkpoint-record"], x);
}
/** Whether `x` is a CodexOptions (schemas/codex-options.schema.json). */
export function isCodexOptions(x) {
    return passes(validators["codex-options"], x);
}
/** Whether `x` is a LocalRunLogContext (schemas/local-run-log-context.schema.json). */
export function isLocalRunLogContext(x) {
    return passes(validators["local-run-log-context"], x);
}
/** Whether `x` is a LocalRunLogSession (schemas/local-run-log-session.schema.json). */
export function isLocalRunLogSession(x) {
    return passes(validators["local-run-log-session"], x);
}
/** Whether `x` is a LocalRunLogSummary (schemas/local-run-log-summary.schema.json). */
export function isLocalRunLogSummary(x) {
    return passes(validators["local-run-log-summary"], x);
}
/** Whether `x` is a LocalRunPaths (schemas/local-run-paths.schema.json). */
export function isLocalRunPaths(x) {
    return passes(validators["local-run-paths"], x);
}
/** Whether `x` is a LogLevel (schemas/log-level.schema.json). */
export function isLogLevel(x) {
    return passes(validators["log-level"], x);
}
/** Whether `x` is a RunIdentifier (schemas/run-identifier.schema.json). */
export function isRunIdentifier(x) {
    return passes(validators["run-identifier"], x);
}
/** Whether `x` is a RunMetadata (schemas/run-metadata.schema.json). */
export function isRunMetadata(x) {
    return passes(validators["run-metadata"], x);
}
/** Whether `x` is a RunStateSnapshot (schemas/run-state-snapshot.schema.json). */
export function isRunStateSnapshot(x) {
    return passes(validators["run-state-snapshot"], x);
}
/** Whether `x` is a RunStatus (schemas/run-status.schema.json). */
export function isRunStatus(x) {
    return passes(validators["run-status"], x);
}
/** Whether `x` is a StepArtifactKind (schemas/step-artifact-kind.schema.json). */
export function isStepArtifactKind(x) {
    return passes(validators["step-artifact-kind"], x);
}
/** Whether `x` is a StepArtifact (schemas/step-artifact.schema.json). */
export function isStepArtifact(x) {
    return passes(validators["step-artifact"], x);
}
/** Whether `x` is a StepCheckpointConfig (schemas/step-checkpoint-config.schema.json). */
export function isStepCheckpointConfig(x) {
    return passes(validators["step-checkpoint-config"], x);
}
/** Whether `x` is a StepCheckpointState (schemas/step-checkpoint-state.schema.json). */
export function isStepCheckpointState(x) {
    return passes(validators["step-checkpoint-state"], x);
}
/** Whether `x` is a StepExecutionMetrics (schemas/step-execution-metrics.schema.json). */
export function isStepExecutionMetrics(x) {
    return passes(validators["step-execution-metrics"], x);
}
/** Whether `x` is a StepExecutionOutcome (schemas/step-execution-outcome.schema.json). */
export function isStepExecutionOutcome(x) {
    return passes(validators["step-execution-outcome"], x);
}
/** Whether `x` is a StepExecutionRequest (schemas/step-execution-request.schema.json). */
export function isStepExecutionRequest(x) {
    return passes(validators["step-execution-request"], x);
}
/** Whether `x` is a StepExecutionResult (schemas/step-execution-result.schema.json). */
export function isStepExecutionResult(x) {
    return passes(validators["step-execution-result"], x);
}
/** Whether `x` is a StepExecutionRuntime (schemas/step-execution-runtime.schema.json). */
export function isStepExecutionRuntime(x) {
    return passes(validators["step-execution-runtime"], x);
}
/** Whether `x` is a StepKind (schemas/step-kind.schema.json). */
export function isStepKind(x) {
    return passes(validators["step-kind"], x);
}
/** Whether `x` is a StreamChunkLogEntry (schemas/stream-chunk-log-entry.schema.json). */
export function isStreamChunkLogEntry(x) {
    return passes(validators["stream-chunk-log-entry"], x);
}
/** Whether `x` is a StreamChunkLogStream (schemas/stream-chunk-log-stream.schema.json). */
export function isStreamChunkLogStream(x) {
    return passes(validators["stream-chunk-log-stream"], x);
}
/** Whether `x` is a StreamLogChannel (schemas/stream-log-channel.schema.json). */
export function isStreamLogChannel(x) {
    return passes(validators["stream-log-channel"], x);
}
/** Whether `x` is a StructuredData (schemas/structured-data.schema.json). */
export function isStructuredData(x) {
    return passes(validators["structured-data"], x);
}
/** Whether `x` is a StructuredValue (schemas/structured-value.schema.json). */
export function isStructuredValue(x) {
    return passes(validators["structured-value"], x);
}
/** Whether `x` is a SuggestedFollowup (schemas/suggested-followup.schema.json). */
export function isSuggestedFollowup(x) {
    return passes(validators["suggested-followup"], x);
}
/** Whether `x` is a Timestamp (schemas/timestamp.schema.json). */
export function isTimestamp(x) {
    return passes(validators["timestamp"], x);
}
/** Whether `x` is a WorkerExecutionOutcome (schemas/worker-execution-outcome.schema.json). */
export function isWorkerExecutionOutcome(x) {
    return passes(validators["worker-execution-outcome"], x);
}
/** Whether `x` is a WorkerKind (schemas/worker-kind.schema.json). */
export function isWorkerKind(x) {
    return passes(validators["worker-kind"], x);
}
/** Whether `x` is a WorkerLifecycleEventType (schemas/worker-lifecycle-event-type.schema.json). */
export function isWorkerLifecycleEventType(x) {
    return passes(validators["worker-lifecycle-event-type"], x);
}
/** Whether `x` is a WorkerLifecycleLogEntry (schemas/worker-lifecycle-log-entry.schema.json). */
export function isWorkerLifecycleLogEntry(x) {
    return passes(validators["worker-lifecycle-log-entry"], x);
}
/** Whether `x` is a WorkerLifecycleLogStream (schemas/worker-lifecycle-log-stream.schema.json). */
export function isWorkerLifecycleLogStream(x) {
    return passes(validators["worker-lifecycle-log-stream"], x);
}
/** Whether `x` is a WorkerLogChannel (schemas/worker-log-channel.schema.json). */
export function isWorkerLogChannel(x) {
    return passes(validators["worker-log-channel"], x);
}
/** Whether `x` is a WorkerLogLine (schemas/worker-log-line.schema.json). */
export function isWorkerLogLine(x) {
    return passes(validators["worker-log-line"], x);
}
