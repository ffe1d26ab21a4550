"""The four local API endpoints, rendered from a unit's state in the real shapes.

Field order, number formats and per-state values follow the captures in
``fixtures/real/wall_connector`` (see SOURCES.md there). Small measurement
noise is drawn from a generator seeded by the unit and the second, so the
same moment always reads the same.
"""

import base64
from collections.abc import Callable, Mapping
import random

from simulator.electrical import Supply
from simulator.wall_connector.faults import QuirkKind
from simulator.wall_connector.firmware import PhaseReport
from simulator.wall_connector.model import EvseState, WallConnector
from simulator.wall_connector.payload import Bare, Fields, Fixed, Value, render

ENDPOINTS = ("vitals", "lifetime", "version", "wifi_status")

# Pilot voltages (high, low) per J1772 state, as the captures show them.
PILOT_UNPLUGGED = (11.9, 11.9)
PILOT_WAITING = (8.7, -11.6)
PILOT_CHARGING = (5.9, -11.9)
# The firmware prints the low side of a 0 V pilot as ``-0.0`` (evcc #7599).
PILOT_COMPLETE = (0.0, -0.0)
# evse_not_ready_reasons on firmware that has them: [4, 8] with no vehicle,
# [1] once one is plugged in (charging or not).
NOT_READY_IDLE = [4, 8]
NOT_READY_PLUGGED = [1]


def _noise(unit: WallConnector, now: float) -> random.Random:
    return random.Random(f"{unit.seed}:{int(now)}")


def _phase_fields(
    unit: WallConnector, rng: random.Random
) -> tuple[list[float], list[float]]:
    """Currents A, B, C, N and voltages A, B, C, as the unit's sensors show them."""
    amps = unit.current_a
    grid_v = unit.grid.charger_voltage_v
    if not unit.contactor_closed:
        idle_a = [round(rng.uniform(0.0, 0.3), 1) for _ in range(4)]
        return idle_a, [round(rng.uniform(0.0, 5.0), 1) for _ in range(3)]
    volts = [grid_v + rng.uniform(-3.0, 3.0) for _ in range(3)]
    if unit.grid.supply is Supply.SPLIT_PHASE:
        volts[2] = volts[2] / 2
        if unit.firmware.phase_report is PhaseReport.PHASE_B:
            return [0.0, amps, 0.0, 0.0], volts
        half = amps / 2
        return [half + rng.uniform(-2.0, 2.0) for _ in range(3)] + [half], volts
    by_phase = [unit.phase_currents.get(phase, 0.0) for phase in unit.grid.phases]
    by_phase += [0.0] * (3 - len(by_phase))
    # Neutral carries the imbalance (a single-phase car: all of it).
    neutral = max(by_phase) - min(by_phase)
    return [*by_phase, neutral], volts


def _pilot(unit: WallConnector) -> tuple[float, float]:
    state = unit.evse_state()
    if state == EvseState.UNPLUGGED:
        return PILOT_UNPLUGGED
    if state == EvseState.CONNECTED:
        return PILOT_WAITING
    if state == EvseState.COMPLETE:
        return PILOT_COMPLETE
    return PILOT_CHARGING


