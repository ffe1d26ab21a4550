"""``site_config`` from stored data: groups, chargers in them, outage options."""

import math

from hypothesis import given, strategies as st

from custom_components.tesla_power_mgmt.const import (
    CONF_BACKED_UP_PHASES,
    CONF_BATTERY_LEVEL_ENTITY,
    CONF_BREAKER,
    CONF_GRID_STATUS_ENTITY,
    CONF_GROUP,
    CONF_NETWORK_LIMIT,
    CONF_OUTAGE_MARGIN,
    CONF_PARENT,
    CONF_PHASES,
    CONF_REGION,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    BackedUpPhases,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import CircuitConfig, Region, SiteConfig
from custom_components.tesla_power_mgmt.site_options import (
    ChargerEntry,
    circuits,
    site_config,
)

THREE_PHASE = {
    CONF_REGION: Region.IEC,
    CONF_SUPPLY: Supply.THREE_PHASE,
    CONF_VOLTAGE: 230,
}
POWERWALL = {
    CONF_GRID_STATUS_ENTITY: "binary_sensor.grid",
    CONF_BATTERY_LEVEL_ENTITY: "sensor.battery",
}


def _charger(charger_id: str, **data: object) -> ChargerEntry:
    return ChargerEntry(charger_id, {CONF_BREAKER: 32, CONF_PHASES: 3, **data})


def test_nested_groups_and_each_chargers_innermost_group() -> None:
    groups = {
        "outer": {CONF_NETWORK_LIMIT: 60},
        "sub": {CONF_NETWORK_LIMIT: 40, CONF_PARENT: "outer"},
    }
    chargers = [
        _charger("a", **{CONF_GROUP: "sub"}),
        _charger("b", **{CONF_GROUP: "sub"}),
        _charger("c", **{CONF_GROUP: "outer"}),
        _charger("d"),
    ]
    config = site_config(THREE_PHASE, {}, chargers, groups=groups)
    assert config.circuits == (
        CircuitConfig("outer", 60.0, None),
        CircuitConfig("sub", 40.0, "outer"),
    )
    assert [c.circuit for c in config.chargers] == ["sub", "sub", "outer", None]
    assert config.network_limit_a is None


def test_a_removed_group_leaves_its_chargers_and_children_in_the_panel() -> None:
    groups = {"sub": {CONF_NETWORK_LIMIT: 40, CONF_PARENT: "gone"}}
    chargers = [_charger("a", **{CONF_GROUP: "gone"}), _charger("b", group="sub")]
    config = site_config(THREE_PHASE, {}, chargers, groups=groups)
    assert config.circuits == (CircuitConfig("sub", 40.0, None),)
    assert [c.circuit for c in config.chargers] == [None, "sub"]


def test_the_site_network_limit_stays_the_simple_default() -> None:
    options = {CONF_NETWORK_LIMIT: 50}
    config = site_config(THREE_PHASE, options, [_charger("a"), _charger("b")])
    assert config.network_limit_a == 50
    assert config.circuits == ()
    assert all(c.circuit is None for c in config.chargers)


def test_backed_up_phases_and_margin_reach_the_outage_config() -> None:
    default = site_config(THREE_PHASE, POWERWALL, [_charger("a")]).outage
    assert default is not None
    assert default.backed_up_phases == (0,)
    assert default.margin_pct == 10.0
    options = {
        **POWERWALL,
        CONF_BACKED_UP_PHASES: BackedUpPhases.ALL,
        CONF_OUTAGE_MARGIN: 15,
    }
    every = site_config(THREE_PHASE, options, [_charger("a")]).outage
    assert every is not None
    assert every.backed_up_phases == (0, 1, 2)
    assert every.margin_pct == 15.0


def test_every_phase_means_the_one_phase_of_a_single_phase_site() -> None:
    data = {**THREE_PHASE, CONF_SUPPLY: Supply.SINGLE_PHASE}
    options = {**POWERWALL, CONF_BACKED_UP_PHASES: BackedUpPhases.ALL}
    outage = site_config(data, options, [_charger("a", **{CONF_PHASES: 1})]).outage
    assert outage is not None
    assert outage.backed_up_phases == (0,)


@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.fixed_dictionaries(
            {},
            optional={
                CONF_NETWORK_LIMIT: st.none()
                | st.text(max_size=3)
                | st.floats(allow_nan=True, allow_infinity=True),
                CONF_PARENT: st.none() | st.sampled_from(["a", "b", "c", "gone"]),
            },
        ),
    )
)
def test_a_hand_edited_group_is_reserved_never_unlimited(groups) -> None:
    """Whatever the store holds, the circuits are valid and no limit is unknown."""
    built = circuits(groups)
    SiteConfig(chargers=(), circuits=built)  # raises on anything invalid
    for circuit in built:
        assert math.isfinite(circuit.limit_a)
        assert circuit.limit_a >= 0
        stored = groups[circuit.circuit_id].get(CONF_NETWORK_LIMIT)
        if not isinstance(stored, float) or not math.isfinite(stored) or stored < 0:
            assert circuit.limit_a == 0.0
