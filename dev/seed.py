"""First-start seeding of the development Home Assistant, through its own APIs.

Run by ``scripts/develop`` next to Home Assistant. It waits for the server,
finishes onboarding with the development user (or logs in with it), then
creates the site entry and one charger subentry per simulated Wall Connector
through the integration's config flows, exactly as the UI would. Every step is
skipped when already done, so a second start changes nothing. A flow that
gains fields keeps working: each form is answered with the values below that
its schema asks for.

Writes ``<config>/.dev-ready`` (``ok`` or ``failed: ...``) when done.
"""

import argparse
import asyncio
from collections.abc import Mapping
import json
import os
from pathlib import Path
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
import yaml

USERNAME = "dev"
PASSWORD = "dev"  # noqa: S105 (the documented development login)
NAME = "Developer"
DOMAIN = "tesla_power_mgmt"
SITE_YAML = Path(__file__).with_name("sim_site") / "site.yaml"
# Units seeded on first start; the site's other units are left to add in the UI.
SEEDED = ("garage", "driveway", "carport")
# Integrations the onboarding wizard starts that need the internet.
ONBOARDING_EXTRAS = ("met", "radio_browser", "google_translate", "shopping_list")

SITE = {"name": "Home", "region": "nec", "supply": "single_phase", "voltage": 240}
# Site options: today's scan interval, then what live power management adds
# (a key the options flow does not ask for is simply not sent).
OPTIONS: dict[str, Any] = {
    "scan_interval": 5,
    # A single/split-phase site takes one current: the meter's higher leg.
    "phase_current_entities": ["sensor.sim_meter_current"],
    "panel_limit": 100,
    "safety_margin": 4,
    "network_limit": 80,
    "battery_level_entity": "sensor.sim_powerwall_charge",
    "grid_status_entity": "binary_sensor.sim_powerwall_grid_status",
    "solar_power_entity": "sensor.sim_powerwall_solar_power",
    "home_load_entity": "sensor.sim_powerwall_load_power",
    "discharge_capability": 5,
    "powerwall_units": 1,
    "charging_threshold": 30,
}
# Only when the flow cannot take per-phase currents.
GRID_POWER = {"grid_power_entity": "sensor.sim_meter_grid_power"}


def say(text: str) -> None:
    """Print one line of progress."""
    print(f"develop: {text}", flush=True)


class SeedError(Exception):
    """Seeding cannot go on."""


PARENT = os.getppid()


def pause(deadline: float, what: str) -> None:
    """Wait a second, unless time is up or Home Assistant (our parent) is gone."""
    if os.getppid() != PARENT:
        msg = "Home Assistant stopped"
        raise SeedError(msg)
    if time.monotonic() > deadline:
        msg = f"{what} did not answer in time"
        raise SeedError(msg)
    time.sleep(1)


class Api:
    """A tiny JSON client for Home Assistant's HTTP API."""

    def __init__(self, url: str) -> None:
        """Talk to ``url`` (``http://127.0.0.1:8123``)."""
        self.url = url.rstrip("/")
        self.client_id = f"{self.url}/"
        self.token: str | None = None

    def call(
        self, method: str, path: str, body: Any = None, *, form: bool = False
    ) -> Any:
        """Send a request; return the decoded JSON (None when empty)."""
        headers = {}
        data = None
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (http on 127.0.0.1)
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:300]
            msg = f"{method} {path}: HTTP {err.code} {detail}"
            raise SeedError(msg) from err
        return json.loads(text) if text else None

    def wait_until_up(self, deadline: float) -> set[str] | None:
        """Wait for the HTTP server; return the onboarding steps done (None: all)."""
        while True:
            try:
                steps: list[dict[str, Any]] = self.call("GET", "/api/onboarding")
            except SeedError as err:
                if "HTTP 404" in str(err):  # onboarded: the view is gone
                    return None
            except OSError:
                pass
            else:
                return {step["step"] for step in steps if step["done"]}
            pause(deadline, f"Home Assistant on {self.url}")

    def exchange(self, code: str) -> None:
        """Trade an authorization code for an access token."""
        tokens = self.call(
            "POST",
            "/auth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
            form=True,
        )
        self.token = tokens["access_token"]

    def login(self) -> None:
        """Log in as the development user through the login flow."""
        flow = self.call(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = self.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": USERNAME, "password": PASSWORD},
        )
        if result.get("type") != "create_entry":
            msg = f"cannot log in as {USERNAME!r}: {result.get('errors')}"
            raise SeedError(msg)
        self.exchange(result["result"])


