"""One benchmark run: every figure for our app next to the tutorials' approach.

``python -m digits bench [--quick] [--json] [--output docs/benchmarks.md]``
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from digits.bench.report import Report, library_versions, machine_info

SIZES_ENV = "DIGITS_BENCH_SIZES"  # "tiny": the test suite's smoke run (seconds, not minutes)


@dataclass(frozen=True)
class BenchSizes:
    """How much of everything one run measures."""

    mnist_test: int | None = None  # MNIST test images scored (None: all 10,000)
    mouse: int = 1500  # mouse drawings from MNIST test digits
    paper: int = 1500  # paper photos from MNIST test digits
    sklearn: int | None = None  # scikit-learn digits on paper (None: all 1,797)
    # Check/note pages with one 3-6 digit number (and half as many "$" amounts). 600,
    # not 200: other draws of 200-300 pages read 86-94 % exactly with the same model.
    pages: int = 600
    six_digit_pages: int = 30  # pages timed for the 6-digit reading time
    latency_images: int = 150  # single requests timed one by one
    batch_images: int = 500  # images in the throughput batch
    cold_start_runs: int = 3  # fresh processes per pipeline (median); 0 skips
    cold_start_keras: bool = True  # also time the Keras cold starts
    baseline_train_limit: int | None = None  # tutorial MLP training images (None: 60,000)
    train_quick: bool = True  # train our quick preset live
    train_probe_batches: int = 150  # standard-preset memory probe; 0 skips
    app: bool = True  # start the app in a browser
    app_strokes: int = 5  # stroke-to-reading round trips timed


FULL = BenchSizes()
QUICK = BenchSizes(mnist_test=2000, mouse=200, paper=200, sklearn=200, pages=40,
                   six_digit_pages=10, latency_images=40, batch_images=200, cold_start_runs=1,
                   train_quick=False, train_probe_batches=0, app_strokes=3)
TINY = replace(QUICK, mnist_test=500, mouse=12, paper=12, sklearn=12, pages=3, six_digit_pages=2,
               latency_images=8, batch_images=16, cold_start_keras=False,
               baseline_train_limit=2000, app=False)


@dataclass
class Bench:
    """What the stages of one run share."""

    report: Report
    sizes: BenchSizes
    data: object  # digits.data.Mnist
    bundle: object  # digits.bundle.ModelBundle, the active (shipped) model
    recognizer: object  # digits.predict.Recognizer of ``bundle``
    tmp: Path  # scratch folder, removed at the end
    models_dir: Path | None = None
    pipeline: object = None  # TutorialPipeline, once trained
    tutorial_run: dict = field(default_factory=dict)  # seconds, accuracy, peak_rss_mb
    realistic: list = field(default_factory=list)  # LabelledSet, filled by quality
    sample_png: bytes = b""  # one request's file, for the cold starts

    @property
    def tutorial_file(self) -> Path:
        return self.tmp / "tutorial_mlp.keras"


_STARTED = time.perf_counter()


def say(message: str) -> None:
    """A progress line on stderr (stdout is kept for --json), with seconds since import."""
    print(f"[bench {time.perf_counter() - _STARTED:5.0f}s] {message}", file=sys.stderr,
          flush=True)


def train_tutorial(bench: Bench) -> None:
    """Train the baseline in its own process (its time, memory and file are figures too)."""
    import keras

    from digits.bench import speed
    from digits.bench.baseline import TutorialPipeline

    limit = bench.sizes.baseline_train_limit
    count = limit or len(bench.data.x_train)
    say(f"training the tutorial MLP, 5 epochs on {count:,} images")
    bench.tutorial_run = speed.training_run("tutorial", limit=limit, save=bench.tutorial_file)
    bench.pipeline = TutorialPipeline(keras.models.load_model(bench.tutorial_file))
    bench.report.notes.append(
        "Baseline: the tutorials' dense 128-128 network (adam, batch 32, 5 epochs on "
        f"{count:,} raw MNIST training images / 255), trained in this run, fed by the "
        "tutorials' preprocessing: grayscale, resize the whole image to 28x28 (Pillow), invert "
        "when the background is light, / 255; served with model.predict "
        "(digits/bench/baseline.py).")


def run_bench(quick: bool = False, models_dir=None, sizes: BenchSizes | None = None,
              command: str = "python -m digits bench") -> Report:
    """Measure everything; return the :class:`Report` (nothing is written).

    Examples
    --------
    >>> report = run_bench(quick=True, sizes=TINY)  # doctest: +SKIP
    >>> report.to_dict()["figures"]["mnist_accuracy"]["ours"]  # doctest: +SKIP
    0.9962
    """
    from digits.bench import cost, quality
    from digits.bundle import active_bundle
    from digits.data import load_mnist
    from digits.predict import recognizer_for

    started = time.perf_counter()
    report = Report(
        mode="quick" if quick else "full", command=command,
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine_info(), versions=library_versions(),
    )
    bundle = active_bundle(models_dir)
    bench = Bench(report, sizes or (QUICK if quick else FULL), load_mnist(), bundle,
                  recognizer_for(bundle), Path(tempfile.mkdtemp(prefix="digits-bench-")),
                  models_dir)
    say(f"model {bundle.name} ({bundle.arch}); {report.mode} run")
    try:
        train_tutorial(bench)
        for stage in (quality.mnist, quality.realistic_digits, quality.number_pages,
                      cost.latency, cost.cold_start, cost.app_in_browser, cost.training,
                      cost.model_files):
            stage(bench, say)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    report.notes += [
        "Every realistic image is made from digits no model trained on: the MNIST test split "
        "and scikit-learn's load_digits, with fixed seeds (digits/bench/sets.py).",
        "Ratios are ours ÷ baseline: above 1 is better for accuracy and throughput, below 1 is "
        "better for times, memory and sizes.",
        "All timings are wall-clock on this shared machine; other jobs may have been running "
        "(the load average at the start is under Machine).",
    ]
    report.seconds = time.perf_counter() - started
    say(f"done in {report.seconds:.0f} s")
    return report


def sizes_from_env(quick: bool) -> BenchSizes:
    """The sizes for this run; ``DIGITS_BENCH_SIZES=tiny`` shrinks them for tests."""
    choice = os.environ.get(SIZES_ENV, "")
    if choice == "tiny":
        return TINY
    if choice:
        raise ValueError(f"{SIZES_ENV} must be 'tiny' or unset, not {choice!r}.")
    return QUICK if quick else FULL


def run_bench_cli(args) -> int:
    """``python -m digits bench``: measure, write the report, print JSON or a summary."""
    command = "python -m digits bench" + (" --quick" if args.quick else "")
    report = run_bench(quick=args.quick, models_dir=getattr(args, "models_dir", None),
                       sizes=sizes_from_env(args.quick), command=command)
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report.to_markdown())
        say(f"wrote {output}")
    if args.json:
        print(json.dumps(report.to_dict(), default=_plain))
    else:
        failed = [f.label for f in report.figures if f.passed is False]
        print(f"{len(report.figures)} figures; {len(failed)} below target"
              + (": " + "; ".join(failed) if failed else "."))
    return 0


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
