"""Faults and firmware quirks a Wall Connector shows, scheduled or injected live."""

from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    """What goes wrong with the unit's local API (or the unit)."""

    # The request hangs past any sensible client timeout.
    TIMEOUT = "timeout"
    # The web server answers 500.
    HTTP_500 = "http_500"
    # The unit restarts: unreachable, the contactor opens, uptime restarts.
    REBOOT = "reboot"
    # Wi-Fi lost: nothing answers, but the unit keeps charging at its pilot.
    UNREACHABLE = "unreachable"


class QuirkKind(StrEnum):
    """Malformed JSON seen from real firmware."""

    # ``"avg_startup_temp":nan`` in lifetime (fw 21.x, fixtures ``*_nan_*``).
    NAN = "nan"
    # The final ``}`` is missing (HA core #61150).
    MISSING_BRACE = "missing_brace"


@dataclass(frozen=True)
class FaultSpec:
    """A fault active during ``[start_s, end_s)``."""

    kind: FaultKind
    start_s: float
    end_s: float

    def active(self, now: float) -> bool:
        """Whether the fault is on at ``now``."""
        return self.start_s <= now < self.end_s


@dataclass(frozen=True)
class QuirkSpec:
    """A quirk on one endpoint, on every ``every``-th response."""

    kind: QuirkKind
    endpoint: str
    every: int = 1

    def applies(self, endpoint: str, response_number: int) -> bool:
        """Whether response number ``response_number`` (1-based) is malformed."""
        return endpoint == self.endpoint and response_number % self.every == 0
