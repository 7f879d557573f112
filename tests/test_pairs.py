"""The network that tells two touching digits from one wide digit, for the reader."""

import numpy as np
import pytest

from digits import pairs, splitfit


@pytest.fixture(scope="module")
def held_out_marks(mnist, recognizer):
    """Marks the reader would try to cut, from pages of MNIST test digits (half with a pair)."""
    return pairs.training_set(splitfit.pages(mnist.x_test, mnist.y_test, 120, seed=31),
                              recognizer)


def test_view_keeps_only_the_mark_and_its_shape():
    """Ink of other marks in the box is left out, and a wide mark stays wide."""
    own = np.zeros((20, 50), bool)
    own[2:18, 5:45] = True
    ink = np.ones((20, 50), np.float32)  # the box is full of ink, the mark is not
    view = pairs.pair_input(own, ink)
    rows, cols = np.flatnonzero(view.sum(axis=1)), np.flatnonzero(view.sum(axis=0))
    assert view.shape == (pairs.HEIGHT, pairs.WIDTH)
    assert len(cols) / len(rows) == pytest.approx(40 / 16, rel=0.1)


def test_shipped_network_tells_touching_pairs_from_single_digits(held_out_marks):
    """On pages written with digits it never saw, most pairs are found and few singles taken."""
    views, two = held_out_marks
    said = pairs.pair_probability(views) >= 0.5
    assert two.sum() >= 30 and (~two.astype(bool)).sum() >= 200
    assert said[two == 1].mean() > 0.85
    assert said[two == 0].mean() < 0.03


def test_pair_network_trains_and_runs_without_keras(held_out_marks, tmp_path):
    """A short training run exports to the NumPy runtime and gives Keras' probabilities."""
    from digits.runtime import NumpyNetwork, export_program, save_program
    from digits.symbols import train

    views, two = held_out_marks
    model = train(views[:256], two[:256], epochs=1, build=pairs.build_network)
    save_program(tmp_path / "p.npz", *export_program(model))
    p = NumpyNetwork.load(tmp_path / "p.npz")(views[:40])
    keras_p = model.predict(views[:40, ..., None], verbose=0)
    assert p.shape == (40, 2) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(p, keras_p, atol=1e-4)
