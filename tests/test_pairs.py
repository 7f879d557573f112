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


@pytest.fixture(scope="module")
def held_out_pairs(mnist, recognizer):
    """Marks holding two touching digits, from pages of MNIST test digits: views, digits."""
    return pairs.touching_pairs(mnist.x_test, mnist.y_test, 80, seed=33, recognizer=recognizer)


def test_touching_pairs_are_labelled_with_their_two_digits(held_out_pairs):
    """Each harvested mark holds two digits, left one first; nearly every page gives one."""
    views, digits = held_out_pairs
    assert views.shape == (len(digits), pairs.HEIGHT, pairs.WIDTH) and digits.shape[1] == 2
    assert len(digits) >= 70 and digits.max() <= 9 and len(np.unique(digits)) == 10
    # Two digits side by side: most views are wider than tall (a single digit is not;
    # a deeply overlapping "11" or "71" can be).
    wide = [(v.max(axis=0) > 0.3).sum() > (v.max(axis=1) > 0.3).sum() for v in views]
    assert np.mean(wide) > 0.75


def test_shipped_pair_digit_network_reads_both_digits(held_out_pairs):
    """On touching pairs written with digits it never saw, it reads most of both sides."""
    views, digits = held_out_pairs
    p = pairs.pair_digits(views)
    assert p.shape == (len(views), 2, 10) and np.allclose(p.sum(axis=2), 1, atol=1e-5)
    right = p.argmax(axis=2) == digits
    assert right.mean(axis=0).min() > 0.9
    assert right.all(axis=1).mean() > 0.85


def test_pair_digit_network_trains_and_runs_without_keras(held_out_pairs, tmp_path):
    """Built on a digit model's convolutions, a short run exports to the NumPy runtime
    and gives Keras' outputs; the digit model's own layers are shared, not changed
    by training the head alone."""
    from digits.model import build_model
    from digits.runtime import NumpyNetwork, export_program, save_program

    views, digits = held_out_pairs
    digit_model = build_model("cnn")
    before = [w.copy() for w in digit_model.layers[0].get_weights()]
    model = pairs.train_digit_network(views[:64], digits[:64], digit_model, epochs=1,
                                      tune_epochs=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, digit_model.layers[0].get_weights()))
    save_program(tmp_path / "d.npz", *export_program(model))
    logits = NumpyNetwork.load(tmp_path / "d.npz")(views[:20])
    assert logits.shape == (20, 20)
    assert np.allclose(logits, model.predict(views[:20, ..., None], verbose=0), atol=1e-3)


def test_pair_digit_network_command_saves_a_working_network(tmp_path):
    """``python -m digits.pairs --digits`` generates pages, trains, reports and saves
    (here with two tuning epochs, as the shipped network had ten)."""
    from digits.runtime import NumpyNetwork

    out = tmp_path / "pairdigits.npz"
    assert pairs.main(["--digits", "--pages", "40", "--held-out", "10", "--epochs", "1",
                       "--tune-epochs", "2", "--out", str(out)]) == 0
    assert not out.with_suffix(".tmp.npz").exists()
    assert NumpyNetwork.load(out)(np.zeros((3, pairs.HEIGHT, pairs.WIDTH))).shape == (3, 20)


def test_pages_written_by_several_processes_give_the_same_marks(monkeypatch, mnist, recognizer):
    """Chunks of pages have their own seeds, so two processes find what one finds."""
    monkeypatch.setattr(pairs, "CHUNK_PAGES", 6)
    one = pairs.generated("pairs", 12, 40, scans=0.5, split="test", data=mnist,
                          recognizer=recognizer)
    two = pairs.generated("pairs", 12, 40, scans=0.5, split="test", jobs=2)
    assert len(one[0]) >= 10
    assert np.array_equal(one[1], two[1]) and np.allclose(one[0], two[0])

