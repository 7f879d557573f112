"""Shared fixtures: MNIST (from ../shared/data unless DIGITS_MNIST_PATH says otherwise),
the shipped model's recognizer and a seeded random generator."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from digits.bench.app import CHROMIUM, CHROMIUM_ARGS, free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DIGITS_MNIST_PATH", str(ROOT.parent / "shared" / "data" / "mnist.npz"))


def fresh_python(script: str, timeout: float = 120) -> str:
    """Run ``script`` in a new Python process at the project root; return its stdout.

    For checks on what a process imports: this test process has loaded everything.
    """
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


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
    try:
        try:
            wait_healthy(port, server, timeout=60)
        except RuntimeError as exc:
            pytest.fail(f"{exc}:\n{log_path.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, timeout=20)
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
