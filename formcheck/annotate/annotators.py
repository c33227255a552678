"""What to draw on each frame, and the one-concern annotators that draw it.

Two halves:

- :func:`build_overlay` turns a report, the pose sequence and the measurements into a
  :class:`ClipOverlay`: the pose to draw, the near side, every rep and cue with the clip frame
  that shows it, each metric's per-rep value at its evidence frame, and per-frame look-ups
  (segment, reps counted so far, the cue to show). Every choice about *what* to show is made
  here, from the analysis results; nothing is measured or judged again.
- Annotators draw it. Each is a small class with settings in ``__init__`` and
  ``annotate(frame_rgb, ctx) -> frame_rgb`` (it draws on ``frame_rgb`` in place and returns it),
  so they chain: ``for a in annotators: frame = a.annotate(frame, ctx)``. They use OpenCV's
  anti-aliased drawing on RGB uint8 frames and never decide anything.

Frames are clip frames: index ``i`` of the overlay is frame ``i`` of the video (as decoded by
:func:`formcheck.video.iter_frames`) and of the pose sequence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np

from formcheck import kinematics as K
from formcheck.landmarks import ARM, LEG, SKELETON, Landmark
from formcheck.sequence import PoseSequence

__all__ = [
    "ANGLE_ARCS",
    "AngleArcAnnotator",
    "Annotator",
    "ArcGeometry",
    "ArmLegAnnotator",
    "ClipOverlay",
    "CueBannerAnnotator",
    "CueMark",
    "FrameContext",
    "HeadPathAnnotator",
    "LeanAnnotator",
    "MetricMark",
    "OverlaySettings",
    "RepCounterAnnotator",
    "RepMark",
    "SegmentMark",
    "SkeletonAnnotator",
    "Style",
    "analysis_marks",
    "annotate_frame",
    "build_overlay",
    "clip_series",
    "default_annotators",
    "keyframe_annotators",
    "metric_label",
    "pose_overlay",
    "prepared_sequence",
]

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
#: Rep events whose rep side is the standing leg, so the measured (swinging) leg is the other one.
SWING_IS_OTHER_LEG = frozenset({"hold"})
#: Metrics whose value is drawn on the body (the lean line and the trunk line).
LEAN_METRICS = ("body_lean_deg", "trunk_lean_deg", "hip_hinge_deg")
_HEAD = (Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
#: Body landmarks compared between sides to tell the near side (depth, then visibility).
_BODY_LEFT = (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST, Landmark.LEFT_HIP,
              Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE)
_BODY_RIGHT = tuple(Landmark[lm.name.replace("LEFT", "RIGHT")] for lm in _BODY_LEFT)


# ============================================================================ what to draw
@dataclass(frozen=True)
class OverlaySettings:
    """How long things stay on screen, and which landmarks count as seen."""

    #: a rep's angle, and a cue's banner, are shown this long either side of the frame that shows it
    show_window_s: float = 0.3
    #: landmarks below this visibility are drawn faded
    min_visibility: float = 0.5
    #: depth (pose pixels) or visibility difference needed to call one side the near side
    min_near_depth_px: float = 1.0
    min_near_visibility: float = 0.05

    def __post_init__(self) -> None:
        if not self.show_window_s >= 0:
            raise ValueError(f"show_window_s must be >= 0, got {self.show_window_s}")
        if not 0 <= self.min_visibility <= 1:
            raise ValueError(f"min_visibility must be in [0, 1], got {self.min_visibility}")


@dataclass(frozen=True)
class SegmentMark:
    """One analysed stretch of the clip (frames ``start_frame`` to ``end_frame``, exclusive)."""

    index: int
    drill: str
    title: str
    rep_event: str
    main_metric: str | None
    start_frame: int
    end_frame: int
    score: float | None
    #: metric name -> (value, unit, (low, high) target) of the metrics this segment reports
    metrics: Mapping[str, tuple[float | None, str, tuple[float | None, float | None]]]
    #: metric name -> (left, right) per-side medians
    sides: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def has(self, metric: str) -> bool:
        m = self.metrics.get(metric)
        return m is not None and m[0] is not None

    def target(self, metric: str) -> tuple[float | None, float | None]:
        m = self.metrics.get(metric)
        return (None, None) if m is None else m[2]


@dataclass(frozen=True)
class RepMark:
    """One rep: ``number`` counts from 1 within its segment; ``frame`` is a clip frame."""

    index: int
    number: int
    segment: int
    side: str | None
    frame: int
    t_s: float
    score: float | None


@dataclass(frozen=True)
class MetricMark:
    """One rep's value of one metric, at the clip frame that shows it, on the leg it was measured on."""

    metric: str
    rep: int  # index into ClipOverlay.reps
    segment: int
    side: str | None
    frame: int
    value: float
    in_band: bool | None  # inside the segment's target band (None: no target)


