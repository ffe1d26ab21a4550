"""Ours: the integration's engine and control loop, fed what the integration reads.

A thin adapter with no rules of its own. The site is configured as the
options flow stores it and built by the integration's ``site_config``; polls
become ``ChargerReading``s, the meter ``MeterReading``s (a US split-phase
service is one 240 V phase to the engine: the worse leg), the Powerwall
``PowerwallReading``s. On anything new it evaluates (event-driven, like the
manager), runs the integration's ``control.plan``, and sends its commands
through the shared actuator as a vehicle integration would.
"""

from typing import Any, ClassVar

from bench.actuator import Actuator
from bench.controllers.base import Controller
from bench.facts import SiteFacts
from bench.observe import ChargerView, Observer
from custom_components.tesla_power_mgmt import control
from custom_components.tesla_power_mgmt.const import (
    CONF_BACKED_UP_PHASES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_STATUS_ENTITY,
    CONF_GROUP,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_PARENT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PHASES,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    CONF_WIRED_PHASE,
    BackedUpPhases,
    Supply,
    WiredPhase,
)
from custom_components.tesla_power_mgmt.engine import (
    ChargerReading,
    EngineState,
    MeterReading,
    PowerwallReading,
    Readings,
    Region,
    SiteConfig,
    evaluate,
)
from custom_components.tesla_power_mgmt.site_options import ChargerEntry, site_config

CONTROL = control.ControlConfig()


def stored_groups(facts: SiteFacts) -> dict[str, dict[str, Any]]:
    """Return every group as its group subentry's data, by name as subentry id."""
    return {
        g.name: {CONF_NETWORK_LIMIT: g.limit_a}
        | ({CONF_PARENT: g.parent} if g.parent is not None else {})
        for g in facts.groups
    }


def stored_site(
    facts: SiteFacts,
) -> tuple[dict[str, Any], dict[str, Any], list[ChargerEntry]]:
    """Return the site as the config, subentry and options flows would store it.

    Groups are separate (``stored_groups``); each charger names its innermost.
    """
    three_phase = len(facts.phases) == 3 and not facts.split_phase
    data = {
        CONF_REGION: Region.NEC if facts.split_phase else Region.IEC,
        CONF_SUPPLY: Supply.THREE_PHASE if three_phase else Supply.SINGLE_PHASE,
        CONF_VOLTAGE: 240.0 if facts.split_phase else facts.phase_voltage_v,
    }
    options: dict[str, Any] = {
        CONF_PHASE_CURRENT_ENTITIES: [
            f"sensor.meter_{p.lower()}" for p in facts.phases
        ],
        CONF_PANEL_LIMIT: facts.main_breaker_a,
        CONF_SAFETY_MARGIN: facts.safety_margin_a,
        CONF_METER_STALE: facts.meter_stale_after_s,
    }
    if facts.discharge_capability_w is not None:
        options |= {
            CONF_GRID_STATUS_ENTITY: "binary_sensor.powerwall_grid_status",
            CONF_BATTERY_LEVEL_ENTITY: "sensor.powerwall_charge",
            CONF_DISCHARGE_CAPABILITY: facts.discharge_capability_w / 1000.0,
            CONF_CHARGING_THRESHOLD: facts.charging_threshold_pct,
        }
    if three_phase and facts.backup_phases is not None:
        every = set(facts.backup_phases) == set(facts.phases)
        options[CONF_BACKED_UP_PHASES] = (
            BackedUpPhases.ALL if every else BackedUpPhases.L1
        )
    chargers = []
    for c in facts.chargers:
        wiring: dict[str, Any] = {CONF_PHASES: 3 if len(c.phases) == 3 else 1}
        if three_phase and len(c.phases) == 1:
            wiring[CONF_WIRED_PHASE] = WiredPhase(c.phases[0].lower())
        if c.groups:
            wiring[CONF_GROUP] = c.groups[0]
        chargers.append(
            ChargerEntry(
                c.charger_id,
                {CONF_BREAKER: c.breaker_a, **wiring},
                power_level_a=c.max_current_a,
            )
        )
    return data, options, chargers


def engine_config(facts: SiteFacts) -> SiteConfig:
    """Return the engine's configuration, built as the integration builds it."""
    return site_config(*stored_site(facts), groups=stored_groups(facts))


class OursController(Controller):
    """Evaluate on every new reading; send what the control loop plans."""

    name: ClassVar[str] = "ours"

    def __init__(self, facts: SiteFacts) -> None:
        """Start from the initial states, as after a first start."""
        super().__init__(facts)
        self.config = engine_config(facts)
        self.state = EngineState.initial()
        self.control = control.ControlState()
        # What each vehicle's number shows (optimistic, as Tesla Fleet's).
        self._numbers: dict[str, int | None] = {}

    def step(
        self, now: float, observer: Observer, changed: bool, act: Actuator
    ) -> None:
        """Run the engine when something new arrived and send the planned commands."""
        if not changed:
            return
        readings = self.readings(observer)
        decision = evaluate(self.config, readings, self.state, now)
        self.state = decision.state
        vehicles = {r.charger_id: self._vehicle(r, act) for r in readings.chargers}
        planned = control.plan(decision, vehicles, self.control, now, CONTROL)
        self.control = planned.state
        for charger_id, commands in planned.commands.items():
            self._send(act, vehicles[charger_id], commands)
            outcome = control.Outcome(charger_id, commands)
            self.control = control.settle(self.control, outcome, now, CONTROL)

    def _vehicle(self, reading: ChargerReading, act: Actuator) -> control.VehicleInput:
        """Return the vehicle with its entities as its integration would show them."""
        charger_id = reading.charger_id
        commanded = act.commanded(charger_id)
        if commanded is None:  # a car arrives charging, at a setting of its own
            self._numbers[charger_id] = None
        elif commanded > 0:
            self._numbers[charger_id] = commanded
        top = next(c for c in self.config.chargers if c.charger_id == charger_id)
        number = control.CurrentNumber(
            self._numbers.get(charger_id), 0, top.max_current_a, 1
        )
        return control.vehicle_input(reading, number, commanded != 0)

    def _send(
        self,
        act: Actuator,
        vehicle: control.VehicleInput,
        commands: tuple[control.Command, ...],
    ) -> None:
        """Send the commands as one pilot: the shared actuator counts each call."""
        charging = vehicle.switch_on
        current = self._numbers.get(vehicle.charger_id)
        for command in commands:
            if isinstance(command, control.SetCharging):
                charging = command.on
            else:
                current = command.value_a
        self._numbers[vehicle.charger_id] = current
        if not charging:
            act.set_pilot(vehicle.charger_id, 0)
        elif current is not None:
            act.set_pilot(vehicle.charger_id, current)

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
        config = next(
            c for c in self.config.chargers if c.charger_id == view.charger_id
        )
        if self.facts.split_phase:
            current: tuple[float, ...] = (view.current_a,)
        else:
            phases = self.facts.phases
            current = tuple(
                view.phase_currents.get(phases[i], 0.0) for i in config.phases
            )
        return ChargerReading(
            charger_id=view.charger_id,
            at=view.at,
            reachable=view.reachable,
            vehicle_connected=view.connected,
            # A vehicle the loop paused still wants current: it is ours to resume.
            vehicle_wants_current=view.wants_current
            or (view.connected and self.control.paused_by_us(view.charger_id)),
            current_a=current,
        )
