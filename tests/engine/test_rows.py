"""Limits as rows: circuits, the Powerwall over its phases, the blind site, power."""

from dataclasses import replace

from custom_components.tesla_power_mgmt.engine import (
    ChargerConfig,
    ChargerReading,
    CircuitConfig,
    LimitReason,
    MeterReading,
    OutageConfig,
    PowerwallReading,
    Readings,
    SiteConfig,
)
from custom_components.tesla_power_mgmt.engine.state import ChargerMemory, EngineState

from .helpers import all_asking, asking, chargers, pilots, reasons, run


def test_nested_circuits_each_keep_their_limit():
    # A 32 A sub-panel feeding c0 and c1 inside a 48 A group with c2.
    config = SiteConfig(
        chargers=(
            ChargerConfig("c0", 32, circuit="sub"),
            ChargerConfig("c1", 32, circuit="sub"),
            ChargerConfig("c2", 32, circuit="group"),
        ),
        circuits=(
            CircuitConfig("group", 48.0),
            CircuitConfig("sub", 32.0, parent="group"),
        ),
    )
    decision = run(config)
    assert pilots(decision) == [16, 16, 16]
    assert reasons(decision) == [LimitReason.NETWORK_LIMIT] * 3
    # With the group wider, only the sub-panel binds its two.
    wider = replace(config, circuits=(CircuitConfig("group", 80.0), config.circuits[1]))
    assert pilots(run(wider)) == [16, 16, 32]


def test_a_circuit_limits_only_the_chargers_behind_it():
    config = SiteConfig(
        chargers=(ChargerConfig("c0", 32, circuit="g"), ChargerConfig("c1", 32)),
        circuits=(CircuitConfig("g", 10.0),),
        panel_limit_a=100.0,
        panel_margin_a=0.0,
    )
    meter = MeterReading(at=0.0, phase_current_a=(20.0,))
    decision = run(config, Readings(all_asking(config), meter))
    assert pilots(decision) == [10, 32]
    assert decision.circuit_current_a == {"g": (0.0,)}


def test_fallback_fair_limit_is_the_tightest_circuit_shared():
    config = SiteConfig(
        chargers=(
            ChargerConfig("c0", 32, circuit="g"),
            ChargerConfig("c1", 32, circuit="g"),
        ),
        circuits=(CircuitConfig("g", 20.0),),
        network_limit_a=64.0,
    )
    # c0 cannot be read, its car seen at 10 A: the fallback limit, 20 A / 2.
    charging = EngineState(
        chargers={"c0": ChargerMemory(10, LimitReason.NETWORK_LIMIT, 0.0)}
    )
    decision = run(config, Readings((asking("c1"),)), state=charging)
    assert decision.chargers["c0"].pilot_a == 10
    assert decision.chargers["c0"].reason is LimitReason.FALLBACK_UNREACHABLE
    assert decision.chargers["c1"].pilot_a == 10


def test_an_unreachable_unit_with_no_car_known_is_reserved_its_maximum_unseen():
    """A car may arrive at its own setting: the group no meter sees keeps 32 A."""
    config = SiteConfig(
        chargers=(
            ChargerConfig("c0", 16, circuit="g"),
            ChargerConfig("c1", 32, circuit="g"),
        ),
        circuits=(CircuitConfig("g", 40.0),),
        panel_limit_a=100.0,
    )
    meter = MeterReading(0.0, phase_current_a=(0.0,))
    for memory in (None, ChargerMemory(0, LimitReason.NO_VEHICLE, 0.0)):
        state = EngineState(chargers={} if memory is None else {"c0": memory})
        decision = run(config, Readings((asking("c1"),), meter), state=state)
        assert pilots(decision) == [16, 24]
        # Remembered as "no vehicle" while blind: the next poll reserves the same.
        again = run(config, Readings((asking("c1"),), meter), state=decision.state)
        assert pilots(again) == [16, 24]
    # On the panel the meter sees it: no more than its fallback is reserved there.
    alone = replace(
        config,
        circuits=(),
        chargers=(
            replace(config.chargers[0], circuit=None),
            replace(config.chargers[1], circuit=None),
        ),
    )
    assert pilots(run(alone, Readings((asking("c1"),), meter))) == [16, 32]


def test_blind_site_has_one_budget_unreachable_units_included():
    """Five unreachable units and a stale meter: 6 A for the site, not 6 A each."""
    config = SiteConfig(chargers=chargers(5, max_a=32), panel_limit_a=40.0)
    memory = ChargerMemory(6, LimitReason.PANEL_HEADROOM, 0.0)
    state = EngineState(chargers={f"c{i}": memory for i in range(5)})
    stale = MeterReading(at=0.0, phase_current_a=(20.0,))
    first = run(config, Readings((), stale), now=100.0, state=state)
    assert pilots(first) == [6, 0, 0, 0, 0]
    second = run(config, Readings((), stale), now=110.0, state=first.state)
    assert sum(d.reserved_a[0] for d in second.chargers.values()) <= 6.0


