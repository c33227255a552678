"""Progress over weeks: each metric of a drill per athlete, against its target band, and the
faults that keep coming back.

- :func:`session_points`: one point per session and metric (the mean over the session's segments
  of that drill), with the target band it was scored against.
- :func:`weekly_points`: those points averaged per ISO week (weeks start on Monday).
- :func:`metric_trends`: per metric, the first and the latest week, how far each lies outside the
  band, and whether that distance shrank (improving), grew (worse) or stayed (steady).
- :func:`find_persistent_faults`: the same major cue in at least ``min_sessions`` of the athlete's
  last ``last_sessions`` sessions of a drill.
- :func:`progress_data` gathers all of it from a :class:`~formcheck.library.store.Library`;
  :func:`progress_chart` draws it (Altair, imported only there).

Everything but :func:`progress_data` and :func:`progress_chart` is a pure function of rows.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FaultSettings",
    "MetricTrend",
    "PersistentFault",
    "ProgressData",
    "find_persistent_faults",
    "metric_label",
    "metric_trends",
    "chart_rows",
    "progress_chart",
    "progress_data",
    "session_points",
    "week_start",
    "weekly_points",
]


@dataclass(frozen=True)
class FaultSettings:
    """A fault is persistent when its cue (of ``severity``) shows in at least ``min_sessions`` of
    the last ``last_sessions`` sessions of its drill."""

    last_sessions: int = 3
    min_sessions: int = 2
    severity: str = "major"

    def __post_init__(self) -> None:
        if not 1 <= self.min_sessions <= self.last_sessions:
            raise ValueError(f"need 1 <= min_sessions <= last_sessions, got {self.min_sessions}, {self.last_sessions}")


@dataclass(frozen=True)
class PersistentFault:
    """A cue the athlete keeps getting: in ``sessions`` of the last ``of`` sessions of ``drill``."""

    drill: str
    metric: str | None
    cue_id: str | None
    text: str
    sessions: int
    of: int
    session_ids: tuple[int, ...] = ()
    last_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"drill": self.drill, "metric": self.metric, "cue_id": self.cue_id, "text": self.text,
                "sessions": self.sessions, "of": self.of, "session_ids": list(self.session_ids),
                "last_date": self.last_date}


@dataclass(frozen=True)
class MetricTrend:
    """A metric's first and latest week; ``gap``: how far outside the target band (0 inside)."""

    metric: str
    unit: str
    first_week: str
    last_week: str
    first_value: float
    last_value: float
    first_gap: float | None
    last_gap: float | None
    weeks: int
    verdict: str  # "improving" | "worse" | "steady" | "on target" | "no target" | "one week"

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 3)  # noqa: E731
        return {"metric": self.metric, "unit": self.unit, "first_week": self.first_week, "last_week": self.last_week,
                "first_value": r(self.first_value), "last_value": r(self.last_value), "first_gap": r(self.first_gap),
                "last_gap": r(self.last_gap), "weeks": self.weeks, "verdict": self.verdict}


@dataclass(frozen=True)
class ProgressData:
    athlete: str
    drill: str
    points: list[dict[str, Any]]
    weekly: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    trends: list[MetricTrend]
    faults: list[PersistentFault] = field(default_factory=list)

    @property
    def metrics(self) -> list[str]:
        return list(dict.fromkeys(p["metric"] for p in self.points))


# ---------------------------------------------------------------------------- helpers
def week_start(day: str | _dt.date) -> _dt.date:
    """The Monday of ``day``'s ISO week."""
    d = _dt.date.fromisoformat(day) if isinstance(day, str) else day
    return d - _dt.timedelta(days=d.weekday())


def metric_label(metric: str) -> str:
    """A metric's short human name (from the drill registry), else its name."""
    try:
        from formcheck.drills import METRICS

        return METRICS[metric].label
    except (ImportError, KeyError):
        return metric


