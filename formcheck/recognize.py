"""Which drill, and where each drill starts and ends in a warm-up clip.

Recognition works on the motion alone, from the per-frame signals of
:func:`formcheck.measure.frame_series` (side view):

1. :func:`motion_features` reduces a stretch of a cleaned :class:`~formcheck.sequence.PoseSequence`
   to a few scale-free numbers (:data:`FEATURES`): the rhythm of the thighs (cadence and how
   regular it is), knee lift, thigh swing, how still the thighs are, knee flexion, the hips'
   travel over the ground and bounce in leg lengths, the hop (bounce over the squared cycle
   time), where in the bounce the support passes from foot to foot (at the bottom in walking,
   marching and skipping -- step, then hop on the same foot -- at the top in running),
   single-leg holds, heel raises with the feet down, and the share of frames in flight.
2. Each state in :data:`PROTOTYPES` -- the drills, plus ``walk`` and ``stand`` for the
   transitions of a warm-up -- is a table of the range each feature is expected in. A feature
   ``u`` scale units outside its range costs ``u**2 / 2`` (growing linearly beyond
   :data:`HUBER_UNITS`, so one far-off feature does not outweigh all the others); a state's cost
   is the sum over the features it constrains: a nearest-prototype rule with box-shaped
   prototypes.
3. :func:`recognize` picks the cheapest state. Its confidence is the state's share of
   ``exp(-cost)`` over all states -- it falls as the runner-up's cost approaches the winner's --
   times a fit factor that falls when even the winner lies far outside its ranges.
4. :func:`segment` labels sliding windows (:data:`WINDOW_S` long, every :data:`HOP_S`) with
   the same costs plus an ``unknown`` state of fixed cost, and smooths the labels with a Viterbi
   path that pays :data:`SWITCH_COST` for each change. Each change is then moved to where the
   motion changes: a least-squares split of per-frame motion envelopes (thigh swing, knee bend,
   travel, bounce, heel rise, foot contact) into two steady pieces, the fit seeing the motion
   from the middle of the run before to the middle of the run after. Walking, standing and
   unknown stretches are dropped; each drill stretch is recognised again as a whole (without
   its ends) and kept if it is a drill and lasts ``min_segment_s``.

Pose-model output is rougher than clean landmarks: the feet jitter (so foot contact is judged
against a percentile floor, see :func:`_reground`, and the share of frames in flight is reported
but not relied on), the far leg is sometimes lost (one leg then stands for both), and the hip
landmark moves with the thigh (so bounce and hop ranges are wide).

The prototype ranges are data: they were set from the movement each drill asks for and checked
against the feature ranges of synthetic clips (:mod:`formcheck.synth.motion`, printed by
``python benchmarks/recognition.py --fit``) drawn with seeds 10000 and up, and against MediaPipe
output on rendered clips (``formcheck render``; ``benchmarks/recognition.py --videos``). The
benchmark scores synthetic clips from seed 20000 up and the tests use their own seeds below 1000
and their own parameter values, so no synthetic clip that informed a range is scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d, percentile_filter, uniform_filter1d

from formcheck import kinematics as K
from formcheck.errors import ClipTooShortError, FormcheckError
from formcheck.events import runs
from formcheck.landmarks import Landmark
from formcheck.measure import ViewEstimate, detect_view, frame_series
from formcheck.sequence import PoseSequence

__all__ = [
    "DRILL_NAMES",
    "FEATURES",
    "FEATURE_NAMES",
    "HOP_S",
    "NON_DRILL_STATES",
    "PROTOTYPES",
    "STATE_NAMES",
    "SWITCH_COST",
    "UNKNOWN",
    "WINDOW_S",
    "DrillGuess",
    "FeatureSpec",
    "Prototype",
    "Recognition",
    "Segment",
    "drill_names",
    "motion_features",
    "recognize",
    "segment",
    "state_costs",
]

#: The drills recognition knows (the registry's names, see :func:`drill_names`).
DRILL_NAMES = ("a-skip", "high-knees", "march", "butt-kicks", "skip", "strides", "calf-raises",
               "single-leg-balance")
#: Label of a stretch that fits no state (and of a clip that is no drill).
UNKNOWN = "unknown"

#: Sliding windows of :func:`segment`: length and hop, seconds.
WINDOW_S = 3.0
HOP_S = 0.5
#: Cost of the ``unknown`` state in a window (a state costing more than this fits worse than nothing).
UNKNOWN_COST = 6.0
#: A run of windows shorter than this (seconds) is a transition, not a drill.
MIN_RUN_S = 1.5
#: Viterbi cost of changing state between two consecutive windows.
SWITCH_COST = 3.0
#: Costs up to this are a full fit; above it the confidence falls as ``exp(-(cost - FIT_COST))``.
FIT_COST = 1.5
#: A feature this many scale units outside its range costs ``u**2 / 2``; beyond, the cost grows
#: linearly, so one far-off feature does not outweigh all the others.
HUBER_UNITS = 2.0
#: Cost of a feature a state constrains but that could not be measured (e.g. no rhythm at all).
MISSING_COST = 2.0
#: Least motion (thigh range, deg) for the thighs' rhythm to be measured at all.
MIN_RHYTHM_RANGE_DEG = 8.0
#: Thigh-rhythm search range: shortest and longest leg cycle, seconds.
MIN_CYCLE_S = 0.3
MAX_CYCLE_S = 2.4
#: Resampling rate for the rhythm analysis, Hz.
RHYTHM_GRID_HZ = 30.0
#: A thigh turning slower than this (deg/s) counts as still.
STILL_DEG_S = 40.0
#: Foot contact: a foot whose lowest point is within this many leg lengths of the floor is on it;
#: the floor is the lower foot's GROUND_PCT percentile level over GROUND_WINDOW_S (see _reground).
CONTACT_HEIGHT_FRAC = 0.04
GROUND_PCT = 5.0
GROUND_WINDOW_S = 1.5
#: A single-leg hold lasts at least HOLD_MIN_S; the free foot may dip for up to HOLD_BREAK_S (s).
HOLD_MIN_S = 1.0
HOLD_BREAK_S = 0.2
#: The support passes to the other foot when that foot is lower by this many leg lengths.
SWITCH_MARGIN_FRAC = 0.01
#: Heel rise is averaged over this long before its range is taken (a calf raise takes 1-3 s).
HEEL_SMOOTH_S = 0.25
#: Placing a boundary: how far from the windows' change it is searched, how much motion beyond
#: that the fit sees, and the width of the motion envelopes (about one leg cycle, within these
#: limits), seconds.
REFINE_REACH_S = 1.5
REFINE_PAD_S = 1.5
RUN_EDGE_S = 1.0
ENVELOPE_MIN_S = 0.6
ENVELOPE_MAX_S = 2.0
#: How much of the motion's variance a boundary must explain to move the full reach from where the
#: windows changed (less for a shorter move, as the square of the distance).
REFINE_PRIOR_FRAC = 0.05
#: The shortest piece a boundary fit may leave, and the least time between boundaries (seconds).
MIN_PIECE_S = 0.5

#: A drill segment is checked by recognising it without this much at each end (seconds).
SEGMENT_TRIM_S = 0.5

_SIDES = ("left", "right")
_GAP = "gap"   # walking, standing or unknown between drills (internal label)


# ============================================================================ result types
@dataclass(frozen=True)
class DrillGuess:
    """One candidate drill and how sure recognition is of it (0..1)."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Recognition:
    """The drill a clip shows (a registered name, or ``"unknown"`` when the motion is walking,
    standing or no drill), the confidence 0..1, the other drills best first, and the motion
    features the decision rests on (see :data:`FEATURES`)."""

    drill: str
    confidence: float
    alternatives: tuple[DrillGuess, ...]
    features: dict[str, float]


