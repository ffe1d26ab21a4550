"""Firmware generations of the Gen 3 Wall Connector, as seen in real payloads.

Each profile reproduces the shape of ``fixtures/real/wall_connector`` for that
firmware: which relay fields vitals carries, whether ``evse_not_ready_reasons``
exists, the keys of ``version``, and the charging ``evse_state``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Region(StrEnum):
    """Where the unit is sold: decides nameplate current and voltage layout."""

    US = "us"
    EU = "eu"


class PhaseReport(StrEnum):
    """How a unit on a US split-phase service spreads current over its A/B/C fields."""

    # Gen 3 (HA core #87667, evcc #7599): A, B and C each show about half.
    HALVES = "halves"
    # Universal Wall Connector (Go test fixture): everything on phase B.
    PHASE_B = "phase_b"


@dataclass(frozen=True)
class Firmware:
    """One firmware generation's payload shape."""

    version: str
    part_number: str
    region: Region
    relay_k1_k2: bool = False
    not_ready_reasons: bool = False
    charging_evse_state: int = 11
    charging_config_status: int = 5
    phase_report: PhaseReport = PhaseReport.HALVES
    extra_version_fields: Mapping[str, str] = field(default_factory=dict)
    git_branch: bool = False

    @property
    def nameplate_a(self) -> int:
        """Most current the hardware can deliver."""
        return 48 if self.region is Region.US else 32


FIRMWARES: Mapping[str, Firmware] = {
    "eu_21.8.5": Firmware("21.8.5+g51eba2369815d7", "1529455-02-D", Region.EU),
    "eu_23.24.3": Firmware("23.24.3+gba52398ee0bc71", "1529455-02-D", Region.EU),
    # evcc #18243 (January 2025, two EU units): evse_not_ready_reasons beside
    # relay_coil_v, before relay_k1_v/relay_k2_v replaced it. The capture does
    # not say the firmware version; the profile says so rather than invent one.
    "eu_2025-01": Firmware(
        "unknown (EU firmware of January 2025)",
        "1529455-02-D",
        Region.EU,
        not_ready_reasons=True,
    ),
    "us_22.33.1": Firmware("22.33.1+g8757aaf2fb9df0", "1509549-02-B", Region.US),
    "us_uwc_24.36.3": Firmware(
        "24.36.3+g3f585e7b51cc72",
        "1734412-02-D",
        Region.US,
        charging_evse_state=10,
        charging_config_status=4,
        phase_report=PhaseReport.PHASE_B,
        git_branch=True,
    ),
    "us_26.18.0": Firmware(
        "26.18.0+g114f7602e40a09",
        "1457768-02-G",
        Region.US,
        relay_k1_k2=True,
        not_ready_reasons=True,
        git_branch=True,
        extra_version_fields={
            "web_service": "h3-hermes-prd.sn.tesla.services",
            "IEEE1547VfTripsCrc": "BB5EABC5",
            "IEEE1547RideThruMomentaryCessationCrc": "753C17D3",
            "IEEE1547CombinedComplianceCrc": "81DD267F",
        },
    ),
}


def firmware_named(name: str) -> Firmware:
    """Look a profile up by name, listing the valid ones on a typo."""
    try:
        return FIRMWARES[name]
    except KeyError:
        msg = f"unknown firmware {name!r}; known: {', '.join(FIRMWARES)}"
        raise ValueError(msg) from None
