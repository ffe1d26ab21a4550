"""Builders shared by the engine tests."""

from __future__ import annotations

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    Decision,
    EngineState,
    LimitReason,
    Readings,
    SiteConfig,
    evaluate,
)


def asking(charger_id: str, at: float = 0.0, current: tuple[float, ...] = (0.0,)):
    """A reachable charger whose vehicle asks for current."""
    return ChargerReading(
        charger_id,
        at=at,
        vehicle_connected=True,
        vehicle_wants_current=True,
        current_a=current,
    )


def chargers(count: int, max_a: int = 48, **kwargs) -> tuple[ChargerConfig, ...]:
    return tuple(ChargerConfig(f"c{i}", max_a, **kwargs) for i in range(count))


def all_asking(config: SiteConfig, at: float = 0.0) -> tuple[ChargerReading, ...]:
    return tuple(asking(c.charger_id, at) for c in config.chargers)


def run(
    config: SiteConfig,
    readings: Readings | None = None,
    now: float = 0.0,
    state: EngineState | None = None,
) -> Decision:
    if readings is None:
        readings = Readings(chargers=all_asking(config, now))
    return evaluate(config, readings, state or EngineState.initial(), now)


def pilots(decision: Decision) -> list[int]:
    return [d.pilot_a for d in decision.chargers.values()]


def reasons(decision: Decision) -> list[LimitReason]:
    return [d.reason for d in decision.chargers.values()]
