"""Solar, grid outages and a Powerwall that carries the house when the grid is down.

On grid the Powerwall only soaks up surplus solar (self-consumption without
discharge, which keeps the panel current easy to reason about). Islanded, it
supplies home load + EV - solar, limited by its discharge power; surplus solar
charges it up to its charge power and the rest is curtailed. At its reserve
(0 % by default) it drops the house; solar keeps charging it, and the house
comes back once it is ``RESTART_PCT`` above the reserve. Backup power covers
the site's ``backup_phases`` (L1 only is Tesla's default on three-phase sites).
"""

from dataclasses import dataclass, field
from enum import StrEnum
import math
import random

# How far above its reserve solar must bring a dark Powerwall before it restarts.
RESTART_PCT = 1.0


@dataclass(frozen=True)
class SolarSpec:
    """A clear-sky sine between sunrise and sunset, dimmed by passing clouds."""

    peak_kw: float
    sunrise_s: float
    sunset_s: float
    cloudiness: float = 0.0  # 0 = clear, 1 = heavy clouds

    def __post_init__(self) -> None:
        """Reject a day where the sun sets before it rises."""
        if self.sunset_s <= self.sunrise_s:
            msg = "sunset must come after sunrise"
            raise ValueError(msg)


class Solar:
    """Solar production with clouds drawn once per 5 minutes from a seed."""

    CLOUD_PERIOD_S = 300.0

    def __init__(self, spec: SolarSpec, duration_s: float, seed: int) -> None:
        """Draw the cloud cover for the whole scenario up front."""
        self.spec = spec
        rng = random.Random(seed)
        count = int(duration_s // self.CLOUD_PERIOD_S) + 2
        self._cover = [rng.random() * spec.cloudiness for _ in range(count)]

    def power_w(self, now: float) -> float:
        """Production at ``now`` in watts."""
        spec = self.spec
        # Sunrise and sunset repeat daily; scenarios may span midnight.
        day_s = now % 86_400.0
        if not spec.sunrise_s <= day_s < spec.sunset_s:
            return 0.0
        phase = (day_s - spec.sunrise_s) / (spec.sunset_s - spec.sunrise_s)
        cover = self._cover[min(int(now // self.CLOUD_PERIOD_S), len(self._cover) - 1)]
        return 1000.0 * spec.peak_kw * math.sin(math.pi * phase) * (1.0 - cover)


class GridStatus(StrEnum):
    """The Powerwall gateway's grid_status strings (see fixtures/real/powerwall)."""

    CONNECTED = "SystemGridConnected"
    ISLANDED = "SystemIslandedActive"


@dataclass(frozen=True)
class PowerwallSpec:
    """A Powerwall (or a stack of them) and the grid outages it rides through."""

    capacity_kwh: float = 13.5
    soc_pct: float = 80.0
    max_discharge_kw: float = 5.0
    max_charge_kw: float = 5.0
    # How the integration reports power: the core powerwall integration uses kW.
    power_unit: str = "kW"
    outages: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    # Islanded, the house is dropped at this state of charge.
    reserve_pct: float = 0.0

    def __post_init__(self) -> None:
        """Reject a battery that cannot exist."""
        if self.capacity_kwh <= 0 or self.max_discharge_kw <= 0:
            msg = "powerwall capacity and discharge must be positive"
            raise ValueError(msg)
        if not 0 <= self.reserve_pct < 100 or not 0 <= self.soc_pct <= 100:
            msg = "powerwall soc and reserve must be within 0-100 %"
            raise ValueError(msg)

    def grid_up(self, now: float) -> bool:
        """Whether the utility grid is present at ``now``."""
        return not any(start <= now < end for start, end in self.outages)


@dataclass(frozen=True)
class PowerwallFlow:
    """Result of one step: battery power (+ = discharge), curtailment, blackout."""

    battery_w: float
    curtailed_w: float
    blackout: bool


class Powerwall:
    """Battery state of charge and power."""

    def __init__(self, spec: PowerwallSpec) -> None:
        """Start at the spec's state of charge."""
        self.spec = spec
        self.soc_pct = spec.soc_pct
        self.battery_w = 0.0
        # Islanded at its reserve: the house is dropped until solar restarts it.
        self.dark = False

    def step(
        self, grid_up: bool, net_load_w: float, dt_s: float, solar_w: float = 0.0
    ) -> PowerwallFlow:
        """Settle one step; ``net_load_w`` is home load + EV - solar.

        The battery discharges what the house needs even beyond its rating
        (the excess is what the benchmark counts as overload); at its reserve
        it cannot, and the house goes dark while ``solar_w`` recharges it.
        """
        max_charge_w = 1000.0 * self.spec.max_charge_kw
        curtailed_w = 0.0
        if grid_up:
            self.dark = False
        elif net_load_w >= 0 and self.soc_pct <= self.spec.reserve_pct:
            self.dark = True
        if self.dark and self.soc_pct >= self.spec.reserve_pct + RESTART_PCT:
            self.dark = False
        if self.dark:
            net_load_w = -solar_w
        if grid_up or net_load_w < 0:
            # On grid: only soak up surplus solar, never discharge.
            battery_w = (
                -min(max(0.0, -net_load_w), max_charge_w) if self.soc_pct < 100 else 0.0
            )
            curtailed_w = 0.0 if grid_up else -net_load_w + battery_w
        else:
            battery_w = net_load_w
        energy_kwh = battery_w * dt_s / 3_600_000.0
        self.soc_pct = min(
            100.0, max(0.0, self.soc_pct - 100.0 * energy_kwh / self.spec.capacity_kwh)
        )
        self.battery_w = battery_w
        return PowerwallFlow(
            battery_w=battery_w, curtailed_w=curtailed_w, blackout=self.dark
        )
