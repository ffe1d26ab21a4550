"""Read a Gen 3 Wall Connector's local API into typed, tolerant snapshots.

The `tesla-wall-connector` library does the HTTP and repairs the firmware's JSON
bugs (bare ``nan``, a missing closing brace). Its data objects raise ``KeyError``
for fields that older or newer firmware leaves out, so the raw payloads are
parsed here instead: a missing, ``null`` (from ``nan``) or mistyped field
becomes ``None`` and the entity that shows it reads "unknown".
"""

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
import math
import re
from typing import Any

from aiohttp import ClientResponseError, ClientSession
from tesla_wall_connector import WallConnector
from tesla_wall_connector.exceptions import (
    WallConnectorConnectionError,
    WallConnectorDecodeError,
)

from .const import DEFAULT_PORT

type Payload = Mapping[str, Any]

# RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*",
    re.IGNORECASE,
)


class WallConnectorUnavailableError(Exception):
    """The unit did not answer, or answered with something unusable."""


class NotAWallConnectorError(WallConnectorUnavailableError):
    """The host answered, but not with the Wall Connector API."""


def normalize_host(value: str) -> str | None:
    """Return the host as an IP address or host name, or None if it is not one.

    A scheme, path, port, user info or whitespace is refused rather than
    stripped, so what is stored is exactly what is contacted.
    """
    host = value.strip().lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    return host if _HOSTNAME.fullmatch(host) else None


def base_address(host: str, port: int = DEFAULT_PORT) -> str:
    """Return ``host[:port]`` as the library puts it into ``http://{host}/``."""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if port == DEFAULT_PORT else f"{host}:{port}"


def _number(payload: Payload, key: str) -> float | None:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def _integer(payload: Payload, key: str) -> int | None:
    value = _number(payload, key)
    return None if value is None else int(value)


def _flag(payload: Payload, key: str) -> bool | None:
    value = payload.get(key)
    return value if isinstance(value, bool) else None


