"""Retraining as a background job: one worker process, its status on disk, one lock.

Why a subprocess
    The Streamlit server never imports TensorFlow (3 s and ~700 MB here).
    :func:`start_job` launches ``python -m digits.worker`` in a session of
    its own, so page reloads, navigation, closed tabs and even a server restart
    leave it running, and all of its memory goes back to the system when it exits.

Files in ``models/.jobs/`` (git-ignored)
    ``train.lock``
        An exclusive ``fcntl.flock`` held by the worker for its whole life: at most
        one job per ``models/`` folder, across threads, sessions and processes. The
        server takes the lock first, writes the ``starting`` status and hands the
        locked file to the worker (``pass_fds``), so no second start can slip in
        between. A second start returns the running job's status instead.
    ``status.json``
        The job's progress (:class:`JobStatus`), replaced atomically at most twice a
        second; any session or process reads it with :func:`read_status`.
    ``cancel``
        The cancel flag, checked by the worker after every batch.
    ``worker.log``
        The worker's output, for whoever debugs a failure.

States: ``starting`` -> ``running`` -> ``saving`` -> ``succeeded`` | ``failed`` |
``cancelled``. A status that says starting/running/saving while nobody holds the
lock belongs to a worker that died (killed, out of memory): :func:`read_status`
reports it as failed ("The training process stopped unexpectedly.") and removes
its temporary folder.

Cancel: :func:`cancel_job` writes the flag; the worker stops after the current
batch. If it still runs ``grace`` seconds later (stuck in evaluation or saving),
the server sends SIGTERM, which the worker turns into the same clean cancellation.

Activation: only after success and when the MNIST test accuracy is at least
``JobSettings.floor``, through :func:`digits.bundle.set_active` (one atomic
rename), then retention (:func:`digits.versions.prune`). The app picks the new
model up on its next run: the router reads ``active_bundle()`` each run and
``recognizer_for`` is cached per bundle folder. A cancelled or failed job never
touches ``active.json`` and removes its temporary folder ``models/.tmp-<bundle>-*``;
a job cancelled after its bundle was saved removes that bundle too.

The worker itself (progress, cancellation, activation, retention) is
:mod:`digits.worker`.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from digits.bundle import MODELS_DIR, new_bundle_name, write_json_atomic
from digits.data import DataError
from digits.train import TrainConfig

ROOT = Path(__file__).resolve().parent.parent
ACTIVE_STATES = ("starting", "running", "saving")
DONE_STATES = ("succeeded", "failed", "cancelled")
DIED = "The training process stopped unexpectedly; the active model is unchanged."


@dataclass(frozen=True)
class JobSettings:
    """Rules for every job started from the app (``from_env`` reads the overrides)."""

    floor: float = 0.98  # activate only at or above this MNIST test accuracy
    keep: int = 5  # trained versions kept; older ones are deleted (never active/shipped)
    train_limit: int | None = None  # cap the training images of every job (demos, tests)
    cancel_grace: float = 30.0  # seconds before a cancel escalates to SIGTERM

    @classmethod
    def from_env(cls, env=os.environ) -> "JobSettings":
        """Settings from ``DIGITS_ACCURACY_FLOOR``, ``DIGITS_KEEP_VERSIONS``,
        ``DIGITS_RETRAIN_TRAIN_LIMIT``.

        Examples
        --------
        >>> JobSettings.from_env({"DIGITS_ACCURACY_FLOOR": "0.99"}).floor
        0.99
        """
        def number(key, kind, default):
            value = env.get(key, "").strip()
            try:
                return kind(value) if value else default
            except ValueError:
                raise ValueError(f"{key} must be a number, not {value!r}.") from None

        return cls(
            floor=number("DIGITS_ACCURACY_FLOOR", float, cls.floor),
            keep=number("DIGITS_KEEP_VERSIONS", int, cls.keep),
            train_limit=number("DIGITS_RETRAIN_TRAIN_LIMIT", int, None),
        )

    def apply(self, config: TrainConfig) -> TrainConfig:
        """``config`` with the training-image cap applied, validated."""
        if self.train_limit and (not config.train_limit or config.train_limit > self.train_limit):
            config = replace(config, train_limit=self.train_limit)
        config.validate()
        if not 0.0 <= self.floor <= 1.0:
            raise ValueError("The accuracy floor must be between 0 and 1.")
        if self.keep < 1:
            raise ValueError("At least one trained version must be kept.")
        return config


@dataclass
class JobStatus:
    """What a job is doing, as written to ``models/.jobs/status.json``."""

    job_id: str
    state: str  # one of ACTIVE_STATES or DONE_STATES
    message: str = ""  # one line for people
    config: dict = field(default_factory=dict)  # the TrainConfig as a dict
    floor: float = 0.98
    keep: int = 5
    bundle: str = ""  # the name the new version gets
    pid: int | None = None
    host: str = ""
    started_at: float = 0.0  # Unix time
    updated_at: float = 0.0
    finished_at: float | None = None
    epoch: int = 0  # 1-based, 0 before the first batch
    epochs: int = 0
    batch: int = 0
    batches: int = 0  # per epoch
    loss: float | None = None
    accuracy: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    eta_seconds: float | None = None  # training time left, from the batches so far
    test_accuracy: float | None = None
    activated: bool = False
    error: str | None = None  # why it failed, for people
    peak_rss_mb: float | None = None  # of the worker process
    removed: list = field(default_factory=list)  # versions deleted by retention

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def fraction(self) -> float:
        """Share of the training batches done, 0..1."""
        total = self.epochs * self.batches
        done = ((self.epoch - 1) * self.batches + self.batch) / total if total else 0.0
        return min(1.0, max(0.0, done))

    @classmethod
    def from_dict(cls, data: dict) -> "JobStatus":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class JobBusy(RuntimeError):
    """Another job holds the lock."""


def jobs_dir(models_dir=None) -> Path:
    """``models/.jobs``: the lock, the status, the cancel flag and the worker's log."""
    return Path(models_dir or MODELS_DIR) / ".jobs"


