"""Scenario files: YAML in, a ``SiteSpec`` (physics) plus management settings out.

The schema is documented in bench/README.md. Times of day (``"19:30"``) are
turned into seconds since the scenario's ``start``, rolling past midnight;
offsets are numbers of seconds or strings such as ``"90s"``, ``"15m"``,
``"1h30m"``. Unknown keys are errors, so a typo never passes silently.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
import re
from typing import Any

import yaml

from simulator.electrical import Grid, Supply
from simulator.loads import APPLIANCE_PRESETS, ApplianceSpec, HomeLoadSpec
from simulator.meter import MeterSpec
from simulator.powerwall import PowerwallSpec, SolarSpec
from simulator.site import GroupSpec, SiteSpec
from simulator.vehicle import VehicleSpec
from simulator.wall_connector.faults import FaultKind, FaultSpec, QuirkKind, QuirkSpec
from simulator.wall_connector.model import WallConnectorSpec

DAY_S = 86_400.0
DEFAULT_PHASES = {
    Supply.SPLIT_PHASE: ("L1", "L2"),
    Supply.SINGLE_PHASE: ("L1",),
    Supply.THREE_PHASE: ("L1", "L2", "L3"),
}
DEFAULT_HZ = {
    Supply.SPLIT_PHASE: 60.0,
    Supply.SINGLE_PHASE: 50.0,
    Supply.THREE_PHASE: 50.0,
}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0}

type Raw = Mapping[str, Any]


@dataclass(frozen=True)
class ManagementSpec:
    """What the user tells a controller about the site (not physics)."""

    safety_margin_a: float = 2.0
    # How often the Wall Connectors' vitals are polled.
    poll_s: float = 5.0
    # A meter older than this is stale.
    meter_stale_after_s: float = 30.0


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file."""

    site: SiteSpec
    description: str = ""
    management: ManagementSpec = field(default_factory=ManagementSpec)


def parse_duration(value: Any) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"1h30m"``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).replace(" ", "")
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        msg = f"not a duration: {value!r} (use seconds or e.g. '90s', '15m', '1h30m')"
        raise ValueError(msg)
    return sum(float(number) * _UNIT_S[unit] for number, unit in parts)


def parse_clock(value: str) -> float:
    """Seconds since midnight of ``"HH:MM"`` or ``"HH:MM:SS"``."""
    match = _CLOCK.fullmatch(value.strip())
    if match is None:
        msg = f"not a time of day: {value!r}"
        raise ValueError(msg)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600.0 + minutes * 60.0 + seconds


class _Reader:
    """Parses one file; knows the start time so it can place times of day."""

    def __init__(self, start_clock_s: float) -> None:
        self.start_clock_s = start_clock_s

    def at(self, value: Any) -> float:
        """Seconds since start of a time of day (rolling past midnight) or an offset."""
        if isinstance(value, str) and ":" in value:
            return (parse_clock(value) - self.start_clock_s) % DAY_S
        return parse_duration(value)

    def window(self, raw: Raw) -> tuple[float, float]:
        """``{start, end}`` or ``{start, duration}`` as seconds since start."""
        _check_keys(raw, {"start", "end", "duration"}, "window")
        start = self.at(raw["start"])
        if "duration" in raw:
            return start, start + parse_duration(raw["duration"])
        end = self.at(raw["end"])
        return start, end if end > start else end + DAY_S

    def windows(self, raw: Any) -> tuple[tuple[float, float], ...]:
        return tuple(self.window(w) for w in raw or ())


def _check_keys(raw: Any, allowed: set[str], where: str) -> None:
    if not isinstance(raw, Mapping):
        msg = f"{where}: expected a mapping, got {raw!r}"
        raise TypeError(msg)
    if unknown := set(raw) - allowed:
        msg = f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}"
        raise ValueError(msg)


def _phases(raw: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(p) for p in raw) if raw is not None else default


def _grid(raw: Raw) -> Grid:
    supply = Supply(raw.get("supply", Supply.SPLIT_PHASE))
    return Grid(
        supply=supply,
        phases=_phases(raw.get("phases"), DEFAULT_PHASES[supply]),
        frequency_hz=float(raw.get("frequency_hz", DEFAULT_HZ[supply])),
    )