@dataclass(frozen=True)
class Segment:
    """One drill in a warm-up clip: frames ``start_frame`` to ``end_frame`` (exclusive) and the
    times of those frames' edges (``start_s`` = the first frame's timestamp, ``end_s`` = the last
    frame's timestamp plus one frame interval)."""

    drill: str
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    confidence: float


# ============================================================================ tables
@dataclass(frozen=True)
class FeatureSpec:
    """One motion feature: its unit, the ``scale`` that counts as one unit of mismatch, and its meaning."""

    name: str
    unit: str
    scale: float
    description: str


#: The motion features, in the order :func:`motion_features` reports them.
FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("cadence_spm", "spm", 15.0,
                "lifts or steps per minute, both legs counted, from the dominant period of the thighs' "
                "left-minus-right angle"),
    FeatureSpec("rhythm_frac", "frac", 0.1,
                "how regular that rhythm is: correlation of the thigh signal with itself one cycle later"),
    FeatureSpec("knee_lift_deg", "deg", 8.0,
                "higher leg's 95th percentile of the thigh angle from the downward vertical (90 = horizontal)"),
    FeatureSpec("thigh_range_deg", "deg", 8.0,
                "mean over legs of the thigh angle's 5th-95th percentile range (how much the thighs swing)"),
    FeatureSpec("still_frac", "frac", 0.1,
                f"share of the time both thighs turn slower than {STILL_DEG_S:g} deg/s (held or standing legs)"),
    FeatureSpec("knee_flexion_deg", "deg", 10.0,
                "higher leg's 95th percentile of knee flexion (180 - hip-knee-ankle angle)"),
    FeatureSpec("travel_lps", "lps", 0.3,
                "hip speed over the ground (a panning camera taken out), leg lengths per second"),
    FeatureSpec("bounce_frac", "frac", 0.012,
                "vertical hip motion: median over cycles of its peak-to-peak range, leg lengths"),
    FeatureSpec("hop_lps2", "lps2", 0.008,
                "bounce over the squared leg-cycle period, leg lengths per s^2: for the same share of time in "
                "the air a slower rhythm bounces higher (as the period squared), so this compares hops across "
                "cadences (a skip's hop is bigger than an A-skip's)"),
    FeatureSpec("flight_frac", "frac", 0.06,
                "share of frames with both feet off the ground (reported, not used: a hop lifts the feet only "
                "a few centimetres, and a pose model's feet jitter by as much)"),
    FeatureSpec("switch_height_frac", "frac", 0.15,
                "where in the hip's bounce the support passes from one foot to the other: near 0 at the "
                "bottom (walking, marching, the step before a skip's hop), near 1 at the top (running: in "
                "the air between the feet)"),
    FeatureSpec("hold_frac", "frac", 0.12,
                "share of the time in single-leg holds (one foot off the ground for at least 1 s)"),
    FeatureSpec("heel_raise_frac", "frac", 0.04,
                "5th-95th percentile range of the lower heel's rise above its toe (foot lengths) while both "
                "feet are on the ground"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
_SCALE = {f.name: f.scale for f in FEATURES}


@dataclass(frozen=True)
class Prototype:
    """A state's expected motion: for each feature it constrains, the ``(low, high)`` range.

    ``is_drill`` is False for the states between drills (walking, standing)."""

    name: str
    is_drill: bool
    ranges: Mapping[str, tuple[float, float]]

    def __post_init__(self) -> None:
        for k, (lo, hi) in self.ranges.items():
            if k not in _SCALE:
                raise ValueError(f"prototype {self.name!r}: unknown feature {k!r}; valid: {', '.join(FEATURE_NAMES)}")
            if not lo <= hi:
                raise ValueError(f"prototype {self.name!r}: empty range for {k}: ({lo}, {hi})")
        object.__setattr__(self, "ranges", MappingProxyType(dict(self.ranges)))


#: Expected feature ranges per state. Ranges cover good form and the usual faults (an A-skip with
#: low knees, strides with a hip bend, a march that leans) at 30-60 fps, both facings, 1-3 px noise,
#: and MediaPipe's output on rendered clips. A feature a state does not name is free for it.
PROTOTYPES: tuple[Prototype, ...] = (
    Prototype("a-skip", True, {
        "cadence_spm": (115, 170), "rhythm_frac": (0.7, 1), "knee_lift_deg": (55, 105),
        "thigh_range_deg": (45, 105), "knee_flexion_deg": (90, 125), "travel_lps": (0.25, 1.4),
        "bounce_frac": (0.03, 0.09), "hop_lps2": (0.04, 0.1), "switch_height_frac": (0.0, 0.3),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1), "heel_raise_frac": (0.0, 0.1),
    }),
    Prototype("skip", True, {
        "cadence_spm": (112, 155), "rhythm_frac": (0.7, 1), "knee_lift_deg": (42, 75),
        "thigh_range_deg": (28, 90), "knee_flexion_deg": (62, 95), "travel_lps": (0.0, 2),
        "bounce_frac": (0.055, 0.13), "hop_lps2": (0.075, 0.135), "switch_height_frac": (0.0, 0.3),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1), "heel_raise_frac": (0.0, 0.1),
    }),
    Prototype("high-knees", True, {
        "cadence_spm": (130, 225), "rhythm_frac": (0.7, 1), "knee_lift_deg": (60, 105),
        "thigh_range_deg": (52, 105), "knee_flexion_deg": (88, 122), "travel_lps": (0.0, 1),
        "bounce_frac": (0.025, 0.1), "hop_lps2": (0.055, 0.135), "switch_height_frac": (0.8, 1),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1), "heel_raise_frac": (0.0, 0.1),
    }),
    Prototype("march", True, {
        "cadence_spm": (85, 145), "rhythm_frac": (0.7, 1), "knee_lift_deg": (57, 100),
        "thigh_range_deg": (55, 108), "knee_flexion_deg": (72, 110), "travel_lps": (0.0, 0.85),
        "bounce_frac": (0.0, 0.03), "hop_lps2": (0.0, 0.035), "switch_height_frac": (0.1, 0.55),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1), "heel_raise_frac": (0.0, 0.1),
    }),
    Prototype("butt-kicks", True, {
        "cadence_spm": (135, 225), "rhythm_frac": (0.7, 1), "knee_lift_deg": (5, 55),
        "thigh_range_deg": (8, 62), "knee_flexion_deg": (105, 165), "travel_lps": (0.0, 1.2),
        "bounce_frac": (0.02, 0.08), "hop_lps2": (0.045, 0.13), "switch_height_frac": (0.8, 1),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1), "heel_raise_frac": (0.0, 0.1),
    }),
    Prototype("strides", True, {
        "cadence_spm": (155, 205), "rhythm_frac": (0.7, 1), "knee_lift_deg": (45, 80),
        "thigh_range_deg": (38, 100), "knee_flexion_deg": (95, 140), "travel_lps": (2.8, 7.5),
        "bounce_frac": (0.04, 0.16), "hop_lps2": (0.12, 0.32), "switch_height_frac": (0.8, 1),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1),
    }),
    Prototype("calf-raises", True, {
        "rhythm_frac": (0.0, 0.4), "thigh_range_deg": (0, 8), "knee_lift_deg": (-15, 12),
        "knee_flexion_deg": (0, 25), "travel_lps": (0.0, 0.05), "heel_raise_frac": (0.12, 0.6),
        "still_frac": (0.5, 1), "hold_frac": (0.0, 0.05),
    }),
    Prototype("single-leg-balance", True, {
        "rhythm_frac": (0.0, 0.4), "knee_lift_deg": (25, 110), "travel_lps": (0.0, 0.06),
        "bounce_frac": (0.0, 0.03), "still_frac": (0.5, 1), "hold_frac": (0.3, 1),
    }),
    Prototype("walk", False, {
        "cadence_spm": (90, 135), "rhythm_frac": (0.7, 1), "knee_lift_deg": (20, 46),
        "thigh_range_deg": (30, 65), "knee_flexion_deg": (40, 78), "travel_lps": (0.9, 2.2),
        "bounce_frac": (0.05, 0.13), "hop_lps2": (0.04, 0.11), "switch_height_frac": (0.0, 0.65),
        "still_frac": (0.0, 0.35), "hold_frac": (0.0, 0.1),
    }),
    Prototype("stand", False, {
        "rhythm_frac": (0.0, 0.4), "thigh_range_deg": (0, 8), "knee_lift_deg": (-10, 12),
        "knee_flexion_deg": (0, 25), "travel_lps": (0.0, 0.05), "bounce_frac": (0.0, 0.03),
        "still_frac": (0.5, 1), "hold_frac": (0.0, 0.05), "heel_raise_frac": (0.0, 0.1),
    }),
)
_PROTO = {p.name: p for p in PROTOTYPES}
STATE_NAMES: tuple[str, ...] = tuple(p.name for p in PROTOTYPES)
#: States between drills in a warm-up; never reported as a drill.
NON_DRILL_STATES: tuple[str, ...] = tuple(p.name for p in PROTOTYPES if not p.is_drill)


