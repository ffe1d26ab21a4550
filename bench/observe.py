"""What a controller can know: polled Wall Connectors, the meter, the Powerwall.

Every controller sees the site only through this, with the same delays: the
Wall Connectors' vitals every ``poll_s`` (nothing while a unit is
unreachable), the meter's own late and possibly stale reports, and the
Powerwall every ``POWERWALL_POLL_S`` as Home Assistant's powerwall integration
polls it.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from simulator import Site
from simulator.meter import MeterReading
from simulator.wall_connector.model import EvseState

POWERWALL_POLL_S = 5.0


@dataclass(frozen=True)
class ChargerView:
    """One poll of a Wall Connector's vitals (or the last good one, if unreachable)."""

    charger_id: str
    at: float
    reachable: bool
    connected: bool
    wants_current: bool
    current_a: float
    phase_currents: Mapping[str, float]


@dataclass(frozen=True)
class PowerwallView:
    """One poll of the Powerwall (powers in W, + = battery discharging)."""

    at: float
    grid_up: bool
    soc_pct: float
    solar_w: float
    load_w: float
    battery_w: float


class Observer:
    """Polls a site on the integration's schedule."""

    def __init__(self, site: Site, poll_s: float) -> None:
        """Nothing is known until the first poll at t = 0."""
        self.site = site
        self.poll_s = poll_s
        self.chargers: dict[str, ChargerView] = {}
        self.meter: MeterReading | None = None
        self.powerwall: PowerwallView | None = None
        self._next_poll = 0.0
        self._next_powerwall = 0.0
        self.last_poll_s = -1.0
        self.last_powerwall_s = -1.0

    def update(self, now: float) -> bool:
        """Take whatever arrived by ``now``; return True if anything is new."""
        changed = False
        latest = self.site.meter.latest
        if latest is not None and latest is not self.meter:
            self.meter = latest
            changed = True
        if now >= self._next_poll:
            self._next_poll = now + self.poll_s
            self.last_poll_s = now
            for charger_id in self.site.chargers:
                self.chargers[charger_id] = self._poll_charger(charger_id, now)
            changed = True
        if self.site.powerwall is not None and now >= self._next_powerwall:
            self._next_powerwall = now + POWERWALL_POLL_S
            self.last_powerwall_s = now
            self.powerwall = self._poll_powerwall(now)
            changed = True
        return changed

    def _poll_charger(self, charger_id: str, now: float) -> ChargerView:
        unit = self.site.chargers[charger_id]
        if not unit.reachable(now):
            last = self.chargers.get(charger_id)
            return ChargerView(
                charger_id=charger_id,
                at=last.at if last else now,
                reachable=False,
                connected=last.connected if last else False,
                wants_current=last.wants_current if last else False,
                current_a=last.current_a if last else 0.0,
                phase_currents=last.phase_currents if last else {},
            )
        state = unit.evse_state()
        return ChargerView(
            charger_id=charger_id,
            at=now,
            reachable=True,
            connected=state != EvseState.UNPLUGGED,
            wants_current=state not in (EvseState.UNPLUGGED, EvseState.COMPLETE),
            current_a=unit.current_a,
            phase_currents=dict(unit.phase_currents),
        )

    def _poll_powerwall(self, now: float) -> PowerwallView:
        snapshot = self.site.last
        powerwall = self.site.powerwall
        assert powerwall is not None  # only called when the site has one
        if snapshot is None:
            return PowerwallView(now, True, powerwall.soc_pct, 0.0, 0.0, 0.0)
        grid = self.site.grid
        load_w = grid.power_w(snapshot.home_currents) + sum(
            grid.power_w(c) for c in snapshot.charger_phase_currents.values()
        )
        return PowerwallView(
            at=now,
            grid_up=snapshot.grid_up,
            soc_pct=powerwall.soc_pct,
            solar_w=snapshot.solar_w,
            load_w=load_w,
            battery_w=snapshot.battery_w,
        )
