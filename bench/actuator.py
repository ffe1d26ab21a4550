"""Commands reach a charger only through its vehicle; this sends and counts them.

Every controller goes through the same actuator, so every one gets the same
latency and is charged the same way: one command per vehicle API call (set
the charge current, or switch charging on or off), and nothing is sent when
nothing would change.
"""

from dataclasses import dataclass

from simulator import Site


@dataclass
class _Sent:
    vehicle: str
    current_a: int | None = None
    charging: bool = True  # a car arrives with charging on


class Actuator:
    """Turns a pilot per charger into vehicle commands."""

    def __init__(self, site: Site) -> None:
        """Nothing has been sent yet."""
        self.site = site
        self.commands = 0
        self._sent: dict[str, _Sent] = {}

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
