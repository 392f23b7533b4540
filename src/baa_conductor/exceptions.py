"""Every error the package raises derives from :class:`BaaError`.

Leaf errors also derive from the built-in error a caller would expect (``ValueError`` for bad input,
``OSError`` for the disk), carry structured fields, and build their message in ``__str__``.
"""

from __future__ import annotations

from collections.abc import Sequence


class BaaError(Exception):
    """Root of every error raised by baa_conductor."""


class Violation:
    """One reason an instance fails its schema, at a JSON pointer into the instance.

    A plain class rather than a dataclass or NamedTuple: this module is on every command's
    start-up path, and building either costs more than the rest of the module.
    """

    __slots__ = ("pointer", "reason")

    def __init__(self, pointer: str, reason: str):
        self.pointer = pointer
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Violation):
            return NotImplemented
        return (self.pointer, self.reason) == (other.pointer, other.reason)

    def __hash__(self) -> int:
        return hash((self.pointer, self.reason))

    def __repr__(self) -> str:
        return f"Violation(pointer={self.pointer!r}, reason={self.reason!r})"

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.reason}"


class ContractError(BaaError, ValueError):
    """An instance does not match its schema; lists every violation, not just the first."""

    def __init__(self, schema: str, violations: Sequence[Violation], source: str | None = None):
        self.schema = schema
        self.violations = tuple(violations)
        self.source = source
        super().__init__(schema, self.violations)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        count = len(self.violations)
        head = f"{where}not a valid {self.schema} ({count} violation{'s' if count != 1 else ''})"
        return "\n  ".join([head, *(str(v) for v in self.violations)])


class UnknownSchemaError(BaaError, LookupError):
    """A schema name that the package does not ship."""

    def __init__(self, name: str, known: Sequence[str]):
        self.name = name
        self.known = tuple(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown schema {self.name!r}; known schemas: {', '.join(self.known)}"


class UnsafeRunPathError(BaaError, ValueError):
    """An id or path that would place run files outside the runs root."""

    def __init__(self, field: str, value: str, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(field, value, reason)

    def __str__(self) -> str:
        return f"{self.field} {self.value!r} is refused: {self.reason}"


class RunExistsError(BaaError, FileExistsError):
    """A run directory already exists; runs are never overwritten or appended to."""

    def __init__(self, run_dir: str):
        self.run_dir = run_dir
        super().__init__(run_dir)

    def __str__(self) -> str:
        return (
            f"run directory {self.run_dir} already exists; "
            "runs are never overwritten: use a new run id"
        )


class RunStoreError(BaaError, OSError):
    """A run file could not be created or written (disk full, read-only, removed)."""

    def __init__(self, path: str, action: str, cause: OSError):
        self.path = path
        self.action = action
        self.cause = cause
        super().__init__(cause.errno, str(cause))

    def __str__(self) -> str:
        reason = self.cause.strerror or str(self.cause)
        return f"cannot {self.action} {self.path}: {reason}"


class RunNotFoundError(BaaError, FileNotFoundError):
    """A path that is not a run directory."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(path)

    def __str__(self) -> str:
        return f"{self.path} is not a run directory: {self.reason}"


class RunFileError(BaaError, ValueError):
    """A file of a run that cannot be read as one: missing, not a regular file, too large, torn."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path = path
        self.reason = reason
        self.line = line
        super().__init__(path, reason, line)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


class Interrupted(BaseException):
    """The runner received SIGTERM (or SIGINT): stop the worker, persist, and exit."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)

    def __str__(self) -> str:
        import signal

        return f"interrupted by {signal.Signals(self.signum).name}"


class NoBrokerError(BaaError, ValueError):
    """A dispatch command without a broker: neither ``--broker`` nor ``BAA_BROKER_URL``."""

    def __str__(self) -> str:
        return "no broker configured: pass --broker URL (e.g. redis://host:6379/0) or set BAA_BROKER_URL"


class BrokerUnavailableError(BaaError, ConnectionError):
    """The broker or result backend cannot be reached."""

    def __init__(self, url: str, reason: str):
        self.url = url
        self.reason = reason
        super().__init__(url, reason)

    def __str__(self) -> str:
        return f"cannot reach the broker at {self.url}: {self.reason}"


class RejectedStepError(BaaError, ValueError):
    """A worker refused a dispatched step before running it: the step never ran.

    Raised in the worker and carried to the client by the result backend (its one argument, the
    reason, is all that crosses the wire).
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return f"the worker refused the step request: {self.reason}"


class StepCancelledError(BaaError):
    """A dispatched step was cancelled before it started; it never ran and has no envelope."""

    def __init__(self, task_id: str):
        self.task_id = task_id
        super().__init__(task_id)

    def __str__(self) -> str:
        return f"step {self.task_id} was cancelled before it started; it never ran"


class CompatInputError(BaaError, ValueError):
    """Schemas that cannot be compared: unreadable, not valid JSON Schema, a $ref that resolves to
    nothing, or a baseline that cannot be found. The message is one line saying what and where;
    ``file`` is the file at fault when there is one."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.file = file
