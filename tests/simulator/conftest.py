"""Shared fixtures for the simulator tests."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator import Site, scenario_from_dict

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "real"


@pytest.fixture
def real_payload() -> Callable[[str], str]:
    """Read a real captured Wall Connector payload by file name."""

    def read(name: str) -> str:
        path = REAL / "wall_connector" / name
        if not path.exists():
            pytest.skip(f"real fixtures not available at {REAL}")
        return path.read_text(encoding="utf-8")

    return read


def small_site_raw(**overrides: Any) -> dict[str, Any]:
    """A small US site: one Wall Connector with one car plugged in from t=0."""
    raw: dict[str, Any] = {
        "name": "test",
        "start": "17:00",
        "duration": "3h",
        "site": {"supply": "split_phase", "main_breaker_a": 100},
        "chargers": [{"id": "wc1"}],
        "vehicles": [
            {
                "name": "car1",
                "charger": "wc1",
                "battery_kwh": 60,
                "soc": 40,
                "target_soc": 80,
                "arrive": "17:00",
                "depart": "19:00",
                "max_current_a": 32,
                "latency": "10s",
            }
        ],
    }
    raw.update(overrides)
    return raw


@pytest.fixture
def make_site() -> Callable[..., Site]:
    """Build a small site, with top-level scenario keys overridden."""

    def build(**overrides: Any) -> Site:
        return Site(scenario_from_dict(small_site_raw(**overrides)).site)

    return build
