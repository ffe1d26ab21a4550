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
    """

    charging_threshold_pct: float = 50.0
    hysteresis_pct: float = 5.0
    share_surplus_solar: bool = True
    discharge_capability_w: float = 5000.0


@dataclass(frozen=True, slots=True)
class ChargerConfig:
    """One Wall Connector.

    ``max_current_a``: power level bounded by breaker and nameplate
    (``from_hardware``); ``phases``: the site phases it draws on; ``managed``
    false: not commandable, a fixed load; ``enabled`` false: paused (0 A).
    """

    charger_id: str
    max_current_a: int = 48
    phases: tuple[int, ...] = (0,)
    priority: int = 0
    managed: bool = True
    enabled: bool = True

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
        )


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The whole site: its chargers and the limits above them.

    ``network_limit_a``: the group limit per phase (None: no group);
    ``panel_limit_a`` - ``panel_margin_a``: the panel, from the meter;
    ``stale_budget_a``: the cap while an input is stale (None: 6 A).
    """

    chargers: tuple[ChargerConfig, ...]
    phase_count: int = 1
    voltage_v: float = 240.0
    network_limit_a: float | None = None
    panel_limit_a: float | None = None
    panel_margin_a: float = 2.0
    outage: OutageConfig | None = None
    stale_budget_a: int | None = None
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
            phases = charger.phases
            if (
                not phases
                or len(set(phases)) != len(phases)
                or any(not 0 <= phase < self.phase_count for phase in phases)
            ):
                msg = f"{charger.charger_id}: phases {charger.phases} not on site"
                raise ValueError(msg)
            if charger.max_current_a < MIN_CURRENT_A:
                msg = f"{charger.charger_id}: max current below {MIN_CURRENT_A} A"
                raise ValueError(msg)


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
