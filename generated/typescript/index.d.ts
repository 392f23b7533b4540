// Generated from schemas/ by `nox -s codegen` (tools/typescript/generate.mjs). Do not edit.
import type * as C from "./contracts.js";
import { type ValidationResult } from "./violations.js";
export type * from "./contracts.js";
export type { ValidationResult, Violation } from "./violations.js";
/** The version of the contracts (schemas/VERSION), which is this package's version. */
export declare const version = "3.0.0";
/** Each schema's name (its file name without .schema.json) and the type it describes. */
export interface Contracts {
    "agent-activity": C.AgentActivity;
    "agent-command": C.AgentCommand;
    "agent-file-change": C.AgentFileChange;
    "agent-token-usage": C.AgentTokenUsage;
    "checkpoint-change-kind": C.CheckpointChangeKind;
    "checkpoint-mode": C.CheckpointMode;
    "checkpoint-record": C.CheckpointRecord;
    "codex-options": C.CodexOptions;
    "local-run-log-context": C.LocalRunLogContext;
    "local-run-log-session": C.LocalRunLogSession;
    "local-run-log-summary": C.LocalRunLogSummary;
    "local-run-paths": C.LocalRunPaths;
    "log-level": C.LogLevel;
    "run-identifier": C.RunIdentifier;
    "run-metadata": C.RunMetadata;
    "run-state-snapshot": C.RunStateSnapshot;
    "run-status": C.RunStatus;
    "step-artifact-kind": C.StepArtifactKind;
    "step-artifact": C.StepArtifact;
    "step-checkpoint-config": C.StepCheckpointConfig;
    "step-checkpoint-state": C.StepCheckpointState;
    "step-execution-metrics": C.StepExecutionMetrics;
    "step-execution-outcome": C.StepExecutionOutcome;
    "step-execution-request": C.StepExecutionRequest;
    "step-execution-result": C.StepExecutionResult;
    "step-execution-runtime": C.StepExecutionRuntime;
    "step-kind": C.StepKind;
    "stream-chunk-log-entry": C.StreamChunkLogEntry;
    "stream-chunk-log-stream": C.StreamChunkLogStream;
    "stream-log-channel": C.StreamLogChannel;
    "structured-data": C.StructuredData;
    "structured-value": C.StructuredValue;
    "suggested-followup": C.SuggestedFollowup;
    "timestamp": C.Timestamp;
    "worker-execution-outcome": C.WorkerExecutionOutcome;
    "worker-kind": C.WorkerKind;
    "worker-lifecycle-event-type": C.WorkerLifecycleEventType;
    "worker-lifecycle-log-entry": C.WorkerLifecycleLogEntry;
    "worker-lifecycle-log-stream": C.WorkerLifecycleLogStream;
    "worker-log-channel": C.WorkerLogChannel;
    "worker-log-line": C.WorkerLogLine;
}
export type SchemaName = keyof Contracts;
/** Every schema name, in file name order. */
export declare const schemaNames: readonly SchemaName[];
/** Each schema's own version (its x-version). */
export declare const schemaVersions: Readonly<Record<SchemaName, string>>;
export declare function isSchemaName(name: unknown): name is SchemaName;
/** Whether `instance` is valid against the schema `name` (schemas/<name>.schema.json). */
export declare function is<N extends SchemaName>(name: N, instance: unknown): instance is Contracts[N];
/** Validates `instance` against the schema `name` and reports every violation with its JSON pointer. */
export declare function validate(name: SchemaName, instance: unknown): ValidationResult;
/** Whether `x` is a AgentActivity (schemas/agent-activity.schema.json). */
export declare function isAgentActivity(x: unknown): x is C.AgentActivity;
/** Whether `x` is a AgentCommand (schemas/agent-command.schema.json). */
export declare function isAgentCommand(x: unknown): x is C.AgentCommand;
/** Whether `x` is a AgentFileChange (schemas/agent-file-change.schema.json). */
export declare function isAgentFileChange(x: unknown): x is C.AgentFileChange;
/** Whether `x` is a AgentTokenUsage (schemas/agent-token-usage.schema.json). */
export declare function isAgentTokenUsage(x: unknown): x is C.AgentTokenUsage;
/** Whether `x` is a CheckpointChangeKind (schemas/checkpoint-change-kind.schema.json). */
export declare function isCheckpointChangeKind(x: unknown): x is C.CheckpointChangeKind;
/** Whether `x` is a CheckpointMode (schemas/checkpoint-mode.schema.json). */
export declare function isCheckpointMode(x: unknown): x is C.CheckpointMode;
/** Whether `x` is a CheckpointRecord (schemas/checkpoint-record.schema.json). */
export declare function isCheckpointRecord(x: unknown): x is C.CheckpointRecord;
/** Whether `x` is a CodexOptions (schemas/codex-options.schema.json). */
export declare function isCodexOptions(x: unknown): x is C.CodexOptions;
/** Whether `x` is a LocalRunLogContext (schemas/local-run-log-context.schema.json). */
export declare function isLocalRunLogContext(x: unknown): x is C.LocalRunLogContext;
/** Whether `x` is a LocalRunLogSession (schemas/local-run-log-session.schema.json). */
export declare function isLocalRunLogSession(x: unknown): x is C.LocalRunLogSession;
/** Whether `x` is a LocalRunLogSummary (schemas/local-run-log-summary.schema.json). */
export declare function isLocalRunLogSummary(x: unknown): x is C.LocalRunLogSummary;
/** Whether `x` is a LocalRunPaths (schemas/local-run-paths.schema.json). */
export declare function isLocalRunPaths(x: unknown): x is C.LocalRunPaths;
/** Whether `x` is a LogLevel (schemas/log-level.schema.json). */
export declare function isLogLevel(x: unknown): x is C.LogLevel;
/** Whether `x` is a RunIdentifier (schemas/run-identifier.schema.json). */
export declare function isRunIdentifier(x: unknown): x is C.RunIdentifier;
/** Whether `x` is a RunMetadata (schemas/run-metadata.schema.json). */
export declare function isRunMetadata(x: unknown): x is C.RunMetadata;
/** Whether `x` is a RunStateSnapshot (schemas/run-state-snapshot.schema.json). */
export declare function isRunStateSnapshot(x: unknown): x is C.RunStateSnapshot;
/** Whether `x` is a RunStatus (schemas/run-status.schema.json). */
export declare function isRunStatus(x: unknown): x is C.RunStatus;
/** Whether `x` is a StepArtifactKind (schemas/step-artifact-kind.schema.json). */
export declare function isStepArtifactKind(x: unknown): x is C.StepArtifactKind;
/** Whether `x` is a StepArtifact (schemas/step-artifact.schema.json). */
export declare function isStepArtifact(x: unknown): x is C.StepArtifact;
/** Whether `x` is a StepCheckpointConfig (schemas/step-checkpoint-config.schema.json). */
export declare function isStepCheckpointConfig(x: unknown): x is C.StepCheckpointConfig;
/** Whether `x` is a StepCheckpointState (schemas/step-checkpoint-state.schema.json). */
export declare function isStepCheckpointState(x: unknown): x is C.StepCheckpointState;
/** Whether `x` is a StepExecutionMetrics (schemas/step-execution-metrics.schema.json). */
export declare function isStepExecutionMetrics(x: unknown): x is C.StepExecutionMetrics;
/** Whether `x` is a StepExecutionOutcome (schemas/step-execution-outcome.schema.json). */
export declare function isStepExecutionOutcome(x: unknown): x is C.StepExecutionOutcome;
/** Whether `x` is a StepExecutionRequest (schemas/step-execution-request.schema.json). */
export declare function isStepExecutionRequest(x: unknown): x is C.StepExecutionRequest;
/** Whether `x` is a StepExecutionResult (schemas/step-execution-result.schema.json). */
export declare function isStepExecutionResult(x: unknown): x is C.StepExecutionResult;
/** Whether `x` is a StepExecutionRuntime (schemas/step-execution-runtime.schema.json). */
export declare function isStepExecutionRuntime(x: unknown): x is C.StepExecutionRuntime;
/** Whether `x` is a StepKind (schemas/step-kind.schema.json). */
export declare function isStepKind(x: unknown): x is C.StepKind;
/** Whether `x` is a StreamChunkLogEntry (schemas/stream-chunk-log-entry.schema.json). */
export declare function isStreamChunkLogEntry(x: unknown): x is C.StreamChunkLogEntry;
/** Whether `x` is a StreamChunkLogStream (schemas/stream-chunk-log-stream.schema.json). */
export declare function isStreamChunkLogStream(x: unknown): x is C.StreamChunkLogStream;
/** Whether `x` is a StreamLogChannel (schemas/stream-log-channel.schema.json). */
export declare function isStreamLogChannel(x: unknown): x is C.StreamLogChannel;
/** Whether `x` is a StructuredData (schemas/structured-data.schema.json). */
export declare function isStructuredData(x: unknown): x is C.StructuredData;
/** Whether `x` is a StructuredValue (schemas/structured-value.schema.json). */
export declare function isStructuredValue(x: unknown): x is C.StructuredValue;
/** Whether `x` is a SuggestedFollowup (schemas/suggested-followup.schema.json). */
export declare function isSuggestedFollowup(x: unknown): x is C.SuggestedFollowup;
/** Whether `x` is a Timestamp (schemas/timestamp.schema.json). */
export declare function isTimestamp(x: unknown): x is C.Timestamp;
/** Whether `x` is a WorkerExecutionOutcome (schemas/worker-execution-outcome.schema.json). */
export declare function isWorkerExecutionOutcome(x: unknown): x is C.WorkerExecutionOutcome;
/** Whether `x` is a WorkerKind (schemas/worker-kind.schema.json). */
export declare function isWorkerKind(x: unknown): x is C.WorkerKind;
/** Whether `x` is a WorkerLifecycleEventType (schemas/worker-lifecycle-event-type.schema.json). */
export declare function isWorkerLifecycleEventType(x: unknown): x is C.WorkerLifecycleEventType;
/** Whether `x` is a WorkerLifecycleLogEntry (schemas/worker-lifecycle-log-entry.schema.json). */
export declare function isWorkerLifecycleLogEntry(x: unknown): x is C.WorkerLifecycleLogEntry;
/** Whether `x` is a WorkerLifecycleLogStream (schemas/worker-lifecycle-log-stream.schema.json). */
export declare function isWorkerLifecycleLogStream(x: unknown): x is C.WorkerLifecycleLogStream;
/** Whether `x` is a WorkerLogChannel (schemas/worker-log-channel.schema.json). */
export declare function isWorkerLogChannel(x: unknown): x is C.WorkerLogChannel;
/** Whether `x` is a WorkerLogLine (schemas/worker-log-line.schema.json). */
export declare function isWorkerLogLine(x: unknown): x is C.WorkerLogLine;
