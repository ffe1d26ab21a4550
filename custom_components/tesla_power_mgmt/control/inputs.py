"""Entity values as the loop accepts them: finite numbers in range, or nothing."""

from __future__ import annotations

import math
from typing import Any

from .model import CurrentNumber


def current_number(
    value: Any, minimum: Any, maximum: Any, step: Any
) -> CurrentNumber | None:
    """Return a number entity's state and range; None when the range is unusable.

    An unreadable state is kept as an unknown value (the range still
    bounds what is written); a range that is not finite is no range at all.
    """
    low, high, stride = _finite(minimum), _finite(maximum), _finite(step)
    if low is None or high is None or high < low or low < 0:
        return None
    if stride is None or stride <= 0:
        stride = 1.0
    return CurrentNumber(_finite(value), low, high, stride)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except TypeError, ValueError:
        return None
    return number if math.isfinite(number) else None
