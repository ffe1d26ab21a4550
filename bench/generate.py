"""Random, physically plausible sites, drawn from a documented distribution.

Site ``i`` of seed ``S`` is drawn from its own ``random.Random(f"{S}:{i}")``, so
it is the same whatever ``N`` is, and it is a plain scenario dict: the loader
validates it and ``--write-sites`` writes it as the YAML ``--scenario`` replays.
Every parameter and its range or probabilities is listed in bench/README.md
("Generated sites"); the draws below are that table, one helper per section.
"""

from dataclasses import dataclass
import random
from typing import Any

from bench import generate_usage as usage
from custom_components.tesla_power_mgmt.engine import network_limit_range

type Raw = dict[str, Any]

SUPPLIES = (("split_phase", 0.4), ("single_phase", 0.25), ("three_phase", 0.35))
US_FIRMWARE = ("us_26.18.0", "us_uwc_24.36.3", "us_22.33.1")
EU_FIRMWARE = ("eu_23.24.3", "eu_21.8.5")
# Breaker -> unit maximum: 80 % under NEC (capped at 48 A), 100 % under IEC.
US_BREAKERS = (20, 30, 40, 50, 60)
EU_BREAKERS = (16, 20, 25, 32)
# Feeder ratings a group's network limit is commissioned at.
US_FEEDERS = (40, 50, 60, 70, 80, 90, 100, 125, 150, 175, 200)
EU_FEEDERS = (16, 20, 25, 32, 40, 50, 63, 80, 100, 125)
FAULTS = ("unreachable", "reboot", "http_500", "timeout")
STEP_S = 1.0