def onboard(api: Api, done: set[str] | None) -> None:
    """Create the development user and finish onboarding, or log in."""
    if done is None:
        api.login()
        return
    if "user" not in done:
        result = api.call(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": api.client_id,
                "name": NAME,
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        )
        api.exchange(result["auth_code"])
        say(f"created the development user {USERNAME!r}")
    else:
        api.login()
    if "core_config" not in done:
        api.call("POST", "/api/onboarding/core_config", {})
    if "analytics" not in done:
        api.call("POST", "/api/onboarding/analytics", {})
    if "integration" not in done:
        api.call(
            "POST",
            "/api/onboarding/integration",
            {"client_id": api.client_id, "redirect_uri": api.client_id},
        )
    if len(done) < 4:
        remove_onboarding_extras(api)
        say("onboarding done")


def remove_onboarding_extras(api: Api) -> None:
    """Remove entries the onboarding wizard adds that need the internet."""
    time.sleep(2)  # they are created in the background
    for entry in api.call("GET", "/api/config/config_entries/entry"):
        if entry["domain"] in ONBOARDING_EXTRAS:
            api.call("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")


async def _confirm_http(url: str, token: str) -> str | None:
    """Promote a pending HTTP configuration; return what was confirmed."""
    ws_url = url.replace("http://", "ws://", 1) + "/api/websocket"
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.receive_json()).get("type") != "auth_ok":
            msg = "the websocket API refused the token"
            raise SeedError(msg)
        await ws.send_json({"id": 1, "type": "http/config"})
        config = (await ws.receive_json()).get("result") or {}
        pending = config.get("pending")
        if config.get("active_config_type") != "pending" or not pending:
            return None
        await ws.send_json({"id": 2, "type": "http/config/promote"})
        result = await ws.receive_json()
        if not result.get("success"):
            msg = f"cannot confirm the HTTP settings: {result.get('error')}"
            raise SeedError(msg)
        hosts = ",".join(pending.get("server_host") or ["*"])
        return f"{hosts}:{pending.get('server_port')}"


def confirm_http(api: Api) -> None:
    """Keep the HTTP settings of configuration.yaml.

    Home Assistant 2026.10 moves ``http:`` from YAML to its storage on the
    first start as an unconfirmed trial that reverts (and restarts) after five
    minutes unless confirmed, as the UI's dialog would.
    """
    assert api.token is not None
    if confirmed := asyncio.run(_confirm_http(api.url, api.token)):
        say(f"confirmed the HTTP settings ({confirmed})")


