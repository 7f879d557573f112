"""Shared fixtures: MNIST (from ../shared/data unless DIGITS_MNIST_PATH says otherwise),
the shipped model's recognizer and a seeded random generator."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DIGITS_MNIST_PATH", str(ROOT.parent / "shared" / "data" / "mnist.npz"))


@pytest.fixture(scope="session")
def mnist():
    """The MNIST arrays (tests build inputs from the TEST split only)."""
    from digits.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="session")
def recognizer():
    """The shipped, active model with the one preprocessing."""
    from digits.predict import active_recognizer

    return active_recognizer(ROOT / "models")


@pytest.fixture
def rng():
    """A fresh generator with a fixed seed, so generated inputs repeat."""
    return np.random.default_rng(1234)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(log_path: Path, env: dict | None = None):
    """``streamlit run streamlit_app.py`` on a free localhost port; yields its URL."""
    port = free_port()
    log = open(log_path, "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test (Playwright's sync API)."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("DIGITS_REQUIRE_BROWSER") == "1":  # CI: a failure, not a skip
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
