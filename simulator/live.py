"""Serve a whole simulated site over HTTP, in real time or under a test's control.

Usage (pytest or a long-running development process)::

    site = Site(load_scenario("bench/scenarios/two_cars_dryer.yaml").site)
    async with LiveSite(site, speed=1.0) as live:
        host = live.hosts["wc1"]               # "127.0.0.1:41234"
        site.command_current("wc1", 16)        # the car follows after its latency

With ``speed=0`` time stands still until the test calls ``site.advance(s)``,
which makes Home Assistant tests deterministic. With ``speed > 0`` a task
steps the site ``speed`` times faster than the wall clock and stops by itself
when the scenario's duration has passed.
"""

import asyncio
import contextlib
from typing import Self

from simulator.site import Site
from simulator.wall_connector.server import WallConnectorServer


class LiveSite:
    """One HTTP server per Wall Connector of ``site`` plus an optional clock task."""

    def __init__(
        self,
        site: Site,
        *,
        speed: float = 1.0,
        tick_s: float = 1.0,
        timeout_hold_s: float = 5.0,
    ) -> None:
        """Prepare servers for every charger; nothing listens until started."""
        if speed < 0:
            msg = "speed must be >= 0"
            raise ValueError(msg)
        self.site = site
        self.speed = speed
        self.tick_s = tick_s
        self.servers = {
            charger_id: WallConnectorServer(
                site, charger_id, timeout_hold_s=timeout_hold_s
            )
            for charger_id in site.chargers
        }
        self._task: asyncio.Task[None] | None = None

    @property
    def hosts(self) -> dict[str, str]:
        """``ip:port`` of each charger's server, by charger id."""
        return {charger_id: server.host for charger_id, server in self.servers.items()}

    async def start(self) -> None:
        """Start every server and, when ``speed > 0``, the clock."""
        for server in self.servers.values():
            await server.start()
        if self.speed > 0:
            self._task = asyncio.create_task(self._run_clock())

    async def stop(self) -> None:
        """Stop the clock and every server."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for server in self.servers.values():
            await server.stop()

    async def _run_clock(self) -> None:
        # Bounded: the loop ends when the scenario's duration has passed.
        while not self.site.done:
            await asyncio.sleep(self.tick_s / self.speed)
            self.site.advance(self.tick_s)

    async def __aenter__(self) -> Self:
        """Start serving."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop serving."""
        await self.stop()