def _status_path(models_dir) -> Path:
    return jobs_dir(models_dir) / "status.json"


def cancel_flag(models_dir) -> Path:
    """The file whose existence asks the worker to stop."""
    return jobs_dir(models_dir) / "cancel"


def write_status(models_dir, status: JobStatus) -> None:
    """Replace the status file in one rename (readers never see half of it)."""
    status.updated_at = time.time()
    write_json_atomic(_status_path(models_dir), asdict(status))


def load_status(models_dir) -> JobStatus | None:
    """The status file as written, without the liveness check of :func:`read_status`."""
    try:
        return JobStatus.from_dict(json.loads(_status_path(models_dir).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def try_lock(models_dir):
    """Yield the locked descriptor, or None when another process holds the lock."""
    directory = jobs_dir(models_dir)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / "train.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


def remove_temp(models_dir, bundle: str) -> None:
    """Delete the half-written folders ``models/.tmp-<bundle>-*`` of one job."""
    if bundle:
        for path in Path(models_dir or MODELS_DIR).glob(f".tmp-{bundle}-*"):
            shutil.rmtree(path, ignore_errors=True)


def read_status(models_dir=None) -> JobStatus | None:
    """The latest job's status (None if no job ever ran here).

    A job that claims to be running while nobody holds the lock is reported as
    failed, and its temporary files are removed.

    Examples
    --------
    >>> status = read_status()  # doctest: +SKIP
    >>> status.state, f"{status.fraction:.0%}", status.eta_seconds  # doctest: +SKIP
    ('running', '40%', 31.5)
    """
    status = load_status(models_dir)
    if status is None or not status.active:
        return status
    with try_lock(models_dir) as fd:
        if fd is None:
            return status  # the worker holds the lock: it is alive
        status = load_status(models_dir)  # re-read: it may have finished meanwhile
        if status is not None and status.active:
            remove_temp(models_dir, status.bundle)
            status.state, status.error, status.message = "failed", DIED, DIED
            status.finished_at = time.time()
            write_status(models_dir, status)
        return status


def _unique_bundle_name(models_dir, arch: str) -> str:
    base = new_bundle_name(arch)
    name, n = base, 2
    while (Path(models_dir) / name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


@functools.lru_cache(maxsize=4)
def _checked_file(path: str, mtime_ns: int, size: int) -> str | None:
    from digits.data import load_npz

    try:
        load_npz(path)
    except DataError as exc:
        return str(exc)
    return None


def data_problem() -> str | None:
    """Why MNIST cannot be loaded here, in one sentence, or None if it can.

    Checks the file that ``load_mnist`` would use, without importing TensorFlow
    (cached per file version). With no local file, the worker tries the download
    and fails fast with the same kind of message if it cannot.
    """
    from digits.data import local_mnist_path

    local = local_mnist_path()
    if local is None:
        return None
    path = str(local)
    try:
        stat = os.stat(path)
    except OSError:
        return _checked_file(path, 0, -1)
    return _checked_file(path, stat.st_mtime_ns, stat.st_size)


def _prepare(config: TrainConfig, models_dir, settings: JobSettings, fd: int) -> JobStatus:
    """With the lock held: settle a dead job, then write the new ``starting`` status."""
    previous = load_status(models_dir)
    if previous is not None and previous.active:  # its worker died; the lock is ours
        remove_temp(models_dir, previous.bundle)
    cancel_flag(models_dir).unlink(missing_ok=True)
    now = time.time()
    status = JobStatus(
        job_id=uuid.uuid4().hex[:12],
        state="starting",
        message="Starting the training process",
        config=asdict(config),
        floor=settings.floor,
        keep=settings.keep,
        bundle=_unique_bundle_name(Path(models_dir or MODELS_DIR), config.arch),
        host=socket.gethostname(),
        started_at=now,
        epochs=config.epochs,
    )
    write_status(models_dir, status)
    return status


def start_job(config: TrainConfig, models_dir=None, settings: JobSettings | None = None,
              ) -> JobStatus:
    """Start training ``config`` in a worker process, or return the job already running.

    Raises ``ValueError`` for impossible settings and :class:`DataError` when MNIST
    cannot be loaded, before anything starts.

    Examples
    --------
    >>> from digits.train import preset
    >>> status = start_job(preset("quick"))  # doctest: +SKIP
    >>> status.state  # doctest: +SKIP
    'starting'
    """
    settings = settings or JobSettings()
    config = settings.apply(config)
    problem = data_problem()
    if problem:
        raise DataError(problem)
    models_dir = Path(models_dir or MODELS_DIR).resolve()
    with try_lock(models_dir) as fd:
        if fd is None:
            running = read_status(models_dir)
            if running is not None and running.active:
                return running
            raise JobBusy("Another training job is starting; try again in a moment.")
        status = _prepare(config, models_dir, settings, fd)
        try:
            with open(jobs_dir(models_dir) / "worker.log", "wb") as log:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "digits.worker", "--models-dir", str(models_dir),
                     "--job-id", status.job_id, "--lock-fd", str(fd)],
                    pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                )
        except OSError as exc:
            status.state, status.finished_at = "failed", time.time()
            status.error = status.message = f"Could not start the training process ({exc})."
            write_status(models_dir, status)
            return status
        # Reap the child when it exits so it never lingers as a zombie. The worker
        # writes its own pid into the status (the server must not race its writes).
        threading.Thread(target=worker.wait, daemon=True).start()
        return replace(status, pid=worker.pid)


def run_here(config: TrainConfig, models_dir=None, settings: JobSettings | None = None,
             on_status=None, min_interval: float = 0.5) -> JobStatus:
    """Run a job in this process and wait for it: same lock, status and rules as
    :func:`start_job` (tests and scripts; the app always uses :func:`start_job`).

    Raises :class:`JobBusy` if another job is running.
    """
    settings = settings or JobSettings()
    config = settings.apply(config)
    models_dir = Path(models_dir or MODELS_DIR).resolve()
    with try_lock(models_dir) as fd:
        if fd is None:
            raise JobBusy("Another training job is running.")
        status = _prepare(config, models_dir, settings, fd)
        from digits.worker import run_job

        return run_job(models_dir, status.job_id, fd, min_interval, on_status)


def cancel_job(models_dir=None, grace: float | None = 30.0) -> JobStatus | None:
    """Ask the running job to stop; SIGTERM it if it still runs ``grace`` s later.

    Returns the job's status (unchanged if nothing was running).
    """
    status = read_status(models_dir)
    if status is None or not status.active:
        return status
    cancel_flag(models_dir).write_text(status.job_id)
    status.message = "Cancelling..."
    if grace is not None and status.pid and status.host == socket.gethostname():
        timer = threading.Timer(grace, _terminate, (models_dir, status.job_id, status.pid))
        timer.daemon = True
        timer.start()
    return status


def _terminate(models_dir, job_id: str, pid: int) -> None:
    status = read_status(models_dir)
    if status is not None and status.active and status.job_id == job_id and status.pid == pid:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
