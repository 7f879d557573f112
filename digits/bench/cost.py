"""Figures 4-7: what it costs (latency, throughput, cold start, the app, training, files)."""

from __future__ import annotations

import json

from digits.bench import app, sets, speed
from digits.bench.report import Figure
from digits.decode import decode_image
from digits.preprocess import to_model_input

KERAS = "Keras model.predict, same model and preprocessing"


def _get(result: dict | None, key: str):
    return result[key] if result else None


def latency(bench, say) -> None:
    """One request end to end from PNG bytes, and batches, for three pipelines."""
    from digits.bundle import load_keras_model

    sizes, report = bench.sizes, bench.report
    recognizer, pipeline = bench.recognizer, bench.pipeline
    keras_model = load_keras_model(bench.bundle)
    wanted = max(sizes.latency_images, sizes.batch_images)
    files = [speed.png_bytes(image) for image in sets.app_requests(bench.data.x_test, wanted)]
    bench.sample_png = files[0]
    single = files[: sizes.latency_images]
    say(f"latency: {len(single)} single requests per pipeline")
    ours = speed.time_each(lambda data: recognizer.predict(decode_image(data)), single)
    theirs = speed.time_each(pipeline.predict_one, single)
    through_keras = speed.time_each(speed.keras_single(keras_model), single)
    (o50, o95), (t50, t95), (k50, _) = map(speed.percentiles, (ours, theirs, through_keras))
    # Where our time goes, step by step on the same requests.
    decoded = [decode_image(data) for data in single]
    prepared = [to_model_input(image) for image in decoded]
    steps = [speed.percentiles(speed.time_each(f, xs))[0] for f, xs in (
        (decode_image, single), (to_model_input, decoded),
        (lambda p: recognizer.predict_prepared([p]), prepared))]
    # What a canvas stroke costs: the Draw page hands the array over, nothing to decode.
    served = speed.time_each(lambda image: recognizer.predict(image), decoded)
    theirs_served = speed.time_each(pipeline.predict_one, decoded)
    report.add(Figure("predict_p50_ms", "One image already in memory (preprocess + model), p50",
                      "ms", speed.percentiles(served)[0], speed.percentiles(theirs_served)[0],
                      at_most=5, note="The same requests as the next row, decoded beforehand: "
                      "what a Draw-page stroke costs (the canvas sends pixels, not a file)."))
    report.add(Figure("latency_p50_ms", "One image end to end (PNG decode + preprocess + model), "
                      "p50", "ms", o50, t50,
                      note="Requests alternate Draw-page canvases (380x380 RGBA PNG, 2-12 px "
                      "mouse line) and paper photos (60-400 px PNG), from MNIST test digits; "
                      "each is timed once after 3 warm-up calls. Ours, p50 per step: decode "
                      f"{steps[0]:.1f} ms, preprocess {steps[1]:.1f} ms, model {steps[2]:.1f} ms. "
                      "The tutorial path calls model.predict per request, as the tutorials do."))
    report.add(Figure("latency_p95_ms", "One image end to end, p95", "ms", o95, t95))
    report.add(Figure("keras_latency_p50_ms", "One image, p50: our NumPy runtime vs our model "
                      "through Keras", "ms", o50, k50, versus=KERAS))

    batch = files[: sizes.batch_images]
    say(f"throughput: batches of {len(batch)} images")
    ours_b = speed.throughput(lambda fs: recognizer.predict_many([decode_image(b) for b in fs]),
                              batch)
    theirs_b = speed.throughput(pipeline.predict_many, batch)
    keras_b = speed.throughput(lambda fs: speed.keras_batch(keras_model, fs), batch)
    report.add(Figure("throughput", f"Batch throughput, {len(batch):,} PNG files decoded and "
                      "read", "images/s", ours_b, theirs_b))
    report.add(Figure("keras_throughput", "Batch throughput: our NumPy runtime vs our model "
                      "through Keras", "images/s", ours_b, keras_b, versus=KERAS))


