"""The whole site, stepped in virtual time.

Grid, home, chargers, vehicles, meter, Powerwall and solar; deterministic for
a given spec and seed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
import zlib

from simulator.clock import VirtualClock
from simulator.electrical import Grid, PhaseCurrents, add_currents, zero_currents
from simulator.loads import HomeLoad, HomeLoadSpec
from simulator.meter import Meter, MeterSpec
from simulator.powerwall import Powerwall, PowerwallSpec, Solar, SolarSpec
from simulator.vehicle import Vehicle, VehicleSpec
from simulator.wall_connector.model import WallConnector, WallConnectorSpec


@dataclass(frozen=True)
class GroupSpec:
    """A power-sharing network: chargers behind one feeder of ``limit_a``.

    Groups may sit side by side (no charger in common) or nest (a sub-panel
    inside a group: every charger of the inner one is in the outer one).
    """

    name: str
    limit_a: float
    chargers: tuple[str, ...]

    def __post_init__(self) -> None:
        """Reject a group no electrician could wire."""
        if not self.chargers or len(set(self.chargers)) != len(self.chargers):
            msg = f"group {self.name}: needs distinct chargers"
            raise ValueError(msg)
        if self.limit_a <= 0:
            msg = f"group {self.name}: limit_a must be positive"
            raise ValueError(msg)


@dataclass(frozen=True)
class SiteSpec:
    """Everything physical about a site; see bench/README.md for the YAML form."""

    name: str
    grid: Grid
    main_breaker_a: float
    duration_s: float
    chargers: tuple[WallConnectorSpec, ...]
    vehicles: tuple[VehicleSpec, ...] = field(default_factory=tuple)
    groups: tuple[GroupSpec, ...] = field(default_factory=tuple)
    home: HomeLoadSpec = field(default_factory=lambda: HomeLoadSpec(base_a={}))
    meter: MeterSpec = field(default_factory=MeterSpec)
    powerwall: PowerwallSpec | None = None
    # The user's outage setting: below this Powerwall %, only surplus solar.
    charging_threshold_pct: float = 20.0
    solar: SolarSpec | None = None
    # Phases that stay live when islanded (Powerwall backup is single-phase in EU).
    backup_phases: tuple[str, ...] | None = None
    # Time of day at t = 0 (for solar and plot labels).
    start_clock_s: float = 0.0
    step_s: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        """Check that every reference points at something that exists."""
        ids = [c.id for c in self.chargers]
        if len(set(ids)) != len(ids):
            msg = f"{self.name}: charger ids must be unique"
            raise ValueError(msg)
        known = set(ids)
        for vehicle in self.vehicles:
            if vehicle.charger not in known:
                msg = f"{self.name}: {vehicle.name} uses unknown {vehicle.charger}"
                raise ValueError(msg)
        for group in self.groups:
            if missing := set(group.chargers) - known:
                msg = f"{self.name}: group {group.name} lacks {sorted(missing)}"
                raise ValueError(msg)
        _check_groups(self.name, self.groups)
        phases = set(self.grid.phases)
        for charger in self.chargers:
            if not set(charger.phases) <= phases:
                msg = f"{self.name}: {charger.id} is wired to phases the site lacks"
                raise ValueError(msg)

        if self.backup_phases is not None and not set(self.backup_phases) <= phases:
            msg = f"{self.name}: backup_phases must be site phases"
            raise ValueError(msg)

    @property
    def live_backup_phases(self) -> tuple[str, ...]:
        """Phases with voltage during an outage."""
        return self.backup_phases or self.grid.phases

    def groups_of(self, charger_id: str) -> tuple[GroupSpec, ...]:
        """Return the groups ``charger_id`` is behind, innermost first."""
        mine = [g for g in self.groups if charger_id in g.chargers]
        return tuple(sorted(mine, key=lambda g: (len(g.chargers), g.limit_a)))


def _check_groups(site: str, groups: tuple[GroupSpec, ...]) -> None:
    """Reject groups that overlap: side by side share nothing, nested lie inside."""
    names = [g.name for g in groups]
    if len(set(names)) != len(names):
        msg = f"{site}: group names must be unique"
        raise ValueError(msg)
    for i, first in enumerate(groups):
        for second in groups[i + 1 :]:
            a, b = set(first.chargers), set(second.chargers)
            if a == b or (a & b and not (a <= b or b <= a)):
                msg = f"{site}: groups {first.name} and {second.name} overlap"
                raise ValueError(msg)


@dataclass(frozen=True)
class SiteSnapshot:
    """What physically happened during one step."""

    now: float
    grid_up: bool
    blackout: bool
    grid_currents: Mapping[str, float]
    home_currents: Mapping[str, float]
    charger_currents: Mapping[str, float]
    charger_phase_currents: Mapping[str, Mapping[str, float]]
    solar_w: float
    battery_w: float
    powerwall_soc_pct: float | None


def component_seed(seed: int, name: str) -> int:
    """Return a stable per-component seed (adding a charger keeps the others' noise)."""
    return zlib.crc32(f"{seed}:{name}".encode())


class Site:
    """A running site."""

    def __init__(self, spec: SiteSpec) -> None:
        """Build every component in its initial state."""
        self.spec = spec
        self.clock = VirtualClock()
        self.grid = spec.grid
        self.chargers: dict[str, WallConnector] = {
            c.id: WallConnector(c, spec.grid, component_seed(spec.seed, c.id))
            for c in spec.chargers
        }
        self.vehicles: dict[str, Vehicle] = {}
        for vehicle_spec in sorted(spec.vehicles, key=lambda v: v.arrival_s):
            vehicle = Vehicle(vehicle_spec)
            self.vehicles[vehicle_spec.name] = vehicle
            self.chargers[vehicle_spec.charger].vehicles.append(vehicle)
        self.home = HomeLoad(
            spec.home, spec.duration_s, component_seed(spec.seed, "home")
        )
        self.meter = Meter(spec.meter)
        self.powerwall = Powerwall(spec.powerwall) if spec.powerwall else None
        self.solar = (
            Solar(spec.solar, spec.duration_s, component_seed(spec.seed, "solar"))
            if spec.solar
            else None
        )
        self.last: SiteSnapshot | None = None

    @property
    def now(self) -> float:
        """Seconds since the scenario started."""
        return self.clock.now

    @property
    def done(self) -> bool:
        """Whether the scenario's duration has passed."""
        return self.now >= self.spec.duration_s

    def grid_up(self, now: float) -> bool:
        """Whether the utility grid is present."""
        return self.powerwall is None or self.powerwall.spec.grid_up(now)

    def solar_w(self, now: float) -> float:
        """Solar production at ``now``."""
        return self.solar.power_w(self.spec.start_clock_s + now) if self.solar else 0.0

    def step(self) -> SiteSnapshot:
        """Advance one step of ``spec.step_s`` and report what happened."""
        now, dt = self.clock.now, self.spec.step_s
        grid_up = self.grid_up(now)
        live = self.grid.phases if grid_up else self.spec.live_backup_phases
        powered = grid_up or (self.powerwall is not None and not self.powerwall.dark)
        ev = zero_currents(self.grid.phases)
        charger_currents: dict[str, float] = {}
        charger_phases: dict[str, PhaseCurrents] = {}
        for charger_id, charger in self.chargers.items():
            drawn = charger.step(now, dt, powered, live)
            add_currents(ev, drawn)
            charger_currents[charger_id] = charger.current_a
            charger_phases[charger_id] = drawn
        home_all = self.home.currents_at(now)
        home = {
            p: (home_all.get(p, 0.0) if p in live and powered else 0.0)
            for p in self.grid.phases
        }
        sun_w = self.solar_w(now)
        solar_w = sun_w if powered else 0.0
        net_load_w = self.grid.power_w(home) + self.grid.power_w(ev) - solar_w
        battery_w = 0.0
        blackout = not powered
        if self.powerwall is not None:
            flow = self.powerwall.step(grid_up, net_load_w, dt, sun_w)
            battery_w, blackout = flow.battery_w, blackout or flow.blackout
        grid_currents = zero_currents(self.grid.phases)
        if grid_up:
            add_currents(grid_currents, home)
            add_currents(grid_currents, ev)
            sources = self.grid.spread(solar_w + battery_w, self.grid.phases)
            add_currents(grid_currents, {p: -a for p, a in sources.items()})
        self.meter.step(now, grid_currents, self.grid.power_w(grid_currents))
        self.last = SiteSnapshot(
            now=now,
            grid_up=grid_up,
            blackout=blackout,
            grid_currents=grid_currents,
            home_currents=home,
            charger_currents=charger_currents,
            charger_phase_currents=charger_phases,
            solar_w=solar_w,
            battery_w=battery_w,
            powerwall_soc_pct=self.powerwall.soc_pct if self.powerwall else None,
        )
        self.clock.advance(dt)
        return self.last

    def advance(self, seconds: float) -> None:
        """Step until ``seconds`` more have passed (or the scenario ends)."""
        end = min(self.now + seconds, self.spec.duration_s)
        while self.now < end:
            self.step()

    def vehicle_at(self, charger_id: str) -> Vehicle | None:
        """Return the vehicle a command reaches: plugged in, else the next to come."""
        charger = self.chargers[charger_id]
        if charger.vehicle is not None:
            return charger.vehicle
        return next(
            (v for v in charger.vehicles if v.spec.departure_s > self.now), None
        )

    def command_current(self, charger_id: str, amps: int) -> bool:
        """Send a charge-current command through the vehicle; False if no vehicle."""
        vehicle = self.vehicle_at(charger_id)
        if vehicle is None:
            return False
        vehicle.command_current(self.now, amps)
        return True

    def command_charging(self, charger_id: str, on: bool) -> bool:
        """Switch charging through the vehicle; False if no vehicle."""
        vehicle = self.vehicle_at(charger_id)
        if vehicle is None:
            return False
        vehicle.command_charging(self.now, on)
        return True
