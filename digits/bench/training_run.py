"""One training run in its own process, so its wall time and peak memory are its own.

``python -m digits.bench.training_run KIND OUT.json [--limit N] [--batches N] [--save PATH]``

KIND is ``quick`` (our quick preset), ``standard`` (our standard preset,
stopped after ``--batches`` batches: a memory probe, not a full run) or
``tutorial`` (the tutorials' MLP, 5 epochs; ``--save`` keeps the model file).
The result JSON holds ``seconds``, ``accuracy`` (MNIST test), ``peak_rss_mb``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digits.bench.training_run")
    parser.add_argument("kind", choices=["quick", "standard", "tutorial"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--batches", type=int, default=150, help="standard: stop after N")
    parser.add_argument("--save", type=Path, help="tutorial: write the model here")
    args = parser.parse_args(argv)

    from digits.bench.speed import peak_rss_mb
    from digits.data import load_mnist
    from digits.evaluate import score_predictions
    from digits.train import Cancelled, predict_in_batches, preset, train

    data = load_mnist()
    result = {"kind": args.kind}
    started = time.perf_counter()
    if args.kind == "tutorial":
        from digits.bench.baseline import train_baseline

        x, y = data.x_train[: args.limit], data.y_train[: args.limit]
        model = train_baseline(x, y)
        result["seconds"] = time.perf_counter() - started
        if args.save:
            model.save(args.save)  # as the tutorials do: model.save("mnist.keras")
    else:
        config = preset(args.kind, train_limit=args.limit)
        done = []

        def on_batch(epoch, batch, logs):
            done.append(batch)

        def should_stop():
            return args.kind == "standard" and len(done) >= args.batches

        try:
            model = train(config, data, on_batch=on_batch, should_stop=should_stop).model
        except Cancelled:  # the probe: same network, stopped early; evaluate its twin
            from digits.model import build_model

            model = build_model(config.arch)
        result["seconds"] = time.perf_counter() - started
        result["batches"] = len(done)
    # Scoring the test set is part of every training job (and of its memory peak).
    probs = predict_in_batches(model, data.x_test)
    if args.kind != "standard":
        result["accuracy"] = score_predictions(data.y_test, probs)["accuracy"]
    result["peak_rss_mb"] = peak_rss_mb()
    args.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
