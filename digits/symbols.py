"""Marks that are not digits: a check's "$", a date's "/", brackets, letters.

The digit model answers one of ten digits for anything it is shown, so a "$"
before an amount reads as a confident 5 and "12/03" as "1203". A second,
small network tells digits from other marks; the reader leaves out what it
calls a symbol (and starts a new number there).

It is trained (``python -m digits.symbols``, a few minutes on a CPU) on:

- symbols: the non-digit characters people write next to numbers, drawn in
  OpenCV's eight Hershey stroke fonts (two of them cursive) plus hand-made
  strokes for currency signs, each with a random pen, slant and distortion;
- digits: MNIST *training* digits and the same fonts' digits, drawn the same
  way, so that neither class can be told apart by the drawing method.

Characters that a hand may write exactly like a digit (O, l, I, S, Z, B, G,
b, g, q, ...) are in neither class. Every image goes through the one
preprocessing (:func:`digits.preprocess.to_model_input`) and then the digit
model's training augmentation, so the network sees what the reader sees.
The result is ``digits/symbols.npz`` (a :class:`~digits.runtime.NumpyNetwork`).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digits.augment import augment_batch, retrace
from digits.preprocess import SIZE, to_model_input
from digits.runtime import NumpyNetwork, class_probability

PATH = Path(__file__).with_name("symbols.npz")
# Characters written beside numbers that no digit looks like.
# Single strokes ("/", "(", "[") are left out: a slanted or curved 1 is drawn
# the same way, and so are "?", "!", "&", "Y", "e", "r" (a 2, a 1, an 8, a 4, a 6, a 7).
SYMBOLS = "$+=#%*@<>xX" + "AEFHKMNRWkmw"
CURRENCY = ("dollar", "euro", "pound")  # hand-made strokes (the fonts have only "$")
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
)
HELD_OUT_FONTS = (cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX)  # for measuring
CANVAS = 128  # px: glyphs are drawn about 80 px tall on a square canvas
SYMBOL = 1  # class index of "not a digit"


def _font_glyph(char: str, font: int, italic: bool, pen: int) -> np.ndarray:
    """(CANVAS, CANVAS) uint8, white paper with the character in dark ink."""
    face = font | (cv2.FONT_ITALIC if italic else 0)
    (w, h), base = cv2.getTextSize(char, face, 1.0, 1)
    scale = 80 / max(h + base, w, 1)
    (w, h), base = cv2.getTextSize(char, face, scale, pen)
    canvas = np.full((CANVAS, CANVAS), 255, np.uint8)
    org = ((CANVAS - w) // 2, (CANVAS + h - base) // 2)
    cv2.putText(canvas, char, org, face, scale, 0, pen, cv2.LINE_AA)
    return canvas


def _curve(points: list[tuple[float, float]], n: int = 24) -> np.ndarray:
    """A smooth (Catmull-Rom) path through ``points`` (x, y in 0..1), as (M, 2)."""
    p = np.array([points[0], *points, points[-1]], np.float64)
    out = []
    for i in range(1, len(p) - 2):
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        a, b, c, d = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t**2
                          + (-a + 3 * b - 3 * c + d) * t**3))
    out.append(p[-2][None])
    return np.concatenate(out)


def _hand_glyph(kind: str, rng: np.random.Generator, pen: int) -> np.ndarray:
    """A currency sign drawn as a hand would, with jittered strokes: (CANVAS, CANVAS) uint8."""
    j = lambda v: v + rng.normal(0, 0.03)  # noqa: E731 - a wobble of the hand
    strokes: list[np.ndarray] = []
    if kind == "dollar":
        width = rng.uniform(0.5, 0.8)
        s = [(0.8, 0.25), (0.5, 0.12), (0.2, 0.28), (0.5, 0.5), (0.8, 0.72), (0.5, 0.88),
             (0.2, 0.75)]
        strokes.append(_curve([(0.5 + (j(x) - 0.5) * width / 0.6, j(y)) for x, y in s]))
        top, bottom = rng.uniform(0.0, 0.1), rng.uniform(0.9, 1.0)
        bars = [0.5 + rng.normal(0, 0.02)] if rng.random() < 0.7 else [0.43, 0.57]
        for x in bars:
            if rng.random() < 0.7:  # one bar through the S
                strokes.append(np.array([(j(x), top), (j(x), bottom)]))
            else:  # stubs above and below it only
                strokes.append(np.array([(j(x), top), (j(x), 0.16)]))
                strokes.append(np.array([(j(x), 0.84), (j(x), bottom)]))
    elif kind == "euro":
        c = [(0.85, 0.2), (0.55, 0.05), (0.25, 0.3), (0.22, 0.7), (0.55, 0.95), (0.85, 0.8)]
        strokes.append(_curve([(j(x), j(y)) for x, y in c]))
        for y in (0.42, 0.58):
            strokes.append(np.array([(j(0.05), j(y)), (j(0.6), j(y))]))
    else:  # pound
        hook = [(0.8, 0.2), (0.6, 0.05), (0.4, 0.15), (0.38, 0.5), (0.32, 0.8), (0.15, 0.95)]
        strokes.append(_curve([(j(x), j(y)) for x, y in hook]))
        strokes.append(np.array([(j(0.15), j(0.95)), (j(0.85), j(0.95))]))
        strokes.append(np.array([(j(0.15), j(0.55)), (j(0.6), j(0.55))]))
    canvas = np.full((CANVAS, CANVAS), 255, np.uint8)
    for k, stroke in enumerate(strokes):
        pts = np.round(24 + stroke * 80).astype(np.int32)
        # The bars are often drawn lighter than the curve.
        width = pen if k == 0 else int(rng.integers(max(1, pen // 3), pen + 1))
        cv2.polylines(canvas, [pts], False, 0, width, cv2.LINE_AA)
    return canvas


def _slanted(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The drawing with a random slant and width, as different hands write."""
    shear, aspect = rng.uniform(-0.35, 0.35), rng.uniform(0.7, 1.25)
    c = CANVAS / 2
    m = np.float32([[aspect, -shear, c - aspect * c + shear * c], [0, 1, 0]])
    return cv2.warpAffine(canvas, m, (CANVAS, CANVAS), borderValue=255)