@dataclass(frozen=True)
class CueMark:
    """A cue as shown: ``rank`` from 1 (most important first), ``frames`` its evidence, worst first."""

    rank: int
    id: str
    metric: str
    severity: str
    text: str
    drill: str
    segment: int
    frames: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class ClipOverlay:
    """Everything the annotators draw, for every frame of the clip (arrays are indexed by clip frame).

    ``xy`` (n, 33, 2) pose pixels of the upright frame (NaN where missing); ``visibility`` (n, 33);
    ``t_s`` (n,); ``series`` per-frame signals (n,) as measured; ``stance_ankle``,
    ``shoulder_mid``, ``hip_mid``, ``head`` (n, 2) the points the lean line, trunk line and head
    path join (``stance_ankle`` NaN in flight); ``near_side`` the side nearer the camera (None
    when it cannot be told); ``forward`` +1 facing image right, -1 facing left, NaN otherwise.
    """

    xy: np.ndarray
    visibility: np.ndarray
    t_s: np.ndarray
    width: int
    height: int
    near_side: str | None
    forward: float
    series: Mapping[str, np.ndarray]
    segments: tuple[SegmentMark, ...]
    reps: tuple[RepMark, ...]
    cues: tuple[CueMark, ...]
    marks: Mapping[str, tuple[MetricMark, ...]]
    stance_ankle: np.ndarray
    shoulder_mid: np.ndarray
    hip_mid: np.ndarray
    head: np.ndarray
    settings: OverlaySettings = field(default_factory=OverlaySettings)
    segment_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    reps_done_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    last_rep_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    cue_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_frames(self) -> int:
        return int(self.t_s.shape[0])

    def frame_index(self, index: int, t_s: float | None = None) -> int:
        """The overlay frame for video frame ``index`` at ``t_s`` (-1 if the clip has no such frame).

        Frames are matched by number; when the timestamps disagree by more than half a frame
        (another decode of the clip), by the nearest time.
        """
        n = self.n_frames
        if n == 0:
            return -1
        half = self._cache.get("half_frame_s")
        if half is None:
            half = self._cache["half_frame_s"] = 0.5 * (float(np.median(np.diff(self.t_s))) if n > 1 else 1.0)
        if 0 <= index < n and (t_s is None or abs(self.t_s[index] - t_s) <= half + 1e-9):
            return int(index)
        if t_s is None:
            return -1
        j = int(np.clip(np.searchsorted(self.t_s, t_s), 1, max(n - 1, 1))) if n > 1 else 0
        if n > 1 and abs(self.t_s[j - 1] - t_s) <= abs(self.t_s[j] - t_s):
            j -= 1
        return j if abs(self.t_s[j] - t_s) <= half + 1e-9 else -1

    def mark_at(self, metric: str, index: int) -> MetricMark | None:
        """The mark of ``metric`` shown at frame ``index``: the nearest within the show window."""
        table = self._cache.get(f"marks:{metric}")
        if table is None:
            table = _nearest_within(self.t_s, [m.frame for m in self.marks.get(metric, ())],
                                    self.settings.show_window_s)
            self._cache[f"marks:{metric}"] = table
        if not 0 <= index < len(table) or table[index] < 0:
            return None
        return self.marks[metric][int(table[index])]

    def reps_in_segment(self, segment: int) -> int:
        counts = self._cache.get("reps_per_segment")
        if counts is None:
            counts = self._cache["reps_per_segment"] = {}
            for r in self.reps:
                counts[r.segment] = counts.get(r.segment, 0) + 1
        return int(counts.get(segment, 0))

    def context(self, index: int, *, scale: float = 1.0, show_cues: bool = True,
                origin: tuple[float, float] = (0.0, 0.0)) -> "FrameContext":
        """Frame ``index`` drawn on an image with ``scale`` image pixels per pose pixel, whose
        top-left corner is pose pixel ``origin`` (a crop)."""
        i = int(index) if 0 <= index < self.n_frames else -1
        return FrameContext(self, i, float(self.t_s[i]) if i >= 0 else float("nan"), float(scale), show_cues,
                            (float(origin[0]), float(origin[1])))


@dataclass(frozen=True)
class FrameContext:
    """One frame's view of the overlay: ``index`` is the clip frame (-1: nothing to draw);
    ``scale`` the drawn image's pixels per pose pixel."""

    overlay: ClipOverlay
    index: int
    t_s: float
    scale: float = 1.0
    show_cues: bool = True
    #: pose pixel drawn at the image's top-left corner (a crop of the frame)
    origin: tuple[float, float] = (0.0, 0.0)

    @property
    def valid(self) -> bool:
        return self.index >= 0

    def point(self, landmark: Landmark | int) -> np.ndarray:
        return self.scaled(self.overlay.xy[self.index, int(landmark)])

    def scaled(self, p: np.ndarray) -> np.ndarray:
        """Pose pixels -> pixels of the drawn image."""
        return (np.asarray(p, dtype=np.float64) - np.asarray(self.origin)) * self.scale

    def visible(self, landmark: Landmark | int) -> bool:
        return bool(self.overlay.visibility[self.index, int(landmark)] >= self.overlay.settings.min_visibility)

    @property
    def segment(self) -> SegmentMark | None:
        if self.index < 0:
            return None
        s = int(self.overlay.segment_at[self.index])
        return self.overlay.segments[s] if s >= 0 else None

    def series(self, name: str) -> float:
        arr = self.overlay.series.get(name)
        return float(arr[self.index]) if arr is not None and self.index >= 0 else float("nan")


def _nearest_within(t_s: np.ndarray, frames: Sequence[int], window_s: float,
                    rank: Sequence[int] | None = None) -> np.ndarray:
    """For every frame, the position in ``frames`` of the nearest one in time within ``window_s``
    (-1: none). Ties go to the lower ``rank`` (default: position). O(n log k)."""
    t_s = np.asarray(t_s, dtype=np.float64)
    n = len(t_s)
    out = np.full(n, -1, dtype=np.intp)
    rank = list(range(len(frames))) if rank is None else list(rank)
    best: dict[int, tuple[int, int]] = {}  # frame -> (rank, position): one candidate per frame
    for k, f in enumerate(frames):
        f = int(f)
        if 0 <= f < n and (f not in best or rank[k] < best[f][0]):
            best[f] = (rank[k], k)
    if not best:
        return out
    fs = np.array(sorted(best), dtype=np.intp)
    ts = t_s[fs]
    rk = np.array([best[int(f)][0] for f in fs])
    pos = np.array([best[int(f)][1] for f in fs], dtype=np.intp)
    j = np.searchsorted(ts, t_s)
    left, right = np.clip(j - 1, 0, len(fs) - 1), np.clip(j, 0, len(fs) - 1)
    dl, dr = np.abs(t_s - ts[left]), np.abs(t_s - ts[right])
    tie = np.abs(dl - dr) <= 1e-12
    take_right = (dr < dl) & ~tie | tie & (rk[right] < rk[left])
    pick = np.where(take_right, right, left)
    d = np.where(take_right, dr, dl)
    return np.where(d <= window_s + 1e-9, pos[pick], out)


def _near_side(seq: PoseSequence, settings: OverlaySettings) -> str | None:
    left, right = list(_BODY_LEFT), list(_BODY_RIGHT)
    with np.errstate(invalid="ignore"):
        dz = seq.z[:, left] - seq.z[:, right]
    dz = dz[np.isfinite(dz)]
    if dz.size and abs(float(np.median(dz))) >= settings.min_near_depth_px:
        return "left" if float(np.median(dz)) < 0 else "right"  # smaller depth = nearer the camera
    dv = float(np.mean(seq.visibility[:, left] - seq.visibility[:, right])) if len(seq) else 0.0
    if abs(dv) >= settings.min_near_visibility:
        return "left" if dv > 0 else "right"
    return None


