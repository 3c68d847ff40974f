"""The episode page on a slow phone: DOMContentLoaded and the cost of one `timeupdate` in the
page's script, under 4x CPU throttling and a 1.6 Mbps / 150 ms network (Chromium via CDP).

    .venv/bin/python bench/player.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.build import build  # noqa: E402
from toolkit.serve import PreviewState, make_preview_server  # noqa: E402

SLUG = "001-antony-passemard"
# Times every timeupdate listener the page adds, before the page's own script runs.
TIMING = """
window.__timeupdates = [];
const add = EventTarget.prototype.addEventListener;
EventTarget.prototype.addEventListener = function (type, listener, options) {
  if (type === "timeupdate" && typeof listener === "function") {
    const timed = function (event) {
      const started = performance.now();
      listener.call(this, event);
      window.__timeupdates.push(performance.now() - started);
    };
    return add.call(this, type, timed, options);
  }
  return add.call(this, type, listener, options);
};
"""


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("bench/player.py: chromium: install Debian's chromium package")
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        server = make_preview_server(site, 0, PreviewState(version=1))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        build(ROOT / "episodes", site, base_url=url)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--mute-audio"]
            )
            loads = []
            for _ in range(3):
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                cdp.send("Network.enable")
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 150,
                        "downloadThroughput": 1_600_000 / 8,
                        "uploadThroughput": 750_000 / 8,
                    },
                )
                page.add_init_script(TIMING)
                page.goto(f"{url}{SLUG}/", wait_until="load")
                loads.append(
                    page.evaluate(
                        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
                    )
                )
                page.wait_for_function("document.querySelector('audio').readyState >= 1")
                # Seek across the whole episode: each seek fires timeupdate.
                page.evaluate(
                    """async () => {
                      const audio = document.querySelector('audio');
                      for (let t = 0; t < audio.duration; t += 7) {
                        audio.currentTime = t;
                        await new Promise(r => audio.addEventListener('timeupdate', r, {once: true}));
                      }
                    }"""
                )
                ticks = page.evaluate("window.__timeupdates")
                page.close()
            browser.close()
        server.shutdown()
    ticks.sort()
    print(
        f"episode page DOMContentLoaded (4x CPU, 1.6 Mbps / 150 ms): "
        f"median {statistics.median(loads):.0f} ms of {[round(x) for x in loads]}"
    )
    print(
        f"timeupdate handler, 4x CPU, {len(ticks)} calls: median {statistics.median(ticks):.3f} ms,"
        f" 95th percentile {ticks[int(len(ticks) * 0.95)]:.3f} ms, max {ticks[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
