"""Browser test of the development Home Assistant (run by ``scripts/e2e``).

Drives Debian's headless Chromium through Playwright (never a downloaded
browser): log in, open the integration, add the simulated spare Wall Connector
through the charger subentry flow, see its entities, open the dashboard and
check its values move. Saves a screenshot per step in ``--out``; exits
non-zero on the first failure.
"""

import argparse
from collections.abc import Callable
import json
from pathlib import Path
import sys
import tempfile
import time
from typing import Any
import urllib.request

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERNAME, PASSWORD = "dev", "dev"
TIMEOUT_MS = 30_000
# Monitoring entities of a Wall Connector.
CHARGER_ENTITIES = (
    "sensor.{c}_vehicle_current",
    "sensor.{c}_power",
    "sensor.{c}_state",
    "binary_sensor.{c}_vehicle_connected",
    "binary_sensor.{c}_online",
)
# Power-management entities of a Wall Connector and of the site.
MANAGEMENT_ENTITIES = (
    "sensor.{c}_pilot_current",
    "sensor.{c}_limit_reason",
    "number.{c}_power_level",
    "switch.home_power_management",
    "number.home_network_limit",
)


def log(text: str) -> None:
    """Print one step."""
    print(f"e2e: {text}", flush=True)


class Browser:
    """A page of Home Assistant's UI, with screenshots numbered in order."""

    def __init__(self, context: BrowserContext, url: str, out: Path) -> None:
        """Open a page on ``url``; screenshots go to ``out``."""
        self.context = context
        self.page: Page = context.pages[0] if context.pages else context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.url = url.rstrip("/")
        self.out = out
        self.shots = 0

    def shot(self, name: str) -> Path:
        """Save a screenshot of the viewport."""
        self.shots += 1
        path = self.out / f"{self.shots:02d}-{name}.png"
        self.page.wait_for_timeout(700)  # let charts and animations settle
        self.page.screenshot(path=str(path))
        log(f"screenshot {path}")
        return path

    def go(self, path: str) -> None:
        """Open a page of the UI."""
        self.page.goto(self.url + path)

    def state(self, entity_id: str) -> str | None:
        """Return an entity's state as the frontend sees it (None if missing)."""
        value: str | None = self.page.evaluate(
            "id => { const s = document.querySelector('home-assistant')"
            "?.hass?.states?.[id]; return s ? s.state : null; }",
            entity_id,
        )
        return value

    def wait_for_state(
        self, entity_id: str, ok: Callable[[str | None], bool], seconds: float = 30
    ) -> str | None:
        """Wait until an entity's state satisfies ``ok``; return it."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.state(entity_id)
            if ok(value):
                return value
            if time.monotonic() > deadline:
                msg = f"{entity_id} stayed {value!r}"
                raise AssertionError(msg)
            self.page.wait_for_timeout(500)


def log_in(ui: Browser) -> None:
    """Log in through Home Assistant's login page."""
    ui.go("/")
    page = ui.page
    page.wait_for_url("**/auth/authorize**")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    ui.shot("login")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/" not in url)
    ui.wait_for_state("sensor.garage_vehicle_current", lambda s: s is not None)
    log("logged in")


def open_integration(ui: Browser) -> None:
    """Open the integration's page: the site and its seeded chargers."""
    ui.go("/config/integrations/integration/tesla_power_mgmt")
    page = ui.page
    expect(page.get_by_text("Home", exact=True).first).to_be_visible()
    for charger in ("Garage", "Driveway", "Carport"):
        expect(page.get_by_text(charger, exact=True).first).to_be_visible()
    ui.shot("integration")
    log("the integration shows the site and its three chargers")


def add_charger(ui: Browser, port: int) -> None:
    """Add the spare simulated Wall Connector through the subentry flow."""
    page = ui.page
    page.get_by_role("button", name="Add Wall Connector").first.click()
    dialog = page  # the flow dialog's shadow roots: search the whole page
    expect(dialog.get_by_text("Add a Wall Connector", exact=True)).to_be_visible()
    dialog.get_by_role("textbox", name="Host").fill("127.0.0.1")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("Spare")
    dialog.get_by_role("spinbutton", name="Breaker rating").fill("40")
    dialog.get_by_role("spinbutton", name="Port").fill(str(port))
    ui.shot("add-charger-form")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text("Created configuration for Spare")).to_be_visible()
    ui.shot("add-charger-done")
    dialog.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Spare", exact=True).first).to_be_visible()
    log("added the charger Spare through the UI")


