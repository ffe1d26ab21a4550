"""What every controller is told about a site: the same facts for all of them."""

from dataclasses import dataclass

from simulator import Scenario, Site
from simulator.electrical import Supply


@dataclass(frozen=True)
class ChargerFacts:
    """One Wall Connector as installed."""

    charger_id: str
    phases: tuple[str, ...]
    max_current_a: int
    breaker_a: int
    grouped: bool


@dataclass(frozen=True)
class SiteFacts:
    """The site's limits and settings, as a user would enter them."""

    supply: Supply
    phases: tuple[str, ...]
    phase_voltage_v: float
    main_breaker_a: float
    safety_margin_a: float
    chargers: tuple[ChargerFacts, ...]
    network_limit_a: float | None
    charging_threshold_pct: float | None
    discharge_capability_w: float | None
    poll_s: float
    meter_stale_after_s: float

    @property
    def split_phase(self) -> bool:
        """Whether this is a US split-phase service."""
        return self.supply is Supply.SPLIT_PHASE

    @property
    def panel_limit_a(self) -> float:
        """Most grid current per phase a controller should plan for."""
        return self.main_breaker_a - self.safety_margin_a

    def fallback_a(self, charger: ChargerFacts) -> int:
        """Tesla's fallback fair limit: the network limit shared equally, bounded.

        Without a group, the main breaker is shared among all chargers.
        """
        pool = self.network_limit_a if charger.grouped else self.main_breaker_a
        members = [c for c in self.chargers if c.grouped == charger.grouped]
        share = int((pool or self.main_breaker_a) // max(len(members), 1))
        return max(0, min(share, charger.max_current_a))


def site_facts(scenario: Scenario, site: Site) -> SiteFacts:
    """Collect the facts of ``scenario`` (one group at most, as Tesla allows)."""
    spec = scenario.site
    if len(spec.groups) > 1:
        msg = f"{spec.name}: the benchmark supports one power-sharing group"
        raise ValueError(msg)
    group = spec.groups[0] if spec.groups else None
    chargers = tuple(
        ChargerFacts(
            charger_id=c.id,
            phases=c.phases,
            max_current_a=site.chargers[c.id].max_current_a,
            breaker_a=c.breaker_a,
            grouped=group is not None and c.id in group.chargers,
        )
        for c in spec.chargers
    )
    powerwall = spec.powerwall
    return SiteFacts(
        supply=spec.grid.supply,
        phases=spec.grid.phases,
        phase_voltage_v=spec.grid.phase_voltage_v,
        main_breaker_a=spec.main_breaker_a,
        safety_margin_a=scenario.management.safety_margin_a,
        chargers=chargers,
        network_limit_a=group.limit_a if group else None,
        charging_threshold_pct=spec.charging_threshold_pct if powerwall else None,
        discharge_capability_w=1000.0 * powerwall.max_discharge_kw
        if powerwall
        else None,
        poll_s=scenario.management.poll_s,
        meter_stale_after_s=scenario.management.meter_stale_after_s,
    )
