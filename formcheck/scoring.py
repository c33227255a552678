"""Scores and coach cues from measurements, driven by a drill's data (:class:`DrillSpec`).

Scores (0-100):

- metric: 100 inside the target band; on a side that matters it falls linearly to 50 at the
  major-fault threshold and on to 0 as far again beyond it (:func:`metric_score`); a side that
  does not matter is not penalised;
- rep: the weighted mean of the scores of that rep's own metric values;
- drill: the weighted mean of the metric scores (medians over reps).

Cues: each scored metric past its minor (or major) threshold gives its :class:`CueSpec` with
severity "minor" (or "major"); fatigue drift of the main metric (first third of reps against the
last third) gives the drill's drift cue. Cues are ranked major first, then by priority (the
metric's weight times the score it lost), at most ``max_cues`` kept. Each cue's evidence lists
``(t_s, frame)`` of the reps that show the fault most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from formcheck.drills.registry import METRICS, DrillSpec, MetricTarget
from formcheck.report import Cue, DrillReport, MetricResult, RepResult

__all__ = ["ScoringSettings", "drift_change", "metric_score", "rank_cues", "score_drill", "symmetry_from_sides"]

SEVERITY_RANK = {"major": 0, "minor": 1}
#: Fallback for ``{side}`` in a cue text when the worse side is not known.
UNKNOWN_SIDE = "weaker"


@dataclass(frozen=True)
class ScoringSettings:
    max_cues: int = 3
    evidence_reps: int = 3
    band_score: float = 100.0
    major_score: float = 50.0

    def __post_init__(self) -> None:
        if self.max_cues < 0 or self.evidence_reps < 0:
            raise ValueError("max_cues and evidence_reps must be >= 0")
        if not 0 < self.major_score < self.band_score <= 100:
            raise ValueError("need 0 < major_score < band_score <= 100")


DEFAULT_SETTINGS = ScoringSettings()


# ---------------------------------------------------------------------------- scores
def _fall(distance: float, span: float, settings: ScoringSettings) -> float:
    """Score ``distance`` beyond a band edge whose major threshold lies ``span`` beyond it."""
    if distance <= 0:
        return settings.band_score
    drop = settings.band_score - settings.major_score  # lost at the major threshold
    score = settings.band_score - drop * distance / span
    if distance > span:  # beyond the major threshold: on down to 0 over another span
        score = settings.major_score * max(0.0, 1.0 - (distance - span) / span)
    return float(max(0.0, score))


def metric_score(value: float | None, target: MetricTarget, settings: ScoringSettings = DEFAULT_SETTINGS
                 ) -> float | None:
    """0-100 for ``value`` against ``target`` (``None`` when there is no value)."""
    if value is None or not math.isfinite(value):
        return None
    if target.major_low is not None and value < target.low:  # type: ignore[operator]
        return _fall(target.low - value, target.low - target.major_low, settings)  # type: ignore[operator]
    if target.major_high is not None and value > target.high:  # type: ignore[operator]
        return _fall(value - target.high, target.major_high - target.high, settings)  # type: ignore[operator]
    return settings.band_score


def _weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    num = den = 0.0
    for s, w in pairs:
        if s is None or w <= 0 or not math.isfinite(s):
            continue
        num += s * w
        den += w
    return num / den if den > 0 else None


def symmetry_from_sides(left: float | None, right: float | None) -> float | None:
    """``|left - right| / mean(left, right)`` in %, or ``None``."""
    if left is None or right is None or not (math.isfinite(left) and math.isfinite(right)):
        return None
    mean = (abs(left) + abs(right)) / 2
    return 100.0 * abs(left - right) / mean if mean > 0 else None


def drift_change(per_rep: np.ndarray, direction: str, min_reps: int) -> float | None:
    """Change of a per-rep metric from the first third to the last third of the reps, counted
    positive in the fault ``direction`` ("low": a drop is positive); ``None`` with too few reps."""
    v = np.asarray(per_rep, dtype=np.float64)
    v = v[np.isfinite(v)]
    if len(v) < max(min_reps, 3):
        return None
    k = len(v) // 3
    first, last = float(np.median(v[:k])), float(np.median(v[-k:]))
    return first - last if direction == "low" else last - first


# ---------------------------------------------------------------------------- reading measurements
def _opt(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _per_rep(mv: Any, n_reps: int) -> np.ndarray:
    arr = np.full(n_reps, np.nan) if mv is None else np.asarray(getattr(mv, "per_rep", ()), dtype=np.float64)
    if arr.shape != (n_reps,):
        arr = np.full(n_reps, np.nan)
    return arr


def _evidence_frames(mv: Any, reps: Sequence[Any]) -> np.ndarray:
    n = len(reps)
    arr = None if mv is None else getattr(mv, "evidence_frames", None)
    arr = np.full(n, -1, dtype=np.int64) if arr is None else np.asarray(arr, dtype=np.int64)
    if arr.shape != (n,):
        arr = np.full(n, -1, dtype=np.int64)
    rep_frames = np.array([int(r.frame) for r in reps], dtype=np.int64)
    return np.where(arr >= 0, arr, rep_frames) if n else arr


@dataclass(frozen=True)
class _Context:
    spec: DrillSpec
    reps: tuple[Any, ...]
    t_s: np.ndarray  # timestamps of the measured sequence (local frames)
    frame_offset: int
    settings: ScoringSettings
    segment: int | None

    def moment(self, local_frame: int) -> tuple[float, int]:
        f = int(np.clip(local_frame, 0, max(len(self.t_s) - 1, 0)))
        t = float(self.t_s[f]) if len(self.t_s) else 0.0
        return (t, f + self.frame_offset)

    def worst(self, values: np.ndarray, frames: np.ndarray, direction: str,
              among: np.ndarray | None = None) -> tuple[tuple[float, int], ...]:
        """``(t_s, frame)`` of up to ``evidence_reps`` reps with the most extreme value in ``direction``."""
        ok = np.isfinite(values)
        if among is not None:
            ok &= among
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return ()
        key = values[idx] if direction == "low" else -values[idx]
        order = idx[np.argsort(key, kind="stable")][: self.settings.evidence_reps]
        return tuple(self.moment(int(frames[i])) for i in order)


# ---------------------------------------------------------------------------- the drill
def score_drill(spec: DrillSpec, measurements: Any, *, settings: ScoringSettings = DEFAULT_SETTINGS,
                frame_offset: int = 0, segment: int | None = None) -> DrillReport:
    """Score ``measurements`` (from :func:`formcheck.measure.measure`) as drill ``spec``.

    ``frame_offset`` turns the measured sequence's frame numbers into clip frame numbers (for a
    segment cut out of a longer clip); ``segment`` is recorded on the cues.
    """
    view = getattr(measurements.view, "view", "unknown")
    facing = getattr(measurements.view, "facing", "unknown")
    reps = tuple(measurements.reps)
    n_reps = len(reps)
    ctx = _Context(spec, reps, np.asarray(measurements.t_s, dtype=np.float64), int(frame_offset), settings, segment)
    scored = {t.metric: t for t in spec.targets_for(view)}
    warnings: list[str] = []

    # ---- metric values, side-view rule, symmetry fallback
    metrics: dict[str, MetricResult] = {}
    per_rep: dict[str, np.ndarray] = {}
    frames: dict[str, np.ndarray] = {}
    not_measured_view: list[str] = []
    main_mv = measurements.metrics.get(spec.main_metric)
    for name in spec.metrics_for(view):
        mv = measurements.metrics.get(name)
        info = METRICS[name]
        value = _opt(getattr(mv, "value", None))
        left, right = _opt(getattr(mv, "left", None)), _opt(getattr(mv, "right", None))
        n = int(getattr(mv, "n", 0) or 0)
        reason = getattr(mv, "reason", None)
        if not spec.measurable(name, view):
            if value is not None or not reason:
                reason = f"not measurable in a {view} view; film from the side"
            value = left = right = None
            n = 0
            not_measured_view.append(name)
        elif info.of_main_metric and value is None and main_mv is not None:
            value = symmetry_from_sides(_opt(main_mv.left), _opt(main_mv.right))
            if value is not None:
                n, reason = int(main_mv.n), None
        if value is None and reason is None:
            reason = "no value could be measured" if mv is not None else "not measured"
        target = scored.get(name)
        score = metric_score(value, target, settings) if target is not None and target.weight > 0 else None
        shown_target = (target or spec.target(name))
        metrics[name] = MetricResult(
            name=name, value=value, left=left, right=right, unit=getattr(mv, "unit", None) or info.unit,
            target=shown_target.target if shown_target is not None else (None, None), score=score, n=n,
            weight=target.weight if target is not None else 0.0, reason=None if value is not None else reason,
        )
        per_rep[name] = _per_rep(mv, n_reps) if value is not None else np.full(n_reps, np.nan)
        frames[name] = _evidence_frames(mv, reps)

    # ---- reps
    rep_results = []
    for i, r in enumerate(reps):
        values = {name: _opt(arr[i]) for name, arr in per_rep.items() if np.isfinite(arr[i])}
        rscore = _weighted_mean(
            (metric_score(values[name], t, settings), t.weight) for name, t in scored.items() if name in values
        )
        t_s, frame = ctx.moment(int(r.frame))
        rep_results.append(RepResult(index=int(r.index), side=r.side, t_s=t_s, frame=frame, values=values,
                                     score=rscore))

    # ---- drill score
    score = _weighted_mean((metrics[name].score, t.weight) for name, t in scored.items() if name in metrics)

    # ---- cues
    cues = _metric_cues(ctx, scored, metrics, per_rep, frames)
    cues += _drift_cue(ctx, scored, per_rep, frames)

    # ---- warnings
    if not_measured_view:
        labels = ", ".join(METRICS[m].label for m in not_measured_view)
        warnings.append(f"{spec.title}: the camera sees the athlete from the {view}, so {labels} could not be "
                        "measured; film from the side to check them")
    if view == "unknown":
        warnings.append(f"{spec.title}: the camera angle could not be determined, so angles were not measured; "
                        "film from the side")
    if n_reps < spec.min_reps:
        what = "hold" if spec.rep_event == "hold" else "rep"
        warnings.append(f"{spec.title}: only {_count(n_reps, what)} found; {spec.min_reps} or more give a "
                        "reliable score")
    if score is None:
        warnings.append(f"{spec.title}: nothing could be scored from this clip")
    return DrillReport(drill=spec.name, view=view, facing=facing, metrics=metrics, reps=tuple(rep_results),
                       score=score, cues=rank_cues(cues, settings.max_cues), warnings=tuple(warnings))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _worse_side(spec: DrillSpec, main: MetricResult | None) -> str | None:
    direction = spec.fault_direction(spec.main_metric)
    if main is None or main.left is None or main.right is None or direction is None or main.left == main.right:
        return None
    low_side = "left" if main.left < main.right else "right"
    return low_side if direction == "low" else ("right" if low_side == "left" else "left")


def _metric_cues(ctx: _Context, scored: Mapping[str, MetricTarget], metrics: Mapping[str, MetricResult],
                 per_rep: Mapping[str, np.ndarray], frames: Mapping[str, np.ndarray]) -> list[Cue]:
    spec = ctx.spec
    cues: list[Cue] = []
    for name, target in scored.items():
        m = metrics.get(name)
        if m is None or m.value is None:
            continue
        fault = target.fault(m.value)
        if fault is None:
            continue
        direction, severity = fault
        priority = target.weight * (ctx.settings.band_score - (m.score if m.score is not None else 0.0))
        side = None
        if METRICS[name].of_main_metric:  # evidence: the worse side's worst reps of the main metric
            side = _worse_side(spec, metrics.get(spec.main_metric))
            main_dir = spec.fault_direction(spec.main_metric) or "low"
            on_side = np.array([r.side == side for r in ctx.reps], dtype=bool)
            evidence = ctx.worst(per_rep.get(spec.main_metric, np.full(len(ctx.reps), np.nan)),
                                 frames.get(spec.main_metric, np.full(len(ctx.reps), -1)), main_dir, on_side)
        else:
            evidence = ctx.worst(per_rep[name], frames[name], direction)
        for c in spec.cues_for(name, direction):
            cues.append(Cue(id=c.id, metric=name, severity=severity,
                            text=c.text.replace("{side}", side or UNKNOWN_SIDE), evidence=evidence,
                            drill=spec.name, segment=ctx.segment, priority=priority))
    return cues


def _drift_cue(ctx: _Context, scored: Mapping[str, MetricTarget], per_rep: Mapping[str, np.ndarray],
               frames: Mapping[str, np.ndarray]) -> list[Cue]:
    spec, drift = ctx.spec, ctx.spec.drift
    main = scored.get(spec.main_metric)
    direction = spec.fault_direction(spec.main_metric)
    if drift is None or main is None or direction is None or spec.main_metric not in per_rep:
        return []
    values = per_rep[spec.main_metric]
    change = drift_change(values, direction, drift.min_reps)
    if change is None or change <= drift.minor_change:
        return []
    severity = "major" if change > drift.major_change else "minor"
    lost = ctx.settings.band_score - _fall(change, drift.major_change, ctx.settings)
    finite = np.flatnonzero(np.isfinite(values))
    last_third = np.zeros(len(values), dtype=bool)
    last_third[finite[-(len(finite) // 3):]] = True
    evidence = ctx.worst(values, frames[spec.main_metric], direction, last_third)
    return [Cue(id=drift.id, metric=spec.main_metric, severity=severity, text=drift.text, evidence=evidence,
                drill=spec.name, segment=ctx.segment, priority=drift.weight * main.weight * lost)]


def rank_cues(cues: Iterable[Cue], max_cues: int = DEFAULT_SETTINGS.max_cues) -> tuple[Cue, ...]:
    """Most important first (major before minor, then by priority), one per cue id and segment,
    at most ``max_cues``."""
    seen: set[tuple[str, int | None]] = set()
    out: list[Cue] = []
    for c in sorted(cues, key=lambda c: (SEVERITY_RANK[c.severity], -c.priority)):
        key = (c.id, c.segment)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return tuple(out[:max_cues])
