"""Admission at 6 A and water-filling in whole amps."""

import math

from custom_components.tesla_power_mgmt.engine.allocator import Demand, Grant, allocate


def one_phase(cap: int, floor: float = 0.0) -> Demand:
    return Demand((0,), cap, (floor,))


def test_equal_shares_with_the_remainder_in_order():
    grants = allocate([40.0], [0.0], [one_phase(48)] * 3)
    assert [g.pilot_a for g in grants] == [14, 13, 13]
    assert all(g.limited_by == 0 for g in grants)


def test_capped_demands_free_current_for_the_others():
    grants = allocate(
        [100.0], [0.0], [one_phase(32), one_phase(32), one_phase(25), one_phase(20)]
    )
    assert [g.pilot_a for g in grants] == [28, 27, 25, 20]
    assert [g.limited_by for g in grants] == [0, 0, None, None]


def test_unlimited_phase_gives_every_cap():
    grants = allocate([math.inf], [0.0], [one_phase(48), one_phase(6)])
    assert grants == [Grant(48, None), Grant(6, None)]


def test_admission_in_order_when_6_a_each_does_not_fit():
    grants = allocate([17.0], [0.0], [one_phase(48)] * 3)
    assert [g.pilot_a for g in grants] == [9, 8, 0]
    assert grants[2] == Grant(0, 0, starved=False)


def test_starved_when_nobody_can_have_6_a():
    grants = allocate([5.0], [0.0], [one_phase(48)])
    assert grants == [Grant(0, 0, starved=True)]


def test_committed_load_is_respected():
    grants = allocate([30.0], [12.0], [one_phase(48)] * 2)
    assert [g.pilot_a for g in grants] == [9, 9]


def test_floor_of_a_vehicle_not_following_is_counted_whatever_its_pilot():
    # The first draws 20 A regardless; 20 A of the 40 A are already committed.
    grants = allocate([40.0], [20.0], [one_phase(48, floor=20.0), one_phase(48)])
    assert [g.pilot_a for g in grants] == [20, 20]
    assert (
        sum(max(g.pilot_a, f) for g, f in zip(grants, (20.0, 0.0), strict=True)) <= 40
    )


def test_three_phase_demand_bounded_by_its_tightest_phase():
    demands = [Demand((0, 1, 2), 32, (0.0, 0.0, 0.0)), Demand((1,), 32, (0.0,))]
    grants = allocate([32.0, 20.0, 32.0], [0.0, 0.0, 0.0], demands)
    assert [g.pilot_a for g in grants] == [10, 10]
    assert grants[0].limited_by == 1


def test_single_phase_demands_fill_other_phases():
    demands = [
        Demand((0, 1, 2), 32, (0.0,) * 3),
        Demand((0,), 32, (0.0,)),
        Demand((2,), 32, (0.0,)),
    ]
    grants = allocate([30.0, 10.0, 40.0], [0.0] * 3, demands)
    assert [g.pilot_a for g in grants] == [10, 20, 30]
    assert [g.limited_by for g in grants] == [0, 0, 2]


def test_phase_already_over_its_capacity():
    # A non-following vehicle draws 30 A on a 25 A budget: nobody else gets in.
    demands = [one_phase(48, floor=30.0), one_phase(48)]
    grants = allocate([25.0], [30.0], demands)
    assert [g.pilot_a for g in grants] == [6, 0]
    assert grants[0].limited_by == 0
    assert grants[1].starved


def test_remainder_skips_demands_whose_other_phase_is_full():
    demands = [
        Demand((1, 0), 32, (0.0, 0.0)),
        Demand((0,), 32, (0.0,)),
        Demand((0,), 32, (0.0,)),
    ]
    grants = allocate([23.0, 7.0], [0.0, 0.0], demands)
    assert [g.pilot_a for g in grants] == [7, 8, 8]
    assert [g.limited_by for g in grants] == [1, 0, 0]
