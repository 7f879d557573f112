"""The app as a visitor meets it: start ``streamlit run``, open the Draw page in
Chromium, draw strokes with the mouse, and read the server's memory from /proc."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digits.bench.speed import ROOT, child_env

CHROMIUM = "/usr/bin/chromium"
DRAWING_LAYER = "canvas.upper-canvas"  # fabric.js layer that takes the mouse (drawable-canvas)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@dataclass(frozen=True)
class AppProbe:
    """An app to measure and the texts that tell us what it shows."""

    script: Path
    ready_text: str  # visible once the Draw page waits for a drawing
    reading: str  # JavaScript regex matching the shown reading of a digit
    visit_pages: bool = False  # open every page in the sidebar before reading the memory


OUR_APP = AppProbe(ROOT / "streamlit_app.py", "Draw a digit in the white box", r"\d+% sure",
                   visit_pages=True)

# What a tutorial app does: Keras model, the same canvas, naive preprocessing,
# model.predict on every run of the script. A template with {model_path}, kept as
# text: it is a Streamlit app, and the package never imports Streamlit.
TUTORIAL_APP = Path(__file__).with_name("tutorial_app.txt")


def tutorial_probe(model_path: Path, folder: Path) -> AppProbe:
    """Write the tutorial-style app for ``model_path`` into ``folder``."""
    script = Path(folder) / "tutorial_app.py"
    script.write_text(TUTORIAL_APP.read_text().format(model_path=str(model_path)))
    return AppProbe(script, "Draw a digit in the white box", r"Prediction: \d")


def browser_available() -> str:
    """'' if Playwright and Chromium are here, else why not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    return ""


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb(pid: int) -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    return {"rss_mb": values.get("VmRSS"), "peak_rss_mb": values.get("VmHWM")}


def wait_healthy(port: int, server: subprocess.Popen, timeout: float) -> None:
    """Wait until the Streamlit ``server`` on ``port`` answers; RuntimeError if it exits first
    or stays silent for ``timeout`` seconds."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("streamlit did not answer its health check in time")


def stop(server: subprocess.Popen, timeout: float = 10) -> None:
    """Ask ``server`` to exit; kill it if it has not within ``timeout`` seconds."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()


def _wait_ready(page, probe: AppProbe, timeout: float) -> None:
    """The page asks for a drawing and the canvas' drawing layer is on screen."""
    page.get_by_text(probe.ready_text).wait_for(timeout=timeout * 1000)
    page.locator(DRAWING_LAYER).last.wait_for(state="visible", timeout=timeout * 1000)


def _draw_one(page, fraction: float = 0.6) -> None:
    """A vertical stroke (a '1') in the middle of the visible drawing canvas."""
    box = page.locator(DRAWING_LAYER).last.bounding_box()
    x = box["x"] + box["width"] / 2
    top, bottom = box["y"] + box["height"] * 0.2, box["y"] + box["height"] * (0.2 + fraction)
    page.mouse.move(x, top)
    page.mouse.down()
    for k in range(1, 16):
        page.mouse.move(x + 0.3 * k, top + (bottom - top) * k / 15)


def _timed_stroke(page, probe: AppProbe, patience: float,
                  sent: list[float]) -> tuple[float, float | None] | None:
    """Draw a stroke; (seconds from releasing the mouse to the reading, to the first
    message the page sent the server), or None if no reading came.

    ``sent`` collects the perf_counter times of the page's websocket messages.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_timeout(300)  # let the canvas wire its mouse handlers (untimed)
    _draw_one(page)
    released = time.perf_counter()
    page.mouse.up()
    try:
        page.wait_for_function(f"() => /{probe.reading}/.test(document.body.innerText)",
                               polling="raf", timeout=patience * 1000)
    except PlaywrightTimeout:
        return None
    shown = time.perf_counter() - released
    after = [t - released for t in sent if t >= released]
    return shown, (min(after) if after else None)


def _wait_script_done(page, timeout: float) -> None:
    page.wait_for_timeout(500)  # the rerun starts after the click reaches the server
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')"
        "?.getAttribute('data-test-script-state') !== 'running'", timeout=timeout * 1000)


def _visit_pages(page, timeout: float) -> list[str]:
    """Open each page of the sidebar navigation in turn; return their titles."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    titles = []
    for i in range(links.count()):
        title = links.nth(i).inner_text().strip().splitlines()[-1]  # after the icon's name
        try:
            links.nth(i).click()
            _wait_script_done(page, timeout)
        except Exception as exc:  # the server-side run still counts; say what happened
            title += f" (browser: {str(exc).splitlines()[0]})"
        titles.append(title)
    return titles


def measure_app(probe: AppProbe, strokes: int = 3, timeout: float = 60) -> dict:
    """Start the app, wait for the Draw page, time ``strokes`` stroke-to-reading trips.

    Returns ``ready_s`` (from launching ``streamlit run`` to the page ready for
    a drawing), ``round_trip_ms`` (median, mouse released to reading shown),
    ``sent_ms`` (median, mouse released to the canvas' value leaving the browser),
    ``rss_mb`` and ``peak_rss_mb`` of the server after the strokes (and, with
    ``probe.visit_pages``, after opening every page: ``pages``).
    """
    from playwright.sync_api import sync_playwright

    port = free_port()
    log = tempfile.TemporaryFile()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()  # the browser is up first: only the app is timed
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(probe.script),
             "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
             "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
            cwd=ROOT, env=child_env(), stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(port, server, timeout)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sent: list[float] = []  # when the page sent the server a message
            page.on("websocket", lambda ws: ws.on(
                "framesent", lambda _frame: sent.append(time.perf_counter())))
            page.goto(f"http://127.0.0.1:{port}/", timeout=timeout * 1000)
            _wait_ready(page, probe, timeout)
            ready_s = time.perf_counter() - started
            trips, missed = [], 0
            for stroke in range(strokes):
                if stroke:  # a fresh page, so every stroke starts on an empty canvas
                    page.reload(timeout=timeout * 1000)
                    _wait_ready(page, probe, timeout)
                trip = _timed_stroke(page, probe, 10, sent)
                if trip is None:  # the canvas was not listening yet: draw once more
                    missed += 1
                    trip = _timed_stroke(page, probe, timeout, sent)
                if trip is None:
                    raise RuntimeError("no reading appeared after two strokes")
                trips.append(trip)
            visited = _visit_pages(page, timeout) if probe.visit_pages else []
            memory = _memory_mb(server.pid)
        except Exception as exc:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-600:]
            raise RuntimeError(f"{str(exc).splitlines()[0]} --- streamlit log: {tail}") from None
        finally:
            stop(server)
            browser.close()
            log.close()
    shown = [t for t, _ in trips]
    left = [t for _, t in trips if t is not None]
    return {"ready_s": ready_s, "round_trip_ms": float(np.median(shown)) * 1000,
            "round_trips_ms": [round(t * 1000, 1) for t in shown], "missed_strokes": missed,
            "sent_ms": float(np.median(left)) * 1000 if left else None,
            "pages": visited, **memory}


def app_missing() -> str:
    """'' if the app and a browser are here, else why the app is not measured."""
    if not OUR_APP.script.exists():
        return f"{OUR_APP.script.name} is not there yet"
    return browser_available()