def _finite(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def band_gap(value: float, lo: float | None, hi: float | None) -> float | None:
    """Distance of ``value`` outside ``[lo, hi]`` (0 inside); ``None`` without a band."""
    if lo is None and hi is None:
        return None
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0


# ---------------------------------------------------------------------------- series
def session_points(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One point per (session, metric) from :meth:`Library.metric_rows` rows of one drill.

    ``value``: the mean over the session's segments (a warm-up may show the drill twice);
    ``target_lo``/``target_hi``: the band the session was scored against. Sessions without a
    value for the metric give no point.
    """
    groups: dict[tuple[int, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if _finite(r.get("value")):
            groups[(r["session_id"], r["metric"])].append(r)
    out = []
    for (sid, metric), rs in groups.items():
        vals = [float(r["value"]) for r in rs]
        scores = [float(r["score"]) for r in rs if _finite(r.get("score"))]
        first = rs[0]
        out.append({"session_id": sid, "date": first["date"], "week": week_start(first["date"]).isoformat(),
                    "drill": first["drill"], "metric": metric, "label": metric_label(metric),
                    "unit": first.get("unit") or "", "value": sum(vals) / len(vals),
                    "score": sum(scores) / len(scores) if scores else None,
                    "target_lo": first.get("target_lo"), "target_hi": first.get("target_hi")})
    out.sort(key=lambda p: (p["date"], p["session_id"], p["metric"]))
    return out


def _band(points: Sequence[Mapping[str, Any]]) -> tuple[float | None, float | None]:
    """The latest band among ``points`` (what the drill scores against now)."""
    for p in reversed(points):
        if p.get("target_lo") is not None or p.get("target_hi") is not None:
            return p.get("target_lo"), p.get("target_hi")
    return None, None


def weekly_points(points: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``session_points`` averaged per metric and ISO week: week, metric, value, n, target band."""
    by_metric: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for p in points:
        by_metric[p["metric"]].append(p)
    out = []
    for metric, ps in by_metric.items():
        lo, hi = _band(ps)
        weeks: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for p in ps:
            weeks[p["week"]].append(p)
        for week in sorted(weeks):
            w = weeks[week]
            vals = [float(p["value"]) for p in w]
            scores = [float(p["score"]) for p in w if _finite(p.get("score"))]
            out.append({"week": week, "metric": metric, "label": w[0]["label"], "unit": w[0]["unit"],
                        "value": sum(vals) / len(vals), "n": len(w),
                        "score": sum(scores) / len(scores) if scores else None, "target_lo": lo, "target_hi": hi})
    out.sort(key=lambda p: (p["metric"], p["week"]))
    return out


def metric_trends(weekly: Iterable[Mapping[str, Any]], *, steady_frac: float = 0.05) -> list[MetricTrend]:
    """Per metric: first vs latest week. A gap that shrank by more than ``steady_frac`` of the first
    gap (or of the band width) is "improving", one that grew as much "worse", else "steady"."""
    by_metric: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for w in weekly:
        by_metric[w["metric"]].append(w)
    out = []
    for metric, ws in by_metric.items():
        ws = sorted(ws, key=lambda w: w["week"])
        first, last = ws[0], ws[-1]
        lo, hi = last.get("target_lo"), last.get("target_hi")
        g0, g1 = band_gap(first["value"], lo, hi), band_gap(last["value"], lo, hi)
        if g0 is None or g1 is None:
            verdict = "no target"
        elif len(ws) == 1:
            verdict = "one week"
        elif g0 == 0 and g1 == 0:
            verdict = "on target"
        else:
            width = (hi - lo) if lo is not None and hi is not None else 0.0
            tol = steady_frac * max(g0, width, 1e-9)
            verdict = "improving" if g1 < g0 - tol else "worse" if g1 > g0 + tol else "steady"
        out.append(MetricTrend(metric, first["unit"], first["week"], last["week"], float(first["value"]),
                               float(last["value"]), g0, g1, len(ws), verdict))
    return out


def score_points(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per session (from :meth:`Library.segment_rows` of one drill): date, week, the drill's mean score."""
    groups: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["session_id"]].append(r)
    out = []
    for sid, rs in groups.items():
        scores = [float(r["score"]) for r in rs if _finite(r.get("score"))]
        if scores:
            out.append({"session_id": sid, "date": rs[0]["date"], "week": week_start(rs[0]["date"]).isoformat(),
                        "score": sum(scores) / len(scores)})
    out.sort(key=lambda p: (p["date"], p["session_id"]))
    return out


# ---------------------------------------------------------------------------- persistent faults
def find_persistent_faults(segments: Iterable[Mapping[str, Any]], cues: Iterable[Mapping[str, Any]],
                           settings: FaultSettings = FaultSettings()) -> list[PersistentFault]:
    """Faults from rows of :meth:`Library.segment_rows` and :meth:`Library.cue_rows` (one athlete).

    For each drill, its last ``settings.last_sessions`` sessions (by date, then id) are looked at;
    a cue id of ``settings.severity`` found in at least ``settings.min_sessions`` of them is a
    persistent fault. Most frequent first, then by drill.
    """
    sessions_of: dict[str, dict[int, str]] = defaultdict(dict)
    for s in segments:
        sessions_of[s["drill"]][s["session_id"]] = s["date"]
    cue_sessions: dict[tuple[str, str], dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for c in cues:
        if c.get("severity") == settings.severity and c.get("cue_id"):
            cue_sessions[(c["drill"], c["cue_id"])].setdefault(c["session_id"], c)
    out = []
    for drill, dates in sessions_of.items():
        recent = sorted(dates, key=lambda sid: (dates[sid], sid))[-settings.last_sessions:]
        for (d, cue_id), hits in cue_sessions.items():
            if d != drill:
                continue
            ids = tuple(sid for sid in recent if sid in hits)
            if len(ids) >= settings.min_sessions:
                latest = hits[ids[-1]]
                out.append(PersistentFault(drill=drill, metric=latest.get("metric"), cue_id=cue_id,
                                           text=latest.get("text") or "", sessions=len(ids), of=len(recent),
                                           session_ids=ids, last_date=dates[ids[-1]]))
    out.sort(key=lambda f: (-f.sessions, f.drill, f.cue_id or ""))
    return out


# ---------------------------------------------------------------------------- from the library
def progress_data(library: Any, athlete: Any, drill: str, *,
                  fault_settings: FaultSettings = FaultSettings()) -> ProgressData:
    """Everything the progress page shows for ``athlete`` and ``drill``."""
    a = library.athlete(athlete)
    points = session_points(library.metric_rows(a, drill))
    weekly = weekly_points(points)
    segs = library.segment_rows(a)
    faults = [f for f in find_persistent_faults(segs, library.cue_rows(a, drill), fault_settings) if f.drill == drill]
    return ProgressData(athlete=a.name, drill=drill, points=points, weekly=weekly,
                        scores=score_points(s for s in segs if s["drill"] == drill), trends=metric_trends(weekly),
                        faults=faults)


def chart_rows(data: ProgressData, metrics: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The rows the progress chart draws, in one table: ``kind`` is "session" (one dot per
    session), "week" (the weekly mean), "band" (the target band, two rows spanning the chart) or
    "range" (the values' span with a margin, which sets the axis)."""
    metrics = list(metrics) if metrics is not None else data.metrics
    rows: list[dict[str, Any]] = []
    for metric in metrics:
        pts = [p for p in data.points if p["metric"] == metric]
        if not pts:
            continue
        unit = pts[0]["unit"]
        label = f"{pts[0]['label']} ({unit})" if unit else pts[0]["label"]
        rows += [{"metric": label, "kind": "session", "date": p["date"], "value": p["value"],
                  "session": p["session_id"]} for p in pts]
        rows += [{"metric": label, "kind": "week", "date": w["week"], "value": w["value"], "n": w["n"]}
                 for w in data.weekly if w["metric"] == metric]
        lo, hi = _band(pts)
        values = [p["value"] for p in pts] + [v for v in (lo, hi) if v is not None]
        span = max(values) - min(values)
        pad = 0.1 * span if span > 0 else max(1.0, 0.05 * abs(values[0]))
        first = week_start(pts[0]["date"])
        last = max(_dt.date.fromisoformat(p["date"]) for p in pts) + _dt.timedelta(days=1)
        # "range": an invisible area that gives the axis some room (a constant value included)
        rows += [{"metric": label, "kind": "range", "date": d.isoformat(), "lo": min(values) - pad,
                  "hi": max(values) + pad} for d in (first, last)]
        if lo is not None or hi is not None:
            rows += [{"metric": label, "kind": "band", "date": d.isoformat(),
                      "lo": lo if lo is not None else min(values) - pad,
                      "hi": hi if hi is not None else max(values) + pad} for d in (first, last)]
    return rows


def progress_chart(data: ProgressData, metrics: Sequence[str] | None = None, *, width: int = 560,
                   height: int = 150):
    """An Altair chart: per metric (one row each, own scale), the target band (shaded), each
    session (dots) and the weekly mean (line). ``None`` when there is nothing to draw."""
    import altair as alt
    import pandas as pd

    rows = chart_rows(data, metrics)
    if not rows:
        return None
    table = pd.DataFrame(rows)  # a table, not inline JSON: Streamlit ships it as Arrow
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%d %b %Y"))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    base = alt.Chart().encode(x=x)
    room = base.transform_filter(alt.datum.kind == "range").mark_area(opacity=0).encode(
        y=alt.Y("lo:Q", title=None, scale=alt.Scale(zero=False)), y2="hi:Q")
    band = base.transform_filter(alt.datum.kind == "band").mark_area(opacity=0.18, color="#2ca02c").encode(
        y=alt.Y("lo:Q", title=None, scale=alt.Scale(zero=False)), y2="hi:Q")
    dots = base.transform_filter(alt.datum.kind == "session").mark_circle(size=28, opacity=0.45, color="#555").encode(
        y=y, tooltip=[alt.Tooltip("date:T", title="day"), alt.Tooltip("value:Q", format=".1f"), "session:Q"])
    line = base.transform_filter(alt.datum.kind == "week").mark_line(point=True, color="#1f77b4").encode(
        y=y, tooltip=[alt.Tooltip("date:T", title="week of"), alt.Tooltip("value:Q", format=".1f", title="mean"),
                      "n:Q"])
    return (alt.layer(room, band, dots, line, data=table)
            .properties(width=width, height=height)
            .facet(row=alt.Row("metric:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                                            labelAnchor="start", labelOrient="top")))
            .resolve_scale(y="independent"))
