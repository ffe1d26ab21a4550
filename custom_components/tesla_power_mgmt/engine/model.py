"""What the engine is told: the site's configuration and the latest readings.

Currents in amps per phase, powers in watts, times in seconds (any clock, as
long as readings and ``now`` share it). Phase ``0`` is L1; a US split-phase
service is one 240 V phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .limits import MIN_CURRENT_A, Region, charger_max_current


class LimitReason(StrEnum):
    """Why a charger's pilot current is what it is (Home Assistant translation keys)."""

    POWER_LEVEL = "power_level"
    NETWORK_LIMIT = "network_limit"
    PANEL_HEADROOM = "panel_headroom"
    OUTAGE_BATTERY = "outage_battery"
    OUTAGE_SOLAR = "outage_solar"
    FALLBACK_UNREACHABLE = "fallback_unreachable"
    STALE_INPUT = "stale_input"
    WAITING_FOR_6A = "waiting_for_6a"
    WAITING_TO_INCREASE = "waiting_to_increase"
    VEHICLE_NOT_DRAWING = "vehicle_not_drawing"
    NOT_MANAGED = "not_managed"
    DISABLED = "disabled"
    NO_VEHICLE = "no_vehicle"


class SiteInput(StrEnum):
    """A site-wide input whose freshness is judged by age."""

    METER = "meter"
    POWERWALL = "powerwall"


@dataclass(frozen=True, slots=True)
class Timing:
    """Durations and thresholds of the control loop; every one is configurable.

    The reasons for each default, and what was measured, are in docs/engine.md
    ("Pace", "Lag", "Stale inputs").
    """

    meter_stale_s: float = 30.0  # meters report every 1-10 s
    powerwall_stale_s: float = 60.0  # cloud sources refresh every 15-30 s
    unseen_rise_a_per_min: float = 3.0  # held back per minute of a reading's age
    charger_stale_s: float = 60.0  # units are polled every 5-15 s
    increase_deadband_a: int = 2
    increase_interval_s: float = 60.0  # a command takes 5-30 s to show
    small_rise_after_s: float = 300.0
    resume_delay_s: float = 120.0
    long_pause_s: float = 600.0
    long_pause_resume_delay_s: float = 30.0
    follow_grace_s: float = 60.0  # twice the worst command latency
    follow_tolerance_a: float = 1.0  # idle units read up to ~0.6 A
    not_drawing_after_s: float = 120.0
    not_drawing_margin_a: float = 3.0
    not_drawing_headroom_a: float = 1.5
    lag_window_s: float = 45.0  # worst command latency + a slow poll
    rotation_interval_s: float = 1800.0  # Tesla's own 30 minutes


@dataclass(frozen=True, slots=True)
class OutageConfig:
    """Powerwall-aware charging while the grid is down.

    ``discharge_capability_w`` is the continuous discharge of all Powerwalls
    (5 kW for a Powerwall 2, 11.5 kW for a Powerwall 3). The charging threshold
    is the user's choice; 50 % keeps half the battery for the house.
    ``backed_up_phases``: the phases live in an outage (one Powerwall per
    phase keeps all three); the budget is shared over all of them.
    """

    charging_threshold_pct: float = 50.0
    hysteresis_pct: float = 5.0
    share_surplus_solar: bool = True
    discharge_capability_w: float = 5000.0
    backed_up_phases: tuple[int, ...] = (0,)  # L1: Tesla's default
    margin_pct: float = 10.0  # of the discharge capability, kept unused


@dataclass(frozen=True, slots=True)
class ChargerConfig:
    """One Wall Connector.

    ``max_current_a``: power level bounded by breaker and nameplate
    (``from_hardware``); ``phases``: the site phases it draws on; ``managed``
    false: not commandable, a fixed load; ``enabled`` false: paused (0 A);
    ``circuit``: the innermost circuit it is behind (None: the panel's).
    """

    charger_id: str
    max_current_a: int = 48
    phases: tuple[int, ...] = (0,)
    priority: int = 0
    managed: bool = True
    enabled: bool = True
    circuit: str | None = None

    @classmethod
    def from_hardware(
        cls,
        charger_id: str,
        region: Region,
        breaker_a: int,
        nameplate_a: int = 48,
        power_level_a: int | None = None,
        *,
        phases: tuple[int, ...] = (0,),
        priority: int = 0,
        managed: bool = True,
        enabled: bool = True,
        circuit: str | None = None,
    ) -> ChargerConfig:
        """Build a charger whose maximum is derived from breaker and power level."""
        return cls(
            charger_id=charger_id,
            max_current_a=charger_max_current(
                region, breaker_a, nameplate_a, power_level_a
            ),
            phases=phases,
            priority=priority,
            managed=managed,
            enabled=enabled,
            circuit=circuit,
        )


