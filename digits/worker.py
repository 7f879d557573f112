"""The training worker: ``python -m digits.worker``, started by :func:`digits.jobs.start_job`.

It receives the job lock already taken (``--lock-fd``), reads its settings from
the ``starting`` status, and then

- reports progress through the ``on_batch``/``on_epoch`` callbacks of
  :func:`digits.train.train_and_save`, writing the status at most every 0.5 s;
- checks the cancel flag after every batch; SIGTERM (the server's fallback after
  the cancel grace period) becomes the same clean cancellation: its handler raises
  ``Cancelled`` at once (a worker stuck outside training stops too) and also marks
  the job stopping, so training stops at the next batch even where TensorFlow or
  Keras caught the exception;
- after success, activates the new version if its test accuracy reaches the
  floor (:func:`digits.bundle.set_active`, atomic), then applies retention
  (:func:`digits.versions.prune`);
- on any failure or cancellation leaves ``active.json`` alone, removes its
  temporary folder ``models/.tmp-<bundle>-*`` (and a bundle saved just before a
  cancel), and writes the reason into the status.

It runs at a lower CPU priority (nice 5) so the app stays responsive, keeps MNIST
as uint8 (``train.py``) and records its peak RSS in the status.

Failure injection (tests only): ``DIGITS_JOB_FAIL_AT=batch:N`` raises in the N-th
batch of the first epoch; ``DIGITS_JOB_FAIL_AT=save`` raises while the bundle is
being written, after ``model.keras`` is already in the temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

from digits.bundle import BundleError
from digits.data import DataError
from digits.jobs import (
    JobBusy,
    JobStatus,
    cancel_flag,
    load_status,
    remove_temp,
    write_status,
)
from digits.train import TrainConfig

FAIL_ENV = "DIGITS_JOB_FAIL_AT"
_in_worker = False  # True in the worker process (signal handling is ours to set)
_terminated = False  # set by SIGTERM: the job stops at the next check, and ends cancelled


class _Progress:
    """Keeps the status current; writes it at most every ``min_interval`` seconds."""

    def __init__(self, models_dir, status: JobStatus, min_interval: float, on_status=None):
        self.models_dir, self.status = models_dir, status
        self.min_interval, self.on_status = min_interval, on_status
        self.last_write = 0.0
        self.first: tuple[float, float] | None = None  # (time, fraction) at batch 1

    def update(self, force: bool = False, **changes) -> None:
        if "finished_at" in changes:  # the job's last word carries its memory peak with it
            changes["peak_rss_mb"] = _peak_rss_mb()
        for key, value in changes.items():
            setattr(self.status, key, value)
        now = time.monotonic()
        if force or now - self.last_write >= self.min_interval:
            self.last_write = now
            write_status(self.models_dir, self.status)
            if self.on_status:
                self.on_status(replace(self.status))

    def on_batch(self, epoch: int, batch: int, logs: dict) -> None:
        _maybe_fail_at_batch(epoch, batch)
        self.status.epoch, self.status.batch, self.status.batches = epoch, batch, logs["batches"]
        done, now = self.status.fraction, time.monotonic()
        if self.first is None:  # the first batch also builds the graph: time from its end
            self.first = (now, done)
            self.status.message = "Training"
        started, done_then = self.first
        eta = (now - started) / (done - done_then) * (1 - done) if done > done_then else None
        self.update(loss=float(logs.get("loss", 0.0)), accuracy=float(logs.get("accuracy", 0.0)),
                    eta_seconds=eta)

    def on_epoch(self, epoch: int, logs: dict) -> None:
        last = epoch >= self.status.epochs
        self.update(
            force=True,
            val_loss=_number(logs.get("val_loss")),
            val_accuracy=_number(logs.get("val_accuracy")),
            state="saving" if last else "running",
            message=("Testing on the 10,000 MNIST test images and saving" if last
                     else f"Epoch {epoch} of {self.status.epochs} done"),
        )


def _number(value) -> float | None:
    return None if value is None else float(value)


def _maybe_fail_at_batch(epoch: int, batch: int) -> None:
    where = os.environ.get(FAIL_ENV, "")
    if where.startswith("batch:") and epoch == 1 and batch == int(where.split(":")[1]):
        raise RuntimeError(f"Injected failure at batch {batch} ({FAIL_ENV}).")


@contextlib.contextmanager
def _maybe_fail_in_save():
    """With ``DIGITS_JOB_FAIL_AT=save``: the NumPy export dies half-written."""
    if os.environ.get(FAIL_ENV) != "save":
        yield
        return
    import digits.bundle as bundle_module

    original = bundle_module.save_program

    def broken(path, *args, **kwargs):
        Path(path).write_bytes(b"half a file")
        raise OSError(28, f"No space left on device (injected by {FAIL_ENV})")

    bundle_module.save_program = broken
    try:
        yield
    finally:
        bundle_module.save_program = original


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, (DataError, ValueError, BundleError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Training ran out of memory; try a smaller batch size or the quick preset."
    if isinstance(exc, OSError) and exc.strerror:
        return f"Training failed while writing files: {exc.strerror}."
    return f"Training failed: {exc or type(exc).__name__}"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def run_job(models_dir, job_id: str, lock_fd: int, min_interval: float = 0.5,
            on_status=None) -> JobStatus:
    """The worker's body: run the prepared job ``job_id`` while holding ``lock_fd``.

    ``on_status(status)`` sees every status written (tests use it).
    """
    from digits.data import load_mnist
    from digits.train import Cancelled, train_and_save
    from digits.versions import delete_version, prune

    fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # handed over locked: a no-op
    status = load_status(models_dir)
    if status is None or status.job_id != job_id:
        raise JobBusy(f"Job {job_id} is not the prepared job.")
    progress = _Progress(models_dir, status, min_interval, on_status)
    config = TrainConfig(**status.config)
    cancel = cancel_flag(models_dir)

    def stopping() -> bool:
        return _terminated or cancel.exists()

    bundle = None
    try:
        progress.update(force=True, state="running", pid=os.getpid(), message="Loading MNIST")
        data = load_mnist()
        if stopping():
            raise Cancelled()
        progress.update(force=True, message="Starting TensorFlow and training")
        with _maybe_fail_in_save():
            bundle = train_and_save(
                config, data, models_dir, name=status.bundle,
                on_epoch=progress.on_epoch, on_batch=progress.on_batch,
                should_stop=stopping,
            )
        if stopping():
            raise Cancelled()
        _finish(models_dir, progress, bundle, prune)
    except BaseException as exc:  # every end but success gets a status people can read
        if isinstance(exc, Cancelled) or _terminated:
            # SIGTERM raises Cancelled wherever the worker is; raised inside TensorFlow or
            # Keras it can come out as another error: still a cancel. (Where Keras swallows
            # it, training stops at the next batch: ``stopping`` sees ``_terminated``.)
            if bundle is not None and not status.activated:
                with contextlib.suppress(BundleError, OSError):
                    delete_version(bundle.name, models_dir)  # saved just before the cancel
            progress.update(force=True, state="cancelled", finished_at=time.time(),
                            message="Cancelled; the active model is unchanged.")
        else:
            traceback.print_exc()
            reason = _failure_message(exc)
            progress.update(force=True, state="failed", error=reason, finished_at=time.time(),
                            message=f"{reason} The active model is unchanged.")
            if not isinstance(exc, Exception):
                raise
    finally:
        remove_temp(models_dir, status.bundle)
        cancel.unlink(missing_ok=True)
    return progress.status


def _finish(models_dir, progress: _Progress, bundle, prune) -> None:
    """Activate the new version if it is good enough, then apply retention."""
    from digits.bundle import set_active

    status = progress.status
    accuracy = bundle.accuracy
    if _in_worker:  # from here on the job completes: a late SIGTERM must not split it
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    activated = accuracy >= status.floor
    if activated:
        set_active(bundle.name, models_dir)
        verdict = "it is now the active model."
    else:
        verdict = (f"below the {status.floor:.1%} floor, so the active model is unchanged "
                   "(it can still be activated by hand).")
    removed = prune(models_dir, status.keep)
    progress.update(force=True, state="succeeded", finished_at=time.time(), eta_seconds=0.0,
                    test_accuracy=accuracy, activated=activated, removed=removed,
                    message=f"{bundle.name}: test accuracy {accuracy:.2%}; {verdict}")


def _on_sigterm(signum, frame):
    from digits.train import Cancelled

    global _terminated
    _terminated = True
    raise Cancelled("Stopped by SIGTERM.")


def main(argv=None) -> int:
    """Entry of ``python -m digits.worker``."""
    global _in_worker
    parser = argparse.ArgumentParser(prog="python -m digits.worker",
                                     description="Run one prepared training job.")
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--job-id", required=True)
    parser.add_argument("--lock-fd", type=int, required=True)
    args = parser.parse_args(argv)
    _in_worker = True
    signal.signal(signal.SIGTERM, _on_sigterm)
    with contextlib.suppress(OSError):
        os.nice(5)
    try:
        status = run_job(args.models_dir, args.job_id, args.lock_fd)
    except JobBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    return 0 if status.state == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
