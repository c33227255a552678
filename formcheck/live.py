"""Live form check: one camera stream, frame by frame, with the skeleton, the rep count and the
current cue drawn on each frame.

:class:`LiveSession` is the frame callback behind the app's live page (and anything else that
has frames one at a time). It owns

- one :class:`~formcheck.pose.estimator.PoseEstimator` in video mode (one per stream, never
  shared), fed each frame's own timestamp, made strictly increasing;
- a causal :class:`~formcheck.filters.OneEuroFilter` that steadies the drawn skeleton;
- an incremental rep counter: every ``analysis_interval_s`` the last ``window_s`` seconds of pose
  are cleaned and measured exactly as the offline analysis does (:func:`formcheck.filters.clean`,
  :func:`formcheck.measure.measure`, :func:`formcheck.scoring.score_drill`); a rep is counted
  once it lies ``confirm_s`` before the end of the window (its peak can no longer move) and is
  not one already counted. The window's top cue is the current cue. With ``drill="auto"`` the
  drill is recognised from the last ``recognize_window_s`` seconds;
- the session's pose, so that :meth:`LiveSession.summary` can analyse the whole session when it
  ends (:func:`formcheck.analyze.analyze_sequence`).

The window analysis runs in a background thread by default, so no frame waits for it; with
``LiveSettings(background=False)`` it runs inside :meth:`LiveSession.process` (deterministic, for
tests and benchmarks of recorded clips).

No streamlit here: the app wraps a session in a streamlit-webrtc video processor.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from formcheck.drills import DrillSpec, get_drill
from formcheck.errors import FormcheckError
from formcheck.filters import OneEuroFilter
from formcheck.landmarks import N_LANDMARKS
from formcheck.sequence import PoseSequence

__all__ = ["LiveRep", "LiveSettings", "LiveStatus", "LiveSession", "LiveSummary"]

AUTO = "auto"


@dataclass(frozen=True)
class LiveSettings:
    """Settings of a :class:`LiveSession` (units in the names).

    ``max_side``: frames are shrunk to this longer side before pose estimation (None: as they
    come); landmarks are still given in pixels of the frame as received.
    """

    model: str = "full"
    max_side: int | None = 640
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    #: causal smoothing of the drawn skeleton (pixels)
    filter_min_cutoff_hz: float = 1.5
    filter_beta: float = 0.05
    #: the rep counter's analysis window, how often it runs, and how settled a rep must be
    window_s: float = 6.0
    analysis_interval_s: float = 0.5
    confirm_s: float = 0.4
    min_window_s: float = 1.5
    #: a rep closer than this to one already counted is that rep, seen again in a later window
    same_rep_s: float = 0.2
    #: drill recognition ("auto"): window, and the confidence needed to take the drill
    recognize_window_s: float = 4.0
    min_recognize_confidence_frac: float = 0.2
    #: the current cue stays on screen at least this long
    cue_hold_s: float = 2.5
    #: pose kept for the summary (older frames are dropped)
    history_s: float = 600.0
    #: run the window analysis in a background thread (False: inside ``process``)
    background: bool = True
    #: frame latencies kept for the percentiles
    latency_samples: int = 2000

    def __post_init__(self) -> None:
        if self.max_side is not None and int(self.max_side) < 64:
            raise ValueError(f"max_side must be at least 64 pixels or None, got {self.max_side!r}")
        for name in ("window_s", "analysis_interval_s", "recognize_window_s", "history_s", "cue_hold_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not 0 <= self.confirm_s < self.window_s:
            raise ValueError(f"confirm_s must be in [0, window_s), got {self.confirm_s!r}")


@dataclass(frozen=True)
class LiveRep:
    """A counted rep: ``number`` from 1 in the session; ``t_s`` stream time of its defining
    moment; ``score`` 0-100 (None when nothing could be scored); ``value`` of the drill's main
    metric for this rep (None when not measured)."""

    number: int
    drill: str
    side: str | None
    t_s: float
    score: float | None
    value: float | None
    metric: str


@dataclass(frozen=True)
class LiveStatus:
    """What the session shows right now (cheap; for a counter on the page)."""

    frames_seen: int
    frames_processed: int
    frames_with_pose: int
    reps: int
    drill: str | None
    drill_title: str | None
    drill_confidence: float | None
    cue: str | None
    person_in_view: bool
    fps: float
    latency_ms_p50: float | None
    ended: bool
    last_rep_score: float | None


@dataclass(frozen=True, eq=False)
class LiveSummary:
    """The whole session: counts, timing, every counted rep, and the full analysis of the
    session's pose (``report``; None with ``message`` saying why when it could not be made)."""

    drill: str | None
    frames_seen: int
    frames_processed: int
    frames_with_pose: int
    duration_s: float
    fps: float
    latency_ms_p50: float | None
    latency_ms_p95: float | None
    reps: tuple[LiveRep, ...]
    report: Any = None
    message: str | None = None

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    @property
    def reps_by_side(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.reps:
            key = r.side or "both"
            out[key] = out.get(key, 0) + 1
        return out

    @property
    def mean_rep_score(self) -> float | None:
        s = [r.score for r in self.reps if r.score is not None]
        return float(np.mean(s)) if s else None


# ============================================================================ pose history
class _History:
    """The session's pose, frame by frame, in growing arrays (oldest dropped past ``max_s``)."""

    def __init__(self, max_s: float) -> None:
        self.max_s = float(max_s)
        self._cap = 256
        self._n = 0
        self.t = np.zeros(self._cap)
        self.xy = np.full((self._cap, N_LANDMARKS, 2), np.nan)
        self.z = np.full((self._cap, N_LANDMARKS), np.nan)
        self.vis = np.zeros((self._cap, N_LANDMARKS))
        self.det = np.zeros(self._cap, dtype=bool)

    def __len__(self) -> int:
        return self._n

    def append(self, t_s: float, xy: np.ndarray | None, z: np.ndarray | None, vis: np.ndarray | None) -> None:
        if self._n == self._cap:
            keep = self.t[: self._n] >= self.t[self._n - 1] - self.max_s
            drop = int(np.argmax(keep)) if keep.any() else self._n
            if drop > self._n // 4:  # enough old frames to drop: compact instead of growing
                self._shift(drop)
            else:
                self._grow()
        i = self._n
        self.t[i] = t_s
        if xy is None:
            self.xy[i] = np.nan
            self.z[i] = np.nan
            self.vis[i] = 0.0
            self.det[i] = False
        else:
            self.xy[i] = xy
            self.z[i] = z
            self.vis[i] = vis
            self.det[i] = True
        self._n += 1

    def _grow(self) -> None:
        cap = self._cap * 2
        for name in ("t", "xy", "z", "vis", "det"):
            old = getattr(self, name)
            new = np.zeros((cap,) + old.shape[1:], dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
        self._cap = cap

    def _shift(self, k: int) -> None:
        for name in ("t", "xy", "z", "vis", "det"):
            a = getattr(self, name)
            a[: self._n - k] = a[k: self._n]
        self._n -= k

    def last_t(self) -> float | None:
        return float(self.t[self._n - 1]) if self._n else None

    def sequence(self, since_s: float | None, width: int, height: int) -> PoseSequence | None:
        """Frames from ``since_s`` on (all frames for None) as a PoseSequence (copies)."""
        if self._n == 0:
            return None
        a = 0 if since_s is None else int(np.searchsorted(self.t[: self._n], since_s, side="left"))
        b = self._n
        if b - a < 2:
            return None
        return PoseSequence(xy=self.xy[a:b].copy(), visibility=self.vis[a:b].copy(), t_s=self.t[a:b].copy(),
                            width=width, height=height, z=self.z[a:b].copy(), detected=self.det[a:b].copy(),
                            meta={"source": "live"})


# ============================================================================ window analysis
@dataclass(frozen=True)
class _WindowResult:
    end_t: float
    spec: DrillSpec | None
    confidence: float | None
    #: side, t_s, settled, score, main metric value
    reps: tuple[tuple[str | None, float, bool, float | None, float | None], ...]
    cue: tuple[str, str, str, str] | None  # id, metric, severity, text
    score: float | None


def _fix_limb_swaps(seq: PoseSequence) -> PoseSequence:
    """Correct left/right limb labels the pose model swapped for a few frames, as the offline
    tracking does (:func:`formcheck.pose.tracking.limb_swaps`, with its default settings)."""
    from formcheck.landmarks import MIRROR, Landmark
    from formcheck.pose.tracking import LIMB_GROUPS, TrackSettings, limb_swaps

    ts = TrackSettings()
    if not ts.fix_limb_swaps:
        return seq
    xy = seq.xy.copy()
    sh = (xy[:, Landmark.LEFT_SHOULDER] + xy[:, Landmark.RIGHT_SHOULDER]) / 2.0
    hip = (xy[:, Landmark.LEFT_HIP] + xy[:, Landmark.RIGHT_HIP]) / 2.0
    scale = np.nan_to_num(np.hypot(*(sh - hip).T))
    arrays = {"xy": xy, "z": seq.z.copy(), "visibility": seq.visibility.copy()}
    changed = False
    for group in LIMB_GROUPS.values():
        swaps = limb_swaps(arrays["xy"], seq.t_s, scale, group, prior=ts.limb_swap_prior_torso,
                           max_gap_s=ts.limb_max_gap_s)
        if swaps.any():
            changed = True
            both, flipped = np.concatenate([group, MIRROR[group]]), np.concatenate([MIRROR[group], group])
            for arr in arrays.values():
                sub = arr[swaps]
                sub[:, both] = sub[:, flipped]
                arr[swaps] = sub
    return seq.replace(**arrays) if changed else seq


def _analyse_window(seq: PoseSequence, spec: DrillSpec | None, settings: LiveSettings) -> _WindowResult:
    """Measure and score one window as the offline analysis does (limb labels checked, cleaned,
    measured, scored); recognise the drill if not given."""
    from formcheck.filters import clean
    from formcheck.measure import detect_view, measure
    from formcheck.scoring import score_drill

    end_t = float(seq.t_s[-1])
    cleaned = clean(_fix_limb_swaps(seq))
    view = detect_view(cleaned)
    confidence = None
    if spec is None:
        from formcheck.drills import list_drills
        from formcheck.recognize import recognize

        a = int(np.searchsorted(cleaned.t_s, end_t - settings.recognize_window_s, side="left"))
        part = cleaned.slice(a, len(cleaned)) if len(cleaned) - a >= 3 else cleaned
        rec = recognize(part, view=view)
        if rec.drill in list_drills() and rec.confidence >= settings.min_recognize_confidence_frac:
            spec, confidence = get_drill(rec.drill), float(rec.confidence)
        else:
            return _WindowResult(end_t, None, None, (), None, None)
    m = measure(cleaned, spec.metrics_for(view.view), rep_event=spec.rep_event, view=view)
    dr = score_drill(spec, m)
    reps = []
    n = len(cleaned)
    for r, rr in zip(m.reps, dr.reps):
        value = rr.values.get(spec.main_metric)
        # settled: its moment lies confirm_s before the window's end and the rep itself ends inside
        # the window (a hold still going on, or a peak just reached, may still move)
        settled = float(r.t_s) <= end_t - settings.confirm_s and int(r.end_frame) < n - 1
        reps.append((r.side, float(r.t_s), settled, rr.score, None if value is None else float(value)))
    cue = None
    if dr.cues:
        c = dr.cues[0]
        cue = (c.id, c.metric, c.severity, c.text)
    return _WindowResult(end_t, spec, confidence, tuple(reps), cue, dr.score)


# ============================================================================ drawing
def _hud(frame: np.ndarray, lines: list[tuple[str, tuple[int, int, int]]]) -> None:
    """A translucent panel at the top left with one line of text per entry."""
    from formcheck.annotate.annotators import STYLE, blend_region, put_text, text_size

    st = STYLE
    fs, tt = st.font_scale(frame, 1.0), st.thick(frame, 1.5)
    _, lh, _ = text_size("Ag", fs, tt)
    step = int(lh * 1.6)
    pad = max(4, int(round(0.02 * min(frame.shape[:2]))))
    width = max(text_size(t, fs, tt)[0] for t, _ in lines) + 2 * pad
    height = step * len(lines) + pad

    def draw(layer: np.ndarray, origin: tuple[int, int]) -> None:
        layer[:] = st.panel
    blend_region(frame, (pad, pad, pad + width, pad + height), draw, 0.7)
    y = pad + pad // 2 + lh
    for text, color in lines:
        put_text(frame, text, (2 * pad, y), fs, color, tt)
        y += step


# ============================================================================ the session
def _analysis_worker(ref: "weakref.ReferenceType[LiveSession]") -> None:
    """The background analysis loop. It holds the session only weakly while waiting, so a session
    nobody closed can still be collected (its ``__del__`` then closes it)."""
    while True:
        session = ref()
        if session is None:
            return
        cond = session._cond
        with cond:
            if session._closed:
                return
            window, session._pending = session._pending, None
            if window is None:
                del session
                cond.wait(timeout=0.5)
                continue
        session._run_analysis(*window)
        del session


class LiveSession:
    """The live frame callback: ``process(frame_rgb, t_s) -> annotated frame_rgb``.

    ``drill``: a registered drill name, or ``"auto"`` to recognise it. ``estimator``: a
    ready :class:`~formcheck.pose.estimator.PoseEstimator` to use (video mode, not shared with
    another stream); by default one is made from ``settings``. Call :meth:`close` when the
    stream ends (or use ``with``); :meth:`summary` works before and after.
    """

    def __init__(self, drill: str | DrillSpec | None = AUTO, settings: LiveSettings = LiveSettings(), *,
                 estimator: Any = None) -> None:
        self.settings = settings
        self._spec = self._resolve(drill)
        if estimator is None:
            from formcheck.pose.estimator import PoseEstimator

            estimator = PoseEstimator(settings.model, num_poses=1, mode="video",
                                      min_detection_confidence=settings.min_detection_confidence,
                                      min_tracking_confidence=settings.min_tracking_confidence,
                                      min_presence_confidence=settings.min_presence_confidence)
        self._estimator = estimator
        self._est_lock = threading.Lock()  # detect() vs close() from another thread
        self._lock = threading.Lock()  # shared state below
        self._filter = OneEuroFilter(settings.filter_min_cutoff_hz, settings.filter_beta)
        self._history = _History(settings.history_s)
        self._size: tuple[int, int] | None = None
        self._t_last: float | None = None
        self._t_first: float | None = None
        self._frames_seen = 0
        self._frames_processed = 0
        self._frames_with_pose = 0
        self._latency_ms: deque[float] = deque(maxlen=settings.latency_samples)
        self._proc_times: deque[float] = deque(maxlen=60)
        self._created = time.perf_counter()
        self._reps: list[LiveRep] = []
        self._cue: tuple[str, str, str, str] | None = None
        self._cue_since: float = -math.inf
        self._drill_now: DrillSpec | None = self._spec
        self._drill_conf: float | None = None
        self._last_analysis_t = -math.inf
        self._analysis_error: str | None = None
        self._person_in_view = False
        self._closed = False
        self._summary: LiveSummary | None = None
        self._summary_frames = -1
        # background analysis: one pending window at a time
        self._pending: tuple[PoseSequence, DrillSpec | None] | None = None
        self._busy = False
        self._cond = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None
        if settings.background:
            self._worker = threading.Thread(target=_analysis_worker, args=(weakref.ref(self),),
                                            name="formcheck-live-analysis", daemon=True)
            self._worker.start()

    # ------------------------------------------------------------------ drill
    @staticmethod
    def _resolve(drill: str | DrillSpec | None) -> DrillSpec | None:
        if drill is None or (isinstance(drill, str) and drill.strip().lower() == AUTO):
            return None
        return drill if isinstance(drill, DrillSpec) else get_drill(drill)

    @property
    def drill(self) -> str | None:
        """The drill being counted now (given, or recognised; None while still recognising)."""
        with self._lock:
            return None if self._drill_now is None else self._drill_now.name

    def set_drill(self, drill: str | DrillSpec | None) -> None:
        """Change the drill (or ``"auto"``) while the stream runs; reps counted so far stay."""
        spec = self._resolve(drill)
        with self._lock:
            if (spec is None) == (self._spec is None) and (spec is None or spec.name == self._spec.name):
                return
            self._spec = spec
            self._drill_now = spec
            self._drill_conf = None
            self._cue = None

    # ------------------------------------------------------------------ frames
    def process(self, frame_rgb: np.ndarray, t_s: float) -> np.ndarray:
        """Estimate the pose in one RGB uint8 (H, W, 3) frame taken at ``t_s`` seconds and return a
        copy with the skeleton, the drill, the rep count and the current cue drawn on it.

        Timestamps must increase; one that does not is moved 1 ms past the previous frame. After
        :meth:`close` the frame is returned unchanged.
        """
        start = time.perf_counter()
        image = np.asarray(frame_rgb)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an RGB uint8 frame (H, W, 3), got {image.dtype} {image.shape}")
        h, w = image.shape[:2]
        t = float(t_s)
        if not math.isfinite(t):
            raise FormcheckError(f"frame time must be a finite number of seconds, got {t_s!r}")
        with self._lock:
            self._frames_seen += 1
            if self._closed:
                return image.copy()
            if self._t_last is not None and t <= self._t_last:
                t = self._t_last + 1e-3
            if self._size is not None and self._size != (w, h):
                self._filter.reset()  # the browser changed the frame size: positions jump
            self._size = (w, h)
            self._t_last = t
            if self._t_first is None:
                self._t_first = t

        small = image
        side = self.settings.max_side
        if side is not None and max(w, h) > side:
            k = side / max(w, h)
            small = cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_LINEAR)
        with self._est_lock:
            if self._estimator is None:
                return image.copy()
            candidates = self._estimator.detect(small, t, size=(w, h))
        cand = candidates[0] if candidates else None

        with self._lock:
            if cand is None:
                self._history.append(t, None, None, None)
                drawn = self._filter(t, np.full((N_LANDMARKS, 2), np.nan))
            else:
                # as the offline tracking: a landmark counts as seen as far as it is both visible and present
                self._history.append(t, cand.xy, cand.z, np.minimum(cand.visibility, cand.presence))
                self._frames_with_pose += 1
                drawn = self._filter(t, cand.xy)
            self._person_in_view = cand is not None
            self._frames_processed += 1
            window = self._maybe_window(t)
        if window is not None:
            if self._worker is None:
                self._run_analysis(*window)
            else:
                with self._cond:
                    self._pending = window
                    self._cond.notify()

        out = image.copy()
        self._draw(out, drawn, None if cand is None else cand.visibility, t)
        end = time.perf_counter()
        with self._lock:
            self._latency_ms.append(1000.0 * (end - start))
            self._proc_times.append(end)
        return out

    def _maybe_window(self, t: float) -> tuple[PoseSequence, DrillSpec | None] | None:
        """(Under the lock.) The window to analyse now, if it is time and the last one is done."""
        st = self.settings
        if t - self._last_analysis_t < st.analysis_interval_s or self._busy or self._size is None:
            return None
        if self._t_first is None or t - self._t_first < st.min_window_s:
            return None
        seq = self._history.sequence(t - st.window_s, *self._size)
        if seq is None or seq.frames_with_pose < 10 or seq.coverage < 0.5:
            return None
        self._last_analysis_t = t
        self._busy = True
        return seq, self._spec

    # ------------------------------------------------------------------ analysis
    def _run_analysis(self, seq: PoseSequence, spec: DrillSpec | None) -> None:
        try:
            res = _analyse_window(seq, spec, self.settings)
        except Exception as exc:  # a live stream keeps going; the error is kept for status/tests
            with self._lock:
                self._analysis_error = f"{type(exc).__name__}: {exc}"
                self._busy = False
            return
        with self._lock:
            self._busy = False
            self._analysis_error = None
            if spec is None and self._spec is not None:
                return  # the drill was chosen while this window was analysed as "auto"
            if spec is not None and (self._spec is None or self._spec.name != spec.name):
                return  # the drill changed meanwhile
            if res.spec is None:
                return
            self._drill_now = res.spec
            if res.confidence is not None:
                self._drill_conf = res.confidence
            self._count_reps(res)
            if res.cue is not None:
                self._cue, self._cue_since = res.cue, res.end_t
            elif self._cue is not None and res.end_t - self._cue_since >= self.settings.cue_hold_s:
                self._cue = None

    def _count_reps(self, res: _WindowResult) -> None:
        """(Under the lock.) Count the window's settled reps that are not counted yet."""
        st = self.settings
        last = max((r.t_s for r in self._reps), default=-math.inf)
        for side, t_rep, settled, score, value in sorted(res.reps, key=lambda x: x[1]):
            if not settled:
                break  # this one and the later ones may still move
            if t_rep <= last + st.same_rep_s:
                # before the last counted rep (seen, or passed over, already), or that rep seen again
                # in this window (its side label may differ: the model swaps legs now and then)
                continue
            rep = LiveRep(number=len(self._reps) + 1, drill=res.spec.name, side=side, t_s=t_rep, score=score,
                          value=value, metric=res.spec.main_metric)
            self._reps.append(rep)
            last = t_rep

    # ------------------------------------------------------------------ drawing
    def _draw(self, out: np.ndarray, xy: np.ndarray, visibility: np.ndarray | None, t: float) -> None:
        from formcheck.annotate.annotators import (
            STYLE,
            CueBannerAnnotator,
            CueMark,
            SkeletonAnnotator,
            pose_overlay,
        )

        h, w = out.shape[:2]
        with self._lock:
            spec, conf, cue = self._drill_now, self._drill_conf, self._cue
            n_reps = len(self._reps)
            last_score = self._reps[-1].score if self._reps else None
            in_view = self._person_in_view
        if visibility is not None and np.isfinite(xy).any():
            one = PoseSequence(xy=xy[None], visibility=np.asarray(visibility)[None], t_s=np.array([t]),
                               width=w, height=h)
            overlay = pose_overlay(one)
            if cue is not None:
                overlay = dataclasses.replace(
                    overlay, cues=(CueMark(1, cue[0], cue[1], cue[2], cue[3], spec.name if spec else "", 0, ()),),
                    cue_at=np.zeros(1, dtype=np.intp))
            ctx = overlay.context(0)
            SkeletonAnnotator().annotate(out, ctx)
            if cue is not None:
                CueBannerAnnotator().annotate(out, ctx)
        st = STYLE
        if spec is None:
            title = "Recognising the drill..." if self._spec is None else ""
        else:
            title = spec.title + (f" ({100 * conf:.0f}% sure)" if conf is not None and self._spec is None else "")
        lines: list[tuple[str, tuple[int, int, int]]] = [(title or "formcheck live", st.text),
                                                         (f"reps {n_reps}", st.text)]
        if last_score is not None:
            color = st.good if last_score >= 80 else (st.minor if last_score >= 50 else st.major)
            lines.append((f"last rep score {last_score:.0f}", color))
        if not in_view:
            lines.append(("Step into view: whole body, side on", st.minor))
        _hud(out, lines)

    # ------------------------------------------------------------------ status
    def _fps(self) -> float:
        times = list(self._proc_times)
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _latency(self, q: float) -> float | None:
        lat = list(self._latency_ms)
        return float(np.percentile(lat, q)) if lat else None

    def idle_s(self) -> float:
        """Seconds (wall clock) since the last frame was processed, or since the session began."""
        with self._lock:
            last = self._proc_times[-1] if self._proc_times else self._created
        return time.perf_counter() - last

    @property
    def reps(self) -> tuple[LiveRep, ...]:
        with self._lock:
            return tuple(self._reps)

    @property
    def analysis_error(self) -> str | None:
        """The last window analysis's error (None when it went through)."""
        with self._lock:
            return self._analysis_error

    def status(self) -> LiveStatus:
        with self._lock:
            spec = self._drill_now
            return LiveStatus(
                frames_seen=self._frames_seen, frames_processed=self._frames_processed,
                frames_with_pose=self._frames_with_pose, reps=len(self._reps),
                drill=None if spec is None else spec.name, drill_title=None if spec is None else spec.title,
                drill_confidence=self._drill_conf, cue=None if self._cue is None else self._cue[3],
                person_in_view=self._person_in_view, fps=self._fps(), latency_ms_p50=self._latency(50),
                ended=self._closed, last_rep_score=self._reps[-1].score if self._reps else None,
            )

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Wait until no window analysis is pending or running (background mode); True if idle."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            with self._lock:
                if not self._busy and self._pending is None:
                    return True
            time.sleep(0.01)
        return False

    def summary(self) -> LiveSummary:
        """The session so far: counts, timing, every counted rep, and the analysis of the whole
        session's pose (computed once per new frame count; may take a moment on a long session)."""
        with self._lock:
            if self._summary is not None and self._summary_frames == self._frames_processed:
                return self._summary
            spec = self._spec if self._spec is not None else self._drill_now
            size = self._size
            seq = None if size is None else self._history.sequence(None, *size)
            frames = self._frames_processed
            duration = 0.0 if self._t_first is None or self._t_last is None else self._t_last - self._t_first
            base = dict(frames_seen=self._frames_seen, frames_processed=frames,
                        frames_with_pose=self._frames_with_pose, duration_s=duration,
                        fps=frames / duration if duration > 0 else 0.0,
                        latency_ms_p50=self._latency(50), latency_ms_p95=self._latency(95), reps=tuple(self._reps))
        report, message = None, None
        if seq is None:
            message = "no frames were processed"
        else:
            from formcheck.analyze import AUTO as ANALYZE_AUTO
            from formcheck.analyze import analyze_sequence

            try:
                report = analyze_sequence(seq, spec if spec is not None else ANALYZE_AUTO, model=self.settings.model)
            except FormcheckError as exc:
                message = str(exc)
        out = LiveSummary(drill=None if spec is None else spec.name, report=report, message=message, **base)
        with self._lock:
            self._summary, self._summary_frames = out, frames
        return out

    # ------------------------------------------------------------------ lifecycle
    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release the pose model and the analysis thread (idempotent); the pose history stays for
        :meth:`summary`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        with self._est_lock:
            est, self._estimator = self._estimator, None
        if est is not None:
            est.close()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout=5.0)

    def __enter__(self) -> "LiveSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