def _home(raw: Raw, grid: Grid, reader: _Reader) -> HomeLoadSpec:
    _check_keys(raw, {"base_a", "noise_a", "appliances"}, "home")
    base = raw.get("base_a", 0.0)
    base_a = (
        {str(p): float(a) for p, a in base.items()}
        if isinstance(base, Mapping)
        else dict.fromkeys(grid.phases, float(base))
    )
    appliances = []
    for item in raw.get("appliances", ()):
        _check_keys(
            item,
            {"kind", "name", "current_a", "phases", "windows", "cycle", "duty"},
            "appliance",
        )
        preset = APPLIANCE_PRESETS.get(str(item.get("kind", "")), {})
        if "kind" in item and not preset:
            known = ", ".join(APPLIANCE_PRESETS)
            msg = f"unknown appliance kind {item['kind']!r}; known: {known}"
            raise ValueError(msg)
        appliances.append(
            ApplianceSpec(
                name=str(item.get("name", item.get("kind", "appliance"))),
                current_a=float(item.get("current_a", preset.get("current_a", 0.0))),
                phases=_phases(item.get("phases"), grid.phases[:2]),
                windows=reader.windows(item.get("windows")),
                cycle_s=parse_duration(item.get("cycle", preset.get("cycle_s", 0.0))),
                duty=float(item.get("duty", preset.get("duty", 1.0))),
            )
        )
    return HomeLoadSpec(
        base_a=base_a,
        noise_a=float(raw.get("noise_a", 0.0)),
        appliances=tuple(appliances),
    )


def _charger(raw: Raw, grid: Grid, reader: _Reader) -> WallConnectorSpec:
    _check_keys(
        raw,
        {
            "id",
            "firmware",
            "breaker_a",
            "power_level_a",
            "phases",
            "serial",
            "wifi_ssid",
            "quirks",
            "faults",
            "reboot",
        },
        "charger",
    )
    quirks = []
    for q in raw.get("quirks", ()):
        _check_keys(q, {"kind", "endpoint", "every"}, "quirk")
        quirks.append(
            QuirkSpec(
                QuirkKind(q["kind"]),
                str(q.get("endpoint", "vitals")),
                int(q.get("every", 1)),
            )
        )
    faults = []
    for f in raw.get("faults", ()):
        start, end = reader.window({k: v for k, v in f.items() if k != "kind"})
        faults.append(FaultSpec(FaultKind(f["kind"]), start, end))
    default_firmware = (
        "us_26.18.0" if grid.supply is Supply.SPLIT_PHASE else "eu_23.24.3"
    )
    return WallConnectorSpec(
        id=str(raw["id"]),
        firmware=str(raw.get("firmware", default_firmware)),
        breaker_a=int(
            raw.get("breaker_a", 60 if grid.supply is Supply.SPLIT_PHASE else 32)
        ),
        phases=_phases(raw.get("phases"), grid.phases),
        power_level_a=int(raw["power_level_a"]) if "power_level_a" in raw else None,
        serial=str(raw["serial"]) if "serial" in raw else None,
        wifi_ssid=str(raw.get("wifi_ssid", "home")),
        quirks=tuple(quirks),
        faults=tuple(faults),
        reboot_s=parse_duration(raw.get("reboot", 60)),
    )


def _vehicle(raw: Raw, reader: _Reader) -> VehicleSpec:
    _check_keys(
        raw,
        {
            "name",
            "charger",
            "battery_kwh",
            "soc",
            "target_soc",
            "arrive",
            "depart",
            "max_current_a",
            "phases",
            "latency",
            "taper_start",
            "initial_setpoint_a",
            "ignores_commands",
        },
        "vehicle",
    )
    arrival = reader.at(raw.get("arrive", 0))
    departure = reader.at(raw["depart"])
    return VehicleSpec(
        name=str(raw["name"]),
        charger=str(raw["charger"]),
        battery_kwh=float(raw["battery_kwh"]),
        soc_pct=float(raw["soc"]),
        target_soc_pct=float(raw.get("target_soc", 80)),
        arrival_s=arrival,
        departure_s=departure if departure > arrival else departure + DAY_S,
        max_current_a=int(raw["max_current_a"]),
        phases=int(raw.get("phases", 1)),
        command_latency_s=parse_duration(raw.get("latency", 10)),
        taper_start_pct=float(raw.get("taper_start", 85)),
        initial_setpoint_a=int(raw["initial_setpoint_a"])
        if "initial_setpoint_a" in raw
        else None,
        ignores_commands=bool(raw.get("ignores_commands", False)),
    )


def _group(raw: Raw) -> GroupSpec:
    _check_keys(raw, {"name", "limit_a", "chargers"}, "group")
    return GroupSpec(
        str(raw["name"]), float(raw["limit_a"]), tuple(str(c) for c in raw["chargers"])
    )


