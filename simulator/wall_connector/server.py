"""The local API of one simulated Wall Connector over HTTP on 127.0.0.1.

Real endpoints: ``GET /api/1/{vitals,lifetime,version,wifi_status}``, with the
unit's faults (timeout, HTTP 500, reboot/unreachable = connection dropped)
and quirks. Simulator-only endpoints under ``/sim/`` let a test or a
development Home Assistant see and drive the vehicle and inject faults:

- ``GET  /sim/state``                    unit, vehicle and fault as JSON
- ``POST /sim/vehicle/charge_current``   ``{"amps": 16}``
- ``POST /sim/vehicle/charging``         ``{"on": false}``
- ``POST /sim/fault``                    ``{"kind": "timeout", "duration_s": 30}``
- ``DELETE /sim/fault``                  clear injected faults
"""

import asyncio
import socket
from typing import Any, Self

from aiohttp import web

from simulator.site import Site
from simulator.wall_connector.endpoints import ENDPOINTS, render_endpoint
from simulator.wall_connector.faults import FaultKind
from simulator.wall_connector.model import WallConnector

HOST = "127.0.0.1"


class WallConnectorServer:
    """Serves one unit of a site; start with ``async with`` or ``start()``."""

    def __init__(
        self,
        site: Site,
        charger_id: str,
        *,
        port: int = 0,
        timeout_hold_s: float = 5.0,
    ) -> None:
        """Prepare to serve ``charger_id``; ``port=0`` picks a free port.

        During a TIMEOUT fault a request is held ``timeout_hold_s`` real seconds
        (longer than the client's timeout) and then dropped.
        """
        self.site = site
        self.unit: WallConnector = site.chargers[charger_id]
        self.charger_id = charger_id
        self._requested_port = port
        self._timeout_hold_s = timeout_hold_s
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def host(self) -> str:
        """``ip:port``, what ``WallConnector(host, ...)`` and the config flow take."""
        return f"{HOST}:{self.port}"

    def app(self) -> web.Application:
        """Build the aiohttp application (also usable with aiohttp's test client)."""
        app = web.Application()
        app.router.add_get("/api/1/{endpoint}", self._api)
        app.router.add_get("/sim/state", self._state)
        app.router.add_post("/sim/vehicle/charge_current", self._charge_current)
        app.router.add_post("/sim/vehicle/charging", self._charging)
        app.router.add_post("/sim/fault", self._inject_fault)
        app.router.add_delete("/sim/fault", self._clear_faults)
        return app

    async def start(self) -> None:
        """Bind and start serving."""
        self._runner = web.AppRunner(
            self.app(), handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        # Bind the socket ourselves so port 0 tells us which port it got.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self._requested_port))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop serving and release the port."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start serving."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop serving."""
        await self.stop()

    async def _api(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        if endpoint not in ENDPOINTS:
            raise web.HTTPNotFound
        fault = self.unit.fault_at(self.site.now)
        if fault is FaultKind.TIMEOUT:
            await asyncio.sleep(self._timeout_hold_s)
            _drop(request)
        if fault in (FaultKind.UNREACHABLE, FaultKind.REBOOT):
            _drop(request)
        if fault is FaultKind.HTTP_500:
            return web.Response(status=500, text="Internal Server Error")
        body = render_endpoint(self.unit, endpoint, self.site.now)
        return web.Response(text=body, content_type="application/json")

    async def _state(self, _request: web.Request) -> web.Response:
        vehicle = self.site.vehicle_at(self.charger_id)
        state: dict[str, Any] = {
            "charger": self.charger_id,
            "now_s": self.site.now,
            "max_current_a": self.unit.max_current_a,
            "current_a": self.unit.current_a,
            "fault": self.unit.fault_at(self.site.now),
            "vehicle": None,
        }
        if vehicle is not None:
            state["vehicle"] = {
                "name": vehicle.spec.name,
                "plugged_in": vehicle.plugged_in(self.site.now),
                "soc_pct": round(vehicle.soc_pct, 2),
                "target_soc_pct": vehicle.spec.target_soc_pct,
                "charge_current_a": vehicle.setpoint_a,
                "charging": vehicle.charging_enabled,
                "current_a": vehicle.current_a,
                "commands": vehicle.commands_sent,
            }
        return web.json_response(state)

    async def _charge_current(self, request: web.Request) -> web.Response:
        amps = int((await request.json())["amps"])
        return _command_result(self.site.command_current(self.charger_id, amps))

    async def _charging(self, request: web.Request) -> web.Response:
        on = bool((await request.json())["on"])
        return _command_result(self.site.command_charging(self.charger_id, on))

    async def _inject_fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        kind = FaultKind(body["kind"])
        self.unit.inject_fault(
            kind, self.site.now, float(body.get("duration_s", 3600.0))
        )
        return web.json_response({"fault": kind})

    async def _clear_faults(self, _request: web.Request) -> web.Response:
        self.unit.clear_faults()
        return web.json_response({"fault": None})


def _drop(request: web.Request) -> None:
    """Cut the connection without answering, as an unreachable unit does."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError


def _command_result(delivered: bool) -> web.Response:
    if not delivered:
        return web.json_response({"error": "no vehicle at this charger"}, status=409)
    return web.json_response({"ok": True})