def drill_names() -> tuple[str, ...]:
    """The registered drills (:func:`formcheck.drills.list_drills`) -- the names recognition reports."""
    try:
        from formcheck.drills import list_drills
    except ImportError:  # the drill registry is not part of this build
        return DRILL_NAMES
    return tuple(list_drills())


# ============================================================================ signals
@dataclass(frozen=True)
class _Signals:
    """The per-frame signals recognition uses (internal); angles forward-signed for ``forward = +1``."""

    t: np.ndarray
    thigh: np.ndarray           # (2, n) deg, left/right, forward positive (or unsigned elevation)
    thigh_signed: bool          # False when only the unsigned elevation is known (no side view)
    flexion: np.ndarray         # (2, n) deg, NaN outside a side view
    foot_height: np.ndarray     # (2, n) lowest foot point above the ground line, leg lengths
    contact: np.ndarray         # (2, n) bool, foot within CONTACT_HEIGHT_FRAC of the floor
    flight: np.ndarray          # (n,) bool, both feet seen and off the floor
    heel_rise: np.ndarray       # (2, n) foot lengths
    hip_y: np.ndarray           # (n,) leg lengths, up positive
    ground_speed: np.ndarray    # (n,) hip speed over the ground, leg lengths / s, forward positive
    facing_cue: np.ndarray      # (n,) > 0 where the athlete faces the direction the series assume