def drawn(chars: list[str], fonts, rng: np.random.Generator) -> np.ndarray:
    """Each character (or CURRENCY kind) drawn with a random font/pen: (N, 28, 28) uint8."""
    out = np.zeros((len(chars), SIZE, SIZE), np.uint8)
    for i, char in enumerate(chars):
        pen = int(rng.integers(2, 12))
        if char in CURRENCY:
            canvas = _hand_glyph(char, rng, pen)
        else:
            canvas = _font_glyph(char, int(rng.choice(fonts)), rng.random() < 0.3, pen)
        prepared = to_model_input(_blurred(_slanted(canvas, rng), rng))
        if prepared.image is not None:
            out[i] = np.round(prepared.image * 255).astype(np.uint8)
    return out


def _blurred(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sometimes out of focus, as a photo or a soft pencil."""
    if rng.random() < 0.3:
        return cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.8, 2.5))
    return canvas


def _handwritten_digits(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """MNIST digits (N, 28, 28) drawn on paper like the symbols, half with an even pen."""
    out = np.zeros_like(images)
    side = CANVAS - 32
    for i, digit in enumerate(images):
        ink = digit.astype(np.float32) / 255
        if rng.random() < 0.5:
            big = np.clip(2 * retrace(ink, (side, side), rng.uniform(2, 11), 1.2), 0, 1)
        else:
            big = cv2.resize(ink, (side, side), interpolation=cv2.INTER_CUBIC)
        canvas = np.full((CANVAS, CANVAS), 255, np.uint8)
        canvas[16:-16, 16:-16] = (255 * (1 - np.clip(big, 0, 1))).astype(np.uint8)
        prepared = to_model_input(_blurred(canvas, rng))
        if prepared.image is not None:
            out[i] = np.round(prepared.image * 255).astype(np.uint8)
    return out


def training_set(mnist_digits: np.ndarray, n_symbols: int, fonts, rng: np.random.Generator):
    """(images (N, 28, 28) uint8, labels (N,) 0 = digit, 1 = symbol), shuffled, augmented.

    Digits: ``mnist_digits`` plus as many font digits as a fifth of them.
    """
    # "$" by hand most often: it is on every check.
    kinds = list(SYMBOLS) + list(CURRENCY) * 3 + ["dollar"] * 6
    symbols = drawn(list(rng.choice(kinds, n_symbols)), fonts, rng)
    font_digits = drawn(list(rng.choice(list("0123456789"), len(mnist_digits) // 5)), fonts, rng)
    x = np.concatenate([_handwritten_digits(mnist_digits, rng), font_digits, symbols])
    y = np.r_[np.zeros(len(mnist_digits) + len(font_digits)), np.ones(len(symbols))]
    order = rng.permutation(len(x))
    return augment_batch(x[order], rng, use_elastic=True), y[order].astype(np.uint8)


def build_network():
    """A small CNN, (28, 28, 1) -> P(digit), P(symbol); runs in the NumPy runtime."""
    import keras
    from keras import layers

    from digits.model import conv_block

    return keras.Sequential([
        keras.Input((SIZE, SIZE, 1)), *conv_block(16), layers.MaxPooling2D(), *conv_block(32),
        layers.MaxPooling2D(), *conv_block(64), layers.GlobalAveragePooling2D(),
        layers.Dense(2, activation="softmax"),
    ], name="symbols")


def train(x: np.ndarray, y: np.ndarray, epochs: int = 6, seed: int = 0, build=build_network):
    """Fit ``build()`` on images (N, H, W) (uint8, or float in [0, 1]) and labels (N,).

    Returns the Keras model. The pair network (:mod:`digits.pairs`) is fitted here too.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    steps = epochs * int(np.ceil(len(x) / 128))
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = x[..., None].astype(np.float32) / (255 if x.dtype == np.uint8 else 1)
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=2)
    return model


