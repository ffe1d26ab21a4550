"""The summary of a many-site run and ours' worst sites."""

from bench.summary import percentile, summarize, worst_sites


def _run(kwh, self_caused=0.0, overload=0.0, trips=0, per_hour=4.0):
    return {
        "ev_energy_kwh": kwh,
        "self_caused_overload_amp_seconds": self_caused,
        "overload_amp_seconds": overload,
        "breaker_trips": trips,
        "commands_per_hour": per_hour,
    }


DOCUMENT = {
    "scenarios": {
        "a": {
            "ours": _run(9.0, per_hour=2.0),
            "tesla": _run(10.0, self_caused=50.0, overload=80.0, per_hour=0.0),
            "ceiling": {"ev_energy_kwh": 10.0},
            "upper_bound": {"ev_energy_kwh": 11.0},
        },
        "b": {
            "ours": _run(5.0, self_caused=12.0, overload=12.0, trips=1, per_hour=8.0),
            "tesla": _run(4.0, per_hour=1.0),
            "ceiling": {"ev_energy_kwh": 5.0},
        },
        "c": {
            "ours": _run(0.0, overload=30.0, per_hour=6.0),
            "tesla": _run(0.0),
            "ceiling": {"ev_energy_kwh": 0.0},
        },
    }
}


def test_summary_counts_sites_trips_ratios_and_command_rates():
    summary = summarize(DOCUMENT)
    assert summary["ours"] == {
        "sites": 3,
        "sites_with_self_caused_overload": 1,
        "breaker_trips": 1,
        "sites_with_trips": 1,
        "energy_over_ceiling_min": 0.9,  # site c has nothing to get: skipped
        "energy_over_ceiling_median": 0.95,
        "commands_per_hour_median": 6.0,
        "commands_per_hour_p95": 8.0,
    }
    assert summary["tesla"]["sites_with_self_caused_overload"] == 1
    assert summary["tesla"]["energy_over_ceiling_min"] == 0.8


def test_worst_sites_rank_self_caused_overload_first_and_say_why():
    worst = worst_sites(DOCUMENT, "ours", count=2)
    assert [v.site for v in worst] == ["b", "c"]
    assert worst[0].reason == (
        "self-caused overload 12 A·s; 1 breaker trip; energy 100.0 % of the ceiling"
    )
    assert worst[1].reason == "overload beyond grace 30 A·s"


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0
