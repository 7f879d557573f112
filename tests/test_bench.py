"""The benchmark: a tiny end-to-end run of `bench --quick`, and the pieces it trusts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from digits.bench.baseline import naive_input
from digits.bench.report import Figure

ROOT = Path(__file__).resolve().parent.parent

FIGURE_KEYS = {
    "mnist_accuracy", "mouse_accuracy", "paper_accuracy", "sklearn_paper_accuracy",
    "realistic_accuracy", "number_exact_read", "photo_exact_read", "photo_exact_read_turned",
    "photo_exact_read_shadow", "dollar_exact_read", "table_exact_read", "squared_exact_read",
    "pencil_exact_read", "check_form_exact_read", "page_read_ms_p50", "latency_p50_ms",
    "latency_p95_ms", "keras_latency_p50_ms", "throughput", "keras_throughput", "cold_start_s",
    "keras_cold_start_s", "cold_start_rss_mb", "app_ready_s", "app_round_trip_ms",
    "app_stroke_sent_ms", "app_rss_mb",
    "train_quick_seconds", "train_quick_accuracy", "train_standard_seconds",
    "train_standard_accuracy", "train_peak_rss_mb", "app_training_rss_mb", "served_model_mb",
    "keras_model_mb",
}
FIGURE_FIELDS = {"label", "unit", "ours", "baseline", "ratio", "target", "passed", "note"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """`python -m digits bench --quick --json` on tiny sizes: (exit code, JSON, Markdown)."""
    import contextlib
    import io

    from digits.cli import main

    output = tmp_path_factory.mktemp("bench") / "benchmarks.md"
    models = os.environ.get("DIGITS_MODELS_DIR", str(ROOT / "models"))
    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout):
        patch.setenv("DIGITS_BENCH_SIZES", "tiny")
        code = main(["--models-dir", models, "bench", "--quick", "--json",
                     "--output", str(output)])
    return code, json.loads(stdout.getvalue()), output.read_text()


@pytest.mark.slow
def test_quick_bench_prints_one_json_object_with_every_figure(tiny_run):
    """Every figure is in the JSON, with ours, the baseline, the ratio and the verdict."""
    code, result, _ = tiny_run
    assert code == 0
    assert {"mode", "command", "date", "machine", "versions", "figures", "sets", "notes",
            "seconds"} <= set(result)
    assert result["mode"] == "quick"
    assert FIGURE_KEYS <= set(result["figures"])
    for figure in result["figures"].values():
        assert FIGURE_FIELDS <= set(figure)


@pytest.mark.slow
def test_quick_bench_measures_both_pipelines_on_the_same_images(tiny_run):
    """Accuracy and latency have a number for ours and for the tutorial baseline."""
    figures = tiny_run[1]["figures"]
    for key in ("mnist_accuracy", "mouse_accuracy", "paper_accuracy", "latency_p50_ms"):
        assert figures[key]["ours"] is not None and figures[key]["baseline"] is not None
        assert figures[key]["ratio"] == pytest.approx(
            figures[key]["ours"] / figures[key]["baseline"])
    assert 0.0 <= figures["mnist_accuracy"]["ours"] <= 1.0


@pytest.mark.slow
def test_quick_bench_writes_the_table_with_machine_and_versions(tiny_run):
    """The Markdown report has the table, the command, the machine and the library versions."""
    markdown = tiny_run[2]
    assert "| Figure | Ours | Tutorial baseline |" in markdown
    assert "python -m digits bench --quick" in markdown
    assert "cpu_count" in markdown and "numpy" in markdown


def test_generated_sets_are_identical_on_every_run(mnist):
    """Fixed seeds: building a set twice gives the same pixels."""
    from digits.bench import sets

    first = sets.paper_set(mnist.x_test, mnist.y_test, 5).fingerprint()
    again = sets.paper_set(mnist.x_test, mnist.y_test, 5).fingerprint()
    assert first == again


def test_check_forms_are_whole_checks_whose_text_is_the_amount(mnist):
    """Each is a whole printed check, wide and mostly blank paper; its text is a 2-6
    digit amount alone; the same checks on every run."""
    from digits.bench import sets

    forms = sets.check_forms(mnist.x_test, mnist.y_test, 4)
    again = sets.check_forms(mnist.x_test, mnist.y_test, 4)
    assert sets.fingerprint([f for f, _ in forms]) == sets.fingerprint([f for f, _ in again])
    for image, text in forms:
        assert text.isdigit() and 2 <= len(text) <= 6
        assert image.ndim == 3 and image.shape[1] > 2 * image.shape[0]
        assert np.median(image) > 120  # paper, with a little print and writing on it


def test_photographed_pages_are_the_pages_turned_or_shaded(mnist):
    """Both writers' pages are turned and shaded alike; the text stays the page's."""
    from digits.bench import sets

    plain = sets.number_pages(mnist.x_test, mnist.y_test, 4, seed=108)
    photos = sets.photographed_pages(mnist.x_test, mnist.y_test, 4)
    assert [text for _, text in photos] == [text for _, text in plain]
    for (photo, _), (page, _) in zip(photos[:2], plain[:2]):  # turned: a larger canvas
        assert photo.shape[0] > page.shape[0] and photo.shape[1] > page.shape[1]
    for (photo, _), (page, _) in zip(photos[2:], plain[2:]):  # shaded: darker on the left
        assert photo.shape == page.shape
        left = (slice(None), slice(0, page.shape[1] // 5))
        assert photo[left].mean() < 0.8 * page[left].mean()
        assert (photo.astype(int) <= page).all()


def test_number_pages_redraw_only_mnist_digits_with_a_ballpoint(mnist, monkeypatch):
    """scikit-learn's 8x8 digits keep their own stroke: a ballpoint redraw of their blobs
    draws shapes nobody wrote (an 8 as a 1); MNIST's pages get either pen."""
    from digits import synth
    from digits.bench import sets

    pens = []
    real = synth.number_page

    def spy(rng, lines, images, labels, **options):
        pens.append((len(images), options.get("pen", -1)))
        return real(rng, lines, images, labels, **options)

    monkeypatch.setattr(synth, "number_page", spy)
    pages = sets.number_pages(mnist.x_test, mnist.y_test, 4)
    assert len(pages) == 4
    assert pens == [(len(mnist.x_test), -1), (1797, None)] * 2


