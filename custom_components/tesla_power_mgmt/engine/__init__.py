"""Power-management engine for Tesla Gen 3 Wall Connectors; pure Python, stdlib only.

``evaluate(config, readings, state, now) -> Decision`` gives each charger a
whole-amp pilot and its reason; ``decision.state`` goes to the next call.
Deterministic: no clock, no randomness. The rules are in docs/engine.md.
"""

from .decision import ChargerDecision, Decision
from .evaluate import evaluate, site_fallback_limit
from .limits import (
    MIN_CURRENT_A,
    Region,
    charger_max_current,
    fallback_limit,
    network_limit_range,
    validate_network_limit,
)
from .model import (
    ChargerConfig,
    ChargerReading,
    CircuitConfig,
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
    SiteInput,
    Timing,
)
from .persist import state_from_dict, state_to_dict
from .state import ChargerMemory, EngineState

__all__ = [
    "MIN_CURRENT_A",
    "ChargerConfig",
    "ChargerDecision",
    "ChargerMemory",
    "ChargerReading",
    "CircuitConfig",
    "Decision",
    "EngineState",
    "LimitReason",
    "MeterReading",
    "OutageConfig",
    "PowerwallReading",
    "Readings",
    "Region",
    "SiteConfig",
    "SiteInput",
    "Timing",
    "charger_max_current",
    "evaluate",
    "fallback_limit",
    "network_limit_range",
    "site_fallback_limit",
    "state_from_dict",
    "state_to_dict",
    "validate_network_limit",
]
