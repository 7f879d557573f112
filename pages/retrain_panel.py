"""The Retrain panel at the end of the Training page: a background training job with
live progress, and the model versions.

Not a page of its own: ``pages/training.py`` calls :func:`render_retrain_panel`.
Viewing is open to everybody; starting, cancelling, activating and deleting follow
the rule in :mod:`digits.access`. The work itself is in :mod:`digits.jobs` and
:mod:`digits.versions`; this file only draws.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from digits.access import (
    HOW_TO_SET,
    AccessDenied,
    AdminGate,
    admin_policy,
    configured_password,
    request_is_local,
)
from digits.bundle import MODELS_DIR, BundleError
from digits.data import DataError
from digits.jobs import (
    JobBusy,
    JobSettings,
    JobStatus,
    cancel_job,
    data_problem,
    read_status,
    start_job,
)
from digits.model import ARCHITECTURES
from digits.train import PRESETS, TrainConfig, preset
from digits.versions import activate, delete_version, list_versions, rollback_to_shipped

PRESET_NOTES = {
    "quick": "one to two minutes of training on 2 cores, >= 99.0 % test accuracy",
    "standard": "the shipped deep network's recipe, >= 99.5 % test accuracy, 45 minutes or more",
}


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _secret_password() -> str | None:
    try:
        value = st.secrets.get("admin_password")
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return value if isinstance(value, str) else None


def _admin_access() -> bool:
    """Draw the unlock controls; True when this session may run admin actions."""
    gate = st.session_state.setdefault("retrain_gate", AdminGate())
    client_ip = st.context.ip_address
    local = request_is_local(dict(st.context.headers or {}), client_ip)
    policy = admin_policy(configured_password(_secret_password()), local)
    if policy.mode == "local":
        st.caption("Local run and no admin password set: retraining and version changes are open.")
        return True
    if policy.mode == "disabled":
        st.info(f"Retraining and version changes are turned off: no admin password is set. "
                f"{HOW_TO_SET}")
        return False
    if gate.allowed(policy):
        left, right = st.columns([4, 1])
        left.caption("Admin actions unlocked for this session.")
        if right.button("Lock", key="retrain_lock"):
            gate.lock()
            st.rerun()
        return True
    with st.form("retrain_login", clear_on_submit=True):
        attempt = st.text_input("Admin password (needed to retrain or change versions)",
                                type="password", key="retrain_password")
        submitted = st.form_submit_button("Unlock")
    if submitted:
        try:
            gate.unlock(attempt, policy, client_ip)
        except AccessDenied as exc:
            st.error(str(exc))
            return False
        st.rerun()
    return False


def _show_status(status: JobStatus | None) -> None:
    if status is None:
        st.caption("No training job has run here yet.")
        return
    if status.active:
        parts = [f"Epoch {max(status.epoch, 1)}/{status.epochs}"]
        if status.batches:
            parts.append(f"batch {status.batch}/{status.batches}")
        if status.loss is not None:
            parts.append(f"loss {status.loss:.3f}, accuracy {status.accuracy:.1%}")
        if status.eta_seconds is not None and status.state == "running":
            parts.append(f"about {_duration(status.eta_seconds)} left")
        st.progress(status.fraction, text=" - ".join(parts))
        st.caption(f"{status.message} (started {_duration(time.time() - status.started_at)} ago, "
                   f"{status.config.get('arch', '?')}, {status.config.get('epochs', '?')} "
                   "epoch(s)).")
        return
    finished = datetime.fromtimestamp(status.finished_at or status.updated_at)
    text = f"Last job ({finished:%Y-%m-%d %H:%M}): {status.message}"
    if status.state == "succeeded":
        (st.success if status.activated else st.warning)(text)
    else:
        (st.warning if status.state == "cancelled" else st.error)(text)


def _progress(models_dir: Path, can_act: bool, settings: JobSettings) -> bool:
    """Live job status (a fragment: 1 s refresh while a job runs, 5 s otherwise)."""
    running = (read_status(models_dir) or JobStatus("", "none")).active

    @st.fragment(run_every=1.0 if running else 5.0)
    def live() -> None:
        status = read_status(models_dir)
        _show_status(status)
        if status is not None and status.active and can_act:
            if st.button("Cancel training", key="retrain_cancel"):
                cancel_job(models_dir, grace=settings.cancel_grace)
                st.toast("Cancelling: the job stops after the current batch.")
        # A job started or finished elsewhere: redraw the whole panel (versions, sidebar).
        if status is not None and status.active != running:
            st.rerun(scope="app")

    live()
    return running


def _chosen_config() -> TrainConfig:
    choice = st.radio("Preset", [*PRESETS, "custom"], horizontal=True, key="retrain_preset")
    if choice != "custom":
        config = PRESETS[choice]
        st.caption(f"{config.arch}, {config.epochs} epoch(s), augmentation "
                   f"{'on' if config.augment else 'off'}: {PRESET_NOTES.get(choice, '')}.")
        return config
    base = PRESETS["standard"]
    cols = st.columns(5)
    arch = cols[0].selectbox("Architecture", ARCHITECTURES, key="retrain_arch",
                             index=ARCHITECTURES.index(base.arch))
    epochs = cols[1].number_input("Epochs", min_value=1, value=5, step=1, key="retrain_epochs")
    batch = cols[2].number_input("Batch size", min_value=1, value=base.batch_size, step=32,
                                 key="retrain_batch")
    rate = cols[3].number_input("Learning rate", min_value=0.0, value=base.learning_rate,
                                step=0.0005, format="%.4f", key="retrain_lr")
    augment = cols[4].checkbox("Augmentation", value=True, key="retrain_augment")
    return preset("standard", arch=arch, epochs=int(epochs), batch_size=int(batch),
                  learning_rate=float(rate), augment=augment)


def _start_controls(models_dir: Path, settings: JobSettings, can_act: bool, busy: bool) -> None:
    problem = data_problem()
    if problem:
        st.error(f"Retraining is not possible: {problem}")
        return
    config = _chosen_config()
    if settings.train_limit:
        st.caption(f"Training images are capped at {settings.train_limit} on this server "
                   "(DIGITS_RETRAIN_TRAIN_LIMIT).")
    st.caption(f"The new model becomes active only if its test accuracy is at least "
               f"{settings.floor:.1%}; the newest {settings.keep} trained versions are kept.")
    if st.button("Retrain", type="primary", key="retrain_start", disabled=busy or not can_act,
                 help="Train a new version in the background"):
        try:
            status = start_job(config, models_dir, settings)
        except (ValueError, DataError, JobBusy) as exc:
            st.error(str(exc))
            return
        if status.active:
            st.rerun()
        st.error(status.message)


def _flash(message: str) -> None:
    """Show ``message`` after the rerun that redraws everything with the change."""
    st.session_state["retrain_flash"] = message
    st.rerun()


def _versions(models_dir: Path, can_act: bool) -> None:
    st.subheader("Versions")
    if "retrain_flash" in st.session_state:
        st.success(st.session_state.pop("retrain_flash"))
    try:
        versions = list_versions(models_dir)
    except BundleError as exc:
        st.error(str(exc))
        return
    if not versions:
        st.caption("No model versions yet.")
        return
    rows = [{
        "Version": v.name,
        "Date": v.created.replace("T", " ")[:16],
        "Architecture": v.arch,
        "Test accuracy": f"{v.accuracy:.2%}",
        "Training time": _duration(v.training_seconds),
        "Status": " + ".join(m for m, on in (("active", v.active), ("shipped", v.shipped)) if on),
    } for v in versions]
    st.table(pd.DataFrame(rows).set_index("Version"))
    if not can_act:
        return
    names = [v.name for v in versions]
    name = st.selectbox("Version to activate or delete", names, key="retrain_version")
    chosen = versions[names.index(name)]
    cols = st.columns([1, 1, 2, 3])
    try:
        if cols[0].button("Activate", key="retrain_activate", disabled=chosen.active):
            activate(name, models_dir)
            _flash(f"{name} is now the active model.")
        if cols[1].button("Delete", key="retrain_delete", disabled=not chosen.deletable,
                          help="The active and the shipped versions cannot be deleted."):
            delete_version(name, models_dir)
            _flash(f"{name} was deleted.")
        shipped_active = any(v.shipped and v.active for v in versions)
        if cols[2].button("Roll back to shipped", key="retrain_rollback",
                          disabled=shipped_active):
            _flash(f"{rollback_to_shipped(models_dir)} is the active model again.")
    except (BundleError, OSError) as exc:
        st.error(str(exc))


def render_retrain_panel(models_dir=None, settings: JobSettings | None = None) -> None:
    """Draw the Retrain section: access, live job progress, start controls, versions."""
    models_dir = Path(models_dir or MODELS_DIR)
    st.header("Retrain")
    try:
        settings = settings or JobSettings.from_env()
    except ValueError as exc:
        st.error(f"Retraining is misconfigured: {exc}")
        return
    st.caption("Training runs in a background process: you can leave this page; progress is "
               "visible to every visitor.")
    can_act = _admin_access()
    busy = _progress(models_dir, can_act, settings)
    _start_controls(models_dir, settings, can_act, busy)
    _versions(models_dir, can_act)
