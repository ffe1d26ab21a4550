"""Turn the control loop's commands into service calls and report what became of them.

Every rule (what to write, when, pause and resume, backoff) lives in
``control``; this only calls ``number.set_value`` and ``switch.turn_on|off``,
counts each call and each failure, and stops at a vehicle's first failure.
Any exception a service call raises is a failure, never an escaped task
error. Nothing is sent once closed (unload, stop).
"""

import asyncio
from collections import Counter
from dataclasses import dataclass

from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant

from .const import LOGGER
from .control import Command, Outcome, SetCharging

# A call that has not returned by then is a failure (vehicles answer in 5-30 s).
COMMAND_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Control:
    """The entities that command one charger's vehicle."""

    current_entity: str
    switch_entity: str | None = None


class Actuator:
    """Sends each vehicle's commands through its control entities."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with nothing sent."""
        self.hass = hass
        self.commands: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.closed = False

    def close(self) -> None:
        """Send nothing more (the site is unloaded or Home Assistant stops)."""
        self.closed = True

    async def async_send(
        self, charger_id: str, control: Control, commands: tuple[Command, ...]
    ) -> Outcome:
        """Send ``commands`` in order; stop at the first that fails."""
        done: list[Command] = []
        for command in commands:
            if self.closed:
                break
            if not await self._send(charger_id, control, command):
                return Outcome(charger_id, tuple(done), failed=command)
            done.append(command)
        return Outcome(charger_id, tuple(done))

    async def _send(self, charger_id: str, control: Control, command: Command) -> bool:
        if isinstance(command, SetCharging):
            if control.switch_entity is None:
                return False
            service = SERVICE_TURN_ON if command.on else SERVICE_TURN_OFF
            return await self._call(
                charger_id, "switch", service, {ATTR_ENTITY_ID: control.switch_entity}
            )
        data = {ATTR_ENTITY_ID: control.current_entity, "value": command.value_a}
        for _ in range(command.repeat):
            if not await self._call(charger_id, "number", "set_value", data):
                return False
        return True

    async def _call(
        self, charger_id: str, domain: str, service: str, data: dict[str, object]
    ) -> bool:
        self.commands[charger_id] += 1
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT_S):
                await self.hass.services.async_call(
                    domain, service, data, blocking=True
                )
        except Exception as err:  # any failure is the vehicle's, never the loop's
            self.failed[charger_id] += 1
            LOGGER.warning(
                "Command %s.%s %s failed: %s (%s)",
                domain,
                service,
                data,
                err,
                type(err).__name__,
            )
            return False
        return True