@dataclass(frozen=True)
class Supply:
    """What the supply decides: phases, voltages, the breakers an electrician uses."""

    kind: str
    phases: tuple[str, ...]
    main_breaker_a: int
    split: bool

    @property
    def breakers(self) -> tuple[int, ...]:
        """Charger breakers an electrician would fit on this supply."""
        return US_BREAKERS if self.split else EU_BREAKERS

    def unit_max_a(self, breaker_a: int) -> int:
        """Return the unit maximum a breaker allows (the nameplate caps it)."""
        return min(48, breaker_a * 8 // 10) if self.split else min(32, breaker_a)


def generate_sites(count: int, seed: int) -> list[Raw]:
    """Return ``count`` scenario dicts for ``seed`` (site i is the same for any N)."""
    return [generate_site(seed, index) for index in range(count)]


def generate_site(seed: int, index: int) -> Raw:
    """Draw site ``index`` of ``seed``."""
    rng = random.Random(f"{seed}:{index}")
    chargers_n = _charger_count(rng)
    supply = _supply(rng, chargers_n)
    duration_s = 1800.0 * rng.randint(4, 8)  # 2-4 h
    has_powerwall = rng.random() < 0.35
    solar = (has_powerwall and rng.random() < 0.6) or rng.random() < 0.15
    start_h = rng.randint(13, 16) if solar else rng.randint(16, 19)
    chargers = [_charger(rng, supply, i + 1, duration_s) for i in range(chargers_n)]
    meter = _meter(rng, duration_s)
    shape = usage.Shape(supply.phases, supply.split, supply.main_breaker_a, duration_s)
    raw: Raw = {
        "name": f"gen_s{seed}_{index:04d}",
        "description": f"generated: seed {seed}, site {index}",
        "seed": rng.randrange(1_000_000),
        "start": f"{start_h:02d}:{rng.choice((0, 15, 30, 45)):02d}",
        "duration": duration_s,
        "step": STEP_S,
        "site": {"supply": supply.kind, "main_breaker_a": supply.main_breaker_a},
        "meter": meter,
        "home": usage.home(rng, shape),
        "chargers": chargers,
        "vehicles": usage.vehicles(rng, chargers, shape),
        "management": usage.management(rng, meter),
    }
    if groups := _groups(rng, supply, chargers):
        raw["groups"] = groups
    if has_powerwall:
        raw["powerwall"] = usage.powerwall(rng, shape)
        raw["site"]["backup_phases"] = usage.backup_phases(rng, shape)
        raw["charging_threshold"] = rng.choice((20, 30, 40, 50, 60))
    if solar:
        raw["solar"] = {
            "peak_kw": round(rng.uniform(3.0, 12.0), 1),
            "sunrise": "06:30",
            "sunset": f"{rng.randint(18, 21)}:00",
            "cloudiness": round(rng.uniform(0.0, 0.6), 2),
        }
    return raw


def _charger_count(rng: random.Random) -> int:
    band = rng.random()
    if band < 0.4:
        return rng.randint(1, 2)
    return rng.randint(3, 6) if band < 0.8 else rng.randint(7, 12)


def _supply(rng: random.Random, chargers_n: int) -> Supply:
    kind = rng.choices([k for k, _ in SUPPLIES], [p for _, p in SUPPLIES])[0]
    if kind == "single_phase" and chargers_n > 4:
        kind = "three_phase"  # nobody puts five chargers on a house's single phase
    large = chargers_n > 3
    mains = {
        "split_phase": (200, 300, 400) if large else (100, 125, 150, 200),
        "single_phase": (80, 100) if large else (60, 80, 100),
        "three_phase": (63, 80, 100, 125, 160) if large else (25, 32, 40, 50, 63),
    }[kind]
    phases = {"split_phase": ("L1", "L2"), "single_phase": ("L1",)}.get(
        kind, ("L1", "L2", "L3")
    )
    return Supply(kind, phases, rng.choice(mains), kind == "split_phase")


def _charger(rng: random.Random, supply: Supply, number: int, duration_s: float) -> Raw:
    # A unit's breaker never exceeds the main breaker that feeds it.
    breaker = rng.choice([b for b in supply.breakers if b <= supply.main_breaker_a])
    charger: Raw = {
        "id": f"wc{number}",
        "firmware": rng.choice(US_FIRMWARE if supply.split else EU_FIRMWARE),
        "breaker_a": breaker,
        "phases": list(_wiring(rng, supply)),
    }
    if rng.random() < 0.1:
        charger["power_level_a"] = rng.randint(6, supply.unit_max_a(breaker))
    if rng.random() < 0.25:
        kind = rng.choice(FAULTS)
        length = rng.uniform(30, 120) if kind == "reboot" else rng.uniform(60, 1800)
        start = rng.uniform(0, duration_s - length)
        charger["faults"] = [
            {"kind": kind, "start": round(start), "duration": round(length)}
        ]
    return charger


def _wiring(rng: random.Random, supply: Supply) -> tuple[str, ...]:
    """Three-phase units: 30 % rotated (L2 L3 L1 or L3 L1 L2), 10 % on one phase."""
    phases = supply.phases
    if len(phases) < 3:
        return phases
    draw = rng.random()
    if draw < 0.1:
        return (rng.choice(phases),)
    if draw < 0.4:
        turn = rng.randint(1, 2)
        return phases[turn:] + phases[:turn]
    return phases


def _groups(rng: random.Random, supply: Supply, chargers: list[Raw]) -> list[Raw]:
    """Draw none 30 %, one 40 %, two side by side 15 %, one nested in another 15 %."""
    maxima = {c["id"]: _max_a(supply, c) for c in chargers}
    ids = list(maxima)
    main = supply.main_breaker_a

    def group(name: str, members: list[str], ceiling_a: float) -> Raw:
        return _group(rng, supply, name, {c: maxima[c] for c in members}, ceiling_a)

    draw = rng.random()
    if len(ids) < 2 or draw < 0.3:
        return []
    if draw < 0.7 or len(ids) < 3:
        members = ids if rng.random() < 0.6 else ids[: rng.randint(2, len(ids))]
        return [group("garage", members, main)]
    if draw < 0.85 and len(ids) >= 4:
        cut = rng.randint(2, len(ids) - 2)
        return [group("garage", ids[:cut], main), group("carport", ids[cut:], main)]
    outer = group("garage", ids, main)
    inner = ids[: rng.randint(2, len(ids) - 1)]
    return [outer, group("subpanel", inner, outer["limit_a"] - 1)]


def _max_a(supply: Supply, charger: Raw) -> int:
    most = supply.unit_max_a(int(charger["breaker_a"]))
    return min(most, int(charger.get("power_level_a", most)))


def _group(
    rng: random.Random,
    supply: Supply,
    name: str,
    maxima: dict[str, int],
    ceiling_a: float,
) -> Raw:
    """Pick a limit in Tesla's valid range, below what feeds it, at a feeder rating."""
    low, high = network_limit_range(list(maxima.values()))
    # Below the sum of the units (else it never binds) and what feeds the group.
    high = min(high - 1 if high > low else high, int(ceiling_a))
    continuous = 0.8 if supply.split else 1.0
    ratings = US_FEEDERS if supply.split else EU_FEEDERS
    choices = [int(r * continuous) for r in ratings if low <= r * continuous <= high]
    limit = rng.choice(choices) if choices else max(low, high)
    return {"name": name, "limit_a": limit, "chargers": list(maxima)}


def _meter(rng: random.Random, duration_s: float) -> Raw:
    """Every 1-60 s, 0-20 s late; 30 % of sites have 1-2 stale windows of 1-20 min."""
    meter: Raw = {
        "interval": rng.choice((1, 2, 5, 10, 15, 30, 60)),
        "delay": rng.randint(0, 20),
    }
    if rng.random() < 0.3:
        windows = []
        for _ in range(rng.randint(1, 2)):
            length = rng.uniform(60, 1200)
            windows.append(
                {
                    "start": round(rng.uniform(0, duration_s - length)),
                    "duration": round(length),
                }
            )
        meter["stale"] = windows
    return meter