def outage(backed: tuple[int, ...], margin_pct: float = 0.0) -> SiteConfig:
    return SiteConfig(
        chargers=(
            ChargerConfig("three", 32, phases=(0, 1, 2)),
            ChargerConfig("one", 32, phases=(0,)),
        ),
        phase_count=3,
        voltage_v=230.0,
        outage=OutageConfig(
            discharge_capability_w=11040.0,
            backed_up_phases=backed,
            margin_pct=margin_pct,
        ),
    )


def grid_down() -> PowerwallReading:
    return PowerwallReading(at=0.0, grid_up=False, battery_pct=90.0)


def test_a_powerwall_backing_every_phase_shares_its_power_over_them():
    # 11 040 W over three 230 V phases: 48 A of phase current in all.
    config = outage((0, 1, 2))
    three = asking("three", current=(0.0, 0.0, 0.0))
    decision = run(config, Readings((three, asking("one")), powerwall=grid_down()))
    used = sum(sum(d.reserved_a) for d in decision.chargers.values())
    assert used <= 48.0
    # Fair in power: the 1-phase car gets three times the 3-phase car's amps.
    assert pilots(decision) == [8, 24]
    assert reasons(decision) == [LimitReason.OUTAGE_BATTERY] * 2


def test_l1_only_backup_gives_a_three_phase_car_l1():
    config = outage((0,))
    three = asking("three", current=(0.0, 0.0, 0.0))
    decision = run(config, Readings((three, asking("one")), powerwall=grid_down()))
    assert decision.chargers["three"].reserved_a[1:] == (0.0, 0.0)
    assert decision.available_current_a[1:] == (0.0, 0.0)
    assert sum(d.reserved_a[0] for d in decision.chargers.values()) <= 48.0


def test_the_outage_margin_is_kept_unused():
    config = outage((0,), margin_pct=25.0)
    idle = ChargerReading("three", at=0.0, current_a=(0.0, 0.0, 0.0))
    decision = run(config, Readings((idle, asking("one")), powerwall=grid_down()))
    assert decision.outage_power_w == 11040.0 * 0.75
    assert decision.chargers["one"].pilot_a == 32  # 36 A of room, its own cap


def test_sharing_is_fair_in_power_not_in_amps():
    """A 1-phase car beside a 3-phase one, L1 short: equal power where possible."""
    config = SiteConfig(
        chargers=(
            ChargerConfig("three", 32, phases=(0, 1, 2)),
            ChargerConfig("one", 32, phases=(0,)),
        ),
        phase_count=3,
        voltage_v=230.0,
        network_limit_a=32.0,
    )
    three = asking("three", current=(0.0, 0.0, 0.0))
    decision = run(config, Readings((three, asking("one"))))
    # Level L (amps x phases): the 3-phase car L / 3 on each, the 1-phase L on
    # L1; L1 holds 32 A: L = 24, 8 A and 24 A, 5.5 kW each.
    assert pilots(decision) == [8, 24]


def test_an_unreachable_units_fallback_rises_paced():
    config = SiteConfig(chargers=chargers(2, max_a=32), network_limit_a=40.0)
    memory = ChargerMemory(10, LimitReason.FALLBACK_UNREACHABLE, 0.0)
    state = EngineState(chargers={"c0": memory})
    readings = Readings((asking("c1", 30.0, (14.0,)),))
    # Room for 20 A but the last fallback was 10 A set at 0 s: held 60 s.
    held = run(config, readings, now=30.0, state=state)
    assert held.chargers["c0"].pilot_a == 10
    later = replace(readings, chargers=(asking("c1", 61.0, (14.0,)),))
    assert run(config, later, now=61.0, state=state).chargers["c0"].pilot_a == 20


def test_a_charger_on_a_phase_not_backed_up_waits_for_the_grid():
    config = replace(
        outage((0,)),
        chargers=(
            ChargerConfig("three", 32, phases=(0, 1, 2)),
            ChargerConfig("l2", 32, phases=(1,)),
        ),
    )
    three = asking("three", current=(0.0, 0.0, 0.0))
    decision = run(config, Readings((three, asking("l2")), powerwall=grid_down()))
    assert decision.chargers["l2"].pilot_a == 0
    assert decision.chargers["l2"].reason is LimitReason.OUTAGE_BATTERY
