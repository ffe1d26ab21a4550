"""Ours: the integration's engine, fed what the integration would read.

The adapter turns polls into ``ChargerReading``s, the meter's reports into
``MeterReading``s (a US split-phase service is one 240 V phase to the engine,
so the worse leg is given) and the Powerwall into ``PowerwallReading``s,
evaluates whenever anything new arrives (event-driven, like the
coordinator), and writes each pilot through the shared actuator.
"""

from typing import ClassVar

from bench.actuator import Actuator
from bench.controllers.base import Controller
from bench.facts import SiteFacts
from bench.observe import ChargerView, Observer
from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    EngineState,
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
    evaluate,
)

NOTHING_TO_COMMAND = frozenset({LimitReason.NO_VEHICLE, LimitReason.NOT_MANAGED})


def engine_config(facts: SiteFacts) -> SiteConfig:
    """Return the engine's view of the site, from the facts every controller gets."""
    outage = None
    if (
        facts.discharge_capability_w is not None
        and facts.charging_threshold_pct is not None
    ):
        outage = OutageConfig(
            charging_threshold_pct=facts.charging_threshold_pct,
            discharge_capability_w=facts.discharge_capability_w,
        )
    index = {phase: i for i, phase in enumerate(facts.phases)}
    return SiteConfig(
        chargers=tuple(
            ChargerConfig(
                charger_id=c.charger_id,
                max_current_a=c.max_current_a,
                phases=(0,) if facts.split_phase else tuple(index[p] for p in c.phases),
            )
            for c in facts.chargers
        ),
        phase_count=1 if facts.split_phase else len(facts.phases),
        voltage_v=240.0 if facts.split_phase else facts.phase_voltage_v,
        network_limit_a=facts.network_limit_a,
        panel_limit_a=facts.main_breaker_a,
        panel_margin_a=facts.safety_margin_a,
        outage=outage,
    )


class OursController(Controller):
    """Evaluate on every new reading; command what changed."""

    name: ClassVar[str] = "ours"

    def __init__(self, facts: SiteFacts) -> None:
        """Start from the engine's initial state, as after a restart."""
        super().__init__(facts)
        self.config = engine_config(facts)
        self.state = EngineState.initial()

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Run the engine when something new arrived and apply its pilots."""
        if not changed:
            return
        decision = evaluate(self.config, self.readings(observer), self.state, now)
        self.state = decision.state
        for charger_id, choice in decision.chargers.items():
            view = observer.chargers.get(charger_id)
            if choice.reason in NOTHING_TO_COMMAND or view is None:
                continue
            # An unreachable unit's vehicle is still commanded (the fallback).
            if view.wants_current or not view.reachable:
                act.set_pilot(charger_id, choice.pilot_a)

    def readings(self, observer: Observer) -> Readings:
        """Return the observations as the engine's readings."""
        meter = observer.meter
        meter_reading = None
        if meter is not None:
            currents = tuple(meter.currents_a[p] for p in self.facts.phases)
            meter_reading = MeterReading(
                at=meter.reported_at,
                phase_current_a=(max(currents),)
                if self.facts.split_phase
                else currents,
            )
        powerwall = observer.powerwall
        powerwall_reading = None
        if powerwall is not None:
            powerwall_reading = PowerwallReading(
                at=powerwall.at,
                grid_up=powerwall.grid_up,
                battery_pct=powerwall.soc_pct,
                solar_w=powerwall.solar_w,
                site_load_w=powerwall.load_w,
            )
        return Readings(
            chargers=tuple(self._charger(view) for view in observer.chargers.values()),
            meter=meter_reading,
            powerwall=powerwall_reading,
        )

    def _charger(self, view: ChargerView) -> ChargerReading:
        facts = next(c for c in self.facts.chargers if c.charger_id == view.charger_id)
        if self.facts.split_phase:
            current: tuple[float, ...] = (view.current_a,)
        else:
            current = tuple(view.phase_currents.get(p, 0.0) for p in facts.phases)
        return ChargerReading(
            charger_id=view.charger_id,
            at=view.at,
            reachable=view.reachable,
            vehicle_connected=view.connected,
            vehicle_wants_current=view.wants_current,
            current_a=current,
        )
