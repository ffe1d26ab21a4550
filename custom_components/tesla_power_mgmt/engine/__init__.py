"""Power-management engine for Tesla Gen 3 Wall Connectors; pure Python, stdlib only.

Given the site's configuration, the latest readings (each with the time it was
last reported) and ``now``, ``evaluate`` returns for every charger a whole-amp
pilot current and the reason for it. It is deterministic: no clock, no
randomness; everything it remembers is in the ``EngineState`` it returns.

Usage::

    config = SiteConfig(
        chargers=(ChargerConfig("garage", max_current_a=32),),
        phase_count=1,
        voltage_v=240,
        panel_limit_a=100,
    )
    state = EngineState.initial()
    decision = evaluate(config, readings, state, now)
    decision.chargers["garage"].pilot_a, decision.chargers["garage"].reason
    state = decision.state  # pass it to the next evaluation

API
---
- ``evaluate(config: SiteConfig, readings: Readings, state: EngineState,
  now: float) -> Decision``: pure and deterministic (no clock, no randomness).
- Configuration (frozen dataclasses with defaults): ``SiteConfig``,
  ``ChargerConfig`` (``ChargerConfig.from_hardware`` derives the maximum from
  region, breaker, nameplate and power level), ``OutageConfig``, ``Timing``.
- Readings, each with ``at`` = when it was last reported: ``ChargerReading``,
  ``MeterReading``, ``PowerwallReading``, bundled in ``Readings``.
- Result: ``Decision`` (site figures and the next ``state``) with a
  ``ChargerDecision`` per charger (``pilot_a``, ``reason``, ``target_a``,
  ``max_current_a``, ``reserved_a``, ``not_following``).
- ``EngineState.initial()``; ``ChargerMemory`` is what it holds per charger.
- Enums: ``Region`` (``nec`` 80 % rule, ``iec`` 100 %), ``LimitReason``
  (snake_case values, used as translation keys), ``SiteInput`` (stale inputs).
- Helpers for the config flow: ``charger_max_current(region, breaker_a,
  nameplate_a, power_level_a=None) -> int``, ``network_limit_range(
  unit_max_currents) -> (min_a, max_a)``, ``validate_network_limit(
  network_limit_a, unit_max_currents)`` (raises ``ValueError``),
  ``fallback_limit(network_limit_a, network_size, unit_max_a) -> int``;
  ``MIN_CURRENT_A`` = 6.

Limits, all per phase: the charger's own maximum (power level, breaker,
nameplate), the group's network limit, the panel headroom from the meter, and
in a grid outage the Powerwall's budget on L1. Vehicles asking for current are
admitted at 6 A by priority and turn, and share the rest max-min fairly.

Safety uses what is measured: a reachable managed charger loads its phases
with max(pilot, measured current), always, so the current freed by a
decrease goes to others only once the decrease is measured (a vehicle takes
5-30 s to follow a command, one never commanded draws what it likes), while
the decrease itself acts at once. Wherever the measured load fits a limit,
the sum of those reservations fits it too; where it does not (vehicles that
have not yet reacted, a load spike), no pilot on that phase rises.

A pilot is budgeted only on the phases its vehicle draws on (a single-phase
car on a three-phase unit), its measured current on the others. While the
meter or Powerwall is stale no pilot rises, and each is lowered to the stale
budget (default 6 A, the lowest charging current). A vehicle just raised is
not lowered by its own draw seen by the meter before its unit shows it (the
measurement-lag credit, holds only), nor is another lowered by a vehicle's
fall its unit shows before a late meter does (the same credit for falls).
A small excess over a pilot is taken as a meter offset only once that
pilot has stood for the follow grace (not while the vehicle is on its way
down to it). A vehicle paused by the outage budget starts at once when the
grid is back, and one paused for ten minutes or more (a heat pump's cycle,
a rotation's wait) resumes after 30 s of room instead of the full resume
delay. A vehicle that does not follow is
latched as such until it has followed for a while, its pilot held. Current
freed an amp at a time reaches the others once it has stayed free for
``small_rise_after_s``.

See the module docstrings of ``budget``, ``allocator``, ``pacing`` and
``evaluate`` for the rules chosen where the product brief is silent.
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
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
    SiteInput,
    Timing,
)
from .state import ChargerMemory, EngineState

__all__ = [
    "MIN_CURRENT_A",
    "ChargerConfig",
    "ChargerDecision",
    "ChargerMemory",
    "ChargerReading",
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
    "validate_network_limit",
]
