"""Where each charger's current counts: rows, one limit on one phase each.

The site's phases come first, then every circuit on every phase, then (in an
outage) one row for the Powerwall's power over all its backed-up phases, on
which a vehicle counts once per backed-up phase it draws on. The sharing and
the fit work on rows (docs/engine.md, "Limits").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .allocator import Demand, Request
from .budget import SiteBudget
from .model import ChargerConfig, LimitReason, SiteConfig


@dataclass(frozen=True, slots=True)
class Layout:
    """The rows of one evaluation: capacity, reason, and each charger's rows."""

    capacity_a: tuple[float, ...]
    reasons: tuple[LimitReason, ...]
    rows: Mapping[str, tuple[tuple[int, ...], ...]]  # [charger][site phase]
    unseen: tuple[bool, ...]  # a limit no meter measures: a network, a stale input

    def spread(self, charger_id: str, per_phase: Sequence[float]) -> list[float]:
        """Return a per-phase current as what it adds on every row."""
        added = [0.0] * len(self.capacity_a)
        for phase, current in enumerate(per_phase):
            if current:
                for row in self.rows[charger_id][phase]:
                    added[row] += current
        return added

    def demand(self, charger_id: str, demand: Demand) -> Demand:
        """Return a demand on site phases as a demand on rows, fair in power."""
        rows, floors = self._expand(charger_id, demand.phases, demand.floor_a)
        return Demand(rows, demand.cap_a, floors, len(demand.phases))

    def request(self, charger_id: str, request: Request) -> Request:
        """Return a request on site phases as a request on rows."""
        rows, drawn = self._expand(charger_id, request.phases, request.drawn_a)
        return Request(
            rows, request.pilot_a, drawn, request.previous_a, len(request.phases)
        )

    def _expand(
        self, charger_id: str, phases: tuple[int, ...], values: tuple[float, ...]
    ) -> tuple[tuple[int, ...], tuple[float, ...]]:
        rows: list[int] = []
        expanded: list[float] = []
        for phase, value in zip(phases, values, strict=True):
            for row in self.rows[charger_id][phase]:
                rows.append(row)
                expanded.append(value)
        return tuple(rows), tuple(expanded)


def layout(config: SiteConfig, budget: SiteBudget, site_a: tuple[float, ...]) -> Layout:
    """Return the rows for this evaluation; ``site_a``: the site phases' capacity."""
    count = config.phase_count
    circuit_row = {
        circuit.circuit_id: count + index * count
        for index, circuit in enumerate(config.circuits)
    }
    capacity = list(site_a)
    reasons = list(budget.reasons)
    unseen = [
        config.network_limit_a is not None or reason is LimitReason.STALE_INPUT
        for reason in reasons
    ]
    for circuit in config.circuits:
        capacity.extend([float(circuit.limit_a)] * count)
        reasons.extend([LimitReason.NETWORK_LIMIT] * count)
        unseen.extend([True] * count)
    outage_row = None
    if budget.outage_row_a is not None:
        outage_row = len(capacity)
        capacity.append(budget.outage_row_a)
        reasons.append(budget.outage_reason)
        unseen.append(False)
    parents = {circuit.circuit_id: circuit.parent for circuit in config.circuits}
    backed = config.outage.backed_up_phases if config.outage is not None else ()
    rows = {}
    for charger in config.chargers:
        path = circuit_path(charger, parents)
        rows[charger.charger_id] = tuple(
            (phase, *(circuit_row[c] + phase for c in path))
            + ((outage_row,) if outage_row is not None and phase in backed else ())
            for phase in range(count)
        )
    return Layout(tuple(capacity), tuple(reasons), rows, tuple(unseen))


def circuit_path(
    charger: ChargerConfig, parents: Mapping[str, str | None]
) -> tuple[str, ...]:
    """Return the circuits a charger is behind, innermost first."""
    path: list[str] = []
    current = charger.circuit
    while current is not None:
        path.append(current)
        current = parents[current]
    return tuple(path)


def circuit_currents(
    config: SiteConfig, measured: Sequence[tuple[float, ...] | None]
) -> dict[str, tuple[float, ...]]:
    """Return the measured current behind each circuit, per site phase."""
    parents = {circuit.circuit_id: circuit.parent for circuit in config.circuits}
    totals = {circuit_id: [0.0] * config.phase_count for circuit_id in parents}
    for charger, per_phase in zip(config.chargers, measured, strict=True):
        if per_phase is None:
            continue
        for circuit_id in circuit_path(charger, parents):
            for phase, current in enumerate(per_phase):
                totals[circuit_id][phase] += current
    return {circuit_id: tuple(total) for circuit_id, total in totals.items()}
