"""A simulated site that lives forever, for the development Home Assistant.

Built on the simulator's public classes (no Home Assistant import here): the
scenario's day repeats, cars leave and come back daily, and a developer can
cut the grid, switch on a big appliance, or take a Wall Connector offline at
run time.
"""

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
import random
from typing import Any

from simulator import FaultKind, Site, SiteSpec, load_scenario
from simulator.loads import HomeLoad, HomeLoadSpec
from simulator.vehicle import Vehicle, VehicleSpec

DAY_S = 86_400.0
SITE_YAML = Path(__file__).with_name("site.yaml")
# The spike: an electric oven, a dryer and a kettle at once, on both legs.
SPIKE_A = 40.0
# An injected fault lasts until it is cleared; a year is "forever" here.
FOREVER_S = 365 * DAY_S
# Household use by hour of day, relative to the base load (nights are quiet).
HOURLY_PROFILE = (
    0.6, 0.5, 0.5, 0.5, 0.5, 0.7, 1.0, 1.3, 1.2, 0.9, 0.8, 0.8,
    0.9, 0.8, 0.8, 0.9, 1.0, 1.3, 1.6, 1.6, 1.5, 1.3, 1.0, 0.8,
)  # fmt: skip


def clock_text(clock_s: float) -> str:
    """Return ``"HH:MM"`` for seconds since midnight."""
    minutes = int(clock_s % DAY_S) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class DevVehicle(Vehicle):
    """A vehicle that is plugged in or not by a flag instead of a fixed visit."""

    def __init__(self, spec: VehicleSpec, *, plugged: bool = True) -> None:
        """Create the vehicle, plugged in unless told otherwise."""
        super().__init__(spec)
        self.plugged = plugged
        self.last_command_a: int | None = None
        self.last_command_s = -1e9
        self.last_charging: bool | None = None
        self.last_charging_s = -1e9

    def plugged_in(self, now: float) -> bool:
        """Whether the vehicle is connected (a flag the day or a user sets)."""
        return self.plugged

    def command_current(self, now: float, amps: int) -> None:
        """Ask for a charge current and remember it (the car shows it at once)."""
        self.last_command_a, self.last_command_s = amps, now
        super().command_current(now, amps)

    def command_charging(self, now: float, on: bool) -> None:
        """Switch charging and remember it (the car's app shows it at once)."""
        self.last_charging, self.last_charging_s = on, now
        super().command_charging(now, on)

    def shown_charging(self, now: float) -> bool:
        """Charge switch the car's app shows: the last command, then the car's."""
        if (
            self.last_charging is not None
            and now - self.last_charging_s < self.spec.command_latency_s + 1
        ):
            return self.last_charging
        return self.charging_enabled

    def shown_current_setting(self, now: float) -> int:
        """Charge current the car's app shows: the last command, then the car's."""
        if (
            self.last_command_a is not None
            and now - self.last_command_s < self.spec.command_latency_s + 1
        ):
            return self.last_command_a
        return self.setpoint_a


