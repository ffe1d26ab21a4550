"""Runs the simulated site inside Home Assistant: clock, HTTP servers, saving."""

import asyncio
from collections.abc import Callable
import contextlib
from datetime import datetime
from pathlib import Path
import time
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from simulator import WallConnectorServer

from .const import DOMAIN, LOGGER, MAX_CATCH_UP_S, MAX_SPEED, SAVE_DELAY_S, TICK_S
from .devsite import DevSite, parse_start

STORAGE_VERSION = 1


def _wall_clock_s(now: datetime) -> float:
    return now.hour * 3600.0 + now.minute * 60.0 + now.second


class SimRuntime:
    """One simulated site: its Wall Connector servers and the clock that steps it."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        speed: float,
        start: str,
        port: int,
        site_file: Path,
    ) -> None:
        """Prepare; nothing runs until ``async_start``."""
        self.hass = hass
        self.speed = min(max(speed, 0.0), MAX_SPEED)
        self._start = start
        self._port = port
        self._site_file = site_file
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.state"
        )
        self.site: DevSite | None = None
        self.servers: dict[str, WallConnectorServer] = {}
        self._listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def hosts(self) -> dict[str, str]:
        """``127.0.0.1:port`` of each simulated Wall Connector."""
        return {cid: server.host for cid, server in self.servers.items()}

    async def async_start(self) -> None:
        """Build the site (restoring saved state), serve it, start the clock."""
        saved = await self._store.async_load() or {}
        start_clock = parse_start(
            self._start, saved.get("clock_s"), _wall_clock_s(dt_util.now())
        )
        site = await self.hass.async_add_executor_job(
            lambda: DevSite.from_yaml(self._site_file, start_clock_s=start_clock)
        )
        site.restore_state(saved)
        site.step()  # a first meter reading and a defined state everywhere
        self.site = site
        for index, charger_id in enumerate(site.chargers):
            port = self._port + index if self._port else 0
            server = WallConnectorServer(site, charger_id, port=port)
            try:
                await server.start()
            except OSError as err:
                await self.async_stop()
                msg = (
                    f"cannot serve simulated Wall Connector {charger_id} on "
                    f"127.0.0.1:{self._port + index}: {err} (another Home "
                    "Assistant still running? set SIM_PORT)"
                )
                raise RuntimeError(msg) from err
            self.servers[charger_id] = server
        LOGGER.info(
            "Simulated site at %s, speed x%s, Wall Connectors: %s",
            site.time_of_day,
            self.speed,
            ", ".join(f"{c} {h}" for c, h in self.hosts.items()),
        )
        self._task = self.hass.async_create_background_task(
            self._run(), f"{DOMAIN} clock"
        )

    async def async_stop(self) -> None:
        """Stop the clock and the servers, and save the site's state."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for server in self.servers.values():
            await server.stop()
        self.servers.clear()
        if self.site is not None:
            await self._store.async_save(self.site.snapshot_state())

    async def _run(self) -> None:
        """Step the site ``speed`` times faster than real time, forever."""
        last = time.monotonic()
        debt_s = 0.0
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            debt_s = min(debt_s + (now - last) * self.speed, MAX_CATCH_UP_S)
            last = now
            assert self.site is not None
            step_s = self.site.spec.step_s
            while debt_s >= step_s:
                self.site.step()
                debt_s -= step_s
            self._store.async_delay_save(self.site.snapshot_state, SAVE_DELAY_S)
            self.async_update_listeners()

    # Listeners ---------------------------------------------------------------

    @callback
    def async_add_listener(self, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``update`` after every tick; return a function that stops it."""
        self._listeners.append(update)

        @callback
        def remove() -> None:
            self._listeners.remove(update)

        return remove

    @callback
    def async_update_listeners(self) -> None:
        """Tell every entity the site moved."""
        for update in list(self._listeners):
            update()