def vitals_fields(unit: WallConnector, now: float) -> Fields:
    """``/api/1/vitals``."""
    rng = _noise(unit, now)
    firmware = unit.firmware
    currents, volts = _phase_fields(unit, rng)
    connected = unit.vehicle is not None
    closed = unit.contactor_closed
    amps = unit.current_a
    measured = amps + rng.uniform(-0.1, 0.1) if closed else rng.uniform(0.0, 0.4)
    relay: list[tuple[str, Value]]
    if firmware.relay_k1_k2:
        relay = [
            ("relay_k1_v", Fixed(6.1 if closed else 11.9)),
            ("relay_k2_v", Fixed(6.1 if closed else 0.0)),
        ]
    else:
        relay = [("relay_coil_v", Fixed(6.1 if closed else 11.9))]
    pilot_high, pilot_low = _pilot(unit)
    state = unit.evse_state()
    fields: list[tuple[str, Value]] = [
        ("contactor_closed", closed),
        ("vehicle_connected", connected),
        ("session_s", int(now - unit.session_start_s) if connected else 0),
        ("grid_v", Fixed(unit.grid.charger_voltage_v + rng.uniform(-2.0, 2.0))),
        ("grid_hz", Fixed(unit.grid.frequency_hz + rng.uniform(-0.05, 0.05), 3)),
        ("vehicle_current_a", Fixed(max(0.0, measured))),
        ("currentA_a", Fixed(max(0.0, currents[0]))),
        ("currentB_a", Fixed(max(0.0, currents[1]))),
        ("currentC_a", Fixed(max(0.0, currents[2]))),
        ("currentN_a", Fixed(max(0.0, currents[3]))),
        ("voltageA_v", Fixed(volts[0])),
        ("voltageB_v", Fixed(volts[1])),
        ("voltageC_v", Fixed(volts[2])),
        *relay,
        ("pcba_temp_c", Fixed(20.0 + 0.25 * amps + rng.uniform(-0.3, 0.3))),
        ("handle_temp_c", Fixed(15.0 + 0.15 * amps + rng.uniform(-0.3, 0.3))),
        ("mcu_temp_c", Fixed(26.0 + 0.2 * amps + rng.uniform(-0.3, 0.3))),
        ("uptime_s", int(unit.uptime_s(now))),
        ("input_thermopile_uv", int(-200 - 10 * amps + rng.uniform(-20.0, 20.0))),
        (
            "prox_v",
            Fixed((1.5 if firmware.region == "us" else 1.9) if connected else 0.0),
        ),
        ("pilot_high_v", Fixed(pilot_high)),
        ("pilot_low_v", Fixed(pilot_low)),
        ("session_energy_wh", Fixed(unit.session_energy_wh, 3)),
        ("config_status", firmware.charging_config_status if closed else 5),
        ("evse_state", int(state)),
        ("current_alerts", []),
    ]
    if firmware.not_ready_reasons:
        fields.append(
            (
                "evse_not_ready_reasons",
                NOT_READY_PLUGGED if connected else NOT_READY_IDLE,
            )
        )
    return fields


def lifetime_fields(unit: WallConnector, nan: bool) -> Fields:
    """``/api/1/lifetime``; ``nan`` reproduces fw 21.x's bare ``nan``."""
    life = unit.lifetime
    startup: Value = Bare("nan") if nan else Fixed(life.avg_startup_temp)
    return [
        ("contactor_cycles", life.contactor_cycles),
        ("contactor_cycles_loaded", life.contactor_cycles_loaded),
        ("alert_count", life.alert_count),
        ("thermal_foldbacks", life.thermal_foldbacks),
        ("avg_startup_temp", startup),
        ("charge_starts", life.charge_starts),
        ("energy_wh", int(life.energy_wh)),
        ("connector_cycles", life.connector_cycles),
        ("uptime_s", int(life.uptime_s)),
        ("charging_time_s", int(life.charging_time_s)),
    ]


def version_fields(unit: WallConnector) -> Fields:
    """``/api/1/version``: older firmware has three keys, newer adds more."""
    firmware = unit.firmware
    fields: list[tuple[str, Value]] = [("firmware_version", firmware.version)]
    if firmware.git_branch:
        fields.append(("git_branch", "HEAD"))
    fields += [("part_number", firmware.part_number), ("serial_number", unit.serial)]
    fields += list(firmware.extra_version_fields.items())
    return fields


def wifi_fields(unit: WallConnector, host_ip: str) -> Fields:
    """``/api/1/wifi_status``: the SSID is base64 as on real units."""
    rng = random.Random(unit.seed)
    mac = ":".join(["98", "ED", "5C", *(f"{rng.randrange(256):02X}" for _ in range(3))])
    rssi = rng.randrange(-75, -50)
    return [
        ("wifi_ssid", base64.b64encode(unit.spec.wifi_ssid.encode()).decode()),
        ("wifi_signal_strength", min(100, 2 * (rssi + 100))),
        ("wifi_rssi", rssi),
        ("wifi_snr", rssi + 92),
        ("wifi_connected", True),
        ("wifi_infra_ip", host_ip),
        ("internet", True),
        ("wifi_mac", mac),
    ]


def render_endpoint(
    unit: WallConnector, endpoint: str, now: float, host_ip: str = "127.0.0.1"
) -> str:
    """Return the body the unit sends for ``endpoint``, quirks included."""
    number = unit.count_response(endpoint)
    quirks = {q.kind for q in unit.spec.quirks if q.applies(endpoint, number)}
    builders: Mapping[str, Callable[[], Fields]] = {
        "vitals": lambda: vitals_fields(unit, now),
        "lifetime": lambda: lifetime_fields(unit, QuirkKind.NAN in quirks),
        "version": lambda: version_fields(unit),
        "wifi_status": lambda: wifi_fields(unit, host_ip),
    }
    return render(builders[endpoint](), close=QuirkKind.MISSING_BRACE not in quirks)
