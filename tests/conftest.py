"""Shared fixtures: MNIST (from ../shared/data unless DIGITS_MNIST_PATH says otherwise),
the shipped model's recognizer and a seeded random generator."""

from __future__ import annotations

import os
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
