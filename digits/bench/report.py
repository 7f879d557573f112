"""Benchmark figures and how they are written: one JSON object, one Markdown table."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field

UNIT_FORMATS = {
    "%": lambda v: f"{100 * v:.2f} %",
    "ms": lambda v: f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms",
    "s": lambda v: f"{v:.1f} s",
    "MB": lambda v: f"{v:.0f} MB" if v >= 10 else f"{v:.2f} MB",
    "images/s": lambda v: f"{v:,.0f} images/s",
}


@dataclass
class Figure:
    """One measured figure, next to the tutorial baseline (or another comparison).

    Examples
    --------
    >>> f = Figure("mnist", "MNIST test accuracy", "%", 0.996, 0.976, at_least=0.996)
    >>> f.passed, round(f.ratio, 3)
    (True, 1.02)
    """

    key: str  # stable name in the JSON output
    label: str  # what a reader sees in the table
    unit: str  # one of UNIT_FORMATS
    ours: float | None  # None: not measured (see ``note``)
    baseline: float | None = None
    at_least: float | None = None  # target, if the figure has one
    at_most: float | None = None
    versus: str = ""  # what ``baseline`` is when it is not the tutorial pipeline
    baseline_text: str = ""  # shown instead of a number (e.g. "not able")
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """ours / baseline; None when either side is missing."""
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def passed(self) -> bool | None:
        if self.ours is None or (self.at_least is None and self.at_most is None):
            return None
        return (self.at_least is None or self.ours >= self.at_least) and (
            self.at_most is None or self.ours <= self.at_most
        )

    @property
    def target(self) -> str:
        if self.at_least is not None:
            return "≥ " + show(self.at_least, self.unit)
        if self.at_most is not None:
            return "≤ " + show(self.at_most, self.unit)
        return ""

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "passed": self.passed, "target": self.target}


def show(value: float | None, unit: str) -> str:
    """A value with its unit, the way the report writes it.

    Examples
    --------
    >>> show(0.99612, "%"), show(3.21, "ms"), show(None, "s")
    ('99.61 %', '3.2 ms', '—')
    """
    if value is None:
        return "—"
    return UNIT_FORMATS[unit](value)


@dataclass
class Report:
    """Everything one benchmark run measured."""

    mode: str  # "quick" or "full"
    command: str
    date: str
    machine: dict
    versions: dict
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # method and caveats, for people
    sets: dict = field(default_factory=dict)  # name -> {"count", "sha256"} of generated sets
    seconds: float = 0.0

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def value(self, key: str) -> float | None:
        """Our measured value of figure ``key`` (None if absent or not measured)."""
        return next((f.ours for f in self.figures if f.key == key), None)

    def to_dict(self) -> dict:
        return {
            "mode": self.mode,
            "command": self.command,
            "date": self.date,
            "seconds": round(self.seconds, 1),
            "machine": self.machine,
            "versions": self.versions,
            "figures": {f.key: f.to_dict() for f in self.figures},
            "sets": self.sets,
            "notes": self.notes,
        }

    def to_markdown(self) -> str:
        rows = [
            "| Figure | Ours | Tutorial baseline | Ratio (ours ÷ baseline) | Target | Pass |",
            "|---|---|---|---|---|---|",
        ]
        footnotes = []
        for f in self.figures:
            label = f.label
            if f.note:
                footnotes.append(f.note)
                label += f" [{len(footnotes)}]"
            if f.baseline is not None:
                other = show(f.baseline, f.unit) + (f" ({f.versus})" if f.versus else "")
            else:
                other = f.baseline_text or "—"
            ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
            verdict = {True: "pass", False: "**FAIL**", None: ""}[f.passed]
            ours = show(f.ours, f.unit) if f.ours is not None else "not measured"
            rows.append(f"| {label} | {ours} | {other} | {ratio} | {f.target} | {verdict} |")
        lines = [
            "# Benchmarks",
            "",
            f"Measured on {self.date} with `{self.command}` ({self.mode} run, "
            f"{self.seconds:.0f} s). Each figure is measured in the same run for our app and "
            "for the tutorials' approach; ratios matter more than absolute times, which vary "
            "on a shared machine.",
            "",
            *rows,
            "",
            *[f"[{i}] {text}  " for i, text in enumerate(footnotes, 1)],
        ]
        if self.notes:
            lines += ["", "## How it is measured", "", *[f"- {n}" for n in self.notes]]
        if self.sets:
            lines += ["", "## Generated sets (fixed seeds; the fingerprint repeats every run)", "",
                      "| Set | Images | sha256 (first 16) |", "|---|---|---|"]
            lines += [f"| {name} | {s['count']} | `{s['sha256'][:16]}` |"
                      for name, s in self.sets.items()]
        lines += ["", "## Machine", ""]
        lines += [f"- {k}: {v}" for k, v in self.machine.items()]
        lines += ["", "## Library versions", ""]
        lines += [f"- {k}: {v}" for k, v in self.versions.items()]
        return "\n".join(lines) + "\n"


def machine_info() -> dict:
    """CPU count and model, memory and OS of this machine."""
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "platform": platform.platform(),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def library_versions() -> dict:
    """Versions of the libraries the figures depend on (Keras only if already imported)."""
    import importlib.metadata as md

    versions = {"python": platform.python_version()}
    for name in ("numpy", "opencv-python-headless", "pillow", "scikit-learn", "tensorflow-cpu",
                 "tensorflow", "keras", "streamlit", "streamlit-drawable-canvas", "playwright"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return versions
