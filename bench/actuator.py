"""How controllers act, and the log of every act for the overload attribution.

Two paths, each as its makers built it. Vehicle commands (``set_pilot``, the
interface ours and evcc use): one command per vehicle API call (set the
charge current, or switch charging on or off), arriving after the vehicle's
command latency; nothing is sent when nothing would change. The Wall
Connector's own pilot (``set_wall_connector_pilot``, what Tesla's firmware
and SmartEVSE set): the car follows it within its pilot-follow time (1-3 s);
counted as pilot changes, not commands.
"""

from dataclasses import dataclass
import zlib

from simulator import Site


@dataclass(frozen=True)
class Act:
    """One act: sent at ``sent_s``, effective at ``due_s``.

    ``kind`` is "current" (vehicle setpoint), "charging" (1 on, 0 off) or
    "pilot" (the unit's pilot, whatever vehicle is plugged in).
    """

    charger_id: str
    vehicle: str | None
    sent_s: float
    due_s: float
    kind: str
    value: int


@dataclass
class _Sent:
    vehicle: str
    current_a: int | None = None
    charging: bool = True  # a car arrives with charging on


PILOT_FOLLOW_MAX_S = 3.0


def pilot_follow_s(vehicle_name: str) -> float:
    """Return a car's pilot-follow time: 1, 2 or 3 s, fixed per car."""
    return 1.0 + zlib.crc32(vehicle_name.encode()) % 3


class Actuator:
    """Turns a pilot per charger into vehicle commands or Wall Connector pilots."""

    def __init__(self, site: Site) -> None:
        """Nothing has been sent yet."""
        self.site = site
        self.commands = 0
        self.pilot_changes = 0
        self.log: list[Act] = []
        self._sent: dict[str, _Sent] = {}
        self._unit_pilot: dict[str, int] = {}

    def set_pilot(self, charger_id: str, amps: int) -> None:
        """Make the vehicle at ``charger_id`` charge at ``amps`` (0 = pause)."""
        vehicle = self.site.chargers[charger_id].vehicle
        if vehicle is None:
            return
        sent = self._sent.get(charger_id)
        if sent is None or sent.vehicle != vehicle.spec.name:
            sent = self._sent[charger_id] = _Sent(vehicle.spec.name)
        if amps <= 0:
            if sent.charging:
                self._send_charging(charger_id, sent, on=False)
            return
        if not sent.charging:
            self._send_charging(charger_id, sent, on=True)
        if sent.current_a != amps:
            self.site.command_current(charger_id, amps)
            sent.current_a = amps
            self.commands += 1
            self._record(charger_id, sent.vehicle, "current", amps)

    def set_wall_connector_pilot(self, charger_id: str, amps: int) -> None:
        """Set the unit's pilot to ``amps`` (0: no charging) if it changes."""
        old = self._unit_pilot.get(
            charger_id, self.site.chargers[charger_id].max_current_a
        )
        if old == amps and charger_id in self._unit_pilot:
            return
        self._unit_pilot[charger_id] = amps
        vehicle = self.site.vehicle_at(charger_id)
        name = vehicle.spec.name if vehicle is not None else None
        now = self.site.now
        follow = pilot_follow_s(name) if name is not None else 1.0
        # A car ramps up no sooner than any other backs off in the same update.
        due = now + (PILOT_FOLLOW_MAX_S if amps > old else follow)
        self.site.chargers[charger_id].command_pilot(due, amps)
        self.pilot_changes += 1
        self.log.append(Act(charger_id, name, now, due, "pilot", amps))

    def commanded(self, charger_id: str) -> int | None:
        """Return the last pilot sent to the current vehicle (None: nothing yet)."""
        sent = self._sent.get(charger_id)
        vehicle = self.site.chargers[charger_id].vehicle
        if sent is None or vehicle is None or sent.vehicle != vehicle.spec.name:
            return None
        return sent.current_a if sent.charging else 0

    def _send_charging(self, charger_id: str, sent: _Sent, *, on: bool) -> None:
        self.site.command_charging(charger_id, on)
        sent.charging = on
        self.commands += 1
        self._record(charger_id, sent.vehicle, "charging", int(on))

    def _record(
        self, charger_id: str, vehicle_name: str, kind: str, value: int
    ) -> None:
        vehicle = self.site.vehicles[vehicle_name]
        now = self.site.now
        due = now + vehicle.spec.command_latency_s
        self.log.append(Act(charger_id, vehicle_name, now, due, kind, value))