@dataclass(frozen=True, slots=True)
class CircuitConfig:
    """A power-sharing group or sub-panel: its limit per phase and where it sits.

    Every charger behind it, nested circuits included, shares ``limit_a``;
    ``parent`` None: directly in the panel (evcc's circuits nest the same way).
    """

    circuit_id: str
    limit_a: float
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The whole site: its chargers and the limits above them.

    ``network_limit_a``: the group limit per phase (None: no group);
    ``circuits``: groups and sub-panels, nested by ``parent``;
    ``panel_limit_a`` - ``panel_margin_a``: the panel, from the meter;
    ``stale_budget_a``: all vehicles together per phase while an input is
    stale, unreachable units included (None: 6 A).
    """

    chargers: tuple[ChargerConfig, ...]
    phase_count: int = 1
    voltage_v: float = 240.0
    network_limit_a: float | None = None
    panel_limit_a: float | None = None
    panel_margin_a: float = 2.0
    outage: OutageConfig | None = None
    stale_budget_a: int | None = None
    circuits: tuple[CircuitConfig, ...] = ()
    timing: Timing = field(default_factory=Timing)

    def __post_init__(self) -> None:
        """Reject configurations the engine cannot reason about."""
        if self.phase_count not in (1, 3):
            msg = f"phase_count must be 1 or 3, not {self.phase_count}"
            raise ValueError(msg)
        ids = [charger.charger_id for charger in self.chargers]
        if len(set(ids)) != len(ids):
            msg = f"charger ids must be unique: {ids}"
            raise ValueError(msg)
        for charger in self.chargers:
            if not _valid_phases(charger.phases, self.phase_count):
                msg = f"{charger.charger_id}: phases {charger.phases} not on site"
                raise ValueError(msg)
            if charger.max_current_a < MIN_CURRENT_A:
                msg = f"{charger.charger_id}: max current below {MIN_CURRENT_A} A"
                raise ValueError(msg)
        self._check_circuits()
        if self.outage is not None and not _valid_phases(
            self.outage.backed_up_phases, self.phase_count
        ):
            msg = f"backed-up phases {self.outage.backed_up_phases} not on site"
            raise ValueError(msg)

    def _check_circuits(self) -> None:
        """Reject unknown parents, cycles and chargers behind unknown circuits."""
        parents = {circuit.circuit_id: circuit.parent for circuit in self.circuits}
        if len(parents) != len(self.circuits):
            msg = "circuit ids must be unique"
            raise ValueError(msg)
        for circuit in self.circuits:
            seen, current = set[str](), circuit.parent
            while current is not None:
                if current not in parents or current in seen:
                    msg = f"{circuit.circuit_id}: parent {circuit.parent} invalid"
                    raise ValueError(msg)
                seen.add(current)
                current = parents[current]
            if not circuit.limit_a >= 0:  # NaN fails too
                msg = f"{circuit.circuit_id}: limit {circuit.limit_a} invalid"
                raise ValueError(msg)
        for charger in self.chargers:
            if charger.circuit is not None and charger.circuit not in parents:
                msg = f"{charger.charger_id}: circuit {charger.circuit} unknown"
                raise ValueError(msg)


def _valid_phases(phases: tuple[int, ...], phase_count: int) -> bool:
    """Whether ``phases`` are distinct phases of the site, at least one."""
    return (
        bool(phases)
        and len(set(phases)) == len(phases)
        and all(0 <= phase < phase_count for phase in phases)
    )


@dataclass(frozen=True, slots=True)
class ChargerReading:
    """The latest state of one Wall Connector and its vehicle, reported at ``at``.

    ``current_a`` per phase in the order of the charger's ``phases`` (missing
    values: the highest given); ``vehicle_wants_current``: charging, or ready
    and requesting (a full or scheduled vehicle does not).
    """

    charger_id: str
    at: float
    reachable: bool = True
    vehicle_connected: bool = False
    vehicle_wants_current: bool = False
    current_a: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class MeterReading:
    """The site meter at the grid connection, reported at ``at``.

    Either ``phase_current_a`` (one value per site phase, import positive) or
    ``power_w`` (total, import positive); ``voltage_v`` is the measured phase
    voltage used to convert power, the site's nominal voltage otherwise.
    """

    at: float
    phase_current_a: tuple[float, ...] | None = None
    power_w: float | None = None
    voltage_v: float | None = None


@dataclass(frozen=True, slots=True)
class PowerwallReading:
    """The Powerwall gateway, reported at ``at``.

    ``site_load_w`` is the home's consumption as the Powerwall reports it, EVs
    included.
    """

    at: float
    grid_up: bool = True
    battery_pct: float = 100.0
    solar_w: float = 0.0
    site_load_w: float = 0.0


@dataclass(frozen=True, slots=True)
class Readings:
    """Everything measured, each with its own age."""

    chargers: tuple[ChargerReading, ...] = ()
    meter: MeterReading | None = None
    powerwall: PowerwallReading | None = None
