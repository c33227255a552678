"""Parametric drill motion: a 3D athlete doing running drills, with exact ground truth.

A body of anthropometric segment lengths (Winter's proportions of standing height) is moved as a
kinematic chain: pelvis -> trunk -> neck/head; hips -> thigh -> shank -> foot (heel, toe);
shoulders -> upper arm -> forearm -> hand. Each drill is a schedule of foot contacts and swings
(its rhythm) plus smooth joint-angle curves, built so that the true metric values equal the
drill's parameters by construction; the ``truth_*`` functions measure the generated landmarks
with the metric definitions, independently of the analysis engine.

Conventions
-----------
- World (``SyntheticClip.world_m``), metres: x forward (the athlete always faces +x), y up,
  z toward the athlete's LEFT; origin on the floor (y = 0); x = 0 where the feet start, z = 0
  the athlete's midline. Feet never go below y = 0.
- Side view, ``facing="right"``: image x = world x, so the athlete faces image right and the
  camera sits on the athlete's RIGHT side (the right side is the near side, smaller depth).
  ``facing="left"``: the same motion seen from the athlete's left side: image x mirrored, the
  LEFT side is near. Front view ``facing="toward"``: the camera in front, the athlete's left
  side on image right; ``"away"``: seen from behind.
- ``SyntheticClip.sequence`` uses an ORTHOGRAPHIC projection: pixels per metre =
  ``body_height_frac * height / height_m``; a standing athlete is centred vertically; the camera
  pans (``Camera.follow``) to keep the athlete centred horizontally (``SyntheticClip.track_m``, the
  camera's position along world x per frame). :func:`project` also offers a pinhole
  perspective (camera at ``distance_m``, lens at half the athlete's height, looking level) with
  the same scale at the athlete's midline.
- ``sequence.z``: depth relative to the hip midpoint in pixels (smaller = nearer the camera);
  ``sequence.world``: MediaPipe-like metres, origin at the hip midpoint, x image-right, y down,
  z away from the camera.
- Angles in degrees. Thigh angle: hip -> knee from the downward vertical, forward positive.
  Foot pitch: the heel-toe line against the floor, toes up positive.
- The camera follows the athlete's travel (the hip's mean position moving at the drill's travel
  speed), not the hip itself: bounce and sway stay in the image; in-place drills are filmed by a
  still camera.

How the truth is made
---------------------
- Knee lift, knee flexion and toe-up hold their peak values over a plateau a little longer than
  the longest frame interval, so at least one frame shows the exact value: the per-rep peaks
  measured from the frames equal the parameters (any frame rate, jittered timestamps too).
- Leans: the pelvis is placed on each frame so that the stance-ankle -> shoulder-midpoint line
  leans ``body_lean_deg`` and trunk minus stance-leg angle is ``hip_hinge_deg`` (both exact for
  in-place drills; the trunk lean follows: it equals body lean + hinge only when the hinge is 0,
  otherwise it lies between). Travelling drills (a-skip, strides) roll the body over the planted
  foot, so there the truth is the measured median over stance frames (within about 1 degree of
  the parameters at default values).
- Strides: the stance time is solved so that the ankle is ``contact_offset_frac`` leg lengths
  ahead of the hip midpoint at the instant of touchdown (a-skip: its step contacts are placed
  so); values out of reach give the nearest reachable one, reported by the truth.
- Arms lock to the fundamental of the opposite thigh's swing, offset by ``arm_leg_phase_deg``;
  the truth is taken on a dense time grid (frames can alias a sharp thigh curve by ~0.5 deg).
- Head bob, heel rise, sway, hold and cadence truths are measured from the landmarks/the
  schedule with the definitions (``truth_*``); sway is scaled so its RMS is exact.
- Events: toe_off, peak_lift (plateau centre), peak_flexion, contact, hop_off, hop_contact
  (a-skip/skip second contact), peak_rise (calf raises); ``frame`` is the nearest frame.
- A floor guard lifts any ankle target whose foot would dip below the floor (keeping the body
  rigid); ``sequence.meta["floor_guard_m"]`` reports the largest lift (0 for all defaults).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.landmarks import LEFT_SIDE, N_LANDMARKS, RIGHT_SIDE, Landmark
from formcheck.sequence import PoseSequence

__all__ = [
    "DRILLS",
    "MOTIONS",
    "Camera",
    "DrillParams",
    "Gait",
    "GAITS",
    "SynthError",
    "SyntheticClip",
    "body_dimensions",
    "defaults_for",
    "make_clip",
    "make_warmup",
    "project",
    "camera_track",
    "truth_thigh_angle_deg",
    "truth_knee_flexion_deg",
    "truth_toe_angle_deg",
    "truth_lean_deg",
    "truth_trunk_lean_deg",
    "truth_body_lean_deg",
    "truth_hip_hinge_deg",
    "truth_head_bob_pct",
    "truth_upper_arm_angle_deg",
    "truth_arm_leg_phase_deg",
    "truth_knee_tracking_deg",
    "truth_sway_frac",
    "truth_heel_rise_frac",
    "truth_cadence_spm",
]

G_MPS2 = 9.81
SIDES = ("left", "right")
_Z_SIGN = {"left": 1.0, "right": -1.0}          # world z of each side (the athlete's left is +z)
_OTHER = {"left": "right", "right": "left"}
_INF = 1.0e6                                      # "always" for open-ended contacts, seconds

#: The drills, by the names the rest of formcheck uses.
DRILLS: tuple[str, ...] = ("a-skip", "high-knees", "march", "butt-kicks", "skip", "strides", "calf-raises",
                           "single-leg-balance")
#: Every motion the model can make: the drills plus the transitions of a warm-up clip.
MOTIONS: tuple[str, ...] = DRILLS + ("walk", "stand")


class SynthError(FormcheckError, ValueError):
    """A synthetic-clip request that cannot be met (unknown drill, value out of range)."""


# ============================================================================ parameters
@dataclass(frozen=True)
class DrillParams:
    """One drill's form, every value settable; :func:`defaults_for` gives good-form values.

    Fields a drill does not use are ignored (e.g. ``heel_rise_frac`` outside calf raises).
    ``arm_leg_phase_deg`` is signed: positive when the arm's swing runs ahead of the opposite
    thigh (the truth reports its size in [0, 180]). ``lead_side`` is the first leg to lift (the
    lifted leg in a single-leg balance). ``knee_tracking_deg`` is the frontal-plane knee angle of
    the stance leg (positive = knee caving in); it needs a bent knee, so a near-straight stance
    leg reaches less (the truth reports the angle reached).
    """

    drill: str
    knee_lift_deg: float
    knee_flexion_deg: float
    toe_up_deg: float
    body_lean_deg: float
    hip_hinge_deg: float
    head_bob_pct: float
    arm_leg_phase_deg: float
    cadence_spm: float
    contact_offset_frac: float
    travel_speed_mps: float
    heel_rise_frac: float
    sway_frac: float
    hold_s: float
    arm_swing_deg: float
    height_m: float = 1.75
    lead_side: str = "right"
    knee_tracking_deg: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "drill", str(self.drill))
        object.__setattr__(self, "lead_side", str(self.lead_side))
        if self.drill not in MOTIONS:
            raise SynthError(f"unknown drill {self.drill!r}: use one of {', '.join(MOTIONS)}")
        if self.lead_side not in SIDES:
            raise SynthError(f"lead_side must be 'left' or 'right', got {self.lead_side!r}")
        for name, (lo, hi) in _RANGES.items():
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
                raise SynthError(f"{name} = {v!r} is out of range: use a value in [{lo}, {hi}]")
        g = GAITS[self.drill]
        if g.pattern in ("alternate", "skip", "both") and self.cadence_spm < 6:
            raise SynthError(f"{self.drill} needs cadence_spm >= 6, got {self.cadence_spm}")
        if g.pattern == "hold" and self.hold_s < 0.5:
            raise SynthError(f"single-leg-balance needs hold_s >= 0.5, got {self.hold_s}")


_RANGES: dict[str, tuple[float, float]] = {
    "knee_lift_deg": (-20.0, 140.0), "knee_flexion_deg": (0.0, 165.0), "toe_up_deg": (40.0, 180.0),
    "body_lean_deg": (-30.0, 45.0), "hip_hinge_deg": (-30.0, 70.0), "head_bob_pct": (0.0, 30.0),
    "arm_leg_phase_deg": (-360.0, 360.0), "cadence_spm": (0.0, 400.0), "contact_offset_frac": (-0.5, 1.0),
    "travel_speed_mps": (0.0, 12.0), "heel_rise_frac": (0.0, 0.6), "sway_frac": (0.0, 0.1),
    "hold_s": (0.0, 600.0), "arm_swing_deg": (0.0, 90.0), "height_m": (1.0, 2.3),
    "knee_tracking_deg": (-30.0, 30.0),
}

_COMMON = dict(contact_offset_frac=0.0, travel_speed_mps=0.0, heel_rise_frac=0.0, sway_frac=0.0, hold_s=0.0,
               arm_leg_phase_deg=0.0)
#: Good-form values of each motion (see the module docstring of each field in DrillParams).
_DEFAULTS: dict[str, dict[str, float]] = {
    "march": dict(_COMMON, knee_lift_deg=85.0, knee_flexion_deg=90.0, toe_up_deg=88.0, body_lean_deg=3.0,
                  hip_hinge_deg=1.0, head_bob_pct=1.5, cadence_spm=116.0, arm_swing_deg=45.0),
    "high-knees": dict(_COMMON, knee_lift_deg=88.0, knee_flexion_deg=105.0, toe_up_deg=90.0, body_lean_deg=4.0,
                       hip_hinge_deg=2.0, head_bob_pct=2.0, cadence_spm=180.0, arm_swing_deg=50.0),
    "a-skip": dict(_COMMON, knee_lift_deg=88.0, knee_flexion_deg=100.0, toe_up_deg=85.0, body_lean_deg=5.0,
                   hip_hinge_deg=2.0, head_bob_pct=2.0, cadence_spm=140.0, travel_speed_mps=0.8,
                   arm_swing_deg=50.0),
    "butt-kicks": dict(_COMMON, knee_lift_deg=20.0, knee_flexion_deg=145.0, toe_up_deg=125.0, body_lean_deg=4.0,
                       hip_hinge_deg=2.0, head_bob_pct=2.0, cadence_spm=180.0, arm_swing_deg=40.0),
    "skip": dict(_COMMON, knee_lift_deg=65.0, knee_flexion_deg=85.0, toe_up_deg=95.0, body_lean_deg=3.0,
                 hip_hinge_deg=2.0, head_bob_pct=2.5, cadence_spm=132.0, arm_swing_deg=55.0),
    "strides": dict(_COMMON, knee_lift_deg=60.0, knee_flexion_deg=118.0, toe_up_deg=100.0, body_lean_deg=6.0,
                    hip_hinge_deg=2.0, head_bob_pct=3.0, cadence_spm=185.0, contact_offset_frac=0.22,
                    travel_speed_mps=5.0, arm_swing_deg=50.0),
    "calf-raises": dict(_COMMON, knee_lift_deg=0.0, knee_flexion_deg=3.0, toe_up_deg=110.0, body_lean_deg=10.0,
                        hip_hinge_deg=0.0, head_bob_pct=0.0, cadence_spm=30.0, heel_rise_frac=0.28,
                        arm_swing_deg=0.0),
    "single-leg-balance": dict(_COMMON, knee_lift_deg=75.0, knee_flexion_deg=80.0, toe_up_deg=90.0,
                               body_lean_deg=1.0, hip_hinge_deg=0.0, head_bob_pct=0.0, cadence_spm=0.0,
                               sway_frac=0.006, hold_s=4.5, arm_swing_deg=0.0),
    "walk": dict(_COMMON, knee_lift_deg=32.0, knee_flexion_deg=60.0, toe_up_deg=100.0, body_lean_deg=2.0,
                 hip_hinge_deg=1.0, head_bob_pct=1.0, cadence_spm=110.0, travel_speed_mps=1.25,
                 arm_swing_deg=22.0),
    "stand": dict(_COMMON, knee_lift_deg=0.0, knee_flexion_deg=3.0, toe_up_deg=110.0, body_lean_deg=1.0,
                  hip_hinge_deg=0.0, head_bob_pct=0.0, cadence_spm=0.0, sway_frac=0.002, arm_swing_deg=0.0),
}


def defaults_for(drill: str, **overrides: Any) -> DrillParams:
    """Good-form parameters of ``drill`` (one of :data:`MOTIONS`), with ``overrides`` applied."""
    if drill not in _DEFAULTS:
        raise SynthError(f"unknown drill {drill!r}: use one of {', '.join(MOTIONS)}")
    names = {f.name for f in fields(DrillParams)} - {"drill"}
    bad = sorted(set(overrides) - names)
    if bad:
        raise SynthError(f"unknown DrillParams field(s) {', '.join(bad)}: use {', '.join(sorted(names))}")
    return DrillParams(drill=drill, **{**_DEFAULTS[drill], **overrides})


# ============================================================================ body
@dataclass(frozen=True)
class BodyDims:
    """Segment lengths in metres (Winter's proportions of standing height)."""

    height_m: float
    thigh_m: float
    shank_m: float
    ankle_height_m: float
    heel_back_m: float
    toe_forward_m: float
    hip_width_m: float
    trunk_m: float
    shoulder_width_m: float
    upper_arm_m: float
    forearm_m: float
    hand_m: float
    neck_m: float

    @property
    def leg_m(self) -> float:
        """Hip -> knee -> ankle: the leg length of the metric definitions."""
        return self.thigh_m + self.shank_m

    @property
    def foot_m(self) -> float:
        """Heel -> foot index distance: the foot length of ``heel_rise_frac``."""
        return self.heel_back_m + self.toe_forward_m

    @property
    def scale(self) -> float:
        return self.height_m / 1.75


def body_dimensions(height_m: float = 1.75) -> BodyDims:
    h = float(height_m)
    foot = 0.152 * h
    return BodyDims(
        height_m=h, thigh_m=0.245 * h, shank_m=0.246 * h, ankle_height_m=0.039 * h,
        heel_back_m=0.23 * foot, toe_forward_m=0.77 * foot, hip_width_m=0.11 * h, trunk_m=0.288 * h,
        shoulder_width_m=0.21 * h, upper_arm_m=0.186 * h, forearm_m=0.146 * h, hand_m=0.108 * h,
        neck_m=0.105 * h,
    )


# face points: (forward, up, left) from the head centre (ear midpoint), metres for a 1.75 m athlete
_FACE = {
    Landmark.NOSE: (0.100, -0.012, 0.0),
    Landmark.LEFT_EYE_INNER: (0.086, 0.020, 0.017), Landmark.LEFT_EYE: (0.080, 0.022, 0.033),
    Landmark.LEFT_EYE_OUTER: (0.070, 0.022, 0.047), Landmark.LEFT_EAR: (0.0, 0.0, 0.075),
    Landmark.MOUTH_LEFT: (0.084, -0.046, 0.025),
    Landmark.RIGHT_EYE_INNER: (0.086, 0.020, -0.017), Landmark.RIGHT_EYE: (0.080, 0.022, -0.033),
    Landmark.RIGHT_EYE_OUTER: (0.070, 0.022, -0.047), Landmark.RIGHT_EAR: (0.0, 0.0, -0.075),
    Landmark.MOUTH_RIGHT: (0.084, -0.046, -0.025),
}


# ============================================================================ gaits (rhythm as data)
@dataclass(frozen=True)
class Gait:
    """The rhythm and fixed style of a motion (the parts of it that are not DrillParams).

    ``pattern``: "alternate" (legs take turns: march, high knees, butt kicks, strides, walk),
    "skip" (step-hop on each leg in turn), "both" (both feet down: calf raises), "hold" (one leg
    held up: single-leg balance) or "still" (standing).
    """

    pattern: str
    swing_frac: float = 0.5          # alternate: one leg's swing time over its cycle (> 0.5 = flight)
    hop_contact_frac: float = 0.0    # skip: first (step) contact over the leg cycle
    hop_flight_frac: float = 0.0     # skip: hop flight over the leg cycle
    peak_at: float = 0.5             # thigh peak, as a fraction of the swing
    flex_peak_at: float = 0.5        # knee-flexion peak, as a fraction of the swing
    first_lift_frac: float = 0.1     # the lead leg lifts this fraction of a cycle after the start
    stance_knee_deg: float = 5.0     # stance-leg knee flexion at touchdown (sets the hip height)
    stance_pitch_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)   # foot pitch: touchdown, mid, take-off
    pitch_ease: tuple[float, float] = (0.0, 0.0)   # stance fractions to reach mid pitch / leave it
    bounce_m: float = 0.0            # no-flight gaits: hip dip at double support
    lateral_shift_m: float = 0.0     # hip shift toward the stance foot
    foot_half_width_m: float = 0.09  # each foot's distance from the midline
    elbow_deg: float = 90.0
    arm_mean_deg: float = 0.0
    arm_abduction_deg: float = 6.0
    head_pitch_frac: float = 0.4     # head pitch as a fraction of the trunk lean
    stance_from_offset: bool = False  # stance time chosen so the contact offset is contact_offset_frac
    rise_fracs: tuple[float, float, float, float] = (0.075, 0.35, 0.15, 0.35)   # both: bottom/2, up, top, down


