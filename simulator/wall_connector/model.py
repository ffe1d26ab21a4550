"""A Gen 3 Wall Connector.

It supplies its vehicle up to its pilot and keeps the counters and readings
its local API reports.
"""

from bisect import insort
from dataclasses import dataclass, field
from enum import IntEnum
import random

from simulator.electrical import Grid, PhaseCurrents, Supply
from simulator.vehicle import Vehicle
from simulator.wall_connector.faults import FaultKind, FaultSpec, QuirkSpec
from simulator.wall_connector.firmware import Firmware, firmware_named


class EvseState(IntEnum):
    """``evse_state`` values seen in real vitals (charging: 10 or 11 by firmware)."""

    UNPLUGGED = 1
    CONNECTED = 4
    COMPLETE = 9


@dataclass(frozen=True)
class WallConnectorSpec:
    """A unit as installed: firmware, wiring, breaker and power level."""

    id: str
    firmware: str = "us_26.18.0"
    breaker_a: int = 60
    phases: tuple[str, ...] = ("L1", "L2")
    # The static max current the installer set (pilot); defaults to what the
    # breaker allows, capped at the nameplate.
    power_level_a: int | None = None
    serial: str | None = None
    wifi_ssid: str = "home"
    quirks: tuple[QuirkSpec, ...] = field(default_factory=tuple)
    faults: tuple[FaultSpec, ...] = field(default_factory=tuple)
    reboot_s: float = 60.0


def breaker_max_a(breaker_a: int, grid: Grid) -> int:
    """Continuous current a breaker allows: 80 % under NEC (US), 100 % under IEC."""
    return breaker_a * 8 // 10 if grid.supply is Supply.SPLIT_PHASE else breaker_a


@dataclass
class Lifetime:
    """Counters the unit keeps across sessions (``/api/1/lifetime``)."""

    contactor_cycles: int
    contactor_cycles_loaded: int
    alert_count: int
    thermal_foldbacks: int
    avg_startup_temp: float
    charge_starts: int
    energy_wh: float
    connector_cycles: int
    uptime_s: float
    charging_time_s: float


