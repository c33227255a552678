"""The analysis report: typed results, their JSON form, the per-frame CSV and a terminal summary.

:class:`Report` is what :func:`formcheck.analyze.analyze_sequence` returns. ``Report.to_dict()``
gives the JSON object described by ``formcheck/schemas/report.schema.json`` (schema id
``formcheck.report/1``); the typed objects hold the same content. Values that could not be
measured are ``None`` (JSON ``null``), never NaN.

Outputs are written atomically: :func:`write_outputs` builds the whole output folder beside its
destination and renames it into place, so a failure leaves no partial folder.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from formcheck.atomic import atomic_path
from formcheck.errors import FormcheckError

__all__ = [
    "SCHEMA_ID",
    "Cue",
    "DrillInfo",
    "DrillGuessInfo",
    "DrillReport",
    "MetricResult",
    "PoseSummary",
    "RepResult",
    "Report",
    "SegmentResult",
    "VideoSummary",
    "load_schema",
    "summary",
    "validate_report_dict",
    "write_json",
    "write_metrics_csv",
    "write_outputs",
]

SCHEMA_ID = "formcheck.report/1"
REPORT_JSON = "report.json"
METRICS_CSV = "metrics.csv"
SEVERITIES = ("major", "minor")
#: Decimal places kept in the JSON for measured values.
JSON_DECIMALS = 4


def _num(x: float | None, nd: int = JSON_DECIMALS) -> float | None:
    if x is None:
        return None
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


# ---------------------------------------------------------------------------- typed results
@dataclass(frozen=True)
class VideoSummary:
    path: str | None
    width: int
    height: int
    fps: float
    duration_s: float
    frames: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "width": int(self.width), "height": int(self.height), "fps": _num(self.fps),
                "duration_s": _num(self.duration_s), "frames": int(self.frames)}


@dataclass(frozen=True)
class PoseSummary:
    model: str | None
    frames_with_pose: int
    coverage: float  # fraction of frames with a pose, 0..1
    view: str  # "side" | "front" | "unknown"
    facing: str  # "right" | "left" | "toward" | "away" | "unknown"
    view_confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "frames_with_pose": int(self.frames_with_pose), "coverage": _num(self.coverage),
                "view": self.view, "facing": self.facing, "view_confidence": _num(self.view_confidence, 3)}


@dataclass(frozen=True)
class DrillGuessInfo:
    name: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": _num(self.confidence, 3)}


@dataclass(frozen=True)
class DrillInfo:
    name: str  # a registered drill, or "warm-up" for a clip of several drills
    source: str  # "detected" | "given"
    confidence: float | None
    alternatives: tuple[DrillGuessInfo, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "confidence": _num(self.confidence, 3),
                "alternatives": [a.to_dict() for a in self.alternatives]}


@dataclass(frozen=True)
class MetricResult:
    """One metric of one drill: median over reps (``value``), per side, target band and score.

    ``score`` is ``None`` when the metric is not scored (informational, or not measured);
    ``reason`` says why ``value`` is ``None``.
    """

    name: str
    value: float | None
    left: float | None
    right: float | None
    unit: str
    target: tuple[float | None, float | None]
    score: float | None
    n: int
    weight: float = 0.0
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": _num(self.value), "left": _num(self.left), "right": _num(self.right), "unit": self.unit,
                "target": [_num(self.target[0]), _num(self.target[1])], "score": _num(self.score, 1),
                "n": int(self.n), "weight": _num(self.weight, 3), "reason": self.reason}


@dataclass(frozen=True)
class RepResult:
    index: int
    side: str | None
    t_s: float
    frame: int
    values: Mapping[str, float | None]
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"index": int(self.index), "side": self.side, "t_s": _num(self.t_s), "frame": int(self.frame),
                "values": {k: _num(v) for k, v in self.values.items()}, "score": _num(self.score, 1)}


@dataclass(frozen=True)
class Cue:
    """A coach's cue: what to fix (``text``), how bad (``severity``), and where it shows.

    ``evidence`` holds ``(t_s, frame)`` of the worst reps, worst first (clip frame numbers).
    ``priority`` orders cues of the same severity (metric weight x score lost).
    """

    id: str
    metric: str
    severity: str  # "major" | "minor"
    text: str
    evidence: tuple[tuple[float, int], ...]
    drill: str
    segment: int | None = None
    priority: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "metric": self.metric, "severity": self.severity, "text": self.text,
                "evidence": [[_num(t), int(f)] for t, f in self.evidence], "drill": self.drill,
                "segment": self.segment, "priority": _num(self.priority, 2)}


@dataclass(frozen=True)
class DrillReport:
    """The analysis of one stretch of one drill."""

    drill: str
    view: str
    facing: str
    metrics: Mapping[str, MetricResult]
    reps: tuple[RepResult, ...]
    score: float | None
    cues: tuple[Cue, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"drill": self.drill, "view": self.view, "facing": self.facing,
                "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
                "reps": [r.to_dict() for r in self.reps], "score": _num(self.score, 1),
                "cues": [c.to_dict() for c in self.cues], "warnings": list(self.warnings)}


@dataclass(frozen=True)
class SegmentResult:
    """One drill segment of the clip and its analysis: frames ``start_frame`` to ``end_frame``
    (exclusive), from ``start_s`` (the first frame's time) to ``end_s`` (the end of the last frame)."""

    drill: str
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    confidence: float | None
    report: DrillReport

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)

    def to_dict(self) -> dict[str, Any]:
        return {"drill": self.drill, "start_s": _num(self.start_s), "end_s": _num(self.end_s),
                "start_frame": int(self.start_frame), "end_frame": int(self.end_frame),
                "confidence": _num(self.confidence, 3), "report": self.report.to_dict()}


