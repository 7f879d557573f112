"""Training: a typed config, on-the-fly augmentation, progress callbacks."""

from __future__ import annotations

import math
import multiprocessing
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from digits.augment import augment_batch
from digits.bundle import MODELS_DIR, ModelBundle, load_bundle, load_keras_model, save_bundle
from digits.data import OTHER_WRITERS, Mnist, file_sha256, load_mnist, other_writers
from digits.evaluate import score_predictions
from digits.model import ARCHITECTURES


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run."""

    arch: str = "cnn"  # "cnn", "deep" or "mlp" (digits.model.ARCHITECTURES)
    epochs: int = 15
    batch_size: int = 128
    learning_rate: float = 3e-3  # peak of the warm-up + cosine schedule
    augment: bool = True  # random rotation/scale/shear/shift/stroke per batch
    elastic: bool = False  # add elastic distortion to the augmentation
    retrace: bool = False  # also redraw a quarter of the digits with an even pen (a ballpoint)
    styles: bool = False  # also write some 1s, 7s and 9s as Europe does (augment.writing_style)
    other_writers: int = 0  # copies of the 2,000 other writers' digits (data.other_writers)
    scans: float = 0.0  # share of digits seen as an 8x8 block scanner records them (augment)
    validation_size: int = 5000  # training images held out for val_* curves
    train_limit: int | None = None  # use only the first N training images (tests)
    seed: int | None = 0  # None: a different run each time
    # A saved single network (bundle name) whose weights the run starts from, its
    # architecture kept: training goes on from it, with these settings (fine-tuning).
    start_from: str | None = None

    def validate(self) -> None:
        """Raise ``ValueError`` with a readable message for impossible settings."""
        problems = []
        if self.arch not in ARCHITECTURES:
            problems.append(f"architecture must be one of {', '.join(ARCHITECTURES)}")
        if not 1 <= self.epochs <= 200:
            problems.append("epochs must be between 1 and 200")
        if not 8 <= self.batch_size <= 4096:
            problems.append("batch size must be between 8 and 4096")
        if not 1e-5 <= self.learning_rate <= 1.0:
            problems.append("learning rate must be between 0.00001 and 1")
        if not 0.0 <= self.scans <= 1.0:
            problems.append("the share of digits seen as coarse scans must be between 0 and 1")
        if not 0 <= self.other_writers <= 20:
            problems.append("copies of the other writers' digits must be between 0 and 20")
        if self.validation_size < 0:
            problems.append("validation size cannot be negative")
        if self.start_from is not None and (Path(self.start_from).name != self.start_from
                                            or self.start_from.strip() in ("", ".", "..")):
            problems.append("the model to start from must be a model's name")
        if self.train_limit is not None and self.train_limit < 2 * self.batch_size:
            problems.append("train_limit must hold at least two batches")
        if problems:
            raise ValueError("Invalid training settings: " + "; ".join(problems) + ".")


PRESETS = {
    # One clean epoch in batches of 64 (907 steps; 128 is no faster per image on 2 cores):
    # 60-150 s of training on the 2 cores, as busy as they are. The first 40,000 images
    # only: 98.88 %. A peak rate of 4e-3 rather than 2e-3 lifts one epoch from 98.95-99.05 %
    # (3 runs) to 99.09-99.20 % (4 seeds; 2026-11-22). Networks a third cheaper to run
    # (one convolution at 28x28, or 3/4 of the channels) read 98.8-99.1 % and trained no
    # faster here (88 s against 92 s).
    "quick": TrainConfig(epochs=1, batch_size=64, augment=False, learning_rate=4e-3,
                         validation_size=2000),
    # The shipped model's deep network: the deeper CNN, augmentation (with ballpoint redraws and
    # European 1s, 7s and 9s), 4 augmented copies of the other writers' 2,000 digits
    # (about an eighth of each epoch) and a long cosine schedule. About 45 minutes on 2 cores.
    "standard": TrainConfig(arch="deep", epochs=20, retrace=True, styles=True, other_writers=4),
}


class Cancelled(Exception):
    """Training was stopped on request."""


@dataclass
class TrainResult:
    model: object  # keras.Model
    history: dict  # per-epoch lists
    seconds: float
    started_from: ModelBundle | None = None  # the saved network it was trained on from


def _single_threaded() -> None:
    """In an augmenting process: one thread, as there is one such process per core."""
    import cv2

    cv2.setNumThreads(1)


def starting_point(config: TrainConfig, models_dir=None) -> ModelBundle | None:
    """The saved network ``config.start_from`` names, checked; None to start afresh.

    Raises ``ValueError`` with a readable message where the run cannot start
    from it (:class:`~digits.bundle.BundleError` where it is missing or damaged).
    """
    if config.start_from is None:
        return None
    bundle = _network_to_train_on(config.start_from, models_dir)
    if bundle.arch != config.arch:
        raise ValueError(f"{bundle.name} is a {bundle.arch} network; training from it "
                         f"keeps that architecture, not {config.arch}.")
    return bundle


def _network_to_train_on(name: str, models_dir=None) -> ModelBundle:
    """The saved bundle ``name``, if it is one network (``ValueError`` for an ensemble)."""
    from digits.ensemble import is_ensemble

    bundle = load_bundle(Path(models_dir or MODELS_DIR) / name)
    if is_ensemble(bundle):
        raise ValueError(f"{bundle.name} is an ensemble; training starts from one network "
                         "(train each member, then combine them).")
    return bundle


def augmented(images, labels, seed, config: TrainConfig) -> np.ndarray:
    """One batch augmented as ``config`` says, from its own generator seeded by ``seed``."""
    return augment_batch(images, np.random.default_rng(seed), config.elastic, config.retrace,
                         labels if config.styles else None, config.scans)


def _batches(x, y, config: TrainConfig, rng, workers: int = 1):
    """A Keras PyDataset that augments each batch as it is requested.

    Each epoch's shuffle is seeded by the run and the epoch, each batch's
    distortions by the run, the epoch and the batch, so a seeded run sees the same
    batches whether they are augmented here or, with ``workers`` > 1, that many
    processes ahead of the network, two epochs at a time (on a GPU the network
    waits for the augmentation otherwise).
    """
    import keras

    run = int(rng.integers(2**32))
    size = config.batch_size

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=1, use_multiprocessing=False)
            self.epoch = 0
            self.orders: dict[int, np.ndarray] = {}  # each epoch's shuffle, while it is in use
            self.pool = None
            self.ahead: dict[int, list] = {}
            if config.augment and workers > 1:
                context = multiprocessing.get_context("spawn")  # no fork of a running framework
                self.pool = ProcessPoolExecutor(workers, mp_context=context,
                                                initializer=_single_threaded)
                for epoch in range(min(2, config.epochs)):
                    self._submit(epoch)

        def _order(self, epoch):
            if epoch not in self.orders:
                self.orders[epoch] = np.random.default_rng([run, epoch]).permutation(len(x))
            return self.orders[epoch]

        def _submit(self, epoch):
            order = self._order(epoch)
            self.ahead[epoch] = [
                self.pool.submit(augmented, x[idx], y[idx], [run, epoch, i], config)
                for i in range(len(self))
                for idx in [order[i * size : (i + 1) * size]]
            ]

        def __len__(self):
            return math.ceil(len(x) / size)

        def __getitem__(self, i):
            idx = self._order(self.epoch)[i * size : (i + 1) * size]
            ahead = self.ahead.get(self.epoch)
            if ahead and not ahead[i].cancelled():
                images = ahead[i].result()
            elif config.augment:  # here; also a batch asked for past the last epoch or a stop
                images = augmented(x[idx], y[idx], [run, self.epoch, i], config)
            else:
                images = x[idx]
            return images[..., None].astype(np.float32) / 255.0, y[idx]

        def on_epoch_end(self):
            self.ahead.pop(self.epoch, None)
            self.orders.pop(self.epoch, None)
            self.epoch += 1
            if self.pool and self.epoch + 1 < config.epochs:
                self._submit(self.epoch + 1)

        def close(self):
            if self.pool:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None

    return Batches()


def train(
    config: TrainConfig,
    data: Mnist | None = None,
    on_epoch: Callable[[int, dict], None] | None = None,
    on_batch: Callable[[int, int, dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    workers: int = 1,
    models_dir=None,
) -> TrainResult:
    """Train a model; report progress; stop early when ``should_stop()`` is true.

    A new network, or with ``config.start_from`` the weights of that saved one
    (in ``models_dir``), trained on.

    ``on_epoch(epoch, logs)`` is called after each epoch (1-based) with loss,
    accuracy, val_loss, val_accuracy, lr and seconds; ``on_batch(epoch, batch,
    logs)`` after each batch with ``batches`` (per epoch) added.
    With ``workers`` > 1, that many processes augment the batches ahead.
    Raises :class:`Cancelled` if stopped.
    """
    config.validate()
    if workers < 1:
        raise ValueError("Invalid training settings: workers must be at least 1.")
    start = starting_point(config, models_dir)
    import keras

    from digits.model import build_model

    data = data or load_mnist()
    if config.seed is not None:
        keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    x, y = data.x_train, data.y_train  # (60000, 28, 28) uint8 stays uint8
    if config.train_limit:
        x, y = x[: config.train_limit], y[: config.train_limit]
    split = rng.permutation(len(x))
    n_val = min(config.validation_size, len(x) // 5)
    val_idx, train_idx = split[:n_val], split[n_val:]
    x_val = x[val_idx][..., None].astype(np.float32) / 255.0
    x_fit, y_fit = x[train_idx], y[train_idx]
    if config.other_writers:
        # As large a share of the epoch with fewer MNIST images (train_limit) as without.
        x_other, y_other = other_writers()
        copies = config.other_writers * len(x_other)
        n = round(copies * len(train_idx) / (len(data.x_train) - n_val))
        pick = np.arange(n) * copies // max(n, 1) % len(x_other)  # full run: each digit k times
        x_fit = np.concatenate([x_fit, x_other[pick]])
        y_fit = np.concatenate([y_fit, y_other[pick]])
    batches = _batches(x_fit, y_fit, config, rng, workers)

    steps = len(batches) * config.epochs
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=config.learning_rate / 10,
        decay_steps=max(1, steps - len(batches) // 2),
        warmup_target=config.learning_rate,
        warmup_steps=len(batches) // 2,
    )
    model = load_keras_model(start) if start else build_model(config.arch)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history: dict[str, list] = {}

    class Progress(keras.callbacks.Callback):
        epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if on_batch:
                on_batch(self.epoch + 1, batch + 1, {**(logs or {}), "batches": len(batches)})
            if should_stop and should_stop():
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(logs or {})
            iterations = int(self.model.optimizer.iterations.numpy())
            logs["lr"] = float(schedule(iterations))
            logs["seconds"] = time.perf_counter() - self.started
            for key, value in logs.items():
                history.setdefault(key, []).append(float(value))
            if on_epoch:
                on_epoch(epoch + 1, logs)

    progress = Progress()
    started = time.perf_counter()
    try:
        model.fit(
            batches,
            epochs=config.epochs,
            validation_data=(x_val, y[val_idx]) if n_val else None,
            callbacks=[progress],
            verbose=0,
        )
    finally:
        batches.close()
    if should_stop and should_stop():
        raise Cancelled("Training was cancelled.")
    return TrainResult(model=model, history=history, seconds=time.perf_counter() - started,
                       started_from=start)


def predict_in_batches(model, images: np.ndarray, batch_size: int = 250) -> np.ndarray:
    """Keras probabilities (N, 10) for uint8 images (N, 28, 28), for evaluation."""
    x = images[..., None].astype(np.float32) / 255.0
    return model.predict(x, batch_size=batch_size, verbose=0)


def library_versions() -> dict:
    """Versions of the libraries a model was made with, Keras's backend among them."""
    import importlib

    import cv2
    import keras

    backend = keras.backend.backend()  # "tensorflow" here; "jax" or "torch" on other machines
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "keras": keras.__version__,
        "backend": backend,
        backend: importlib.import_module(backend).__version__,
        "opencv": cv2.__version__,
    }