GAITS: dict[str, Gait] = {
    "march": Gait("alternate", swing_frac=0.42, stance_knee_deg=4.0, bounce_m=0.010, lateral_shift_m=0.02,
                  foot_half_width_m=0.10),
    "high-knees": Gait("alternate", swing_frac=0.66, stance_knee_deg=10.0, stance_pitch_deg=(-12.0, -12.0, -12.0),
                       lateral_shift_m=0.012),
    "butt-kicks": Gait("alternate", swing_frac=0.64, stance_knee_deg=10.0, stance_pitch_deg=(-12.0, -12.0, -12.0),
                       lateral_shift_m=0.012, foot_half_width_m=0.08),
    "strides": Gait("alternate", peak_at=0.68, flex_peak_at=0.38, stance_knee_deg=18.0,
                    stance_pitch_deg=(-8.0, -4.0, -35.0), pitch_ease=(0.3, 0.5), lateral_shift_m=0.008,
                    foot_half_width_m=0.05, stance_from_offset=True),
    "walk": Gait("alternate", swing_frac=0.40, peak_at=0.8, flex_peak_at=0.38, first_lift_frac=0.05,
                 stance_knee_deg=5.0, stance_pitch_deg=(12.0, 0.0, -25.0), pitch_ease=(0.15, 0.4), bounce_m=0.055,
                 lateral_shift_m=0.02, elbow_deg=20.0, head_pitch_frac=0.3),
    "a-skip": Gait("skip", hop_contact_frac=0.175, hop_flight_frac=0.117, stance_knee_deg=10.0,
                   stance_pitch_deg=(-10.0, -10.0, -10.0), lateral_shift_m=0.012),
    "skip": Gait("skip", hop_contact_frac=0.16, hop_flight_frac=0.16, stance_knee_deg=10.0,
                 stance_pitch_deg=(-10.0, -10.0, -10.0), lateral_shift_m=0.012),
    "calf-raises": Gait("both", stance_knee_deg=3.0, foot_half_width_m=0.10, elbow_deg=12.0, arm_abduction_deg=8.0),
    "single-leg-balance": Gait("hold", stance_knee_deg=5.0, foot_half_width_m=0.09, elbow_deg=15.0,
                               arm_abduction_deg=12.0, lateral_shift_m=0.08),
    "stand": Gait("still", stance_knee_deg=3.0, foot_half_width_m=0.10, elbow_deg=10.0, arm_abduction_deg=7.0),
}

#: Metrics with a true value, per motion, in a side view.
_SIDE_METRICS: dict[str, tuple[str, ...]] = {
    "march": ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg",
              "head_bob_pct", "arm_leg_phase_deg", "cadence_spm"),
    "high-knees": ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "body_lean_deg", "trunk_lean_deg",
                   "hip_hinge_deg", "head_bob_pct", "arm_leg_phase_deg", "cadence_spm"),
    "a-skip": ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg",
               "head_bob_pct", "arm_leg_phase_deg", "cadence_spm", "contact_offset_frac", "travel_speed_mps"),
    "skip": ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg",
             "head_bob_pct", "arm_leg_phase_deg", "cadence_spm"),
    "butt-kicks": ("knee_flexion_deg", "knee_lift_deg", "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg",
                   "head_bob_pct", "arm_leg_phase_deg", "cadence_spm"),
    "strides": ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "body_lean_deg", "trunk_lean_deg",
                "hip_hinge_deg", "head_bob_pct", "arm_leg_phase_deg", "cadence_spm", "contact_offset_frac",
                "travel_speed_mps", "flight_s"),
    "calf-raises": ("heel_rise_frac", "cadence_spm", "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg"),
    "single-leg-balance": ("hold_s", "sway_frac", "knee_lift_deg", "knee_flexion_deg", "toe_up_deg",
                           "body_lean_deg", "trunk_lean_deg", "hip_hinge_deg"),
    "walk": ("cadence_spm", "travel_speed_mps"),
    "stand": (),
}
#: Metrics measurable in a front view (the rest are sagittal).
_FRONT_OK = ("cadence_spm", "head_bob_pct", "knee_tracking_deg", "hold_s", "sway_frac")


# ============================================================================ camera and clip
@dataclass(frozen=True)
class Camera:
    """Where the clip is seen from (see the module docstring for the exact conventions)."""

    view: str = "side"          # "side" or "front"
    facing: str = "right"       # side: athlete faces image "right" or "left"; front: "toward" or "away"
    width: int = 1280
    height: int = 720
    fps: float = 60.0
    body_height_frac: float = 0.7   # standing height as a fraction of the frame height
    distance_m: float = 6.0         # camera distance, for project(..., perspective=True)
    follow: bool = True             # pan to keep the athlete centred horizontally

    def __post_init__(self) -> None:
        ok = {"side": ("right", "left"), "front": ("toward", "away")}
        if self.view not in ok:
            raise SynthError(f"Camera.view must be 'side' or 'front', got {self.view!r}")
        if self.facing not in ok[self.view]:
            raise SynthError(f"Camera.facing for a {self.view} view must be one of {', '.join(ok[self.view])}, "
                             f"got {self.facing!r}")
        if self.width <= 0 or self.height <= 0 or not self.fps > 0:
            raise SynthError("Camera width, height and fps must be positive")
        if not 0.05 <= self.body_height_frac <= 1.5:
            raise SynthError(f"Camera.body_height_frac must be in [0.05, 1.5], got {self.body_height_frac}")
        if not self.distance_m > 0.5:
            raise SynthError(f"Camera.distance_m must be > 0.5, got {self.distance_m}")


@dataclass(frozen=True, eq=False)
class SyntheticClip:
    """A generated clip: image landmarks, the 3D athlete, and the true values and events.

    ``truth``: the metrics that apply to the drill and view (definitions of formcheck.measure),
    plus ``reps`` and ``per_side`` ({"left": {...}, "right": {...}}); a warm-up has ``parts``
    (one truth per drill segment). ``events``: {"side", "t_s", "frame" (nearest frame), "kind",
    "drill", "segment"} with kinds toe_off, peak_lift, peak_flexion, contact, hop_off,
    hop_contact, peak_rise. ``contact``: (n, 2) true foot contact (left, right).
    ``track_m``: the camera's position along world x per frame (see :func:`project`).
    """

    sequence: PoseSequence
    world_m: np.ndarray
    camera: Camera
    params: DrillParams | None
    truth: dict
    events: list[dict]
    segments: list[dict]
    contact: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=bool))
    track_m: np.ndarray = field(default_factory=lambda: np.zeros(0))


# ============================================================================ small geometry helpers
def _ease(s: np.ndarray | float) -> np.ndarray:
    s = np.clip(np.asarray(s, dtype=np.float64), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * s)


def _piece(t: np.ndarray, a: float, p1: float, p2: float, b: float, v0: float, vp: float, v1: float) -> np.ndarray:
    """v0 at a, eased to vp at p1, held to p2, eased to v1 at b."""
    up = v0 + (vp - v0) * _ease((t - a) / max(p1 - a, 1e-9))
    dn = vp + (v1 - vp) * _ease((t - p2) / max(b - p2, 1e-9))
    return np.where(t < p1, up, np.where(t > p2, dn, vp))


