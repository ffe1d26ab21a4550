"""Static limits from the hardware and the rules for a group's network limit."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
import math

MIN_CURRENT_A = 6
"""The lowest pilot a charging unit is given (J1772 / IEC 61851 minimum)."""


class Region(StrEnum):
    """Electrical code that sets how much of a breaker a continuous load may use."""

    NEC = "nec"  # North America: continuous loads at 80 % of the breaker
    IEC = "iec"  # Europe and elsewhere: 100 % of the breaker

    @property
    def continuous_fraction(self) -> float:
        """Share of the breaker rating a charger may draw continuously."""
        return 0.8 if self is Region.NEC else 1.0


def charger_max_current(
    region: Region,
    breaker_a: float,
    nameplate_a: int,
    power_level_a: int | None = None,
) -> int:
    """Return a charger's maximum in whole amps: breaker rule, nameplate, power level.

    >>> charger_max_current(Region.NEC, 60, 48)
    48
    """
    # Round down the breaker share: 80 % of a 15 A breaker is 12 A, never 12.5.
    from_breaker = math.floor(breaker_a * region.continuous_fraction + 1e-9)
    allowed = min(from_breaker, nameplate_a)
    if power_level_a is not None:
        allowed = min(allowed, power_level_a)
    return max(allowed, 0)


def network_limit_range(unit_max_currents: Sequence[int]) -> tuple[int, int]:
    """Return the valid network limits: 6 A per unit up to the sum of unit maximums.

    >>> network_limit_range([48] * 6)
    (36, 288)
    """
    return MIN_CURRENT_A * len(unit_max_currents), sum(unit_max_currents)


def validate_network_limit(
    network_limit_a: float, unit_max_currents: Sequence[int]
) -> None:
    """Raise ``ValueError`` unless the network limit is valid for these units."""
    low, high = network_limit_range(unit_max_currents)
    if not low <= network_limit_a <= high:
        msg = f"network limit {network_limit_a} A outside {low} A to {high} A"
        raise ValueError(msg)


def fallback_limit(network_limit_a: float, network_size: int, unit_max_a: int) -> int:
    """Return the fallback fair limit: the network limit shared equally, bounded.

    >>> fallback_limit(80, 3, 48), fallback_limit(200, 2, 48)
    (26, 48)
    """
    share = math.floor(network_limit_a / max(network_size, 1) + 1e-9)
    return max(min(share, unit_max_a), 0)
