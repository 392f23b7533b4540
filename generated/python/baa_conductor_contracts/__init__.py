# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from .worker_log_line_schema import WorkerLogLine
from .worker_log_channel_schema import WorkerLogChannel
from .worker_lifecycle_log_stream_schema import WorkerLifecycleLogStream
from .worker_lifecycle_log_entry_schema import WorkerLifecycleLogEntry
from .worker_lifecycle_event_type_schema import WorkerLifecycleEventType
from .worker_kind_schema import WorkerKind
from .worker_execution_outcome_schema import WorkerExecutionOutcome
from .timestamp_schema import Timestamp
from .suggested_followup_schema import SuggestedFollowup
from .structured_value_schema import StructuredValue
from .structured_data_schema import StructuredData
from .stream_log_channel_schema import StreamLogChannel
from .stream_chunk_log_stream_schema import StreamChunkLogStream
from .stream_chunk_log_entry_schema import StreamChunkLogEntry
from .step_kind_schema import StepKind
from .step_execution_runtime_schema import StepExecutionRuntime
from .step_execution_result_schema import StepExecutionResult
from .step_execution_request_schema import StepExecutionRequest
from .step_execution_outcome_schema import StepExecutionOutcome
from .step_execution_metrics_schema import StepExecutionMetrics
from .step_checkpoint_state_schema import DeferredFeature, StepCheckpointState
from .step_checkpoint_config_schema import StepCheckpointConfig
from .step_artifact_schema import StepArtifact
from .step_artifact_kind_schema import StepArtifactKind
from .run_status_schema import RunStatus
from .run_state_snapshot_schema import RunStateSnapshot
from .run_metadata_schema import RunMetadata
from .run_identifier_schema import RunIdentifier
from .log_level_schema import LogLevel
from .local_run_paths_schema import LocalRunPaths
from .local_run_log_summary_schema import LocalRunLogSummary
from .local_run_log_session_schema import LocalRunLogSession
from .local_run_log_context_schema import LocalRunLogContext
from .codex_options_schema import CodexOptions, ConfigItem, Sandbox
from .checkpoint_record_schema import (
    CheckpointFile,
    CheckpointOmission,
    CheckpointOmissionReason,
    CheckpointPatch,
    CheckpointReason,
    CheckpointRecord,
    CheckpointRecordMode,
    CheckpointStatus,
)
from .checkpoint_mode_schema import CheckpointMode
from .checkpoint_change_kind_schema import CheckpointChangeKind
from .agent_token_usage_schema import AgentTokenUsage
from .agent_file_change_schema import AgentFileChange
from .agent_command_schema import AgentCommand
from .agent_activity_schema import AgentActivity, ResumedFrom

__all__ = [
    "AgentActivity",
    "AgentCommand",
    "AgentFileChange",
    "AgentTokenUsage",
    "CheckpointChangeKind",
    "CheckpointFile",
    "CheckpointMode",
    "CheckpointOmission",
    "CheckpointOmissionReason",
    "CheckpointPatch",
    "CheckpointReason",
    "CheckpointRecord",
    "CheckpointRecordMode",
    "CheckpointStatus",
    "CodexOptions",
    "ConfigItem",
    "DeferredFeature",
    "LocalRunLogContext",
    "LocalRunLogSession",
    "LocalRunLogSummary",
    "LocalRunPaths",
    "LogLevel",
    "ResumedFrom",
    "RunIdentifier",
    "RunMetadata",
    "RunStateSnapshot",
    "RunStatus",
    "Sandbox",
    "StepArtifact",
    "StepArtifactKind",
    "StepCheckpointConfig",
    "StepCheckpointState",
    "StepExecutionMetrics",
    "StepExecutionOutcome",
    "StepExecutionRequest",
    "StepExecutionResult",
    "StepExecutionRuntime",
    "StepKind",
    "StreamChunkLogEntry",
    "StreamChunkLogStream",
    "StreamLogChannel",
    "StructuredData",
    "StructuredValue",
    "SuggestedFollowup",
    "Timestamp",
    "WorkerExecutionOutcome",
    "WorkerKind",
    "WorkerLifecycleEventType",
    "WorkerLifecycleLogEntry",
    "WorkerLifecycleLogStream",
    "WorkerLogChannel",
    "WorkerLogLine",
]

__version__ = "3.0.0"  # the contracts' version: schemas/VERSION
