"""Failed commands back off per vehicle: 10 s, 20 s, 40 s … capped at 5 minutes.

A cloud vehicle API that keeps failing is not called on every evaluation
(each call may be billed); a repair is raised once a vehicle's commands
have failed for ``repair_after_s``. A success clears it all.
"""

from __future__ import annotations

from .model import Backoff, ControlConfig

_MAX_DOUBLINGS = 30


def delay_s(failures: int, config: ControlConfig) -> float:
    """Return how long to wait after ``failures`` failures in a row (>= 1)."""
    doublings = min(max(failures - 1, 0), _MAX_DOUBLINGS)
    return float(min(config.backoff_cap_s, config.backoff_base_s * 2**doublings))


def failed(backoff: Backoff, now: float, config: ControlConfig) -> Backoff:
    """Return the backoff after one more failure at ``now``."""
    failures = backoff.failures + 1
    return Backoff(
        failures=failures,
        retry_at=now + delay_s(failures, config),
        failing_since=now if backoff.failing_since is None else backoff.failing_since,
    )


def failing_for(backoff: Backoff, now: float) -> float:
    """Return for how long the vehicle's commands have failed (0: they do not)."""
    if backoff.failing_since is None:
        return 0.0
    return now - backoff.failing_since
