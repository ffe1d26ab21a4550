"""Byte-exact JSON the way the Wall Connector firmware writes it.

The firmware writes compact JSON with a fixed number of decimals per field
(``"grid_hz":50.130``, ``"session_energy_wh":506.800``, ``"prox_v":0.0``), which
``json.dumps`` cannot reproduce, and sometimes a bare ``nan`` or no closing
brace. This module renders ordered fields exactly so.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import json


@dataclass(frozen=True)
class Fixed:
    """A number written with a fixed count of decimals."""

    value: float
    decimals: int = 1

    def render(self) -> str:
        """Return the number as the firmware's printf does (``-0.0`` included)."""
        return f"{self.value:.{self.decimals}f}"


@dataclass(frozen=True)
class Bare:
    """A token written as is, such as the firmware's invalid ``nan``."""

    token: str


type Value = bool | int | str | Fixed | Bare | Sequence[int]
type Fields = Sequence[tuple[str, Value]]


def render_value(value: Value) -> str:
    """One JSON value."""
    match value:
        case bool():
            return "true" if value else "false"
        case int():
            return str(value)
        case str():
            return json.dumps(value)
        case Fixed():
            return value.render()
        case Bare():
            return value.token
        case _:
            return "[" + ",".join(str(item) for item in value) + "]"


def render(fields: Fields, *, close: bool = True) -> str:
    """Return a compact JSON object; ``close=False`` drops the final brace."""
    body = ",".join(f"{json.dumps(key)}:{render_value(value)}" for key, value in fields)
    return "{" + body + ("}" if close else "")
