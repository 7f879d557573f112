"""MNIST loading and validation.

The arrays come from, in order: the ``path`` argument, the ``DIGITS_MNIST_PATH``
environment variable, the Keras cache (``~/.keras/datasets/mnist.npz``) and,
last, a download through ``keras.datasets.mnist.load_data()``.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "DIGITS_MNIST_PATH"
KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


class DataError(RuntimeError):
    """MNIST could not be found or is not valid; the message is for people."""


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays plus where they came from."""

    x_train: np.ndarray  # (60000, 28, 28) uint8, 0 = background, 255 = ink
    y_train: np.ndarray  # (60000,) uint8
    x_test: np.ndarray  # (10000, 28, 28) uint8
    y_test: np.ndarray  # (10000,) uint8
    source: str
    sha256: str


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hint() -> str:
    return f"Set {ENV_VAR} to a mnist.npz in the Keras layout (x_train, y_train, x_test, y_test)."


def load_npz(path: str | Path) -> Mnist:
    """Load and validate one ``mnist.npz`` file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"MNIST file {path} does not exist. {_hint()}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in EXPECTED_SHAPES if key in npz.files}
            missing = [key for key in EXPECTED_SHAPES if key not in npz.files]
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(
            f"MNIST file {path} is damaged or not an .npz archive ({exc}). {_hint()}"
        ) from None
    if missing:
        raise DataError(f"MNIST file {path} lacks the arrays {', '.join(missing)}. {_hint()}")
    for key, shape in EXPECTED_SHAPES.items():
        array = arrays[key]
        if array.shape != shape:
            raise DataError(
                f"MNIST file {path}: {key} has shape {array.shape}, expected {shape}. {_hint()}"
            )
        if array.dtype != np.uint8:
            raise DataError(f"MNIST file {path}: {key} is {array.dtype}, expected uint8. {_hint()}")
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise DataError(f"MNIST file {path}: {key} holds labels outside 0-9. {_hint()}")
    return Mnist(**arrays, source=str(path), sha256=file_sha256(path))


def local_mnist_path(path: str | Path | None = None) -> Path | None:
    """The file :func:`load_mnist` reads without downloading, or None if there is none.

    ``path`` if given, else ``DIGITS_MNIST_PATH`` if set (even when the file is
    missing, so the error names it), else the Keras cache if it exists.
    """
    if path is not None:
        return Path(path)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return KERAS_CACHE if KERAS_CACHE.is_file() else None


def load_mnist(path: str | Path | None = None, download: bool = True) -> Mnist:
    """Load MNIST from the first source that has it.

    With ``download=False`` (the app's page views: the download's Keras import
    costs 3 s and 700 MB) a missing local file is a :class:`DataError`.

    Examples
    --------
    >>> data = load_mnist()  # doctest: +SKIP
    >>> data.x_train.shape, data.x_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    local = local_mnist_path(path)
    if local is not None:
        return load_npz(local)
    if not download:
        raise DataError(f"MNIST is not on this machine. {_hint()}")
    try:
        import keras

        keras.datasets.mnist.load_data()
    except Exception as exc:  # no network, blocked host, disk full...
        raise DataError(
            "MNIST is not available: it is not on this machine and could not be "
            f"downloaded ({type(exc).__name__}). {_hint()}"
        ) from None
    return load_npz(KERAS_CACHE)