def answer(form: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Fill a form's fields from ``values``; fail on a required field we lack."""
    filled: dict[str, Any] = {}
    for field in form.get("data_schema") or ():
        name = field["name"]
        if name in values:
            filled[name] = values[name]
        elif field.get("required") and "default" not in field:
            msg = (
                f"step {form['step_id']!r} asks for {name!r}, which dev/seed.py "
                "does not know yet: add it there"
            )
            raise SeedError(msg)
    return filled


def run_flow(
    api: Api, base: str, start: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Run a flow to its end, answering each form from ``values``."""
    result: dict[str, Any] = api.call("POST", base, start)
    for _ in range(10):
        if result.get("type") != "form":
            return result
        if result.get("errors"):
            api.call("DELETE", f"{base}/{result['flow_id']}")
            msg = f"{base} step {result['step_id']!r}: {result['errors']}"
            raise SeedError(msg)
        result = api.call("POST", f"{base}/{result['flow_id']}", answer(result, values))
    msg = f"{base}: too many steps"
    raise SeedError(msg)


def site_entry(api: Api) -> str:
    """Return the site entry's id, creating the site on first start."""
    entries = [
        e
        for e in api.call("GET", "/api/config/config_entries/entry")
        if e["domain"] == DOMAIN
    ]
    if entries:
        return str(entries[0]["entry_id"])
    result = run_flow(api, "/api/config/config_entries/flow", {"handler": DOMAIN}, SITE)
    if result.get("type") != "create_entry":
        msg = f"the site flow ended with {result}"
        raise SeedError(msg)
    say(f"created the site {SITE['name']!r}")
    return str(result["result"]["entry_id"])


def _has_value(field: Mapping[str, Any]) -> bool:
    """Whether a form field already shows a value the user set."""
    suggested = (field.get("description") or {}).get("suggested_value")
    return suggested not in (None, "", [])


def _options_page(api: Api, entry_id: str, page: str | None) -> list[str]:
    """Fill one options page (or the only form) if it lacks values we know.

    Returns the keys set. A page whose known fields all have values already is
    left as the user left it.
    """
    base = "/api/config/config_entries/options/flow"
    form = api.call("POST", base, {"handler": entry_id})
    if page is not None and form.get("type") == "menu":
        form = api.call("POST", f"{base}/{form['flow_id']}", {"next_step_id": page})
    if form.get("type") != "form":
        return []
    fields = {f["name"]: f for f in form.get("data_schema") or ()}
    values = dict(OPTIONS)
    if "phase_current_entities" not in fields:
        values |= GRID_POWER
    known = [name for name in fields if name in values]
    unset = [
        name
        for name in known
        if not _has_value(fields[name]) and "default" not in fields[name]
    ]
    if not unset or any(_has_value(fields[name]) for name in known):
        api.call("DELETE", f"{base}/{form['flow_id']}")
        return []
    filled = {n: f["default"] for n, f in fields.items() if "default" in f}
    filled |= {
        n: (f.get("description") or {})["suggested_value"]
        for n, f in fields.items()
        if _has_value(f)
    }
    filled |= {name: values[name] for name in known if not _has_value(fields[name])}
    result = api.call("POST", f"{base}/{form['flow_id']}", answer(form, filled))
    if result.get("type") != "create_entry":
        msg = f"the options page {form['step_id']!r} ended with {result}"
        raise SeedError(msg)
    return known


def site_options(api: Api, entry_id: str) -> None:
    """Fill the options pages that ask for what we know and have no value yet."""
    form = api.call(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    api.call("DELETE", f"/api/config/config_entries/options/flow/{form['flow_id']}")
    pages = form.get("menu_options") if form.get("type") == "menu" else [None]
    if isinstance(pages, dict):
        pages = list(pages)
    for page in pages or ():
        if keys := _options_page(api, entry_id, page):
            say(f"set site options: {', '.join(keys)}")
            settle(api, entry_id)


def settle(api: Api, entry_id: str) -> None:
    """Wait for the site entry's reload after a change, as a person would."""
    time.sleep(0.5)
    for _ in range(60):
        entry = next(
            (
                e
                for e in api.call("GET", "/api/config/config_entries/entry")
                if e["entry_id"] == entry_id
            ),
            None,
        )
        if entry is None or entry["state"] not in (
            "not_loaded",
            "setup_in_progress",
            "unload_in_progress",
        ):
            return
        time.sleep(0.5)


def chargers(api: Api, entry_id: str, sim_port: int) -> None:
    """Add each seeded simulated Wall Connector as a charger subentry."""
    site = yaml.safe_load(SITE_YAML.read_text(encoding="utf-8"))
    cars = {v["charger"]: v["name"] for v in site.get("vehicles", ())}
    for index, charger in enumerate(site["chargers"]):
        if charger["id"] not in SEEDED:
            continue
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": sim_port + index,
            "name": charger["id"].title(),
            "breaker": charger["breaker_a"],
        }
        if car := cars.get(charger["id"]):
            slug = car.lower().replace(" ", "_")
            values["charge_current_entity"] = f"number.{slug}_charge_current"
            values["charge_switch_entity"] = f"switch.{slug}_charge"
        result = run_flow(
            api,
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, "charger"]},
            values,
        )
        if result.get("type") == "create_entry":
            say(f"added the charger {values['name']!r} on 127.0.0.1:{values['port']}")
            settle(api, entry_id)
        elif result.get("reason") != "already_configured":
            msg = f"adding {values['name']!r} ended with {result}"
            raise SeedError(msg)


def wait_until_running(api: Api, deadline: float) -> None:
    """Wait until Home Assistant has finished starting."""
    while api.call("GET", "/api/config").get("state") != "RUNNING":
        pause(deadline, "Home Assistant's start")


def wait_for_simulator(sim_port: int, deadline: float) -> None:
    """Wait until the first simulated Wall Connector answers."""
    url = f"http://127.0.0.1:{sim_port}/api/1/version"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            pause(deadline, f"The simulated site on {url}")


def main() -> int:
    """Seed, then write the ready file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--sim-port", type=int, default=18081)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    ready = args.config / ".dev-ready"
    api = Api(args.url)
    deadline = time.monotonic() + args.timeout
    try:
        onboard(api, api.wait_until_up(deadline))
        confirm_http(api)
        wait_for_simulator(args.sim_port, deadline)
        entry_id = site_entry(api)
        chargers(api, entry_id, args.sim_port)
        site_options(api, entry_id)  # the group's limit needs the chargers
        wait_until_running(api, deadline)
    except SeedError as err:
        ready.write_text(f"failed: {err}\n", encoding="utf-8")
        say(f"seeding failed: {err}")
        return 1
    ready.write_text("ok\n", encoding="utf-8")
    say(
        f"ready: {args.url} (user {USERNAME!r}, password {PASSWORD!r}); "
        "Ctrl-C stops Home Assistant"
    )
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
