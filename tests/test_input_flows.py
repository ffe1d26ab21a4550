"""Every number field of every flow, given generated values: refused or valid.

The values are what a browser, a script or a hand can send: ``nan``, ``inf``,
fractions where whole amps are meant, negatives, huge numbers, text. Each is
refused (by the form's schema or with a translated error on the field) or
stored exactly, finite and in range.
"""

from collections.abc import Awaitable, Callable
import itertools
import json
import math
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.tesla_power_mgmt import validators
from custom_components.tesla_power_mgmt.const import (
    CONF_BREAKER,
    CONF_CHARGING_THRESHOLD,
    CONF_DISCHARGE_CAPABILITY,
    CONF_GRID_POWER_ENTITY,
    CONF_INCREASE_DEADBAND,
    CONF_INCREASE_INTERVAL,
    CONF_METER_STALE,
    CONF_NETWORK_LIMIT,
    CONF_NOT_DRAWING_AFTER,
    CONF_PANEL_LIMIT,
    CONF_POWERWALL_UNITS,
    CONF_REGION,
    CONF_RESUME_DELAY,
    CONF_ROTATION_INTERVAL,
    CONF_SAFETY_MARGIN,
    CONF_SCAN_INTERVAL,
    CONF_STALE_FALLBACK,
    CONF_SUPPLY,
    CONF_VOLTAGE,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
)
from custom_components.tesla_power_mgmt.engine import Region, Timing
from custom_components.tesla_power_mgmt.validators import Amount
from custom_components.tesla_power_mgmt.wall_connector import Identity

from .common import charger_subentry, site_entry

