"""Timings: one request end to end, batches, a fresh process, a training process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from digits.decode import decode_image
from digits.preprocess import to_model_input

ROOT = Path(__file__).resolve().parent.parent.parent


def png_bytes(image: np.ndarray) -> bytes:
    """PNG file bytes of an RGB (H, W, 3) or RGBA (H, W, 4) uint8 image."""
    code = cv2.COLOR_RGBA2BGRA if image.shape[-1] == 4 else cv2.COLOR_RGB2BGR
    _, data = cv2.imencode(".png", cv2.cvtColor(image, code))
    return data.tobytes()


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of durations in seconds.

    Examples
    --------
    >>> percentiles([0.001, 0.002, 0.003])
    (2.0, 2.9)
    """
    ms = np.asarray(samples_s) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def time_each(function, inputs, warmup: int = 3) -> list[float]:
    """Seconds taken by ``function(x)`` for each input, after a few warm-up calls."""
    for x in inputs[:warmup]:
        function(x)
    out = []
    for x in inputs:
        started = time.perf_counter()
        function(x)
        out.append(time.perf_counter() - started)
    return out


def keras_single(keras_model):
    """Our preprocessing + our model through Keras ``model.predict``, one image."""

    def run(data: bytes):
        prepared = to_model_input(decode_image(data))
        if prepared.blank:
            return None
        return int(keras_model.predict(prepared.image[None, ..., None], verbose=0).argmax())

    return run


def keras_batch(keras_model, files: list[bytes]) -> np.ndarray:
    """Our preprocessing for every file, then one ``model.predict`` for the batch."""
    prepared = [to_model_input(decode_image(data)) for data in files]
    x = np.stack([p.image if not p.blank else np.zeros((28, 28), np.float32) for p in prepared])
    return keras_model.predict(x[..., None], batch_size=256, verbose=0).argmax(axis=1)


def throughput(function, files: list[bytes]) -> float:
    """Images per second for ``function(files)`` over the whole list (after a warm-up)."""
    function(files[:8])
    started = time.perf_counter()
    function(files)
    return len(files) / (time.perf_counter() - started)


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB (VmHWM).

    Not ``getrusage``: its ``ru_maxrss`` carries the parent's peak over ``fork``,
    so a child of a big benchmark process would report the parent's memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Child programs for the cold start. Each prints one JSON line once its first
# prediction is made; the parent times the whole process up to that line.
_PEAK = """
def peak_rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

COLD_OURS = _PEAK + """
import json, pathlib, sys
import digits
from digits.decode import decode_image
from digits.predict import active_recognizer
recognizer = active_recognizer(sys.argv[1] or None)
p = recognizer.predict(decode_image(pathlib.Path(sys.argv[2]).read_bytes()))
print(json.dumps({"digit": p.digit, "peak_rss_mb": peak_rss_mb()}), flush=True)
"""

COLD_KERAS = _PEAK + """
import json, pathlib, sys
import keras
from digits.bundle import active_bundle, load_keras_model
from digits.decode import decode_image
from digits.preprocess import to_model_input
model = load_keras_model(active_bundle(sys.argv[1] or None))
x = to_model_input(decode_image(pathlib.Path(sys.argv[2]).read_bytes())).image
digit = int(model.predict(x[None, ..., None], verbose=0).argmax())
print(json.dumps({"digit": digit, "peak_rss_mb": peak_rss_mb()}), flush=True)
"""

COLD_TUTORIAL = _PEAK + """
import json, pathlib, sys
import keras
from digits.bench.baseline import TutorialPipeline
pipeline = TutorialPipeline(keras.models.load_model(sys.argv[1]))
digit = pipeline.predict_one(pathlib.Path(sys.argv[2]).read_bytes())
print(json.dumps({"digit": digit, "peak_rss_mb": peak_rss_mb()}), flush=True)
"""


def child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def cold_start(program: str, *args: str, runs: int = 1, timeout: float = 120) -> dict:
    """Median seconds from launching ``python -c program`` to its first prediction."""
    seconds, rss = [], []
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", program, *args], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT,
        )
        try:
            line = child.stdout.readline()
            elapsed = time.perf_counter() - started
            child.wait(timeout=timeout)
        finally:
            child.kill()
        if not line.strip():
            raise RuntimeError("cold-start child failed: " + child.stderr.read()[-800:])
        seconds.append(elapsed)
        rss.append(json.loads(line)["peak_rss_mb"])
    return {"seconds": float(np.median(seconds)), "peak_rss_mb": float(np.median(rss)),
            "runs": runs}


def training_run(kind: str, limit: int | None = None, batches: int | None = None,
                 save: Path | None = None, timeout: float = 900) -> dict:
    """Run :mod:`digits.bench.training_run` in a fresh process; return its result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "digits.bench.training_run", kind, str(out)]
        if limit:
            command += ["--limit", str(limit)]
        if batches:
            command += ["--batches", str(batches)]
        if save:
            command += ["--save", str(save)]
        done = subprocess.run(command, capture_output=True, text=True, env=child_env(),
                              cwd=ROOT, timeout=timeout)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"training run '{kind}' failed: {done.stderr[-800:]}")
        return json.loads(out.read_text())
