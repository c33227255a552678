"""The measurement core: reps, per-rep metrics and per-frame signals of one clip.

:func:`measure` takes a cleaned :class:`~formcheck.sequence.PoseSequence` (the caller applies
:func:`formcheck.filters.clean` first), finds the reps of the asked ``rep_event`` and returns
each asked metric per rep, its median over reps and its per-side medians (the athlete's
anatomical side, from the landmark labels), with the frame that shows each rep's value.
Definitions (angles in degrees in the image plane; forward = where the athlete faces):

- ``knee_lift_deg``: peak angle of the thigh (hip -> knee) from the downward vertical; 90 = horizontal.
- ``knee_flexion_deg``: peak ``180 - angle(hip, knee, ankle)``.
- ``toe_up_deg``: ``angle(knee, ankle, foot index)`` at the peak knee lift.
- ``body_lean_deg``: stance ankle -> shoulder midpoint against the vertical, forward positive,
  median over the rep's stance frames; ``trunk_lean_deg``: hip midpoint -> shoulder midpoint;
  ``hip_hinge_deg``: trunk angle minus the stance leg's angle (stance ankle -> hip midpoint).
- ``head_bob_pct``: per cycle, peak-to-peak height of the head centre (mean of nose, eyes, ears)
  above the shoulder midpoint, in % of torso length (shoulder midpoint to hip midpoint); read from
  a fit of the cycle's first harmonics, so that frame-to-frame jitter does not count as bob.
- ``arm_leg_phase_deg``: |phase offset| in [0, 180] between the arm opposite the rep's leg
  (upper-arm angle) and that leg's thigh angle over one cycle (first Fourier harmonic at the
  leg's cycle frequency); 0 = opposite arm and leg swing together, 180 = same-side arm and leg.
- ``cadence_spm``: lifts / steps / raises per minute, both legs counted.
- ``contact_offset_frac``: at the working foot's touchdown (timed between frames), horizontal
  distance of its ankle ahead of the hip midpoint, over leg length.
- ``symmetry_pct``: ``|left - right| / mean`` of the rep event's main metric
  (:data:`SYMMETRY_BASIS`), in %.
- ``hold_s`` and ``sway_frac`` (RMS of the hip midpoint's horizontal position over the standing
  foot, over leg length) per single-leg hold; ``reps``; ``heel_rise_frac`` (heels' rise over foot
  length, per raise); ``knee_tracking_deg`` (front view: frontal-plane angle of the stance knee,
  ``180 - angle(hip, knee, ankle)``, positive when the knee caves in towards the midline).

Sagittal metrics need a side view; ``knee_tracking_deg`` needs a front view; otherwise a metric is
reported with ``value=None`` and a reason, as is a metric that does not apply to the rep event or
that no rep could show. Foot contacts (:func:`formcheck.events.foot_contacts`) are judged against
each foot's own ground level (a camera sees the far foot's floor contact higher in the image than
the near foot's) and over the ground, so a camera that pans to follow a travelling athlete is
allowed for. Steps count both feet's landings together and single-leg holds survive a while of
swapped leg labels, so the pose model mixing up the legs neither halves nor doubles a cadence nor
breaks a hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from formcheck import kinematics as K
from formcheck.events import (
    ContactSettings,
    FootContacts,
    HoldSettings,
    PeakSettings,
    clear_of_ground,
    dominant_period_s,
    find_rep_peaks,
    foot_contacts,
    holds,
    local_period_s,
    moving_mean,
    peak_centres_s,
    rep_extents,
    runs,
    step_onsets,
    touchdown_time_s,
)
from formcheck.landmarks import ARM, LEG, Landmark
from formcheck.sequence import PoseSequence

__all__ = [
    "METRIC_NAMES",
    "REP_EVENTS",
    "MeasureSettings",
    "Measurements",
    "MetricValue",
    "Rep",
    "ViewEstimate",
    "detect_view",
    "frame_series",
    "measure",
]

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
REP_EVENTS = ("lift", "flexion", "step", "raise", "hold")


# ============================================================================ result types
@dataclass(frozen=True)
class ViewEstimate:
    """Camera view: ``view`` "side" | "front" | "unknown"; ``facing`` "right" | "left" (side view:
    the direction the athlete faces in the image) | "toward" | "away" | "unknown"; ``confidence`` 0..1."""

    view: str
    facing: str
    confidence: float


@dataclass(frozen=True)
class Rep:
    """One rep: ``side`` is the working leg (None when both feet work); ``frame`` defines it (peak
    lift / peak flexion / contact / top of raise / middle of a hold); ``start_frame`` to
    ``end_frame`` (inclusive) is its extent."""

    index: int
    side: str | None
    frame: int
    t_s: float
    start_frame: int
    end_frame: int


@dataclass(frozen=True)
class MetricValue:
    """One metric: the median over reps (or a whole-clip value), per-side medians, per-rep values
    (NaN where not measured) and the frame that shows each rep's value (-1 if none)."""

    name: str
    unit: str
    value: float | None
    left: float | None
    right: float | None
    n: int
    per_rep: np.ndarray
    evidence_frames: np.ndarray
    reason: str | None = None


@dataclass(frozen=True)
class Measurements:
    """What :func:`measure` found: the view used, the reps, the asked metrics (by name), every
    per-frame signal of :func:`frame_series` (each (n_frames,)) and the frames' timestamps."""

    view: ViewEstimate
    rep_event: str
    reps: tuple[Rep, ...]
    metrics: dict[str, MetricValue]
    series: dict[str, np.ndarray]
    t_s: np.ndarray


# ============================================================================ settings
@dataclass(frozen=True)
class MeasureSettings:
    """Thresholds of the measurement core (units in the names or in the settings' own docs)."""

    lift_peaks: PeakSettings = PeakSettings(min_prominence=15.0, min_spacing_s=0.3)       # thigh, deg
    flexion_peaks: PeakSettings = PeakSettings(min_prominence=20.0, min_spacing_s=0.3)    # knee, deg
    foot_peaks: PeakSettings = PeakSettings(min_prominence=0.08, min_spacing_s=0.3)       # leg lengths
    raise_peaks: PeakSettings = PeakSettings(min_prominence=0.015, min_spacing_s=0.5)     # leg lengths
    contacts: ContactSettings = ContactSettings()
    holds: HoldSettings = HoldSettings()
    #: shoulder and hip width seen in the image, (|shoulder dx| + |hip dx|) / 2 over torso length:
    #: surely a side view up to the first, surely a front view from the second (about 0.6 facing the
    #: camera); the boundary is halfway, and the confidence falls to 0 towards it
    side_max_width_frac: float = 0.15
    front_min_width_frac: float = 0.45
    #: a cycle window must have at least this fraction of its frames with data
    min_cycle_coverage_frac: float = 0.7
    #: head bob: harmonics of the leg cycle kept when fitting each cycle (the bob itself is the 2nd)
    head_bob_harmonics: int = 2
    #: ... fitted over this many cycles around each rep (within the clip)
    head_bob_fit_cycles: float = 3.0
    #: sway is measured against the standing foot's position smoothed over this long (s)
    sway_ref_s: float = 0.25
    #: a hold starts when the free foot rises this high (leg lengths; higher when noise makes the
    #: resting foot read higher) and ends when it is back down
    hold_edge_height_frac: float = 0.005
    #: steps: the hip is looked at for a bob at this fraction of the step interval found (a bob
    #: there, not at the interval itself, means one foot's landings were missed)
    half_step_range: tuple[float, float] = (0.35, 0.65)


