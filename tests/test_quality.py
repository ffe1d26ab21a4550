"""Quality-scale rules marked done that a test can check, so they cannot regress.

Translations, icons, unique ids and entity names of every entity; translated
exceptions, repairs and flow steps; redacted diagnostics; the rule list.
"""

import ast
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .common import SERIAL, FakeWallConnector
from .full_sites import every_entity_enabled, split_phase_site, three_phase_site
from .site import Car, Sources

PACKAGE = Path(__file__).parents[1] / "custom_components" / "tesla_power_mgmt"
STRINGS = json.loads((PACKAGE / "translations" / "en.json").read_text())
ICONS = json.loads((PACKAGE / "icons.json").read_text())

# Home Assistant's rule list per tier (script/hassfest/quality_scale.py).
TIERS = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow "
        "config-flow-test-coverage dependency-transparency docs-actions "
        "docs-conditions docs-high-level-description docs-installation-instructions "
        "docs-removal-instructions docs-triggers entity-event-setup entity-unique-id "
        "has-entity-name runtime-data test-before-configure test-before-setup "
        "unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters "
        "docs-installation-parameters entity-unavailable integration-owner "
        "log-when-unavailable parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery discovery-update-info docs-data-update "
        "docs-examples docs-known-limitations docs-supported-devices "
        "docs-supported-functions docs-troubleshooting docs-use-cases "
        "dynamic-devices entity-category entity-device-class "
        "entity-disabled-by-default entity-translations exception-translations "
        "icon-translations reconfiguration-flow repair-issues stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}


def test_quality_scale_lists_every_rule_done_or_exempt() -> None:
    rules = load_yaml_dict(str(PACKAGE / "quality_scale.yaml"))["rules"]
    wanted = {rule for names in TIERS.values() for rule in names.split()}
    assert set(rules) == wanted
    for name, rule in rules.items():
        status = rule if isinstance(rule, str) else rule["status"]
        assert status in ("done", "exempt"), name
        if status == "exempt":
            assert isinstance(rule, dict), f"{name}: an exemption needs a comment"
            assert rule["comment"].strip(), f"{name}: an exemption needs a comment"


@pytest.fixture
def all_enabled() -> Any:
    yield from every_entity_enabled()


@pytest.mark.parametrize("site", ["split_phase", "three_phase"])
async def test_every_entity_named_translated_iconed_unique(
    hass: HomeAssistant,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
    all_enabled: None,
    site: str,
) -> None:
    if site == "split_phase":
        entry = await split_phase_site(hass, wall_connector, sources)
    else:
        entry = await three_phase_site(hass, wall_connector)
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert len(entities) > 20
    assert len({e.unique_id for e in entities}) == len(entities)
    for entity in entities:
        where = f"{entity.entity_id} ({entity.translation_key})"
        assert entity.unique_id, where
        assert entity.has_entity_name, where
        assert entity.original_icon is None, f"{where}: icon belongs in icons.json"
        state = hass.states.get(entity.entity_id)
        assert state is not None, where
        if entity.translation_key is None:
            # Named by its device class (Power, the Powerwall's Battery).
            assert entity.original_device_class is not None, where
            continue
        strings = STRINGS["entity"][entity.domain][entity.translation_key]
        assert strings["name"], where
        assert entity.translation_key in ICONS["entity"][entity.domain], where
        for option in state.attributes.get("options", ()):
            assert option in strings["state"], f"{where}: state {option}"
        for attribute in _own_attributes(state.attributes):
            assert attribute in strings.get("state_attributes", {}), where


def _own_attributes(attributes: Any) -> set[str]:
    """Return the attributes the integration adds (not Home Assistant's own)."""
    standard = {
        "friendly_name",
        "unit_of_measurement",
        "device_class",
        "state_class",
        "options",
        "min",
        "max",
        "step",
        "mode",
        "restored",
        "supported_features",
        "icon",
    }
    return set(attributes) - standard


