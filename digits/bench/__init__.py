"""``python -m digits bench``: our app against the tutorials' approach, in one run.

The modules: :mod:`~digits.bench.baseline` (the tutorials' pipeline),
:mod:`~digits.bench.sets` (realistic inputs), :mod:`~digits.bench.quality`
and :mod:`~digits.bench.cost` (the figures), :mod:`~digits.bench.app` (the
app in a browser), :mod:`~digits.bench.report` (JSON and Markdown) and
:mod:`~digits.bench.run` (one run, the CLI entry).
"""


def run_bench_cli(args) -> int:
    """``python -m digits bench``; imported lazily so child processes stay light."""
    from digits.bench.run import run_bench_cli as run

    return run(args)


__all__ = ["run_bench_cli"]
