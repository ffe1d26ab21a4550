"""An electric vehicle that plugs in, follows charge commands late, and tapers.

Charge current is set through the vehicle (the Wall Connector API is
read-only), so commands arrive after a latency of 5-30 s. Tesla vehicles take
whole amps and treat values under 5 A unreliably; we model that as the car
charging at 5 A when asked for 1-4 A. A command of 0 A, or charging turned
off, stops the charge. The car never draws more than the charger's pilot.
"""

from dataclasses import dataclass

MIN_RELIABLE_A = 5


@dataclass(frozen=True)
class VehicleSpec:
    """A vehicle's fixed properties and its visit to one charger."""

    name: str
    charger: str
    battery_kwh: float
    soc_pct: float
    target_soc_pct: float
    arrival_s: float
    departure_s: float
    max_current_a: int
    phases: int = 1
    command_latency_s: float = 10.0
    taper_start_pct: float = 85.0
    # The charge-current setting the car arrives with (it keeps the last one).
    initial_setpoint_a: int | None = None
    ignores_commands: bool = False

    def __post_init__(self) -> None:
        """Reject values a real vehicle cannot have."""
        if self.phases not in (1, 3):
            msg = f"{self.name}: phases must be 1 or 3, not {self.phases}"
            raise ValueError(msg)
        if not 0 <= self.soc_pct <= 100 or not 0 <= self.target_soc_pct <= 100:
            msg = f"{self.name}: state of charge must be within 0-100 %"
            raise ValueError(msg)
        if self.departure_s <= self.arrival_s:
            msg = f"{self.name}: departure must come after arrival"
            raise ValueError(msg)
        if self.max_current_a <= 0 or self.battery_kwh <= 0:
            msg = f"{self.name}: battery and max current must be positive"
            raise ValueError(msg)


@dataclass(frozen=True)
class VehicleCommand:
    """A command on its way to the vehicle: a current, a charge switch, or both."""

    due_s: float
    current_a: int | None = None
    charging: bool | None = None


class Vehicle:
    """The live state of one vehicle."""

    def __init__(self, spec: VehicleSpec) -> None:
        """Create the vehicle before it arrives."""
        self.spec = spec
        self.soc_pct = spec.soc_pct
        self.setpoint_a = (
            spec.max_current_a
            if spec.initial_setpoint_a is None
            else spec.initial_setpoint_a
        )
        self.charging_enabled = True
        self.current_a = 0.0
        self.energy_kwh = 0.0
        self.commands_sent = 0
        self._pending: list[VehicleCommand] = []

    def plugged_in(self, now: float) -> bool:
        """Whether the vehicle is connected to its charger at ``now``."""
        return self.spec.arrival_s <= now < self.spec.departure_s

    def wants_charge(self, now: float) -> bool:
        """Whether the vehicle is plugged in and below its target."""
        return self.plugged_in(now) and self.soc_pct < self.spec.target_soc_pct

    def command_current(self, now: float, amps: int) -> None:
        """Ask for a charge current; it takes effect after the latency."""
        self._send(VehicleCommand(now + self.spec.command_latency_s, current_a=amps))

    def command_charging(self, now: float, on: bool) -> None:
        """Turn charging on or off; it takes effect after the latency."""
        self._send(VehicleCommand(now + self.spec.command_latency_s, charging=on))

    def _send(self, command: VehicleCommand) -> None:
        self.commands_sent += 1
        if not self.spec.ignores_commands:
            self._pending.append(command)

    def acceptance_a(self) -> float:
        """Most current the battery takes now: full below taper, then linear to 0."""
        if self.soc_pct >= self.spec.target_soc_pct:
            return 0.0
        if self.soc_pct <= self.spec.taper_start_pct:
            return float(self.spec.max_current_a)
        span = 100.0 - self.spec.taper_start_pct
        # Real cars keep a few amps until full, so taper to a floor of 2 A.
        fraction = (100.0 - self.soc_pct) / span
        return max(2.0, self.spec.max_current_a * fraction)

    def requested_a(self) -> float:
        """Return the current the vehicle would draw with an unlimited pilot."""
        if not self.charging_enabled or self.setpoint_a <= 0:
            return 0.0
        setpoint = max(self.setpoint_a, MIN_RELIABLE_A)
        return min(float(setpoint), self.acceptance_a())

    def step(
        self, now: float, dt_s: float, pilot_a: float, power_per_amp_w: float
    ) -> float:
        """Advance ``dt_s`` seconds; return the current drawn (per active phase).

        ``pilot_a`` is what the charger allows (0 when it cannot supply) and
        ``power_per_amp_w`` the power one amp carries on this charger
        (voltage x active phases).
        """
        self._apply_due_commands(now)
        if not self.wants_charge(now):
            self.current_a = 0.0
            return 0.0
        self.current_a = min(self.requested_a(), pilot_a)
        energy_kwh = self.current_a * power_per_amp_w * dt_s / 3_600_000.0
        self.energy_kwh += energy_kwh
        self.soc_pct = min(
            100.0, self.soc_pct + 100.0 * energy_kwh / self.spec.battery_kwh
        )
        return self.current_a

    def _apply_due_commands(self, now: float) -> None:
        while self._pending and self._pending[0].due_s <= now:
            command = self._pending.pop(0)
            if command.current_a is not None:
                self.setpoint_a = command.current_a
            if command.charging is not None:
                self.charging_enabled = command.charging