def _text(payload: Payload, key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Identity:
    """What `/api/1/version` says about a unit."""

    serial_number: str
    part_number: str | None
    firmware_version: str | None

    @classmethod
    def from_payload(cls, payload: Payload) -> Identity:
        """Parse a version payload; raise if it is not a Wall Connector's."""
        serial = _text(payload, "serial_number")
        if serial is None:
            raise NotAWallConnectorError("version payload has no serial_number")
        return cls(
            serial_number=serial,
            part_number=_text(payload, "part_number"),
            firmware_version=_text(payload, "firmware_version"),
        )


@dataclass(frozen=True, slots=True)
class Vitals:
    """What `/api/1/vitals` says, one poll."""

    contactor_closed: bool | None
    vehicle_connected: bool | None
    session_s: int | None
    grid_v: float | None
    grid_hz: float | None
    vehicle_current_a: float | None
    phase_current_a: tuple[float | None, float | None, float | None]
    phase_voltage_v: tuple[float | None, float | None, float | None]
    pcba_temp_c: float | None
    handle_temp_c: float | None
    mcu_temp_c: float | None
    uptime_s: int | None
    session_energy_wh: float | None
    evse_state: int | None
    current_alerts: tuple[int | str, ...]

    @classmethod
    def from_payload(cls, payload: Payload) -> Vitals:
        """Parse a vitals payload."""
        alerts = payload.get("current_alerts")
        return cls(
            contactor_closed=_flag(payload, "contactor_closed"),
            vehicle_connected=_flag(payload, "vehicle_connected"),
            session_s=_integer(payload, "session_s"),
            grid_v=_number(payload, "grid_v"),
            grid_hz=_number(payload, "grid_hz"),
            vehicle_current_a=_number(payload, "vehicle_current_a"),
            phase_current_a=(
                _number(payload, "currentA_a"),
                _number(payload, "currentB_a"),
                _number(payload, "currentC_a"),
            ),
            phase_voltage_v=(
                _number(payload, "voltageA_v"),
                _number(payload, "voltageB_v"),
                _number(payload, "voltageC_v"),
            ),
            pcba_temp_c=_number(payload, "pcba_temp_c"),
            handle_temp_c=_number(payload, "handle_temp_c"),
            mcu_temp_c=_number(payload, "mcu_temp_c"),
            uptime_s=_integer(payload, "uptime_s"),
            session_energy_wh=_number(payload, "session_energy_wh"),
            evse_state=_integer(payload, "evse_state"),
            current_alerts=tuple(alerts) if isinstance(alerts, list) else (),
        )

    def power_w(self, *, three_phase: bool) -> float | None:
        """Return the power delivered to the vehicle.

        Split-phase units report odd per-leg currents (real captures show the
        whole current on leg B, or different currents on all three), so there
        the total is grid voltage times vehicle current. Three-phase units
        report each phase properly.
        """
        if not three_phase:
            if self.grid_v is None or self.vehicle_current_a is None:
                return None
            return round(self.grid_v * self.vehicle_current_a, 1)
        total = 0.0
        for voltage, current in zip(
            self.phase_voltage_v, self.phase_current_a, strict=True
        ):
            if voltage is None or current is None:
                return None
            total += voltage * current
        return round(total, 1)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """What `/api/1/lifetime` says."""

    energy_wh: float | None
    contactor_cycles: int | None
    charge_starts: int | None
    thermal_foldbacks: int | None
    alert_count: int | None
    uptime_s: int | None
    charging_time_s: int | None

    @classmethod
    def from_payload(cls, payload: Payload) -> Lifetime:
        """Parse a lifetime payload."""
        return cls(
            energy_wh=_number(payload, "energy_wh"),
            contactor_cycles=_integer(payload, "contactor_cycles"),
            charge_starts=_integer(payload, "charge_starts"),
            thermal_foldbacks=_integer(payload, "thermal_foldbacks"),
            alert_count=_integer(payload, "alert_count"),
            uptime_s=_integer(payload, "uptime_s"),
            charging_time_s=_integer(payload, "charging_time_s"),
        )


@dataclass(frozen=True, slots=True)
class WifiStatus:
    """What `/api/1/wifi_status` says."""

    signal_strength: int | None
    rssi: int | None
    snr: int | None
    connected: bool | None
    internet: bool | None

    @classmethod
    def from_payload(cls, payload: Payload) -> WifiStatus:
        """Parse a wifi_status payload (SSID, IP and MAC are not kept)."""
        return cls(
            signal_strength=_integer(payload, "wifi_signal_strength"),
            rssi=_integer(payload, "wifi_rssi"),
            snr=_integer(payload, "wifi_snr"),
            connected=_flag(payload, "wifi_connected"),
            internet=_flag(payload, "internet"),
        )


class WallConnectorClient:
    """One unit's local API, as raw payloads checked to be JSON objects."""

    def __init__(
        self, host: str, session: ClientSession, port: int = DEFAULT_PORT
    ) -> None:
        """Create a client on Home Assistant's shared session."""
        self.host = host
        self._api = WallConnector(host=base_address(host, port), session=session)

    async def _payload(self, endpoint: str) -> Payload:
        try:
            payload = await self._api.api.async_request(endpoint)
        except WallConnectorConnectionError as err:
            # A 4xx status means something answered that is not a Wall
            # Connector; a 5xx or no answer is a unit in trouble or offline.
            cause = err.__cause__
            if isinstance(cause, ClientResponseError) and cause.status < 500:
                raise NotAWallConnectorError(str(err)) from err
            raise WallConnectorUnavailableError(str(err)) from err
        except WallConnectorDecodeError as err:
            raise NotAWallConnectorError(str(err)) from err
        if not isinstance(payload, Mapping):
            raise NotAWallConnectorError(f"{endpoint} is not a JSON object")
        return payload

    async def identity(self) -> Identity:
        """Read the unit's serial number, part number and firmware."""
        return Identity.from_payload(await self._payload("version"))

    async def vitals(self) -> tuple[Vitals, Payload]:
        """Read vitals, parsed and raw (the raw payload is for diagnostics)."""
        payload = await self._payload("vitals")
        return Vitals.from_payload(payload), payload

    async def lifetime(self) -> tuple[Lifetime, Payload]:
        """Read lifetime counters, parsed and raw."""
        payload = await self._payload("lifetime")
        return Lifetime.from_payload(payload), payload

    async def wifi_status(self) -> tuple[WifiStatus, Payload]:
        """Read Wi-Fi status, parsed and raw."""
        payload = await self._payload("wifi_status")
        return WifiStatus.from_payload(payload), payload