def _sag_angle(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Angle of p -> q from the downward vertical in the sagittal plane (x forward, y up), radians."""
    return np.arctan2(q[..., 0] - p[..., 0], p[..., 1] - q[..., 1])


def _lean_solve(dy: np.ndarray, beta: np.ndarray | float, hinge: float, trunk_m: float):
    """Stance-leg angle lam, trunk angle tau and hip offset d ahead of the ankle, such that the
    ankle -> shoulder-midpoint line leans ``beta`` and trunk - leg angle = ``hinge`` (radians),
    with the hip ``dy`` above the ankle."""
    dy = np.asarray(dy, dtype=np.float64)
    beta = np.broadcast_to(np.asarray(beta, dtype=np.float64), dy.shape)
    r = dy.copy()
    ts, tc = trunk_m * math.sin(hinge), trunk_m * math.cos(hinge)
    for _ in range(8):
        lam = beta - np.arctan2(ts, r + tc)
        r = dy / np.cos(lam)
    lam = beta - np.arctan2(ts, r + tc)
    return lam, lam + hinge, dy * np.tan(lam)


def _planted(psi: np.ndarray, b: BodyDims) -> tuple[np.ndarray, np.ndarray]:
    """Ankle (x from the flat heel point, height) of a foot on the floor pitched by ``psi``:
    toes up pivots on the heel, heel up pivots on the toe."""
    psi = np.asarray(psi, dtype=np.float64)
    c, s = np.cos(psi), np.sin(psi)
    hb, tf, ha = b.heel_back_m, b.toe_forward_m, b.ankle_height_m
    x = np.where(psi >= 0, hb * c - ha * s, hb + tf - tf * c - ha * s)
    y = np.where(psi >= 0, hb * s + ha * c, -tf * s + ha * c)
    return x, y


def _foot_points(ankle: np.ndarray, psi: np.ndarray, b: BodyDims) -> tuple[np.ndarray, np.ndarray]:
    c, s = np.cos(psi), np.sin(psi)
    hb, tf, ha = b.heel_back_m, b.toe_forward_m, b.ankle_height_m
    heel = ankle + np.stack([-hb * c + ha * s, -hb * s - ha * c, np.zeros_like(c)], axis=-1)
    toe = ankle + np.stack([tf * c + ha * s, tf * s - ha * c, np.zeros_like(c)], axis=-1)
    return heel, toe


def _toe0(b: BodyDims) -> float:
    """Direction of ankle -> toe of a flat foot (radians above the forward horizontal; negative)."""
    return math.atan2(-b.ankle_height_m, b.toe_forward_m)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


def _frontal_angle(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side_sign: float) -> np.ndarray:
    """Frontal-plane knee angle seen from the front (lateral z, vertical y), radians:
    ``180 - angle(hip, knee, ankle)``, positive when the knee lies medial of the hip-ankle line."""
    h = np.stack([hip[..., 2], hip[..., 1]], -1)
    k = np.stack([knee[..., 2], knee[..., 1]], -1)
    a = np.stack([ankle[..., 2], ankle[..., 1]], -1)
    u, w = h - k, a - k
    cross = u[..., 0] * w[..., 1] - u[..., 1] * w[..., 0]
    dot = np.sum(u * w, axis=-1)
    bend = math.pi - np.arctan2(np.abs(cross), dot)
    dy = a[..., 1] - h[..., 1]
    frac = np.where(np.abs(dy) > 1e-12, (k[..., 1] - h[..., 1]) / np.where(np.abs(dy) > 1e-12, dy, 1.0), 0.5)
    line_z = h[..., 0] + (a[..., 0] - h[..., 0]) * frac
    medial = (k[..., 0] - line_z) * side_sign < 0
    return np.where(medial, bend, -bend)


def _knees(hip: np.ndarray, ankle: np.ndarray, frontal: np.ndarray, side_sign: float, b: BodyDims) -> np.ndarray:
    """Knee positions of legs from ``hip`` to ``ankle`` (n, 3), bending forward; where ``frontal``
    (radians) is non-zero the knee is turned about the hip-ankle axis until the frontal-plane
    knee angle equals it (or as far as a quarter turn reaches)."""
    lt, ls = b.thigh_m, b.shank_m
    v = ankle - hip
    d = np.linalg.norm(v, axis=-1)
    e = v / np.where(d > 0, d, 1.0)[:, None]
    d = np.clip(d, abs(lt - ls) + 1e-9, lt + ls - 1e-12)
    p = (lt * lt - ls * ls + d * d) / (2 * d)
    q = np.sqrt(np.maximum(lt * lt - p * p, 0.0))
    f1 = _unit(np.stack([-e[:, 1], e[:, 0], np.zeros_like(d)], -1))          # z x e: the knee's side
    x = np.array([1.0, 0.0, 0.0])
    f2 = x - (e @ x)[:, None] * e                                            # keeps the frontal view straight
    n2 = np.linalg.norm(f2, axis=-1)
    f2 = f2 / np.where(n2 > 0, n2, 1.0)[:, None]
    f2 = f2 * np.where(np.sum(f2 * f1, -1) < 0, -1.0, 1.0)[:, None]
    f = np.where((n2 > 1e-3)[:, None], f2, f1)
    g = np.cross(e, f)
    g = g * np.where(g[:, 2] * side_sign > 0, -1.0, 1.0)[:, None]             # medial
    centre = hip + p[:, None] * e

    def at(rot: np.ndarray) -> np.ndarray:
        return centre + q[:, None] * (np.cos(rot)[:, None] * f + np.sin(rot)[:, None] * g)

    knee = at(np.zeros_like(d))
    target = np.asarray(frontal, dtype=np.float64)
    sel = np.abs(target) > 1e-12
    if sel.any():
        lo = np.zeros(sel.sum())
        hi = np.sign(target[sel]) * (math.pi / 2)
        hs, as_, cs, qs, fs, gs = hip[sel], ankle[sel], centre[sel], q[sel], f[sel], g[sel]
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            k = cs + qs[:, None] * (np.cos(mid)[:, None] * fs + np.sin(mid)[:, None] * gs)
            ang = _frontal_angle(hs, k, as_, side_sign)
            under = np.abs(ang) < np.abs(target[sel])
            lo = np.where(under, mid, lo)
            hi = np.where(under, hi, mid)
        rot = 0.5 * (lo + hi)
        knee[sel] = cs + qs[:, None] * (np.cos(rot)[:, None] * fs + np.sin(rot)[:, None] * gs)
    return knee


def _harmonic_phase(t: np.ndarray, x: np.ndarray, period_s: float, n_harm: int = 8) -> tuple[float, float]:
    """Least-squares fit of a mean plus ``n_harm`` harmonics; the fundamental's amplitude and its
    phase ``phi`` (x ~ A cos(w t - phi) + ...), radians."""
    ok = np.isfinite(x)
    t, x = t[ok], x[ok]
    w = 2 * math.pi / period_s
    cols = [np.ones_like(t)]
    k_max = max(1, min(n_harm, (len(t) - 1) // 2 - 1))
    for k in range(1, k_max + 1):
        cols += [np.cos(k * w * t), np.sin(k * w * t)]
    X = np.stack(cols, -1)
    coef = np.linalg.solve(X.T @ X, X.T @ x)
    return float(math.hypot(coef[1], coef[2])), float(math.atan2(coef[2], coef[1]))


def _wrap_deg(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


# ============================================================================ generalized pose
@dataclass
class _Pose:
    """A body configuration per time: what :func:`_assemble` turns into 33 landmarks."""

    pelvis: np.ndarray                       # (n, 3) hip midpoint
    trunk: np.ndarray                        # (n,) rad, hip-mid -> shoulder-mid from vertical, forward +
    neck: np.ndarray                         # (n,) rad, shoulder-mid -> head centre from vertical
    head_pitch: np.ndarray                   # (n,) rad, face turned down
    head_bob: np.ndarray                     # (n,) m, head up relative to the neck
    ankle: dict[str, np.ndarray]             # (n, 3) ankle targets
    pitch: dict[str, np.ndarray]             # (n,) rad, foot pitch (toes up +)
    frontal: dict[str, np.ndarray]           # (n,) rad, frontal-plane knee angle target
    arm: dict[str, np.ndarray]               # (n,) rad, upper arm from the downward vertical, forward +
    elbow: dict[str, np.ndarray]             # (n,) rad, elbow flexion
    abduction: np.ndarray                    # (n,) rad, arms out to the side
    contact: dict[str, np.ndarray]           # (n,) bool, foot on the floor
    travel: np.ndarray                       # (n,) m, where the athlete travels along x (no bounce, no sway)

    _ARRAYS = ("pelvis", "trunk", "neck", "head_pitch", "head_bob", "abduction", "travel")
    _DICTS = ("ankle", "pitch", "frontal", "arm", "elbow")


def _assemble(p: _Pose, b: BodyDims) -> tuple[np.ndarray, float]:
    """33 landmarks (n, 33, 3) from a generalized pose; also the largest floor correction (m)
    applied to an ankle target to keep the foot above the floor."""
    n = len(p.trunk)
    out = np.zeros((n, N_LANDMARKS, 3))
    L = Landmark
    H = p.pelvis
    guard = 0.0
    reach = (b.thigh_m + b.shank_m) * (1 - 1e-7)
    for s in SIDES:
        sg = _Z_SIGN[s]
        hip = H + np.array([0.0, 0.0, sg * b.hip_width_m / 2])
        ankle = p.ankle[s].copy()
        psi = p.pitch[s]
        v = ankle - hip
        dist = np.linalg.norm(v, axis=-1)
        far = dist > reach
        if far.any():
            ankle[far] = hip[far] + v[far] * (reach / dist[far])[:, None]
        heel, toe = _foot_points(ankle, psi, b)
        low = np.minimum(np.minimum(heel[:, 1], toe[:, 1]), ankle[:, 1])
        lift = np.maximum(-low, 0.0)
        if lift.any():
            guard = max(guard, float(lift.max()))
            ankle[:, 1] += lift
            heel[:, 1] += lift
            toe[:, 1] += lift
        knee = _knees(hip, ankle, p.frontal[s], sg, b)
        hip_i, knee_i, ankle_i, heel_i, toe_i = (L[f"{s.upper()}_{x}"] for x in ("HIP", "KNEE", "ANKLE", "HEEL",
                                                                                   "FOOT_INDEX"))
        out[:, hip_i], out[:, knee_i], out[:, ankle_i], out[:, heel_i], out[:, toe_i] = hip, knee, ankle, heel, toe
    # trunk and shoulders
    sh_mid = H + b.trunk_m * np.stack([np.sin(p.trunk), np.cos(p.trunk), np.zeros(n)], -1)
    for s in SIDES:
        sg = _Z_SIGN[s]
        sh = sh_mid + np.array([0.0, 0.0, sg * b.shoulder_width_m / 2])
        ab = p.abduction
        a, fl = p.arm[s], p.elbow[s]
        upper = np.stack([np.sin(a) * np.cos(ab), -np.cos(a) * np.cos(ab), sg * np.sin(ab)], -1)
        ab2 = 0.5 * ab
        fore = np.stack([np.sin(a + fl) * np.cos(ab2), -np.cos(a + fl) * np.cos(ab2), sg * np.sin(ab2)], -1)
        elbow = sh + b.upper_arm_m * upper
        wrist = elbow + b.forearm_m * fore
        thumb_side = _unit(np.cross(np.array([0.0, 0.0, 1.0]), fore))
        medial = np.array([0.0, 0.0, -sg])
        k = b.hand_m / 0.189                      # hand offsets below are for a 0.189 m hand
        index = wrist + k * (0.085 * fore + 0.015 * thumb_side)
        pinky = wrist + k * (0.075 * fore - 0.025 * thumb_side)
        thumb = wrist + k * (0.045 * fore + 0.035 * thumb_side + 0.012 * medial)
        for name, pt in (("SHOULDER", sh), ("ELBOW", elbow), ("WRIST", wrist), ("INDEX", index), ("PINKY", pinky),
                         ("THUMB", thumb)):
            out[:, L[f"{s.upper()}_{name}"]] = pt
    # head: rigid, on the neck, moved up/down by the bob
    centre = sh_mid + b.neck_m * np.stack([np.sin(p.neck), np.cos(p.neck), np.zeros(n)], -1)
    centre[:, 1] += p.head_bob
    hp = p.head_pitch
    fwd = np.stack([np.cos(hp), -np.sin(hp), np.zeros(n)], -1)
    up = np.stack([np.sin(hp), np.cos(hp), np.zeros(n)], -1)
    left = np.array([0.0, 0.0, 1.0])
    for lm, (f_, u_, l_) in _FACE.items():
        out[:, lm] = centre + b.scale * (f_ * fwd + u_ * up + l_ * left)
    return out, guard


# ============================================================================ a drill's motion plan
@dataclass
class _Contact:
    side: str
    a: float
    b: float
    kind: str                                # "step" (after a swing) or "hop" (after a hop)
    z: float
    pitch: Callable[[np.ndarray], np.ndarray]
    hx: float = 0.0                          # x of the flat foot's heel point
    valgus: float = 0.0                      # frontal knee angle target, rad

    @property
    def mid(self) -> float:
        if self.a <= -_INF / 2 or self.b >= _INF / 2:
            return 0.0
        return 0.5 * (self.a + self.b)


@dataclass
class _Swing:
    side: str
    a: float
    b: float
    hop: bool
    p1: float = 0.0
    p2: float = 0.0
    q1: float = 0.0
    q2: float = 0.0
    th_p: float = 0.0
    ka_p: float = 0.0
    toe_p: float = 0.0
    ends: tuple = ()                         # (th, ka, psi, e(2,), o) at a and at b
    lift: tuple = (0.0, 0.0)                 # extra ankle height before / after the peaks (clearance)
    hip_y: tuple = (0.0, 0.0)                # hip height at take-off and at touchdown

    @property
    def peak_t(self) -> float:
        return 0.5 * (self.p1 + self.p2)

    @property
    def flex_t(self) -> float:
        return 0.5 * (self.q1 + self.q2)


def _pitch_profile(a: float, b: float, pc: float, pm: float, po: float, f1: float, f2: float):
    if not (math.isfinite(a) and math.isfinite(b)) or (pc == pm == po) or b - a <= 0 or b - a > _INF / 2:
        return lambda t: np.full(np.shape(t), pm)
    ts = b - a
    u1, u2 = a + f1 * ts, b - f2 * ts

    def fn(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        return np.where(t < u1, pc + (pm - pc) * _ease((t - a) / max(u1 - a, 1e-9)),
                        np.where(t > u2, pm + (po - pm) * _ease((t - u2) / max(b - u2, 1e-9)), pm))
    return fn


class _Motion:
    """One bout of one motion over [t_lo, t_hi] (seconds), evaluable at any times."""

    def __init__(self, p: DrillParams, *, t_start: float, t_lo: float, t_hi: float, frames_t: np.ndarray,
                 plateau_s: float, rng: np.random.Generator, x0: float = 0.0, stance_s: float | None = None,
                 hold_end_s: float | None = None, pre_s: float = 0.5, full: bool = True,
                 steady: tuple[float, float] | None = None) -> None:
        self.p, self.g, self.b = p, GAITS[p.drill], body_dimensions(p.height_m)
        g, b = self.g, self.b
        self.t_start, self.t_lo, self.t_hi, self.x0 = t_start, t_lo, t_hi, x0
        self.steady = steady if steady is not None else (t_lo, t_hi)   # where the truth is taken
        self.pw = plateau_s
        self.beta, self.hinge = math.radians(p.body_lean_deg), math.radians(p.hip_hinge_deg)
        self.v = p.travel_speed_mps
        self.cyclic = g.pattern in ("alternate", "skip")
        self.T = 120.0 / p.cadence_spm if self.cyclic else (60.0 / p.cadence_spm if g.pattern == "both" else 0.0)
        self.psi_st = tuple(math.radians(x) for x in g.stance_pitch_deg)
        self.ay_v = float(_planted(np.array(self.psi_st[1]), b)[1])
        self.phases: dict[str, list] = {s: [] for s in SIDES}
        self.stance_s = stance_s
        self.sway_amp = 0.0
        self.sway_z_amp = 0.0
        self._sway_parts: list = []
        self.phi_thigh: dict[str, float] = {}
        self.hold = (0.0, 0.0)
        {"alternate": self._sched_alternate, "skip": self._sched_skip, "hold": self._sched_hold,
         "both": self._sched_still, "still": self._sched_still}[g.pattern](hold_end_s=hold_end_s, pre_s=pre_s)
        self._place_contacts()
        self._blocks()
        self.y_c = self._nominal_height()
        self._fit_height()
        if g.pattern == "skip":
            for _ in range(5):
                self._place_steps()
                if not self._fit_height():
                    break
        if not full:        # enough to evaluate the pelvis and the planted feet
            return
        tt = np.linspace(t_lo, t_lo + (self.T if self.T > 0 else 1.0), 64)
        self.hip_ahead = float(np.mean(self.pelvis(tt)[0][:, 0] - self.virtual(tt)[0]))
        if g.pattern in ("hold", "still") and p.sway_frac > 0:
            self._make_sway(frames_t, rng)
        self._swing_ends()
        if self.cyclic:
            self._arm_timing()

    # ---------------------------------------------------------------- schedules
    def _contact(self, side: str, a: float, b: float, kind: str) -> _Contact:
        pc, pm, po = self.psi_st
        f1, f2 = self.g.pitch_ease
        c = _Contact(side, a, b, kind, _Z_SIGN[side] * self.g.foot_half_width_m * self.b.scale,
                     _pitch_profile(a, b, pc, pm, po, f1, f2))
        c.valgus = math.radians(self.p.knee_tracking_deg)
        return c

    def _swing(self, side: str, a: float, b: float, peak: float, flex: float) -> _Swing:
        w = self.pw / 2
        sw = _Swing(side, a, b, False, peak - w, peak + w, flex - w, flex + w,
                    math.radians(self.p.knee_lift_deg), math.radians(self.p.knee_flexion_deg),
                    math.radians(self.p.toe_up_deg))
        margin = 1e-3
        if not (a + margin < min(sw.p1, sw.q1) and max(sw.p2, sw.q2) < b - margin):
            raise SynthError(f"{self.p.drill}: the swing is too short for the frame rate "
                             f"(cadence {self.p.cadence_spm} spm); lower the cadence or raise the fps")
        return sw

    def _cycle_range(self, first: float) -> range:
        T = self.T
        return range(int(math.floor((self.t_lo - first) / T)) - 3, int(math.ceil((self.t_hi - first) / T)) + 3)

    def _sched_alternate(self, **_: Any) -> None:
        g, T = self.g, self.T
        sw = T - self.stance_s if self.stance_s is not None else g.swing_frac * T
        self.swing_s = sw
        first = self.t_start + g.first_lift_frac * T
        self.first = first
        for side in SIDES:
            off = 0.0 if side == self.p.lead_side else -T / 2
            seq: list = []
            for k in self._cycle_range(first):
                a, a_next = first + off + k * T, first + off + (k + 1) * T
                seq.append(self._swing(side, a, a + sw, a + g.peak_at * sw, a + g.flex_peak_at * sw))
                seq.append(self._contact(side, a + sw, a_next, "step"))
            self.phases[side] = seq[1:]
        if g.bounce_m > 0 and sw < T / 2:
            self.bounce_c0 = first + 0.5 * (sw + T / 2)
        if self.p.lead_side == "left":
            self.left_mid = first + 0.5 * (sw + T)
        else:
            self.left_mid = first - T / 2 + 0.5 * (sw + T)
        self.touch0 = first + sw

    def _sched_skip(self, **_: Any) -> None:
        g, T = self.g, self.T
        ca, fl = g.hop_contact_frac * T, g.hop_flight_frac * T
        first = self.t_start + g.first_lift_frac * T
        self.first = first
        for side in SIDES:
            off = 0.0 if side == self.p.lead_side else -T / 2
            seq: list = []
            for k in self._cycle_range(first):
                a, a_next = first + off + k * T, first + off + (k + 1) * T
                b = a + T / 2
                pk = a + ca + fl / 2
                seq.append(self._swing(side, a, b, pk, pk))
                seq.append(self._contact(side, b, b + ca, "step"))
                seq.append(_Swing(side, b + ca, b + ca + fl, True))
                seq.append(self._contact(side, b + ca + fl, a_next, "hop"))
            self.phases[side] = seq[1:]
        self.left_mid = (first if self.p.lead_side == "left" else first - T / 2) + 0.75 * T
        self.touch0 = first + T / 2

    def _sched_hold(self, hold_end_s: float | None = None, pre_s: float = 0.5, **_: Any) -> None:
        lift = self.p.lead_side
        a = self.t_start + pre_s
        hold = self.p.hold_s
        if hold_end_s is not None:
            hold = min(hold, hold_end_s - a)
        if hold < 0.5:
            raise SynthError(f"single-leg-balance: no room for a hold of at least 0.5 s (have {hold:.2f} s); "
                             "make the clip or segment longer")
        b = a + hold
        rise = min(0.45, hold / 4)
        sw = _Swing(lift, a, b, False, a + rise, b - rise, a + rise, b - rise, math.radians(self.p.knee_lift_deg),
                    math.radians(self.p.knee_flexion_deg), math.radians(self.p.toe_up_deg))
        self.phases[lift] = [self._contact(lift, -_INF, a, "step"), sw, self._contact(lift, b, _INF, "step")]
        self.phases[_OTHER[lift]] = [self._contact(_OTHER[lift], -_INF, _INF, "step")]
        self.hold = (a, b)

    def _sched_still(self, **_: Any) -> None:
        for side in SIDES:
            c = self._contact(side, -_INF, _INF, "step")
            if self.g.pattern == "both":
                c.pitch = self._rise_pitch
            self.phases[side] = [c]

    def _rise_pitch(self, t: np.ndarray) -> np.ndarray:
        """Calf raises: foot pitch over each rep (bottom, rise, top hold, lower, bottom)."""
        t = np.asarray(t, dtype=np.float64)
        top = -math.asin(min(self.p.heel_rise_frac, 0.99))
        b0, up, hold, down = self.g.rise_fracs
        u = np.mod((t - self.t_start) / self.T, 1.0)
        e = np.where(u < b0, 0.0, np.where(u < b0 + up, _ease((u - b0) / up),
                     np.where(u < b0 + up + hold, 1.0, np.where(u < b0 + up + hold + down,
                                                               1.0 - _ease((u - b0 - up - hold) / down), 0.0))))
        return top * e

    def contacts(self, side: str) -> list[_Contact]:
        return [ph for ph in self.phases[side] if isinstance(ph, _Contact)]

    def swings(self, side: str) -> list[_Swing]:
        return [ph for ph in self.phases[side] if isinstance(ph, _Swing)]

    # ---------------------------------------------------------------- whole-body trajectories
    def virtual(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stance ankle the lean is built on (x, height)."""
        if self.g.pattern == "both":
            dx, y = _planted(self._rise_pitch(t), self.b)
            return self.x0 + dx - float(_planted(np.array(0.0), self.b)[0]), y
        return self.x0 + self.v * (t - self.t_start), np.full(np.shape(t), self.ay_v)

    def _place_contacts(self) -> None:
        for side in SIDES:
            for c in self.contacts(side):
                if c.b - c.a > _INF / 2:
                    m, vx = np.array([self.t_start]), self.x0
                else:
                    m = np.array([c.mid])
                    vx = float(self.virtual(m)[0][0])
                c.hx = vx - float(_planted(c.pitch(m), self.b)[0][0])

    def _blocks(self) -> None:
        ivs = sorted((c.a, c.b) for s in SIDES for c in self.contacts(s))
        merged: list[list[float]] = []
        for a, b in ivs:
            if merged and a <= merged[-1][1] + 1e-9:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.flights = [(merged[i][1], merged[i + 1][0]) for i in range(len(merged) - 1)]
        self.blocks = []
        for i, (a, b) in enumerate(merged):
            m0 = -G_MPS2 * (a - merged[i - 1][1]) / 2 if i > 0 else 0.0
            m1 = G_MPS2 * (merged[i + 1][0] - b) / 2 if i + 1 < len(merged) else 0.0
            self.blocks.append((a, b, m0, m1))
        self._fl = np.array(self.flights, dtype=np.float64).reshape(-1, 2)
        self._bl = np.array(self.blocks, dtype=np.float64).reshape(-1, 4)

    def _nominal_height(self) -> float:
        b = self.b
        k = math.radians(self.g.stance_knee_deg)
        r = math.sqrt(b.thigh_m ** 2 + b.shank_m ** 2 + 2 * b.thigh_m * b.shank_m * math.cos(k))
        lam = self.beta - math.atan2(b.trunk_m * math.sin(self.hinge), r + b.trunk_m * math.cos(self.hinge))
        return self.ay_v + r * math.cos(lam)

    def height(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        y = np.full(t.shape, self.y_c)
        if self._fl.shape[0]:                      # ballistic flights
            fa, fb = self._fl[:, 0], self._fl[:, 1]
            i = np.clip(np.searchsorted(fa, t, side="right") - 1, 0, None)
            mk = (t > fa[i]) & (t < fb[i])
            y += np.where(mk, 0.5 * G_MPS2 * (t - fa[i]) * (fb[i] - t), 0.0)
        if self._bl.shape[0] and np.any(self._bl[:, 2:] != 0):   # contact blocks: dips joining the flights
            ba, bb, m0, m1 = (self._bl[:, k] for k in range(4))
            i = np.clip(np.searchsorted(ba, t, side="right") - 1, 0, None)
            mk = (t >= ba[i]) & (t <= bb[i])
            d = bb[i] - ba[i]
            s = np.clip((t - ba[i]) / np.where(d > 0, d, 1.0), 0.0, 1.0)
            y += np.where(mk, d * (m0[i] * s * (1 - s) ** 2 + m1[i] * s * s * (s - 1)), 0.0)
        if hasattr(self, "bounce_c0"):
            y -= self.g.bounce_m * self.b.scale * 0.5 * (1 + np.cos(2 * np.pi * (t - self.bounce_c0) / (self.T / 2)))
        if self.g.pattern == "both":
            y += self.virtual(t)[1] - self.ay_v
        return y

    def lateral(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.float64)
        s = self.g.lateral_shift_m * self.b.scale
        if self.cyclic:
            return s * np.cos(2 * np.pi * (t - self.left_mid) / self.T)
        if self.g.pattern == "hold":
            a, b = self.hold
            stance_sign = _Z_SIGN[_OTHER[self.p.lead_side]]
            shift = min(s, self.b.hip_width_m / 2 * 0.9)
            ramp = _ease((t - (a - 0.45)) / 0.4) - _ease((t - (b + 0.05)) / 0.4)
            return stance_sign * shift * ramp
        return np.zeros(t.shape)

    def _sway(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Postural sway: (lean angle added about the ankle, rad; lateral hip shift, m)."""
        t = np.asarray(t, dtype=np.float64)
        if not self._sway_parts:
            return np.zeros(t.shape), np.zeros(t.shape)
        win = self._sway_window(t)
        ang = np.zeros(t.shape)
        lat = np.zeros(t.shape)
        for (f, ph_x, ph_z, w) in self._sway_parts:
            ang += w * np.sin(2 * np.pi * f * t + ph_x)
            lat += w * np.sin(2 * np.pi * f * t + ph_z)
        return self.sway_amp * win * (ang - self._sway_x0), self.sway_z_amp * win * lat

    def _sway_window(self, t: np.ndarray) -> np.ndarray:
        if self.g.pattern == "hold":
            a, b = self.hold
            return _ease((t - a) / 0.3) * _ease((b - t) / 0.3)
        return np.ones(np.shape(t))

    def pelvis(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hip midpoint (n, 3) and trunk angle (n,) rad."""
        t = np.asarray(t, dtype=np.float64)
        vx, vy = self.virtual(t)
        y = self.height(t)
        sway_ang, sway_z = self._sway(t)
        lam, tau, d = _lean_solve(y - vy, self.beta + sway_ang, self.hinge, self.b.trunk_m)
        z = self.lateral(t) + sway_z
        return np.stack([vx + d, y, z], -1), tau

    def hip(self, side: str, pelvis: np.ndarray) -> np.ndarray:
        return pelvis + np.array([0.0, 0.0, _Z_SIGN[side] * self.b.hip_width_m / 2])

    def contact_ankle(self, c: _Contact, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        psi = c.pitch(t)
        dx, y = _planted(psi, self.b)
        return np.stack([c.hx + dx, y, np.full(np.shape(t), c.z)], -1), psi

    # ---------------------------------------------------------------- fitting
    def _place_steps(self) -> None:
        """Skips: put each step's foot down ``contact_offset_frac`` leg lengths ahead of the hip."""
        for side in SIDES:
            for c in self.contacts(side):
                if c.kind == "step" and c.b - c.a < _INF / 2:
                    c.hx += (self.p.contact_offset_frac - self.contact_offset(c)) * self.b.leg_m

    def _fit_height(self) -> bool:
        """Lower the hip until every stance leg reaches its foot (travelling gaits); True if lowered."""
        hi = self.t_hi + 0.1
        if self.cyclic:     # steady: a few cycles tell
            hi = min(hi, self.t_lo + 2.5 * self.T)
        grid = np.arange(self.t_lo - 0.1, hi, 0.004)
        reach = 0.998 * (self.b.thigh_m + self.b.shank_m)
        lowered = False
        for _ in range(6):
            H, _tau = self.pelvis(grid)
            worst = 0.0
            for side in SIDES:
                hip = self.hip(side, H)
                for c in self.contacts(side):
                    mk = (grid >= c.a) & (grid <= c.b)
                    if not mk.any():
                        continue
                    A, _psi = self.contact_ankle(c, grid[mk])
                    dv = hip[mk] - A
                    horiz = dv[:, 0] ** 2 + dv[:, 2] ** 2
                    need = dv[:, 1] - np.sqrt(np.maximum(reach ** 2 - horiz, 0.0))
                    worst = max(worst, float(need.max()))
            if worst <= 1e-7:
                return lowered
            self.y_c -= worst + 1e-4
            lowered = True
        return lowered

    def _make_sway(self, frames_t: np.ndarray, rng: np.random.Generator) -> None:
        """Sway of RMS ``sway_frac`` leg lengths (hip midpoint, forward and sideways) over the hold,
        with the lean's median over the clip unchanged."""
        freqs = (0.23, 0.41, 0.67, 1.13)
        self._sway_parts = [(f, rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi), 1.0 / (1 + i))
                            for i, f in enumerate(freqs)]
        self._sway_x0 = 0.0
        target = self.p.sway_frac * self.b.leg_m
        t = frames_t[(frames_t >= self.steady[0]) & (frames_t <= self.steady[1])]
        if self.g.pattern == "hold":
            a, b = self.hold
            sel = t[(t >= a) & (t <= b)]
        else:
            sel = t
        if len(sel) < 3:
            return
        # lateral: linear, scale directly
        self.sway_z_amp = 1.0
        z = self._sway(sel)[1]
        rms = float(np.sqrt(np.mean((z - z.mean()) ** 2)))
        self.sway_z_amp = target / rms if rms > 0 else 0.0
        # forward: an angle about the ankle; centre it so the median lean over the clip is unchanged,
        # then scale (the hip moves nearly in proportion) until the RMS is exact
        self.sway_amp = 1.0
        lo, hi = -3.0, 3.0
        for _ in range(60):
            self._sway_x0 = 0.5 * (lo + hi)
            med = float(np.median(self._sway(t)[0]))
            lo, hi = (self._sway_x0, hi) if med > 0 else (lo, self._sway_x0)
        self.sway_amp = 0.01
        for _ in range(8):
            x = self.pelvis(sel)[0][:, 0]
            rms = float(np.sqrt(np.mean((x - x.mean()) ** 2)))
            if rms <= 0:
                break
            self.sway_amp *= target / rms

    def _end_config(self, side: str, c: _Contact, t: float) -> tuple:
        tt = np.array([t])
        H, _tau = self.pelvis(tt)
        hip = self.hip(side, H)
        A, psi = self.contact_ankle(c, tt)
        K = _knees(hip, A, np.zeros(1), _Z_SIGN[side], self.b)
        th = float(_sag_angle(hip, K)[0])
        ka = th - float(_sag_angle(K, A)[0])
        b = self.b
        kf = hip[0, :2] + b.thigh_m * np.array([math.sin(th), -math.cos(th)])
        af = kf + b.shank_m * np.array([math.sin(th - ka), -math.cos(th - ka)])
        return th, ka, float(psi[0]), A[0, :2] - af, float(A[0, 2] - hip[0, 2])

    def _swing_ends(self) -> None:
        for side in SIDES:
            ph = self.phases[side]
            while ph and isinstance(ph[-1], _Swing):
                ph.pop()
            for i, sw in enumerate(ph):
                if isinstance(sw, _Swing) and self.t_lo - 1.0 <= sw.b and sw.a <= self.t_hi + 1.0:
                    sw.ends = (self._end_config(side, ph[i - 1], sw.a), self._end_config(side, ph[i + 1], sw.b))
                    sw.hip_y = tuple(float(v) for v in self.height(np.array([sw.a, sw.b])))
                    self._clearance(sw)

    # ---------------------------------------------------------------- legs, arms, head
    def _swing_state(self, sw: _Swing, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b = self.b
        (th0, ka0, psi0, e0, o0), (th1, ka1, psi1, e1, o1) = sw.ends
        H, _tau = self.pelvis(t)
        hip = self.hip(sw.side, H)
        if sw.hop:
            u = _ease((t - sw.a) / (sw.b - sw.a))
            th = th0 + (th1 - th0) * u
            ka = ka0 + (ka1 - ka0) * u
            psi = psi0 + (psi1 - psi0) * u
            w0, w1 = 1 - u, u
        else:
            th = _piece(t, sw.a, sw.p1, sw.p2, sw.b, th0, sw.th_p, th1)
            ka = _piece(t, sw.a, sw.q1, sw.q2, sw.b, ka0, sw.ka_p, ka1)
            c1, c2 = min(sw.p1, sw.q1), max(sw.p2, sw.q2)     # corrections vanish over both peaks
            w0 = np.where(t < c1, 1 - _ease((t - sw.a) / (c1 - sw.a)), 0.0)
            w1 = np.where(t > c2, _ease((t - c2) / (sw.b - c2)), 0.0)
            toe0 = _toe0(b)
            held = math.pi / 2 + (th - ka) - sw.toe_p - toe0        # keeps knee-ankle-toe at toe_up
            ka_p1 = float(_piece(np.array([sw.p1]), sw.a, sw.q1, sw.q2, sw.b, ka0, sw.ka_p, ka1)[0])
            ka_p2 = float(_piece(np.array([sw.p2]), sw.a, sw.q1, sw.q2, sw.b, ka0, sw.ka_p, ka1)[0])
            h1 = math.pi / 2 + (sw.th_p - ka_p1) - sw.toe_p - toe0
            h2 = math.pi / 2 + (sw.th_p - ka_p2) - sw.toe_p - toe0
            s0 = sw.a + 0.3 * (sw.p1 - sw.a)
            s1 = sw.b - 0.3 * (sw.b - sw.p2)
            psi = np.where(t < sw.p1, psi0 + (h1 - psi0) * _ease((t - s0) / (sw.p1 - s0)),
                           np.where(t > sw.p2, h2 + (psi1 - h2) * _ease((t - sw.p2) / (s1 - sw.p2)), held))
        kx = hip[:, 0] + b.thigh_m * np.sin(th)
        ky = hip[:, 1] - b.thigh_m * np.cos(th)
        ax = kx + b.shank_m * np.sin(th - ka) + e0[0] * w0 + e1[0] * w1
        ay = ky - b.shank_m * np.cos(th - ka) + e0[1] * w0 + e1[1] * w1
        # near take-off and touchdown the foot moves relative to the floor, not with the bouncing hip
        ay = ay - (hip[:, 1] - sw.hip_y[0]) * w0 - (hip[:, 1] - sw.hip_y[1]) * w1
        if sw.lift[0] or sw.lift[1]:
            b0, b1 = self._lift_shapes(sw, t)
            ay = ay + sw.lift[0] * b0 + sw.lift[1] * b1
        az = hip[:, 2] + o0 * w0 + o1 * w1
        return np.stack([ax, ay, az], -1), psi

    @staticmethod
    def _lift_shapes(sw: _Swing, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smooth bumps, zero with zero slope at the swing's ends and over its peaks."""
        if sw.hop:
            return np.sin(np.pi * np.clip((t - sw.a) / (sw.b - sw.a), 0, 1)) ** 2, np.zeros(np.shape(t))
        c1, c2 = min(sw.p1, sw.q1), max(sw.p2, sw.q2)
        b0 = np.where(t < c1, np.sin(np.pi * np.clip((t - sw.a) / (c1 - sw.a), 0, 1)) ** 2, 0.0)
        b1 = np.where(t > c2, np.sin(np.pi * np.clip((t - c2) / (sw.b - c2), 0, 1)) ** 2, 0.0)
        return b0, b1

    def _clearance(self, sw: _Swing) -> None:
        """Raise the swinging foot where its lowest point would dip below the floor (+2 mm)."""
        u = (np.arange(1, 160) / 160.0)
        t = sw.a + u * (sw.b - sw.a)
        A, psi = self._swing_state(sw, t)
        heel, toe = _foot_points(A, psi, self.b)
        need = np.maximum(0.002 - np.minimum(np.minimum(heel[:, 1], toe[:, 1]), A[:, 1]), 0.0)
        # near the touchdown/take-off the foot is meant to meet the floor
        need = np.where((t - sw.a < 0.04 * (sw.b - sw.a)) | (sw.b - t < 0.04 * (sw.b - sw.a)),
                        np.maximum(need - 0.002, 0.0), need)
        if not need.any():
            return
        b0, b1 = self._lift_shapes(sw, t)
        l0 = float(np.max(np.where(b0 > 0.05, need / np.maximum(b0, 0.05), 0.0)))
        l1 = float(np.max(np.where(b1 > 0.05, need / np.maximum(b1, 0.05), 0.0)))
        sw.lift = (1.05 * l0, 1.05 * l1)

    def legs(self, t: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per side: ankle (n, 3), pitch (n,), frontal-angle target (n,), contact (n,)."""
        n = len(t)
        out = {}
        for side in SIDES:
            A = np.full((n, 3), np.nan)
            psi = np.full(n, np.nan)
            fr = np.zeros(n)
            con = np.zeros(n, dtype=bool)
            for ph in self.phases[side]:
                if isinstance(ph, _Contact):
                    mk = (t >= ph.a) & (t <= ph.b)
                    if not mk.any():
                        continue
                    A[mk], psi[mk] = self.contact_ankle(ph, t[mk])
                    con[mk] = True
                    if ph.valgus:
                        if ph.b - ph.a > _INF / 2:
                            fr[mk] = ph.valgus
                        else:
                            edge = 0.15 * (ph.b - ph.a)
                            fr[mk] = ph.valgus * _ease((t[mk] - ph.a) / edge) * _ease((ph.b - t[mk]) / edge)
                else:
                    mk = (t > ph.a) & (t < ph.b)
                    if mk.any():
                        A[mk], psi[mk] = self._swing_state(ph, t[mk])
            if np.isnan(psi).any():
                raise RuntimeError("motion plan does not cover the requested times")
            out[side] = (A, psi, fr, con)
        return out

    def pose(self, t: np.ndarray) -> _Pose:
        t = np.asarray(t, dtype=np.float64)
        n = len(t)
        H, tau = self.pelvis(t)
        legs = self.legs(t)
        g, p = self.g, self.p
        nominal = self.beta + self.hinge
        arm, elbow = {}, {}
        for side in SIDES:
            base = math.radians(g.arm_mean_deg)
            if self.cyclic and self.phi_thigh:
                w = 2 * math.pi / self.T
                a = base + math.radians(p.arm_swing_deg) * np.cos(
                    w * t - self.phi_thigh[_OTHER[side]] - math.radians(p.arm_leg_phase_deg))
            else:
                a = np.full(n, base)
            arm[side] = a
            elbow[side] = np.full(n, math.radians(g.elbow_deg))
        if self.cyclic and p.head_bob_pct > 0:
            amp = p.head_bob_pct / 100 * self.b.trunk_m
            bob = -0.5 * amp * np.cos(2 * np.pi * (t - self.touch0) / (self.T / 2))
        else:
            bob = np.zeros(n)
        return _Pose(
            pelvis=H, trunk=tau, neck=np.full(n, 0.5 * nominal), head_pitch=np.full(n, g.head_pitch_frac * nominal),
            head_bob=bob, ankle={s: legs[s][0] for s in SIDES}, pitch={s: legs[s][1] for s in SIDES},
            frontal={s: legs[s][2] for s in SIDES}, arm=arm, elbow=elbow,
            abduction=np.full(n, math.radians(g.arm_abduction_deg)), contact={s: legs[s][3] for s in SIDES},
            travel=self.x0 + self.hip_ahead + self.v * (t - self.t_start),
        )

    def _arm_timing(self) -> None:
        """The fundamental phase of each thigh's swing, which the opposite arm locks to."""
        T = self.T
        tm = 0.5 * (self.t_lo + self.t_hi)
        tt = tm + T * np.arange(720) / 720
        world, _ = _assemble(self.pose(tt), self.b)
        for side in SIDES:
            th = truth_thigh_angle_deg(world, side)
            self.phi_thigh[side] = _harmonic_phase(tt, th, T)[1]

    # ---------------------------------------------------------------- events and truth
    def events(self, lo: float, hi: float) -> list[tuple[float, str, str]]:
        ev: list[tuple[float, str, str]] = []
        for side in SIDES:
            for ph in self.phases[side]:
                if not isinstance(ph, _Swing):
                    continue
                if ph.hop:
                    ev += [(ph.a, side, "hop_off"), (ph.b, side, "hop_contact")]
                else:
                    ev += [(ph.a, side, "toe_off"), (ph.peak_t, side, "peak_lift"), (ph.flex_t, side, "peak_flexion"),
                           (ph.b, side, "contact")]
        if self.g.pattern == "both":
            b0, up, hold, _down = self.g.rise_fracs
            k0 = int(math.floor((lo - self.t_start) / self.T)) - 1
            k1 = int(math.ceil((hi - self.t_start) / self.T)) + 1
            ev += [(self.t_start + (k + b0 + up + hold / 2) * self.T, "both", "peak_rise") for k in range(k0, k1)]
        return sorted((e for e in ev if lo <= e[0] <= hi), key=lambda e: (e[0], e[1]))

    def reps_in(self, lo: float, hi: float) -> list[_Swing]:
        return sorted((sw for s in SIDES for sw in self.swings(s)
                       if not sw.hop and sw.p1 >= lo and sw.p2 <= hi), key=lambda sw: sw.peak_t)

    def truth(self, world: np.ndarray, t: np.ndarray, contact: np.ndarray, lo: float, hi: float,
              view: str) -> dict:
        p, b = self.p, self.b
        sel = (t >= lo - 1e-9) & (t <= hi + 1e-9)
        names = _SIDE_METRICS[p.drill]
        if view == "front":
            names = tuple(m for m in names if m in _FRONT_OK) + (("knee_tracking_deg",) if p.drill != "stand" else ())
        out: dict[str, Any] = {}
        per_side: dict[str, dict[str, Any]] = {s: {} for s in SIDES}
        reps = self.reps_in(lo, hi)
        stance = stance_side(contact, t)
        stance = np.where(sel, stance, -1)

        def rep_peak(series: dict[str, np.ndarray], when: str) -> None:
            vals = {s: [] for s in SIDES}
            for sw in reps:
                mk = sel & (t >= sw.a) & (t <= sw.b)
                if mk.any():
                    vals[sw.side].append(float(np.max(series[sw.side][mk])))
            allv = vals["left"] + vals["right"]
            if allv:
                out[when] = float(np.median(allv))
                for s in SIDES:
                    if vals[s]:
                        per_side[s][when] = float(np.median(vals[s]))

        if self.g.pattern == "both":
            rises = [e for e in self.events(lo, hi) if e[2] == "peak_rise"]
            out["reps"] = len(rises)
        elif self.g.pattern == "hold":
            out["reps"] = 1 if (self.hold[0] >= lo and self.hold[1] <= hi) else 0
        elif self.g.pattern == "still":
            out["reps"] = 0
        else:
            out["reps"] = len(reps)
            for s in SIDES:
                per_side[s]["reps"] = sum(1 for sw in reps if sw.side == s)
        if "knee_lift_deg" in names:
            rep_peak({s: truth_thigh_angle_deg(world, s) for s in SIDES}, "knee_lift_deg")
        if "knee_flexion_deg" in names:
            rep_peak({s: truth_knee_flexion_deg(world, s) for s in SIDES}, "knee_flexion_deg")
        if "toe_up_deg" in names:
            vals = {s: [] for s in SIDES}
            for sw in reps:
                mk = np.flatnonzero(sel & (t >= sw.a) & (t <= sw.b))
                if mk.size:
                    th = truth_thigh_angle_deg(world[mk], sw.side)
                    i = mk[int(np.argmax(th))]
                    vals[sw.side].append(float(truth_toe_angle_deg(world[i:i + 1], sw.side)[0]))
            if vals["left"] + vals["right"]:
                out["toe_up_deg"] = float(np.median(vals["left"] + vals["right"]))
                for s in SIDES:
                    if vals[s]:
                        per_side[s]["toe_up_deg"] = float(np.median(vals[s]))
        if "body_lean_deg" in names:
            out["body_lean_deg"] = _nanmedian(truth_body_lean_deg(world, stance))
        if "trunk_lean_deg" in names:
            out["trunk_lean_deg"] = _nanmedian(np.where(stance >= 0, truth_trunk_lean_deg(world), np.nan))
        if "hip_hinge_deg" in names:
            out["hip_hinge_deg"] = _nanmedian(truth_hip_hinge_deg(world, stance))
        if "head_bob_pct" in names and self.cyclic:
            lead = [sw.peak_t for sw in reps if sw.side == p.lead_side]
            out["head_bob_pct"] = truth_head_bob_pct(world[sel], t[sel], lead, view)
        if "arm_leg_phase_deg" in names and self.cyclic and p.arm_swing_deg > 0:
            # continuous-time value: whole cycles densely sampled (frames alias the thigh's harmonics)
            k = max(1, int((hi - lo) // self.T))
            tt = lo + self.T * np.arange(360 * k) / 360
            dense, _g = _assemble(self.pose(tt), b)
            ph = truth_arm_leg_phase_deg(dense, tt, self.T)
            out["arm_leg_phase_deg"] = abs(_wrap_deg(math.degrees(
                math.atan2(sum(math.sin(math.radians(v)) for v in ph.values()),
                           sum(math.cos(math.radians(v)) for v in ph.values())))))
            for s in SIDES:
                per_side[s]["arm_leg_phase_deg"] = abs(ph[s])
                per_side[s]["arm_leg_phase_signed_deg"] = ph[s]
        if "cadence_spm" in names:
            if self.g.pattern == "both":
                out["cadence_spm"] = truth_cadence_spm([e[0] for e in self.events(lo, hi) if e[2] == "peak_rise"])
            else:
                out["cadence_spm"] = truth_cadence_spm([sw.peak_t for sw in reps])
        if "contact_offset_frac" in names:
            vals = {s: [] for s in SIDES}
            for s in SIDES:
                for c in self.contacts(s):
                    if c.kind == "step" and lo <= c.a <= hi:
                        vals[s].append(self.contact_offset(c))
            if vals["left"] + vals["right"]:
                out["contact_offset_frac"] = float(np.median(vals["left"] + vals["right"]))
                for s in SIDES:
                    if vals[s]:
                        per_side[s]["contact_offset_frac"] = float(np.median(vals[s]))
        if "travel_speed_mps" in names:
            H = 0.5 * (world[:, Landmark.LEFT_HIP] + world[:, Landmark.RIGHT_HIP])
            idx = np.flatnonzero(sel)
            if idx.size > 1:
                out["travel_speed_mps"] = float((H[idx[-1], 0] - H[idx[0], 0]) / (t[idx[-1]] - t[idx[0]]))
        if "flight_s" in names:
            fl = [fb - fa for fa, fb in self.flights if fa >= lo and fb <= hi]
            out["flight_s"] = float(np.median(fl)) if fl else 0.0
        if "heel_rise_frac" in names:
            wins = [(e[0] - self.T / 2, e[0] + self.T / 2) for e in self.events(lo, hi) if e[2] == "peak_rise"]
            out["heel_rise_frac"] = truth_heel_rise_frac(world[sel], t[sel], wins, b.foot_m)
        if "hold_s" in names and self.g.pattern == "hold":
            a, e = self.hold
            out["hold_s"] = float(min(e, hi) - max(a, lo))
            out["stance_side"] = _OTHER[p.lead_side]
        if "sway_frac" in names and self.g.pattern == "hold":
            a, e = self.hold
            frames = np.flatnonzero(sel & (t >= a) & (t <= e))
            out["sway_frac"] = truth_sway_frac(world, frames, axis=2 if view == "front" else 0, leg_m=b.leg_m)
        if "knee_tracking_deg" in names:
            vals_all = []
            for s, k in (("left", 0), ("right", 1)):
                st = np.flatnonzero((stance == k) | (sel & contact[:, k] & (self.g.pattern in ("both", "still"))))
                if st.size:
                    v = truth_knee_tracking_deg(world[st], s)
                    per_side[s]["knee_tracking_deg"] = float(np.median(v))
                    vals_all.append(v)
            if vals_all:
                out["knee_tracking_deg"] = float(np.median(np.concatenate(vals_all)))
        out = {k: (v if not isinstance(v, float) else float(v)) for k, v in out.items()}
        out["per_side"] = {s: v for s, v in per_side.items()}
        return out

    def contact_offset(self, c: _Contact) -> float:
        """Ankle ahead of the hip midpoint at the instant of touchdown, over leg length."""
        tt = np.array([c.a])
        H, _tau = self.pelvis(tt)
        A, _psi = self.contact_ankle(c, tt)
        return float((A[0, 0] - H[0, 0]) / self.b.leg_m)


def stance_side(contact: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per frame: 0 = left foot is the stance foot, 1 = right, -1 = none. With both feet down,
    the foot that has been down longer (for in-place drills both give the same ankle)."""
    n = len(t)
    out = np.full(n, -1)
    only_l = contact[:, 0] & ~contact[:, 1]
    only_r = contact[:, 1] & ~contact[:, 0]
    out[only_l], out[only_r] = 0, 1
    both = np.flatnonzero(contact[:, 0] & contact[:, 1])
    if both.size:
        # time since each foot's current contact began
        since = np.zeros((n, 2))
        for k in range(2):
            start = -np.inf
            for i in range(n):
                if contact[i, k] and (i == 0 or not contact[i - 1, k]):
                    start = t[i] if i > 0 else -np.inf
                since[i, k] = t[i] - start if contact[i, k] else -1
        out[both] = np.where(since[both, 0] >= since[both, 1], 0, 1)
    return out


def _nanmedian(v: np.ndarray) -> float:
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


# ============================================================================ truth functions
# All take world landmarks (n, 33, 3) in the world frame of this module and measure in the
# sagittal plane (x forward, y up) = an orthographic side view, or in the frontal plane (z, y).
def _pt(world: np.ndarray, lm: Landmark) -> np.ndarray:
    return world[:, int(lm)]


def _mid(world: np.ndarray, a: Landmark, b: Landmark) -> np.ndarray:
    return 0.5 * (_pt(world, a) + _pt(world, b))


def _leg(side: str) -> tuple[Landmark, ...]:
    """Hip, knee, ankle, heel, foot index of one side."""
    s = side.upper()
    return tuple(Landmark[f"{s}_{x}"] for x in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"))


def _angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Unsigned sagittal angle a-b-c at b, degrees."""
    u, w = a[..., :2] - b[..., :2], c[..., :2] - b[..., :2]
    cross = u[..., 0] * w[..., 1] - u[..., 1] * w[..., 0]
    return np.degrees(np.arctan2(np.abs(cross), np.sum(u * w, axis=-1)))


def truth_thigh_angle_deg(world_m: np.ndarray, side: str) -> np.ndarray:
    """Hip -> knee from the downward vertical, forward positive (90 = thigh horizontal)."""
    hip, knee = _leg(side)[:2]
    return np.degrees(_sag_angle(_pt(world_m, hip), _pt(world_m, knee)))


def truth_knee_flexion_deg(world_m: np.ndarray, side: str) -> np.ndarray:
    """180 - angle(hip, knee, ankle)."""
    hip, knee, ankle = _leg(side)[:3]
    return 180.0 - _angle_at(_pt(world_m, hip), _pt(world_m, knee), _pt(world_m, ankle))


def truth_toe_angle_deg(world_m: np.ndarray, side: str) -> np.ndarray:
    """angle(knee, ankle, foot index): ~109 standing, ~90 or less = toes up."""
    _hip, knee, ankle, _heel, toe = _leg(side)
    return _angle_at(_pt(world_m, knee), _pt(world_m, ankle), _pt(world_m, toe))


def truth_lean_deg(base: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Line base -> top against the vertical, forward positive."""
    return np.degrees(np.arctan2(top[..., 0] - base[..., 0], top[..., 1] - base[..., 1]))


def truth_trunk_lean_deg(world_m: np.ndarray) -> np.ndarray:
    hip = _mid(world_m, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    sh = _mid(world_m, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    return truth_lean_deg(hip, sh)


def _stance_ankle(world_m: np.ndarray, stance: np.ndarray) -> np.ndarray:
    st = np.asarray(stance)
    a = np.where((st == 0)[:, None], _pt(world_m, Landmark.LEFT_ANKLE), _pt(world_m, Landmark.RIGHT_ANKLE))
    return np.where((st >= 0)[:, None], a, np.nan)


def truth_body_lean_deg(world_m: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Stance ankle -> shoulder midpoint against the vertical (NaN where ``stance`` is -1;
    ``stance``: 0 = left foot, 1 = right foot)."""
    sh = _mid(world_m, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    return truth_lean_deg(_stance_ankle(world_m, stance), sh)


def truth_hip_hinge_deg(world_m: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Trunk angle minus the stance leg's angle (stance ankle -> hip midpoint)."""
    hip = _mid(world_m, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    return truth_trunk_lean_deg(world_m) - truth_lean_deg(_stance_ankle(world_m, stance), hip)


def _head_centre(world_m: np.ndarray) -> np.ndarray:
    return np.mean([_pt(world_m, lm) for lm in (Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE,
                                                Landmark.LEFT_EAR, Landmark.RIGHT_EAR)], axis=0)


def truth_head_bob_pct(world_m: np.ndarray, t_s: np.ndarray, cycle_starts_s: Sequence[float],
                       view: str = "side") -> float:
    """Median over cycles [start_k, start_k+1) of the peak-to-peak height of the head centre (mean of
    nose, eyes, ears) above the shoulder midpoint, in % of torso length as the view shows it."""
    sh = _mid(world_m, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)
    hip = _mid(world_m, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    rel = _head_centre(world_m)[:, 1] - sh[:, 1]
    plane = [0, 1] if view == "side" else [2, 1]
    torso = float(np.median(np.linalg.norm((sh - hip)[:, plane], axis=-1)))
    vals = []
    for a, b in zip(cycle_starts_s[:-1], cycle_starts_s[1:]):
        mk = (t_s >= a) & (t_s < b)
        if mk.sum() >= 3:
            vals.append(float(np.ptp(rel[mk])))
    return 100.0 * float(np.median(vals)) / torso if vals else float("nan")


def truth_upper_arm_angle_deg(world_m: np.ndarray, side: str) -> np.ndarray:
    """Shoulder -> elbow from the downward vertical, forward positive."""
    s = side.upper()
    return np.degrees(_sag_angle(_pt(world_m, Landmark[f"{s}_SHOULDER"]), _pt(world_m, Landmark[f"{s}_ELBOW"])))


def truth_arm_leg_phase_deg(world_m: np.ndarray, t_s: np.ndarray, period_s: float) -> dict[str, float]:
    """Per arm: phase of its upper-arm angle's fundamental (least squares with harmonics) minus that
    of the opposite thigh's angle, degrees in [-180, 180); positive = the arm runs ahead."""
    out = {}
    for side in SIDES:
        _a, pa = _harmonic_phase(t_s, truth_upper_arm_angle_deg(world_m, side), period_s)
        _b, pt = _harmonic_phase(t_s, truth_thigh_angle_deg(world_m, _OTHER[side]), period_s)
        # x ~ cos(w t - phi): a larger phi peaks later
        out[side] = _wrap_deg(math.degrees(pt - pa))
    return out


def truth_knee_tracking_deg(world_m: np.ndarray, side: str) -> np.ndarray:
    """Frontal-plane knee angle (front view: lateral z against vertical y), positive = knee medial."""
    hip, knee, ankle = _leg(side)[:3]
    return np.degrees(_frontal_angle(_pt(world_m, hip), _pt(world_m, knee), _pt(world_m, ankle), _Z_SIGN[side]))


def truth_sway_frac(world_m: np.ndarray, frames: np.ndarray, axis: int, leg_m: float) -> float:
    """RMS of the hip midpoint's horizontal position (world ``axis``: 0 side view, 2 front view)
    about its mean over ``frames``, over leg length."""
    hip = _mid(world_m, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)[frames, axis]
    if hip.size < 3:
        return float("nan")
    return float(np.sqrt(np.mean((hip - hip.mean()) ** 2)) / leg_m)


def truth_heel_rise_frac(world_m: np.ndarray, t_s: np.ndarray, windows: Sequence[tuple[float, float]],
                         foot_m: float) -> float:
    """Median over reps (time windows) of the heels' rise (max - min height, mean of both heels)
    over foot length."""
    heel = 0.5 * (_pt(world_m, Landmark.LEFT_HEEL)[:, 1] + _pt(world_m, Landmark.RIGHT_HEEL)[:, 1])
    vals = []
    for a, b in windows:
        mk = (t_s >= a) & (t_s <= b)
        if mk.sum() >= 3:
            vals.append(float(np.ptp(heel[mk])))
    return float(np.median(vals)) / foot_m if vals else float("nan")


def truth_cadence_spm(event_times_s: Sequence[float]) -> float:
    """Events per minute from the first to the last of a run of evenly spaced events."""
    ts = sorted(event_times_s)
    if len(ts) < 2:
        return float("nan")
    return 60.0 * (len(ts) - 1) / (ts[-1] - ts[0])


# ============================================================================ projection
def camera_track(world_m: np.ndarray, camera: Camera, travel_m: np.ndarray | None = None) -> np.ndarray:
    """The camera's position along world x per frame. ``follow``: the athlete's travel
    (``travel_m``, what :func:`make_clip` records; without it a straight-line fit of the hip
    midpoint), so bounce and sway stay visible; otherwise fixed at the first hip position."""
    hip_x = 0.5 * (world_m[:, Landmark.LEFT_HIP, 0] + world_m[:, Landmark.RIGHT_HIP, 0])
    n = len(hip_x)
    if n == 0:
        return hip_x.copy()
    if not camera.follow:
        return np.full(n, float(hip_x[0]))
    if travel_m is not None:
        return np.asarray(travel_m, dtype=np.float64).copy()
    i = np.arange(n, dtype=np.float64)
    if n < 2:
        return hip_x.copy()
    slope, icpt = np.polyfit(i, hip_x, 1)
    return icpt + slope * i


def _view_coords(world_m: np.ndarray, camera: Camera, track_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(horizontal image-right metres, height metres, depth metres from the camera)."""
    x, y, z = world_m[..., 0], world_m[..., 1], world_m[..., 2]
    tr = track_m.reshape((-1,) + (1,) * (world_m.ndim - 2))
    d = camera.distance_m
    if camera.view == "side":
        if camera.facing == "right":
            return x - tr, y, d + z
        return -(x - tr), y, d - z
    if camera.facing == "toward":
        return z, y, d - (x - tr)
    return -z, y, d + (x - tr)


def project(world_m: np.ndarray, camera: Camera, *, track_m: np.ndarray | None = None,
            perspective: bool = False, height_m: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Image pixels (n, 33, 2) and depth (n, 33, metres from the camera) of world landmarks.

    Orthographic by default (what ``SyntheticClip.sequence`` uses): ``s = body_height_frac *
    camera.height / height_m`` pixels per metre, ``u = width/2 + s * h``, ``v = height/2 - s *
    (y - height_m/2)``. ``h`` is the image-right coordinate relative to the camera: side view
    facing right ``x - track``, facing left ``-(x - track)``; front view toward ``z``, away
    ``-z``. Depth: side right ``distance_m + z``, left ``distance_m - z``; front toward
    ``distance_m - (x - track)``, away ``distance_m + (x - track)``. ``perspective=True``: a
    level pinhole camera, lens at ``height_m / 2``, focal length ``s * distance_m`` pixels, so
    points at depth ``distance_m`` (the athlete's midline) land where the orthographic view puts
    them. ``track_m``: the camera's x per frame (``SyntheticClip.track_m``; default
    :func:`camera_track`). ``height_m`` defaults to the standing height implied by the legs.
    """
    world_m = np.asarray(world_m, dtype=np.float64)
    if track_m is None:
        track_m = camera_track(world_m, camera)
    if height_m is None:
        height_m = _standing_height(world_m)
    s = camera.body_height_frac * camera.height / height_m
    h, y, depth = _view_coords(world_m, camera, np.asarray(track_m, dtype=np.float64))
    cx, cy = camera.width / 2.0, camera.height / 2.0
    if perspective:
        f = s * camera.distance_m
        u = cx + f * h / depth
        v = cy - f * (y - height_m / 2) / depth
    else:
        u = cx + s * h
        v = cy - s * (y - height_m / 2)
    return np.stack([u, v], -1), depth


def _standing_height(world_m: np.ndarray) -> float:
    """The athlete's standing height from segment lengths (Winter: leg = 0.491 H)."""
    hip, knee, ankle = world_m[:1, Landmark.LEFT_HIP], world_m[:1, Landmark.LEFT_KNEE], world_m[:1, Landmark.LEFT_ANKLE]
    leg = float(np.linalg.norm(knee - hip) + np.linalg.norm(ankle - knee))
    return leg / 0.491


def _sequence(world: np.ndarray, t: np.ndarray, camera: Camera, height_m: float, rng_noise: np.random.Generator,
              rng_missing: np.random.Generator, noise_px: float, missing_frac: float,
              far_side_visibility: float, meta: dict, travel: np.ndarray) -> tuple[PoseSequence, np.ndarray]:
    track = camera_track(world, camera, travel)
    xy, depth = project(world, camera, track_m=track, height_m=height_m)
    s = camera.body_height_frac * camera.height / height_m
    hip_depth = 0.5 * (depth[:, Landmark.LEFT_HIP] + depth[:, Landmark.RIGHT_HIP])
    z = s * (depth - hip_depth[:, None])
    h, y, _d = _view_coords(world, camera, track)
    hip_h = 0.5 * (h[:, Landmark.LEFT_HIP] + h[:, Landmark.RIGHT_HIP])
    hip_y = 0.5 * (y[:, Landmark.LEFT_HIP] + y[:, Landmark.RIGHT_HIP])
    mp_world = np.stack([h - hip_h[:, None], -(y - hip_y[:, None]), depth - hip_depth[:, None]], -1)
    vis = np.ones(xy.shape[:2])
    if camera.view == "side" and far_side_visibility < 1.0:
        far = LEFT_SIDE if camera.facing == "right" else RIGHT_SIDE
        vis[:, far] = far_side_visibility
    if noise_px > 0:
        xy = xy + rng_noise.normal(0.0, noise_px, xy.shape)
    detected = np.ones(len(t), dtype=bool)
    if missing_frac > 0:
        detected = ~_missing_runs(len(t), missing_frac, rng_missing)
        xy[~detected] = np.nan
        z[~detected] = np.nan
        mp_world[~detected] = np.nan
        vis[~detected] = 0.0
    seq = PoseSequence(xy=xy, visibility=vis, t_s=t, width=camera.width, height=camera.height, z=z,
                       world=mp_world, detected=detected, meta=meta)
    return seq, track


def _missing_runs(n: int, frac: float, rng: np.random.Generator) -> np.ndarray:
    """Random short runs (2-8 frames) of dropped frames, about ``frac`` of ``n`` in all."""
    target = int(round(frac * n))
    gone = np.zeros(n, dtype=bool)
    tries = 0
    while gone.sum() < target and tries < 100 * n:
        tries += 1
        length = int(rng.integers(2, 9))
        start = int(rng.integers(0, n))
        need = target - int(gone.sum())
        gone[start:start + min(length, need)] = True
    return gone


def _timestamps(duration_s: float, fps: float, jitter_s: float, rng: np.random.Generator) -> np.ndarray:
    n = int(round(duration_s * fps))
    if n < 2:
        raise SynthError(f"duration_s {duration_s} gives fewer than 2 frames at {fps} fps")
    t = np.arange(n) / fps
    if jitter_s > 0:
        if jitter_s >= 0.45 / fps:
            raise SynthError(f"jitter_timestamps_s must be below {0.45 / fps:.4f} s at {fps} fps, got {jitter_s}")
        t = t + rng.uniform(-jitter_s, jitter_s, n)
        t[0] = 0.0
    return t


# ============================================================================ public generators
def _as_params(p: DrillParams | str) -> DrillParams:
    if isinstance(p, DrillParams):
        return p
    if isinstance(p, str):
        return defaults_for(p)
    raise SynthError(f"expected DrillParams or a drill name, got {type(p).__name__}")


def _check_noise(noise_px: float, missing_frac: float, far_side_visibility: float) -> None:
    if not noise_px >= 0:
        raise SynthError(f"noise_px must be >= 0, got {noise_px}")
    if not 0 <= missing_frac <= 0.9:
        raise SynthError(f"missing_frac must be in [0, 0.9], got {missing_frac}")
    if not 0 <= far_side_visibility <= 1:
        raise SynthError(f"far_side_visibility must be in [0, 1], got {far_side_visibility}")


def _build_motion(p: DrillParams, **kw: Any) -> _Motion:
    """A motion; for gaits whose stance time follows from the contact offset (strides), the stance
    time is solved so that the true contact offset equals ``contact_offset_frac``."""
    g = GAITS[p.drill]
    if not (g.stance_from_offset and p.travel_speed_mps > 0.05):
        return _Motion(p, **kw)
    T = 120.0 / p.cadence_spm
    lo, hi = 0.04, 0.49 * T

    def offset(ts: float) -> float:
        m = _Motion(p, stance_s=ts, full=False, **kw)
        c = min((c for s in SIDES for c in m.contacts(s) if c.a >= m.t_lo), key=lambda c: c.a)
        return m.contact_offset(c)

    target = p.contact_offset_frac
    if offset(lo) >= target:
        return _Motion(p, stance_s=lo, **kw)
    if offset(hi) <= target:
        return _Motion(p, stance_s=hi, **kw)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if offset(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-7:
            break
    return _Motion(p, stance_s=0.5 * (lo + hi), **kw)


def _seeds(seed: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(5)]


def _event_dicts(evs: list[tuple[float, str, str]], t: np.ndarray, drill: str, segment: int) -> list[dict]:
    out = []
    for te, side, kind in evs:
        out.append({"side": side, "t_s": float(te), "frame": int(np.argmin(np.abs(t - te))), "kind": kind,
                    "drill": drill, "segment": segment})
    return out


def make_clip(params: DrillParams | str, camera: Camera = Camera(), *, duration_s: float = 6.0, seed: int = 0,
              noise_px: float = 0.0, missing_frac: float = 0.0, jitter_timestamps_s: float = 0.0,
              far_side_visibility: float = 1.0) -> SyntheticClip:
    """One drill, steady from the first frame, seen by ``camera``.

    ``noise_px``: Gaussian pixel noise on ``sequence.xy``; ``missing_frac``: random short runs of
    frames dropped (xy NaN, visibility 0, detected False); ``jitter_timestamps_s``: each frame's
    time moved by up to this much (variable frame rate; the motion is sampled at the true times);
    ``far_side_visibility``: visibility of the far side's landmarks in a side view. ``world_m``
    and ``truth`` are never noisy.
    """
    p = _as_params(params)
    _check_noise(noise_px, missing_frac, far_side_visibility)
    if not duration_s > 0:
        raise SynthError(f"duration_s must be positive, got {duration_s}")
    r_time, r_motion, r_noise, r_missing, _r = _seeds(seed)
    t = _timestamps(duration_s, camera.fps, jitter_timestamps_s, r_time)
    plateau = 1.05 * float(np.max(np.diff(t))) + 1e-4
    lo, hi = float(t[0]), float(t[-1])
    m = _build_motion(p, t_start=lo, t_lo=lo, t_hi=hi, frames_t=t, plateau_s=plateau, rng=r_motion,
                      hold_end_s=hi - 0.3)
    pose = m.pose(t)
    world, guard = _assemble(pose, m.b)
    contact = np.stack([pose.contact["left"], pose.contact["right"]], -1)
    truth = m.truth(world, t, contact, lo, hi, camera.view)
    events = _event_dicts(m.events(lo, hi), t, p.drill, 0)
    meta = {"source": "formcheck.synth", "drill": p.drill, "view": camera.view, "facing": camera.facing,
            "projection": "orthographic", "seed": int(seed), "noise_px": float(noise_px),
            "missing_frac": float(missing_frac), "jitter_timestamps_s": float(jitter_timestamps_s),
            "floor_guard_m": guard}
    seq, track = _sequence(world, t, camera, m.b.height_m, r_noise, r_missing, noise_px, missing_frac,
                           far_side_visibility, meta, pose.travel)
    segments = [{"drill": p.drill, "start_s": lo, "end_s": float(t[-1] + (t[-1] - t[-2]))}]
    return SyntheticClip(sequence=seq, world_m=world, camera=camera, params=p, truth=truth, events=events,
                         segments=segments, contact=contact, track_m=track)


def make_warmup(parts: Sequence[tuple[DrillParams | str, float]], camera: Camera = Camera(), *,
                gap_s: tuple[float, float] | float = (2.0, 4.0), gap_kind: str = "walk", seed: int = 0,
                blend_s: float = 0.6, **noise: Any) -> SyntheticClip:
    """Drills in a row with ``gap_kind`` ("walk" or "stand") between them, each gap lasting a random
    time in ``gap_s`` (seconds; a number for a fixed gap). Neighbouring motions cross-fade over
    ``blend_s`` around each boundary; ``truth["parts"]`` and the events cover each part's steady
    stretch (its segment less ``blend_s / 2`` at each end). ``noise``: as for :func:`make_clip`.
    """
    if not parts:
        raise SynthError("make_warmup needs at least one (drill, duration_s) part")
    if gap_kind not in ("walk", "stand"):
        raise SynthError(f"gap_kind must be 'walk' or 'stand', got {gap_kind!r}")
    allowed = {"noise_px", "missing_frac", "jitter_timestamps_s", "far_side_visibility"}
    bad = sorted(set(noise) - allowed)
    if bad:
        raise SynthError(f"unknown option(s) {', '.join(bad)}: use {', '.join(sorted(allowed))}")
    noise_px = float(noise.get("noise_px", 0.0))
    missing_frac = float(noise.get("missing_frac", 0.0))
    jitter = float(noise.get("jitter_timestamps_s", 0.0))
    far_vis = float(noise.get("far_side_visibility", 1.0))
    _check_noise(noise_px, missing_frac, far_vis)
    lo_gap, hi_gap = (float(gap_s), float(gap_s)) if isinstance(gap_s, (int, float)) else map(float, gap_s)
    if not 0 < lo_gap <= hi_gap:
        raise SynthError(f"gap_s must be a positive (low, high) range, got {gap_s!r}")
    r_time, r_motion, r_noise, r_missing, r_gaps = _seeds(seed)
    plist = [(_as_params(p), float(d)) for p, d in parts]
    heights = {p.height_m for p, _d in plist}
    if len(heights) > 1:
        raise SynthError("all parts of a warm-up must have the same height_m (one athlete)")
    height = heights.pop()
    min_seg = 2.0 * blend_s + 1.0
    segs: list[tuple[DrillParams, float, float]] = []
    t0 = 0.0
    for i, (p, d) in enumerate(plist):
        if d < min_seg:
            raise SynthError(f"part {i} ({p.drill}) lasts {d} s: each part needs at least {min_seg:.1f} s")
        segs.append((p, t0, t0 + d))
        t0 += d
        if i + 1 < len(plist):
            g = float(r_gaps.uniform(lo_gap, hi_gap))
            gp = defaults_for(gap_kind, height_m=height)
            segs.append((gp, t0, t0 + g))
            t0 += g
    t = _timestamps(t0, camera.fps, jitter, r_time)
    plateau = 1.05 * float(np.max(np.diff(t))) + 1e-4
    n = len(t)
    half = blend_s / 2
    poses: list[_Pose] = []
    motions: list[_Motion] = []
    x_here = 0.0
    steady = [(a + (half if k > 0 else 0.0), min(b - (half if k + 1 < len(segs) else 0.0), float(t[-1])))
              for k, (_p, a, b) in enumerate(segs)]
    for k, (p, a, b) in enumerate(segs):
        lo_t, hi_t = max(a - blend_s, float(t[0])), min(b + blend_s, float(t[-1]))
        kw = dict(t_start=a, t_lo=lo_t, t_hi=hi_t, frames_t=t, plateau_s=plateau, rng=r_motion,
                  hold_end_s=b - half - 0.4, pre_s=half + 0.5, steady=steady[k])
        m = _build_motion(p, x0=0.0, **kw)
        if k > 0:   # start where the previous motion is at the boundary
            shift = x_here - float(m.pelvis(np.array([a]))[0][0, 0])
            m = _build_motion(p, x0=shift, **kw)
        nxt = b
        x_here = float(m.pelvis(np.array([nxt]))[0][0, 0])
        motions.append(m)
    # evaluate and cross-fade
    weights = np.zeros((len(segs), n))
    for k, (p, a, b) in enumerate(segs):
        up = _ease((t - (a - half)) / blend_s) if k > 0 else np.ones(n)
        down = 1 - _ease((t - (b - half)) / blend_s) if k + 1 < len(segs) else np.ones(n)
        weights[k] = up * down
    weights /= weights.sum(axis=0, keepdims=True)
    pose: _Pose | None = None
    acc = np.zeros(n)
    for k, m in enumerate(motions):
        idx = np.flatnonzero(weights[k] > 0)
        if idx.size == 0:
            continue
        part = m.pose(t[idx])
        if pose is None:
            pose = _empty_pose(n)
        _accumulate(pose, part, idx, weights[k][idx], acc)
    assert pose is not None
    world, guard = _assemble(pose, body_dimensions(height))
    contact = np.stack([pose.contact["left"], pose.contact["right"]], -1)
    segments, tparts, events = [], [], []
    for k, ((p, a, b), m) in enumerate(zip(segs, motions)):
        segments.append({"drill": p.drill, "start_s": a, "end_s": b})
        lo, hi = steady[k]
        events += _event_dicts(m.events(lo, hi), t, p.drill, k)
        if p.drill in DRILLS:
            tparts.append({"drill": p.drill, "segment": k, "start_s": a, "end_s": b, "steady_s": [lo, hi],
                           "params": p, "truth": m.truth(world, t, contact, lo, hi, camera.view)})
    events.sort(key=lambda e: (e["t_s"], e["side"]))
    meta = {"source": "formcheck.synth", "drill": "warm-up", "parts": [p.drill for p, _d in plist],
            "view": camera.view, "facing": camera.facing, "projection": "orthographic", "seed": int(seed),
            "noise_px": noise_px, "missing_frac": missing_frac, "jitter_timestamps_s": jitter, "floor_guard_m": guard}
    seq, track = _sequence(world, t, camera, height, r_noise, r_missing, noise_px, missing_frac, far_vis, meta,
                           pose.travel)
    return SyntheticClip(sequence=seq, world_m=world, camera=camera, params=None,
                         truth={"parts": tparts, "gap_kind": gap_kind}, events=events, segments=segments,
                         contact=contact, track_m=track)


def _empty_pose(n: int) -> _Pose:
    z = lambda: np.zeros(n)  # noqa: E731
    return _Pose(pelvis=np.zeros((n, 3)), trunk=z(), neck=z(), head_pitch=z(), head_bob=z(),
                 ankle={s: np.zeros((n, 3)) for s in SIDES}, pitch={s: z() for s in SIDES},
                 frontal={s: z() for s in SIDES}, arm={s: z() for s in SIDES}, elbow={s: z() for s in SIDES},
                 abduction=z(), contact={s: np.zeros(n, dtype=bool) for s in SIDES}, travel=z())


def _accumulate(pose: _Pose, part: _Pose, idx: np.ndarray, w: np.ndarray, best: np.ndarray) -> None:
    """pose[idx] += w * part; contact from the part with the largest weight so far."""
    def add(dst, src):
        dst[idx] += src * w.reshape((-1,) + (1,) * (src.ndim - 1))
    for k in _Pose._ARRAYS:
        add(getattr(pose, k), getattr(part, k))
    for k in _Pose._DICTS:
        for s in SIDES:
            add(getattr(pose, k)[s], getattr(part, k)[s])
    win = w > best[idx]
    for s in SIDES:
        pose.contact[s][idx[win]] = part.contact[s][win]
    best[idx[win]] = w[win]