def _calls(path: Path) -> list[tuple[str, ast.Call, str | None]]:
    """Return every call in a module with its name and the class it is in."""
    found: list[tuple[str, ast.Call, str | None]] = []

    def visit(node: ast.AST, cls: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.ClassDef) else cls
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else None
                name = func.id if isinstance(func, ast.Name) else name
                if name:
                    found.append((name, child, cls))
            visit(child, inner)

    visit(ast.parse(path.read_text()), None)
    return found


def _keyword(call: ast.Call, name: str) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


EXCEPTIONS = {"UpdateFailed", "ServiceValidationError", "HomeAssistantError"}


def test_every_exception_is_translated() -> None:
    used = {
        key
        for path in PACKAGE.glob("*.py")
        for name, call, _cls in _calls(path)
        if name in EXCEPTIONS
        for key in [_keyword(call, "translation_key")]
    }
    assert used
    assert None not in used, "an exception raised without a translation key"
    assert used <= set(STRINGS["exceptions"])


def test_every_repair_is_translated() -> None:
    """Repairs are wanted as ``wanted[id] = (translation key, placeholders)``."""
    used = {
        node.value.elts[0].value
        for node in ast.walk(ast.parse((PACKAGE / "manager.py").read_text()))
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Tuple)
        and isinstance(node.value.elts[0], ast.Constant)
        and any(
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id == "wanted"
            for target in node.targets
        )
    }
    assert used
    assert used <= set(STRINGS["issues"])


FLOWS = {
    "TeslaPowerMgmtConfigFlow": STRINGS["config"],
    "WallConnectorSubentryFlow": STRINGS["config_subentries"]["charger"],
    "GroupSubentryFlow": STRINGS["config_subentries"]["group"],
    "TeslaPowerMgmtOptionsFlow": STRINGS["options"],
}


def test_every_flow_step_and_abort_is_translated() -> None:
    seen = 0
    for module in ("config_flow.py", "options_flow.py"):
        for name, call, cls in _calls(PACKAGE / module):
            if cls not in FLOWS:
                continue
            strings = FLOWS[cls]
            step = _keyword(call, "step_id")
            if name in ("async_show_form", "async_show_menu") and step:
                assert strings["step"][step]["title"], f"{cls} {step}"
                seen += 1
            if name == "async_abort" and (reason := _keyword(call, "reason")):
                assert reason in strings["abort"], f"{cls} abort {reason}"
                seen += 1
    assert seen > 10


def test_every_form_error_is_translated() -> None:
    """Errors are string constants in errors dicts: each must be in a flow's."""
    known = {key for strings in FLOWS.values() for key in strings.get("error", {})}
    for module in ("config_flow.py", "options_flow.py"):
        tree = ast.parse((PACKAGE / module).read_text())
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Dict) and any(
                (isinstance(k, ast.Constant) and k.value == "base")
                or (isinstance(k, ast.Name) and k.id.startswith("CONF_"))
                for k in node.keys
            ):
                values = list(node.values)
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == "errors"
            ):
                values = [node.value]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    assert value.value in known, f"{module}: error {value.value}"


async def test_diagnostics_redact_host_serial_and_entity_ids(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    wall_connector: FakeWallConnector,
    car: Car,
    sources: Sources,
) -> None:
    entry = await split_phase_site(hass, wall_connector, sources)
    text = json.dumps(await get_diagnostics_for_config_entry(hass, hass_client, entry))
    for secret in (SERIAL, "127.0.0.1", "98:ED:5C:B2:75:8A", "10.69.2.236"):
        assert secret not in text
    # Whose car and whose meter: the entity ids a user picked.
    for entity_id in (
        "number.car_charge_current",
        "switch.car_charging",
        "sensor.grid_power",
        "sensor.powerwall_charge",
    ):
        assert entity_id not in text, entity_id
