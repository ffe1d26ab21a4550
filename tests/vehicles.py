"""Vehicles as the integrations that control them really behave, as HA entities.

Tesla Fleet, Teslemetry and Tessie: number key
``charge_state_charge_current_request``, min 0, step 1, max =
``charge_current_request_max`` (what the charger offers, which moves); Tesla
Fleet shows the value it wrote (optimistic), Tessie the car's value once it
polls. ESPHome Tesla BLE's "Charging Amps" clamps to the car's own maximum.
Any of them can be slow or fail.
"""

from collections.abc import Awaitable, Callable
import json
from typing import Any

from homeassistant.components.number import NumberEntity
from homeassistant.components.switch import SwitchEntity

from .common import FakeWallConnector, Vehicle


class PluggableVehicle(Vehicle):
    """A car that can be unplugged, and that draws what its charger offers at most."""

    def __init__(self, unit: FakeWallConnector, max_a: int = 48) -> None:
        self.plugged = True
        self.offered_a = 48.0  # what the Wall Connector offers the car
        super().__init__(unit, max_a)

    def apply(self) -> None:
        """Show the vehicle's state (or its absence) in the unit's vitals."""
        drawing = min(self.request_a, self.max_a, self.offered_a)
        drawing = drawing if self.charging and self.plugged else 0.0
        self.vitals.update(
            vehicle_connected=self.plugged,
            contactor_closed=drawing > 0,
            evse_state=11 if drawing > 0 else (4 if self.plugged else 1),
            vehicle_current_a=drawing,
        )
        self.unit.bodies["vitals"] = json.dumps(self.vitals)


class Calls:
    """How an integration's service calls go: counted, slow (``during``) or failing."""

    def __init__(self) -> None:
        self.count = 0
        self.error: BaseException | None = None
        self.during: Callable[[], Awaitable[None]] | None = None

    async def call(self) -> None:
        """One call to the vehicle's API; ``during`` runs while it is on its way."""
        self.count += 1
        if self.during is not None:
            await self.during()
        if self.error is not None:
            raise self.error


class CloudChargeCurrent(NumberEntity):
    """Tesla Fleet / Teslemetry / Tessie: max follows the charger's offer."""

    _attr_native_min_value = 0
    _attr_native_step = 1
    _attr_native_unit_of_measurement = "A"
    _attr_should_poll = False

    def __init__(
        self, vehicle: PluggableVehicle, entity_id: str, *, optimistic: bool = True
    ) -> None:
        self.vehicle = vehicle
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self.optimistic = optimistic
        self.calls = Calls()
        self.writes: list[float] = []
        self._shown = vehicle.request_a

    @property
    def native_max_value(self) -> float:
        return self.vehicle.offered_a

    @property
    def native_value(self) -> float:
        return self._shown

    async def async_set_native_value(self, value: float) -> None:
        await self.calls.call()
        self.writes.append(value)
        self.vehicle.request_a = value
        if self.optimistic:
            self._shown = value
            self.async_write_ha_state()

    def car_polled(self) -> None:
        """The integration polls the car: the state shows its real setting."""
        self._shown = self.vehicle.request_a
        self.async_write_ha_state()


class BleChargingAmps(NumberEntity):
    """ESPHome Tesla BLE: max 48 A shown, the value clamped to the car's own max."""

    _attr_native_min_value = 0
    _attr_native_max_value = 48
    _attr_native_step = 1
    _attr_native_unit_of_measurement = "A"
    _attr_should_poll = False

    def __init__(self, vehicle: PluggableVehicle, entity_id: str) -> None:
        self.vehicle = vehicle
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self.calls = Calls()
        self.writes: list[float] = []

    @property
    def native_value(self) -> float:
        return self.vehicle.request_a

    async def async_set_native_value(self, value: float) -> None:
        await self.calls.call()
        self.writes.append(value)
        self.vehicle.request_a = min(value, self.vehicle.max_a)
        self.async_write_ha_state()


class ChargeSwitch(SwitchEntity):
    """The car's charging switch (optimistic, as all four integrations show it)."""

    _attr_should_poll = False

    def __init__(self, vehicle: PluggableVehicle, entity_id: str) -> None:
        self.vehicle = vehicle
        self.entity_id = entity_id
        self._attr_unique_id = entity_id
        self.calls = Calls()
        self.writes: list[bool] = []

    @property
    def is_on(self) -> bool:
        return self.vehicle.charging

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.calls.call()
        self.writes.append(True)
        self.vehicle.charging = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.calls.call()
        self.writes.append(False)
        self.vehicle.charging = False
        self.async_write_ha_state()


class EmulatedCar:
    """A car at a fake unit with one integration's number and switch."""

    def __init__(
        self,
        unit: FakeWallConnector,
        kind: str,
        *,
        max_a: int = 48,
        request_a: float = 32,
    ) -> None:
        self.vehicle = PluggableVehicle(unit, max_a)
        self.vehicle.request_a = request_a
        self.vehicle.apply()
        number = "number.car_charge_current"
        if kind == "ble":
            self.current: CloudChargeCurrent | BleChargingAmps = BleChargingAmps(
                self.vehicle, number
            )
        else:
            self.current = CloudChargeCurrent(
                self.vehicle, number, optimistic=kind != "tessie"
            )
        self.switch = ChargeSwitch(self.vehicle, "switch.car_charging")

    @property
    def commanded(self) -> float:
        return self.vehicle.request_a