@dataclass(frozen=True, eq=False)
class Report:
    """The whole analysis of one clip.

    For a single drill, ``metrics``/``reps``/``cues`` are that drill's and ``segments`` has one
    entry. For a warm-up clip (``drill.name == "warm-up"``) each segment carries its own report;
    ``score`` is the duration-weighted mean of the segment scores, ``cues`` the most important
    across segments, and ``metrics``/``reps`` are empty. ``series`` (per-frame signals over the
    whole clip) and ``t_s`` feed ``metrics.csv``; they are not part of the JSON.
    """

    formcheck_version: str
    video: VideoSummary
    pose: PoseSummary
    drill: DrillInfo
    segments: tuple[SegmentResult, ...]
    metrics: Mapping[str, MetricResult]
    reps: tuple[RepResult, ...]
    score: float | None
    cues: tuple[Cue, ...]
    warnings: tuple[str, ...]
    series: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    t_s: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    schema: str = SCHEMA_ID

    @property
    def is_warmup(self) -> bool:
        return self.drill.name == "warm-up"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "formcheck_version": self.formcheck_version,
            "video": self.video.to_dict(),
            "pose": self.pose.to_dict(),
            "drill": self.drill.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "reps": [r.to_dict() for r in self.reps],
            "score": _num(self.score, 1),
            "cues": [c.to_dict() for c in self.cues],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


# ---------------------------------------------------------------------------- schema
@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The report's JSON Schema (draft 2020-12)."""
    text = resources.files("formcheck").joinpath("schemas", "report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate_report_dict(data: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` does not follow the report schema."""
    import jsonschema

    jsonschema.Draft202012Validator(load_schema()).validate(data)


# ---------------------------------------------------------------------------- writers
def write_json(report: Report, dest: str | os.PathLike | TextIO) -> Path | None:
    """Write the report's JSON to a path (atomically) or, for ``"-"``/a stream, to that stream."""
    text = report.to_json() + "\n"
    if dest == "-" or hasattr(dest, "write"):
        stream = sys.stdout if dest == "-" else dest
        stream.write(text)  # type: ignore[union-attr]
        stream.flush()  # type: ignore[union-attr]
        return None
    path = Path(dest)  # type: ignore[arg-type]
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _csv_value(v: float) -> str:
    return "" if not math.isfinite(v) else f"{v:.4f}"


def _write_metrics_csv_to(report: Report, path: Path) -> None:
    names = sorted(report.series)
    t = np.asarray(report.t_s, dtype=np.float64)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["frame", "t_s", *names])
        cols = [np.asarray(report.series[k], dtype=np.float64) for k in names]
        for i in range(len(t)):
            w.writerow([i, f"{t[i]:.6f}", *(_csv_value(c[i]) if i < len(c) else "" for c in cols)])