def _as_view(view: ViewEstimate | None, seq: PoseSequence) -> ViewEstimate:
    if view is None:
        return detect_view(seq)
    if not isinstance(view, ViewEstimate):
        raise FormcheckError(f"view must be a formcheck.measure.ViewEstimate or None, got {type(view).__name__}")
    return view


def _signals(seq: PoseSequence, view: ViewEstimate) -> _Signals:
    """Per-frame signals from :func:`formcheck.measure.frame_series`; signed angles assume ``view``'s facing."""
    if view.view == "side" and view.facing not in ("left", "right"):
        view = ViewEstimate("side", "right", view.confidence)
    s = frame_series(seq, view)
    n = len(seq)
    thigh = np.stack([s[f"{k}_thigh_deg"] for k in _SIDES])
    signed = bool(np.isfinite(thigh).mean() > 0.5) if n else False
    if not signed:
        thigh = np.stack([s[f"{k}_thigh_elevation_deg"] for k in _SIDES])
    flexion = np.stack([s[f"{k}_knee_flexion_deg"] for k in _SIDES])
    t = np.asarray(seq.t_s, dtype=np.float64)
    foot_h = _reground(t, np.stack([np.asarray(s[f"{k}_foot_height_frac"], dtype=np.float64) for k in _SIDES]))
    known = np.isfinite(foot_h)
    with np.errstate(invalid="ignore"):
        contact = known & (foot_h < CONTACT_HEIGHT_FRAC)
    flight = known.all(axis=0) & ~contact.any(axis=0)
    heel = np.stack([s[f"{k}_heel_rise_frac"] for k in _SIDES])
    sign = -1.0 if (view.view == "side" and view.facing == "left") else 1.0
    return _Signals(t=t, thigh=thigh, thigh_signed=signed, flexion=flexion,
                    foot_height=foot_h, contact=contact, flight=flight, heel_rise=heel,
                    hip_y=np.asarray(s["hip_y_frac"], dtype=np.float64),
                    ground_speed=np.asarray(s["hip_speed_lps"], dtype=np.float64), facing_cue=_facing_cue(seq) * sign)


def _reground(t: np.ndarray, foot_h: np.ndarray) -> np.ndarray:
    """Foot heights (2, n) measured from a steadier floor: the lower foot's low level
    (:data:`GROUND_PCT` percentile) over :data:`GROUND_WINDOW_S` around each frame.

    The ground line of :func:`formcheck.measure.frame_series` is the lowest foot point over a few
    seconds, so one frame where the pose model puts a foot too low lifts every other frame off
    the floor; a low percentile of the lower foot ignores such a frame.
    """
    low = np.fmin(foot_h[0], foot_h[1])
    ok = np.isfinite(low)
    if ok.sum() < 3:
        return foot_h
    dt = float(np.median(np.diff(t)))
    w = max(3, int(round(GROUND_WINDOW_S / dt)) | 1)
    base = percentile_filter(np.interp(t, t[ok], low[ok]), GROUND_PCT, size=w, mode="nearest")
    return foot_h - base


def _facing_cue(seq: PoseSequence) -> np.ndarray:
    """Per frame, + where the athlete faces image right, - where left (0 where unknown).

    The per-frame form of :func:`formcheck.measure.detect_view`'s facing cue: the toes' and
    the nose's horizontal offsets from the heels and the ears, summed.
    """
    xy = seq.xy
    toes = K.nanmean_points([xy[:, Landmark.LEFT_FOOT_INDEX], xy[:, Landmark.RIGHT_FOOT_INDEX]])
    heels = K.nanmean_points([xy[:, Landmark.LEFT_HEEL], xy[:, Landmark.RIGHT_HEEL]])
    ears = K.nanmean_points([xy[:, Landmark.LEFT_EAR], xy[:, Landmark.RIGHT_EAR]])
    return np.nan_to_num(toes[:, 0] - heels[:, 0]) + np.nan_to_num(xy[:, Landmark.NOSE, 0] - ears[:, 0])


# ============================================================================ features
def _pct(x: np.ndarray, q: list[float]) -> np.ndarray:
    x = x[np.isfinite(x)]
    return np.percentile(x, q) if x.size else np.full(len(q), np.nan)


