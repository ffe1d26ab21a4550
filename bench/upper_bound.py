"""The most EV energy any controller could deliver under the limits (a linear program).

The site is first run without any controller and without the vehicles that
obey commands, which gives the home load, solar, grid status, live phases,
the Powerwall's state of charge and the draw of vehicles that ignore
commands (they draw the same whatever a controller does). Time is cut into
slices; the variable is each obeying vehicle's mean current per slice. The
program maximises energy subject to, per slice: the vehicle's own and its
charger's maximum (times the share of the slice it is plugged in and the
unit is up), its taper (linear in its state of charge, plus the 2 A floor),
its remaining need; the main breaker per phase against the slice's mean home
load net of solar; the group's network limit per phase; in an outage the
Powerwall's discharge power and, over each outage, its energy above the
charging threshold plus surplus solar.

Everything a real controller must also respect but a plan with perfect
foresight need not is relaxed (whole amps, the 6 A minimum, command latency,
the safety margin, meter delay, peaks inside a slice), so this is an upper
bound, not a target every scenario can reach.
"""

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array

from custom_components.tesla_power_mgmt.engine import OutageConfig
from custom_components.tesla_power_mgmt.engine.evaluate import STALE_BUDGET_A
from simulator import Scenario, Site
from simulator.vehicle import VehicleSpec
from simulator.wall_connector.faults import FaultKind

SLICE_S = 60.0
TAPER_FLOOR_A = 2.0
MIN_CURRENT_A = 6.0


@dataclass(frozen=True)
class Profile:
    """Per step of a controller-free run: what no controller can change."""

    grid_up: np.ndarray  # bool[step]
    home_a: dict[str, np.ndarray]  # phase -> amps[step]
    solar_w: np.ndarray
    fixed_ev_a: dict[str, np.ndarray]  # ignoring vehicles, phase -> amps[step]
    fixed_energy_kwh: float
    soc_pct: np.ndarray | None


def controller_free_profile(scenario: Scenario) -> Profile:
    """Run the site with only the vehicles that ignore commands."""
    spec = scenario.site
    ignoring = tuple(v for v in spec.vehicles if v.ignores_commands)
    site = Site(replace(spec, vehicles=ignoring))
    steps = int(np.ceil(spec.duration_s / spec.step_s))
    phases = spec.grid.phases
    grid_up = np.zeros(steps, dtype=bool)
    home = {p: np.zeros(steps) for p in phases}
    fixed = {p: np.zeros(steps) for p in phases}
    solar = np.zeros(steps)
    soc = np.zeros(steps) if site.powerwall else None
    for i in range(steps):
        snapshot = site.step()
        grid_up[i] = snapshot.grid_up
        solar[i] = snapshot.solar_w
        for p in phases:
            home[p][i] = snapshot.home_currents[p]
            fixed[p][i] = sum(
                c.get(p, 0.0) for c in snapshot.charger_phase_currents.values()
            )
        if soc is not None:
            soc[i] = snapshot.powerwall_soc_pct or 0.0
    energy = sum(v.energy_kwh for v in site.vehicles.values())
    return Profile(grid_up, home, solar, fixed, energy, soc)


@dataclass(frozen=True)
class Restrictions:
    """What the ceiling adds to the bound: what every controller must respect.

    Each second the panel's room is ``main breaker - margin - home``, floored
    to whole amps and 0 below the 6 A minimum (integers of 0 or >= 6 A each
    cannot sum to a fraction, nor to 1-5 A); in a stale meter window, once the
    meter is older than ``meter_stale_after``, all vehicles together at most
    the site's stale budget. The slice's constraint is the mean of those
    per-second rooms. In an outage the Powerwall's margin is kept unused.
    """

    margin_a: float
    stale_after_s: float
    stale_budget_a: float
    outage_margin_pct: float


def upper_bound_kwh(scenario: Scenario) -> float:
    """Return the most energy all vehicles together could receive."""
    return _solve(scenario, None)


def ceiling_kwh(scenario: Scenario) -> float:
    """Return the most energy a controller that knows only the present could get.

    The LP of the bound with whole amps, the 6 A minimum, the configured
    safety margin and the stale budget imposed second by second (see
    bench/README.md for why it bounds every controller that keeps them).
    """
    management = scenario.management
    return _solve(
        scenario,
        Restrictions(
            margin_a=management.safety_margin_a,
            stale_after_s=management.meter_stale_after_s,
            stale_budget_a=float(STALE_BUDGET_A),
            outage_margin_pct=OutageConfig().margin_pct,
        ),
    )


def _solve(scenario: Scenario, restrictions: Restrictions | None) -> float:
    spec = scenario.site
    profile = controller_free_profile(scenario)
    obeying = [v for v in spec.vehicles if not v.ignores_commands]
    if not obeying:
        return profile.fixed_energy_kwh
    lp = _Program(scenario, profile, obeying, restrictions)
    # HiGHS takes sparse constraints; scipy-stubs only list dense ones.
    result = linprog(  # type: ignore[call-overload]
        -lp.objective,
        A_ub=lp.matrix(),
        b_ub=np.array(lp.rhs),
        bounds=lp.bounds,
        method="highs",
    )
    if not result.success:
        msg = f"{spec.name}: upper bound LP failed: {result.message}"
        raise RuntimeError(msg)
    return float(-result.fun) + profile.fixed_energy_kwh


