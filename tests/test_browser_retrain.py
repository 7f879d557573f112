"""Retraining in a real browser: unlock, click Retrain, watch progress, see the new version.

Starts ``streamlit run streamlit_app.py`` on a free localhost port with
``DIGITS_MODELS_DIR`` pointing at a temporary copy of the shipped model, so the
real ``models/`` folder is never touched, and drives Debian's Chromium with
Playwright. ``DIGITS_RETRAIN_TRAIN_LIMIT`` makes the quick preset test-sized.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, running_app

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-password"


@pytest.fixture
def models_copy(tmp_path) -> Path:
    """The shipped (and active) model copied into a throw-away models folder."""
    pointer_file = ROOT / "models" / "active.json"
    if not pointer_file.is_file():
        pytest.skip("models/ has no shipped model yet")
    pointer = json.loads(pointer_file.read_text())
    target = tmp_path / "models"
    target.mkdir()
    for name in {pointer["active"], pointer["shipped"]}:
        shutil.copytree(ROOT / "models" / name, target / name)
    shutil.copy(pointer_file, target / "active.json")
    return target


@pytest.fixture
def app_url(models_copy, tmp_path):
    """The app on a free localhost port over the copy, with an admin password."""
    env = {"DIGITS_MODELS_DIR": str(models_copy), "DIGITS_ADMIN_PASSWORD": PASSWORD,
           "DIGITS_RETRAIN_TRAIN_LIMIT": "600"}
    with running_app(tmp_path / "streamlit.log", env) as url:
        yield url


@pytest.fixture
def page(browser, app_url):
    """A Chromium tab (the browser is shared with tests/test_browser.py)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()


def test_retrain_shows_progress_then_lists_the_new_version(page, app_url, models_copy):
    """An admin clicks Retrain; the progress bar appears, then the new version is listed."""
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # the shared 2-core machine can be slow
    page.goto(f"{app_url}/training")
    page.get_by_role("heading", name="Retrain").wait_for()
    versions = page.get_by_test_id("stTable").locator("tbody tr")
    expect(versions).to_have_count(len({p.name for p in models_copy.iterdir()} - {"active.json"}))
    retrain = page.get_by_role("button", name="Retrain", exact=True)
    expect(retrain).to_be_disabled()

    page.get_by_label("Admin password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(retrain).to_be_enabled()
    rows_before = versions.count()
    retrain.click()

    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Cancel training")).to_be_visible()
    result = page.get_by_test_id("stAlert").filter(has_text="test accuracy")
    expect(result).to_be_visible(timeout=240_000)
    name = re.search(r"\d{8}-\d{6}-cnn", result.inner_text()).group(0)
    expect(versions).to_have_count(rows_before + 1)
    expect(page.get_by_test_id("stTable")).to_contain_text(name)
    assert (models_copy / name / "inference.npz").is_file()
    assert not list(models_copy.glob(".tmp-*"))
