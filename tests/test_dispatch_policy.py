"""Retry policies, run options and attempt directories: the parts of dispatch without a broker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import make_request

from baa_conductor import prepare_step_run
from baa_conductor.dispatch.attempts import (
    ended_by_itself,
    free_attempt,
    next_attempt,
    run_dir,
    wait_unlocked,
)
from baa_conductor.dispatch.policy import RetryPolicy, RunOptions
from baa_conductor.exceptions import RejectedStepError


def _envelope(exit_code: int, attempt: int = 1) -> dict[str, Any]:
    return {"ok": exit_code == 0, "attempt": attempt, "state": {"exitCode": exit_code}}


def test_the_policy_retries_listed_failures_up_to_its_bound() -> None:
    """Only listed exit codes (and timeouts, if asked) run again, and never past maxAttempts."""
    policy = RetryPolicy(max_attempts=3, exit_codes=frozenset({75}), on_timeout=True)
    assert policy.retries(_envelope(75, 1))
    assert policy.retries(_envelope(124, 2))
    assert not policy.retries(_envelope(75, 3))
    assert not policy.retries(_envelope(3, 1))
    assert not policy.retries(_envelope(0, 1))
    assert not RetryPolicy().retries(_envelope(75, 1))
    assert [policy.delay(n) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert RetryPolicy(backoff_sec=200).delay(5) == 300.0


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ({"maxAttempts": 0}, "/maxAttempts: 0 is not between 1 and 20"),
        ({"maxAttempts": True}, "/maxAttempts: must be an integer"),
        ({"exitCodes": [0]}, "/exitCodes: 0 is not an exit code from 1 to 255"),
        ({"exitCodes": "75"}, "/exitCodes: must be a list of integers"),
        ({"onTimeout": 1}, "/onTimeout: must be true or false"),
        ({"backoffSec": -1}, "/backoffSec: -1.0 is not between 0 and 300.0"),
        ({"retries": 3}, "/retries: not a retry policy field (known: backoffSec, exitCodes, maxAttempts, onTimeout)"),
        ([], "/: the retry policy is list, not an object"),
    ],
)  # fmt: skip
def test_a_bad_policy_names_its_field(wire: Any, message: str) -> None:
    """A policy from the wire that cannot be followed is refused with the field and the reason."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        RetryPolicy.from_wire(wire)


def test_policy_and_options_round_trip() -> None:
    """What the client sends is what the worker reads."""
    policy = RetryPolicy(2, frozenset({75, 3}), True, 0.5)
    assert RetryPolicy.from_wire(policy.to_wire()) == policy
    assert RetryPolicy.from_wire(None) == RetryPolicy()
    options = RunOptions(2.5, 10, 4096)
    assert RunOptions.from_wire(options.to_wire()) == options
    assert RunOptions().to_wire() == {}
    with pytest.raises(ValueError, match=r"^/tailBytes: must be an integer, 0 or more$"):
        RunOptions.from_wire({"tailBytes": -1})


def test_an_attempt_whose_runner_died_is_followed_by_the_next(tmp_path: Path) -> None:
    """An interrupted attempt's directory stays; the next attempt gets a directory of its own;
    an attempt a live runner holds is named as held, and what it ended with decides the rest."""
    request = make_request(tmp_path, run_id="r")
    assert free_attempt(request) == (request, False)
    prepare_step_run(request).close()  # never finished, nobody holds it: interrupted
    following, held = free_attempt(request)
    assert (following["attempt"], following["runId"], held) == (2, "r.attempt-2", False)
    live = prepare_step_run(following)  # held by a live runner
    try:
        claimed, held = free_attempt(request)
        assert (claimed["runId"], held) == ("r.attempt-2", True)
    finally:
        live.close()
    wait_unlocked(run_dir(following))  # returns at once: nobody holds it now
    assert not ended_by_itself(run_dir(following))
    third, held = free_attempt(request)
    assert (third["attempt"], third["runId"], held) == (3, "r.attempt-3", False)
    assert next_attempt(third)["runId"] == "r.attempt-4"


def test_the_default_lease_loses_a_dead_worker_within_a_minute_and_fences_in_time() -> None:
    """At default settings: a dead worker's step is given away within 60 s of its last renewal
    (the lease, then at most one restore sweep), a cut-off worker's step is stopped (its fence,
    then the default grace) two renewals before that, and a short outage fences nothing."""
    from baa_conductor.cli.worker import DEFAULT_LEASE_SEC
    from baa_conductor.dispatch.app import make_app
    from baa_conductor.dispatch.config import LEASE_SEC, fence_after, max_grace, renew_every
    from baa_conductor.executors.process import DEFAULT_GRACE_SEC

    assert DEFAULT_LEASE_SEC == LEASE_SEC
    conf = make_app("redis://127.0.0.1:1/0").conf
    options = conf.broker_transport_options
    assert options["visibility_timeout"] == LEASE_SEC
    sweep = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    # the lease, one sweep, and at worst the sweep lock of a worker that died while sweeping
    assert LEASE_SEC + sweep + options["unacked_mutex_expire"] <= 60
    fence = fence_after(LEASE_SEC, DEFAULT_GRACE_SEC)
    assert fence + DEFAULT_GRACE_SEC + 2 * renew_every(LEASE_SEC) <= LEASE_SEC
    assert fence >= 2 * renew_every(LEASE_SEC)
    assert fence_after(LEASE_SEC, max_grace(LEASE_SEC)) == pytest.approx(2 * renew_every(LEASE_SEC))
    assert conf.task_acks_late
    assert conf.worker_prefetch_multiplier == 1


def test_a_run_id_too_long_for_another_attempt_is_refused(tmp_path: Path) -> None:
    """The suffix never makes an invalid run id: the step is refused, naming the field."""
    request = make_request(tmp_path, run_id="r" * 125)
    with pytest.raises(RejectedStepError) as caught:
        next_attempt(request)
    assert str(caught.value) == (
        "the worker refused the step request: /runId: "
        f"'{'r' * 125}' is too long to name attempt 2 ('{'r' * 125}.attempt-2' exceeds 128 characters)"
    )