def _rhythm(t: np.ndarray, thigh: np.ndarray) -> tuple[float, float]:
    """Leg-cycle period (s) and regularity (0..1) of the thighs' left-minus-right angle (of the
    one thigh that is seen, when the other is hidden for most of the stretch).

    The signal is resampled evenly at :data:`RHYTHM_GRID_HZ`; the period is the lag of the
    highest peak of its normalised autocorrelation between :data:`MIN_CYCLE_S` and
    :data:`MAX_CYCLE_S` (the first peak within 85 % of it, so a multiple of the period is not
    taken); the regularity is the correlation at that lag.
    """
    x = thigh[0] - thigh[1]
    ok = np.isfinite(x)
    if ok.sum() < 0.5 * len(x):      # one leg hidden: that leg's cycle is the other's
        counts = np.isfinite(thigh).sum(axis=1)
        x = thigh[int(np.argmax(counts))]
        ok = np.isfinite(x)
    if ok.sum() < 4:
        return np.nan, 0.0
    grid = np.arange(t[0], t[-1] + 1e-9, 1.0 / RHYTHM_GRID_HZ)
    d = np.interp(grid, t[ok], x[ok])
    d = d - d.mean()
    m = d.size
    lo = int(round(MIN_CYCLE_S * RHYTHM_GRID_HZ))
    hi = min(int(round(MAX_CYCLE_S * RHYTHM_GRID_HZ)), int(0.6 * m))
    if hi <= lo + 2:
        return np.nan, 0.0
    # Pearson correlation of d[:-k] with d[k:] for every lag k, from running sums
    cs = np.concatenate(([0.0], np.cumsum(d)))
    cs2 = np.concatenate(([0.0], np.cumsum(d * d)))
    lags = np.arange(hi + 2)
    nk = (m - lags).astype(np.float64)
    sab = np.correlate(d, d, mode="full")[m - 1:m + hi + 1]
    sa, sb = cs[m - lags], cs[m] - cs[lags]
    saa, sbb = cs2[m - lags], cs2[m] - cs2[lags]
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sab / nk - (sa / nk) * (sb / nk)
        var = (saa / nk - (sa / nk) ** 2) * (sbb / nk - (sb / nk) ** 2)
        r = np.where(var > 1e-12, cov / np.sqrt(np.maximum(var, 1e-300)), 0.0)
    ks = np.arange(lo, hi + 1)
    peaks = ks[(r[ks] >= r[ks - 1]) & (r[ks] >= r[ks + 1])]
    if peaks.size == 0 or float(np.max(r[peaks])) <= 0:
        return np.nan, 0.0
    best = float(np.max(r[peaks]))
    k = int(peaks[np.argmax(r[peaks] >= 0.85 * best)])
    y0, y1, y2 = r[k - 1], r[k], r[k + 1]
    den = y0 - 2 * y1 + y2
    shift = float(np.clip(0.5 * (y0 - y2) / den, -0.5, 0.5)) if den < 0 else 0.0
    return (k + shift) / RHYTHM_GRID_HZ, float(np.clip(y1, 0.0, 1.0))


def _support_switches(foot_h: np.ndarray) -> np.ndarray:
    """Frames where the support passes to the other foot: that foot becomes the lower one by
    :data:`SWITCH_MARGIN_FRAC` leg lengths (hysteresis, so two feet flat on the floor do not flicker)."""
    h = np.where(np.isfinite(foot_h), foot_h, np.inf)
    cur = -1
    out = []
    for i in range(h.shape[1]):
        if not np.isfinite(h[:, i]).all():
            continue
        if cur < 0:
            cur = int(h[1, i] < h[0, i])
            continue
        o = 1 - cur
        if h[o, i] < h[cur, i] - SWITCH_MARGIN_FRAC:
            cur = o
            out.append(i)
    return np.asarray(out, dtype=np.intp)


def _bounce(t: np.ndarray, hip_y: np.ndarray, period_s: float) -> float:
    """Median over leg cycles of the hip's peak-to-peak vertical range (leg lengths)."""
    per = period_s if np.isfinite(period_s) else 1.0
    ok = np.isfinite(hip_y)
    if ok.sum() < 3:
        return float("nan")
    edges = np.arange(t[0], t[-1] - 0.5 * per + 1e-9, per) if t[-1] - t[0] >= per else np.array([t[0]])
    vals = []
    for e in edges:
        sel = ok & (t >= e) & (t < e + per)
        if sel.sum() >= 3:
            vals.append(float(np.ptp(hip_y[sel])))
    return float(np.median(vals)) if vals else float("nan")