def cold_start(bench, say) -> None:
    """A fresh process: import, load the model, read one PNG."""
    runs, report = bench.sizes.cold_start_runs, bench.report
    keys = (("cold_start_s", "Cold start: import + model load + first prediction", "s"),
            ("keras_cold_start_s", "Cold start: our NumPy runtime vs our model through Keras",
             "s"),
            ("cold_start_rss_mb", "Memory of that process after the first prediction (peak RSS)",
             "MB"))
    if not runs:
        for key, label, unit in keys:
            report.add(Figure(key, label, unit, None, note="Not measured with these sizes."))
        return
    sample = bench.tmp / "sample.png"
    sample.write_bytes(bench.sample_png)
    models = str(bench.models_dir or "")
    say(f"cold start: {runs} fresh process(es) per pipeline")
    ours = speed.cold_start(speed.COLD_OURS, models, str(sample), runs=runs)
    theirs = through_keras = None
    if bench.sizes.cold_start_keras:
        theirs = speed.cold_start(speed.COLD_TUTORIAL, str(bench.tutorial_file), str(sample),
                                  runs=runs)
        through_keras = speed.cold_start(speed.COLD_KERAS, models, str(sample), runs=runs)
    (k1, l1, u1), (k2, l2, u2), (k3, l3, u3) = keys
    report.add(Figure(k1, l1, u1, ours["seconds"], _get(theirs, "seconds"),
                      note=f"A fresh python process: import, load the model, decode and read one "
                      f"PNG; median of {runs} run(s). Tutorial: import Keras, load_model, naive "
                      "preprocessing, model.predict."))
    report.add(Figure(k2, l2, u2, ours["seconds"], _get(through_keras, "seconds"),
                      versus="Keras load_model + model.predict"))
    report.add(Figure(k3, l3, u3, ours["peak_rss_mb"], _get(theirs, "peak_rss_mb")))


def app_in_browser(bench, say) -> None:
    """The app a visitor meets: time to ready, stroke round trip, server memory."""
    sizes = bench.sizes
    missing = "" if sizes.app else "not run with these sizes"
    missing = missing or app.app_missing()
    ours = theirs = None
    problems = [missing] if missing else []
    if not missing:
        probes = (("our app", app.OUR_APP),
                  ("a tutorial-style app", app.tutorial_probe(bench.tutorial_file, bench.tmp)))
        results = []
        for name, probe in probes:
            say(f"app: streamlit run + Chromium, {name}")
            try:
                results.append(app.measure_app(probe, strokes=sizes.app_strokes))
            except Exception as exc:  # a broken app is a finding, not a crash of the benchmark
                results.append(None)
                problems.append(f"{name} failed: {str(exc)[:300]}")
                say(problems[-1])
        ours, theirs = results
    missing = "; ".join(problems)
    note = ("`streamlit run` headless on a free port; Chromium (Playwright) opens the Draw page, "
            "draws a vertical stroke with the mouse and waits for the reading (ours: 'NN% sure'; "
            "tutorial app: 'Prediction: N'), then reloads the page for the next stroke; "
            f"{sizes.app_strokes} strokes. Ready: from launching the server to the page asking "
            "for a drawing with the canvas on screen (the browser is started beforehand). "
            "Memory: the server's VmHWM from /proc after the strokes and, for ours, after "
            f"opening every page ({', '.join(ours['pages']) if ours else '-'}). The "
            "tutorial-style app: the same canvas, Keras load_model in st.cache_resource, naive "
            "preprocessing and model.predict on each run."
            + (f" Round trips (ms): ours {ours['round_trips_ms']}, tutorial "
               f"{theirs['round_trips_ms']}; strokes drawn again because the canvas was not yet "
               f"listening: ours {ours['missed_strokes']}, tutorial {theirs['missed_strokes']}."
               if ours and theirs else "")
            + (f" Not measured: {missing}." if missing else ""))
    report = bench.report
    report.add(Figure("app_ready_s", "App: `streamlit run` to the Draw page ready", "s",
                      _get(ours, "ready_s"), _get(theirs, "ready_s"), at_most=10, note=note))
    report.add(Figure("app_round_trip_ms", "App: stroke released to reading shown, median", "ms",
                      _get(ours, "round_trip_ms"), _get(theirs, "round_trip_ms"), at_most=300))
    report.add(Figure(
        "app_stroke_sent_ms", "... of which the canvas holds the stroke before sending it, median",
        "ms", _get(ours, "sent_ms"), _get(theirs, "sent_ms"),
        note="Mouse released to the page's first websocket message to the server (the "
        "canvas' new value). streamlit-drawable-canvas waits 200 ms after a stroke for the "
        "next one before it sends (a fixed debounce in its frontend, not a setting), then "
        "encodes the canvas as a PNG; the rest of the round trip is the server's rerun "
        "and the browser showing it."))
    report.add(Figure("app_rss_mb", "App: server memory while serving (peak RSS)", "MB",
                      _get(ours, "peak_rss_mb"), _get(theirs, "peak_rss_mb"), at_most=600))


