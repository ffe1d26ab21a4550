"""The blueprints load in Home Assistant and do what they say."""

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints" / "automation"
NAMES = sorted(p.name for p in (BLUEPRINTS / "tesla_power_mgmt").glob("*.yaml"))


@pytest.fixture
def blueprint_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config directory holding this repository's blueprints."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation"
    shutil.copytree(BLUEPRINTS, target)
    return target


def use(name: str, **inputs: object) -> dict[str, object]:
    """An automation made from one of the blueprints."""
    return {
        "use_blueprint": {"path": f"tesla_power_mgmt/{name}", "input": inputs},
        "id": name,
    }


async def all_off(hass: HomeAssistant) -> None:
    """Turn the automations off so no trigger outlives the test."""
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )


def charger_device(hass: HomeAssistant) -> str:
    """A Wall Connector device with power level and priority numbers."""
    entry = MockConfigEntry(domain="tesla_power_mgmt", title="Home")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={("tesla_power_mgmt", "PGT1")},
        name="Garage",
        model="Wall Connector Gen 3",
    )
    for key, value in (("power_level", "48"), ("priority", "0")):
        er.async_get(hass).async_get_or_create(
            "number",
            "tesla_power_mgmt",
            f"PGT1_{key}",
            suggested_object_id=f"garage_{key}",
            device_id=device.id,
            config_entry=entry,
        )
        hass.states.async_set(f"number.garage_{key}", value, {"max": 48})
    return device.id


def test_there_are_three_blueprints() -> None:
    assert NAMES == [
        "departure_priority.yaml",
        "outage_charging_notify.yaml",
        "surplus_solar_only.yaml",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_blueprint_is_valid(name: str) -> None:
    data = load_yaml_dict(BLUEPRINTS / "tesla_power_mgmt" / name)
    blueprint = models.Blueprint(
        data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    assert blueprint.name.startswith("Tesla Power Management")
    assert blueprint.metadata["source_url"].endswith(name)


async def test_outage_notification(hass: HomeAssistant, blueprint_dir: Path) -> None:
    calls = async_mock_service(hass, "test", "notify")
    notify = [
        {
            "action": "test.notify",
            "data": {"title": "{{ title }}", "message": "{{ message }}"},
        }
    ]
    assert await async_setup_component(
        hass,
        "automation",
        {"automation": use("outage_charging_notify.yaml", notify_actions=notify)},
    )
    await hass.async_block_till_done()
    assert [s.state for s in hass.states.async_all("automation")] == ["on"]
    hass.bus.async_fire(
        "tesla_power_mgmt_outage_started", {"entry_id": "x", "site": "Home"}
    )
    hass.bus.async_fire(
        "tesla_power_mgmt_charger_throttled",
        {"charger": "Garage", "device_id": "d", "pilot_a": 0, "reason": "outage_solar"},
    )
    hass.bus.async_fire(
        "tesla_power_mgmt_charger_throttled",
        {
            "charger": "Garage",
            "device_id": "d",
            "pilot_a": 12,
            "reason": "outage_battery",
        },
    )
    # Not an outage reason: no notification.
    hass.bus.async_fire(
        "tesla_power_mgmt_charger_throttled",
        {
            "charger": "Garage",
            "device_id": "d",
            "pilot_a": 12,
            "reason": "panel_headroom",
        },
    )
    await hass.async_block_till_done()
    titles = [call.data["title"] for call in calls]
    assert titles == [
        "Grid outage at Home",
        "Garage: charging paused",
        "Garage: charging throttled",
    ]
    assert "12 A" in calls[2].data["message"]
    await all_off(hass)


async def test_surplus_solar_only(hass: HomeAssistant, blueprint_dir: Path) -> None:
    device_id = charger_device(hass)
    set_value = async_mock_service(hass, "number", "set_value")
    pause = async_mock_service(hass, "tesla_power_mgmt", "pause")
    resume = async_mock_service(hass, "tesla_power_mgmt", "resume")
    hass.states.async_set("sensor.surplus", "0", {"unit_of_measurement": "W"})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": use(
                "surplus_solar_only.yaml",
                charger=device_id,
                surplus_sensor="sensor.surplus",
            )
        },
    )
    await hass.async_block_till_done()
    hass.states.async_set("sensor.surplus", "3000", {"unit_of_measurement": "W"})
    await hass.async_block_till_done()
    assert set_value[-1].data["value"] == 12  # 3000 W / 240 V
    assert resume[-1].data["device_id"] == device_id
    hass.states.async_set("sensor.surplus", "1.0", {"unit_of_measurement": "kW"})
    await hass.async_block_till_done()
    assert pause[-1].data["device_id"] == device_id
    await all_off(hass)


async def test_departure_priority(
    hass: HomeAssistant, blueprint_dir: Path, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(dt_util.now().replace(hour=10, minute=0, second=0))
    device_id = charger_device(hass)
    set_value = async_mock_service(hass, "number", "set_value")
    assert await async_setup_component(
        hass,
        "input_datetime",
        {"input_datetime": {"leave": {"has_time": True, "initial": "16:00"}}},
    )
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": use(
                "departure_priority.yaml",
                charger=device_id,
                departure="input_datetime.leave",
                lead_minutes=180,
            )
        },
    )
    await hass.async_block_till_done()
    assert not set_value
    await hass.services.async_call(
        "input_datetime",
        "set_datetime",
        {"entity_id": "input_datetime.leave", "time": "12:00:00"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert set_value[-1].data == {
        "entity_id": ["number.garage_priority"],
        "value": 10,
    }
    await all_off(hass)
