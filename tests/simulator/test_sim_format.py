"""The scenario format's groups, single-phase supply and a Powerwall at its reserve."""

from typing import Any

import pytest

from bench.controllers.base import within_groups
from bench.facts import site_facts
from simulator import Site, scenario_from_dict
from tests.simulator.conftest import small_site_raw


def _four_chargers(groups: list[dict[str, Any]]) -> dict[str, Any]:
    return small_site_raw(
        chargers=[{"id": f"wc{i}"} for i in range(1, 5)],
        vehicles=[],
        groups=groups,
    )


def test_groups_side_by_side_and_nested_are_accepted_and_ordered():
    raw = _four_chargers(
        [
            {"name": "garage", "limit_a": 80, "chargers": ["wc1", "wc2", "wc3"]},
            {"name": "sub", "limit_a": 40, "chargers": ["wc1", "wc2"]},
            {"name": "barn", "limit_a": 32, "chargers": ["wc4"]},
        ]
    )
    spec = scenario_from_dict(raw).site
    assert [g.name for g in spec.groups_of("wc1")] == ["sub", "garage"]
    assert [g.name for g in spec.groups_of("wc4")] == ["barn"]
    facts = site_facts(scenario_from_dict(raw), Site(spec))
    assert facts.group("sub").parent == "garage"
    assert facts.group("barn").parent is None
    assert facts.network_limit_a == 32


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        (
            [
                {"name": "a", "limit_a": 40, "chargers": ["wc1", "wc2"]},
                {"name": "b", "limit_a": 40, "chargers": ["wc2", "wc3"]},
            ],
            "overlap",
        ),
        (
            [
                {"name": "a", "limit_a": 40, "chargers": ["wc1", "wc2"]},
                {"name": "b", "limit_a": 30, "chargers": ["wc2", "wc1"]},
            ],
            "overlap",
        ),
        ([{"name": "a", "limit_a": 0, "chargers": ["wc1"]}], "positive"),
        ([{"name": "a", "limit_a": 40, "chargers": ["wc1"], "max": 3}], "unknown"),
    ],
)
def test_groups_no_electrician_would_wire_are_errors(groups, match):
    with pytest.raises(ValueError, match=match):
        scenario_from_dict(_four_chargers(groups))


def test_sharing_keeps_every_nested_and_side_by_side_group_within_its_limit():
    raw = _four_chargers(
        [
            {"name": "garage", "limit_a": 60, "chargers": ["wc1", "wc2", "wc3"]},
            {"name": "sub", "limit_a": 20, "chargers": ["wc1", "wc2"]},
            {"name": "barn", "limit_a": 24, "chargers": ["wc4"]},
        ]
    )
    scenario = scenario_from_dict(raw)
    facts = site_facts(scenario, Site(scenario.site))
    caps = dict.fromkeys(("wc1", "wc2", "wc3", "wc4"), 48.0)
    shares = within_groups(facts, 200.0, caps)
    assert shares == {"wc1": 10, "wc2": 10, "wc3": 40, "wc4": 24}
    tight = within_groups(facts, 30.0, caps)
    assert sum(tight.values()) <= 30
    assert tight["wc1"] + tight["wc2"] <= 20


def test_single_phase_supply_is_one_230_v_phase():
    raw = small_site_raw(
        site={"supply": "single_phase", "main_breaker_a": 60},
        chargers=[{"id": "wc1", "firmware": "eu_23.24.3", "breaker_a": 32}],
    )
    site = Site(scenario_from_dict(raw).site)
    assert site.grid.phases == ("L1",)
    assert site.grid.frequency_hz == 50
    snapshot = site.step()
    assert snapshot.charger_phase_currents["wc1"] == {"L1": 32.0}


def _dark_site(solar: bool) -> Site:
    raw = small_site_raw(
        start="11:00",
        home={"base_a": 30},
        powerwall={
            "capacity_kwh": 2,
            "soc": 22,
            "reserve": 20,
            "max_discharge_kw": 5,
            "outages": [{"start": "11:00", "duration": "2h"}],
        },
    )
    if solar:
        raw["solar"] = {"peak_kw": 12, "sunrise": "10:00", "sunset": "22:00"}
    return Site(scenario_from_dict(raw).site)


def test_powerwall_at_its_reserve_drops_the_house_and_recovers_on_solar():
    site = _dark_site(solar=False)
    site.advance(1800)
    assert site.last is not None
    assert site.last.blackout
    assert site.powerwall is not None
    assert site.powerwall.soc_pct == pytest.approx(20, abs=0.5)
    sunny = _dark_site(solar=True)
    outcomes = []
    for _ in range(7000):
        outcomes.append(sunny.step().blackout)
    assert any(outcomes)  # it reached its reserve
    assert not outcomes[-1]  # and solar brought the house back
    assert sunny.powerwall is not None
    assert sunny.powerwall.soc_pct > 20