DEFAULT_SETTINGS = MeasureSettings()


# ============================================================================ view
def _head(xy: np.ndarray) -> np.ndarray:
    return K.nanmean_points([xy[:, lm] for lm in (Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE,
                                                  Landmark.LEFT_EAR, Landmark.RIGHT_EAR)])


def _nanmedian(v: np.ndarray) -> float:
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def detect_view(seq: PoseSequence, settings: MeasureSettings = DEFAULT_SETTINGS) -> ViewEstimate:
    """Side or front view, and which way the athlete faces.

    Side vs front from the shoulder and hip widths relative to torso length (small in profile);
    a side view faces where the nose points from the ears and the toes from the heels; a front
    view faces the camera ("toward") when the athlete's left shoulder and hip are on image right.
    The confidence combines the distance from the side/front boundary with how consistently the
    frames agree on the facing.
    """
    xy = seq.xy
    if len(seq) == 0:
        return ViewEstimate("unknown", "unknown", 0.0)
    p = lambda lm: xy[:, lm]  # noqa: E731
    sh_mid = K.midpoint(p(Landmark.LEFT_SHOULDER), p(Landmark.RIGHT_SHOULDER))
    hip_mid = K.midpoint(p(Landmark.LEFT_HIP), p(Landmark.RIGHT_HIP))
    torso = K.distance(sh_mid, hip_mid)
    sh_dx = p(Landmark.LEFT_SHOULDER)[:, 0] - p(Landmark.RIGHT_SHOULDER)[:, 0]
    hip_dx = p(Landmark.LEFT_HIP)[:, 0] - p(Landmark.RIGHT_HIP)[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        width = (np.abs(sh_dx) + np.abs(hip_dx)) / (2.0 * torso)
    w = _nanmedian(width)
    if not np.isfinite(w):
        return ViewEstimate("unknown", "unknown", 0.0)
    lo, hi = settings.side_max_width_frac, settings.front_min_width_frac
    mid = 0.5 * (lo + hi)
    view_conf = float(np.clip(abs(w - mid) / (0.5 * (hi - lo)), 0.0, 1.0))
    if w < mid:
        ears = K.nanmean_points([p(Landmark.LEFT_EAR), p(Landmark.RIGHT_EAR)])
        toes = K.nanmean_points([p(Landmark.LEFT_FOOT_INDEX), p(Landmark.RIGHT_FOOT_INDEX)])
        heels = K.nanmean_points([p(Landmark.LEFT_HEEL), p(Landmark.RIGHT_HEEL)])
        with np.errstate(invalid="ignore", divide="ignore"):
            cue = np.nan_to_num((p(Landmark.NOSE)[:, 0] - ears[:, 0]) / torso) + \
                np.nan_to_num((toes[:, 0] - heels[:, 0]) / torso)
        cue = cue[cue != 0]
        if cue.size == 0:
            return ViewEstimate("side", "unknown", 0.0)
        right = float(np.mean(cue > 0))
        facing = "right" if right >= 0.5 else "left"
        agree = max(right, 1.0 - right)
        return ViewEstimate("side", facing, round(view_conf * (2.0 * agree - 1.0), 3))
    cue = np.nan_to_num(sh_dx) + np.nan_to_num(hip_dx)
    cue = cue[cue != 0]
    if cue.size == 0:
        return ViewEstimate("front", "unknown", 0.0)
    toward = float(np.mean(cue > 0))
    agree = max(toward, 1.0 - toward)
    return ViewEstimate("front", "toward" if toward >= 0.5 else "away",
                        round(view_conf * (2.0 * agree - 1.0), 3))


# ============================================================================ per-frame signals
@dataclass
class _Frames:
    """Everything per frame that reps and metrics need (internal)."""

    seq: PoseSequence
    view: ViewEstimate
    t: np.ndarray
    series: dict[str, np.ndarray]
    leg_len_px: float
    torso_len_px: float
    foot_len_px: float
    forward: float                       # +1 / -1 in a side view, NaN otherwise
    contact: dict[str, np.ndarray]
    ground_x: np.ndarray                 # px, how far the ground has slid in the image (a panning camera)
    hip_rel_vx: np.ndarray               # px/s, the hip midpoint's horizontal speed over the ground
    stance_body_lean: dict[str, np.ndarray] = field(default_factory=dict)   # deg, from each side's ankle
    stance_leg_lean: dict[str, np.ndarray] = field(default_factory=dict)    # deg, each ankle -> hip midpoint
    heel_height_frac: dict[str, np.ndarray] = field(default_factory=dict)   # above the ground, leg lengths
    knee_tracking: dict[str, np.ndarray] = field(default_factory=dict)
    at_rest: dict[str, np.ndarray] = field(default_factory=dict)            # foot still over the ground

    def landing_point(self, side: str, frame: int) -> np.ndarray:
        """(n, 2) track over the ground of the foot point (heel or toe) that is lower at ``frame``."""
        heel, toe = (self.seq.xy[frame, LEG[side][k], 1] for k in (3, 4))
        k = 4 if toe > heel else 3
        pts = self.seq.xy[:, LEG[side][k]].copy()
        pts[:, 0] -= self.ground_x
        return pts


def _forward_sign(view: ViewEstimate) -> float:
    """+1 facing image right, -1 facing left; NaN in a front view or when the facing is unknown."""
    if view.view != "front" and view.facing in ("right", "left"):
        return 1.0 if view.facing == "right" else -1.0
    return float("nan")


def _integrate(v: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Running integral of ``v`` over time (trapezoids; NaN bridged), starting at 0."""
    if len(t) < 2:
        return np.zeros(len(t))
    f = K.interpolate_nans(v, t)
    f = np.where(np.isfinite(f), f, 0.0)
    return np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))))


def _feet(xy: np.ndarray, t: np.ndarray, hip_x: np.ndarray, leg_len: float, cs: ContactSettings) -> FootContacts:
    """Each foot's ground level, height and contact, flight, and the ground's and hip's motion."""
    feet = np.stack([xy[:, [LEG[s][3], LEG[s][4]]] for s in SIDES], axis=1)     # (n, 2, 2, 2): heel, toe
    return foot_contacts(feet, t, leg_len, cs, hip_x=hip_x)


def _thigh_elevation_deg(hip: np.ndarray, knee: np.ndarray, thigh_len: float) -> np.ndarray:
    """The thigh's angle from the vertical (any view), from the knee's height below the hip."""
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = np.clip((knee[:, 1] - hip[:, 1]) / thigh_len, -1.0, 1.0)
        return np.degrees(np.arccos(drop))


def _frames(seq: PoseSequence, view: ViewEstimate, settings: MeasureSettings) -> _Frames:
    xy, t, n = seq.xy, seq.t_s, len(seq)
    p = lambda lm: xy[:, lm]  # noqa: E731
    fwd = _forward_sign(view)
    sagittal = bool(np.isfinite(fwd))
    sign = fwd if sagittal else 1.0
    nan = np.full(n, np.nan)
    sag = (lambda v: v) if sagittal else (lambda v: nan.copy())

    # scale: segment lengths as the image shows them unforeshortened
    sh_mid = K.midpoint(p(Landmark.LEFT_SHOULDER), p(Landmark.RIGHT_SHOULDER))
    hip_mid = K.midpoint(p(Landmark.LEFT_HIP), p(Landmark.RIGHT_HIP))
    torso_len = K.robust_length(K.distance(sh_mid, hip_mid))
    thigh = {s: K.distance(p(LEG[s][0]), p(LEG[s][1])) for s in SIDES}
    shank = {s: K.distance(p(LEG[s][1]), p(LEG[s][2])) for s in SIDES}
    leg_len = K.robust_length(np.concatenate([thigh[s] + shank[s] for s in SIDES]))
    thigh_len = {s: K.robust_length(thigh[s]) for s in SIDES}
    foot_len = K.robust_length(np.concatenate([K.distance(p(LEG[s][3]), p(LEG[s][4])) for s in SIDES]))

    elevation = {s: _thigh_elevation_deg(p(LEG[s][0]), p(LEG[s][1]), thigh_len[s]) for s in SIDES}
    fc = _feet(xy, t, hip_mid[:, 0], leg_len, settings.contacts)
    contact = {s: fc.contact[:, i] for i, s in enumerate(SIDES)}
    at_rest = {s: fc.at_rest[:, i] for i, s in enumerate(SIDES)}
    ground = {s: fc.ground_y[:, i] for i, s in enumerate(SIDES)}
    ground_x = _integrate(fc.ground_vx, t)
    hip_rel_vx = fc.hip_rel_vx
    S: dict[str, np.ndarray] = {}
    fr = _Frames(seq=seq, view=view, t=t, series=S, leg_len_px=leg_len, torso_len_px=torso_len,
                 foot_len_px=foot_len, forward=fwd, contact=contact, ground_x=ground_x, hip_rel_vx=hip_rel_vx,
                 at_rest=at_rest)

    for s in SIDES:
        hip, knee, ankle, heel, toe = (p(lm) for lm in LEG[s])
        shoulder, elbow, _wrist = (p(lm) for lm in ARM[s])
        S[f"{s}_thigh_deg"] = sag(K.segment_angle_deg(hip, knee, sign))
        S[f"{s}_knee_flexion_deg"] = sag(K.flexion_deg(hip, knee, ankle))
        S[f"{s}_toe_angle_deg"] = sag(K.joint_angle_deg(knee, ankle, toe))
        S[f"{s}_upper_arm_deg"] = sag(K.segment_angle_deg(shoulder, elbow, sign))
        S[f"{s}_thigh_elevation_deg"] = elevation[s]
        with np.errstate(invalid="ignore", divide="ignore"):
            S[f"{s}_foot_height_frac"] = (ground[s] - np.fmax(heel[:, 1], toe[:, 1])) / leg_len
            S[f"{s}_heel_rise_frac"] = sag((toe[:, 1] - heel[:, 1]) / foot_len)
            fr.heel_height_frac[s] = (ground[s] - heel[:, 1]) / leg_len
        S[f"{s}_contact"] = contact[s]
        fr.stance_body_lean[s] = K.lean_angle_deg(ankle, sh_mid, sign)
        fr.stance_leg_lean[s] = K.lean_angle_deg(ankle, hip_mid, sign)
        fr.knee_tracking[s] = (K.frontal_knee_angle_deg(hip, knee, ankle, hip_mid[:, 0]) if view.view == "front"
                               else nan.copy())
        S[f"{s}_knee_tracking_deg"] = fr.knee_tracking[s]

    # lean and hinge from the ankle of the foot on the ground (the ankles' midpoint when both are)
    lc, rc = contact["left"], contact["right"]
    ankle_l, ankle_r = p(Landmark.LEFT_ANKLE), p(Landmark.RIGHT_ANKLE)
    stance_ankle = np.where((lc & ~rc)[:, None], ankle_l,
                            np.where((rc & ~lc)[:, None], ankle_r,
                                     np.where((lc & rc)[:, None], K.midpoint(ankle_l, ankle_r), np.nan)))
    trunk = K.lean_angle_deg(hip_mid, sh_mid, sign)
    S["trunk_lean_deg"] = sag(trunk)
    S["body_lean_deg"] = sag(K.lean_angle_deg(stance_ankle, sh_mid, sign))
    S["hip_hinge_deg"] = sag(trunk - K.lean_angle_deg(stance_ankle, hip_mid, sign))

    S["head_rel_y_frac"] = (sh_mid[:, 1] - _head(xy)[:, 1]) / torso_len
    # the hip over the ground (a following camera's pan taken out): speed, and travel by integrating it
    speed_fwd = sign * hip_rel_vx / leg_len
    travel = np.where(np.isfinite(speed_fwd), _integrate(speed_fwd, t), np.nan)
    S["hip_x_frac"] = travel - _nanmedian(travel)
    S["hip_y_frac"] = (_nanmedian(hip_mid[:, 1]) - hip_mid[:, 1]) / leg_len
    S["hip_speed_lps"] = speed_fwd
    S["flight"] = fc.flight
    hs = settings.holds
    for s in SIDES:
        S[f"{s}_lifted"] = clear_of_ground(S[f"{s}_foot_height_frac"], contact[s], elevation[s],
                                           elevation[OTHER[s]], hs)
    return fr


def frame_series(seq: PoseSequence, view: ViewEstimate,
                 settings: MeasureSettings = DEFAULT_SETTINGS) -> dict[str, np.ndarray]:
    """All per-frame signals, each (n_frames,).

    Sagittal angles (NaN unless a side view with a known facing): ``{side}_thigh_deg``,
    ``{side}_knee_flexion_deg``, ``{side}_toe_angle_deg`` (knee-ankle-toe), ``{side}_upper_arm_deg``,
    ``trunk_lean_deg``, ``body_lean_deg`` and ``hip_hinge_deg`` (from the ankle of the foot on the
    ground; the ankles' midpoint when both are; NaN in flight), ``{side}_heel_rise_frac``
    (heel above toe over foot length). Front view only: ``{side}_knee_tracking_deg``.
    Any view: ``{side}_thigh_elevation_deg`` (thigh from the vertical, from the knee's height
    below the hip; unsigned), ``{side}_foot_height_frac`` (lowest foot point above that foot's own
    ground level, leg lengths), ``{side}_contact`` and ``flight`` (bool; see
    :func:`formcheck.events.foot_contacts`), ``{side}_lifted`` (bool: the foot clearly off the
    ground, see :func:`formcheck.events.clear_of_ground`), ``head_rel_y_frac`` (head centre above
    the shoulder midpoint, torso lengths), ``hip_x_frac`` (hip midpoint's travel over the ground,
    forward, from its median, leg lengths), ``hip_speed_lps`` (its forward speed over the ground, leg
    lengths per second; a camera panning to follow the athlete is taken out, using the feet on the
    ground as the reference), ``hip_y_frac`` (hip midpoint up from its median, leg lengths).
    """
    return dict(_frames(seq, view, settings).series)


# ============================================================================ reps
@dataclass
class _Reps:
    """Reps plus what metrics need about them (internal)."""

    event: str
    side: list[str | None]
    frame: np.ndarray
    start: np.ndarray
    end: np.ndarray                     # inclusive
    period_s: np.ndarray                # the rep's local cycle (same-side period; raise: interval)
    swing: list[str | None]             # leg whose lift/flexion/toe-up the rep measures
    stance: list[str | None]            # leg on the ground for lean/hinge; None = both feet
    swing_window: list[tuple[int, int]]  # frames (inclusive) where the swing leg's peak is sought
    hold: bool = False

    def __len__(self) -> int:
        return len(self.side)


def _onsets(mask: np.ndarray) -> np.ndarray:
    starts, _ = runs(mask)
    return starts[starts > 0]


def _settled_above(at_rest: np.ndarray, height: np.ndarray, floor: float, t: np.ndarray, min_s: float) -> np.ndarray:
    """Frames where a foot has come to rest above ``floor`` for at least ``min_s``: set down on
    another spot of the floor, which a camera looking down shows higher than where it stood."""
    out = np.zeros(len(t), dtype=bool)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    for a, b in zip(*runs(at_rest)):
        h = height[a:b][np.isfinite(height[a:b])]
        if t[b - 1] - t[a] + dt >= min_s and h.size and np.median(h) >= floor:
            out[a:b] = True
    return out


def _peaks_by_side(fr: _Frames, key: str, settings: PeakSettings) -> dict[str, np.ndarray]:
    return {s: find_rep_peaks(fr.series[key.format(side=s)], fr.t, settings) for s in SIDES}


def _find_reps(fr: _Frames, event: str, settings: MeasureSettings) -> _Reps:
    n = len(fr.t)
    side_view = np.isfinite(fr.forward)
    if event == "hold":
        feet = np.stack([K.nanmean_points([fr.seq.xy[:, LEG[s][3]], fr.seq.xy[:, LEG[s][4]]]) for s in SIDES], axis=1)
        hs = holds(fr.contact["left"], fr.contact["right"], fr.t, settings.holds,
                   clear=(fr.series["left_lifted"], fr.series["right_lifted"]), feet_xy=feet, leg_len_px=fr.leg_len_px)
        sides = [h[0] for h in hs]
        start = np.array([h[1] for h in hs], dtype=np.intp)
        end = np.array([h[2] - 1 for h in hs], dtype=np.intp)
        # the contact test lets the free foot go only once it is clear of the ground: move each edge
        # out to where the foot really left (came back to) the ground, or came to rest (a foot set
        # down on another spot of the floor may read higher than where it stood before)
        for i, s in enumerate(sides):
            free = OTHER[s]
            h = fr.series[f"{free}_foot_height_frac"]
            # how high the free foot reads while it rests on the ground (noise lifts it a little)
            rest = h[fr.contact[free]]
            rest = rest[np.isfinite(rest)]
            floor = settings.hold_edge_height_frac
            if rest.size >= 5:
                med = float(np.median(rest))
                floor = max(floor, med + 4.0 * 1.4826 * float(np.median(np.abs(rest - med))))
            # ... while the standing foot stays on the ground, until the free foot settles on the floor
            h = np.where(_settled_above(fr.at_rest[free], h, floor, fr.t, settings.contacts.min_support_s)
                         | fr.series[f"{s}_lifted"], -np.inf, h)
            lo = end[i - 1] + 1 if i > 0 else 0
            while start[i] > lo and h[start[i] - 1] >= floor:
                start[i] -= 1
            hi = start[i + 1] - 1 if i + 1 < len(sides) else n - 1
            while end[i] < hi and h[end[i] + 1] >= floor:
                end[i] += 1
        frame = (start + end) // 2
        windows = list(zip(start.tolist(), end.tolist()))
        return _Reps(event, sides, frame, start, end, np.full(len(hs), np.nan), [OTHER[s] for s in sides],
                     list(sides), windows, hold=True)

    if event == "raise":
        heel = _mean_sides(fr.heel_height_frac)
        frames = find_rep_peaks(heel, fr.t, settings.raise_peaks)
        start, end = rep_extents(frames, n)
        per = local_period_s(frames, fr.t, times_s=peak_centres_s(heel, fr.t, frames))
        k = len(frames)
        return _Reps(event, [None] * k, frames, start, end, per, [None] * k, [None] * k,
                     list(zip(start.tolist(), end.tolist())))

    if event == "step":
        return _step_reps(fr, settings)
    if event == "lift":
        key = "{side}_thigh_deg" if side_view else "{side}_thigh_elevation_deg"
        by_side = _peaks_by_side(fr, key, settings.lift_peaks)
    elif event == "flexion":
        key = "{side}_knee_flexion_deg" if side_view else "{side}_foot_height_frac"
        by_side = _peaks_by_side(fr, key, settings.flexion_peaks if side_view else settings.foot_peaks)
    else:  # pragma: no cover - checked by measure()
        raise ValueError(event)

    # event times between frames, for the periods (cadence, cycles): peak tops
    times = {s: peak_centres_s(fr.series[key.format(side=s)], fr.t, by_side[s]) for s in SIDES}
    period_by_side = {s: local_period_s(by_side[s], fr.t, times_s=times[s]) for s in SIDES}
    items = sorted((int(f), s, float(per)) for s in SIDES for f, per in zip(by_side[s], period_by_side[s]))
    frames = np.array([i[0] for i in items], dtype=np.intp)
    sides = [i[1] for i in items]
    period = np.array([i[2] for i in items], dtype=np.float64)
    start, end = rep_extents(frames, n)
    return _Reps(event, sides, frames, start, end, period, list(sides), [OTHER[s] for s in sides],
                 list(zip(start.tolist(), end.tolist())))


def _step_reps(fr: _Frames, settings: MeasureSettings) -> _Reps:
    """Each foot landing is a rep. Landings of both feet are counted together (a label the pose
    model swapped does not lose or add a step; see :func:`formcheck.events.step_onsets`), each
    step's interval is the mean of those to its neighbouring steps (times between frames), and a
    leg's cycle is two steps. When the hip bobs at half the interval found (it bobs once per step,
    whichever foot lands), one foot's landings were missed: the steps are half as long."""
    n = len(fr.t)
    xy = fr.seq.xy
    foot_x = np.stack([K.nanmean_points([xy[:, LEG[s][3]], xy[:, LEG[s][4]]])[:, 0] - fr.ground_x for s in SIDES],
                      axis=1)
    frames, sides = step_onsets(fr.contact["left"], fr.contact["right"], fr.t, foot_x, fr.leg_len_px)
    slow_px_s = 0.5 * settings.contacts.max_speed_lps * fr.leg_len_px
    times = np.array([touchdown_time_s(fr.landing_point(s, int(f)), fr.t, int(f), slow_px_s)
                      for f, s in zip(frames, sides)])
    period = _two_step_periods(times)
    typical = 0.5 * _nanmedian(period)
    if np.isfinite(typical):
        bob = dominant_period_s(fr.series["hip_y_frac"], fr.t, settings.half_step_range[0] * typical,
                                settings.half_step_range[1] * typical)
        if np.isfinite(bob):
            period = period * (bob / typical)
    by_side = {s: frames[np.array([x == s for x in sides], dtype=bool)] for s in SIDES} if len(frames) else \
        {s: frames for s in SIDES}
    nxt = np.concatenate((frames[1:] - 1, [n - 1])) if len(frames) else frames
    if len(frames) > 1:
        nxt[-1] = min(n - 1, frames[-1] + int(np.median(np.diff(frames))) - 1)
    start, end = frames.copy(), nxt
    swing_win = []
    for f, s, per in zip(frames, sides, period):
        prev = by_side[s][by_side[s] < f]
        if prev.size:
            a = int(prev[-1])
        elif np.isfinite(per):
            a = int(np.searchsorted(fr.t, fr.t[f] - per))
        else:
            a = 0
        swing_win.append((a, int(f)))
    return _Reps("step", list(sides), frames, start, end, period, list(sides), list(sides), swing_win)


def _two_step_periods(times: np.ndarray, max_ratio: float = 1.8) -> np.ndarray:
    """A leg's cycle (two steps) at each step, from the times of both feet's landings in order,
    whichever labels they got: half the time from two steps before to two steps after (so that
    frame timing jitter counts less), else the time from the step before to the step after, else
    twice an adjacent step interval. A step interval more than ``max_ratio`` times the median (a
    missed landing or a pause) is not used; where nothing is left, twice the median."""
    T = np.asarray(times, dtype=np.float64)
    k = T.size
    out = np.full(k, np.nan)
    if k < 2:
        return out
    d = np.diff(T)
    typical = float(np.median(d))
    d = np.where(d <= max_ratio * typical, d, np.nan)       # NaN: not used
    # the sum of the intervals from step i - r to step i + r (NaN if any is unusable or out of the clip)
    c = np.concatenate(([0.0], np.cumsum(np.nan_to_num(d))))
    bad = np.concatenate(([0], np.cumsum(~np.isfinite(d))))
    i = np.arange(k)
    for r, scale in ((2, 0.5), (1, 1.0)):
        lo, hi = i - r, i + r
        ok = (lo >= 0) & (hi <= k - 1)
        lo_c, hi_c = np.clip(lo, 0, k - 1), np.clip(hi, 0, k - 1)
        span = np.where(ok & (bad[hi_c] - bad[lo_c] == 0), c[hi_c] - c[lo_c], np.nan)
        out = np.where(np.isfinite(out), out, scale * span)
    prev = np.concatenate(([np.nan], d))
    nxt = np.concatenate((d, [np.nan]))
    out = np.where(np.isfinite(out), out, 2.0 * np.where(np.isfinite(prev), prev, nxt))
    return np.where(np.isfinite(out), out, 2.0 * typical)


# ============================================================================ metrics
@dataclass(frozen=True)
class _PerRep:
    values: np.ndarray
    evidence: np.ndarray
    sides: list[str | None] | None = None   # aggregation side per rep, when not the rep's side
    reason: str | None = None               # why nothing could be measured
    value: float | None = None              # whole-clip value (instead of the median of values)
    value_left: float | None = None
    value_right: float | None = None
    applies: bool = True                    # False: the metric does not apply to this rep event


def _empty(k: int, reason: str) -> _PerRep:
    """A metric that does not apply to these reps (``reason`` says why)."""
    return _PerRep(np.full(k, np.nan), np.full(k, -1, dtype=np.intp), reason=reason, applies=False)


def _argmax_in(sig: np.ndarray, a: int, b: int) -> tuple[float, int]:
    w = sig[a:b + 1]
    if w.size == 0 or not np.isfinite(w).any():
        return float("nan"), -1
    i = int(np.nanargmax(w))
    return float(w[i]), a + i


def _median_in(sig: np.ndarray, frames: np.ndarray) -> tuple[float, int]:
    v = sig[frames]
    ok = np.isfinite(v)
    if not ok.any():
        return float("nan"), -1
    med = float(np.median(v[ok]))
    i = int(np.argmin(np.where(ok, np.abs(v - med), np.inf)))
    return med, int(frames[i])


def _peak_of(fr: _Frames, reps: _Reps, key: str) -> _PerRep:
    """Peak of a swing-leg signal per rep (median over a hold)."""
    k = len(reps)
    if reps.event == "raise":
        return _empty(k, "no lifting leg in a calf raise")
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    for i in range(k):
        s = reps.swing[i]
        if s is None:
            continue
        sig = fr.series[key.format(side=s)]
        a, b = reps.swing_window[i]
        if reps.hold:
            vals[i], ev[i] = _median_in(sig, np.arange(a, b + 1))
        else:
            vals[i], ev[i] = _argmax_in(sig, a, b)
    return _PerRep(vals, ev, sides=list(reps.swing))


def _knee_lift(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    return _peak_of(fr, reps, "{side}_thigh_deg")


def _knee_flexion(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    return _peak_of(fr, reps, "{side}_knee_flexion_deg")


def _toe_up(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    lift = _peak_of(fr, reps, "{side}_thigh_deg")
    k = len(reps)
    if not lift.applies:
        return lift
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    for i in range(k):
        s, f = reps.swing[i], int(lift.evidence[i])
        if s is None or f < 0:
            continue
        if reps.hold:
            a, b = reps.swing_window[i]
            vals[i], ev[i] = _median_in(fr.series[f"{s}_toe_angle_deg"], np.arange(a, b + 1))
        else:
            vals[i], ev[i] = fr.series[f"{s}_toe_angle_deg"][f], f
    return _PerRep(vals, ev, sides=list(reps.swing))


def _stance_frames(fr: _Frames, reps: _Reps, i: int) -> np.ndarray:
    a, b = int(reps.start[i]), int(reps.end[i])
    s = reps.stance[i]
    frames = np.arange(a, b + 1)
    if s is None:
        # both feet down; a foot the pose model does not see at all (the far foot, hidden) does not
        # say otherwise, as long as the other one is seen down
        seen = {x: np.isfinite(fr.series[f"{x}_foot_height_frac"][a:b + 1]) for x in SIDES}
        on = (fr.contact["left"][a:b + 1] | ~seen["left"]) & (fr.contact["right"][a:b + 1] | ~seen["right"]) & \
            (fr.contact["left"][a:b + 1] | fr.contact["right"][a:b + 1])
    else:
        on = fr.contact[s][a:b + 1]
    return frames[on]


def _stance_metric(fr: _Frames, reps: _Reps, signal: Callable[[str | None], np.ndarray]) -> _PerRep:
    k = len(reps)
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    for i in range(k):
        frames = _stance_frames(fr, reps, i)
        if frames.size:
            vals[i], ev[i] = _median_in(signal(reps.stance[i]), frames)
    return _PerRep(vals, ev, reason=None if np.isfinite(vals).any() else "no stance frames found in the reps")


def _mean_sides(d: dict[str, np.ndarray]) -> np.ndarray:
    """Per-frame mean of a signal over both sides, using the sides that are present."""
    stack = np.stack([d[s] for s in SIDES])
    ok = np.isfinite(stack)
    cnt = ok.sum(axis=0)
    return np.where(cnt > 0, np.where(ok, stack, 0.0).sum(axis=0) / np.maximum(cnt, 1), np.nan)


def _body_lean(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    both = None

    def sig(s: str | None) -> np.ndarray:
        nonlocal both
        if s is not None:
            return fr.stance_body_lean[s]
        if both is None:
            both = _mean_sides(fr.stance_body_lean)
        return both
    return _stance_metric(fr, reps, sig)


def _trunk_lean(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    return _stance_metric(fr, reps, lambda s: fr.series["trunk_lean_deg"])


def _hip_hinge(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    trunk = fr.series["trunk_lean_deg"]
    hinge = {s: trunk - fr.stance_leg_lean[s] for s in SIDES}
    both = trunk - _mean_sides(fr.stance_leg_lean)
    return _stance_metric(fr, reps, lambda s: both if s is None else hinge[s])


def _cycle_window(fr: _Frames, reps: _Reps, i: int) -> tuple[int, int] | None:
    per = reps.period_s[i]
    if not np.isfinite(per):
        return None
    tc = fr.t[reps.frame[i]]
    a = int(np.searchsorted(fr.t, tc - 0.5 * per, side="left"))
    b = int(np.searchsorted(fr.t, tc + 0.5 * per, side="right")) - 1
    if a <= 0 and fr.t[0] > tc - 0.5 * per + 0.5 * _dt(fr):
        return None  # the cycle starts before the clip
    if b >= len(fr.t) - 1 and fr.t[-1] < tc + 0.5 * per - 0.5 * _dt(fr):
        return None
    return max(a, 0), min(b, len(fr.t) - 1)


def _dt(fr: _Frames) -> float:
    return float(np.median(np.diff(fr.t))) if len(fr.t) > 1 else 0.0


def _head_bob(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    head = fr.series["head_rel_y_frac"]
    for i in range(k):
        if reps.hold:
            w = (int(reps.start[i]), int(reps.end[i]))
        else:
            w = _cycle_window(fr, reps, i)
        if w is None:
            continue
        seg = head[w[0]:w[1] + 1]
        ok = np.isfinite(seg)
        if ok.mean() < st.min_cycle_coverage_frac:
            continue
        if not reps.hold:
            # the cycle's shape without the frame-to-frame jitter (the peak-to-peak of raw points grows
            # with noise): harmonics of the cycle fitted over it and its neighbours, where there are any
            per = float(reps.period_s[i])
            tc = fr.t[reps.frame[i]]
            half = 0.5 * st.head_bob_fit_cycles * per
            a = max(0, int(np.searchsorted(fr.t, tc - half, side="left")))
            b = min(len(fr.t), int(np.searchsorted(fr.t, tc + half, side="right")))
            fit = K.harmonic_fit(fr.t[a:b], head[a:b], per, st.head_bob_harmonics)
            seg = fit[w[0] - a:w[1] + 1 - a]
        vals[i] = 100.0 * float(np.nanmax(seg) - np.nanmin(seg))
        ev[i] = w[0] + int(np.nanargmax(seg))
    return _PerRep(vals, ev, reason=None if np.isfinite(vals).any() else "no complete cycle in the clip")


def _arm_leg_phase(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    if reps.event in ("raise", "hold"):
        return _empty(k, "no leg cycle in this drill")
    for i in range(k):
        s = reps.side[i]
        w = _cycle_window(fr, reps, i)
        if s is None or w is None:
            continue
        a, b = w
        arm = fr.series[f"{OTHER[s]}_upper_arm_deg"][a:b + 1]
        thigh = fr.series[f"{s}_thigh_deg"][a:b + 1]
        off = K.cycle_phase_offset_deg(fr.t[a:b + 1], arm, thigh, reps.period_s[i])
        if np.isfinite(off):
            vals[i], ev[i] = abs(off), int(reps.frame[i])
    return _PerRep(vals, ev, reason=None if np.isfinite(vals).any() else "no complete cycle in the clip")


def _cadence(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    if reps.hold:
        return _empty(k, "a hold has no cadence")
    per_side_active = {s: sum(1 for x in reps.side if x == s) for s in SIDES}
    if reps.event == "raise":
        active = 1
    elif reps.event == "step":
        active = 2                    # both feet land, and a rep's period is a leg's cycle (two steps)
    else:
        active = sum(1 for s in SIDES if per_side_active[s] >= max(2, 0.25 * k))
    vals = np.where(np.isfinite(reps.period_s), 60.0 * max(active, 1) / reps.period_s, np.nan)
    return _PerRep(vals, np.asarray(reps.frame, dtype=np.intp).copy(),
                   reason=None if np.isfinite(vals).any() else "fewer than two reps on a side")


def _contact_offset(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    if reps.event in ("raise", "hold"):
        return _empty(k, "no foot contacts in this drill")
    hip_x = K.midpoint(fr.seq.xy[:, Landmark.LEFT_HIP], fr.seq.xy[:, Landmark.RIGHT_HIP])[:, 0]
    onsets = {s: _onsets(fr.contact[s]) for s in SIDES}
    for i in range(k):
        s = reps.side[i]
        f = int(reps.frame[i])
        if reps.event == "step":
            c = f
        else:
            later = onsets[s][onsets[s] > f]
            per = reps.period_s[i]
            limit = fr.t[f] + (per if np.isfinite(per) else np.inf)
            if later.size == 0 or fr.t[later[0]] > limit:
                continue
            c = int(later[0])
        foot_x = fr.seq.xy[c, LEG[s][2], 0]
        # the hip has moved on since the foot landed (between frames): take that back
        slow_px_s = 0.5 * st.contacts.max_speed_lps * fr.leg_len_px
        since_s = fr.t[c] - touchdown_time_s(fr.landing_point(s, c), fr.t, c, slow_px_s)
        moved = fr.hip_rel_vx[c] * since_s if np.isfinite(fr.hip_rel_vx[c]) else 0.0
        vals[i] = fr.forward * (foot_x - (hip_x[c] - moved)) / fr.leg_len_px
        ev[i] = c
    return _PerRep(vals, ev, reason=None if np.isfinite(vals).any() else "no foot contact found")


def _reps_count(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    nl = sum(1 for s in reps.side if s == "left")
    nr = sum(1 for s in reps.side if s == "right")
    sided = any(s is not None for s in reps.side)
    return _PerRep(np.ones(k), np.asarray(reps.frame, dtype=np.intp).copy(), value=float(k),
                   value_left=float(nl) if sided else None, value_right=float(nr) if sided else None)


def _hold_s(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    if not reps.hold:
        return _empty(k, "only measured for single-leg holds")
    dt = _dt(fr)
    vals = np.array([fr.t[e] - fr.t[a] + dt for a, e in zip(reps.start, reps.end)], dtype=np.float64)
    return _PerRep(vals, np.asarray(reps.frame, dtype=np.intp).copy())


def _sway(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    if not reps.hold:
        return _empty(k, "only measured for single-leg holds")
    xy = fr.seq.xy
    hip_x = K.midpoint(xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP])[:, 0]
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    for i in range(k):
        a, b = int(reps.start[i]), int(reps.end[i])
        # the hip relative to the standing foot, which stays put on the ground (so a camera that pans
        # does not count as sway); the foot's points are averaged and smoothed over sway_ref_s. The
        # standing foot is the one on the ground in each frame (the pose model may swap the legs'
        # labels for a while), the hold's side where that is unclear
        s = reps.stance[i]
        o = OTHER[s]
        swapped = (fr.contact[o] & fr.series[f"{s}_lifted"] & ~fr.contact[s])[a:b + 1]
        own, other = (K.nanmean_points([xy[a:b + 1, lm] for lm in LEG[side][2:]])[:, 0] for side in (s, o))
        foot = np.where(swapped, other, own)
        ref = moving_mean(foot, fr.t[a:b + 1], st.sway_ref_s)
        x = hip_x[a:b + 1] - ref
        x = x[np.isfinite(x)]
        if x.size >= 3:
            vals[i] = float(np.sqrt(np.mean((x - x.mean()) ** 2)) / fr.leg_len_px)
            ev[i] = int(reps.frame[i])
    return _PerRep(vals, ev)


def _heel_rise(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    if reps.event != "raise":
        return _empty(k, "only measured for calf raises")
    heel = _mean_sides(fr.heel_height_frac)
    scale = fr.leg_len_px / fr.foot_len_px
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    for i in range(k):
        a, b = int(reps.start[i]), int(reps.end[i])
        seg = heel[a:b + 1]
        if not np.isfinite(seg).any():
            continue
        top, f = _argmax_in(heel, a, b)
        base = float(np.nanpercentile(seg, 5.0))
        vals[i], ev[i] = (top - base) * scale, f
    return _PerRep(vals, ev)


def _knee_tracking(fr: _Frames, reps: _Reps, st: MeasureSettings) -> _PerRep:
    k = len(reps)
    vals, ev = np.full(k, np.nan), np.full(k, -1, dtype=np.intp)
    sides: list[str | None] = []
    both = _mean_sides(fr.knee_tracking)
    for i in range(k):
        s = reps.stance[i]
        sides.append(s)
        frames = _stance_frames(fr, reps, i)
        if frames.size:
            vals[i], ev[i] = _median_in(both if s is None else fr.knee_tracking[s], frames)
    reason = None if np.isfinite(vals).any() else "no stance frames found in the reps"
    return _PerRep(vals, ev, sides=sides, reason=reason)


#: The main metric of each rep event, compared between sides by ``symmetry_pct``.
SYMMETRY_BASIS = {"lift": "knee_lift_deg", "flexion": "knee_flexion_deg", "step": "knee_lift_deg", "hold": "hold_s"}


@dataclass(frozen=True)
class _MetricSpec:
    unit: str
    plane: str          # "sagittal" (side view), "frontal" (front view) or "any"
    compute: Callable[[_Frames, _Reps, MeasureSettings], _PerRep] | None


_METRICS: dict[str, _MetricSpec] = {
    "knee_lift_deg": _MetricSpec("deg", "sagittal", _knee_lift),
    "knee_flexion_deg": _MetricSpec("deg", "sagittal", _knee_flexion),
    "toe_up_deg": _MetricSpec("deg", "sagittal", _toe_up),
    "body_lean_deg": _MetricSpec("deg", "sagittal", _body_lean),
    "trunk_lean_deg": _MetricSpec("deg", "sagittal", _trunk_lean),
    "hip_hinge_deg": _MetricSpec("deg", "sagittal", _hip_hinge),
    "head_bob_pct": _MetricSpec("pct", "any", _head_bob),
    "arm_leg_phase_deg": _MetricSpec("deg", "sagittal", _arm_leg_phase),
    "cadence_spm": _MetricSpec("spm", "any", _cadence),
    "contact_offset_frac": _MetricSpec("frac", "sagittal", _contact_offset),
    "symmetry_pct": _MetricSpec("pct", "any", None),
    "hold_s": _MetricSpec("s", "any", _hold_s),
    "sway_frac": _MetricSpec("frac", "any", _sway),
    "reps": _MetricSpec("count", "any", _reps_count),
    "heel_rise_frac": _MetricSpec("frac", "sagittal", _heel_rise),
    "knee_tracking_deg": _MetricSpec("deg", "frontal", _knee_tracking),
}

#: Every metric :func:`measure` knows.
METRIC_NAMES: tuple[str, ...] = tuple(_METRICS)


def _med(v: np.ndarray) -> float | None:
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else None


def _plane_reason(plane: str, view: ViewEstimate) -> str | None:
    if plane == "sagittal":
        if view.view == "front":
            return "not measurable in a front view; film from the side"
        if view.facing not in ("left", "right"):
            return "the camera view could not be determined (which way the athlete faces)"
    if plane == "frontal" and view.view != "front":
        if view.view == "side":
            return "not measurable in a side view; film from the front"
        return "the camera view could not be determined"
    return None


def _finish(name: str, spec: _MetricSpec, res: _PerRep, reps: _Reps) -> MetricValue:
    k = len(reps)
    vals = np.asarray(res.values, dtype=np.float64)
    ev = np.asarray(res.evidence, dtype=np.intp)
    ev = np.where(np.isfinite(vals), ev, -1)
    sides = res.sides if res.sides is not None else reps.side
    n = int(np.isfinite(vals).sum())
    if res.value is not None:
        value, left, right = res.value, res.value_left, res.value_right
        n = k
    else:
        value = _med(vals)
        pick = lambda s: _med(vals[np.array([x == s for x in sides], dtype=bool)]) if k else None  # noqa: E731
        left, right = pick("left"), pick("right")
    reason = None
    if value is None:
        if not res.applies:
            reason = res.reason
        elif k == 0:
            reason = "no reps found"
        else:
            reason = res.reason or "not measured in any rep"
    return MetricValue(name, spec.unit, value, left, right, n, vals, ev, reason)


def _none(name: str, spec: _MetricSpec, k: int, reason: str) -> MetricValue:
    return MetricValue(name, spec.unit, None, None, None, 0, np.full(k, np.nan), np.full(k, -1, dtype=np.intp), reason)


def measure(seq: PoseSequence, metrics: Sequence[str], *, rep_event: str = "lift",
            view: ViewEstimate | None = None, settings: MeasureSettings = DEFAULT_SETTINGS) -> Measurements:
    """Find the reps of ``rep_event`` and measure the asked ``metrics`` (see the module docs).

    ``seq`` is a cleaned sequence. ``rep_event``: "lift" (each thigh peak), "flexion" (each knee
    flexion peak), "step" (each foot contact), "raise" (each heel raise of both feet) or "hold"
    (each single-leg hold; its side is the standing leg). ``view`` None = :func:`detect_view`.
    Unknown metric or event names raise ``ValueError`` listing the valid ones.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    names = tuple(dict.fromkeys(metrics))
    unknown = [m for m in names if m not in _METRICS]
    if unknown:
        raise ValueError(f"unknown metric {', '.join(map(repr, unknown))}; valid metrics: {', '.join(METRIC_NAMES)}")
    if rep_event not in REP_EVENTS:
        raise ValueError(f"unknown rep event {rep_event!r}; valid rep events: {', '.join(REP_EVENTS)}")
    view = detect_view(seq, settings) if view is None else view
    fr = _frames(seq, view, settings)
    reps = _find_reps(fr, rep_event, settings)
    k = len(reps)

    out: dict[str, MetricValue] = {}
    cache: dict[str, MetricValue] = {}

    def get(name: str) -> MetricValue:
        if name not in cache:
            spec = _METRICS[name]
            reason = _plane_reason(spec.plane, view)
            if reason is not None:
                cache[name] = _none(name, spec, k, reason)
            elif name == "symmetry_pct":
                cache[name] = _symmetry(spec, k, rep_event, get)
            else:
                cache[name] = _finish(name, spec, spec.compute(fr, reps, settings), reps)
        return cache[name]

    for name in names:
        out[name] = get(name)
    rep_list = tuple(
        Rep(index=i, side=reps.side[i], frame=int(reps.frame[i]), t_s=float(fr.t[reps.frame[i]]),
            start_frame=int(reps.start[i]), end_frame=int(reps.end[i]))
        for i in range(k)
    )
    return Measurements(view=view, rep_event=rep_event, reps=rep_list, metrics=out, series=fr.series, t_s=seq.t_s)


def _symmetry(spec: _MetricSpec, k: int, event: str, get: Callable[[str], MetricValue]) -> MetricValue:
    basis = SYMMETRY_BASIS.get(event)
    if basis is None:
        return _none("symmetry_pct", spec, k, "both feet work together in this drill")
    b = get(basis)
    if b.value is None:
        return _none("symmetry_pct", spec, k, f"{basis} was not measured: {b.reason}")
    if b.left is None or b.right is None:
        return _none("symmetry_pct", spec, k, f"{basis} was measured on one side only")
    mean = 0.5 * (b.left + b.right)
    if mean == 0:
        return _none("symmetry_pct", spec, k, f"{basis} averages zero")
    value = 100.0 * abs(b.left - b.right) / abs(mean)
    return MetricValue("symmetry_pct", spec.unit, value, None, None, b.n, np.full(k, np.nan),
                       np.full(k, -1, dtype=np.intp))