TRANSLATIONS = json.loads(
    (
        Path(__file__).parents[1]
        / "custom_components/tesla_power_mgmt/translations/en.json"
    ).read_text()
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=2100).map(lambda x: round(x, 1)),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-5, max_value=2100),
    st.sampled_from([math.nan, math.inf, -math.inf, 40.5, 80.5, 6, 7, 8, 10**400]),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "40.5", "forty"]),
)
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SENSOR = "sensor.grid"


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Flows only: entries are not set up."""
    with patch(
        "custom_components.tesla_power_mgmt.async_setup_entry", return_value=True
    ):
        yield


def _run[T](hass: HomeAssistant, step: Callable[[], Awaitable[T]]) -> T:
    """Run one example's flow on the test's event loop."""
    return hass.loop.run_until_complete(step())


async def _submit(
    start: Awaitable[Any], configure: Callable[..., Awaitable[Any]], data: Any
) -> dict[str, Any] | None:
    """Open a form and submit it; None when the schema refuses the input."""
    result = await start
    assert result["type"] is FlowResultType.FORM
    try:
        return dict(await configure(result["flow_id"], data))
    except InvalidData:
        return None


def _assert_refused_or_stored(
    result: dict[str, Any] | None,
    field: str,
    value: Any,
    amount: Amount,
    stored: Callable[[], Any],
    translated: dict[str, str],
) -> None:
    """The value is refused (with a translated error) or kept exactly."""
    if result is None:
        return
    if result["type"] is FlowResultType.FORM:
        assert result["errors"][field] in translated
        return
    assert result["type"] is FlowResultType.CREATE_ENTRY
    kept = stored()
    assert not isinstance(kept, bool)
    assert math.isfinite(kept)
    assert amount.low <= kept <= amount.high
    assert kept == float(value)
    if amount.whole:
        assert type(kept) is int


@HYPOTHESIS
@given(value=NUMBERS)
def test_site_voltage(hass: HomeAssistant, value: Any) -> None:
    async def step() -> None:
        result = await _submit(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USER}
            ),
            hass.config_entries.flow.async_configure,
            {
                CONF_NAME: "Home",
                CONF_REGION: "nec",
                CONF_SUPPLY: "single_phase",
                CONF_VOLTAGE: value,
            },
        )
        entries = hass.config_entries.async_entries(DOMAIN)
        _assert_refused_or_stored(
            result,
            CONF_VOLTAGE,
            value,
            validators.VOLTAGE,
            lambda: entries[-1].data[CONF_VOLTAGE],
            TRANSLATIONS["config"]["error"],
        )

    _run(hass, step)


@pytest.fixture
def identity() -> Any:
    """A new unit answers at any port (no traffic to whatever listens there)."""
    serials = (f"UNIT{n:010}" for n in itertools.count())
    with patch(
        "custom_components.tesla_power_mgmt.config_flow.WallConnectorClient.identity",
        side_effect=lambda: Identity(next(serials), None, None),
    ) as asked:
        yield asked


@HYPOTHESIS
@given(field=st.sampled_from([CONF_BREAKER, CONF_PORT]), value=NUMBERS)
def test_charger_numbers(
    hass: HomeAssistant, identity: Any, field: str, value: Any
) -> None:
    async def step() -> None:
        entry = site_entry(region=Region.NEC)
        entry.add_to_hass(hass)
        user_input = {CONF_HOST: "127.0.0.1", CONF_BREAKER: 60, field: value}
        asked = identity.call_count
        result = await _submit(
            hass.config_entries.subentries.async_init(
                (entry.entry_id, SUBENTRY_TYPE_CHARGER),
                context={"source": SOURCE_USER},
            ),
            hass.config_entries.subentries.async_configure,
            user_input,
        )
        if result is not None and result["type"] is FlowResultType.FORM:
            # Nothing is sent to a host with a refused port or breaker.
            assert identity.call_count == asked
        amount = validators.BREAKER if field == CONF_BREAKER else validators.PORT
        if field == CONF_BREAKER:
            amount = amount.bounded(low=validators.smallest_breaker(Region.NEC))
        _assert_refused_or_stored(
            result,
            field,
            value,
            amount,
            lambda: next(iter(entry.subentries.values())).data[field],
            TRANSLATIONS["config_subentries"]["charger"]["error"],
        )

    _run(hass, step)


# (page, field, what else the page needs)
OPTION_FIELDS = [
    ("polling", CONF_SCAN_INTERVAL, {}),
    ("power_meter", CONF_PANEL_LIMIT, {CONF_GRID_POWER_ENTITY: SENSOR}),
    ("power_meter", CONF_SAFETY_MARGIN, {CONF_PANEL_LIMIT: 1000}),
    ("group", CONF_NETWORK_LIMIT, {}),
    (
        "powerwall",
        CONF_DISCHARGE_CAPABILITY,
        {CONF_POWERWALL_UNITS: 1, CONF_CHARGING_THRESHOLD: 50},
    ),
    (
        "powerwall",
        CONF_POWERWALL_UNITS,
        {CONF_DISCHARGE_CAPABILITY: 5.0, CONF_CHARGING_THRESHOLD: 50},
    ),
    (
        "powerwall",
        CONF_CHARGING_THRESHOLD,
        {CONF_DISCHARGE_CAPABILITY: 5.0, CONF_POWERWALL_UNITS: 1},
    ),
    *(
        ("timing", key, {})
        for key in (
            CONF_METER_STALE,
            CONF_INCREASE_INTERVAL,
            CONF_INCREASE_DEADBAND,
            CONF_RESUME_DELAY,
            CONF_ROTATION_INTERVAL,
            CONF_NOT_DRAWING_AFTER,
            CONF_STALE_FALLBACK,
        )
    ),
]
TIMING = {
    CONF_METER_STALE: Timing().meter_stale_s,
    CONF_INCREASE_INTERVAL: Timing().increase_interval_s,
    CONF_INCREASE_DEADBAND: Timing().increase_deadband_a,
    CONF_RESUME_DELAY: Timing().resume_delay_s,
    CONF_ROTATION_INTERVAL: Timing().rotation_interval_s,
    CONF_NOT_DRAWING_AFTER: Timing().not_drawing_after_s,
}


@HYPOTHESIS
@given(page_field=st.sampled_from(OPTION_FIELDS), value=NUMBERS)
def test_option_numbers(
    hass: HomeAssistant, page_field: tuple[str, str, dict[str, Any]], value: Any
) -> None:
    page, field, rest = page_field
    hass.states.async_set(
        SENSOR, "100", {"device_class": "power", "unit_of_measurement": "W"}
    )

    async def step() -> None:
        # Eight 48 A chargers: network limits from 48 A to 384 A are valid.
        entry = site_entry(
            *(charger_subentry(80, unique_id=f"UNIT{n}") for n in range(8))
        )
        entry.add_to_hass(hass)
        base = TIMING if page == "timing" else {}
        options = hass.config_entries.options

        async def start() -> Any:
            result = await options.async_init(entry.entry_id)
            return await options.async_configure(
                result["flow_id"], {"next_step_id": page}
            )

        result = await _submit(
            start(), options.async_configure, {**base, **rest, field: value}
        )
        amount = validators.OPTION_AMOUNTS[field]
        if field == CONF_NETWORK_LIMIT:
            amount = amount.bounded(low=48, high=384)
        _assert_refused_or_stored(
            result,
            field,
            value,
            amount,
            lambda: entry.options[field],
            TRANSLATIONS["options"]["error"],
        )

    _run(hass, step)


def test_every_refusal_is_translated() -> None:
    """Each error a validator can give has text in every section that shows it."""
    number_keys = {"not_a_number", "not_finite", "not_whole", "out_of_range"}
    entity_keys = {
        "wrong_domain",
        "own_entity",
        "wrong_device_class",
        "wrong_unit",
        "entity_missing",
    }
    subentry = TRANSLATIONS["config_subentries"]["charger"]["error"]
    assert number_keys <= TRANSLATIONS["config"]["error"].keys()
    assert number_keys | entity_keys | {"invalid_host", "breaker_too_small"} <= (
        subentry.keys()
    )
    assert number_keys | entity_keys <= TRANSLATIONS["options"]["error"].keys()
    assert number_keys <= TRANSLATIONS["exceptions"].keys()
