"""Static power management: each charger fixed at the fallback fair limit.

What an installer does without any load management: every unit's power level
is the network limit (or, alone, the main breaker) divided by the number of
units, bounded by the unit's maximum, as Tesla's "fallback current" rule
computes it (Gen 3 Wall Connector Installation Manual, "Power Sharing":
fallback = network limit / network size). The home's load is ignored.
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import Controller, apply, wanting
from bench.observe import Observer


class StaticController(Controller):
    """Commands the fallback fair limit once per session."""

    name: ClassVar[str] = "static"

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Hold every wanting vehicle at its fixed share."""
        if not changed:
            return
        active = wanting(self.facts, observer)
        apply(act, {c.charger_id: self.facts.fallback_a(c) for c in active}, active)
