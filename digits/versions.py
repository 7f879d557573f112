"""Model versions: list, activate, roll back to the shipped model, delete, keep the newest N.

Built on :mod:`digits.bundle`, the only module that reads and writes bundles. Two
bundles are protected: the **active** one (what the app serves) and the
**shipped** one (committed with the code; the rollback target). Neither is ever
deleted, by hand or by retention.

Retention (:func:`prune`): at most ``keep`` trained versions stay in ``models/``
(the shipped one does not count); the oldest go first, skipping the active one.

Deleting renames the folder to ``models/.trash-*`` first and removes it after, so
a half-deleted bundle is never listed or activated.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from digits.bundle import (
    MODELS_DIR,
    BundleError,
    list_bundles,
    read_pointer,
    set_active,
)

KEEP = 5  # trained versions kept by default


class VersionError(BundleError):
    """A version action that is not allowed; the message says why."""


@dataclass(frozen=True)
class Version:
    """One row of the versions table."""

    name: str
    created: str  # ISO 8601, UTC
    arch: str  # "cnn", "deep" or "mlp"
    accuracy: float  # MNIST test accuracy, 0..1
    training_seconds: float | None
    epochs: int | None
    active: bool
    shipped: bool

    @property
    def deletable(self) -> bool:
        return not (self.active or self.shipped)


def _models_dir(models_dir) -> Path:
    return Path(models_dir or MODELS_DIR)


def _path(models_dir, name: str) -> Path:
    """The folder of version ``name``; refuses names that are not plain folder names."""
    if not name or Path(name).name != name or name.startswith("."):
        raise VersionError(f"{name!r} is not a model version name.")
    path = _models_dir(models_dir) / name
    if not (path / "metrics.json").is_file():
        raise VersionError(f"There is no model version named {name}.")
    return path


def list_versions(models_dir=None) -> list[Version]:
    """Every readable version, newest first, with its active/shipped markers.

    Examples
    --------
    >>> [(v.name, v.active) for v in list_versions()]  # doctest: +SKIP
    [('20261121-110300-cnn', True)]
    """
    pointer = read_pointer(models_dir)
    return [
        Version(
            name=b.name,
            created=b.created,
            arch=b.arch,
            accuracy=b.accuracy,
            training_seconds=b.metrics.get("training_seconds"),
            epochs=b.metrics.get("epochs_run"),
            active=b.name == pointer.get("active"),
            shipped=b.name == pointer.get("shipped"),
        )
        for b in list_bundles(models_dir)
    ]


def activate(name: str, models_dir=None) -> None:
    """Make version ``name`` the one the app serves (atomic; refuses a damaged bundle).

    Examples
    --------
    >>> activate("20261121-110300-cnn")  # doctest: +SKIP
    """
    _path(models_dir, name)
    set_active(name, models_dir)


def rollback_to_shipped(models_dir=None) -> str:
    """Make the shipped version active again; returns its name."""
    shipped = read_pointer(models_dir).get("shipped")
    if not shipped:
        raise VersionError("No shipped model is recorded in models/active.json.")
    activate(shipped, models_dir)
    return shipped


def delete_version(name: str, models_dir=None) -> None:
    """Delete version ``name``; never the active or the shipped one.

    Examples
    --------
    >>> delete_version("20261121-120000-mlp")  # doctest: +SKIP
    """
    path = _path(models_dir, name)
    _refuse_protected(name, models_dir)
    trash = path.with_name(f".trash-{name}-{uuid.uuid4().hex[:8]}")
    os.rename(path, trash)
    try:
        _refuse_protected(name, models_dir)  # activated meanwhile by another process?
    except VersionError:
        os.rename(trash, path)
        raise
    shutil.rmtree(trash, ignore_errors=True)


def _refuse_protected(name: str, models_dir) -> None:
    pointer = read_pointer(models_dir)
    if name == pointer.get("active"):
        raise VersionError(f"{name} is the active model; activate another one before deleting it.")
    if name == pointer.get("shipped"):
        raise VersionError(f"{name} is the shipped model; it is kept so you can always roll back.")


def prune(models_dir=None, keep: int = KEEP) -> list[str]:
    """Delete the oldest trained versions beyond ``keep``; returns the names deleted.

    The shipped version does not count towards ``keep``; the active one counts but
    is never deleted.
    """
    if keep < 1:
        raise ValueError("At least one trained version must be kept.")
    trained = [v for v in list_versions(models_dir) if not v.shipped]  # newest first
    removed = []
    for version in reversed(trained):  # oldest first
        if len(trained) - len(removed) <= keep:
            break
        if version.active:
            continue
        try:
            delete_version(version.name, models_dir)
        except (VersionError, OSError):
            continue
        removed.append(version.name)
    return removed

