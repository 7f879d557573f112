"""MNIST loading: the real file, and every way a file can be wrong."""

import numpy as np
import pytest

from digits.data import DataError, load_mnist, load_npz, other_writers


def test_real_mnist_has_standard_shapes(mnist):
    """The shared file loads with the Keras layout."""
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert set(np.unique(mnist.y_test)) == set(range(10))
    assert len(mnist.sha256) == 64


def test_missing_file_names_the_file_and_variable(tmp_path):
    """A missing file says which file and how to point at one."""
    with pytest.raises(DataError, match="DIGITS_MNIST_PATH") as err:
        load_mnist(tmp_path / "nope.npz")
    assert "nope.npz" in str(err.value)


def test_truncated_file_gives_clear_error(tmp_path, mnist):
    """Half a file is reported as damaged, not as a zipfile traceback."""
    good = tmp_path / "good.npz"
    np.savez(
        good, x_train=mnist.x_train, y_train=mnist.y_train, x_test=mnist.x_test, y_test=mnist.y_test
    )
    bad = tmp_path / "bad.npz"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(DataError, match="damaged"):
        load_npz(bad)


def test_wrong_shapes_are_refused(tmp_path):
    """An npz with the right keys but wrong shapes is refused."""
    path = tmp_path / "small.npz"
    z = np.zeros((10, 28, 28), np.uint8)
    np.savez(path, x_train=z, y_train=z[:, 0, 0], x_test=z, y_test=z[:, 0, 0])
    with pytest.raises(DataError, match="shape"):
        load_npz(path)


def test_missing_keys_are_named(tmp_path):
    """Missing arrays are listed by name."""
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=np.zeros((60000, 28, 28), np.uint8))
    with pytest.raises(DataError, match="y_train"):
        load_npz(path)


def test_bad_labels_are_refused(tmp_path, mnist):
    """Labels outside 0-9 mean the file is not MNIST."""
    path = tmp_path / "labels.npz"
    y = mnist.y_test.copy()
    y[0] = 42
    np.savez(path, x_train=mnist.x_train, y_train=mnist.y_train, x_test=mnist.x_test, y_test=y)
    with pytest.raises(DataError, match="labels"):
        load_npz(path)


def test_env_variable_is_used(monkeypatch, tmp_path):
    """DIGITS_MNIST_PATH is where load_mnist looks when no path is given."""
    monkeypatch.setenv("DIGITS_MNIST_PATH", str(tmp_path / "elsewhere.npz"))
    with pytest.raises(DataError, match="elsewhere.npz"):
        load_mnist()


def test_no_download_when_asked_not_to(monkeypatch, tmp_path):
    """download=False with no local file is one clear error, and Keras is never imported."""
    import sys

    from digits import data

    monkeypatch.delenv("DIGITS_MNIST_PATH", raising=False)
    monkeypatch.setattr(data, "KERAS_CACHE", tmp_path / "absent.npz")
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    with pytest.raises(DataError, match="not on this machine"):
        load_mnist(download=False)
    assert "keras" not in sys.modules


def test_other_writers_look_like_the_inputs_the_app_reads(mnist):
    """The other writers' digits come out as MNIST-style inputs: a 20 px box, centred mass."""
    x, y = other_writers()
    assert x.shape == (2000, 28, 28) and np.bincount(y).tolist() == [200] * 10
    assert (x > 127).sum(axis=(1, 2)).min() > 20  # every digit kept its ink
    ink = x > 0
    rows, cols = ink.any(axis=2), ink.any(axis=1)
    height = 28 - rows.argmax(axis=1) - rows[:, ::-1].argmax(axis=1)
    width = 28 - cols.argmax(axis=1) - cols[:, ::-1].argmax(axis=1)
    assert np.abs(np.maximum(height, width) - 20).max() <= 2  # faint tips of a 1: 18
    mass = x.astype(np.float64)
    centre = (mass * np.arange(28)[None, :, None]).sum(axis=(1, 2)) / mass.sum(axis=(1, 2))
    assert np.abs(centre - 13.5).max() < 1.5
    # Not MNIST under another name: no image equals a training image.
    assert not (set(map(bytes, x[:200])) & set(map(bytes, mnist.x_train)))
