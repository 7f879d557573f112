"""Model versions: listing, activation, rollback, deletion and retention."""

from __future__ import annotations

import pytest
from retrain_helpers import make_models_dir

from digits.bundle import active_bundle, read_pointer
from digits.predict import active_recognizer
from digits.versions import (
    VersionError,
    activate,
    delete_version,
    list_versions,
    prune,
    rollback_to_shipped,
)

NAMES = ("shipped", "v2", "v3", "v4")


@pytest.fixture
def models_dir(tmp_path):
    """A models folder: "shipped" (active) and three newer trained versions."""
    return make_models_dir(tmp_path / "models", NAMES)


def test_versions_are_listed_newest_first_with_markers(models_dir):
    """The table shows every version, newest first, marking the active and shipped one."""
    versions = list_versions(models_dir)
    assert [v.name for v in versions] == ["v4", "v3", "v2", "shipped"]
    shipped = versions[-1]
    assert shipped.active and shipped.shipped and not shipped.deletable
    assert versions[0].arch == "mlp" and versions[0].accuracy == pytest.approx(0.99)
    assert versions[0].training_seconds == 12.5


def test_activating_a_version_switches_the_served_model(models_dir):
    """After activation the app's recognizer is built from the chosen version."""
    activate("v3", models_dir)
    assert active_bundle(models_dir).name == "v3"
    assert active_recognizer(models_dir).name == "v3"
    assert read_pointer(models_dir)["shipped"] == "shipped"


def test_rollback_makes_the_shipped_model_active_again(models_dir):
    """Roll back to shipped restores the model that came with the code."""
    activate("v2", models_dir)
    assert rollback_to_shipped(models_dir) == "shipped"
    assert active_bundle(models_dir).name == "shipped"


def test_active_and_shipped_versions_cannot_be_deleted(models_dir):
    """Deleting the active or the shipped version is refused with a reason."""
    activate("v2", models_dir)
    with pytest.raises(VersionError, match="active model"):
        delete_version("v2", models_dir)
    with pytest.raises(VersionError, match="shipped model"):
        delete_version("shipped", models_dir)
    assert {v.name for v in list_versions(models_dir)} == set(NAMES)


def test_deleting_a_version_removes_its_folder(models_dir):
    """A deleted version disappears from the list and from disk, leaving no trash."""
    delete_version("v3", models_dir)
    assert "v3" not in [v.name for v in list_versions(models_dir)]
    assert sorted(p.name for p in models_dir.iterdir()) == ["active.json", "shipped", "v2", "v4"]


def test_unknown_or_unsafe_names_are_refused(models_dir):
    """Names that are not versions in this folder are refused, not resolved elsewhere."""
    for name in ("nope", "../models", ".jobs", ""):
        with pytest.raises(VersionError):
            delete_version(name, models_dir)


def test_retention_removes_the_oldest_trained_versions(models_dir):
    """Beyond ``keep`` trained versions the oldest go first; shipped and active stay."""
    activate("v2", models_dir)  # the oldest trained one, but active
    assert prune(models_dir, keep=2) == ["v3"]
    assert [v.name for v in list_versions(models_dir)] == ["v4", "v2", "shipped"]
    assert prune(models_dir, keep=2) == []
