"""The real ``tesla_wall_connector`` client reads the simulated units over HTTP."""

import asyncio
import json

import aiohttp
import pytest
from tesla_wall_connector import WallConnector
from tesla_wall_connector.exceptions import WallConnectorError

from simulator import FaultKind, LiveSite

# Home Assistant's test plugin blocks sockets; these tests talk to 127.0.0.1.
pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_library_reads_every_endpoint(make_site):
    site = make_site(chargers=[{"id": "wc1"}, {"id": "wc2", "firmware": "eu_21.8.5"}])
    site.advance(30)
    async with LiveSite(site, speed=0) as live, aiohttp.ClientSession() as session:
        wc1 = WallConnector(live.hosts["wc1"], session=session)
        vitals = await wc1.async_get_vitals()
        assert vitals.evse_state == 11
        assert vitals.contactor_closed
        assert vitals.vehicle_current_a == pytest.approx(32, abs=0.2)
        assert vitals.relay_coil_v == 6.1  # new firmware: read through relay_k1_v
        assert (await wc1.async_get_lifetime()).energy_wh > 0
        assert (await wc1.async_get_version()).firmware_version.startswith("26.18.0")

        wc2 = WallConnector(live.hosts["wc2"], session=session)
        assert (await wc2.async_get_vitals()).evse_state == 1
        assert (await wc2.async_get_version()).part_number == "1529455-02-D"


async def test_library_repairs_the_quirks_like_the_real_payloads(
    make_site, real_payload
):
    site = make_site(
        chargers=[
            {
                "id": "wc1",
                "quirks": [
                    {"kind": "nan", "endpoint": "lifetime"},
                    {"kind": "missing_brace", "endpoint": "vitals", "every": 2},
                ],
            }
        ]
    )
    async with LiveSite(site, speed=0) as live, aiohttp.ClientSession() as session:
        url = f"http://{live.hosts['wc1']}/api/1/"
        async with session.get(url + "lifetime") as response:
            lifetime_body = await response.text()
        async with session.get(url + "vitals") as response:
            first_vitals = await response.text()
        async with session.get(url + "vitals") as response:
            second_vitals = await response.text()

        # Same bare token, in the same place, as the untouched device bytes.
        real = real_payload("lifetime_eu_fw21.8.5_nan_raw_trixing.txt")
        assert '"avg_startup_temp":nan,' in real
        assert '"avg_startup_temp":nan,' in lifetime_body
        with pytest.raises(json.JSONDecodeError):
            json.loads(lifetime_body)
        json.loads(first_vitals)
        assert not second_vitals.endswith("}")
        json.loads(second_vitals + "}")

        wc = WallConnector(live.hosts["wc1"], session=session)
        assert (await wc.async_get_lifetime()).avg_startup_temp is None
        assert (await wc.async_get_vitals()).evse_state in (1, 4, 11)
        assert (await wc.async_get_vitals()).evse_state in (1, 4, 11)


async def fetch_error(host: str, timeout_s: float = 1.0) -> type[BaseException] | int:
    """Status of one plain request, or the exception class it raised."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        try:
            async with session.get(f"http://{host}/api/1/vitals") as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            return type(err)


async def test_faults_on_demand(make_site):
    site = make_site()
    unit = site.chargers["wc1"]
    async with LiveSite(site, speed=0, timeout_hold_s=0.5) as live:
        host = live.hosts["wc1"]
        assert await fetch_error(host) == 200

        unit.inject_fault(FaultKind.HTTP_500, site.now, 60)
        assert await fetch_error(host) == 500
        async with aiohttp.ClientSession() as session:
            with pytest.raises(WallConnectorError):
                await WallConnector(host, session=session).async_get_vitals()

        unit.clear_faults()
        unit.inject_fault(FaultKind.UNREACHABLE, site.now, 60)
        assert await fetch_error(host) is aiohttp.ServerDisconnectedError

        unit.clear_faults()
        unit.inject_fault(FaultKind.TIMEOUT, site.now, 60)
        assert await fetch_error(host, timeout_s=0.2) is TimeoutError

        site.advance(61)  # the injected fault ends by itself
        assert await fetch_error(host) == 200


async def test_scheduled_reboot_restarts_uptime_and_pauses_charging(make_site):
    site = make_site(
        chargers=[
            {
                "id": "wc1",
                "faults": [{"kind": "reboot", "start": "17:10", "duration": "1m"}],
            }
        ]
    )
    unit = site.chargers["wc1"]
    site.advance(590)
    uptime_before = unit.uptime_s(site.now)
    assert unit.current_a > 0
    site.advance(30)
    assert unit.current_a == 0
    assert not unit.reachable(site.now)
    site.advance(60)
    assert unit.reachable(site.now)
    assert unit.current_a > 0
    assert unit.uptime_s(site.now) < 60 < uptime_before


async def test_sim_endpoints_drive_the_vehicle(make_site):
    site = make_site()
    async with LiveSite(site, speed=0) as live, aiohttp.ClientSession() as session:
        base = f"http://{live.hosts['wc1']}/sim/"
        async with session.post(
            base + "vehicle/charge_current", json={"amps": 12}
        ) as response:
            assert response.status == 200
        site.advance(5)
        assert site.chargers["wc1"].current_a == 32  # latency not yet passed
        site.advance(10)
        async with session.get(base + "state") as response:
            state = await response.json()
        assert state["current_a"] == 12
        assert state["vehicle"]["charge_current_a"] == 12

        async with session.post(
            base + "vehicle/charging", json={"on": False}
        ) as response:
            assert response.status == 200
        async with session.post(
            base + "fault", json={"kind": "http_500", "duration_s": 5}
        ) as response:
            assert response.status == 200
        assert await fetch_error(live.hosts["wc1"]) == 500
        async with session.delete(base + "fault") as response:
            assert response.status == 200
        site.advance(15)
        assert site.chargers["wc1"].current_a == 0


async def test_real_time_clock_runs_and_stops_by_itself(make_site):
    site = make_site(duration="20s")
    async with LiveSite(site, speed=200.0, tick_s=1.0):
        for _ in range(200):  # bounded wait; the site ends after 20 simulated s
            if site.done:
                break
            await asyncio.sleep(0.01)
    assert site.done
