"""The ``python -m digits`` command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from digits.bundle import BundleError
from digits.data import DataError
from digits.ensemble import SURE
from digits.model import ARCHITECTURES


def _progress_bar(done: int, total: int, text: str, width: int = 30) -> None:
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {text}   ")
    sys.stderr.flush()


def train_config(args):
    """The preset's ``TrainConfig`` (with ``--from``: the starting network's) with only
    the options given on the command line changed."""
    from digits.train import preset, trained_on_config

    overrides = {}
    for field in ("arch", "epochs", "batch_size", "learning_rate", "seed", "train_limit",
                  "other_writers", "scans"):
        if getattr(args, field) is not None:
            overrides[field] = getattr(args, field)
    if args.no_augment:
        overrides["augment"] = False
    for flag in ("elastic", "retrace", "styles"):
        if getattr(args, flag):
            overrides[flag] = True
    if args.start_from:
        config = trained_on_config(args.start_from, args.models_dir, **overrides)
    else:
        config = preset(args.preset, **overrides)
    config.validate()
    return config


def cmd_train(args) -> int:
    from digits.bundle import set_active
    from digits.train import train_and_save

    config = train_config(args)
    print(
        f"Training {config.arch} for {config.epochs} epoch(s) "
        + (f"on from {config.start_from}." if config.start_from else f"({args.preset} preset)."),
        file=sys.stderr,
    )
    started = time.time()

    def on_batch(epoch, batch, logs):
        _progress_bar(
            batch,
            logs["batches"],
            f"epoch {epoch}/{config.epochs} loss {logs.get('loss', 0):.4f} "
            f"acc {logs.get('accuracy', 0):.4f} {time.time() - started:.0f}s",
        )

    def on_epoch(epoch, logs):
        sys.stderr.write("\n")
        print(
            f"epoch {epoch}/{config.epochs}: loss {logs['loss']:.4f} "
            f"accuracy {logs['accuracy']:.4f} val_loss {logs.get('val_loss', float('nan')):.4f} "
            f"val_accuracy {logs.get('val_accuracy', float('nan')):.4f} "
            f"({logs['seconds']:.0f}s)",
            file=sys.stderr,
            flush=True,
        )

    bundle = train_and_save(
        config, models_dir=args.models_dir, name=args.name, on_epoch=on_epoch, on_batch=on_batch,
        workers=args.workers,
    )
    print(
        f"Saved {bundle.path} - test accuracy {bundle.accuracy:.2%}, "
        f"{bundle.metrics['training_seconds']:.0f}s of training."
    )
    if args.activate:
        set_active(bundle.name, args.models_dir)
        print(f"{bundle.name} is now the active model.")
    return 0


def cmd_combine(args) -> int:
    from digits.bundle import MODELS_DIR, load_bundle, set_active
    from digits.ensemble import combine

    folders = [m if m.is_dir() else Path(args.models_dir or MODELS_DIR) / m for m in args.models]
    print(f"Joining {len(folders)} models; scoring them together on the MNIST test set.",
          file=sys.stderr)
    bundle = combine([load_bundle(f) for f in folders], models_dir=args.models_dir,
                     name=args.name, sure=args.sure)
    members = ", ".join(f"{m['name']} {m['accuracy']:.2%}" for m in bundle.metrics["members"])
    print(f"Saved {bundle.path} - test accuracy {bundle.accuracy:.2%} (members: {members}).")
    if args.activate:
        set_active(bundle.name, args.models_dir)
        print(f"{bundle.name} is now the active model.")
    return 0


def cmd_evaluate(args) -> int:
    from digits.bundle import active_bundle, load_bundle, load_network
    from digits.data import load_mnist
    from digits.evaluate import score_predictions

    bundle = load_bundle(args.model) if args.model else active_bundle(args.models_dir)
    data = load_mnist()
    network = load_network(bundle)
    scores = score_predictions(data.y_test, network(data.x_test.astype("float32") / 255.0))
    if args.json:
        scores.pop("misclassified")
        print(json.dumps({"model": bundle.name, **scores}))
    else:
        print(
            f"{bundle.name}: MNIST test accuracy {scores['accuracy']:.2%} "
            f"({scores['count'] - round(scores['accuracy'] * scores['count'])} errors "
            f"in {scores['count']})"
        )
        print("digit precision recall    f1 support")
        for row in scores["per_class"]:
            print(
                f"{row['digit']:>5} {row['precision']:>9.4f} {row['recall']:>6.4f} "
                f"{row['f1']:>5.4f} {row['support']:>7}"
            )
    return 0


def _read_each(paths, read_one) -> int:
    """Print one JSON line per path; bad files get an "error" line, not a traceback."""
    from digits.decode import ImageError, decode_image

    status = 0
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            print(
                json.dumps({"path": str(path), "error": f"Cannot open the file ({exc.strerror})."})
            )
            status = 2
            continue
        try:
            result = read_one(decode_image(data))
        except ImageError as exc:  # includes the reader's too-many-digits refusal
            print(json.dumps({"path": str(path), "error": str(exc)}))
            status = 2
            continue
        print(json.dumps({"path": str(path), **result}), flush=True)
    return status


def cmd_predict(args) -> int:
    from digits.bundle import load_bundle
    from digits.predict import active_recognizer, recognizer_for

    recognizer = (
        recognizer_for(load_bundle(args.model))
        if args.model
        else active_recognizer(args.models_dir)
    )

    def read_one(image):
        prediction = recognizer.predict(image)
        if prediction.blank:
            return {"digit": None, "reason": "blank"}
        return {
            "digit": prediction.digit,
            "confidence": round(prediction.confidence, 6),
            "probabilities": [round(float(p), 6) for p in prediction.probabilities],
        }

    return _read_each(args.images, read_one)


def cmd_read(args) -> int:
    from digits.predict import active_recognizer
    from digits.reader import part_box, read_part

    recognizer = active_recognizer(args.models_dir)
    across, down = args.part[:2], args.part[2:]
    return _read_each(args.images, lambda image: read_part(
        image, part_box(image.shape, across, down), recognizer).to_dict())


def _at_least_one(text: str) -> int:
    """A count of 1 or more (``--workers``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _part(text: str) -> tuple[float, float, float, float]:
    """``--part LEFT,RIGHT,TOP,BOTTOM`` in percent of the image, e.g. 70,100,25,55."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(0 <= v <= 100 for v in values):
        raise argparse.ArgumentTypeError("give four percentages 0-100: LEFT,RIGHT,TOP,BOTTOM")
    return values


def cmd_bench(args) -> int:
    from digits.bench import run_bench_cli

    return run_bench_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m digits", description="Read handwritten digits; train and check models."
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="folder of model bundles (default: models/ or $DIGITS_MODELS_DIR)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a model and save it as a bundle")
    p.add_argument("--arch", choices=ARCHITECTURES, help="default: the preset's")
    p.add_argument("--preset", choices=["quick", "standard"], default="standard")
    p.add_argument("--from", dest="start_from", metavar="MODEL",
                   help="train on from this saved network (a model's name), with its settings "
                   "but for the options given here (fine-tuning; --preset is not used)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--train-limit", type=int, help="use only the first N training images")
    p.add_argument("--no-augment", action="store_true", help="train on the plain images")
    p.add_argument("--elastic", action="store_true", help="add elastic distortions")
    p.add_argument("--retrace", action="store_true",
                   help="redraw some digits along their centre line with an even pen")
    p.add_argument("--styles", action="store_true",
                   help="write some 1s, 7s and 9s with a flag, a bar, a curled tail")
    p.add_argument("--other-writers", type=int, metavar="COPIES",
                   help="augmented copies of the 2,000 other writers' digits in each epoch "
                   "(0: MNIST only; default: the preset's)")
    p.add_argument("--scans", type=float, metavar="SHARE",
                   help="share of digits seen as an 8x8 block scanner records them "
                   "(default: the preset's)")
    p.add_argument("--workers", type=_at_least_one, metavar="N", default=1,
                   help="processes augmenting batches ahead of the network (default: 1, "
                   "in the training process; more where cores would otherwise wait)")
    p.add_argument("--name", help="bundle folder name (default: date-time-arch)")
    p.add_argument("--activate", action="store_true", help="make the new model the active one")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("combine", help="save several models read together as one model")
    p.add_argument("models", nargs="+", type=Path,
                   help="two or more bundle folders, or names of folders in the models folder")
    p.add_argument("--sure", type=float, default=SURE,
                   help="the first model's answer stands alone from this probability on "
                   f"(default {SURE}; above 1: always average)")
    p.add_argument("--name", help="bundle folder name (default: date-time-ensemble)")
    p.add_argument("--activate", action="store_true", help="make the new model the active one")
    p.set_defaults(func=cmd_combine)

    p = sub.add_parser("evaluate", help="score a model on the MNIST test set")
    p.add_argument("--model", type=Path, help="bundle folder (default: the active model)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict", help="read one digit from each image (JSON lines)")
    p.add_argument("images", nargs="+", help="image files (PNG, JPEG, BMP, TIFF, WebP, GIF)")
    p.add_argument("--model", type=Path, help="bundle folder (default: the active model)")
    p.add_argument(
        "--json", action="store_true", help="JSON lines (the only format; kept for symmetry)"
    )
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("read", help="read all numbers on each image (JSON lines)")
    p.add_argument("images", nargs="+", help="photos or scans of checks, notes, forms")
    p.add_argument(
        "--json", action="store_true", help="JSON lines (the only format; kept for symmetry)"
    )
    p.add_argument(
        "--part", type=_part, metavar="LEFT,RIGHT,TOP,BOTTOM", default=(0, 100, 0, 100),
        help="read only this part of each image, in percent (e.g. a check's amount box: "
        "70,100,25,55); boxes stay in the whole image's pixels",
    )
    p.set_defaults(func=cmd_read)

    p = sub.add_parser(
        "bench", help="measure accuracy, speed and cost against the tutorial baseline"
    )
    p.add_argument(
        "--quick", action="store_true", help="small sets and no training (about 2 minutes)"
    )
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument(
        "--output",
        type=Path,
        default=Path("docs/benchmarks.md"),
        help="where to write the report (default: docs/benchmarks.md)",
    )
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataError, BundleError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
