"""Screenshots for the README, taken from a running development Home Assistant.

    .venv/bin/python -m e2e.docs_screenshots --url http://127.0.0.1:8123

Logs in as the development user, then saves the dashboard's two views and a
history chart of the last ``--minutes`` to ``docs/images/`` as small PNGs.
Let the simulated site run a while first (``SIM_SPEED=20`` helps) and trigger
an event or two from the Simulator card, so the charts show something.
"""

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sys
import tempfile
import urllib.parse

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from e2e.run import CHROMIUM, CHROMIUM_ARGS, Browser, log, log_in

HISTORY = (
    "sensor.garage_vehicle_current",
    "sensor.garage_pilot_current",
    "sensor.sim_meter_current",
    "sensor.home_power_meter_headroom",
    "binary_sensor.sim_powerwall_grid_status",
    "switch.simulator_appliance_spike",
    "sensor.garage_limit_reason",
)


def shrink(path: Path, width: int = 1000) -> None:
    """Scale a screenshot down and reduce its colours to keep the PNG small."""
    with Image.open(path) as image:
        height = round(image.height * width / image.width)
        small = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
        small.quantize(colors=128, dither=Image.Dither.NONE).save(path, optimize=True)


def main() -> int:
    """Take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--minutes", type=int, default=12)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="docs-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        ui = Browser(context, args.url, args.out)
        log_in(ui)
        shots: list[tuple[str, str, str]] = [
            ("/tesla-power/site", "Powerwall and solar", "dashboard-site"),
            ("/tesla-power/chargers", "Driveway", "dashboard-chargers"),
        ]
        end = datetime.now(UTC)
        start = end - timedelta(minutes=args.minutes)
        query = urllib.parse.urlencode(
            {
                "entity_id": ",".join(HISTORY),
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
            }
        )
        shots.append((f"/history?{query}", "History", "history"))
        for path, text, name in shots:
            ui.go(path)
            expect(ui.page.get_by_text(text).first).to_be_visible()
            ui.page.wait_for_timeout(3000)
            target = args.out / f"{name}.png"
            ui.page.screenshot(path=str(target))
            shrink(target)
            log(f"saved {target} ({target.stat().st_size // 1024} KiB)")
        context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
