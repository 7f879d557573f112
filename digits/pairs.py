"""Touching digits: is a wide mark one digit or two?

The reader cuts a wide mark in two when its split model (``reader.SPLIT_FEATURES``)
says two digits are likelier. Those features see the mark only through the
digit model's readings of it and of its halves, and a wide single digit (a 5
with a long bar, an open 4, a fat 0) often has halves that read as digits too:
"5" came out as "52", "4" as "14". This small network looks at the whole mark
at its own aspect ratio, as a person would, and gives the split model one more
feature: how much it looks like two digits side by side.

It is trained (``python -m digits.pairs``, about 8 minutes on 2 cores) on the marks
the reader itself finds on generated check pages written with MNIST
**training** digits (:func:`digits.splitfit.pages`, half of them with a
touching pair), labelled by how many of the page's digits each mark holds.
The result is ``digits/pairs.npz`` (a :class:`~digits.runtime.NumpyNetwork`).

Once a mark is cut, each half is read by the digit model; but where two
digits overlap, any cut gives the shared stroke to one side, and the other
digit loses it: a 9 whose loop touches a 6 comes out as a 3. A second network
(``digits/pairdigits.npz``, :func:`pair_digits`) reads both digits of the
whole mark, in context, as a person reads an overlapping pair; the reader
weighs its answer with the halves' readings. It is the digit model's
convolutions (copied from the active model, so it sees strokes the same way)
under a head that says which digit is on the left and which on the right,
trained on the marks holding exactly two digits that the reader finds on
pages whose first two digits touch, written with MNIST **training** digits
(``python -m digits.pairs --digits --pages 60000 --scans 0.5 --tune-epochs 10
--jobs 15``: 5 minutes on a 16-core GPU machine, 3.5 of them writing and
reading pages; ``--pages 24000`` with one tuning epoch takes 25 minutes on 2 cores).
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from digits.runtime import NumpyNetwork, class_probability, packaged, softmax

PATH = Path(__file__).with_name("pairs.npz")
DIGITS_PATH = Path(__file__).with_name("pairdigits.npz")
CHUNK_PAGES = 1000  # pages per generated chunk; chunk k uses seed + k, whatever the jobs
SCAN_SEED = 1000  # a chunk's pages written as coarse scans use seed + k + SCAN_SEED
HEIGHT, WIDTH = 32, 64  # px: the network's view of a mark, twice as wide as tall
MARGIN = 2  # px of paper kept around the mark
PAIR = 1  # class index of "two or more digits"


def pair_input(own: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """A mark as the pair network sees it: (HEIGHT, WIDTH) float32 in [0, 1].

    ``own`` (h, w) bool are the mark's pixels in its box and ``ink`` (h, w) the
    ink there; other marks' ink in the box is left out. The mark keeps its
    aspect ratio (its width is what tells a pair), scaled to fill the view.

    Examples
    --------
    >>> bar = np.ones((10, 40), bool)
    >>> view = pair_input(bar, bar.astype(np.float32))
    >>> view.shape, float(view.max()), int((view.sum(axis=0) > 0).sum())
    ((32, 64), 1.0, 60)
    """
    mark = np.where(own, ink, 0).astype(np.float32)  # (h, w)
    h, w = mark.shape
    scale = min((HEIGHT - 2 * MARGIN) / h, (WIDTH - 2 * MARGIN) / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(mark, size, interpolation=cv2.INTER_AREA)
    view = np.zeros((HEIGHT, WIDTH), np.float32)
    y, x = (HEIGHT - size[1]) // 2, (WIDTH - size[0]) // 2
    view[y : y + size[1], x : x + size[0]] = small
    return view / max(float(view.max()), 1e-6)


def pair_probability(views: np.ndarray) -> np.ndarray:
    """P(two or more digits) (N,) for views (N, HEIGHT, WIDTH) from :func:`pair_input`."""
    return class_probability(PATH, views, PAIR)


def pair_digits(views: np.ndarray, path: Path = DIGITS_PATH) -> np.ndarray:
    """(N, 2, 10): P(each digit) for the left and the right digit of marks holding two,
    for views (N, HEIGHT, WIDTH) from :func:`pair_input`, by the network at ``path``."""
    if not len(views):
        return np.zeros((0, 2, 10), np.float32)
    return softmax(packaged(path)(views).reshape(-1, 2, 10))


def build_network():
    """A small CNN, (HEIGHT, WIDTH, 1) -> P(one digit), P(two); runs in the NumPy runtime.

    Flattened, not pooled, at the end: where the ink lies (two loops side by
    side, or one digit's bar sticking out) is the whole question.
    """
    import keras
    from keras import layers

    from digits.model import conv_block

    return keras.Sequential([
        keras.Input((HEIGHT, WIDTH, 1)), *conv_block(16), layers.MaxPooling2D(),
        *conv_block(32), layers.MaxPooling2D(), *conv_block(32), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dropout(0.3), layers.Dense(64, activation="relu"),
        layers.Dense(2, activation="softmax"),
    ], name="pairs")


def training_set(page_set, recognizer, config=None) -> tuple[np.ndarray, np.ndarray]:
    """(views (N, HEIGHT, WIDTH) float32, holds two or more digits (N,) uint8).

    Every mark of ``page_set`` (pages as :func:`digits.splitfit.pages` gives them)
    wide enough for the reader to try cutting, seen as the reader sees it.
    """
    from digits import reader, splitfit

    config = config or reader.ReaderConfig()
    views, pairs = [], []
    for found, height, held, _ in splitfit.labelled_marks(page_set, recognizer, config):
        for piece, digits in zip(found, held):
            if piece.mark.w >= config.split_width * height:
                views.append(pair_input(piece.own, piece.crop))
                pairs.append(len(digits) >= 2)
    return (np.array(views, np.float32).reshape(-1, HEIGHT, WIDTH),
            np.array(pairs, np.uint8))


def build_digit_network(digit_model):
    """(HEIGHT, WIDTH, 1) -> 20 logits: the left digit's 10, then the right one's.

    The convolutions are ``digit_model``'s own layers (a Keras cnn or deep model),
    shared, so tuning the whole changes them; the exported network has its own copy.
    """
    import keras
    from keras import layers

    stop = next(i for i, layer in enumerate(digit_model.layers)
                if isinstance(layer, layers.GlobalAveragePooling2D))
    head = [layers.MaxPooling2D(name="pair_pool"), layers.Flatten(name="pair_flat"),
            layers.Dropout(0.4, name="pair_drop"),
            layers.Dense(128, activation="relu", name="pair_hidden"),
            layers.Dropout(0.2, name="pair_drop2"), layers.Dense(20, name="pair_digits")]
    return keras.Sequential([keras.Input((HEIGHT, WIDTH, 1)), *digit_model.layers[:stop], *head],
                            name="pair_digits"), len(head)


def _two_digit_loss(truth, logits):
    import keras
    from keras import ops

    truth = ops.cast(truth, "int32")
    ce = keras.losses.sparse_categorical_crossentropy
    return (ce(truth[:, 0], logits[:, :10], from_logits=True)
            + ce(truth[:, 1], logits[:, 10:], from_logits=True))


def train_digit_network(views: np.ndarray, digits: np.ndarray, digit_model, epochs: int = 12,
                        tune_epochs: int = 1, seed: int = 0):
    """Fit :func:`build_digit_network` on views (N, HEIGHT, WIDTH) and digits (N, 2).

    The head learns first on the digit model's features, computed once (fast on
    a CPU); then the whole network is tuned at a low rate, decaying to 0 over
    ``tune_epochs``.
    """
    import keras

    keras.utils.set_random_seed(seed)
    model, n_head = build_digit_network(digit_model)
    x, y = views[..., None].astype(np.float32), digits.astype(np.int32)
    features = keras.Sequential([keras.Input((HEIGHT, WIDTH, 1)), *model.layers[:-n_head]])
    head = keras.Sequential([keras.Input(features.output_shape[1:]), *model.layers[-n_head:]])
    head.compile(optimizer=keras.optimizers.Adam(1e-3), loss=_two_digit_loss)
    head.fit(features.predict(x, batch_size=256, verbose=0), y, batch_size=128, epochs=epochs,
             verbose=2)
    if tune_epochs:
        steps = tune_epochs * -(-len(x) // 128)
        rate = keras.optimizers.schedules.CosineDecay(2e-4, steps)
        model.compile(optimizer=keras.optimizers.Adam(rate), loss=_two_digit_loss)
        model.fit(x, y, batch_size=128, epochs=tune_epochs, verbose=2)
    return model


def touching_pairs(images: np.ndarray, labels: np.ndarray, n: int, seed: int, recognizer,
                   config=None, pen: int | None = -1) -> tuple[np.ndarray, np.ndarray]:
    """(views (N, HEIGHT, WIDTH) float32, digits (N, 2) uint8) of the marks holding
    exactly two digits that the reader finds on ``n`` generated pages whose first
    two digits touch (2-4 digit numbers, written with ``images`` / ``labels``, and
    ``pen`` as for :func:`digits.synth.number_page`)."""
    from digits import reader, splitfit

    config = config or reader.ReaderConfig()
    page_set = splitfit.pages(images, labels, n, seed, pen=pen, lengths=(2, 5), touching=1.0)
    views, digits = [], []
    for found, _, held, text in splitfit.labelled_marks(page_set, recognizer, config):
        for piece, inside in zip(found, held):
            if len(inside) == 2:
                views.append(pair_input(piece.own, piece.crop))
                digits.append([int(text[i]) for i in inside])
    return (np.array(views, np.float32).reshape(-1, HEIGHT, WIDTH),
            np.array(digits, np.uint8).reshape(-1, 2))


@functools.lru_cache(maxsize=1)
def _process_state():
    """MNIST and the active recognizer, loaded once in each process that writes pages."""
    from digits.data import load_mnist
    from digits.predict import active_recognizer

    return load_mnist(), active_recognizer()


_SCANS: dict[int, tuple] = {}  # id(images) -> (images, their coarse scans)


def _coarse_scans(images: np.ndarray) -> np.ndarray:
    """:func:`digits.data.coarse_scans` of ``images``, made once per process (60,000
    take seconds, and every chunk of pages needs them)."""
    from digits.data import coarse_scans

    kept = _SCANS.get(id(images))
    if kept is None or kept[0] is not images:
        kept = _SCANS[id(images)] = (images, coarse_scans(images))
    return kept[1]


def _chunk(kind: str, n: int, seed: int, scans: float, split: str, data=None,
           recognizer=None) -> tuple[np.ndarray, np.ndarray]:
    """One chunk of :func:`generated`; loads what it needs when run in a worker process."""
    from digits import splitfit, synth

    if data is None:
        data, recognizer = _process_state()
    images, labels = (data.x_train, data.y_train) if split == "train" else (data.x_test,
                                                                             data.y_test)
    n_scans = round(n * scans)
    out = []
    for count, pen, at in ((n - n_scans, -1, seed), (n_scans, None, seed + SCAN_SEED)):
        if not count:
            continue
        if pen is None:  # scans: no centre line to redraw, their own stroke
            if split == "train":
                images = _coarse_scans(images)
            else:
                images, labels = synth.sklearn_digits()
        if kind == "pairs":
            out.append(touching_pairs(images, labels, count, at, recognizer, pen=pen))
        else:
            out.append(training_set(splitfit.pages(images, labels, count, at, pen=pen),
                                    recognizer))
    return np.concatenate([x for x, _ in out]), np.concatenate([y for _, y in out])


def generated(kind: str, n: int, seed: int, scans: float = 0.0, split: str = "train",
              jobs: int = 1, data=None, recognizer=None) -> tuple[np.ndarray, np.ndarray]:
    """The marks the reader finds on ``n`` generated pages, in chunks of
    ``CHUNK_PAGES`` (chunk k from ``seed + k``), ``jobs`` chunks at a time in
    separate processes: the same marks for any ``jobs``.

    ``kind`` "marks": :func:`training_set` (every mark the reader would try to cut,
    half the pages with a touching pair); "pairs": :func:`touching_pairs`. ``split``
    "train" writes with MNIST training digits, "test" with MNIST test digits. A
    ``scans`` share of each chunk's pages is written in coarse scans' own stroke:
    training digits through :func:`digits.data.coarse_scans`; for "test",
    scikit-learn's digits (other writers, never trained on).
    """
    sizes = [min(CHUNK_PAGES, n - start) for start in range(0, n, CHUNK_PAGES)]
    args = [(kind, size, seed + k, scans, split) for k, size in enumerate(sizes)]
    if jobs > 1 and len(args) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(jobs, len(args)), mp_context=context) as pool:
            parts = _counted(pool.map(_chunk, *zip(*args)), sizes)
    else:
        parts = _counted((_chunk(*a, data=data, recognizer=recognizer) for a in args), sizes)
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


def _counted(parts, sizes: list[int]) -> list:
    """The chunks, saying how many pages are done as each one comes in (long runs)."""
    out = []
    for part, done in zip(parts, np.cumsum(sizes)):
        out.append(part)
        if len(sizes) > 1:
            print(f"pages {done:,} of {sum(sizes):,}: {sum(len(y) for _, y in out):,} marks",
                  flush=True)
    return out


def _train_digits(args) -> None:
    """``--digits``: train and save the network that reads both digits of a touching pair."""
    from digits.bundle import active_bundle, load_keras_model
    from digits.ensemble import first_network
    from digits.runtime import export_program, save_program

    x, y = generated("pairs", args.pages, 31, args.scans, "train", args.jobs)
    print(f"{len(x):,} pairs on {args.pages:,} pages; training...", flush=True)
    digit_model = first_network(load_keras_model(active_bundle()))
    model = train_digit_network(x, y, digit_model, args.epochs, args.tune_epochs)
    tmp = args.out.with_suffix(".tmp.npz")
    save_program(tmp, *export_program(model))
    for style, scans in (("MNIST test", 0.0), ("scikit-learn", 1.0)):
        held_x, held_y = generated("pairs", args.held_out, 30, scans, "test", args.jobs)
        right = pair_digits(held_x, tmp).argmax(axis=2) == held_y
        print(f"held-out pairs ({style} pages): left digit right {right[:, 0].mean():.1%}, "
              f"right digit {right[:, 1].mean():.1%}, both {right.all(axis=1).mean():.1%} "
              f"of {len(held_y)}")
    tmp.replace(args.out)  # never a half-written network
    print(f"saved {args.out}")


def main(argv=None) -> int:
    import argparse

    from digits import symbols
    from digits.runtime import export_program, save_program

    parser = argparse.ArgumentParser(prog="python -m digits.pairs",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=8000, help="training pages (MNIST train)")
    parser.add_argument("--held-out", type=int, default=400,
                        help="held-out pages per style (MNIST test; scikit-learn)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--tune-epochs", type=int, default=1,
                        help="--digits: epochs tuning the whole network after its head (default 1)")
    parser.add_argument("--scans", type=float, default=0.0,
                        help="share of pages written as coarse scans (digits.data.coarse_scans)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes writing and reading pages at once (default 1)")
    parser.add_argument("--digits", action="store_true",
                        help=f"train the network that reads both digits of a touching pair "
                             f"({DIGITS_PATH.name})")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to save ({PATH.name}, or {DIGITS_PATH.name} with --digits)")
    args = parser.parse_args(argv)
    if not 0.0 <= args.scans <= 1.0:
        parser.error("--scans must be between 0 and 1")
    if args.jobs < 1 or args.pages < 1 or args.held_out < 1:
        parser.error("--jobs, --pages and --held-out must be at least 1")
    if args.tune_epochs < 0:
        parser.error("--tune-epochs must be 0 or more")
    if args.digits:
        args.out = args.out or DIGITS_PATH
        _train_digits(args)
        return 0
    args.out = args.out or PATH
    # Seed 21: not the pages the split model is fitted on (splitfit uses 11),
    # so that fit sees this network's answers on marks it was not trained on.
    x, y = generated("marks", args.pages, 21, args.scans, "train", args.jobs)
    print(f"{len(x)} marks ({int(y.sum())} pairs); training...", flush=True)
    ops, arrays = export_program(symbols.train(x, y, args.epochs, build=build_network))
    tmp = args.out.with_suffix(".tmp.npz")
    save_program(tmp, ops, arrays)
    for style, scans in (("MNIST test", 0.0), ("scikit-learn", 1.0)):
        held_x, held_y = generated("marks", args.held_out, 22, scans, "test", args.jobs)
        said = NumpyNetwork(ops, arrays)(held_x)[:, PAIR] >= 0.5
        print(f"held-out marks ({style} pages): pairs found "
              f"{int((said & (held_y == 1)).sum())}/{int(held_y.sum())}, single digits called "
              f"pairs {int((said & (held_y == 0)).sum())}/{int((held_y == 0).sum())}")
    tmp.replace(args.out)  # never a half-written network
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
