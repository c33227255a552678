"""Two clips side by side, aligned rep by rep, with the metric differences per rep.

The clips can be two athletes, one athlete on two dates, or an athlete against a model clip. Each
rep of a report has an event time (``reps[k].t_s``: the peak of the lift, the contact, ...), the
same phase of the movement in both clips. :func:`pair_reps` matches B's reps to A's in order
(starting on the same leg when the reps have sides); :class:`TimeWarp` maps A's time to B's time
piecewise-linearly through the matched event times, so between two events B is sped up or
slowed down to land on A's next event; before the first and after the last pair it keeps the
neighbouring piece's rate. The side-by-side video runs on A's frame times and shows, beside each
frame of A, the frame of B nearest to the warped time (:func:`write_side_by_side`, H.264).

:func:`rep_differences` gives per matched rep and metric the value in A, in B and ``B - A``;
:func:`metric_differences` does the same for the clip medians.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError

__all__ = [
    "ClipSide",
    "Comparison",
    "MetricDiff",
    "RepDiff",
    "RepPair",
    "TimeWarp",
    "compare",
    "compare_sessions",
    "metric_differences",
    "model_side",
    "pair_reps",
    "rep_differences",
    "rep_events",
    "time_warp",
    "write_side_by_side",
]

#: Rates of B's time against A's outside the matched reps are kept within these bounds.
MIN_RATE, MAX_RATE = 0.25, 4.0
DEFAULT_HEIGHT_PX = 480
LABEL_BAR_PX = 28


class CompareError(FormcheckError):
    """Two clips that cannot be compared as asked."""


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ClipSide:
    """One side of a comparison: a label, the clip and its report (the report.json dict)."""

    label: str
    video: Path
    report: Mapping[str, Any]
    key: str = ""  # identifies the clip (content hash) for caching

    @property
    def drill(self) -> str:
        return (self.report.get("drill") or {}).get("name") or "unknown"


def side_from_session(library: Any, session: Any) -> ClipSide:
    s = session if hasattr(session, "clip_path") else library.session(session)
    return ClipSide(label=f"{s.athlete} {s.date} (#{s.id})", video=s.clip_path, report=library.report(s),
                    key=s.clip_hash)


def model_side(path: str | os.PathLike, drill: str = "auto", *, label: str | None = None,
               analyzer: Callable[..., Any] | None = None) -> ClipSide:
    """A clip from outside the library (e.g. a model athlete's), analysed now (pose cache used)."""
    from formcheck.library.store import clip_hash

    path = Path(path)
    if not path.is_file():
        raise CompareError(f"{path} not found; give a session id or the path of a video file")
    if analyzer is None:
        from formcheck.analyze import analyze_video as analyzer
    report = analyzer(path, drill)
    data = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    return ClipSide(label=label or f"model: {path.name}", video=path, report=data, key=clip_hash(path))


# ---------------------------------------------------------------------------- rep alignment
@dataclass(frozen=True)
class RepEvent:
    index: int
    side: str | None
    t_s: float
    values: Mapping[str, float | None]


def rep_events(report: Mapping[str, Any], drill: str | None = None) -> list[RepEvent]:
    """A report's reps in time order; for a warm-up, the reps of the segments of ``drill`` (or all)."""
    reps = list(report.get("reps") or [])
    if not reps:
        for seg in report.get("segments") or []:
            if drill is None or seg.get("drill") == drill:
                reps += list((seg.get("report") or {}).get("reps") or [])
    out = [RepEvent(int(r.get("index", k)), r.get("side"), float(r["t_s"]), dict(r.get("values") or {}))
           for k, r in enumerate(reps) if r.get("t_s") is not None]
    out.sort(key=lambda e: e.t_s)
    return out


@dataclass(frozen=True)
class RepPair:
    a: RepEvent
    b: RepEvent


def pair_reps(a: Sequence[RepEvent], b: Sequence[RepEvent]) -> list[RepPair]:
    """Match B's reps to A's in order. When reps have sides, B starts on A's first side (skipping
    at most one of B's reps); pairs on different legs are kept only when sides are unknown."""
    if not a or not b:
        return []
    start = 0
    if a[0].side and b[0].side and b[0].side != a[0].side and len(b) > 1 and b[1].side == a[0].side:
        start = 1
    pairs = [RepPair(ra, rb) for ra, rb in zip(a, b[start:])]
    if all(p.a.side and p.b.side for p in pairs):
        pairs = [p for p in pairs if p.a.side == p.b.side] or pairs
    return pairs


@dataclass(frozen=True)
class TimeWarp:
    """``warp(t_a) -> t_b``: piecewise-linear through the knots, linear with the end pieces' rates
    beyond them. Monotone non-decreasing."""

    a_knots: tuple[float, ...]
    b_knots: tuple[float, ...]
    rate_before: float = 1.0
    rate_after: float = 1.0

    def __call__(self, t_a: float | np.ndarray) -> np.ndarray:
        t = np.asarray(t_a, dtype=np.float64)
        if not self.a_knots:
            return t.copy()
        a, b = np.asarray(self.a_knots), np.asarray(self.b_knots)
        out = np.interp(t, a, b)
        out = np.where(t < a[0], b[0] + (t - a[0]) * self.rate_before, out)
        return np.where(t > a[-1], b[-1] + (t - a[-1]) * self.rate_after, out)


def _rate(da: float, db: float) -> float:
    return float(np.clip(db / da, MIN_RATE, MAX_RATE)) if da > 0 else 1.0


def time_warp(pairs: Sequence[RepPair]) -> TimeWarp:
    """The warp through the matched reps' event times (knots that would go backwards are dropped)."""
    a_k: list[float] = []
    b_k: list[float] = []
    for p in sorted(pairs, key=lambda p: p.a.t_s):
        if a_k and (p.a.t_s <= a_k[-1] or p.b.t_s <= b_k[-1]):
            continue
        a_k.append(p.a.t_s)
        b_k.append(p.b.t_s)
    if not a_k:
        return TimeWarp((), ())
    if len(a_k) == 1:
        return TimeWarp(tuple(a_k), tuple(b_k))
    return TimeWarp(tuple(a_k), tuple(b_k), rate_before=_rate(a_k[1] - a_k[0], b_k[1] - b_k[0]),
                    rate_after=_rate(a_k[-1] - a_k[-2], b_k[-1] - b_k[-2]))


# ---------------------------------------------------------------------------- differences
@dataclass(frozen=True)
class RepDiff:
    pair: int  # 1-based
    a_rep: int
    b_rep: int
    side: str | None
    metric: str
    unit: str
    a: float | None
    b: float | None

    @property
    def diff(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(float(v), 3)  # noqa: E731
        return {"pair": self.pair, "a_rep": self.a_rep, "b_rep": self.b_rep, "side": self.side,
                "metric": self.metric, "unit": self.unit, "a": r(self.a), "b": r(self.b), "diff": r(self.diff)}


@dataclass(frozen=True)
class MetricDiff:
    metric: str
    unit: str
    a: float | None
    b: float | None
    target: tuple[float | None, float | None]
    a_score: float | None
    b_score: float | None

    @property
    def diff(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(float(v), 3)  # noqa: E731
        return {"metric": self.metric, "unit": self.unit, "a": r(self.a), "b": r(self.b), "diff": r(self.diff),
                "target": [r(self.target[0]), r(self.target[1])], "a_score": r(self.a_score),
                "b_score": r(self.b_score)}


def _metrics_of(report: Mapping[str, Any], drill: str | None = None) -> dict[str, Mapping[str, Any]]:
    m = dict(report.get("metrics") or {})
    if not m:
        for seg in report.get("segments") or []:
            if drill is None or seg.get("drill") == drill:
                for k, v in ((seg.get("report") or {}).get("metrics") or {}).items():
                    m.setdefault(k, v)
    return m


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def rep_differences(pairs: Sequence[RepPair], units: Mapping[str, str] | None = None) -> list[RepDiff]:
    """Per matched rep and metric (A's metric order, then B's extra ones): A, B and B - A."""
    units = units or {}
    out = []
    for k, p in enumerate(pairs, 1):
        names = list(dict.fromkeys([*p.a.values, *p.b.values]))
        for name in names:
            out.append(RepDiff(k, p.a.index, p.b.index, p.a.side if p.a.side == p.b.side else None, name,
                               units.get(name, ""), _num(p.a.values.get(name)), _num(p.b.values.get(name))))
    return out


def metric_differences(a: Mapping[str, Any], b: Mapping[str, Any], drill: str | None = None) -> list[MetricDiff]:
    """The clip-level metrics (medians over reps) of A and B, side by side."""
    ma, mb = _metrics_of(a, drill), _metrics_of(b, drill)
    out = []
    for name in dict.fromkeys([*ma, *mb]):
        x, y = ma.get(name) or {}, mb.get(name) or {}
        target = tuple((list(x.get("target") or y.get("target") or [None, None]) + [None, None])[:2])
        out.append(MetricDiff(name, x.get("unit") or y.get("unit") or "", _num(x.get("value")), _num(y.get("value")),
                              target, _num(x.get("score")), _num(y.get("score"))))
    return out


# ---------------------------------------------------------------------------- the comparison
@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    drill_a: str
    drill_b: str
    pairs: tuple[RepPair, ...]
    warp: TimeWarp
    reps: tuple[RepDiff, ...]
    metrics: tuple[MetricDiff, ...]
    video: Path | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "drill_a": self.drill_a, "drill_b": self.drill_b,
                "pairs": [{"a_rep": p.a.index, "b_rep": p.b.index, "a_t_s": round(p.a.t_s, 4),
                           "b_t_s": round(p.b.t_s, 4), "side": p.a.side} for p in self.pairs],
                "reps": [r.to_dict() for r in self.reps], "metrics": [m.to_dict() for m in self.metrics],
                "video": None if self.video is None else str(self.video), "warnings": list(self.warnings)}


def compare(a: ClipSide, b: ClipSide, out: str | os.PathLike | None = None, *,
            height_px: int = DEFAULT_HEIGHT_PX, progress: Callable[[int, int], None] | None = None) -> Comparison:
    """Align B to A rep by rep; write the side-by-side video to ``out`` when given."""
    warnings = []
    drill = a.drill if a.drill == b.drill else None
    if a.drill != b.drill:
        warnings.append(f"the clips show different drills ({a.drill} and {b.drill}); reps are matched in order")
    ea, eb = rep_events(a.report, drill), rep_events(b.report, drill)
    pairs = pair_reps(ea, eb)
    if not pairs:
        warnings.append("no reps to match in " + ("either clip" if not ea and not eb else "A" if not ea else "B")
                        + "; the videos run side by side from their starts")
    elif len(ea) != len(eb):
        warnings.append(f"A has {len(ea)} reps and B {len(eb)}; {len(pairs)} are matched")
    warp = time_warp(pairs)
    both = {**_metrics_of(b.report, drill), **_metrics_of(a.report, drill)}
    units = {k: (v.get("unit") or "") for k, v in both.items()}
    video = None
    if out is not None:
        video = write_side_by_side(a, b, warp, out, height_px=height_px, a_reps=[p.a.t_s for p in pairs],
                                   b_reps=[p.b.t_s for p in pairs], progress=progress)
    return Comparison(a=a.label, b=b.label, drill_a=a.drill, drill_b=b.drill, pairs=tuple(pairs), warp=warp,
                      reps=tuple(rep_differences(pairs, units)),
                      metrics=tuple(metric_differences(a.report, b.report, drill)), video=video,
                      warnings=tuple(warnings))


def compare_sessions(library: Any, a: Any, b: Any, *, out: str | os.PathLike | None = None,
                     video: bool = True, height_px: int = DEFAULT_HEIGHT_PX,
                     progress: Callable[[int, int], None] | None = None) -> Comparison:
    """Compare two sessions (ids or :class:`Session`) or clip sides of the library.

    The video goes to ``out``, else into the library's ``compare/`` folder, named after both clips'
    content (an existing one is reused).
    """
    sa = a if isinstance(a, ClipSide) else side_from_session(library, a)
    sb = b if isinstance(b, ClipSide) else side_from_session(library, b)
    if not video:
        return compare(sa, sb, None)
    if out is None:
        out = library.compare_dir / f"{sa.key[:12] or 'a'}_{sb.key[:12] or 'b'}_{height_px}.mp4"
        if Path(out).is_file():
            return replace(compare(sa, sb, None), video=Path(out))
    return compare(sa, sb, out, height_px=height_px, progress=progress)


# ---------------------------------------------------------------------------- video
def _scaled_size(w: int, h: int, height: int) -> tuple[int, int]:
    sw = max(2, int(round(w * height / h / 2)) * 2)
    return sw, height


def _label(cv2: Any, img: np.ndarray, text: str, sub: str) -> None:
    h, w = img.shape[:2]
    img[:LABEL_BAR_PX] = (img[:LABEL_BAR_PX].astype(np.uint16) * 2 // 5).astype(np.uint8)
    scale = 0.5
    cv2.putText(img, text, (8, 19), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    if sub:
        (tw, _), _ = cv2.getTextSize(sub, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.putText(img, sub, (max(8, w - tw - 8), 19), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 220, 90), 1,
                    cv2.LINE_AA)


def _rep_at(times: Sequence[float], t: float) -> int:
    """How many of ``times`` are at or before ``t`` (the rep shown, counted from 1)."""
    return int(np.searchsorted(np.asarray(times, dtype=np.float64), t + 1e-9, side="right"))


def write_side_by_side(a: ClipSide, b: ClipSide, warp: TimeWarp, out: str | os.PathLike, *,
                       height_px: int = DEFAULT_HEIGHT_PX, a_reps: Sequence[float] = (),
                       b_reps: Sequence[float] = (), progress: Callable[[int, int], None] | None = None) -> Path:
    """One H.264 video: A's frames at A's own times, beside the frame of B nearest to ``warp(t)``.

    Both halves are scaled to the same height (``height_px``, or the smaller clip's height if
    that is less), with a label bar naming the clip and the matched rep.
    """
    import cv2

    from formcheck.video import VideoWriter, iter_frames, probe

    ia, ib = probe(a.video), probe(b.video)
    height = int(min(height_px, ia.height, ib.height)) // 2 * 2
    wa, _ = _scaled_size(ia.width, ia.height, height)
    wb, _ = _scaled_size(ib.width, ib.height, height)
    total = max(1, ia.frames)
    out = Path(out)
    frames_b = iter_frames(b.video)
    cur = next(frames_b, None)
    if cur is None:
        raise CompareError(f"{b.video}: no frame could be decoded")
    nxt = next(frames_b, None)
    frames_a = iter_frames(a.video)
    with VideoWriter(out, fps=ia.fps, size=(wa + wb, height)) as writer, \
            contextlib.closing(frames_a), contextlib.closing(frames_b):
        for k, fa in enumerate(frames_a):
            tb = float(warp(fa.t_s))
            # advance B while its next frame is nearer to the warped time
            while nxt is not None and abs(nxt.t_s - tb) <= abs(cur.t_s - tb):
                cur, nxt = nxt, next(frames_b, None)
            left = cv2.resize(fa.image, (wa, height), interpolation=cv2.INTER_AREA)
            right = cv2.resize(cur.image, (wb, height), interpolation=cv2.INTER_AREA)
            ra, rb = _rep_at(a_reps, fa.t_s), _rep_at(b_reps, cur.t_s)
            _label(cv2, left, "A " + a.label, f"rep {ra}" if a_reps and ra else "")
            _label(cv2, right, "B " + b.label, f"rep {rb}" if b_reps and rb else "")
            writer.write(np.ascontiguousarray(np.hstack([left, right])), fa.t_s)
            if progress is not None:
                progress(min(k + 1, total), total)
    return out