def _switch_height(t: np.ndarray, hip_y: np.ndarray, switches: np.ndarray, period_s: float) -> float:
    """Median over support switches of the hip's height then, within its range over the
    surrounding half cycle (0 = lowest, 1 = highest)."""
    if switches.size == 0:
        return float("nan")
    half = float(np.clip(0.5 * period_s, 0.2, 0.6)) if np.isfinite(period_s) else 0.35
    ranks = []
    for i in switches:
        if not np.isfinite(hip_y[i]):
            continue
        sel = (t >= t[i] - half / 2 - 1e-9) & (t <= t[i] + half / 2 + 1e-9)
        y = hip_y[sel]
        y = y[np.isfinite(y)]
        lo, hi = (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
        if hi - lo > 1e-9:
            ranks.append((hip_y[i] - lo) / (hi - lo))
    return float(np.median(ranks)) if ranks else float("nan")


def _smooth(t: np.ndarray, x: np.ndarray, width_s: float) -> np.ndarray:
    """Moving average over ``width_s`` (NaN bridged linearly first; all-NaN stays NaN)."""
    ok = np.isfinite(x)
    if ok.sum() < 2 or len(t) < 3:
        return x
    w = max(1, int(round(width_s / float(np.median(np.diff(t))))))
    return uniform_filter1d(np.interp(t, t[ok], x[ok]), w, mode="nearest")


def _still(t: np.ndarray, thigh: np.ndarray) -> float:
    """Share of the time the thighs that are seen turn slower than :data:`STILL_DEG_S`."""
    if len(t) < 3:
        return float("nan")
    speed = []
    for x in thigh:
        ok = np.isfinite(x)
        if ok.sum() >= max(3, 0.5 * len(x)):
            speed.append(np.abs(np.gradient(np.interp(t, t[ok], x[ok]), t)))
    if not speed:
        return float("nan")
    return float(np.mean(np.max(speed, axis=0) < STILL_DEG_S))


def _hold_s(down: np.ndarray, t: np.ndarray) -> float:
    """Time spent in single-leg holds: one foot down and the other up, the same foot throughout,
    for at least :data:`HOLD_MIN_S` (dips of the free foot shorter than :data:`HOLD_BREAK_S`
    bridged). Alternating steps, however quick, are never a hold."""
    total = 0.0
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    for i in range(2):
        stance = down[i] & ~down[1 - i]
        start, stop = runs(stance)
        # bridge short breaks between stretches on the same foot
        merged: list[list[int]] = []
        for s0, s1 in zip(start, stop):
            if merged and t[s0] - t[merged[-1][1] - 1] - dt <= HOLD_BREAK_S:
                merged[-1][1] = s1
            else:
                merged.append([int(s0), int(s1)])
        for s0, s1 in merged:
            span = float(t[s1 - 1] - t[s0] + dt)
            if span >= HOLD_MIN_S:
                total += span
    return total


def _features(sig: _Signals, a: int, b: int, forward: float) -> dict[str, float]:
    """The motion features of frames ``a:b`` (see :data:`FEATURES`)."""
    t = sig.t[a:b]
    nan = float("nan")
    out = dict.fromkeys(FEATURE_NAMES, nan)
    if b - a < 3:
        return out
    dur = float(t[-1] - t[0] + np.median(np.diff(t)))
    thigh = sig.thigh[:, a:b] * (forward if sig.thigh_signed else 1.0)
    q = np.array([_pct(thigh[i], [5.0, 95.0]) for i in range(2)])
    if np.isfinite(q[:, 1]).any():
        out["knee_lift_deg"] = float(np.nanmax(q[:, 1]))
        out["thigh_range_deg"] = float(np.nanmean(q[:, 1] - q[:, 0]))
    out["still_frac"] = _still(t, thigh)
    flex = np.array([_pct(sig.flexion[i, a:b], [95.0])[0] for i in range(2)])
    if np.isfinite(flex).any():
        out["knee_flexion_deg"] = float(np.nanmax(flex))

    period, regular = nan, 0.0
    if np.isfinite(out["thigh_range_deg"]) and out["thigh_range_deg"] >= MIN_RHYTHM_RANGE_DEG:
        period, regular = _rhythm(t, thigh)
    out["rhythm_frac"] = regular
    out["cadence_spm"] = 120.0 / period if np.isfinite(period) else nan

    v = sig.ground_speed[a:b]
    v = v[np.isfinite(v)]
    out["travel_lps"] = float(abs(np.median(v))) if v.size >= 3 else 0.0
    hy = sig.hip_y[a:b]
    out["bounce_frac"] = _bounce(t, hy, period)
    out["hop_lps2"] = out["bounce_frac"] / period ** 2 if np.isfinite(period) else nan
    out["flight_frac"] = float(np.mean(sig.flight[a:b]))
    out["switch_height_frac"] = _switch_height(t, hy, _support_switches(sig.foot_height[:, a:b]), period)
    # a foot that is not seen counts as down: it can hold the athlete up, never be the lifted one
    known = np.isfinite(sig.foot_height[:, a:b])
    down = sig.contact[:, a:b] | ~known
    out["hold_frac"] = _hold_s(down, t) / dur
    # heel raise: the lower heel of the feet that are seen, while all of them are down
    seen = known.any(axis=0) & down.all(axis=0)
    if seen.mean() >= 0.2:
        heel = np.where(known, sig.heel_rise[:, a:b], np.nan)
        with np.errstate(all="ignore"):
            low = np.nanmin(np.where(np.isfinite(heel), heel, np.inf), axis=0)
        low = _smooth(t, np.where(np.isfinite(low), low, np.nan), HEEL_SMOOTH_S)[seen]
        q2 = _pct(low, [5.0, 95.0])
        out["heel_raise_frac"] = float(q2[1] - q2[0]) if np.isfinite(q2).all() else nan
    else:
        out["heel_raise_frac"] = 0.0
    return out


def _forward(sig: _Signals, a: int, b: int) -> float:
    """+1 when the athlete faces the series' forward direction in frames ``a:b``, else -1."""
    cue = sig.facing_cue[a:b]
    cue = cue[cue != 0]
    return -1.0 if cue.size and float(np.median(cue)) < 0 else 1.0


# ============================================================================ scoring
def state_costs(features: Mapping[str, float], states: tuple[str, ...] = STATE_NAMES) -> dict[str, float]:
    """Each state's cost for ``features``: the sum over the features its prototype constrains of
    ``u**2 / 2``, ``u`` being the distance outside the range in units of the feature's scale
    (linear beyond :data:`HUBER_UNITS`: ``H * (u - H / 2)``); :data:`MISSING_COST` for a
    constrained feature that is NaN."""
    out = {}
    for name in states:
        p = _PROTO[name]
        c = 0.0
        for k, (lo, hi) in p.ranges.items():
            x = features.get(k, math.nan)
            if x is None or not math.isfinite(x):
                c += MISSING_COST
                continue
            u = ((lo - x) if x < lo else (x - hi) if x > hi else 0.0) / _SCALE[k]
            c += 0.5 * u * u if u <= HUBER_UNITS else HUBER_UNITS * (u - 0.5 * HUBER_UNITS)
        out[name] = c
    return out


def _shares(costs: Mapping[str, float]) -> dict[str, float]:
    best = min(costs.values())
    w = {k: math.exp(-(v - best)) for k, v in costs.items()}
    tot = sum(w.values())
    return {k: v / tot for k, v in w.items()}


def _fit(cost: float) -> float:
    return math.exp(-max(0.0, cost - FIT_COST))


def _states(drills: tuple[str, ...]) -> tuple[str, ...]:
    known = tuple(d for d in drills if d in _PROTO)
    return known + NON_DRILL_STATES


# ============================================================================ public API
def motion_features(seq: PoseSequence, view: ViewEstimate | None = None) -> dict[str, float]:
    """The motion features (:data:`FEATURES`) of a whole cleaned sequence; NaN where not measurable."""
    _check(seq)
    v = _as_view(view, seq)
    sig = _signals(seq, v)
    return _features(sig, 0, len(seq), 1.0)


def recognize(seq: PoseSequence, view: ViewEstimate | None = None) -> Recognition:
    """Which drill a cleaned sequence shows (see the module docs).

    ``drill`` is ``"unknown"`` when walking or standing fits better than any drill; the
    alternatives are the other drills, most likely first. Raises :class:`ClipTooShortError`
    for fewer than 3 frames.
    """
    feats = motion_features(seq, view)
    drills = drill_names()
    states = _states(drills)
    costs = state_costs(feats, states)
    shares = _shares(costs)
    best_state = min(states, key=lambda s: costs[s])
    ranked = sorted((d for d in states if d in drills), key=lambda s: costs[s])
    fit = _fit(costs[best_state])
    if best_state in drills:
        drill, conf = best_state, shares[best_state] * fit
        others = ranked[1:]
    else:
        drill, conf = UNKNOWN, shares[best_state] * fit
        others = ranked
    alts = tuple(DrillGuess(d, round(shares[d] * _fit(costs[d]), 4)) for d in others)
    return Recognition(drill=drill, confidence=round(float(conf), 4), alternatives=alts, features=feats)


def _check(seq: PoseSequence) -> None:
    if not isinstance(seq, PoseSequence):
        raise FormcheckError(f"expected a PoseSequence, got {type(seq).__name__}")
    if len(seq) < 3:
        raise ClipTooShortError(f"the clip has {len(seq)} frames; recognising a drill needs at least a few seconds")


def segment(seq: PoseSequence, view: ViewEstimate | None = None, *, min_segment_s: float = 3.0) -> list[Segment]:
    """Split a whole warm-up clip (cleaned) into drill segments, in time order.

    Walking, standing and stretches that fit no drill are dropped, as are drill stretches shorter
    than ``min_segment_s``. A clip shorter than ``min_segment_s`` gives no segment.
    """
    _check(seq)
    if not (isinstance(min_segment_s, (int, float)) and math.isfinite(min_segment_s) and min_segment_s >= 0):
        raise FormcheckError(f"min_segment_s must be a non-negative number of seconds, got {min_segment_s!r}")
    v = _as_view(view, seq)
    sig = _signals(seq, v)
    t = sig.t
    n = len(seq)
    dt = float(np.median(np.diff(t)))
    total = float(t[-1] - t[0] + dt)
    if total < min_segment_s:
        return []
    drills = drill_names()
    states = _states(drills) + (UNKNOWN,)

    # 1. windows
    win = min(WINDOW_S, total)
    starts_s = np.arange(t[0], t[0] + total - win + 1e-9, HOP_S)
    if starts_s.size == 0:
        starts_s = np.array([t[0]])
    bounds = []
    for s0 in starts_s:
        a = int(np.searchsorted(t, s0 - 1e-9))
        b = int(np.searchsorted(t, s0 + win - 1e-9))
        bounds.append((min(a, n - 3), min(n, max(b, a + 3))))
    cost = np.empty((len(bounds), len(states)))
    window_cadence = np.empty(len(bounds))
    for i, (a, b) in enumerate(bounds):
        feats = _features(sig, a, b, _forward(sig, a, b))
        window_cadence[i] = feats["cadence_spm"]
        c = state_costs(feats, states[:-1])
        cost[i, :-1] = [c[s] for s in states[:-1]]
        cost[i, -1] = UNKNOWN_COST
    path = _viterbi(cost, SWITCH_COST)
    centres = np.array([0.5 * (t[a] + t[b - 1]) for a, b in bounds])

    # 2. runs of one state; neighbouring non-drill runs (walk, stand, unknown, and drill runs too
    #    short to be one) form one gap
    change = np.flatnonzero(np.diff(path)) + 1
    edges = [float(t[0])] + [0.5 * (centres[i - 1] + centres[i]) for i in change] + [float(t[-1] + dt)]
    first = np.r_[0, change]
    last = np.r_[change, len(path)]
    runs_: list[list] = []          # [label, start_s, end_s, first window, stop window]
    for j in range(len(first)):
        lab = states[path[first[j]]]
        short = len(first) > 1 and edges[j + 1] - edges[j] < MIN_RUN_S   # a few mixed windows at a change
        lab = lab if lab in drills and not short else _GAP
        if runs_ and runs_[-1][0] == _GAP and lab == _GAP:
            runs_[-1][2], runs_[-1][4] = edges[j + 1], last[j]
        else:
            runs_.append([lab, edges[j], edges[j + 1], first[j], last[j]])

    # 3. each boundary moved to the change point of the motion around it; the fit sees the motion of
    #    the runs before and after, but not within RUN_EDGE_S of their far ends (nor, for a short
    #    run, beyond its middle), so never the next change
    def width(*js: int) -> float:
        """About one leg cycle of the slower neighbouring drill."""
        out = ENVELOPE_MIN_S
        for j in js:
            if runs_[j][0] == _GAP:
                continue
            cad = window_cadence[runs_[j][3]:runs_[j][4]]
            cad = cad[np.isfinite(cad)]
            if cad.size:
                out = max(out, 120.0 / float(np.median(cad)))
        return float(min(out, ENVELOPE_MAX_S))

    times = [float(t[0])]
    reach = REFINE_REACH_S + REFINE_PAD_S
    for j in range(1, len(runs_)):
        c = runs_[j][1]
        before, after = runs_[j - 1], runs_[j]
        lo = max(c - reach, min(0.5 * (before[1] + before[2]), before[1] + RUN_EDGE_S), times[-1] + MIN_PIECE_S)
        hi = min(c + reach, max(0.5 * (after[1] + after[2]), after[2] - RUN_EDGE_S))
        times.append(_change_point(sig, lo, hi, c, width(j - 1, j)) if hi > lo else c)
    times.append(float(t[-1] + dt))
    labels = [r[0] for r in runs_]

    # 4. drill spans -> segments, each checked by recognising its interior as a whole
    out: list[Segment] = []
    for j, lab in enumerate(labels):
        if lab not in drills:
            continue
        s0, s1 = times[j], times[j + 1]
        if s1 - s0 < min_segment_s - 1e-9:
            continue
        f0 = max(0, int(np.searchsorted(t, s0 - 0.5 * dt)))
        f1 = min(n, int(np.searchsorted(t, s1 - 0.5 * dt)))
        trim = min(SEGMENT_TRIM_S, max(0.0, 0.5 * (s1 - s0 - WINDOW_S)))   # keep a full window
        a = int(np.searchsorted(t, s0 + trim - 0.5 * dt))
        b = int(np.searchsorted(t, s1 - trim - 0.5 * dt))
        if b - a < 3 or f1 <= f0:
            continue
        costs = state_costs(_features(sig, a, b, _forward(sig, a, b)), states[:-1])
        best = min(costs, key=costs.get)
        if best not in drills:
            continue
        conf = _shares(costs)[best] * _fit(costs[best])
        end_s = float(t[f1 - 1] + dt) if f1 == n else float(t[f1])
        seg = Segment(drill=best, start_frame=f0, end_frame=f1, start_s=float(t[f0]), end_s=end_s,
                      confidence=round(float(conf), 4))
        if out and out[-1].drill == best and out[-1].end_frame == f0:   # relabelled into its neighbour
            prev = out.pop()
            seg = Segment(best, prev.start_frame, f1, prev.start_s, end_s,
                          round(max(prev.confidence, seg.confidence), 4))
        out.append(seg)
    return out


# ============================================================================ segmentation helpers
def _viterbi(cost: np.ndarray, switch: float) -> np.ndarray:
    """Cheapest state path through ``cost`` (windows x states) with ``switch`` per change."""
    m, k = cost.shape
    acc = cost[0].copy()
    back = np.zeros((m, k), dtype=np.intp)
    for i in range(1, m):
        stay = acc
        j = int(np.argmin(acc))
        move = acc[j] + switch
        take_move = move < stay
        back[i] = np.where(take_move, j, np.arange(k))
        acc = np.where(take_move, move, stay) + cost[i]
    path = np.empty(m, dtype=np.intp)
    path[-1] = int(np.argmin(acc))
    for i in range(m - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _envelopes(sig: _Signals, a: int, b: int, width_s: float) -> np.ndarray:
    """Per-frame motion descriptors of frames ``a:b`` for placing a boundary, (b - a, k).

    Over a centred window of ``width_s`` (about one leg cycle, so a steady drill gives steady
    values): each thigh's range and mean angle, each knee's peak flexion, the hip's speed over
    the ground and its vertical range, the lower heel's mean rise, each foot's share of frames on
    the ground and the share in flight.
    """
    t = sig.t[a:b]
    dt = float(np.median(np.diff(t)))
    w = max(3, int(round(width_s / dt)) | 1)

    def fill(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        ok = np.isfinite(x)
        if ok.all() or not ok.any():
            return np.nan_to_num(x)
        return np.interp(t, t[ok], x[ok])

    def span(x: np.ndarray, width: int = w) -> np.ndarray:
        x = fill(x)
        return maximum_filter1d(x, width, mode="nearest") - minimum_filter1d(x, width, mode="nearest")

    def mean(x: np.ndarray) -> np.ndarray:
        return uniform_filter1d(fill(x), w, mode="nearest")

    cols = []
    for i in range(2):
        cols += [span(sig.thigh[i, a:b]), mean(sig.thigh[i, a:b]),
                 maximum_filter1d(fill(sig.flexion[i, a:b]), w, mode="nearest"),
                 mean(sig.contact[i, a:b].astype(np.float64))]
    heel = np.fmin(sig.heel_rise[0, a:b], sig.heel_rise[1, a:b])
    cols += [mean(sig.ground_speed[a:b]), span(sig.hip_y[a:b]), mean(heel), mean(sig.flight[a:b].astype(np.float64))]
    return np.stack(cols, axis=1)


#: The smallest difference that matters in each column of :func:`_envelopes` (its unit of mismatch).
_ENVELOPE_SCALE = np.array([
    2 * _SCALE["thigh_range_deg"], _SCALE["knee_lift_deg"], _SCALE["knee_flexion_deg"], 0.1,
    2 * _SCALE["thigh_range_deg"], _SCALE["knee_lift_deg"], _SCALE["knee_flexion_deg"], 0.1,
    _SCALE["travel_lps"], _SCALE["bounce_frac"], _SCALE["heel_raise_frac"], _SCALE["flight_frac"],
])


def _change_point(sig: _Signals, lo_s: float, hi_s: float, coarse_s: float, width_s: float) -> float:
    """The time within :data:`REFINE_REACH_S` of ``coarse_s`` that best splits the motion
    descriptors (:func:`_envelopes`) of ``[lo_s, hi_s]`` into two steady pieces, by least squares.

    Each descriptor is in units of its spread within the two ends of the stretch, but at least
    the smallest difference that matters (:data:`_ENVELOPE_SCALE`), so the descriptors that tell
    the two motions apart count most and a steady one is not blown up by a passing blip. Moving
    the split away from ``coarse_s`` costs a little (:data:`REFINE_PRIOR_FRAC`). ``coarse_s`` is
    returned when the stretch is too short to fit.
    """
    t = sig.t
    a = int(np.searchsorted(t, lo_s))
    b = int(np.searchsorted(t, hi_s))
    step = max(1, int(round(1.0 / (RHYTHM_GRID_HZ * float(np.median(np.diff(t)))))))   # ~30 samples/s
    margin = max(1, int(round(MIN_PIECE_S * RHYTHM_GRID_HZ)))
    if (b - a) // step < 2 * margin + 2:
        return coarse_s
    x = _envelopes(sig, a, b, width_s)[::step]
    tt = t[a:b][::step]
    m = len(x)
    q = max(2, m // 6)
    spread = np.sqrt(0.5 * (x[:q].var(axis=0) + x[-q:].var(axis=0)))
    x = x / np.maximum(spread, _ENVELOPE_SCALE)
    x = x - x.mean(axis=0)
    cs = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])       # cs[i] = sum of x[:i]
    i = np.arange(margin, m - margin + 1)
    at = 0.5 * (tt[i - 1] + tt[np.minimum(i, m - 1)])
    keep = np.abs(at - coarse_s) <= REFINE_REACH_S
    if not keep.any():
        return coarse_s
    i, at = i[keep], at[keep]
    # share of the variance two steady pieces explain, less the cost of moving from coarse_s
    explained = (np.sum(cs[i] ** 2, axis=1) / i + np.sum((cs[m] - cs[i]) ** 2, axis=1) / (m - i))
    gain = explained / (float(np.sum(x ** 2)) + 1e-9) - REFINE_PRIOR_FRAC * ((at - coarse_s) / REFINE_REACH_S) ** 2
    return float(at[int(np.argmax(gain))])
