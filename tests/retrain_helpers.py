"""Throw-away models folders for the retrain tests (never the real ``models/``).

One small untrained MLP bundle is saved once per test process through the real
``save_bundle``; each folder gets copies of it under the names asked for.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

_SEED: Path | None = None


def _seed_bundle() -> Path:
    global _SEED
    if _SEED is None:
        from digits.bundle import save_bundle
        from digits.model import build_model

        root = Path(tempfile.mkdtemp(prefix="digits-seed-"))
        metrics = {"config": {"arch": "mlp"}, "test": {"accuracy": 0.99},
                   "training_seconds": 12.5, "epochs_run": 1}
        _SEED = save_bundle(build_model("mlp"), metrics, {"loss": [0.5]}, root, "seed").path
    return _SEED


def make_models_dir(path: Path, names=("shipped",), accuracy: float = 0.99) -> Path:
    """A models folder with one version per name, oldest first; the first is shipped
    and active."""
    from digits.bundle import set_active

    path.mkdir(parents=True, exist_ok=True)
    for day, name in enumerate(names, start=1):
        add_version(path, name, f"2026-01-{day:02d}T12:00:00+00:00", accuracy)
    set_active(names[0], path, shipped=True)
    return path


def add_version(models_dir: Path, name: str, created: str, accuracy: float = 0.99) -> Path:
    """Copy the seed bundle in as version ``name`` created at ``created``."""
    target = models_dir / name
    shutil.copytree(_seed_bundle(), target)
    metrics = json.loads((target / "metrics.json").read_text())
    metrics.update(created=created, test={"accuracy": accuracy})
    (target / "metrics.json").write_text(json.dumps(metrics))
    return target