def accelerator() -> str | None:
    """The GPU Keras trains on, if any (its name as the backend reports it)."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return None if device.platform == "cpu" else device.device_kind
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name() if torch.cuda.is_available() else None
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "a GPU")


def provenance(data: Mnist, config: TrainConfig | None = None) -> dict:
    """When, from what data, with which libraries and on what machine a model was made."""
    sources = {"source": data.source, "sha256": data.sha256}
    if config is not None and config.other_writers:
        sources["other_writers"] = {"source": OTHER_WRITERS.name,
                                    "sha256": file_sha256(OTHER_WRITERS)}
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": sources,
        "versions": library_versions(),
        "machine": ", ".join([platform.machine(), f"{os.cpu_count()} CPU cores",
                              *filter(None, [accelerator()])]),
    }


def train_and_save(
    config: TrainConfig,
    data: Mnist | None = None,
    models_dir=None,
    name: str | None = None,
    on_epoch=None,
    on_batch=None,
    should_stop=None,
    workers: int = 1,
) -> ModelBundle:
    """Train, evaluate on the MNIST test set and save a new bundle.

    A network trained on from another (``config.start_from``) counts that one's
    epochs and seconds too, keeps its curves before its own, and says where it
    started (``metrics["started_from"]``).
    """
    data = data or load_mnist()
    result = train(config, data, on_epoch, on_batch, should_stop, workers, models_dir)
    test = score_predictions(data.y_test, predict_in_batches(result.model, data.x_test))
    start, history, seconds = result.started_from, result.history, result.seconds
    epochs = len(history.get("loss", []))
    earlier = {}
    if start:
        earlier = {"started_from": {
            "name": start.name, "accuracy": start.accuracy,
            "epochs_run": start.metrics.get("epochs_run", 0),
            "training_seconds": start.metrics.get("training_seconds", 0),
            "machine": start.metrics.get("machine"),
        }}
        before = start.history
        if all(len(before.get(k, [])) == len(before.get("loss", [])) for k in history):
            history = {k: list(before.get(k, [])) + v for k, v in history.items()}
        seconds += earlier["started_from"]["training_seconds"]
        epochs += earlier["started_from"]["epochs_run"]
    metrics = {
        "config": asdict(config),
        "training_seconds": round(seconds, 1),
        "epochs_run": epochs,
        **earlier,
        "params": int(result.model.count_params()),
        "test": test,
        **provenance(data, config),
    }
    return save_bundle(result.model, metrics, history, models_dir, name)


def trained_on_config(name: str, models_dir=None, **overrides) -> TrainConfig:
    """The settings the saved network ``name`` was trained with, to train on from it
    (``start_from``), with some fields replaced."""
    bundle = _network_to_train_on(name, models_dir)
    known = {f.name for f in fields(TrainConfig)}
    saved = {k: v for k, v in bundle.metrics.get("config", {}).items() if k in known}
    return replace(TrainConfig(**saved), start_from=name, **overrides)


def preset(name: str, **overrides) -> TrainConfig:
    """A preset config with some fields replaced."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    return replace(PRESETS[name], **overrides)
