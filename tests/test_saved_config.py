"""A saved configuration the engine cannot use: a repair, and the site still runs.

Old versions and hand edits leave ``nan``, out-of-range values or missing
keys. The site loads on its last good configuration, or, with none, only
monitors; either way its limits hold.
"""

import math
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from hypothesis import given, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tesla_power_mgmt import config_check, validators
from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_GRID_POWER_ENTITY,
    CONF_NETWORK_LIMIT,
    CONF_PANEL_LIMIT,
    CONF_PHASE_CURRENT_ENTITIES,
    CONF_PHASES,
    CONF_REGION,
    CONF_SAFETY_MARGIN,
    CONF_SCAN_INTERVAL,
    CONF_STALE_FALLBACK,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    DOMAIN,
    Supply,
)
from custom_components.tesla_power_mgmt.engine import Region

from .common import FakeWallConnector, charger_subentry, site_entry
from .site import CONTROL, METER, VOLTS, Car, Sources, settle, start

# The home at 90 A of a 100 A panel with a 2 A margin leaves 8 A for the car.
HOME_W = 90 * VOLTS
HEADROOM_A = 100 - 2 - 90


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"{entry.entry_id}_{config_check.ISSUE_ID}"
    )


async def restart(hass: HomeAssistant, entry: MockConfigEntry, **edits: Any) -> None:
    """Stop the site, edit what is saved (as by hand), and start it again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.config_entries.async_update_entry(entry, **edits)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    "bad",
    [
        {CONF_PANEL_LIMIT: math.nan},
        {CONF_PANEL_LIMIT: "100"},
        {CONF_PANEL_LIMIT: None},
        {CONF_SAFETY_MARGIN: math.inf},
        {CONF_SAFETY_MARGIN: 150},  # above the panel limit
        {CONF_STALE_FALLBACK: -5},
        {CONF_SCAN_INTERVAL: 0.5},
        {CONF_GRID_POWER_ENTITY: 42},
    ],
)
async def test_bad_options_run_on_the_last_good_ones(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    bad: dict[str, Any],
) -> None:
    sources.home_w = HOME_W
    entry = await start(hass, wall_connector, METER, sources)
    assert issue(hass, entry) is None
    await restart(hass, entry, options={**METER, **bad})
    await settle(hass, entry, sources)

    assert dict(entry.options) == METER
    found = issue(hass, entry)
    assert found is not None
    assert found.translation_key == "invalid_config_restored"
    assert next(iter(bad)) in found.translation_placeholders["problems"]
    # The panel limit of the last good configuration still holds.
    assert car.commanded <= HEADROOM_A
    decision = entry.runtime_data.manager.data.decision
    assert all(c.pilot_a <= HEADROOM_A for c in decision.chargers.values())


async def test_bad_options_without_a_good_past_only_monitor(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    """No good configuration known: nothing is commanded, until confirmed."""
    sources.home_w = HOME_W
    entry = await start(
        hass, wall_connector, {**METER, CONF_PANEL_LIMIT: math.nan}, sources
    )
    assert entry.state is ConfigEntryState.LOADED
    assert CONF_PANEL_LIMIT not in entry.options
    found = issue(hass, entry)
    assert found is not None
    assert found.translation_key == "invalid_config_monitor"
    assert found.is_fixable
    assert car.current.writes == []
    assert car.switch.writes == []
    manager = entry.runtime_data.manager
    assert manager.settings.monitor_only
    assert not any(c.managed for c in manager.data.config.chargers)

    # A restart does not turn management back on by itself.
    await restart(hass, entry)
    assert entry.runtime_data.manager.settings.monitor_only
    assert issue(hass, entry) is not None
    assert car.current.writes == []

    # The user sets the panel limit again and confirms the repair.
    await restart(hass, entry, options=METER)
    assert entry.runtime_data.manager.settings.monitor_only
    assert await async_setup_component(hass, "repairs", {})
    flows = hass.data["repairs"]["flow_manager"]
    result = await flows.async_init(
        DOMAIN, data={"issue_id": f"{entry.entry_id}_{config_check.ISSUE_ID}"}
    )
    assert result["step_id"] == "confirm"
    result = await flows.async_configure(result["flow_id"], {})
    await hass.async_block_till_done()
    assert issue(hass, entry) is None
    manager = entry.runtime_data.manager
    assert not manager.settings.monitor_only
    await settle(hass, entry, sources)
    # Managed again, within the panel limit.
    assert car.current.writes
    assert car.commanded <= HEADROOM_A


@pytest.mark.parametrize(
    ("data", "charger"),
    [
        ({}, {CONF_BREAKER: 7}),  # a 7 A NEC breaker from an old version: 5 A
        ({}, {CONF_BREAKER: math.nan}),
        ({}, {CONF_BREAKER: 40.5}),
        ({}, {CONF_BREAKER: None}),
        ({}, {CONF_HOST: "999.1.1.1"}),
        ({}, {CONF_PHASES: 2}),
        ({CONF_VOLTAGE: math.nan}, {}),
        ({CONF_VOLTAGE: None}, {}),
        ({CONF_REGION: "mars"}, {}),
        ({CONF_SUPPLY: None}, {}),
    ],
)
async def test_bad_site_or_charger_never_fails_to_load(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    data: dict[str, Any],
    charger: dict[str, Any],
) -> None:
    subentry = charger_subentry(wall_connector.port, **CONTROL)
    subentry["data"] = {
        k: v for k, v in {**subentry["data"], **charger}.items() if v is not None
    }
    entry = site_entry(subentry)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry,
        data={k: v for k, v in {**entry.data, **data}.items() if v is not None},
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert issue(hass, entry) is not None
    assert config_check.problems_of(config_check.snapshot(entry)) == {}
    assert car.current.writes == []  # nothing good known: monitor only
    if CONF_BREAKER in charger:
        saved = next(iter(entry.subentries.values())).data
        assert saved[CONF_BREAKER] == validators.smallest_breaker(Region.NEC)


async def test_bad_charger_restored_from_the_last_good(
    hass: HomeAssistant, wall_connector: FakeWallConnector, car: Car, sources: Sources
) -> None:
    entry = await start(hass, wall_connector, METER, sources)
    subentry = next(iter(entry.subentries.values()))
    good = dict(subentry.data)
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**good, CONF_BREAKER: math.nan}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert dict(next(iter(entry.subentries.values())).data) == good
    assert not entry.runtime_data.manager.settings.monitor_only


SITE_DATA = {
    CONF_REGION: Region.NEC,
    CONF_SUPPLY: Supply.SINGLE_PHASE,
    CONF_VOLTAGE: 240,
}
GOOD = {
    "data": SITE_DATA,
    "options": {**METER, CONF_NETWORK_LIMIT: 40},
    "chargers": {"a": {CONF_HOST: "10.0.0.2", CONF_PORT: 80, CONF_BREAKER: 60}},
}
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=6),
    st.lists(st.text(max_size=6), max_size=4),
)
OPTION_KEYS = st.sampled_from(
    [
        *validators.OPTION_AMOUNTS,
        CONF_GRID_POWER_ENTITY,
        CONF_PHASE_CURRENT_ENTITIES,
    ]
)


@given(
    options=st.dictionaries(OPTION_KEYS, ANYTHING, max_size=6),
    charger=st.dictionaries(
        st.sampled_from([CONF_HOST, CONF_PORT, CONF_BREAKER, CONF_PHASES]),
        ANYTHING,
        max_size=3,
    ),
    voltage=ANYTHING,
    with_last_good=st.booleans(),
)
def test_repaired_is_always_usable(
    options: dict[str, Any],
    charger: dict[str, Any],
    voltage: Any,
    with_last_good: bool,
) -> None:
    """Whatever was saved, the configuration the site runs on has no problem."""
    current = {
        "data": {**SITE_DATA, CONF_VOLTAGE: voltage},
        "options": options,
        "chargers": {"a": {**GOOD["chargers"]["a"], **charger}},
    }
    config, monitor_only = config_check.repaired(
        current, GOOD if with_last_good else None
    )
    assert config_check.problems_of(config) == {}
    if not config_check.problems_of(current):
        assert config == current
        assert not monitor_only
    elif with_last_good:
        # Each unusable part comes back as it last worked: nothing to guess.
        assert not monitor_only
        if config_check.option_problems(options, three_phase=False):
            assert config["options"] == GOOD["options"]
    else:
        assert monitor_only