def see_entities(ui: Browser) -> None:
    """Open the new charger's device and check its entities are live."""
    for template in CHARGER_ENTITIES:
        entity_id = template.format(c="spare")
        value = ui.wait_for_state(
            entity_id, lambda s: s not in (None, "unavailable", "unknown")
        )
        log(f"{entity_id} = {value}")
    for template in MANAGEMENT_ENTITIES:
        entity_id = template.format(c="garage")
        value = ui.wait_for_state(entity_id, lambda s: s not in (None, "unavailable"))
        log(f"{entity_id} = {value}")
    # The new charger's device, from the integration page.
    ui.go("/config/integrations/integration/tesla_power_mgmt")
    ui.page.get_by_text("Spare", exact=True).last.click()
    ui.page.wait_for_url("**/config/devices/device/**")
    expect(ui.page.get_by_text("Vehicle current").first).to_be_visible()
    ui.shot("spare-entities")
    log("the new charger's entities are there")


def dashboard(ui: Browser) -> None:
    """Open the dashboard and check that its values move."""
    page = ui.page
    ui.go("/tesla-power/site")
    expect(page.get_by_text("Powerwall and solar").first).to_be_visible()
    watched = (
        "sensor.sim_meter_grid_power",
        "sensor.garage_vehicle_current",
        "sensor.garage_power",
        "sensor.sim_powerwall_solar_power",
    )
    before = {entity_id: ui.state(entity_id) for entity_id in watched}
    ui.shot("dashboard-site")
    ui.go("/tesla-power/chargers")
    expect(page.get_by_text("Garage", exact=True).first).to_be_visible()
    ui.shot("dashboard-chargers")
    deadline = time.monotonic() + 60
    while True:
        after = {entity_id: ui.state(entity_id) for entity_id in watched}
        moved = [e for e in watched if after[e] != before[e]]
        if moved:
            break
        if time.monotonic() > deadline:
            msg = f"no dashboard value changed in 60 s: {after}"
            raise AssertionError(msg)
        page.wait_for_timeout(1000)
    log("live values: " + ", ".join(f"{e} {before[e]} -> {after[e]}" for e in moved))
    ui.go("/tesla-power/site")
    expect(page.get_by_text("Powerwall and solar").first).to_be_visible()
    page.wait_for_timeout(2000)
    ui.shot("dashboard-site-later")


def wait_ready(url: str, seconds: float) -> None:
    """Wait until the frontend is served."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "/manifest.json", timeout=5):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def main() -> int:
    """Run every step; the first failure ends the test with a screenshot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--out", type=Path, default=Path("e2e-screenshots"))
    parser.add_argument("--spare-port", type=int, default=18084)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    wait_ready(args.url, 60)
    started = time.monotonic()
    results: dict[str, Any] = {"steps": []}
    with (
        tempfile.TemporaryDirectory(prefix="e2e-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            device_scale_factor=1,
        )
        ui = Browser(context, args.url, args.out)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("log in", lambda: log_in(ui)),
            ("open the integration", lambda: open_integration(ui)),
            ("add a charger", lambda: add_charger(ui, args.spare_port)),
            ("see its entities", lambda: see_entities(ui)),
            ("open the dashboard", lambda: dashboard(ui)),
        ]
        try:
            for name, step in steps:
                step()
                results["steps"].append(name)
        except Exception as err:
            log(f"FAILED at {name!r}: {err}")
            try:
                ui.shot("failure")
            except Exception:
                log("no screenshot of the failure")
            context.close()
            return 1
        context.close()
    took = time.monotonic() - started
    (args.out / "result.json").write_text(
        json.dumps(results | {"seconds": round(took, 1)}, indent=2), encoding="utf-8"
    )
    log(f"took {took:.0f} s; screenshots in {args.out}")
    log(f"{len(steps)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
