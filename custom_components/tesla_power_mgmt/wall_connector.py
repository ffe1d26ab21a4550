"""Read a Gen 3 Wall Connector's local API into checked snapshots.

The `tesla-wall-connector` library does the HTTP and repairs the firmware's JSON
bugs (bare ``nan``, a missing closing brace); the payloads are checked here. A
vitals payload is trusted only when every value the engine uses is a finite
number in its physical range and the state code is known: otherwise the unit
is unreadable, which the integration treats exactly as unreachable.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
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


# Physical ranges of what a Gen 3 unit reports; outside them a value is a fault.
# Phase voltages read a few volts behind an open contactor; the firmware writes
# 255 °C for a temperature sensor it cannot read.
GRID_V = (80.0, 300.0)
PHASE_V = (0.0, 300.0)
GRID_HZ = (40.0, 70.0)
TEMPERATURE_C = (-40.0, 125.0)
# A current is trusted up to twice the unit's nameplate: a draw above the unit's
# maximum is still counted as it is (counting it reserves more, never less);
# beyond that it is not a measurement.
CURRENT_TOLERANCE_FACTOR = 2.0
# Idle units read 0.3-0.6 A with the contactor open: that is not a vehicle's draw.
IDLE_NOISE_A = 1.0

# evse_state codes as the firmware reports them (translation keys of the state
# sensor). 7 is a step on plug-in (7, 9, 11 on real units), not a fault. A code
# not listed makes the reading untrusted.
EVSE_STATES: Mapping[int, str] = {
    0: "booting",
    1: "not_connected",
    2: "connected",
    3: "preparing",
    4: "ready",
    6: "negotiating",
    7: "starting",
    8: "charging_finished",
    9: "waiting_car",
    10: "charging_reduced",
    11: "charging",
}


class UnreadableError(WallConnectorUnavailableError):
    """The unit answered, but not with values that can be trusted."""

    def __init__(self, message: str, payload: Payload | None = None) -> None:
        """Keep what was received, for diagnostics."""
        super().__init__(message)
        self.payload = payload


class WrongUnitError(UnreadableError):
    """Another Wall Connector answers at the configured address."""

    def __init__(self, expected: str, found: str) -> None:
        """Name both serial numbers."""
        super().__init__(f"serial number {found} answers instead of {expected}")
        self.expected = expected
        self.found = found


def _number(
    payload: Payload, key: str, low: float = -math.inf, high: float = math.inf
) -> float | None:
    """Return a finite number within [low, high], or None (``-0.0`` reads 0.0)."""
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number + 0.0 if math.isfinite(number) and low <= number <= high else None


def _integer(
    payload: Payload, key: str, low: float = 0.0, high: float = math.inf
) -> int | None:
    value = _number(payload, key, low, high)
    return int(value) if value is not None and value.is_integer() else None


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


_CURRENTS = ("vehicle_current_a", "currentA_a", "currentB_a", "currentC_a")


def _trusted_vitals(payload: Payload, nameplate_a: float) -> dict[str, Any]:
    """Return the values the engine uses, or raise naming the ones not valid."""
    state = _integer(payload, "evse_state")
    values: dict[str, Any] = {
        "contactor_closed": _flag(payload, "contactor_closed"),
        "vehicle_connected": _flag(payload, "vehicle_connected"),
        "evse_state": state if state in EVSE_STATES else None,
        "grid_v": _number(payload, "grid_v", *GRID_V),
    }
    high_a = nameplate_a * CURRENT_TOLERANCE_FACTOR
    values.update({key: _number(payload, key, 0.0, high_a) for key in _CURRENTS})
    if bad := sorted(key for key, value in values.items() if value is None):
        msg = f"vitals without a valid {', '.join(bad)}"
        raise UnreadableError(msg, payload)
    if not values["contactor_closed"]:
        for key in _CURRENTS:
            if values[key] <= IDLE_NOISE_A:
                values[key] = 0.0
    return values


@dataclass(frozen=True, slots=True)
class Vitals:
    """What `/api/1/vitals` says, one poll, every value the engine uses trusted.

    Currents are the vehicle's draw: with the contactor open, idle noise reads 0.
    Optional values outside their range read None.
    """

    contactor_closed: bool
    vehicle_connected: bool
    evse_state: int
    vehicle_current_a: float
    phase_current_a: tuple[float, float, float]
    grid_v: float
    phase_voltage_v: tuple[float | None, float | None, float | None]
    grid_hz: float | None = None
    session_s: int | None = None
    pcba_temp_c: float | None = None
    handle_temp_c: float | None = None
    mcu_temp_c: float | None = None
    uptime_s: int | None = None
    session_energy_wh: float | None = None
    current_alerts: tuple[int | str, ...] = ()

    @classmethod
    def from_payload(cls, payload: Payload, nameplate_a: float) -> Vitals:
        """Check a vitals payload; raise `UnreadableError` naming what is wrong."""
        trusted = _trusted_vitals(payload, nameplate_a)
        alerts = payload.get("current_alerts")
        return cls(
            contactor_closed=trusted["contactor_closed"],
            vehicle_connected=trusted["vehicle_connected"],
            evse_state=trusted["evse_state"],
            vehicle_current_a=trusted["vehicle_current_a"],
            phase_current_a=(
                trusted["currentA_a"],
                trusted["currentB_a"],
                trusted["currentC_a"],
            ),
            grid_v=trusted["grid_v"],
            phase_voltage_v=(
                _number(payload, "voltageA_v", *PHASE_V),
                _number(payload, "voltageB_v", *PHASE_V),
                _number(payload, "voltageC_v", *PHASE_V),
            ),
            grid_hz=_number(payload, "grid_hz", *GRID_HZ),
            session_s=_integer(payload, "session_s"),
            pcba_temp_c=_number(payload, "pcba_temp_c", *TEMPERATURE_C),
            handle_temp_c=_number(payload, "handle_temp_c", *TEMPERATURE_C),
            mcu_temp_c=_number(payload, "mcu_temp_c", *TEMPERATURE_C),
            uptime_s=_integer(payload, "uptime_s"),
            session_energy_wh=_number(payload, "session_energy_wh", 0.0),
            current_alerts=tuple(
                alert for alert in alerts if isinstance(alert, int | str)
            )
            if isinstance(alerts, list)
            else (),
        )

    def power_w(self, *, three_phase: bool) -> float | None:
        """Return the power delivered to the vehicle (0 W with nothing drawn).

        Split-phase units report odd per-leg currents (real captures show the
        whole current on leg B, or different currents on all three), so there
        the total is grid voltage times vehicle current. Three-phase units
        report each phase properly.
        """
        if not three_phase:
            return round(self.grid_v * self.vehicle_current_a, 1)
        total = 0.0
        for voltage, current in zip(
            self.phase_voltage_v, self.phase_current_a, strict=True
        ):
            if current == 0.0:
                continue
            if voltage is None:
                return None
            total += voltage * current
        return round(total, 1)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """What `/api/1/lifetime` says: counters that never go backwards."""

    energy_wh: float | None
    contactor_cycles: int | None
    charge_starts: int | None
    thermal_foldbacks: int | None
    alert_count: int | None
    uptime_s: int | None
    charging_time_s: int | None

    @classmethod
    def from_payload(cls, payload: Payload) -> Lifetime:
        """Parse a lifetime payload; a value that is not a count reads None."""
        return cls(
            energy_wh=_number(payload, "energy_wh", 0.0),
            contactor_cycles=_integer(payload, "contactor_cycles"),
            charge_starts=_integer(payload, "charge_starts"),
            thermal_foldbacks=_integer(payload, "thermal_foldbacks"),
            alert_count=_integer(payload, "alert_count"),
            uptime_s=_integer(payload, "uptime_s"),
            charging_time_s=_integer(payload, "charging_time_s"),
        )

    def checked_against(self, highest: Lifetime | None) -> tuple[Lifetime, list[str]]:
        """Return this reading with counters below ``highest`` as None, and which."""
        if highest is None:
            return self, []
        behind = [
            name
            for name in _names(self)
            if (value := getattr(self, name)) is not None
            and (top := getattr(highest, name)) is not None
            and value < top
        ]
        return replace(self, **dict.fromkeys(behind)), behind

    def highest(self, previous: Lifetime | None) -> Lifetime:
        """Return the highest value of each counter seen, this reading included."""
        if previous is None:
            return self
        return Lifetime(
            **{
                name: max(
                    (
                        v
                        for v in (getattr(self, name), getattr(previous, name))
                        if v is not None
                    ),
                    default=None,
                )
                for name in _names(self)
            }
        )


def _names(value: Lifetime) -> list[str]:
    return [field.name for field in fields(value)]


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
            signal_strength=_integer(payload, "wifi_signal_strength", 0, 100),
            rssi=_integer(payload, "wifi_rssi", -150, 0),
            snr=_integer(payload, "wifi_snr", -50, 150),
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
        except (ValueError, RecursionError) as err:
            # What the library lets through: invalid UTF-8, integers longer
            # than Python converts, nesting deeper than json recurses.
            raise NotAWallConnectorError(
                f"{endpoint} cannot be decoded: {type(err).__name__}"
            ) from err
        if not isinstance(payload, Mapping):
            raise NotAWallConnectorError(f"{endpoint} is not a JSON object")
        return payload

    async def identity(self) -> Identity:
        """Read the unit's serial number, part number and firmware."""
        return Identity.from_payload(await self._payload("version"))

    async def vitals(self, nameplate_a: float) -> tuple[Vitals, Payload]:
        """Read vitals, checked and raw (the raw payload is for diagnostics).

        Raise `UnreadableError` (with the raw payload) when they cannot be
        trusted.
        """
        payload = await self._payload("vitals")
        return Vitals.from_payload(payload, nameplate_a), payload

    async def lifetime(self) -> tuple[Lifetime, Payload]:
        """Read lifetime counters, parsed and raw."""
        payload = await self._payload("lifetime")
        return Lifetime.from_payload(payload), payload

    async def wifi_status(self) -> tuple[WifiStatus, Payload]:
        """Read Wi-Fi status, parsed and raw."""
        payload = await self._payload("wifi_status")
        return WifiStatus.from_payload(payload), payload