def write_metrics_csv(report: Report, dest: str | os.PathLike) -> Path:
    """Per-frame signals: ``frame``, ``t_s`` and one column per series (empty where not measured)."""
    path = Path(dest)
    with atomic_path(path) as tmp:
        _write_metrics_csv_to(report, tmp)
    return path


def write_outputs(report: Report, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write ``report.json`` and ``metrics.csv`` into ``out_dir`` as one step.

    The folder is built under a temporary name beside ``out_dir`` and renamed into place; an
    existing ``out_dir`` is replaced only once the new one is complete.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part"))
    old: Path | None = None
    try:
        (tmp / REPORT_JSON).write_text(report.to_json() + "\n", encoding="utf-8")
        _write_metrics_csv_to(report, tmp / METRICS_CSV)
        if out.exists():
            if not out.is_dir():
                raise FormcheckError(f"{out} exists and is not a folder; choose another --out")
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".old"))
            os.replace(out, old / out.name)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / out.name).exists() and not out.exists():
            os.replace(old / out.name, out)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return {"report": out / REPORT_JSON, "metrics": out / METRICS_CSV}


# ---------------------------------------------------------------------------- terminal summary
def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "frac":
        return f"{v:.3f}"
    if unit == "count":
        return f"{v:.0f}"
    return f"{v:.1f}"


def _fmt_target(t: tuple[float | None, float | None], unit: str) -> str:
    lo, hi = t
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f">= {lo:g}"
    if lo is None:
        return f"<= {hi:g}"
    return f"{lo:g}..{hi:g}"


def _score_text(s: float | None) -> str:
    return "n/a" if s is None else f"{s:.0f}/100"


def _metric_lines(metrics: Mapping[str, MetricResult], indent: str) -> list[str]:
    lines = []
    for name, m in metrics.items():
        if m.value is None:
            lines.append(f"{indent}{name:<22} not measured ({m.reason or 'no value'})")
            continue
        score = "" if m.score is None else f"  score {m.score:.0f}"
        target = _fmt_target(m.target, m.unit)
        target = f"  target {target}" if target else ""
        lines.append(f"{indent}{name:<22} {_fmt(m.value, m.unit):>7} {m.unit:<5}{target}{score}")
    return lines


def _cue_lines(cues: tuple[Cue, ...], indent: str, with_drill: bool) -> list[str]:
    lines = []
    for i, c in enumerate(cues, 1):
        where = ", ".join(f"{t:.2f} s" for t, _ in c.evidence[:3])
        where = f"; see {where}" if where else ""
        drill = f"{c.drill}: " if with_drill else ""
        lines.append(f"{indent}{i}. [{c.severity}] {drill}{c.text}  ({c.metric}{where})")
    return lines


def summary(report: Report) -> str:
    """A short human summary for the terminal."""
    d = report.drill
    how = "given" if d.source == "given" else (
        "detected" if d.confidence is None else f"detected, {100 * d.confidence:.0f}% sure")
    view = report.pose.view if report.pose.view != "side" else f"side view facing {report.pose.facing}"
    lines = [f"{d.name} ({how}): score {_score_text(report.score)}, {report.video.duration_s:.1f} s, "
             f"{view}, pose in {100 * report.pose.coverage:.0f}% of frames"]
    if report.is_warmup:
        for i, s in enumerate(report.segments):
            lines.append(f"  {i + 1}. {s.drill:<20} {s.start_s:6.1f}-{s.end_s:.1f} s  score "
                         f"{_score_text(s.report.score)}, {len(s.report.reps)} reps")
    else:
        lines.append(f"  {len(report.reps)} rep{'' if len(report.reps) == 1 else 's'}")
        lines.extend(_metric_lines(report.metrics, "  "))
    if report.cues:
        lines.append("Cues:")
        lines.extend(_cue_lines(report.cues, "  ", report.is_warmup))
    elif report.score is None:
        lines.append("Cues: none (nothing could be scored).")
    else:
        lines.append("Cues: none; form looks good.")
    for w in report.warnings:
        lines.append(f"Warning: {w}")
    return "\n".join(lines)
