"""The Retrain panel, run headless with AppTest in a throw-away models folder.

AppTest has no browser, so requests count as deployed (not local): without a
password the actions are disabled, as on a public app.
"""

from __future__ import annotations

import time

import pytest
from conftest import fresh_python
from retrain_helpers import make_models_dir
from streamlit.testing.v1 import AppTest

from digits.bundle import read_pointer, write_json_atomic
from digits.jobs import try_lock

PASSWORD = "correct horse"


def panel_script(models_dir: str) -> None:
    """The Training page's call, alone."""
    from pages.retrain_panel import render_retrain_panel

    render_retrain_panel(models_dir)


@pytest.fixture
def models_dir(tmp_path):
    """Three versions: "shipped" (active), "v2" and "v3"."""
    return make_models_dir(tmp_path / "models", ("shipped", "v2", "v3"))


@pytest.fixture
def panel(models_dir, monkeypatch):
    """The panel for a visitor of a deployed app with no password configured."""
    monkeypatch.delenv("DIGITS_ADMIN_PASSWORD", raising=False)
    return AppTest.from_function(panel_script, args=(str(models_dir),), default_timeout=60)


@pytest.fixture
def admin_panel(panel):
    """The panel of a deployed app whose admin password is PASSWORD."""
    panel.secrets["admin_password"] = PASSWORD
    return panel.run()


def unlock(at: AppTest, attempt: str) -> AppTest:
    at.text_input(key="retrain_password").input(attempt)
    return next(b for b in at.button if b.label == "Unlock").click().run()


def button(at: AppTest, key: str):
    return at.button(key=key)


def test_visitors_see_versions_but_actions_are_off_without_a_password(panel):
    """No password on a deployed app: versions are listed, the actions are disabled."""
    at = panel.run()
    assert not at.exception
    assert "no admin password is set" in at.info[0].value
    assert "secrets.toml" in at.info[0].value
    table = at.table[0].value
    assert list(table.index) == ["v3", "v2", "shipped"]
    assert list(table["Status"]) == ["", "", "active + shipped"]
    assert button(at, "retrain_start").disabled
    assert not [b for b in at.button if b.key == "retrain_activate"]


def test_wrong_password_is_refused(admin_panel):
    """A wrong password shows an error and the Retrain button stays disabled."""
    at = unlock(admin_panel, "guess")
    assert at.error[0].value == "Wrong password. 4 attempts left."
    assert button(at, "retrain_start").disabled


def test_five_wrong_passwords_lock_the_session_out(admin_panel):
    """After 5 wrong attempts even the right password is refused for a while."""
    at = admin_panel
    for _ in range(5):
        at = unlock(at, "guess")
    at = unlock(at, PASSWORD)
    assert at.error[0].value.startswith("Too many wrong passwords. Try again in ")
    assert button(at, "retrain_start").disabled


def test_right_password_unlocks_retrain_and_versions(admin_panel, models_dir):
    """With the password the admin can start training and activate another version."""
    at = unlock(admin_panel, PASSWORD)
    assert not at.error
    assert not button(at, "retrain_start").disabled
    at.selectbox(key="retrain_version").select("v2").run()
    at = button(at, "retrain_activate").click().run()
    assert at.success[0].value == "v2 is now the active model."
    assert read_pointer(models_dir)["active"] == "v2"
    assert list(at.table[0].value["Status"]) == ["", "active", "shipped"]
    at = button(at, "retrain_rollback").click().run()
    assert read_pointer(models_dir)["active"] == "shipped"


def test_delete_is_offered_only_for_versions_that_may_go(admin_panel, models_dir):
    """The shipped/active version cannot be deleted; another one can."""
    at = unlock(admin_panel, PASSWORD)
    at.selectbox(key="retrain_version").select("shipped").run()
    assert button(at, "retrain_delete").disabled
    at.selectbox(key="retrain_version").select("v3").run()
    at = button(at, "retrain_delete").click().run()
    assert at.success[0].value == "v3 was deleted."
    assert list(at.table[0].value.index) == ["v2", "shipped"]


def test_impossible_custom_settings_get_a_readable_message(admin_panel):
    """Custom settings are checked before a job starts."""
    at = unlock(admin_panel, PASSWORD)
    at.radio(key="retrain_preset").set_value("custom").run()
    at.number_input(key="retrain_epochs").set_value(500).run()
    at = button(at, "retrain_start").click().run()
    assert "epochs must be between 1 and 200" in at.error[0].value


def test_missing_mnist_is_one_message(panel, monkeypatch, tmp_path):
    """Without MNIST the panel says so once and offers no Retrain button."""
    monkeypatch.setenv("DIGITS_MNIST_PATH", str(tmp_path / "missing.npz"))
    at = panel.run()
    assert len(at.error) == 1
    assert at.error[0].value.startswith("Retraining is not possible: MNIST file")
    assert not [b for b in at.button if b.key == "retrain_start"]


def running_status(**changes) -> dict:
    status = {"job_id": "job1", "state": "running", "message": "Training", "epoch": 2,
              "epochs": 5, "batch": 10, "batches": 20, "loss": 0.1234, "accuracy": 0.967,
              "eta_seconds": 75.0, "started_at": time.time() - 30, "pid": 999999,
              "config": {"arch": "cnn", "epochs": 5}}
    return {**status, **changes}


def test_a_running_job_shows_live_progress_and_can_be_cancelled(admin_panel, models_dir):
    """Progress (epoch, batch, loss, accuracy, time left) is shown with a Cancel button."""
    (models_dir / ".jobs").mkdir()
    write_json_atomic(models_dir / ".jobs" / "status.json", running_status())
    with try_lock(models_dir) as held:  # as the worker would hold it
        assert held is not None
        at = unlock(admin_panel, PASSWORD)
        assert "Epoch 2/5 - batch 10/20 - loss 0.123, accuracy 96.7% - about 1 min 15 s left" \
            in at.get("progress")[0].proto.text
        assert button(at, "retrain_start").disabled
        button(at, "retrain_cancel").click().run()
        assert (models_dir / ".jobs" / "cancel").read_text() == "job1"


def test_the_last_job_result_is_shown_to_everybody(panel, models_dir):
    """A failed job's reason is shown, also to visitors who cannot act."""
    (models_dir / ".jobs").mkdir()
    write_json_atomic(models_dir / ".jobs" / "status.json", running_status(
        state="failed", message="Training ran out of memory. The active model is unchanged.",
        finished_at=time.time()))
    at = panel.run()
    assert "Training ran out of memory" in at.error[0].value


def test_the_panel_never_loads_tensorflow_into_the_server():
    """Training happens in the worker: the server process stays free of TensorFlow."""
    code = ("import sys, pages.retrain_panel, digits.jobs, digits.versions, digits.access; "
            "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))")
    assert fresh_python(code).strip() == "[]"
