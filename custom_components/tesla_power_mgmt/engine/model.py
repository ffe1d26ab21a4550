"""What the engine is told: the site's configuration and the latest readings.

All currents are in amps per phase, powers in watts, times in seconds (any
monotonic or epoch clock, as long as readings and ``now`` use the same one).
Phases are site phase indices: ``0`` is L1, the only phase backed up by a
Powerwall in an outage; a US split-phase service is one 240 V phase.
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

    Defaults, and why:

    - ``meter_stale_s`` 30 s: site meters report every 1-10 s; three missed
      reports are a fault, yet 30 s is inside the command latency of a vehicle
      (5-30 s) and far inside a breaker's thermal trip time at modest overload.
    - ``powerwall_stale_s`` 60 s: cloud Powerwall sources (Teslemetry, Fleet)
      refresh every 15-30 s; the local integration every 5 s.
    - ``charger_stale_s`` 60 s: Wall Connectors are polled every 5-15 s; a
      reading older than this means the unit is treated as unreachable.
    - ``increase_deadband_a`` 2 A and ``increase_interval_s`` 60 s: a vehicle
      command takes 5-30 s to show in the measured current and cloud commands
      are rate-limited and billed; 60 s lets the last one settle before the
      next and bounds increases to one a minute per vehicle. A rise to the
      charger's own maximum ignores the deadband (it is a stable end state).
    - ``small_rise_after_s`` 300 s: a rise below the deadband is made once the
      target has stayed above the pilot for 5 minutes, so current freed an
      amp at a time (tapering vehicles) reaches the others, at the cost of at
      most one command per vehicle per 5 minutes.
    - ``resume_delay_s`` 120 s: a vehicle paused for lack of headroom restarts
      only after the headroom has lasted two minutes, so a kettle or a cloud
      over the solar does not cycle the contactor and wake the car. Not
      applied when the grid comes back to a vehicle paused by the outage
      budget (``pacing``): that room is not passing; nor when a stale input
      is fresh again to a vehicle it held at 0 A (arrived meanwhile, or
      paused by a stale budget below 6 A): no room came and went.
    - ``long_pause_s`` 600 s and ``long_pause_resume_delay_s`` 30 s: a vehicle
      paused for 10 minutes or more before the room came back resumes after
      30 s of room (the worst command latency) instead of two minutes: room
      back after that long is the end of a long appliance run (a heat pump
      compressor cycle), not a kettle. Measured: tight panel with a cycling
      heat pump +1.3 kWh for +29 commands (a vehicle waiting through a
      cooker's short cycles starts earlier in its first gap); no change
      elsewhere.
    - ``follow_grace_s`` 60 s and ``follow_tolerance_a`` 1 A: a vehicle drawing
      more than its pilot + 1 A (Wall Connectors read up to ~0.6 A when idle)
      for longer than twice the worst command latency is not following. It is
      counted at its draw before that too; up to the tolerance above its pilot
      is taken as meter noise when sharing, and is not a reason to pause a
      vehicle on a phase already over its limit.
    - ``not_drawing_after_s`` 120 s, ``not_drawing_margin_a`` 3 A,
      ``not_drawing_headroom_a`` 1.5 A: a vehicle drawing 3 A below its pilot
      for 2 minutes (four times the worst command latency, so not merely
      ramping up) is capped at its draw + 1.5 A rounded up (never below
      6 A; headroom < margin so the cap itself does not re-trigger); capped
      lower again the same way as it tapers, and the cap is lifted once it
      draws up to it (within the follow tolerance, which is below the
      headroom so meter noise does not lift it). Measured in the benchmark
      against 300 s and 2 A: a tapering vehicle's current reaches the
      others sooner and closer (six chargers +0.11 kWh, two cars +0.10 kWh,
      breaker network +0.14 kWh) for 0-7 more commands a scenario.
    - ``lag_window_s`` 45 s: after a pilot rises, the meter and the Powerwall
      see the vehicle's new draw at once, its Wall Connector up to a poll
      later; the worst command latency (30 s) plus a slow poll (15 s) bounds
      the time its draw may be unseen by its unit (see ``evaluate``).
    - ``rotation_interval_s`` 1800 s: Tesla's own 30 minutes.
    """

    meter_stale_s: float = 30.0
    powerwall_stale_s: float = 60.0
    charger_stale_s: float = 60.0
    increase_deadband_a: int = 2
    increase_interval_s: float = 60.0
    small_rise_after_s: float = 300.0
    resume_delay_s: float = 120.0
    long_pause_s: float = 600.0
    long_pause_resume_delay_s: float = 30.0
    follow_grace_s: float = 60.0
    follow_tolerance_a: float = 1.0
    not_drawing_after_s: float = 120.0
    not_drawing_margin_a: float = 3.0
    not_drawing_headroom_a: float = 1.5
    lag_window_s: float = 45.0
    rotation_interval_s: float = 1800.0


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

    ``max_current_a`` is its allowed maximum: the power level bounded by the
    breaker and the nameplate (see ``from_hardware``). ``phases`` are the site
    phases it draws on. ``managed`` is false for a unit the engine cannot
    command: its measured current is budgeted as a fixed load. ``enabled``
    false pauses it (0 A).
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

    ``network_limit_a`` is the group limit per phase over all chargers (None: no
    group). ``panel_limit_a`` with ``panel_margin_a`` enables dynamic power
    management from the meter. ``stale_budget_a`` caps every charger while a
    configured input is stale (None: 6 A, the lowest charging current); a
    stale input never raises any pilot, whatever the budget.
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

    ``current_a`` is the measured current per phase, in the order of the
    charger's configured ``phases``; a single value stands for every phase and
    missing values are taken as the highest given. ``vehicle_wants_current``
    means the vehicle is asking for current now (charging, or ready and
    requesting); a vehicle that is connected but full, scheduled or stopped
    does not, and is given no allocation until it asks.
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