class _Program:
    """Builds the sparse LP: variables I[v, k] then E_cum[v, k] (kWh so far)."""

    def __init__(
        self,
        scenario: Scenario,
        profile: Profile,
        vehicles: list[VehicleSpec],
        restrictions: Restrictions | None = None,
    ) -> None:
        spec = scenario.site
        self.spec = spec
        self.restrictions = restrictions
        self.profile = profile
        self.vehicles = vehicles
        self.steps_per_slice = max(1, int(SLICE_S / spec.step_s))
        self.slices = int(np.ceil(len(profile.grid_up) / self.steps_per_slice))
        self.n = len(vehicles) * self.slices
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rhs: list[float] = []
        self.bounds: list[tuple[float, float]] = []
        site = Site(spec)
        self.max_a = [
            min(v.max_current_a, site.chargers[v.charger].max_current_a)
            for v in vehicles
        ]
        self._per_amp_kwh = np.zeros((len(vehicles), self.slices))
        self._current_bounds()
        self._energy_and_taper()
        self._panel_and_group()
        self._outage()
        self.objective = np.concatenate([self._per_amp_kwh.ravel(), np.zeros(self.n)])

    def var_i(self, v: int, k: int) -> int:
        return v * self.slices + k

    def var_e(self, v: int, k: int) -> int:
        return self.n + v * self.slices + k

    def row(self, terms: list[tuple[int, float]], rhs: float) -> None:
        index = len(self.rhs)
        for col, val in terms:
            self.rows.append(index)
            self.cols.append(col)
            self.vals.append(val)
        self.rhs.append(rhs)

    def matrix(self) -> coo_array:
        return coo_array(
            (self.vals, (self.rows, self.cols)), shape=(len(self.rhs), 2 * self.n)
        )

    def _slice(self, k: int) -> slice:
        return slice(k * self.steps_per_slice, (k + 1) * self.steps_per_slice)

    def _ev_phases(self, vehicle: VehicleSpec, grid_up: bool) -> tuple[str, ...]:
        charger = next(c for c in self.spec.chargers if c.id == vehicle.charger)
        phases = self.spec.grid.ev_phases(charger.phases, vehicle.phases)
        live = self.spec.grid.phases if grid_up else self.spec.live_backup_phases
        return tuple(p for p in phases if p in live)

    def _current_bounds(self) -> None:
        dt = self.spec.step_s
        for v, vehicle in enumerate(self.vehicles):
            charger = next(c for c in self.spec.chargers if c.id == vehicle.charger)
            down = [f for f in charger.faults if f.kind is FaultKind.REBOOT]
            for k in range(self.slices):
                start = k * self.steps_per_slice * dt
                times = start + dt * np.arange(self.steps_per_slice)
                usable = (times >= vehicle.arrival_s) & (times < vehicle.departure_s)
                for fault in down:
                    usable &= ~((times >= fault.start_s) & (times < fault.end_s))
                share = float(usable.mean())
                cap = np.full(self.steps_per_slice, float(self.max_a[v]))
                if self.restrictions is not None:
                    cap[self._stale(times)] = min(
                        self.restrictions.stale_budget_a, self.max_a[v]
                    )
                share_a = float((cap * usable).mean())
                up = self.profile.grid_up[self._slice(k)]
                phases = max(
                    len(self._ev_phases(vehicle, grid_up=bool(up.all()))),
                    len(self._ev_phases(vehicle, grid_up=bool(up.any()))),
                )
                self._per_amp_kwh[v, k] = (
                    self.spec.grid.phase_voltage_v
                    * phases
                    * self.steps_per_slice
                    * dt
                    / 3.6e6
                )
                self.bounds.append((0.0, share_a if share else 0.0))
        for vehicle in self.vehicles:
            need = (
                max(0.0, vehicle.target_soc_pct - vehicle.soc_pct)
                / 100
                * vehicle.battery_kwh
            )
            self.bounds.extend([(0.0, need)] * self.slices)

    def _energy_and_taper(self) -> None:
        # E_cum[k] = E_cum[k-1] + c * I[k], written as a pair of opposite <= rows.
        for v, vehicle in enumerate(self.vehicles):
            span = 100.0 - vehicle.taper_start_pct
            slope = (
                self.max_a[v] * 100.0 / (vehicle.battery_kwh * span)
                if span > 0
                else 0.0
            )
            intercept = (
                self.max_a[v] * (100.0 - vehicle.soc_pct) / span if span > 0 else 0.0
            )
            for k in range(self.slices):
                c = self._per_amp_kwh[v, k]
                before = [self.var_e(v, k - 1)] if k else []
                self.row(
                    [(self.var_e(v, k), 1.0), (self.var_i(v, k), -c)]
                    + [(i, -1.0) for i in before],
                    0.0,
                )
                self.row(
                    [(self.var_e(v, k), -1.0), (self.var_i(v, k), c)]
                    + [(i, 1.0) for i in before],
                    0.0,
                )
                if span > 0:
                    terms = [(self.var_i(v, k), 1.0)]
                    if k:
                        terms.append((self.var_e(v, k - 1), slope))
                    self.row(terms, TAPER_FLOOR_A + intercept)

    def _panel_and_group(self) -> None:
        spec = self.spec
        grid = spec.grid
        solar_each = self.profile.solar_w / (grid.phase_voltage_v * len(grid.phases))
        for k in range(self.slices):
            window = self._slice(k)
            up = self.profile.grid_up[window]
            for phase in grid.phases:
                users = [
                    v
                    for v, vehicle in enumerate(self.vehicles)
                    if phase in self._ev_phases(vehicle, grid_up=True)
                ]
                if not users:
                    continue
                if up.any():
                    room = (
                        spec.main_breaker_a
                        - self.profile.home_a[phase][window]
                        - self.profile.fixed_ev_a[phase][window]
                        + solar_each[window]
                    )
                    self.row(
                        [(self.var_i(v, k), 1.0) for v in users],
                        max(0.0, float(self._restricted(room, window)[up].mean())),
                    )
                for group in spec.groups:
                    members = [
                        v for v in users if self.vehicles[v].charger in group.chargers
                    ]
                    if members:
                        fixed = float(self.profile.fixed_ev_a[phase][window].mean())
                        self.row(
                            [(self.var_i(v, k), 1.0) for v in members],
                            max(0.0, group.limit_a - fixed),
                        )

    def _stale(self, times: np.ndarray) -> np.ndarray:
        """Return which of ``times`` a controller must hold at the stale budget."""
        held = np.zeros(len(times), dtype=bool)
        if self.restrictions is None:
            return held
        for start, end in self.spec.meter.stale:
            held |= (times >= start + self.restrictions.stale_after_s) & (times < end)
        return held

    def _restricted(self, room: np.ndarray, window: slice) -> np.ndarray:
        """Return the per-second panel room a whole-amp, 6 A, margin controller has.

        While the meter is stale, all vehicles together at most the stale budget.
        """
        if self.restrictions is None:
            return room
        whole = np.floor(room - self.restrictions.margin_a)
        times = self.spec.step_s * np.arange(window.start, window.start + len(room))
        whole = np.where(
            self._stale(times),
            np.minimum(whole, self.restrictions.stale_budget_a),
            whole,
        )
        return np.where(whole >= MIN_CURRENT_A, whole, 0.0)

    def _outage_share(self) -> float:
        """Return the share of the discharge a controller keeping the margin uses."""
        if self.restrictions is None:
            return 1.0
        return 1.0 - self.restrictions.outage_margin_pct / 100.0

    def _outage(self) -> None:
        spec = self.spec
        powerwall = spec.powerwall
        if powerwall is None or self.profile.soc_pct is None:
            return
        volts = spec.grid.phase_voltage_v
        home_w = volts * np.sum(list(self.profile.home_a.values()), axis=0)
        fixed_w = volts * np.sum(list(self.profile.fixed_ev_a.values()), axis=0)
        down = ~self.profile.grid_up
        dt_h = spec.step_s / 3600.0
        for start_s, end_s in powerwall.outages:
            first = int(start_s / spec.step_s)
            last = min(int(end_s / spec.step_s), len(down))
            if first >= last:
                continue
            energy_terms: list[tuple[int, float]] = []
            for k in range(
                first // self.steps_per_slice, (last - 1) // self.steps_per_slice + 1
            ):
                window = self._slice(k)
                islanded = down[window]
                if not islanded.any():
                    continue
                room_w = (
                    1000.0 * powerwall.max_discharge_kw * self._outage_share()
                    + self.profile.solar_w[window]
                    - home_w[window]
                    - fixed_w[window]
                )[islanded]
                terms = []
                for v, vehicle in enumerate(self.vehicles):
                    phases = len(self._ev_phases(vehicle, grid_up=False))
                    if phases:
                        terms.append((self.var_i(v, k), volts * phases))
                        energy_terms.append(
                            (
                                self.var_i(v, k),
                                volts * phases * islanded.sum() * dt_h / 1000.0,
                            )
                        )
                if terms:
                    self.row(terms, max(0.0, float(room_w.mean())))
            surplus_kwh = float(
                np.clip(
                    self.profile.solar_w[first:last] - home_w[first:last], 0.0, None
                ).sum()
                * dt_h
                / 1000.0
            )
            soc_start = float(self.profile.soc_pct[first])
            above_kwh = (
                max(0.0, soc_start - spec.charging_threshold_pct)
                / 100
                * powerwall.capacity_kwh
            )
            if energy_terms:
                self.row(energy_terms, above_kwh + surplus_kwh)
