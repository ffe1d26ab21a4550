"""How a generated site is used: the home's loads, the cars, the Powerwall, the user.

The electrical installation is drawn in ``bench.generate``; this draws what
happens on it. Ranges and probabilities are the table in bench/README.md.
"""

from dataclasses import dataclass
import random
from typing import Any

type Raw = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """What the usage draws need to know of the installation."""

    phases: tuple[str, ...]
    split: bool
    main_breaker_a: int
    duration_s: float

    @property
    def three_phase(self) -> bool:
        """Whether the site has three phases."""
        return len(self.phases) == 3


# kind: (current per phase US, EU; cycle s range; duty range)
APPLIANCES: dict[str, tuple[float, float, tuple[float, float], tuple[float, float]]] = {
    "heat_pump": (12.0, 6.0, (60.0, 1800.0), (0.4, 0.8)),
    "oven": (16.0, 9.0, (60.0, 180.0), (0.3, 0.6)),
    "dryer": (24.0, 10.0, (180.0, 600.0), (0.6, 0.8)),
    "water_heater": (18.75, 13.0, (0.0, 0.0), (1.0, 1.0)),
    "pump": (7.0, 4.0, (60.0, 180.0), (0.3, 0.6)),
}


def home(rng: random.Random, shape: Shape) -> Raw:
    """Draw base 1-8 A per phase, noise 0-2 A, 1-4 appliances, 15 %: a surge."""
    appliances = [
        _appliance(rng, kind, shape)
        for kind in rng.sample(sorted(APPLIANCES), rng.randint(1, 4))
    ]
    base = {p: round(rng.uniform(1.0, 8.0), 1) for p in shape.phases}
    if rng.random() < 0.15:
        # The home alone above the main breaker for 1-5 minutes.
        length = rng.uniform(60, 300)
        start = rng.uniform(0, shape.duration_s - length)
        above = shape.main_breaker_a - min(base.values()) + rng.uniform(3, 15)
        appliances.append(
            {
                "name": "surge",
                "current_a": round(above, 1),
                "phases": list(shape.phases),
                "windows": [{"start": round(start), "duration": round(length)}],
            }
        )
    return {
        "base_a": base,
        "noise_a": round(rng.uniform(0.0, 2.0), 1),
        "appliances": appliances,
    }


def _appliance(rng: random.Random, kind: str, shape: Shape) -> Raw:
    us_a, eu_a, (short, long), (low, high) = APPLIANCES[kind]
    if shape.split:
        on = list(shape.phases)  # 240 V, both legs
    elif kind == "heat_pump" and shape.three_phase and rng.random() < 0.5:
        on = list(shape.phases)  # a three-phase heat pump
    else:
        on = [rng.choice(shape.phases)]
    if kind == "heat_pump" and rng.random() < 0.5:
        cycle = rng.uniform(60.0, 180.0)  # a short-cycling compressor
    else:
        cycle = rng.uniform(short, long)
    length = rng.uniform(0.3, 1.0) * shape.duration_s
    start = rng.uniform(0, shape.duration_s - length)
    return {
        "kind": kind,
        "current_a": us_a if shape.split else eu_a,
        "phases": on,
        "windows": [{"start": round(start), "duration": round(length)}],
        "cycle": round(cycle),
        "duty": round(rng.uniform(low, high), 2),
    }


def vehicles(rng: random.Random, chargers: list[Raw], shape: Shape) -> list[Raw]:
    """Give 85 % of chargers a car, 15 % of those a second one after it leaves."""
    cars: list[Raw] = []
    for charger in chargers:
        if rng.random() >= 0.85:
            continue
        arrive = 0.0 if rng.random() < 0.3 else rng.uniform(0, 0.6 * shape.duration_s)
        car = _car(rng, f"car{len(cars) + 1}", charger["id"], arrive, shape)
        cars.append(car)
        left = float(car["depart"])
        if rng.random() < 0.15 and shape.duration_s - left > 1800:
            again = left + rng.uniform(60, 900)
            cars.append(_car(rng, f"car{len(cars) + 1}", charger["id"], again, shape))
    return cars


def _car(
    rng: random.Random, name: str, charger: str, arrive: float, shape: Shape
) -> Raw:
    """Draw a car: 20 % leave early, 15 % taper early, 5 % ignore commands.

    30 % arrive with an old charge-current setting.
    """
    phases = 3 if shape.three_phase and rng.random() < 0.6 else 1
    if shape.split:
        max_a = rng.choice((32, 40, 48))
    else:
        max_a = rng.choice((16, 32)) if phases == 1 else rng.choice((16, 16, 32))
    soc = rng.randint(10, 60)
    early = rng.random() < 0.2
    stay = rng.uniform(600, 3600) if early else rng.uniform(3600, shape.duration_s)
    early_taper = rng.random() < 0.15
    car: Raw = {
        "name": name,
        "charger": charger,
        "battery_kwh": rng.choice((40, 55, 60, 75, 82, 100)),
        "soc": soc,
        "target_soc": rng.randint(max(soc + 10, 70), 95),
        "arrive": round(arrive),
        "depart": round(min(shape.duration_s, arrive + stay)),
        "max_current_a": max_a,
        "phases": phases,
        "latency": rng.randint(5, 30),
        "taper_start": rng.randint(50, 75) if early_taper else rng.randint(85, 95),
    }
    if rng.random() < 0.3:
        car["initial_setpoint_a"] = rng.randint(6, max_a)
    if rng.random() < 0.05:
        car["ignores_commands"] = True
    return car


def powerwall(rng: random.Random, shape: Shape) -> Raw:
    """Draw 1-3 Powerwall 2 (5 kW) or 3 (11.5 kW); 75 %: an outage of 20 min-2 h.

    A quarter start at their reserve (0-20 %), so only solar brings them
    back; otherwise the state of charge is 20-95 %.
    """
    count = rng.randint(1, 3)
    discharge = 5.0 if rng.random() < 0.5 else 11.5
    reserve = rng.choice((0, 0, 5, 10, 20))
    at_reserve = rng.random() < 0.25
    soc = reserve + rng.uniform(0, 3) if at_reserve else rng.uniform(20, 95)
    spec: Raw = {
        "capacity_kwh": 13.5 * count,
        "soc": round(min(soc, 100.0), 1),
        "max_discharge_kw": discharge * count,
        "max_charge_kw": 5.0 * count,
        "reserve": reserve,
        "power_unit": rng.choice(("kW", "W")),
    }
    if rng.random() < 0.75:
        length = rng.uniform(1200, 7200)
        start = rng.uniform(0, max(0.0, shape.duration_s - length))
        spec["outages"] = [{"start": round(start), "duration": round(length)}]
    return spec


def backup_phases(rng: random.Random, shape: Shape) -> list[str]:
    """Back up L1 only on 60 % of three-phase sites (Tesla's default), else all."""
    if shape.three_phase and rng.random() < 0.6:
        return ["L1"]
    return list(shape.phases)


def management(rng: random.Random, meter: Raw) -> Raw:
    """Draw a margin of 1-3 A, a poll of 5 s (20 %: 2-10 s), the stale age."""
    poll = rng.randint(2, 10) if rng.random() < 0.2 else 5
    # Two reports and the delay, at least the integration's default 30 s.
    stale_after = max(30, 2 * int(meter["interval"]) + int(meter["delay"]) + 5)
    return {
        "safety_margin_a": rng.choice((1, 2, 2, 3)),
        "poll": poll,
        "meter_stale_after": stale_after,
    }