class WallConnector:
    """The live state of one unit."""

    def __init__(self, spec: WallConnectorSpec, grid: Grid, seed: int) -> None:
        """Install the unit; its counters start from seeded, lived-in values."""
        self.spec = spec
        self.grid = grid
        self.firmware: Firmware = firmware_named(spec.firmware)
        self.seed = seed
        rng = random.Random(seed)
        self.serial = spec.serial or f"PGT{rng.randrange(10**10, 10**11)}"
        self.max_current_a = min(
            spec.power_level_a or self.firmware.nameplate_a,
            self.firmware.nameplate_a,
            breaker_max_a(spec.breaker_a, grid),
        )
        self.vehicles: list[Vehicle] = []
        self.vehicle: Vehicle | None = None
        # A pilot set by load management on the unit itself (None: its max).
        self.pilot_limit_a: int | None = None
        self._pilot_changes: list[tuple[float, int]] = []
        self.current_a = 0.0
        self.phase_currents: PhaseCurrents = {}
        self.session_energy_wh = 0.0
        self.session_start_s = 0.0
        self.contactor_closed = False
        self._boot_uptime_s = float(rng.randrange(100_000, 2_000_000))
        self._booted_at = 0.0
        self._injected: list[FaultSpec] = []
        self._responses: dict[str, int] = {}
        self.lifetime = Lifetime(
            contactor_cycles=rng.randrange(10, 500),
            contactor_cycles_loaded=rng.randrange(0, 5),
            alert_count=rng.randrange(0, 200),
            thermal_foldbacks=0,
            avg_startup_temp=round(rng.uniform(15.0, 30.0), 1),
            charge_starts=0,
            energy_wh=float(rng.randrange(10_000, 3_000_000)),
            connector_cycles=rng.randrange(5, 300),
            uptime_s=float(rng.randrange(1_000_000, 20_000_000)),
            charging_time_s=float(rng.randrange(10_000, 500_000)),
        )
        self.lifetime.charge_starts = self.lifetime.contactor_cycles

    # Faults -----------------------------------------------------------------

    def fault_at(self, now: float) -> FaultKind | None:
        """Return the fault active at ``now``, scheduled or injected (first wins)."""
        for fault in (*self.spec.faults, *self._injected):
            if fault.active(now):
                return fault.kind
        return None

    def inject_fault(self, kind: FaultKind, now: float, duration_s: float) -> None:
        """Start a fault now for ``duration_s`` seconds (for live tests)."""
        self._injected.append(FaultSpec(kind, now, now + duration_s))

    def clear_faults(self) -> None:
        """End every injected fault."""
        self._injected.clear()

    def reachable(self, now: float) -> bool:
        """Whether the local API answers with data at ``now``."""
        return self.fault_at(now) is None

    # Physics ----------------------------------------------------------------

    def pilot_a(self, now: float, powered: bool) -> float:
        """Return the current the unit allows: 0 while rebooting or unpowered."""
        if not powered or self.fault_at(now) is FaultKind.REBOOT:
            return 0.0
        if self.pilot_limit_a is None:
            return float(self.max_current_a)
        return float(min(self.max_current_a, self.pilot_limit_a))

    def command_pilot(self, due_s: float, amps: int) -> None:
        """Lower or raise the pilot from ``due_s`` (when the vehicle has followed)."""
        insort(self._pilot_changes, (due_s, amps))

    def _apply_pilot_changes(self, now: float) -> None:
        while self._pilot_changes and self._pilot_changes[0][0] <= now:
            self.pilot_limit_a = self._pilot_changes.pop(0)[1]

    def uptime_s(self, now: float) -> float:
        """Seconds since the unit last booted."""
        return self._boot_uptime_s + now - self._booted_at

    def step(
        self, now: float, dt_s: float, powered: bool, phases: tuple[str, ...]
    ) -> PhaseCurrents:
        """Advance ``dt_s``; return the current drawn on each site phase.

        ``phases`` are the site phases that have voltage now (fewer in an outage).
        """
        rebooting = self.fault_at(now) is FaultKind.REBOOT
        if rebooting:
            self._boot_uptime_s = 0.0
            self._booted_at = now + dt_s
        plugged = next((v for v in self.vehicles if v.plugged_in(now)), None)
        if plugged is not self.vehicle:
            self._change_vehicle(plugged, now)
        self._apply_pilot_changes(now)
        pilot = self.pilot_a(now, powered)
        current = 0.0
        ev_phases: tuple[str, ...] = ()
        for vehicle in self.vehicles:
            if vehicle is plugged:
                ev_phases = tuple(
                    p
                    for p in self.grid.ev_phases(self.spec.phases, vehicle.spec.phases)
                    if p in phases
                )
                per_amp_w = self.grid.phase_voltage_v * len(ev_phases)
                current = vehicle.step(
                    now, dt_s, pilot if ev_phases else 0.0, per_amp_w
                )
            else:
                vehicle.step(now, dt_s, 0.0, 0.0)
        self._account(current, ev_phases, dt_s)
        return self.phase_currents

    def _change_vehicle(self, vehicle: Vehicle | None, now: float) -> None:
        self.vehicle = vehicle
        if vehicle is not None:
            self.lifetime.connector_cycles += 1
            self.session_energy_wh = 0.0
            self.session_start_s = now

    def _account(self, current: float, ev_phases: tuple[str, ...], dt_s: float) -> None:
        closed = current > 0
        if closed and not self.contactor_closed:
            self.lifetime.contactor_cycles += 1
            self.lifetime.charge_starts += 1
        self.contactor_closed = closed
        self.current_a = current
        self.phase_currents = dict.fromkeys(ev_phases, current) if closed else {}
        energy_wh = current * self.grid.phase_voltage_v * len(ev_phases) * dt_s / 3600.0
        self.session_energy_wh += energy_wh
        self.lifetime.energy_wh += energy_wh
        self.lifetime.uptime_s += dt_s
        if closed:
            self.lifetime.charging_time_s += dt_s

    def evse_state(self) -> int:
        """Return the ``evse_state`` the firmware reports."""
        if self.vehicle is None:
            return EvseState.UNPLUGGED
        if self.contactor_closed:
            return self.firmware.charging_evse_state
        if self.vehicle.soc_pct >= self.vehicle.spec.target_soc_pct:
            return EvseState.COMPLETE
        return EvseState.CONNECTED

    def count_response(self, endpoint: str) -> int:
        """Count a response to ``endpoint``; return its 1-based number (for quirks)."""
        self._responses[endpoint] = self._responses.get(endpoint, 0) + 1
        return self._responses[endpoint]
