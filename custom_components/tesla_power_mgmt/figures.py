"""The site figures shown to users, bounded to what is physically there.

Home load never below 0 (a lagging or inverted meter); headroom and available
current at most the panel limit and, in an outage, what the Powerwall gives.
The cause of a clamp is logged once per episode.
"""

from collections.abc import Callable

from .const import LOGGER
from .engine import Decision, SiteConfig

Figures = tuple[float | None, ...] | tuple[float, ...] | None


def _outage_cap_a(decision: Decision, config: SiteConfig) -> float | None:
    """Return the most the Powerwall can give on one phase in an outage."""
    if decision.outage_power_w is None or config.voltage_v <= 0:
        return None
    return max(decision.outage_power_w, 0.0) / config.voltage_v


def ceiling_a(decision: Decision, config: SiteConfig) -> float | None:
    """Return the most current that can be free on a phase: panel, outage."""
    caps = [
        cap
        for cap in (config.panel_limit_a, _outage_cap_a(decision, config))
        if cap is not None
    ]
    return min(caps) if caps else None


def bounded(values: Figures, ceiling: float | None) -> tuple[float | None, ...]:
    """Return each figure at least 0 and at most ``ceiling`` (None stays None)."""
    return tuple(
        None
        if value is None
        else max(0.0, value if ceiling is None else min(value, ceiling))
        for value in values or ()
    )


def home_load_a(decision: Decision, _config: SiteConfig) -> tuple[float | None, ...]:
    """Return the home load per phase, never below 0."""
    return bounded(decision.home_load_a, None)


def headroom_a(decision: Decision, config: SiteConfig) -> tuple[float | None, ...]:
    """Return the panel headroom per phase, from 0 to what can be free."""
    return bounded(decision.panel_headroom_a, ceiling_a(decision, config))


def available_a(decision: Decision, config: SiteConfig) -> tuple[float | None, ...]:
    """Return the current available to the vehicles, from 0 to what can be free."""
    return bounded(decision.available_current_a, ceiling_a(decision, config))


_CHECKS: dict[str, Callable[[Decision, SiteConfig], tuple[float | None, ...]]] = {
    "home_load_a": home_load_a,
    "panel_headroom_a": headroom_a,
    "available_current_a": available_a,
}


class ClampLog:
    """Logs a clamped figure once when it starts being clamped."""

    def __init__(self) -> None:
        """No figure is clamped yet."""
        self._clamped: set[str] = set()

    def check(self, decision: Decision, config: SiteConfig) -> None:
        """Log each figure that is clamped now and was not at the last check."""
        for name, bound in _CHECKS.items():
            raw = tuple(getattr(decision, name) or ())
            shown = bound(decision, config)
            if raw == shown:
                self._clamped.discard(name)
            elif name not in self._clamped:
                self._clamped.add(name)
                LOGGER.warning(
                    "%s is %s, outside 0 to %s; shown as %s (a meter or "
                    "Powerwall reading lags, or reads the wrong sign)",
                    name,
                    raw,
                    ceiling_a(decision, config),
                    shown,
                )
