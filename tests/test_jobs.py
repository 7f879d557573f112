"""The background training job: lifecycle, one job at a time, cancel, failures, activation.

Jobs train the MLP on a few hundred images for one epoch in a throw-away models
folder. Three tests start the real worker process; the rest run the same job
body in this process (``run_here``) so they share one TensorFlow import.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from retrain_helpers import make_models_dir

from digits.bundle import active_bundle, list_bundles, write_json_atomic
from digits.data import DataError
from digits.jobs import (
    JobSettings,
    JobStatus,
    cancel_job,
    read_status,
    run_here,
    start_job,
)
from digits.predict import active_recognizer
from digits.train import preset

TINY = preset("quick", arch="mlp", epochs=1, batch_size=64, train_limit=512, seed=0)
LONG = preset("quick", arch="mlp", epochs=50, batch_size=8, train_limit=2000, seed=0)
ANY_ACCURACY = JobSettings(floor=0.0)


@pytest.fixture
def models_dir(tmp_path):
    """A models folder whose shipped, active version is "shipped"."""
    return make_models_dir(tmp_path / "models")


def wait_until(models_dir, done, timeout=120.0) -> JobStatus:
    """Poll the status file until ``done(status)``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = read_status(models_dir)
        if status is not None and done(status):
            return status
        time.sleep(0.2)
    pytest.fail(f"The job did not get there in {timeout} s: {read_status(models_dir)}")


def leftovers(models_dir) -> list[str]:
    """Temporary folders a job could leave behind."""
    return sorted(p.name for p in models_dir.iterdir() if p.name.startswith((".tmp-", ".trash-")))


def assert_active_model_serves(models_dir, name="shipped"):
    assert active_bundle(models_dir).name == name
    assert active_recognizer(models_dir).name == name


def test_started_job_trains_in_a_worker_and_lists_the_new_version(models_dir):
    """Retrain: the worker trains, tests, saves and activates a new version."""
    status = start_job(TINY, models_dir, ANY_ACCURACY)
    assert status.state == "starting" and status.pid != os.getpid()
    status = wait_until(models_dir, lambda s: not s.active)
    assert status.state == "succeeded", status.error
    assert status.activated and status.message.startswith(f"{status.bundle}: test accuracy")
    assert (status.epoch, status.batch) == (1, status.batches)
    assert [b.name for b in list_bundles(models_dir)] == [status.bundle, "shipped"]
    assert_active_model_serves(models_dir, status.bundle)
    assert status.peak_rss_mb > 0
    assert leftovers(models_dir) == []


def test_second_start_sees_the_running_job_and_sigterm_stops_it(models_dir):
    """Two starts give one job; a SIGTERM'd worker ends cancelled and cleaned up."""
    first = start_job(LONG, models_dir)
    second = start_job(TINY, models_dir)
    assert second.job_id == first.job_id and second.active
    running = wait_until(models_dir, lambda s: s.batch > 0)
    assert running.pid == first.pid
    os.kill(first.pid, signal.SIGTERM)
    status = wait_until(models_dir, lambda s: not s.active)
    assert status.state == "cancelled"
    assert [b.name for b in list_bundles(models_dir)] == ["shipped"]
    assert_active_model_serves(models_dir)
    assert leftovers(models_dir) == []


def test_cancel_stops_the_job_and_keeps_the_active_model(models_dir):
    """Cancel: the job stops after the current batch; nothing new is saved or activated."""
    start_job(LONG, models_dir)
    wait_until(models_dir, lambda s: s.batch > 0)
    assert cancel_job(models_dir, grace=None).active
    status = wait_until(models_dir, lambda s: not s.active, timeout=60)
    assert status.state == "cancelled" and "unchanged" in status.message
    assert status.epoch < status.epochs
    assert [b.name for b in list_bundles(models_dir)] == ["shipped"]
    assert_active_model_serves(models_dir)
    assert leftovers(models_dir) == []


def test_progress_is_reported_batch_by_batch(models_dir):
    """Status updates carry epoch, batch, loss, accuracy and an ETA, then the result."""
    seen: list[JobStatus] = []
    final = run_here(TINY, models_dir, ANY_ACCURACY, on_status=seen.append, min_interval=0)
    states = [s.state for s in seen]
    assert states[0] == "running" and states[-1] == "succeeded" and "saving" in states
    batches = [s for s in seen if s.state == "running" and s.batch]
    assert [s.batch for s in batches] == list(range(1, final.batches + 1))
    assert all(s.loss is not None and 0 <= s.accuracy <= 1 for s in batches)
    assert batches[-1].eta_seconds is not None and batches[-1].fraction == 1.0
    assert read_status(models_dir).state == "succeeded"


