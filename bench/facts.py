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
    # Names of the groups it is behind, innermost first.
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupFacts:
    """A power-sharing group as commissioned: its network limit and members."""

    name: str
    limit_a: float
    chargers: tuple[str, ...]
    # The smallest group this one sits inside (None: directly in the panel).
    parent: str | None = None


@dataclass(frozen=True)
class SiteFacts:
    """The site's limits and settings, as a user would enter them."""

    supply: Supply
    phases: tuple[str, ...]
    phase_voltage_v: float
    main_breaker_a: float
    safety_margin_a: float
    chargers: tuple[ChargerFacts, ...]
    charging_threshold_pct: float | None
    discharge_capability_w: float | None
    poll_s: float
    meter_stale_after_s: float
    groups: tuple[GroupFacts, ...] = ()
    # Phases the Powerwall keeps live in an outage (None: no Powerwall).
    backup_phases: tuple[str, ...] | None = None

    @property
    def split_phase(self) -> bool:
        """Whether this is a US split-phase service."""
        return self.supply is Supply.SPLIT_PHASE

    @property
    def panel_limit_a(self) -> float:
        """Most grid current per phase a controller should plan for."""
        return self.main_breaker_a - self.safety_margin_a

    @property
    def network_limit_a(self) -> float | None:
        """One network limit for a controller that takes one: the tightest group's.

        Entered for every charger it keeps every group within its own limit.
        """
        return min((g.limit_a for g in self.groups), default=None)

    def group(self, name: str) -> GroupFacts:
        """Return the group called ``name``."""
        return next(g for g in self.groups if g.name == name)

    def fallback_a(self, charger: ChargerFacts) -> int:
        """Tesla's fallback fair limit: each group's limit shared equally, bounded.

        The tightest of the charger's groups decides; without a group, the
        main breaker is shared among the chargers behind no group.
        """
        shares = [
            self.group(name).limit_a / len(self.group(name).chargers)
            for name in charger.groups
        ]
        if not shares:
            alone = [c for c in self.chargers if not c.grouped]
            shares = [self.main_breaker_a / max(len(alone), 1)]
        return max(0, min(int(min(shares)), charger.max_current_a))


def _group_facts(scenario: Scenario) -> tuple[GroupFacts, ...]:
    spec = scenario.site
    facts = []
    for group in spec.groups:
        members = set(group.chargers)
        outer = [
            g
            for g in spec.groups
            if g is not group and members <= set(g.chargers) and g.chargers
        ]
        outer.sort(key=lambda g: (len(g.chargers), g.limit_a))
        facts.append(
            GroupFacts(
                name=group.name,
                limit_a=group.limit_a,
                chargers=group.chargers,
                parent=outer[0].name if outer else None,
            )
        )
    return tuple(facts)


def site_facts(scenario: Scenario, site: Site) -> SiteFacts:
    """Collect the facts of ``scenario``: every group, the backed-up phases."""
    spec = scenario.site
    chargers = tuple(
        ChargerFacts(
            charger_id=c.id,
            phases=c.phases,
            max_current_a=site.chargers[c.id].max_current_a,
            breaker_a=c.breaker_a,
            grouped=bool(spec.groups_of(c.id)),
            groups=tuple(g.name for g in spec.groups_of(c.id)),
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
        charging_threshold_pct=spec.charging_threshold_pct if powerwall else None,
        discharge_capability_w=1000.0 * powerwall.max_discharge_kw
        if powerwall
        else None,
        poll_s=scenario.management.poll_s,
        meter_stale_after_s=scenario.management.meter_stale_after_s,
        groups=_group_facts(scenario),
        backup_phases=spec.live_backup_phases if powerwall else None,
    )