class DevHome(HomeLoad):
    """The scenario's household, repeated daily, plus an optional spike."""

    def __init__(self, spec: HomeLoadSpec, seed: int, clock_of: Any) -> None:
        """Draw a day of per-minute noise; ``clock_of(now)`` gives time of day."""
        super().__init__(spec, 0.0, seed)
        rng = random.Random(seed)  # noqa: S311 (noise, not secrets)
        self._day_noise = {
            phase: [rng.uniform(-1.0, 1.0) * spec.noise_a for _ in range(1440)]
            for phase in spec.base_a
        }
        self._clock_of = clock_of
        self.spike_a = 0.0

    def currents_at(self, now: float) -> dict[str, float]:
        """Household current per phase at ``now``."""
        clock = self._clock_of(now)
        day = int(clock // DAY_S)
        clock %= DAY_S
        minute = int(clock // 60)
        factor = HOURLY_PROFILE[minute // 60]
        currents = {
            phase: max(
                0.0, base * factor + self._day_noise[phase][(minute + 97 * day) % 1440]
            )
            for phase, base in self.spec.base_a.items()
        }
        for appliance in self.spec.appliances:
            # Windows are seconds since midnight; one may run past midnight.
            amps = appliance.current_at(clock) or appliance.current_at(clock + DAY_S)
            if amps:
                for phase in appliance.phases:
                    currents[phase] = currents.get(phase, 0.0) + amps
        if self.spike_a:
            for phase in currents:
                currents[phase] += self.spike_a
        return currents


class DevSite(Site):
    """A site whose day repeats and whose events are triggered at run time."""

    def __init__(
        self, spec: SiteSpec, *, plugged: Mapping[str, bool] | None = None
    ) -> None:
        """Build the site; ``spec.start_clock_s`` is the time of day at start."""
        super().__init__(spec)
        self.forced_outage = False
        plugged = plugged or {}
        self.dev_vehicles: dict[str, DevVehicle] = {}
        for charger in self.chargers.values():
            charger.vehicles = [
                DevVehicle(v.spec, plugged=plugged.get(v.spec.name, True))
                for v in charger.vehicles
            ]
            for vehicle in charger.vehicles:
                self.dev_vehicles[vehicle.spec.name] = vehicle  # type: ignore[assignment]
        self.vehicles = dict(self.dev_vehicles)
        self.home = DevHome(spec.home, spec.seed, self.clock_s)

    @classmethod
    def from_yaml(
        cls,
        path: Path = SITE_YAML,
        *,
        start_clock_s: float = 0.0,
        plugged: Mapping[str, bool] | None = None,
    ) -> DevSite:
        """Load the site description and start it at ``start_clock_s``."""
        spec = load_scenario(path).site
        return cls(replace(spec, start_clock_s=start_clock_s), plugged=plugged)

    # Time of day -------------------------------------------------------------

    def clock_s(self, now: float | None = None) -> float:
        """Seconds since the first midnight (may exceed a day)."""
        return self.spec.start_clock_s + (self.now if now is None else now)

    @property
    def time_of_day(self) -> str:
        """``"HH:MM"`` now."""
        return clock_text(self.clock_s())

    # Overrides of the simulator's site ----------------------------------------

    def grid_up(self, now: float) -> bool:
        """Grid present unless an outage was forced (or scheduled)."""
        return not self.forced_outage and super().grid_up(now)

    def solar_w(self, now: float) -> float:
        """Solar production; the cloud pattern repeats after the scenario length."""
        if self.solar is None:
            return 0.0
        return self.solar.power_w(self.clock_s(now) % self.spec.duration_s)

    def vehicle_at(self, charger_id: str) -> Vehicle | None:
        """Return the charger's car, at home or not (cloud commands reach it)."""
        charger = self.chargers[charger_id]
        return charger.vehicle or next(iter(charger.vehicles), None)

    def step(self) -> Any:
        """Move the cars on the daily schedule, then step the physics."""
        before = self.clock_s() % DAY_S
        snapshot = super().step()
        after = before + self.spec.step_s
        for vehicle in self.dev_vehicles.values():
            spec = vehicle.spec
            if _crossed(before, after, spec.departure_s % DAY_S):
                vehicle.plugged = False
            if _crossed(before, after, spec.arrival_s % DAY_S):
                vehicle.plugged = True
                # A day of driving: it comes back at the scenario's arrival level.
                vehicle.soc_pct = min(vehicle.soc_pct, spec.soc_pct)
        return snapshot

    # Run-time events ----------------------------------------------------------

    @property
    def spike(self) -> bool:
        """Whether the appliance spike is on."""
        assert isinstance(self.home, DevHome)
        return self.home.spike_a > 0

    @spike.setter
    def spike(self, on: bool) -> None:
        assert isinstance(self.home, DevHome)
        self.home.spike_a = SPIKE_A if on else 0.0

    def offline(self, charger_id: str) -> bool:
        """Whether a Wall Connector was taken off the network."""
        unit = self.chargers[charger_id]
        return unit.fault_at(self.now) is FaultKind.UNREACHABLE

    def set_offline(self, charger_id: str, on: bool) -> None:
        """Take a Wall Connector off the network (it keeps charging) or back."""
        unit = self.chargers[charger_id]
        unit.clear_faults()
        if on:
            unit.inject_fault(FaultKind.UNREACHABLE, self.now, FOREVER_S)

    # Saving and restoring across restarts --------------------------------------

    def snapshot_state(self) -> dict[str, Any]:
        """Return what a restart keeps: the time of day, batteries, plugs."""
        return {
            "clock_s": self.clock_s() % DAY_S,
            "powerwall_soc": self.powerwall.soc_pct if self.powerwall else None,
            "vehicles": {
                name: {
                    "soc": round(v.soc_pct, 3),
                    "plugged": v.plugged,
                    "setpoint_a": v.setpoint_a,
                    "charging": v.charging_enabled,
                }
                for name, v in self.dev_vehicles.items()
            },
        }

    def restore_state(self, state: Mapping[str, Any]) -> None:
        """Put back batteries and car settings saved by ``snapshot_state``."""
        if self.powerwall is not None and state.get("powerwall_soc") is not None:
            self.powerwall.soc_pct = float(state["powerwall_soc"])
        for name, saved in (state.get("vehicles") or {}).items():
            if (vehicle := self.dev_vehicles.get(name)) is None:
                continue
            vehicle.soc_pct = float(saved.get("soc", vehicle.soc_pct))
            vehicle.plugged = bool(saved.get("plugged", True))
            vehicle.setpoint_a = int(saved.get("setpoint_a", vehicle.setpoint_a))
            vehicle.charging_enabled = bool(saved.get("charging", True))


def _crossed(before: float, after: float, mark: float) -> bool:
    """Whether time of day moved past ``mark`` going from ``before`` to ``after``."""
    return before < mark <= after or before < mark + DAY_S <= after


def parse_start(value: str, saved_clock_s: float | None, wall_clock_s: float) -> float:
    """Time of day to start at: ``"HH:MM"``, else the saved one, else the wall clock.

    ``value`` ``"now"`` always takes the wall clock; ``"resume"`` (or empty)
    takes the saved time of day when there is one.
    """
    text = str(value or "resume").strip().lower()
    if text == "now":
        return wall_clock_s
    if text == "resume":
        return wall_clock_s if saved_clock_s is None else saved_clock_s
    hours, _, minutes = text.partition(":")
    try:
        return (int(hours) * 3600 + int(minutes or 0) * 60) % DAY_S
    except ValueError:
        msg = f"start must be HH:MM, 'now' or 'resume', not {value!r}"
        raise ValueError(msg) from None
