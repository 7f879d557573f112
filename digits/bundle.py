"""Model bundles: one folder per trained model, saved and loaded only here.

A bundle folder in ``models/`` holds

- ``model.keras``: the Keras model (for retraining and inspection),
- ``inference.npz``: the same network as a NumPy program (what the app runs),
- ``metrics.json``: test scores, config, sizes, timings, versions, hashes,
- ``history.json``: per-epoch loss/accuracy/val_loss/val_accuracy.

``models/active.json`` names the active bundle and the shipped one. Every
write goes to a temporary path first and is renamed into place, so a crash
never leaves a half-written bundle or pointer behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from digits.data import file_sha256
from digits.runtime import NumpyNetwork, export_program, save_program

MODELS_DIR = Path(os.environ.get("DIGITS_MODELS_DIR", Path(__file__).parent.parent / "models"))
POINTER = "active.json"
MODEL_FILE = "model.keras"
PROGRAM_FILE = "inference.npz"


class BundleError(RuntimeError):
    """A bundle is missing, damaged or was changed after it was saved."""


@dataclass(frozen=True)
class ModelBundle:
    """A saved model: its folder plus what ``metrics.json`` and ``history.json`` say."""

    path: Path
    metrics: dict
    history: dict

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def arch(self) -> str:
        return self.metrics.get("config", {}).get("arch", "?")

    @property
    def accuracy(self) -> float:
        return float(self.metrics.get("test", {}).get("accuracy", float("nan")))

    @property
    def created(self) -> str:
        return self.metrics.get("created", "")


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def write_json_atomic(path: Path, data) -> None:
    """Replace ``path`` with ``data`` as JSON in one rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_bundle_name(arch: str) -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{arch}"


def save_bundle(model, metrics: dict, history: dict, models_dir=None, name=None) -> ModelBundle:
    """Save a trained Keras model as a new bundle, atomically.

    ``metrics`` gets the file hashes and sizes added. The folder appears under
    its final name only once every file is written.
    """
    models_dir = Path(models_dir or MODELS_DIR)
    models_dir.mkdir(parents=True, exist_ok=True)
    name = name or new_bundle_name(metrics.get("config", {}).get("arch", "model"))
    final = models_dir / name
    if final.exists():
        raise BundleError(f"A model named {name} already exists.")
    tmp = Path(tempfile.mkdtemp(dir=models_dir, prefix=f".tmp-{name}-"))
    tmp.chmod(0o755)
    try:
        model.save(tmp / MODEL_FILE)
        save_program(tmp / PROGRAM_FILE, *export_program(model))
        metrics = dict(metrics)
        metrics["files"] = {
            f: {"sha256": file_sha256(tmp / f), "bytes": (tmp / f).stat().st_size}
            for f in (MODEL_FILE, PROGRAM_FILE)
        }
        _write_json(tmp / "history.json", history)
        _write_json(tmp / "metrics.json", metrics)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_bundle(final)


def load_bundle(path) -> ModelBundle:
    """Read a bundle's metrics and history (the model files are loaded on demand)."""
    path = Path(path)
    try:
        metrics = json.loads((path / "metrics.json").read_text())
        history = json.loads((path / "history.json").read_text())
    except FileNotFoundError:
        raise BundleError(
            f"{path} is not a model bundle (metrics.json or history.json is missing)."
        ) from None
    except json.JSONDecodeError as exc:
        raise BundleError(f"{path}: a metrics or history file is damaged ({exc}).") from None
    return ModelBundle(path=path, metrics=metrics, history=history)


def _checked_file(bundle: ModelBundle, filename: str) -> Path:
    path = bundle.path / filename
    if not path.is_file():
        raise BundleError(f"Model {bundle.name} has no {filename}.")
    expected = bundle.metrics.get("files", {}).get(filename, {}).get("sha256")
    if expected != file_sha256(path):
        raise BundleError(
            f"Model {bundle.name}: {filename} does not match the hash recorded when it "
            "was saved; it was changed or damaged."
        )
    return path


def load_network(bundle: ModelBundle) -> NumpyNetwork:
    """The bundle's network as a :class:`NumpyNetwork`, after a hash check."""
    return NumpyNetwork.load(_checked_file(bundle, PROGRAM_FILE))


def load_keras_model(bundle: ModelBundle):
    """The bundle's Keras model, loaded in safe mode after a hash check."""
    import keras

    from digits.ensemble import keras_layers

    keras_layers()  # an ensemble's layer, registered before loading
    return keras.models.load_model(_checked_file(bundle, MODEL_FILE), safe_mode=True)


def list_bundles(models_dir=None) -> list[ModelBundle]:
    """Every readable bundle, newest first."""
    models_dir = Path(models_dir or MODELS_DIR)
    bundles = []
    for path in models_dir.iterdir() if models_dir.is_dir() else []:
        if path.is_dir() and not path.name.startswith(".") and (path / "metrics.json").is_file():
            try:
                bundles.append(load_bundle(path))
            except BundleError:
                continue
    return sorted(bundles, key=lambda b: (b.created, b.name), reverse=True)


def read_pointer(models_dir=None) -> dict:
    """``{"active": name, "shipped": name}`` from ``models/active.json``."""
    path = Path(models_dir or MODELS_DIR) / POINTER
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError:
        raise BundleError(f"{path} is damaged; restore it from git or activate a model.") from None


def active_bundle(models_dir=None) -> ModelBundle:
    """The bundle named active in ``models/active.json``."""
    models_dir = Path(models_dir or MODELS_DIR)
    name = read_pointer(models_dir).get("active")
    if not name:
        raise BundleError(
            f"No active model in {models_dir}. Train one with `python -m digits train --activate`."
        )
    return load_bundle(models_dir / name)


def set_active(name: str, models_dir=None, shipped: bool = False) -> None:
    """Make bundle ``name`` the active one (and the shipped one if ``shipped``)."""
    models_dir = Path(models_dir or MODELS_DIR)
    load_network(load_bundle(models_dir / name))  # refuse a broken bundle
    pointer = read_pointer(models_dir)
    pointer["active"] = name
    if shipped or "shipped" not in pointer:
        pointer["shipped"] = name
    write_json_atomic(models_dir / POINTER, pointer)
