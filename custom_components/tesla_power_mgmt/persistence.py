"""What a site remembers across a reload and a restart (Home Assistant's storage).

The control loop's own state (what it paused and who paused it, the pilots
last written), the engine's state (rotation turns, waiting clocks, last
pilots; epoch seconds) and each charger's pause and boost. Power levels and
limits are restored by their entities. Written a moment after a change and at
once on unload and stop; what cannot be read back starts fresh.
"""

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .const import DOMAIN, LOGGER
from .control import ControlState, from_stored, to_stored
from .engine import EngineState, LimitReason, state_from_dict, state_to_dict
from .settings import SiteSettings

STORAGE_VERSION = 1
SAVE_DELAY_S = 1.0
_UNMANAGED = frozenset({LimitReason.NOT_MANAGED, LimitReason.DISABLED})


def storage_key(entry_id: str) -> str:
    """Return the storage key of one site entry."""
    return f"{DOMAIN}.{entry_id}"


class SiteStore:
    """Loads and saves one site's state."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Nothing is read until ``async_load``."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry_id)
        )
        self._saved: dict[str, Any] | None = None
        self.engine = EngineState.initial()

    async def async_load(
        self, settings: SiteSettings, charger_ids: frozenset[str]
    ) -> ControlState:
        """Restore pauses, boosts and ``engine``; return the control state."""
        try:
            data: Any = await self._store.async_load()
        except (HomeAssistantError, NotImplementedError, KeyError, TypeError) as err:
            # Another version or a broken file: start fresh rather than fail setup.
            LOGGER.warning("Starting %s fresh: %s", self._store.key, err)
            data = None
        if not isinstance(data, dict):
            data = {}
        self._saved = data
        self.engine = _managed_memory(state_from_dict(data.get("engine")))
        chargers = data.get("chargers")
        if isinstance(chargers, dict):
            for charger_id, item in chargers.items():
                live = settings.chargers.get(charger_id)
                if live is None or not isinstance(item, dict):
                    continue
                live.paused = item.get("paused") is True
                boost = item.get("boost_until")
                live.boost_until = (
                    float(boost)
                    if isinstance(boost, int | float) and not isinstance(boost, bool)
                    else None
                )
        return from_stored(data.get("vehicles"), charger_ids)

    def schedule(
        self, settings: SiteSettings, state: ControlState, engine: EngineState
    ) -> None:
        """Save soon if anything to remember changed."""
        self.engine = engine
        data = _data(settings, state, engine)
        if data != self._saved:
            self._saved = data
            self._store.async_delay_save(lambda: data, SAVE_DELAY_S)

    async def async_save(
        self, settings: SiteSettings, state: ControlState, engine: EngineState
    ) -> None:
        """Save now."""
        self.engine = engine
        self._saved = _data(settings, state, engine)
        await self._store.async_save(self._saved)


def _managed_memory(state: EngineState) -> EngineState:
    """Drop what was remembered while a charger was not managed: fresh for those."""
    kept = {
        charger_id: memory
        for charger_id, memory in state.chargers.items()
        if memory.reason not in _UNMANAGED
    }
    return replace(state, chargers=MappingProxyType(kept))


def _data(
    settings: SiteSettings, state: ControlState, engine: EngineState
) -> dict[str, Any]:
    return {
        "vehicles": to_stored(state),
        "engine": state_to_dict(engine),
        "chargers": {
            charger_id: {"paused": live.paused, "boost_until": live.boost_until}
            for charger_id, live in settings.chargers.items()
        },
    }