def _powerwall(raw: Raw, reader: _Reader) -> PowerwallSpec:
    _check_keys(
        raw,
        {
            "capacity_kwh",
            "soc",
            "max_discharge_kw",
            "max_charge_kw",
            "power_unit",
            "outages",
            "reserve",
        },
        "powerwall",
    )
    unit = str(raw.get("power_unit", "kW"))
    if unit not in ("kW", "W"):
        msg = f"powerwall power_unit must be 'kW' or 'W', not {unit!r}"
        raise ValueError(msg)
    return PowerwallSpec(
        capacity_kwh=float(raw.get("capacity_kwh", 13.5)),
        soc_pct=float(raw.get("soc", 80)),
        max_discharge_kw=float(raw.get("max_discharge_kw", 5.0)),
        max_charge_kw=float(raw.get("max_charge_kw", 5.0)),
        power_unit=unit,
        outages=reader.windows(raw.get("outages")),
        reserve_pct=float(raw.get("reserve", 0.0)),
    )


def _solar(raw: Raw) -> SolarSpec:
    _check_keys(raw, {"peak_kw", "sunrise", "sunset", "cloudiness"}, "solar")
    return SolarSpec(
        peak_kw=float(raw["peak_kw"]),
        sunrise_s=parse_clock(str(raw.get("sunrise", "06:30"))),
        sunset_s=parse_clock(str(raw.get("sunset", "19:30"))),
        cloudiness=float(raw.get("cloudiness", 0.0)),
    )


TOP_KEYS = {
    "name",
    "description",
    "seed",
    "start",
    "duration",
    "step",
    "site",
    "meter",
    "home",
    "groups",
    "chargers",
    "vehicles",
    "powerwall",
    "charging_threshold",
    "solar",
    "management",
}


def scenario_from_dict(raw: Raw, default_name: str = "scenario") -> Scenario:
    """Build a scenario from already-parsed YAML (handy in tests)."""
    _check_keys(raw, TOP_KEYS, "scenario")
    start_clock_s = parse_clock(str(raw.get("start", "00:00")))
    reader = _Reader(start_clock_s)
    site_raw = raw.get("site", {})
    _check_keys(
        site_raw,
        {"supply", "phases", "frequency_hz", "main_breaker_a", "backup_phases"},
        "site",
    )
    grid = _grid(site_raw)
    meter_raw = raw.get("meter", {})
    _check_keys(meter_raw, {"interval", "delay", "stale"}, "meter")
    management_raw = raw.get("management", {})
    _check_keys(
        management_raw, {"safety_margin_a", "poll", "meter_stale_after"}, "management"
    )
    site = SiteSpec(
        name=str(raw.get("name", default_name)),
        grid=grid,
        main_breaker_a=float(site_raw.get("main_breaker_a", 100)),
        duration_s=parse_duration(raw.get("duration", "12h")),
        chargers=tuple(_charger(c, grid, reader) for c in raw.get("chargers", ())),
        vehicles=tuple(_vehicle(v, reader) for v in raw.get("vehicles", ())),
        groups=tuple(_group(g) for g in raw.get("groups", ())),
        home=_home(raw.get("home", {}), grid, reader),
        meter=MeterSpec(
            interval_s=parse_duration(meter_raw.get("interval", 2)),
            delay_s=parse_duration(meter_raw.get("delay", 1)),
            stale=reader.windows(meter_raw.get("stale")),
        ),
        powerwall=_powerwall(raw["powerwall"], reader) if "powerwall" in raw else None,
        charging_threshold_pct=float(raw.get("charging_threshold", 20)),
        solar=_solar(raw["solar"]) if "solar" in raw else None,
        backup_phases=_phases(site_raw["backup_phases"], ())
        if "backup_phases" in site_raw
        else None,
        start_clock_s=start_clock_s,
        step_s=parse_duration(raw.get("step", 1)),
        seed=int(raw.get("seed", 0)),
    )
    management = ManagementSpec(
        safety_margin_a=float(management_raw.get("safety_margin_a", 2.0)),
        poll_s=parse_duration(management_raw.get("poll", 5)),
        meter_stale_after_s=parse_duration(management_raw.get("meter_stale_after", 30)),
    )
    return Scenario(
        site=site, description=str(raw.get("description", "")), management=management
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file."""
    file = Path(path)
    raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    return scenario_from_dict(raw, default_name=file.stem)