def test_tutorial_preprocessing_shrinks_the_whole_canvas_and_inverts_light_paper():
    """The baseline is faithful: whole image to 28x28, light background inverted, / 255."""
    canvas = np.full((280, 280), 255, np.uint8)
    canvas[100:180, 138:142] = 0  # a thin '1' in the middle
    x = naive_input(canvas)
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert x[0, 0] == 0.0  # the paper became black
    assert 0.0 < x.max() < 0.6  # a 4-px line on 280 px is a faint 0.4-px trace at 28 px


def test_figure_passes_only_within_its_target():
    """Targets are checked in the right direction, and no target means no verdict."""
    assert Figure("a", "accuracy", "%", 0.99, at_least=0.98).passed is True
    assert Figure("b", "latency", "ms", 7.0, at_most=5).passed is False
    assert Figure("c", "size", "MB", 1.0).passed is None
    assert Figure("d", "not run", "s", None, at_most=10).passed is None


def test_number_pages_say_how_each_page_was_made_without_changing_it(mnist):
    """``details`` adds what the page holds; the pages are the benchmark's either way."""
    from digits.bench import sets

    plain = sets.number_pages(mnist.x_test, mnist.y_test, 4, seed=5000)
    detailed = sets.number_pages(mnist.x_test, mnist.y_test, 4, seed=5000, details=True)
    assert sets.fingerprint([p[0] for p in plain]) == sets.fingerprint([p[0] for p in detailed])
    assert [p[1] for p in plain] == [p[1] for p in detailed]
    assert [how["writer"] for _, _, how in detailed] == ["mnist", "sklearn"] * 2
    assert all(set(how) == {"writer", "ruled", "frame", "touching", "broken", "specks"}
               for _, _, how in detailed)


def test_misreads_sorts_every_page_it_reads(capsys):
    """``python -m digits.bench.misreads --json``: each page counted once per table, and
    every page not read exactly has one kind of mistake."""
    from digits.bench import misreads

    assert misreads.main(["--seed", "5000", "--pages", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages"] == 4
    assert sum(c["pages"] for c in out["by_writer"].values()) == 4
    assert sum(c["pages"] for c in out["by_condition"].values()) == 4
    assert set(out["by_writer"]) == {"mnist", "sklearn"}
    assert out["exact"] + sum(out["mistakes"].values()) == 4


def test_misreads_reads_pages_on_squared_paper(capsys):
    """``--squared``: every page is on squared paper, never ruled or plain."""
    from digits.bench import misreads

    assert misreads.main(["--seed", "5000", "--pages", "4", "--squared", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages"] == 4
    assert set(out["by_condition"]) <= {"touching", "broken", "frame", "squared"}
