// The seed's own contract types (../../../shared/seed) against the generated declarations: where the
// wire shape is the same they must be assignable both ways; where the schemas are deliberately
// tighter (schemas/README.md, "Where this differs from the seed"), generated -> seed must hold.
import type * as Logging from "../../../shared/seed/packages/logging/src/contracts.ts";
import type * as Runner from "../../../shared/seed/apps/worker-runner/src/contracts.ts";
import type * as Gen from "../../generated/typescript/contracts.d.ts";

type Extends<A, B> = [A] extends [B] ? true : false;
type Mutual<A, B> = Extends<A, B> extends true ? Extends<B, A> : false;
type Holds<T extends true> = T;

// Values the seed never writes: the git_diff checkpoint mode and its lifecycle events, and a
// cancelled run's outcome, status and event (3.0.0). Seen without them, the schemas still
// describe exactly the seed's shapes.
type CheckpointEvents =
  | "checkpoint_written"
  | "checkpoint_failed"
  | "checkpoint_skipped"
  | "checkpoint_restored"
  | "step_cancelled"
  | "cancelled";
type SeedEra<T> = [T] extends [Gen.CheckpointMode]
  ? [Gen.CheckpointMode] extends [T]
    ? Exclude<T, "git_diff">
    : T
  : T extends CheckpointEvents
    ? never
    : T extends Gen.StructuredData
      ? T
      : T extends object
        ? { [K in keyof T]: SeedEra<T[K]> }
        : T;

// Same shape on the wire: mutually assignable.
export type Checks = [
  Holds<Mutual<Logging.LogLevel, Gen.LogLevel>>,
  Holds<Mutual<Logging.RunStatus, SeedEra<Gen.RunStatus>>>,
  Holds<Mutual<Logging.WorkerLifecycleEventType, SeedEra<Gen.WorkerLifecycleEventType>>>,
  Holds<Mutual<Logging.StructuredValue, Gen.StructuredValue>>,
  Holds<Mutual<Logging.StructuredData, Gen.StructuredData>>,
  Holds<Mutual<Logging.RunStateSnapshot, SeedEra<Gen.RunStateSnapshot>>>,
  Holds<Mutual<Logging.WorkerLifecycleLogEntry, SeedEra<Gen.WorkerLifecycleLogEntry>>>,
  Holds<Mutual<Logging.StreamChunkLogEntry, Gen.StreamChunkLogEntry>>,
  Holds<Mutual<Logging.LocalRunLogSummary, Gen.LocalRunLogSummary>>,
  Holds<Mutual<Logging.LocalRunLogContext, Gen.LocalRunLogContext>>,
  Holds<Mutual<Runner.WorkerKind, Gen.WorkerKind>>,
  Holds<Mutual<Runner.StepKind, Gen.StepKind>>,
  Holds<Mutual<Runner.StepExecutionOutcome, SeedEra<Gen.StepExecutionOutcome>>>,
  Holds<Mutual<Runner.CheckpointMode, SeedEra<Gen.CheckpointMode>>>,
  Holds<Mutual<Runner.StepArtifactKind, Gen.StepArtifactKind>>,
  Holds<Mutual<Runner.StepExecutionRuntime, Gen.StepExecutionRuntime>>,
  Holds<Mutual<Runner.StepCheckpointConfig, SeedEra<Gen.StepCheckpointConfig>>>,
  Holds<Mutual<Runner.StepExecutionRequest, SeedEra<Gen.StepExecutionRequest>>>,
  Holds<Mutual<Runner.StepCheckpointState, SeedEra<Gen.StepCheckpointState>>>,
  Holds<Mutual<Runner.StepArtifact, Gen.StepArtifact>>,
  Holds<Mutual<Runner.SuggestedFollowup, Gen.SuggestedFollowup>>,
  Holds<Mutual<Runner.WorkerExecutionOutcome, SeedEra<Gen.WorkerExecutionOutcome>>>,
  Holds<Mutual<Runner.StepExecutionMetrics, Gen.StepExecutionMetrics>>,
  Holds<Mutual<Logging.StreamChunkLogStream, Gen.StreamChunkLogStream>>,
  Holds<Mutual<Logging.WorkerLifecycleLogStream, SeedEra<Gen.WorkerLifecycleLogStream>>>,
];

// Tighter in the schemas: layoutVersion is the const "local-run-v1", workerKind and checkpointMode
// the enums where the seed says string. Everything we write is a valid seed value.
export type OneWay = [
  Holds<Extends<Gen.LocalRunPaths, Logging.LocalRunPaths>>,
  Holds<Extends<SeedEra<Gen.RunMetadata>, Logging.RunMetadata>>,
  Holds<Extends<SeedEra<Gen.LocalRunLogSession>, Logging.LocalRunLogSession>>,
  Holds<Extends<SeedEra<Gen.StepExecutionResult>, Runner.StepExecutionResult>>,
];

// Wider than the seed (the checkpoint additions): whatever the seed writes is still valid.
export type Wider = [
  Holds<Extends<Logging.WorkerLifecycleEventType, Gen.WorkerLifecycleEventType>>,
  Holds<Extends<Runner.CheckpointMode, Gen.CheckpointMode>>,
  Holds<Extends<Runner.StepCheckpointState, Gen.StepCheckpointState>>,
  Holds<Extends<Runner.StepExecutionRequest, Gen.StepExecutionRequest>>,
  Holds<Extends<Logging.WorkerLifecycleLogStream, Gen.WorkerLifecycleLogStream>>,
];