def _forward(facing: str, view: str) -> float:
    if view != "front" and facing in ("right", "left"):
        return 1.0 if facing == "right" else -1.0
    return float("nan")


def _opt(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _in_band(value: float, target: tuple[float | None, float | None]) -> bool | None:
    lo, hi = target
    if lo is None and hi is None:
        return None
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def prepared_sequence(sequence: PoseSequence) -> PoseSequence:
    """The sequence as the analysis measured it: cleaned (:func:`formcheck.filters.clean`) unless
    it already was (``meta["cleaning"]``)."""
    if "cleaning" in sequence.meta:
        return sequence
    from formcheck.filters import clean

    return clean(sequence)


def measurements_per_segment(measurements: Any, n_segments: int) -> list[Any]:
    """``measurements`` as a list with one entry (a Measurements or None) per report segment."""
    if measurements is None:
        return [None] * n_segments
    if isinstance(measurements, (list, tuple)):
        ms = list(measurements)
    else:
        ms = [measurements]
    if len(ms) != n_segments:
        raise ValueError(f"expected measurements for each of the {n_segments} segments, got {len(ms)}")
    return ms


def segment_measurements(report: Any, cleaned: PoseSequence, measurements: Any = None) -> list[Any]:
    """One :class:`formcheck.measure.Measurements` per report segment (segment-local frames).

    Given ones are used as they are; missing ones are measured again from ``cleaned`` exactly as
    the analysis does (the segment's drill metrics and rep event, the segment's own view), so
    that evidence frames are known even for a report that does not carry them.
    """
    from formcheck.drills import get_drill
    from formcheck.measure import detect_view, measure

    segs = list(report.segments)
    out = measurements_per_segment(measurements, len(segs))
    for i, s in enumerate(segs):
        if out[i] is not None:
            continue
        stop = min(int(s.end_frame), len(cleaned))
        sub = cleaned.slice(int(s.start_frame), stop)
        if len(sub) < 2:
            continue
        spec = get_drill(s.drill)
        view = detect_view(sub)
        out[i] = measure(sub, spec.metrics_for(view.view), rep_event=spec.rep_event, view=view)
    return out


def clip_series(report: Any, cleaned: PoseSequence | None, seg_measurements: Sequence[Any] = ()
                ) -> dict[str, np.ndarray]:
    """Per-frame signals over the whole clip: the report's (or, without them, measured again from
    ``cleaned``), with each segment's own measured series over its frames."""
    n = len(cleaned) if cleaned is not None else len(getattr(report, "t_s", ()))
    series: dict[str, np.ndarray] = {}
    for k, v in (getattr(report, "series", None) or {}).items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.shape == (n,):
            series[k] = arr.copy()
    if not series and cleaned is not None and n:
        from formcheck.measure import detect_view, frame_series

        series = {k: np.asarray(v, dtype=np.float64) for k, v in frame_series(cleaned, detect_view(cleaned)).items()}
    for s, m in zip(report.segments, seg_measurements):
        if m is None:
            continue
        a = int(s.start_frame)
        for k, v in m.series.items():
            arr = np.asarray(v, dtype=np.float64)
            if arr.ndim != 1:
                continue
            b = min(a + len(arr), n)
            if k not in series:
                series[k] = np.full(n, np.nan)
            series[k][a:b] = arr[: b - a]
    return series


def analysis_marks(report: Any, seg_measurements: Sequence[Any]
                   ) -> tuple[tuple[SegmentMark, ...], tuple[RepMark, ...], tuple[CueMark, ...],
                              dict[str, tuple[MetricMark, ...]]]:
    """The report's segments, reps and cues, and each metric's per-rep marks, in clip frames.

    ``seg_measurements``: one Measurements (or None) per report segment; marks come from a
    segment's measurements where given (exact evidence frames), else from the report's reps.
    """
    from formcheck.drills import get_drill

    seg_ms = list(seg_measurements) + [None] * (len(report.segments) - len(seg_measurements))
    segments: list[SegmentMark] = []
    reps: list[RepMark] = []
    marks: dict[str, list[MetricMark]] = {}
    for si, s in enumerate(report.segments):
        dr = s.report
        try:
            spec = get_drill(s.drill)
            title, rep_event, main = spec.title, spec.rep_event, spec.main_metric
        except Exception:  # a drill this build does not know: draw what the report says
            title, rep_event, main = s.drill, "", None
        metrics = {k: (_opt(m.value), m.unit, (m.target[0], m.target[1])) for k, m in dr.metrics.items()}
        sides = {k: (_opt(m.left), _opt(m.right)) for k, m in dr.metrics.items()}
        seg = SegmentMark(si, s.drill, title, rep_event, main, int(s.start_frame), int(s.end_frame),
                          _opt(dr.score), metrics, sides)
        segments.append(seg)
        first_rep = len(reps)
        for k, r in enumerate(dr.reps):
            reps.append(RepMark(len(reps), k + 1, si, r.side, int(r.frame), float(r.t_s), _opt(r.score)))
        m = seg_ms[si]
        for name in metrics:
            new = _metric_marks(name, seg, m, dr.reps, first_rep, rep_event)
            if new:
                marks.setdefault(name, []).extend(new)

    cues: list[CueMark] = []
    for rank, c in enumerate(report.cues, 1):
        seg_index = c.segment if c.segment is not None else 0
        cues.append(CueMark(rank, c.id, c.metric, c.severity, c.text, c.drill, int(seg_index),
                            tuple(int(f) for _, f in c.evidence)))
    return tuple(segments), tuple(reps), tuple(cues), {k: tuple(v) for k, v in marks.items()}


def build_overlay(report: Any, sequence: PoseSequence, measurements: Any = None, *,
                  settings: OverlaySettings = OverlaySettings()) -> ClipOverlay:
    """What to draw on every frame of the clip.

    ``report``: a :class:`formcheck.report.Report` of ``sequence``; ``sequence``: the clip's pose
    (cleaned here unless it already is); ``measurements``: a
    :class:`formcheck.measure.Measurements` per report segment (or one for a single segment);
    missing ones are measured again from the sequence as the analysis does.
    """
    cleaned = prepared_sequence(sequence)
    n = len(cleaned)
    seg_ms = segment_measurements(report, cleaned, measurements)
    series = clip_series(report, cleaned, seg_ms)

    p = lambda lm: cleaned.xy[:, lm]  # noqa: E731
    sh_mid = K.midpoint(p(Landmark.LEFT_SHOULDER), p(Landmark.RIGHT_SHOULDER))
    hip_mid = K.midpoint(p(Landmark.LEFT_HIP), p(Landmark.RIGHT_HIP))
    head = K.nanmean_points([p(lm) for lm in _HEAD])
    lc = np.nan_to_num(series.get("left_contact", np.zeros(n))) > 0.5
    rc = np.nan_to_num(series.get("right_contact", np.zeros(n))) > 0.5
    al, ar = p(Landmark.LEFT_ANKLE), p(Landmark.RIGHT_ANKLE)
    stance = np.where((lc & ~rc)[:, None], al,
                      np.where((rc & ~lc)[:, None], ar, np.where((lc & rc)[:, None], K.midpoint(al, ar), np.nan)))

    segments, reps, cues, marks = analysis_marks(report, seg_ms)

    t = cleaned.t_s
    segment_at = np.full(n, -1, dtype=np.intp)
    for seg in segments:
        segment_at[max(seg.start_frame, 0):min(seg.end_frame, n)] = seg.index
    reps_done = np.zeros(n, dtype=np.intp)
    last_rep = np.full(n, -1, dtype=np.intp)
    for r in reps:
        seg = segments[r.segment]
        a, b = max(r.frame, 0), min(seg.end_frame, n)
        if a < b:
            reps_done[a:b] = r.number
            last_rep[a:b] = r.index
    cue_frames = [(f, c.rank) for c in cues for f in c.frames]
    pick = _nearest_within(t, [f for f, _ in cue_frames], settings.show_window_s, [r for _, r in cue_frames])
    cue_at = np.where(pick >= 0, np.array([r - 1 for _, r in cue_frames] + [-1], dtype=np.intp)[pick], -1)

    return ClipOverlay(
        xy=cleaned.xy, visibility=cleaned.visibility, t_s=t, width=cleaned.width, height=cleaned.height,
        near_side=_near_side(cleaned, settings), forward=_forward(report.pose.facing, report.pose.view),
        series=series, segments=segments, reps=reps, cues=cues, marks=marks, stance_ankle=stance,
        shoulder_mid=sh_mid, hip_mid=hip_mid, head=head, settings=settings, segment_at=segment_at, reps_done_at=reps_done, last_rep_at=last_rep,
        cue_at=cue_at,
    )


def pose_overlay(sequence: PoseSequence, *, facing: str = "unknown", view: str = "side",
                 settings: OverlaySettings = OverlaySettings()) -> ClipOverlay:
    """An overlay with the pose only (no drill, reps or cues): for drawing a bare skeleton, e.g.
    on a live preview. The sequence is drawn as given (not cleaned)."""
    n = len(sequence)
    p = lambda lm: sequence.xy[:, lm]  # noqa: E731
    empty = np.full((n, 2), np.nan)
    return ClipOverlay(
        xy=sequence.xy, visibility=sequence.visibility, t_s=sequence.t_s, width=sequence.width,
        height=sequence.height, near_side=_near_side(sequence, settings), forward=_forward(facing, view),
        series={}, segments=(), reps=(), cues=(), marks={}, stance_ankle=empty,
        shoulder_mid=K.midpoint(p(Landmark.LEFT_SHOULDER), p(Landmark.RIGHT_SHOULDER)),
        hip_mid=K.midpoint(p(Landmark.LEFT_HIP), p(Landmark.RIGHT_HIP)),
        head=K.nanmean_points([p(lm) for lm in _HEAD]), settings=settings,
        segment_at=np.full(n, -1, dtype=np.intp), reps_done_at=np.zeros(n, dtype=np.intp),
        last_rep_at=np.full(n, -1, dtype=np.intp), cue_at=np.full(n, -1, dtype=np.intp),
    )


def _metric_marks(name: str, seg: SegmentMark, m: Any, rep_results: Sequence[Any], first_rep: int,
                  rep_event: str) -> list[MetricMark]:
    """Per-rep values of ``name`` at their evidence frames (clip frames), from the measurements
    when they have the metric, else from the report's reps (at the rep's frame)."""
    target = seg.target(name)
    out: list[MetricMark] = []
    mv = None if m is None else m.metrics.get(name)
    k = len(rep_results)
    if mv is not None and len(mv.per_rep) == k and len(getattr(m, "reps", ())) == k:
        for i in range(k):
            v, f = float(mv.per_rep[i]), int(mv.evidence_frames[i])
            if not math.isfinite(v) or f < 0:
                continue
            side = m.reps[i].side
            if side is not None and rep_event in SWING_IS_OTHER_LEG:
                side = OTHER[side]
            out.append(MetricMark(name, first_rep + i, seg.index, side, seg.start_frame + f, v, _in_band(v, target)))
        return out
    for i, r in enumerate(rep_results):
        v = _opt(r.values.get(name)) if hasattr(r, "values") else None
        if v is None:
            continue
        side = r.side
        if side is not None and rep_event in SWING_IS_OTHER_LEG:
            side = OTHER[side]
        out.append(MetricMark(name, first_rep + i, seg.index, side, int(r.frame), v, _in_band(v, target)))
    return out


# ============================================================================ drawing helpers
@dataclass(frozen=True)
class Style:
    """Colours (RGB) and sizes shared by the annotators; sizes scale with the frame's shorter side."""

    near: tuple[int, int, int] = (0, 220, 255)
    far: tuple[int, int, int] = (255, 150, 40)
    centre: tuple[int, int, int] = (245, 245, 245)
    good: tuple[int, int, int] = (40, 210, 90)
    minor: tuple[int, int, int] = (255, 190, 0)
    major: tuple[int, int, int] = (235, 50, 50)
    band: tuple[int, int, int] = (40, 210, 90)
    lean: tuple[int, int, int] = (255, 235, 60)
    trunk: tuple[int, int, int] = (255, 80, 220)
    vertical: tuple[int, int, int] = (235, 235, 235)
    head: tuple[int, int, int] = (120, 200, 255)
    pair_a: tuple[int, int, int] = (80, 255, 160)   # left arm with right thigh
    pair_b: tuple[int, int, int] = (200, 120, 255)  # right arm with left thigh
    text: tuple[int, int, int] = (255, 255, 255)
    panel: tuple[int, int, int] = (20, 20, 24)
    #: reference frame side (pixels) at which unit sizes are 1
    reference_px: float = 540.0

    def unit(self, image: np.ndarray) -> float:
        return max(0.5, min(image.shape[0], image.shape[1]) / self.reference_px)

    def thick(self, image: np.ndarray, k: float) -> int:
        return max(1, int(round(k * self.unit(image))))

    def font_scale(self, image: np.ndarray, k: float = 1.0) -> float:
        return 0.55 * k * self.unit(image)


STYLE = Style()
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_AA = cv2.LINE_AA
_SHIFT = 4  # sub-pixel precision bits for cv2 drawing
_ONE = 1 << _SHIFT


def _finite(*pts: np.ndarray) -> bool:
    return all(np.all(np.isfinite(p)) for p in pts)


def _fix(p: np.ndarray) -> tuple[int, int]:
    """A point in cv2's fixed-point sub-pixel coordinates (pixel centres at integers)."""
    return (int(round(float(p[0]) * _ONE)), int(round(float(p[1]) * _ONE)))


def line(img: np.ndarray, a: np.ndarray, b: np.ndarray, color: tuple[int, int, int], thickness: int) -> None:
    if _finite(a, b):
        cv2.line(img, _fix(a), _fix(b), color, max(1, int(thickness)), _AA, _SHIFT)


def dashed_line(img: np.ndarray, a: np.ndarray, b: np.ndarray, color: tuple[int, int, int], thickness: int,
                dash_px: float) -> None:
    if not _finite(a, b):
        return
    a, b = np.asarray(a, float), np.asarray(b, float)
    length = float(np.hypot(*(b - a)))
    if length == 0:
        return
    steps = max(1, int(length // max(dash_px, 1.0)))
    for k in range(0, steps, 2):
        line(img, a + (b - a) * k / steps, a + (b - a) * min(k + 1, steps) / steps, color, thickness)


def circle(img: np.ndarray, c: np.ndarray, radius: float, color: tuple[int, int, int], thickness: int = -1) -> None:
    if _finite(c):
        cv2.circle(img, _fix(c), max(1, int(round(radius * _ONE))), color, thickness, _AA, _SHIFT)


def cv_angle(v: np.ndarray) -> float:
    """Direction of image vector ``v`` in cv2's ellipse degrees (from +x, clockwise on screen)."""
    return math.degrees(math.atan2(float(v[1]), float(v[0])))


def arc(img: np.ndarray, centre: np.ndarray, radius: float, start_deg: float, sweep_deg: float,
        color: tuple[int, int, int], thickness: int) -> None:
    """An arc from ``start_deg`` (cv2 degrees) sweeping ``sweep_deg``; ``thickness`` -1 fills the sector."""
    if not _finite(centre) or radius <= 0 or not math.isfinite(sweep_deg) or sweep_deg == 0:
        return
    a0, a1 = sorted((start_deg, start_deg + sweep_deg))
    r = max(1, int(round(radius * _ONE)))
    cv2.ellipse(img, _fix(centre), (r, r), 0.0, a0, a1, color, thickness, _AA, _SHIFT)


def blend_region(img: np.ndarray, box: tuple[int, int, int, int], draw, alpha: float) -> None:
    """Draw with ``draw(layer, (x0, y0))`` on a copy of ``box`` = (x0, y0, x1, y1) and blend it in."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    layer = roi.copy()
    draw(layer, (x0, y0))
    cv2.addWeighted(layer, alpha, roi, 1.0 - alpha, 0.0, dst=roi)


def text_size(text: str, scale: float, thickness: int) -> tuple[int, int, int]:
    (w, h), base = cv2.getTextSize(text, _FONT, scale, thickness)
    return w, h, base


def put_text(img: np.ndarray, text: str, org: tuple[float, float], scale: float, color: tuple[int, int, int],
             thickness: int) -> None:
    """Text with its baseline's left end at ``org``."""
    cv2.putText(img, text, (int(round(org[0])), int(round(org[1]))), _FONT, scale, color, thickness, _AA)


def label(img: np.ndarray, text: str, anchor: np.ndarray, scale: float, color: tuple[int, int, int],
          thickness: int, *, backdrop: tuple[int, int, int] = (0, 0, 0), alpha: float = 0.7,
          align: str = "left") -> None:
    """Text on a translucent dark box, its baseline starting (``align="right"``: ending) at
    ``anchor``, moved inside the frame."""
    if not _finite(anchor):
        return
    w, h, base = text_size(text, scale, thickness)
    pad = max(2, h // 4)
    x0 = anchor[0] - w if align == "right" else anchor[0]
    x = float(np.clip(x0, pad, max(pad, img.shape[1] - w - pad)))
    y = float(np.clip(anchor[1], h + pad, max(h + pad, img.shape[0] - base - pad)))

    def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
        layer[:] = backdrop
    blend_region(img, (int(x) - pad, int(y) - h - pad, int(x) + w + pad, int(y) + base + pad), draw, alpha)
    put_text(img, text, (x, y), scale, color, thickness)


def wrap(text: str, width_px: int, scale: float, thickness: int) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        cur = ""
        for word in para.split():
            trial = f"{cur} {word}".strip()
            if cur and text_size(trial, scale, thickness)[0] > width_px:
                lines.append(cur)
                cur = word
            else:
                cur = trial
        lines.append(cur)
    return lines


def metric_label(name: str) -> str:
    """The metric's short human name (from the drill registry)."""
    from formcheck.drills.registry import METRICS

    info = METRICS.get(name)
    return info.label if info is not None else name.replace("_", " ")


def fmt_value(value: float | None, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if unit == "deg":
        return f"{value:.0f} deg"
    if unit == "pct":
        return f"{value:.1f}%"
    if unit == "frac":
        return f"{value:.2f}"
    if unit == "spm":
        return f"{value:.0f}/min"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:.0f}"


def fmt_target(target: tuple[float | None, float | None], unit: str) -> str:
    lo, hi = target
    u = {"deg": " deg", "pct": "%", "s": " s", "spm": "/min"}.get(unit, "")
    f = (lambda v: f"{v:.2f}") if unit == "frac" else (lambda v: f"{v:g}")
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f">= {f(lo)}{u}"
    if lo is None:
        return f"<= {f(hi)}{u}"
    return f"{f(lo)}-{f(hi)}{u}"


# ============================================================================ annotators
class Annotator(Protocol):
    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray: ...


def annotate_frame(frame: np.ndarray, ctx: FrameContext, annotators: Iterable[Annotator]) -> np.ndarray:
    """Pass ``frame`` through each annotator in turn."""
    for a in annotators:
        frame = a.annotate(frame, ctx)
    return frame


class SkeletonAnnotator:
    """The pose: near side bright and thick, far side in another colour and thinner, the torso and
    head in white; bones with a joint below ``min_visibility`` are drawn faded (half blended)."""

    def __init__(self, *, near_px: float = 3.0, far_px: float = 2.0, joint_px: float = 3.0,
                 faded_alpha: float = 0.35, style: Style = STYLE) -> None:
        self.near_px, self.far_px, self.joint_px = near_px, far_px, joint_px
        self.faded_alpha = faded_alpha
        self.style = style

    def _side_of(self, lm: Landmark) -> str | None:
        name = lm.name
        return "left" if name.startswith("LEFT") else ("right" if name.startswith("RIGHT") else None)

    def bone_style(self, ctx: FrameContext, a: Landmark, b: Landmark, image: np.ndarray
                   ) -> tuple[tuple[int, int, int], int]:
        sa, sb = self._side_of(a), self._side_of(b)
        st = self.style
        if sa is None or sb is None or sa != sb or a in _HEAD or b in _HEAD:
            return st.centre, st.thick(image, self.far_px)
        near = ctx.overlay.near_side
        if near is None or sa == near:
            return st.near, st.thick(image, self.near_px)
        return st.far, st.thick(image, self.far_px)

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        bones = [(a, b) for a, b in SKELETON if _finite(ctx.point(a), ctx.point(b))]
        faded = [(a, b) for a, b in bones if not (ctx.visible(a) and ctx.visible(b))]
        solid = [(a, b) for a, b in bones if ctx.visible(a) and ctx.visible(b)]
        if faded:
            pts = np.array([ctx.point(lm) for ab in faded for lm in ab])
            pad = 4 * self.style.thick(frame, self.near_px)
            box = (int(pts[:, 0].min()) - pad, int(pts[:, 1].min()) - pad,
                   int(pts[:, 0].max()) + pad + 1, int(pts[:, 1].max()) + pad + 1)

            def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
                off = np.array(origin, dtype=np.float64)
                for a, b in faded:
                    color, th = self.bone_style(ctx, a, b, frame)
                    line(layer, ctx.point(a) - off, ctx.point(b) - off, color, th)
            blend_region(frame, box, draw, self.faded_alpha)
        for a, b in solid:
            color, th = self.bone_style(ctx, a, b, frame)
            line(frame, ctx.point(a), ctx.point(b), color, th)
        r = self.style.thick(frame, self.joint_px)
        for lm in {lm for ab in solid for lm in ab}:
            color, _ = self.bone_style(ctx, lm, lm, frame)
            circle(frame, ctx.point(lm), r, color)
            circle(frame, ctx.point(lm), r, (0, 0, 0), 1)
        return frame


@dataclass(frozen=True)
class ArcGeometry:
    """Where an angle is drawn: at ``vertex``, from ``reference`` (``None`` = straight down; else a
    landmark, taken pointing away from the vertex when ``reference_away`` is False, or the
    continuation of the ``reference`` -> vertex line when True) towards ``toward``. Landmarks are
    positions in :data:`formcheck.landmarks.LEG` (0 hip, 1 knee, 2 ankle, 3 heel, 4 foot index).
    ``signed_forward``: positive values sweep forward (the athlete's facing) rather than towards
    ``toward``."""

    vertex: int
    reference: int | None
    toward: int
    reference_away: bool = False
    signed_forward: bool = False
    label: str = ""


#: The per-rep angles drawn on the leg, by metric.
ANGLE_ARCS: dict[str, ArcGeometry] = {
    "knee_lift_deg": ArcGeometry(vertex=0, reference=None, toward=1, signed_forward=True, label="knee lift"),
    "knee_flexion_deg": ArcGeometry(vertex=1, reference=0, toward=2, reference_away=True, label="knee flexion"),
    "toe_up_deg": ArcGeometry(vertex=2, reference=1, toward=4, label="toe up"),
}


class AngleArcAnnotator:
    """A rep's measured angle drawn where it happens: the arc of ``metric`` at its joint, with the
    target band as a shaded wedge and the value and target as text, for ``show_window_s`` around
    the frame that shows it. The arc's sweep is the measured value, not re-measured from the
    drawing."""

    def __init__(self, metric: str = "knee_lift_deg", *, radius_frac: float = 0.55, line_px: float = 3.0,
                 band_alpha: float = 0.35, style: Style = STYLE) -> None:
        if metric not in ANGLE_ARCS:
            raise ValueError(f"no angle arc for {metric!r}; valid: {', '.join(ANGLE_ARCS)}")
        self.metric = metric
        self.geometry = ANGLE_ARCS[metric]
        self.radius_frac, self.line_px, self.band_alpha = radius_frac, line_px, band_alpha
        self.style = style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        seg = ctx.segment
        if seg is None or not seg.has(self.metric):
            return frame
        mark = ctx.overlay.mark_at(self.metric, ctx.index)
        if mark is None or mark.side is None:
            return frame
        g = self.geometry
        leg = LEG[mark.side]
        vertex, toward = ctx.point(leg[g.vertex]), ctx.point(leg[g.toward])
        if not _finite(vertex, toward):
            return frame
        seg_vec = toward - vertex
        length = float(np.hypot(*seg_vec))
        if length < 2:
            return frame
        if g.reference is None:
            start = 90.0  # straight down
        else:
            ref = ctx.point(leg[g.reference])
            if not _finite(ref):
                return frame
            start = cv_angle(vertex - ref if g.reference_away else ref - vertex)
        if g.signed_forward:
            fwd = ctx.overlay.forward
            if not math.isfinite(fwd):
                return frame
            direction = -fwd  # image right (forward +1) is a negative turn from "down" in cv2 degrees
        else:
            d = (cv_angle(seg_vec) - start + 180.0) % 360.0 - 180.0
            direction = 1.0 if d >= 0 else -1.0
        radius = self.radius_frac * length
        st = self.style
        th = st.thick(frame, self.line_px)
        lo, hi = seg.target(self.metric)
        if lo is not None or hi is not None:
            b0, b1 = (0.0 if lo is None else lo), (180.0 if hi is None else hi)
            r_px = int(radius) + 2 * th
            box = (int(vertex[0]) - r_px, int(vertex[1]) - r_px, int(vertex[0]) + r_px + 1, int(vertex[1]) + r_px + 1)

            def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
                c = vertex - np.array(origin, dtype=np.float64)
                arc(layer, c, radius, start + direction * b0, direction * (b1 - b0), st.band, -1)
            blend_region(frame, box, draw, self.band_alpha)
        # the reference direction, then the measured angle
        ref_end = vertex + radius * np.array([math.cos(math.radians(start)), math.sin(math.radians(start))])
        dashed_line(frame, vertex, ref_end, st.vertical, max(1, th // 2), 3 * th)
        color = st.good if mark.in_band or mark.in_band is None else st.major
        arc(frame, vertex, radius, start, direction * mark.value, color, th)
        end_deg = math.radians(start + direction * mark.value)
        out = np.array([math.cos(end_deg), math.sin(end_deg)])
        tip = vertex + (radius + 3 * th) * out
        fs, tt = st.font_scale(frame), st.thick(frame, 1.5)
        lines = [(f"{g.label or self.metric} {mark.value:.0f} deg", fs, color)]
        band = fmt_target((lo, hi), "deg")
        if band:
            lines.append((f"target {band}", 0.8 * fs, st.band))
        # the text block sits beyond the arc's end, on the side the angle opens to
        sizes = [text_size(t, f, tt) for t, f, _ in lines]
        block_w = max(w for w, _, _ in sizes)
        block_h = sum(int(1.5 * h) for _, h, _ in sizes)
        x = tip[0] if out[0] >= 0 else tip[0] - block_w
        y = tip[1] if out[1] >= 0 else tip[1] - block_h
        for (text, f, c), (_, h, _) in zip(lines, sizes):
            y += int(1.5 * h)
            label(frame, text, np.array([x, y - 0.3 * h]), f, c, tt)
        return frame


class LeanAnnotator:
    """Body lean where it is measured (frames with a foot on the ground): the line from the stance
    ankle to the shoulder midpoint, a dashed vertical from the same ankle, and the trunk line (hip
    midpoint to shoulder midpoint) drawn beneath, so a bend at the hip shows as the trunk line
    leaving the lean line. Values are the per-frame measured series."""

    def __init__(self, *, line_px: float = 2.5, show_values: bool = True, style: Style = STYLE) -> None:
        self.line_px, self.show_values, self.style = line_px, show_values, style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        seg = ctx.segment
        if seg is None or not any(seg.has(m) for m in LEAN_METRICS):
            return frame
        o = ctx.overlay
        ankle, shoulder, hip = (ctx.scaled(a[ctx.index]) for a in (o.stance_ankle, o.shoulder_mid, o.hip_mid))
        if not _finite(ankle, shoulder):
            return frame
        st = self.style
        th = st.thick(frame, self.line_px)
        top = np.array([ankle[0], shoulder[1]])
        dashed_line(frame, ankle, top, st.vertical, max(1, th // 2), 3 * th)
        line(frame, hip, shoulder, st.trunk, th + 1)
        circle(frame, hip, 1.2 * th, st.trunk)
        line(frame, ankle, shoulder, st.lean, th)
        circle(frame, ankle, 1.2 * th, st.lean)
        if self.show_values:
            fs = 0.85 * st.font_scale(frame)
            tt = st.thick(frame, 1.3)
            side = 1.0 if not math.isfinite(o.forward) else o.forward
            anchor = shoulder + np.array([side * 6 * th, -4 * th])
            align = "left" if side > 0 else "right"
            lean, trunk = ctx.series("body_lean_deg"), ctx.series("trunk_lean_deg")
            if math.isfinite(lean):
                label(frame, f"lean {lean:+.0f} deg", anchor, fs, st.lean, tt, align=align)
            if math.isfinite(trunk):
                _, h, _ = text_size("0", fs, tt)
                label(frame, f"trunk {trunk:+.0f} deg", anchor + np.array([0.0, 1.6 * h]), fs, st.trunk, tt,
                      align=align)
        return frame


class HeadPathAnnotator:
    """The head centre's path over the last ``trail_s`` seconds, older parts thinner."""

    def __init__(self, *, trail_s: float = 1.0, line_px: float = 2.5, style: Style = STYLE) -> None:
        if not trail_s > 0:
            raise ValueError(f"trail_s must be positive, got {trail_s}")
        self.trail_s, self.line_px, self.style = trail_s, line_px, style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        seg = ctx.segment
        if seg is None or not seg.has("head_bob_pct"):
            return frame
        o = ctx.overlay
        a = int(np.searchsorted(o.t_s, ctx.t_s - self.trail_s, side="left"))
        pts = ctx.scaled(o.head[a:ctx.index + 1])
        if len(pts) < 2:
            return frame
        th = self.style.thick(frame, self.line_px)
        k = len(pts) - 1
        for j in range(k):
            w = max(1, int(round(th * (0.35 + 0.65 * (j + 1) / k))))
            line(frame, pts[j], pts[j + 1], self.style.head, w)
        circle(frame, pts[-1], 1.3 * th, self.style.head)
        return frame


class ArmLegAnnotator:
    """Opposite arm-leg pairing: each upper arm and the opposite thigh in a shared colour (left arm
    with right thigh, right arm with left thigh), with the rep's measured phase offset near the
    shoulder while it is shown (0 deg = opposite arm and leg together)."""

    def __init__(self, *, line_px: float = 2.0, style: Style = STYLE) -> None:
        self.line_px, self.style = line_px, style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        seg = ctx.segment
        if seg is None or not seg.has("arm_leg_phase_deg"):
            return frame
        st = self.style
        th = st.thick(frame, self.line_px)
        for arm_side, color in (("left", st.pair_a), ("right", st.pair_b)):
            sh, el = ctx.point(ARM[arm_side][0]), ctx.point(ARM[arm_side][1])
            hip, knee = ctx.point(LEG[OTHER[arm_side]][0]), ctx.point(LEG[OTHER[arm_side]][1])
            line(frame, sh, el, color, th)
            line(frame, hip, knee, color, th)
            circle(frame, el, 1.5 * th, color)
            circle(frame, knee, 1.5 * th, color)
        mark = ctx.overlay.mark_at("arm_leg_phase_deg", ctx.index)
        if mark is not None:
            color = st.good if mark.in_band or mark.in_band is None else st.major
            sh = ctx.scaled(ctx.overlay.shoulder_mid[ctx.index])
            fwd = ctx.overlay.forward if math.isfinite(ctx.overlay.forward) else 1.0
            fs, tt = 0.85 * st.font_scale(frame), st.thick(frame, 1.3)
            # behind the athlete (the lean values go in front)
            anchor = sh + np.array([-fwd * 6 * th, -4 * th])
            align = "right" if fwd > 0 else "left"
            label(frame, f"arm-leg timing {mark.value:.0f} deg", anchor, fs, color, tt, align=align)
            _, h, _ = text_size("Ag", fs, tt)
            label(frame, "same colour: opposite arm and thigh", anchor + np.array([0.0, 1.7 * h]), 0.8 * fs,
                  st.text, tt, align=align)
        return frame


class CueBannerAnnotator:
    """The coach's cue along the bottom of the frame while the frames that show it play."""

    def __init__(self, *, alpha: float = 0.75, margin_frac: float = 0.03, style: Style = STYLE) -> None:
        self.alpha, self.margin_frac, self.style = alpha, margin_frac, style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid or not ctx.show_cues:
            return frame
        k = int(ctx.overlay.cue_at[ctx.index])
        if k < 0:
            return frame
        cue = ctx.overlay.cues[k]
        st = self.style
        h, w = frame.shape[:2]
        fs, tt = st.font_scale(frame, 1.1), st.thick(frame, 1.6)
        pad = int(round(self.margin_frac * min(h, w))) + 2
        bar = max(4, pad // 2)
        lines = wrap(f"Cue {cue.rank}: {cue.text}", w - 3 * pad - bar, fs, tt)
        _, lh, base = text_size("Ag", fs, tt)
        step = int(lh * 1.6)
        height = step * len(lines) + 2 * pad // 2 + base
        y0 = h - height - pad
        color = st.major if cue.severity == "major" else st.minor

        def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
            layer[:] = st.panel
        blend_region(frame, (pad, y0, w - pad, h - pad), draw, self.alpha)
        frame[max(0, y0):h - pad, pad:pad + bar] = color
        y = y0 + pad // 2 + lh
        for text in lines:
            put_text(frame, text, (pad + bar + pad // 2, y + lh * 0.3), fs, st.text, tt)
            y += step
        return frame


class RepCounterAnnotator:
    """The drill, the rep count so far (of the segment's reps) and the last rep's score, top left."""

    def __init__(self, *, alpha: float = 0.7, style: Style = STYLE) -> None:
        self.alpha, self.style = alpha, style

    def annotate(self, frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
        if not ctx.valid:
            return frame
        seg = ctx.segment
        if seg is None:
            return frame
        o = ctx.overlay
        total = o.reps_in_segment(seg.index)
        done = int(o.reps_done_at[ctx.index])
        last = int(o.last_rep_at[ctx.index])
        st = self.style
        fs, tt = st.font_scale(frame, 1.0), st.thick(frame, 1.5)
        what = "holds" if seg.rep_event == "hold" else "rep"
        lines = [(f"{seg.title}", st.text), (f"{what} {done}/{total}", st.text)]
        if last >= 0 and o.reps[last].score is not None:
            s = o.reps[last].score
            color = st.good if s >= 80 else (st.minor if s >= 50 else st.major)
            lines.append((f"rep score {s:.0f}", color))
        _, lh, base = text_size("Ag", fs, tt)
        step = int(lh * 1.6)
        pad = max(4, int(round(0.02 * min(frame.shape[:2]))))
        width = max(text_size(t, fs, tt)[0] for t, _ in lines) + 2 * pad
        height = step * len(lines) + pad

        def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
            layer[:] = st.panel
        blend_region(frame, (pad, pad, pad + width, pad + height), draw, self.alpha)
        y = pad + pad // 2 + lh
        for text, color in lines:
            put_text(frame, text, (2 * pad, y), fs, color, tt)
            y += step
        return frame


def default_annotators(style: Style = STYLE) -> list[Annotator]:
    """The chain used for the annotated video: skeleton, then each measured concern, then the
    cue banner and the rep counter (each draws only where its metric is part of the drill)."""
    return [
        SkeletonAnnotator(style=style),
        ArmLegAnnotator(style=style),
        HeadPathAnnotator(style=style),
        LeanAnnotator(style=style),
        *(AngleArcAnnotator(m, style=style) for m in ANGLE_ARCS),
        CueBannerAnnotator(style=style),
        RepCounterAnnotator(style=style),
    ]


def keyframe_annotators(metric: str | None, style: Style = STYLE) -> list[Annotator]:
    """The chain for a cue's key frame: the skeleton and the concern behind ``metric`` only."""
    chain: list[Annotator] = [SkeletonAnnotator(style=style)]
    if metric in ANGLE_ARCS:
        chain.append(AngleArcAnnotator(metric, style=style))
    elif metric in LEAN_METRICS:
        chain.append(LeanAnnotator(style=style))
    elif metric == "head_bob_pct":
        chain.append(HeadPathAnnotator(style=style))
    elif metric == "arm_leg_phase_deg":
        chain.append(ArmLegAnnotator(style=style))
    return chain
