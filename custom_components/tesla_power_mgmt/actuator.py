"""Write pilots to each vehicle's control entities: few, whole-amp commands.

Vehicle commands go through cloud or Bluetooth integrations that are slow,
rate-limited and sometimes billed, so a command is sent only when the value
differs from both what was last sent and what the entity already shows, and
rises are never sent closer together than ``MIN_RISE_INTERVAL_S``. Every call
is counted. Per charger one write runs at a time and always applies the latest
wish, so a burst of evaluations never queues stale commands.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass
import math

from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import LOGGER

# Defence in depth behind the engine's own pacing (60 s by default).
MIN_RISE_INTERVAL_S = 10.0


@dataclass(frozen=True, slots=True)
class Control:
    """The entities that command one charger's vehicle."""

    current_entity: str
    switch_entity: str | None = None


class Actuator:
    """Applies the wished pilot of every charger through its control entities."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with nothing sent."""
        self.hass = hass
        self.commands: Counter[str] = Counter()
        self._sent: dict[str, int] = {}
        self._paused: set[str] = set()
        self._last_rise: dict[str, float] = {}
        self._wish: dict[str, tuple[Control, int | None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def paused_by_us(self, charger_id: str) -> bool:
        """Return whether this vehicle is stopped because we paused it."""
        return charger_id in self._paused

    async def async_apply(
        self, charger_id: str, control: Control, pilot_a: int | None
    ) -> None:
        """Bring the vehicle to ``pilot_a`` (0 pauses; None releases it)."""
        self._wish[charger_id] = (control, pilot_a)
        lock = self._locks.setdefault(charger_id, asyncio.Lock())
        if lock.locked():
            return  # the running write picks up this wish when it loops
        async with lock:
            while (wish := self._wish.pop(charger_id, None)) is not None:
                await self._write(charger_id, *wish)

    async def _write(
        self, charger_id: str, control: Control, pilot: int | None
    ) -> None:
        if pilot is None:
            # Released (not managed): undo only a pause of ours.
            if charger_id in self._paused and control.switch_entity:
                await self._switch(charger_id, control.switch_entity, on=True)
            self._paused.discard(charger_id)
            return
        if pilot == 0:
            await self._pause(charger_id, control)
            return
        if charger_id in self._paused:
            if control.switch_entity:
                await self._switch(charger_id, control.switch_entity, on=True)
            self._paused.discard(charger_id)
        await self._set_current(charger_id, control.current_entity, pilot)

    async def _pause(self, charger_id: str, control: Control) -> None:
        self._paused.add(charger_id)
        if control.switch_entity:
            await self._switch(charger_id, control.switch_entity, on=False)
        else:
            # No switch: the lowest current the vehicle's entity accepts.
            await self._set_current(charger_id, control.current_entity, 0)

    async def _set_current(self, charger_id: str, entity_id: str, amps: int) -> None:
        state = self.hass.states.get(entity_id)
        if state is None:
            return
        low = state.attributes.get("min", 0)
        high = state.attributes.get("max", amps)
        value = int(min(max(amps, math.ceil(low)), math.floor(high)))
        try:
            shown: float | None = float(state.state)
        except ValueError:
            shown = None
        last = self._sent.get(charger_id)
        if value in (last, shown):
            self._sent[charger_id] = value
            return
        now = self.hass.loop.time()
        if value > (last if last is not None else shown or 0):
            if now - self._last_rise.get(charger_id, -math.inf) < MIN_RISE_INTERVAL_S:
                return
            self._last_rise[charger_id] = now
        if await self._call(
            charger_id,
            "number",
            "set_value",
            {ATTR_ENTITY_ID: entity_id, "value": value},
        ):
            self._sent[charger_id] = value

    async def _switch(self, charger_id: str, entity_id: str, *, on: bool) -> None:
        state = self.hass.states.get(entity_id)
        if state is None or state.state == (STATE_ON if on else STATE_OFF):
            return
        await self._call(
            charger_id,
            "switch",
            SERVICE_TURN_ON if on else SERVICE_TURN_OFF,
            {ATTR_ENTITY_ID: entity_id},
        )

    async def _call(
        self, charger_id: str, domain: str, service: str, data: dict[str, object]
    ) -> bool:
        self.commands[charger_id] += 1
        try:
            await self.hass.services.async_call(domain, service, data, blocking=True)
        except HomeAssistantError as err:
            LOGGER.warning("Command %s.%s %s failed: %s", domain, service, data, err)
            return False
        return True
