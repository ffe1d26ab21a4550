"""Generated sites: deterministic, valid, plausible, covering, replayable."""

from collections import Counter
import copy
import json
from pathlib import Path
import subprocess
import sys

import pytest

from bench.__main__ import main
from bench.generate import EU_BREAKERS, US_BREAKERS, generate_site, generate_sites
from custom_components.tesla_power_mgmt.engine import network_limit_range
from simulator import Scenario, Site, scenario_from_dict
from simulator.electrical import Supply
from simulator.loads import HomeLoad

DRAWS = 200
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def drawn() -> list[Scenario]:
    return [scenario_from_dict(raw) for raw in generate_sites(DRAWS, seed=1)]


def test_same_seed_same_sites_and_site_i_does_not_depend_on_n():
    assert generate_sites(8, seed=4) == generate_sites(8, seed=4)
    assert generate_sites(3, seed=4) == generate_sites(8, seed=4)[:3]
    assert generate_site(4, 5) == generate_sites(8, seed=4)[5]
    assert generate_sites(8, seed=4) != generate_sites(8, seed=5)


def _unit_maxima(scenario: Scenario) -> dict[str, int]:
    site = Site(scenario.site)
    return {cid: unit.max_current_a for cid, unit in site.chargers.items()}


def test_every_generated_site_loads_and_is_what_an_electrician_installs(drawn):
    for scenario in drawn:
        spec = scenario.site
        maxima = _unit_maxima(scenario)
        breakers = (
            US_BREAKERS if spec.grid.supply is Supply.SPLIT_PHASE else EU_BREAKERS
        )
        assert all(c.breaker_a in breakers for c in spec.chargers), spec.name
        assert all(c.breaker_a <= spec.main_breaker_a for c in spec.chargers)
        for group in spec.groups:
            low, high = network_limit_range([maxima[c] for c in group.chargers])
            assert low <= group.limit_a <= high, spec.name
            assert group.limit_a <= spec.main_breaker_a, spec.name
            for outer in spec.groups:
                if set(group.chargers) < set(outer.chargers):
                    assert group.limit_a < outer.limit_a, spec.name
        assert 1 <= spec.meter.interval_s <= 60
        assert 0 <= spec.meter.delay_s <= 20
        assert 2 * 3600 <= spec.duration_s <= 4 * 3600
        assert all(v.departure_s <= spec.duration_s for v in spec.vehicles)
        assert scenario.management.meter_stale_after_s > (
            spec.meter.interval_s + spec.meter.delay_s
        )


def _home_above_panel(scenario: Scenario) -> bool:
    spec = scenario.site
    home = HomeLoad(spec.home, spec.duration_s, 0)
    times = range(0, int(spec.duration_s), 10)
    return any(max(home.currents_at(t).values()) > spec.main_breaker_a for t in times)


def _features(scenario: Scenario) -> set[str]:
    spec = scenario.site
    found = {f"supply {spec.grid.supply.value}"}
    maxima = _unit_maxima(scenario)
    found |= {f"{a} A unit" for a in maxima.values() if a in (16, 32, 48)}
    if len({c.breaker_a for c in spec.chargers}) > 1:
        found.add("mixed breakers")
    found.add("1-2 chargers" if len(spec.chargers) <= 2 else "3+ chargers")
    if len(spec.chargers) >= 10:
        found.add("10-12 chargers")
    units = {c.id: c for c in spec.chargers}
    for vehicle in spec.vehicles:
        unit = units[vehicle.charger]
        found.add(f"{vehicle.phases}-phase car")
        if vehicle.phases == 1 and len(unit.phases) == 3:
            found.add("1-phase car on a 3-phase unit")
        if vehicle.taper_start_pct < 80:
            found.add("early taper")
        if vehicle.ignores_commands:
            found.add("ignores commands")
        if vehicle.initial_setpoint_a is not None:
            found.add("old setting")
        if vehicle.departure_s - vehicle.arrival_s <= 3600:
            found.add("leaves early")
    if any(
        c.phases not in (spec.grid.phases, spec.grid.phases[:1]) for c in spec.chargers
    ):
        found.add("rotated wiring")
    meter = spec.meter
    found.add("meter every 1-5 s" if meter.interval_s <= 5 else "meter every 10-60 s")
    if meter.interval_s == 60:
        found.add("meter every 60 s")
    if meter.delay_s >= 15:
        found.add("meter 15-20 s late")
    if meter.stale:
        found.add("stale windows")
    found |= {f"fault {f.kind.value}" for c in spec.chargers for f in c.faults}
    found |= {f"appliance {a.name}" for a in spec.home.appliances}
    if any(a.name == "pump" and 60 <= a.cycle_s <= 180 for a in spec.home.appliances):
        found.add("pump cycling every 1-3 min")
    if _home_above_panel(scenario):
        found.add("home alone above the panel")
    found |= _group_features(scenario)
    found |= _powerwall_features(scenario)
    return found