def symbol_probability(inputs: np.ndarray) -> np.ndarray:
    """P(not a digit) (N,) for model inputs (N, 28, 28) float in [0, 1]."""
    return class_probability(PATH, inputs, SYMBOL)


def measure(network: NumpyNetwork, bar: float, rng: np.random.Generator,
            n: int = 1000) -> dict[str, float]:
    """Share (%) called "not a digit" at ``bar``: held-out symbols and real digits.

    Symbols come from the fonts left out of training (which OpenCV 5 draws much
    like trained ones: TRIPLEX as DUPLEX and COMPLEX, so this share is optimistic;
    in Pillow's own font, truly new, 88.8 % were caught at 0.97); digits are MNIST's
    test split and scikit-learn's digits (other writers), through the preprocessing.
    """
    from digits import synth
    from digits.data import load_mnist

    mnist = load_mnist()
    sk, _ = synth.sklearn_digits()
    sets = {
        "held-out font symbols": drawn(list(rng.choice(list(SYMBOLS), n)), HELD_OUT_FONTS, rng),
        "hand-drawn currency signs": drawn(list(rng.choice(CURRENCY, n)), HELD_OUT_FONTS, rng),
        "MNIST test digits": np.stack([to_model_input(d).image for d in mnist.x_test]),
        "scikit-learn digits": np.stack([to_model_input(d).image for d in sk]),
    }
    out = {}
    for name, images in sets.items():
        x = images.astype(np.float32) / (255 if images.dtype == np.uint8 else 1)
        out[name] = round(100 * float((network(x)[:, SYMBOL] >= bar).mean()), 2)
    return out


def main(argv=None) -> int:
    import argparse

    from digits.data import load_mnist
    from digits.reader import ReaderConfig
    from digits.runtime import export_program, save_program

    parser = argparse.ArgumentParser(prog="python -m digits.symbols", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--digits", type=int, default=60000, help="MNIST training digits used")
    parser.add_argument("--symbols", type=int, default=40000, help="symbol images drawn")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", type=Path, default=PATH)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    fonts = [f for f in FONTS if f not in HELD_OUT_FONTS]
    x, y = training_set(load_mnist().x_train[: args.digits], args.symbols, fonts, rng)
    print(f"{len(x)} images ({int(y.sum())} symbols); training...", flush=True)
    ops, arrays = export_program(train(x, y, args.epochs))
    tmp = args.out.with_suffix(".tmp.npz")
    save_program(tmp, ops, arrays)
    tmp.replace(args.out)  # never a half-written network
    bar = ReaderConfig().symbol_bar
    for name, share in measure(NumpyNetwork(ops, arrays), bar, np.random.default_rng(1)).items():
        print(f"{name}: {share} % called not a digit (P >= {bar})")
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