def training(bench, say) -> None:
    """Training time, accuracy and memory: quick preset live, standard as recorded."""
    sizes, report, recorded = bench.sizes, bench.report, bench.bundle.metrics
    tutorial_s, tutorial_acc = bench.tutorial_run["seconds"], bench.tutorial_run["accuracy"]
    quick = None
    if sizes.train_quick:
        say("training our quick preset in a fresh process")
        quick = speed.training_run("quick")
    report.add(Figure("train_quick_seconds", "Training, quick preset: wall time", "s",
                      _get(quick, "seconds"), tutorial_s, at_most=90,
                      note="Trained live in a fresh process; both times are the training call "
                      "(split, build, fit), after TensorFlow is imported and MNIST loaded. "
                      "Baseline: the tutorial MLP's 5 epochs in this run."
                      + ("" if quick else " Not trained in --quick.")))
    report.add(Figure("train_quick_accuracy", "Training, quick preset: MNIST test accuracy", "%",
                      _get(quick, "accuracy"), tutorial_acc, at_least=0.99))
    config = json.dumps(recorded.get("config", {}), sort_keys=True)
    if recorded.get("members"):  # an ensemble: each network's own training, added up
        config = "; ".join(f"{m['name']}: {json.dumps(m['config'], sort_keys=True)}, "
                           f"{m['training_seconds']} s" for m in recorded["members"])
    report.add(Figure("train_standard_seconds", "Training, standard preset: wall time (recorded "
                      "at training time)", "s", recorded.get("training_seconds"), tutorial_s,
                      note=f"From {bench.bundle.name}/metrics.json (config {config}; "
                      f"{recorded.get('machine', '?')}; created {recorded.get('created', '?')}); "
                      "not retrained here: it does not fit in the 15-minute run."))
    report.add(Figure("train_standard_accuracy", "Training, standard preset: MNIST test accuracy "
                      "(recorded at training time)", "%", bench.bundle.accuracy, tutorial_acc,
                      at_least=0.995))
    probe = None
    if sizes.train_probe_batches:
        say(f"memory probe: standard preset, {sizes.train_probe_batches} batches")
        probe = speed.training_run("standard", batches=sizes.train_probe_batches)
    report.add(Figure(
        "train_peak_rss_mb", "Training process peak RSS (standard preset)", "MB",
        _get(probe, "peak_rss_mb"), bench.tutorial_run["peak_rss_mb"],
        note="A fresh training process: all 60,000 images kept as uint8, augmentation per "
        f"batch, stopped after {probe['batches']} batches, then the 10,000 test images scored; "
        "peak = VmHWM. Baseline: the tutorial MLP's training process (it keeps the images as "
        "float64, as the tutorials' x_train / 255 does). When the app trains, its serving memory "
        "comes on top." + (f" Quick preset: {quick['peak_rss_mb']:.0f} MB." if quick else "")
        if probe else "Not measured in --quick. Baseline: the tutorial MLP's training process."))
    # The app trains in a worker process (digits/jobs.py): during a retrain the app holds
    # the server plus the worker. Adding the two peaks bounds it from above.
    serving = report.value("app_rss_mb")
    both = serving + probe["peak_rss_mb"] if probe and serving else None
    report.add(Figure(
        "app_training_rss_mb", "App during a standard retrain: server + training worker (peak "
        "RSS, summed)", "MB", both, at_most=1536,
        note="The server's peak while serving (row 'App: server memory') plus the standard "
        "training process' peak (row above): an upper bound, since the two peaks need not "
        "coincide." + ("" if both else " Not measured: needs both rows.")))


def model_files(bench, say) -> None:
    """Bytes on disk: what the app loads, and the Keras file."""
    recorded = bench.bundle.metrics
    files = recorded.get("files", {})
    tutorial_mb = bench.tutorial_file.stat().st_size / 1e6

    def mb(name):
        size = files.get(name, {}).get("bytes")
        return size / 1e6 if size else None

    bench.report.add(Figure("served_model_mb", "Model file the app loads (inference.npz; "
                            "tutorial: its .keras)", "MB", mb("inference.npz"), tutorial_mb))
    bench.report.add(Figure(
        "keras_model_mb", "Keras model file (model.keras)", "MB", mb("model.keras"), tutorial_mb,
        note=f"Ours: {recorded.get('params', 0):,} parameters; tutorial MLP: "
        f"{bench.pipeline.model.count_params():,}. Both saved by model.save with the optimizer "
        "state."))