def _group_features(scenario: Scenario) -> set[str]:
    groups = scenario.site.groups
    if len(groups) == 1:
        return {"one group"}
    if len(groups) == 2:
        a, b = (set(g.chargers) for g in groups)
        return {"two groups side by side" if not a & b else "nested groups"}
    return set()


def _powerwall_features(scenario: Scenario) -> set[str]:
    spec = scenario.site
    powerwall = spec.powerwall
    if powerwall is None:
        return {"solar without powerwall"} if spec.solar else set()
    found = {f"{round(powerwall.capacity_kwh / 13.5)} powerwalls"}
    if not powerwall.outages:
        return found
    found.add("outage")
    found.add(
        "backup L1 only"
        if spec.live_backup_phases == ("L1",) and len(spec.grid.phases) == 3
        else "backup every phase"
    )
    if spec.solar:
        found.add("outage with solar")
    threshold = spec.charging_threshold_pct
    if powerwall.soc_pct > threshold:
        found.add("outage starting above the threshold")
    elif spec.solar:
        found.add("outage below the threshold with solar to climb back")
    if powerwall.soc_pct <= powerwall.reserve_pct + 3 and spec.solar:
        found.add("powerwall at its reserve, solar to recover")
    return found


EXPECTED = {
    "supply split_phase",
    "supply single_phase",
    "supply three_phase",
    "16 A unit",
    "32 A unit",
    "48 A unit",
    "mixed breakers",
    "1-2 chargers",
    "3+ chargers",
    "10-12 chargers",
    "1-phase car",
    "3-phase car",
    "1-phase car on a 3-phase unit",
    "rotated wiring",
    "meter every 1-5 s",
    "meter every 10-60 s",
    "meter every 60 s",
    "meter 15-20 s late",
    "stale windows",
    "fault unreachable",
    "fault reboot",
    "fault http_500",
    "fault timeout",
    "appliance heat_pump",
    "appliance oven",
    "appliance dryer",
    "appliance water_heater",
    "appliance pump",
    "pump cycling every 1-3 min",
    "home alone above the panel",
    "one group",
    "two groups side by side",
    "nested groups",
    "1 powerwalls",
    "2 powerwalls",
    "3 powerwalls",
    "outage",
    "backup L1 only",
    "backup every phase",
    "outage with solar",
    "outage starting above the threshold",
    "outage below the threshold with solar to climb back",
    "powerwall at its reserve, solar to recover",
    "solar without powerwall",
    "early taper",
    "ignores commands",
    "old setting",
    "leaves early",
}


def feature_counts(scenarios: list[Scenario]) -> Counter[str]:
    """Count the sites showing each feature of the documented distribution."""
    counts: Counter[str] = Counter()
    for scenario in scenarios:
        counts.update(_features(scenario))
    return counts


def test_the_distribution_covers_every_listed_feature(drawn):
    counts = feature_counts(drawn)
    missing = {f for f in EXPECTED if counts[f] < 2}
    assert not missing, {f: counts[f] for f in missing}


@pytest.mark.parametrize(
    "where",
    ["top", "site", "charger", "group", "vehicle", "powerwall", "meter", "appliance"],
)
def test_an_unknown_key_anywhere_in_a_generated_site_is_an_error(where):
    raw = next(
        copy.deepcopy(r)
        for r in generate_sites(60, seed=2)
        if "groups" in r and "powerwall" in r and r["vehicles"]
    )
    target = {
        "top": raw,
        "site": raw["site"],
        "charger": raw["chargers"][0],
        "group": raw["groups"][0],
        "vehicle": raw["vehicles"][0],
        "powerwall": raw["powerwall"],
        "meter": raw["meter"],
        "appliance": raw["home"]["appliances"][0],
    }[where]
    target["surprise"] = 1
    with pytest.raises(ValueError, match="unknown"):
        scenario_from_dict(raw)


def test_same_seed_same_results_and_written_sites_replay_them(tmp_path: Path):
    first, second, replay = tmp_path / "a", tmp_path / "b", tmp_path / "r"
    sites = tmp_path / "sites"
    # Seed 32 draws two short sites: one charger, and three in a group with a Powerwall.
    common = ["--generate", "2", "--seed", "32", "--no-plots"]
    # Two worker processes, outside pytest's socket guard (the pool uses one).
    subprocess.run(
        [
            *(sys.executable, "-m", "bench", *common),
            *("--jobs", "2", "--out", str(first), "--write-sites", str(sites)),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    main([*common, "--jobs", "1", "--out", str(second)])
    written = (first / "results.json").read_bytes()
    assert written == (second / "results.json").read_bytes()
    files = sorted(sites.glob("*.yaml"))
    assert len(files) == 2
    main(
        [
            *(a for f in files for a in ("--scenario", str(f))),
            *("--no-plots", "--jobs", "1", "--out", str(replay)),
        ]
    )
    document = json.loads(written)
    assert set(document["summary"]) == {"ours", "static", "tesla", "evcc", "smartevse"}
    replayed = json.loads((replay / "results.json").read_text())
    assert replayed["scenarios"] == document["scenarios"]