def test_accuracy_floor_blocks_activation(models_dir):
    """A version below the floor is kept but the active model does not change."""
    status = run_here(TINY, models_dir, JobSettings(floor=0.999))
    assert status.state == "succeeded" and not status.activated
    assert "below the 99.9% floor, so the active model is unchanged" in status.message
    assert status.bundle in [b.name for b in list_bundles(models_dir)]
    assert_active_model_serves(models_dir)


def test_failure_mid_epoch_is_reported_and_changes_nothing(models_dir, monkeypatch):
    """An error during training ends the job as failed with the reason shown."""
    monkeypatch.setenv("DIGITS_JOB_FAIL_AT", "batch:3")
    status = run_here(TINY, models_dir, ANY_ACCURACY)
    assert status.state == "failed" and status.batch == 2
    assert "Injected failure at batch 3" in status.error
    assert [b.name for b in list_bundles(models_dir)] == ["shipped"]
    assert_active_model_serves(models_dir)
    assert leftovers(models_dir) == []


def test_failure_while_saving_removes_the_half_written_version(models_dir, monkeypatch):
    """A disk error while saving leaves no temporary folder and the old model active."""
    monkeypatch.setenv("DIGITS_JOB_FAIL_AT", "save")
    status = run_here(TINY, models_dir, ANY_ACCURACY)
    assert status.state == "failed"
    assert status.error == "Training failed while writing files: No space left on device " \
        "(injected by DIGITS_JOB_FAIL_AT)."
    assert leftovers(models_dir) == []
    assert [b.name for b in list_bundles(models_dir)] == ["shipped"]
    assert_active_model_serves(models_dir)


def test_a_worker_that_died_shows_as_failed_and_its_files_are_removed(models_dir):
    """A status left "running" by a killed worker reads as failed; its temp folder goes."""
    (models_dir / ".jobs").mkdir()
    write_json_atomic(models_dir / ".jobs" / "status.json", {
        "job_id": "dead", "state": "running", "bundle": "20260101-000000-cnn", "pid": 999999})
    (models_dir / ".tmp-20260101-000000-cnn-abc").mkdir()
    status = read_status(models_dir)
    assert status.state == "failed"
    assert status.error.startswith("The training process stopped unexpectedly")
    assert leftovers(models_dir) == []
    assert_active_model_serves(models_dir)


def test_missing_mnist_is_refused_before_starting(models_dir, monkeypatch, tmp_path):
    """Without MNIST the start is refused with the one data message; no job runs."""
    monkeypatch.setenv("DIGITS_MNIST_PATH", str(tmp_path / "missing.npz"))
    with pytest.raises(DataError, match="missing.npz does not exist"):
        start_job(TINY, models_dir)
    assert read_status(models_dir) is None


def test_missing_mnist_fails_the_worker_fast(models_dir, monkeypatch, tmp_path):
    """If MNIST vanishes after the start, the job fails at once with the data message."""
    monkeypatch.setenv("DIGITS_MNIST_PATH", str(tmp_path / "missing.npz"))
    status = run_here(TINY, models_dir)
    assert status.state == "failed" and "missing.npz does not exist" in status.error
    assert status.batch == 0


def test_impossible_settings_are_refused_with_a_readable_message(models_dir):
    """Custom settings are validated before anything starts."""
    with pytest.raises(ValueError, match="epochs must be between 1 and 200"):
        start_job(preset("quick", epochs=0), models_dir)
    with pytest.raises(ValueError, match="coarse scans must be between 0 and 1"):
        start_job(preset("quick", scans=1.5), models_dir)
    with pytest.raises(ValueError, match="At least one trained version"):
        start_job(TINY, models_dir, JobSettings(keep=0))
    assert read_status(models_dir) is None


def test_retention_keeps_the_newest_versions_after_a_job(models_dir):
    """With keep=1 a successful job leaves only itself and the shipped model."""
    first = run_here(TINY, models_dir, JobSettings(floor=0.999, keep=1))
    second = run_here(TINY, models_dir, JobSettings(floor=0.999, keep=1))
    assert second.removed == [first.bundle]
    assert [b.name for b in list_bundles(models_dir)] == [second.bundle, "shipped"]


def test_train_limit_setting_caps_every_job():
    """DIGITS_RETRAIN_TRAIN_LIMIT caps the training images of any preset."""
    settings = JobSettings.from_env({"DIGITS_RETRAIN_TRAIN_LIMIT": "600"})
    assert settings.apply(preset("standard")).train_limit == 600
    with pytest.raises(ValueError, match="DIGITS_KEEP_VERSIONS must be a number"):
        JobSettings.from_env({"DIGITS_KEEP_VERSIONS": "many"})
