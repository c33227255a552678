"""Render the motion model's 3D athlete to video, with the ground truth beside it.

:func:`render_clip` draws a :class:`~formcheck.synth.motion.SyntheticClip` as a person that a pose
model recognises -- filled, shaded body parts with rounded ends (tapered capsules for the limbs, a
torso of stacked elliptical sections, a head with a face on the side it faces, hair, shirt,
shorts, shoes, socks if the look has them), far-side parts drawn behind and darker, a floor with a
soft shadow and a back wall -- and writes

- ``<clip>.mp4``: H.264 through :class:`formcheck.video.VideoWriter`;
- ``<clip>.truth.json``: drill and segments, the true metric values, the true rep events, the
  camera, the drill parameters and the render settings;
- ``<clip>.truth.npz``: the true landmark positions of every frame, projected by the same camera
  (pixels, ``xy`` (n, 33, 2)), their depth (``depth_m`` (n, 33)) and the timestamps (``t_s``).

Camera: the level pinhole camera of :func:`formcheck.synth.motion.project` (``perspective=True``):
lens at half the athlete's height (about hip height), ``Camera.distance_m`` from the athlete's
midline, panning with the athlete when ``Camera.follow``. Everything -- the body shapes, the floor,
the wall -- goes through that one projection, so a drawn joint sits exactly on its projected
landmark.

Ground truth: the true values are measured on the PROJECTED landmarks (image plane, perspective),
with the motion model's ``truth_*`` reference functions and the same rep windows, stance frames
and cycles as :meth:`SyntheticClip.truth`, so a benchmark compares what the analysis could see
with what it reports. Under an orthographic projection they equal ``SyntheticClip.truth`` (tested;
``contact_offset_frac`` to 0.01, as the touching ankle is taken from the first frame on the
ground). Timing values (``cadence_spm``, ``reps``, ``hold_s``, ``travel_speed_mps``, ``flight_s``)
and ``arm_leg_phase_deg`` (angles of segments at one depth, measured by the model in continuous
time) are the model's own.

Drawing uses cv2 (anti-aliased polygons; the athlete is drawn at ``supersample`` times the frame
size in the box around it, then shrunk); :mod:`formcheck.synth.motion` and the analysis modules stay
free of it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.atomic import staged_outputs
from formcheck.errors import FormcheckError
from formcheck.landmarks import Landmark
from formcheck.synth import motion as M
from formcheck.synth.motion import Camera, SyntheticClip, project, stance_side

__all__ = [
    "BACKGROUNDS",
    "LOOKS",
    "SAMPLES",
    "TRUTH_FORMAT",
    "Look",
    "RenderSettings",
    "RenderedClip",
    "SampleSpec",
    "image_truth",
    "load_truth",
    "make_sample_clip",
    "project_clip",
    "render_clip",
    "render_frames",
    "render_samples",
    "truth_paths",
]

TRUTH_FORMAT = "formcheck.truth/1"
L = Landmark


class RenderError(FormcheckError, ValueError):
    """A render request that cannot be met (unknown look or background, bad size)."""


# ============================================================================ appearance
@dataclass(frozen=True)
class Look:
    """Colours (RGB 0-255) of the athlete."""

    skin_rgb: tuple[int, int, int] = (222, 170, 135)
    hair_rgb: tuple[int, int, int] = (52, 36, 24)
    shirt_rgb: tuple[int, int, int] = (34, 96, 190)
    shorts_rgb: tuple[int, int, int] = (38, 38, 46)
    sock_rgb: tuple[int, int, int] | None = None      # None: no socks showing
    shoe_rgb: tuple[int, int, int] = (205, 62, 48)
    sole_rgb: tuple[int, int, int] = (245, 245, 240)


#: Athlete looks by name.
LOOKS: dict[str, Look] = {
    "blue": Look(),
    "red": Look(skin_rgb=(160, 110, 80), hair_rgb=(25, 20, 18), shirt_rgb=(196, 42, 48), shorts_rgb=(30, 40, 80),
                shoe_rgb=(40, 40, 44), sock_rgb=(30, 30, 34)),
    "green": Look(skin_rgb=(238, 196, 164), hair_rgb=(150, 96, 40), shirt_rgb=(40, 140, 80), shorts_rgb=(60, 60, 64),
                  shoe_rgb=(240, 240, 240), sole_rgb=(60, 60, 60)),
    "dark": Look(skin_rgb=(110, 72, 50), hair_rgb=(18, 14, 12), shirt_rgb=(235, 200, 40), shorts_rgb=(25, 25, 30),
                 shoe_rgb=(30, 120, 200)),
}

#: Backgrounds: a plain wall and floor, a vertical gradient, or a textured wall (panels and
#: stripes) with floor markings.
BACKGROUNDS: tuple[str, ...] = ("plain", "gradient", "texture")


@dataclass(frozen=True)
class RenderSettings:
    """How a clip is drawn and encoded (the camera itself is the clip's :class:`Camera`).

    ``supersample``: drawing scale before the anti-aliased shrink; ``motion_blur_frac``: shutter
    open for this fraction of the frame interval (0 = off; drawn from 3 sub-frames);
    ``noise_sigma``: Gaussian camera noise, in 8-bit grey levels; ``wall_gap_m``: the back wall's
    distance behind the athlete.
    """

    look: str = "blue"
    background: str = "texture"
    supersample: int = 2
    motion_blur_frac: float = 0.0
    noise_sigma: float = 0.0
    wall_gap_m: float = 4.0
    crf: int = 23
    preset: str = "veryfast"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.look not in LOOKS:
            raise RenderError(f"unknown look {self.look!r}: use one of {', '.join(LOOKS)}")
        if self.background not in BACKGROUNDS:
            raise RenderError(f"unknown background {self.background!r}: use one of {', '.join(BACKGROUNDS)}")
        if not 1 <= int(self.supersample) <= 4:
            raise RenderError(f"supersample must be 1 to 4, got {self.supersample}")
        if not 0.0 <= self.motion_blur_frac <= 1.0:
            raise RenderError(f"motion_blur_frac must be in [0, 1], got {self.motion_blur_frac}")
        if not 0.0 <= self.noise_sigma <= 50.0:
            raise RenderError(f"noise_sigma must be in [0, 50] grey levels, got {self.noise_sigma}")
        if not self.wall_gap_m > 0.5:
            raise RenderError(f"wall_gap_m must be > 0.5, got {self.wall_gap_m}")


# ============================================================================ the body as shapes
# Radii and offsets in metres for a 1.75 m athlete (scaled with height). A body part is a set of
# spheres (its projected silhouette is the convex hull of their circles) or, for the torso and
# head, points on its surface.
_THIGH_R = (0.085, 0.078, 0.053)        # at the hip, 40 % down, at the knee
_SHANK_R = (0.050, 0.056, 0.035)        # at the knee, the calf (30 % down, behind), at the ankle
_UPPER_ARM_R = (0.056, 0.040)
_FOREARM_R = (0.038, 0.027)
_NECK_R = 0.056
# torso sections along hip-midpoint -> shoulder-midpoint (fraction t): half width (to the sides),
# half depth (front-back), centre offset forward (+) / back (-)
_TORSO = np.array([
    # t,     half width, half depth, forward offset
    [-0.20, 0.150, 0.092, -0.020],
    [-0.08, 0.172, 0.112, -0.022],
    [0.02, 0.178, 0.116, -0.016],
    [0.16, 0.165, 0.108, -0.008],
    [0.32, 0.146, 0.098, 0.004],
    [0.55, 0.158, 0.108, 0.012],
    [0.78, 0.176, 0.118, 0.016],
    [0.93, 0.194, 0.100, 0.004],
    [1.04, 0.150, 0.072, -0.008],
    [1.09, 0.080, 0.058, -0.012],
])
_SHORTS_TOP_T = 0.30                   # the waistband, as a fraction of the trunk
_HEAD_AXES = (0.102, 0.120, 0.079)     # forward, up, left half axes of the head ellipsoid
_HEAD_CENTRE = (0.012, 0.020)          # forward, up offset of the ellipsoid from the ear midpoint
_SHORTS_FRAC = 0.42                    # shorts cover this fraction of the thigh
_SLEEVE_FRAC = 0.40                    # sleeves cover this fraction of the upper arm
_SOCK_FRAC = 0.90                      # socks start this far down the shank
# shoe spheres: (fraction of the heel -> toe line, height above the sole m, radius m); a low-cut
# running shoe: the collar stays below the ankle bone, the toe box is low and ends at the toe point
_SHOE = ((0.11, 0.032, 0.032), (0.25, 0.044, 0.035), (0.60, 0.027, 0.027), (0.93, 0.017, 0.017))
_ANKLE_BONE_R = 0.028
_LIGHT = np.array([-0.45, -0.89])      # light direction in the image (from upper left)
_FAR_DARKEN = 0.32                     # colour loss of a part 0.2 m behind the hips
_N_RING = 14                           # points per section / circle outline


def _unit_sphere(n: int) -> np.ndarray:
    """``n`` near-uniform unit vectors (Fibonacci sphere)."""
    i = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    th = math.pi * (1 + 5 ** 0.5) * i
    return np.stack([np.cos(th) * np.sin(phi), np.sin(th) * np.sin(phi), np.cos(phi)], -1)


_SPHERE = _unit_sphere(90)
_RING = np.linspace(0, 2 * math.pi, _N_RING, endpoint=False)


def _norm(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 1e-12, n, 1.0)


def _perp_back(d: np.ndarray) -> np.ndarray:
    """The back (posterior) direction of a limb segment pointing along ``d`` in the sagittal plane:
    behind the segment when it hangs down (x forward, y up)."""
    return _norm(np.stack([d[..., 1], -d[..., 0], np.zeros(d.shape[:-1])], -1))


class _Points:
    """Named 3D points (n, k, 3) collected for one projection."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.chunks: list[np.ndarray] = []
        self.index: dict[str, slice] = {}
        self.size = 0

    def add(self, name: str, pts: np.ndarray) -> None:
        pts = np.asarray(pts, dtype=np.float64).reshape(self.n, -1, 3)
        self.index[name] = slice(self.size, self.size + pts.shape[1])
        self.chunks.append(pts)
        self.size += pts.shape[1]

    def stack(self) -> np.ndarray:
        return np.concatenate(self.chunks, axis=1)


def _body_points(world: np.ndarray, scale: float) -> _Points:
    """Every 3D point the drawing needs, for all frames: joints, sphere centres, torso sections, the
    head ellipsoid and face points, foot spheres."""
    n = len(world)
    P = _Points(n)
    w = lambda lm: world[:, int(lm)]  # noqa: E731
    P.add("landmarks", world)
    hip_mid = 0.5 * (w(L.LEFT_HIP) + w(L.RIGHT_HIP))
    sh_mid = 0.5 * (w(L.LEFT_SHOULDER) + w(L.RIGHT_SHOULDER))
    spine = sh_mid - hip_mid
    up = _norm(spine)
    fwd = _norm(np.stack([up[:, 1], -up[:, 0], np.zeros(n)], -1))       # forward, perpendicular to the spine
    lat_hip = _norm(w(L.LEFT_HIP) - w(L.RIGHT_HIP))
    lat_sh = _norm(w(L.LEFT_SHOULDER) - w(L.RIGHT_SHOULDER))
    P.add("hip_mid", hip_mid)
    P.add("sh_mid", sh_mid)

    # torso: elliptical sections, shorts below the waistband, shirt above
    def sections(rows: np.ndarray) -> np.ndarray:
        out = []
        for t, hw, hd, off in rows:
            lat = _norm((1 - min(max(t, 0), 1)) * lat_hip + min(max(t, 0), 1) * lat_sh)
            c = hip_mid + t * spine + scale * off * fwd
            ring = (scale * hw * np.cos(_RING)[None, :, None] * lat[:, None, :]
                    + scale * hd * np.sin(_RING)[None, :, None] * fwd[:, None, :])
            out.append(c[:, None, :] + ring)
        return np.concatenate(out, axis=1)

    low = _TORSO[_TORSO[:, 0] <= _SHORTS_TOP_T + 0.05]
    waist = np.interp(_SHORTS_TOP_T, _TORSO[:, 0], _TORSO[:, 1]), np.interp(_SHORTS_TOP_T, _TORSO[:, 0], _TORSO[:, 2])
    waist_row = np.array([[_SHORTS_TOP_T, waist[0] * 1.02, waist[1] * 1.02,
                           np.interp(_SHORTS_TOP_T, _TORSO[:, 0], _TORSO[:, 3])]])
    P.add("shorts", sections(np.vstack([low[low[:, 0] < _SHORTS_TOP_T], waist_row])))
    P.add("shirt", sections(_TORSO[_TORSO[:, 0] >= _SHORTS_TOP_T - 0.12]))

    # head: ellipsoid around the ear midpoint, oriented by the face
    ear_mid = 0.5 * (w(L.LEFT_EAR) + w(L.RIGHT_EAR))
    h_left = _norm(w(L.LEFT_EAR) - w(L.RIGHT_EAR))
    to_nose = w(L.NOSE) - ear_mid
    h_fwd = _norm(to_nose - np.sum(to_nose * h_left, -1, keepdims=True) * h_left)
    h_up = _norm(np.cross(h_left, h_fwd))
    fa, ua, la = (scale * a for a in _HEAD_AXES)
    centre = ear_mid + scale * (_HEAD_CENTRE[0] * h_fwd + _HEAD_CENTRE[1] * h_up)
    sph = _SPHERE
    head = (centre[:, None, :] + fa * sph[None, :, 0:1] * h_fwd[:, None, :]
            + ua * sph[None, :, 1:2] * h_up[:, None, :] + la * sph[None, :, 2:3] * h_left[:, None, :])
    P.add("head", head)
    P.add("head_centre", centre)
    # hair: the top and the back of the head, not the face
    hair_dirs = sph[(sph[:, 1] > 0.30) | ((sph[:, 0] < -0.15) & (sph[:, 1] > -0.45))]
    hair_dirs = hair_dirs[~((hair_dirs[:, 0] > 0.55) & (hair_dirs[:, 1] < 0.45))]
    grow = 1.04
    hair = (centre[:, None, :] + grow * (fa * hair_dirs[None, :, 0:1] * h_fwd[:, None, :]
                                         + ua * hair_dirs[None, :, 1:2] * h_up[:, None, :]
                                         + la * hair_dirs[None, :, 2:3] * h_left[:, None, :]))
    P.add("hair", hair)
    # face details
    P.add("nose_tip", w(L.NOSE) + scale * 0.010 * h_fwd - scale * 0.004 * h_up)
    for side in ("LEFT", "RIGHT"):
        eye = w(L[f"{side}_EYE"])
        P.add(f"{side}_brow", np.stack([w(L[f"{side}_EYE_INNER"]) + scale * 0.014 * h_up,
                                        w(L[f"{side}_EYE_OUTER"]) + scale * 0.016 * h_up], 1))
        P.add(f"{side}_iris", eye + scale * 0.004 * h_fwd)
    P.add("mouth", np.stack([w(L.MOUTH_LEFT), 0.5 * (w(L.MOUTH_LEFT) + w(L.MOUTH_RIGHT)) + scale * 0.006 * h_fwd,
                             w(L.MOUTH_RIGHT)], 1))
    # neck: from the top of the trunk to under the head
    P.add("neck", np.stack([sh_mid + scale * 0.02 * up - scale * 0.01 * fwd,
                            centre - scale * 0.07 * h_up - scale * 0.025 * h_fwd], 1))

    for s in ("LEFT", "RIGHT"):
        hip, knee, ankle = w(L[f"{s}_HIP"]), w(L[f"{s}_KNEE"]), w(L[f"{s}_ANKLE"])
        heel, toe = w(L[f"{s}_HEEL"]), w(L[f"{s}_FOOT_INDEX"])
        thigh, shank = knee - hip, ankle - knee
        P.add(f"{s}_thigh", np.stack([hip, hip + 0.4 * thigh + scale * 0.008 * _perp_back(_norm(thigh)) * -1, knee], 1))
        P.add(f"{s}_shorts_leg", np.stack([hip, hip + _SHORTS_FRAC * thigh], 1))
        calf = knee + 0.3 * shank + scale * 0.016 * _perp_back(_norm(shank))
        P.add(f"{s}_shank", np.stack([knee, calf, ankle], 1))
        P.add(f"{s}_sock", np.stack([knee + _SOCK_FRAC * shank, ankle], 1))
        # shoe: spheres along the sole (heel -> toe line), in the foot's own frame
        f_dir = _norm(toe - heel)
        f_up = _norm(np.cross(np.cross(f_dir, ankle - heel), f_dir))
        foot = np.linalg.norm(toe - heel, axis=-1, keepdims=True)
        P.add(f"{s}_shoe", np.stack([heel + frac * foot * f_dir + scale * up_m * f_up
                                     for frac, up_m, _r in _SHOE], 1))
        P.add(f"{s}_sole", np.stack([heel + scale * 0.004 * f_up, toe + scale * 0.004 * f_up], 1))
        P.add(f"{s}_ankle_bone", ankle)
        # arm and hand
        sh, el, wr = w(L[f"{s}_SHOULDER"]), w(L[f"{s}_ELBOW"]), w(L[f"{s}_WRIST"])
        idx, pk, th = w(L[f"{s}_INDEX"]), w(L[f"{s}_PINKY"]), w(L[f"{s}_THUMB"])
        P.add(f"{s}_upper_arm", np.stack([sh, el], 1))
        P.add(f"{s}_sleeve", np.stack([sh, sh + _SLEEVE_FRAC * (el - sh)], 1))
        P.add(f"{s}_forearm", np.stack([el, wr], 1))
        palm = 0.5 * (idx + pk)
        tip = palm + scale * 0.035 * _norm(palm - wr)
        P.add(f"{s}_hand", np.stack([wr, palm, tip, th], 1))
    return P


@dataclass
class _Part:
    """One drawable part of one frame: layers drawn in order, sorted with other parts by ``depth``."""

    depth: float
    layers: list[tuple[str, Any, tuple[float, float, float]]] = field(default_factory=list)


# ============================================================================ projection
def clip_height_m(clip: SyntheticClip) -> float:
    """The athlete's standing height (the projection's reference)."""
    if clip.params is not None:
        return float(clip.params.height_m)
    parts = clip.truth.get("parts") or []
    if parts:
        return float(parts[0]["params"].height_m)
    return 1.75


def _project(clip: SyntheticClip, pts: np.ndarray, track: np.ndarray, height_m: float):
    return project(pts, clip.camera, track_m=track, perspective=True, height_m=height_m)


def project_clip(clip: SyntheticClip) -> tuple[np.ndarray, np.ndarray]:
    """The true landmarks of every frame as the renderer's camera sees them: pixels (n, 33, 2) and
    depth in metres (n, 33)."""
    return _project(clip, clip.world_m, clip.track_m, clip_height_m(clip))


def _focal_px(camera: Camera, height_m: float) -> float:
    return camera.body_height_frac * camera.height / height_m * camera.distance_m


# ============================================================================ background
class _Backdrop:
    """The back wall and the floor, drawn for each camera position."""

    def __init__(self, camera: Camera, height_m: float, settings: RenderSettings, ss: int) -> None:
        self.cam, self.ss = camera, ss
        self.W, self.H = camera.width * ss, camera.height * ss
        self.f = _focal_px(camera, height_m) * ss
        self.cx, self.cy = self.W / 2.0, self.H / 2.0
        self.lens_m = height_m / 2.0
        self.wall_d = camera.distance_m + settings.wall_gap_m
        self.kind = settings.background
        self.horizon = int(round(self.cy + self.f * self.lens_m / self.wall_d))
        self.horizon = min(max(self.horizon, 1), self.H - 1)
        rng = np.random.default_rng(settings.seed + 7)
        self.period = max(8, int(round(self.f * 1.2 / self.wall_d)))      # wall panels 1.2 m wide
        self.wall = self._wall(rng)
        self.floor = self._floor()

    def _wall(self, rng: np.random.Generator) -> np.ndarray:
        h = self.horizon
        W = self.W + 2 * self.period
        y = np.linspace(0, 1, h)[:, None, None]
        top, bottom = np.array([206, 214, 224.0]), np.array([232, 232, 226.0])
        if self.kind == "plain":
            img = np.broadcast_to(np.array([222, 224, 226.0]), (h, W, 3)).copy()
        else:
            img = np.broadcast_to(top + (bottom - top) * y, (h, W, 3)).astype(np.float32)
        if self.kind == "texture":
            x = np.arange(W)
            seam = (x % self.period) < max(1, self.ss)
            img[:, seam] *= 0.9
            band = (np.arange(h) > 0.55 * h) & (np.arange(h) < 0.62 * h)
            img[band] = img[band] * 0.85 + np.array([40, 90, 150.0]) * 0.15
            img += rng.normal(0.0, 2.0, (h, W, 1)).astype(np.float32)
        return np.clip(img, 0, 255).astype(np.uint8)

    def _floor(self) -> np.ndarray:
        h = self.H - self.horizon
        y = np.linspace(0, 1, h)[:, None, None]
        far, near = np.array([176, 164, 150.0]), np.array([138, 124, 110.0])
        if self.kind == "plain":
            img = np.broadcast_to(np.array([160, 150, 138.0]), (h, self.W, 3)).copy()
        else:
            img = np.broadcast_to(far + (near - far) * y, (h, self.W, 3)).copy()
        return np.clip(img, 0, 255).astype(np.uint8)

    def draw(self, track_x: float, floor_lines: np.ndarray | None) -> np.ndarray:
        img = np.empty((self.H, self.W, 3), dtype=np.uint8)
        shift = 0
        if self.cam.view == "side":
            sgn = 1.0 if self.cam.facing == "right" else -1.0
            shift = int(round(sgn * self.f * track_x / self.wall_d)) % self.period
        img[:self.horizon] = self.wall[:, shift:shift + self.W]
        img[self.horizon:] = self.floor
        cv2.line(img, (0, self.horizon), (self.W - 1, self.horizon), (120, 116, 110), max(1, self.ss), cv2.LINE_AA)
        if floor_lines is not None and self.kind == "texture":
            for (u0, v0), (u1, v1) in floor_lines:
                if np.all(np.isfinite([u0, v0, u1, v1])):
                    cv2.line(img, (int(u0 * 16), int(v0 * 16)), (int(u1 * 16), int(v1 * 16)), (196, 190, 180),
                             max(1, self.ss), cv2.LINE_AA, 4)
        return img


def _floor_line_points(clip: SyntheticClip, track: np.ndarray, height_m: float, settings: RenderSettings,
                       ss: int) -> np.ndarray:
    """Floor markings every metre across the direction of travel: (n, k, 2 ends, 2) pixels."""
    cam = clip.camera
    n = len(track)
    xs = np.arange(-40, 80, 1.0)
    if cam.view == "side":
        near_z, far_z = (-(cam.distance_m - 1.5), settings.wall_gap_m) if cam.facing == "right" else \
            ((cam.distance_m - 1.5), -settings.wall_gap_m)
        a = np.stack([xs, np.zeros_like(xs), np.full_like(xs, near_z)], -1)
        b = np.stack([xs, np.zeros_like(xs), np.full_like(xs, far_z)], -1)
    else:
        a = np.stack([xs, np.zeros_like(xs), np.full_like(xs, -8.0)], -1)
        b = np.stack([xs, np.zeros_like(xs), np.full_like(xs, 8.0)], -1)
    pts = np.broadcast_to(np.concatenate([a, b])[None], (n, 2 * len(xs), 3)).copy()
    uv, depth = _project(clip, pts, track, height_m)
    uv = uv * ss
    k = len(xs)
    seg = np.stack([uv[:, :k], uv[:, k:]], 2)
    bad = (depth[:, :k] <= 0.3) | (depth[:, k:] <= 0.3)
    seg[bad] = np.nan
    return seg


# ============================================================================ drawing
def _shade(rgb: Sequence[float], k: float) -> tuple[float, float, float]:
    return tuple(float(min(255.0, max(0.0, c * k))) for c in rgb)


def _circles_outline(centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    pts = centres[:, None, :] + radii[:, None, None] * np.stack([np.cos(_RING), np.sin(_RING)], -1)[None]
    return pts.reshape(-1, 2)


def _fill_hull(img: np.ndarray, pts: np.ndarray, colour: tuple[float, float, float]) -> None:
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 3:
        return
    hull = cv2.convexHull(np.round(pts * 16).astype(np.int32))
    cv2.fillPoly(img, [hull], colour, cv2.LINE_AA, 4)


def _draw_capsules(img: np.ndarray, centres: np.ndarray, radii: np.ndarray, colour, shaded: bool = True) -> None:
    """A filled hull of circles with a darker rim and a highlight toward the light."""
    if not shaded:
        _fill_hull(img, _circles_outline(centres, radii), colour)
        return
    _fill_hull(img, _circles_outline(centres, radii), _shade(colour, 0.78))
    _fill_hull(img, _circles_outline(centres + 0.12 * radii[:, None] * _LIGHT, 0.80 * radii), colour)
    _fill_hull(img, _circles_outline(centres + 0.30 * radii[:, None] * _LIGHT, 0.42 * radii), _shade(colour, 1.10))


def _draw_blob(img: np.ndarray, pts: np.ndarray, colour) -> None:
    """A filled hull of points with a darker rim and a highlight toward the light."""
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) < 3:
        return
    c = pts.mean(axis=0)
    size = float(np.sqrt(np.mean(np.sum((pts - c) ** 2, axis=1))))
    _fill_hull(img, pts, _shade(colour, 0.78))
    _fill_hull(img, c + 0.86 * (pts - c) + 0.10 * size * _LIGHT, colour)
    _fill_hull(img, c + 0.50 * (pts - c) + 0.28 * size * _LIGHT, _shade(colour, 1.08))


class _FrameDrawer:
    """Draws the athlete of one frame onto a supersampled canvas."""

    def __init__(self, clip: SyntheticClip, settings: RenderSettings, ss: int) -> None:
        self.clip, self.settings, self.ss = clip, settings, ss
        self.look = LOOKS[settings.look]
        self.height_m = clip_height_m(clip)
        self.scale = self.height_m / 1.75
        self.f = _focal_px(clip.camera, self.height_m) * ss

    def project(self, world: np.ndarray, track: np.ndarray) -> tuple[_Points, np.ndarray, np.ndarray]:
        P = _body_points(world, self.scale)
        uv, depth = _project(self.clip, P.stack(), track, self.height_m)
        return P, uv * self.ss, depth

    def draw(self, img: np.ndarray, P: _Points, uv: np.ndarray, depth: np.ndarray) -> None:
        """Draw frame ``uv`` (k, 2) / ``depth`` (k,) of the projected points ``P``."""
        g = lambda name: uv[P.index[name]]  # noqa: E731
        dep = lambda name: depth[P.index[name]]  # noqa: E731
        px = lambda r_m, d: self.f * self.scale * np.asarray(r_m) / d  # noqa: E731
        look, sc = self.look, self.scale
        d0 = float(dep("hip_mid")[0])
        parts: list[_Part] = []

        def tone(d: float) -> float:
            return 1.0 - _FAR_DARKEN * float(np.clip((d - d0) / (0.2 * sc), 0.0, 1.0))

        def capsule(name: str, radii: Sequence[float], rgb, bias: float = 0.0,
                    extra: list | None = None) -> None:
            c, d = g(name), dep(name)
            dm = float(d.mean())
            part = _Part(dm + bias)
            part.layers.append(("capsules", (c, px(radii, d)), _shade(rgb, tone(dm))))
            for lay in extra or []:
                part.layers.append(lay)
            parts.append(part)

        # the side whose shoulder is nearer is the near side
        for s in ("LEFT", "RIGHT"):
            d_leg = float(dep(f"{s}_thigh").mean())
            t_leg = tone(d_leg)
            shorts_c, shorts_d = g(f"{s}_shorts_leg"), dep(f"{s}_shorts_leg")
            r_hip, r_mid, r_knee = _THIGH_R
            shorts_r = px([r_hip * 1.05, np.interp(_SHORTS_FRAC, [0, 0.4, 1], _THIGH_R) * 1.08], shorts_d)
            capsule(f"{s}_thigh", _THIGH_R, look.skin_rgb,
                    extra=[("capsules", (shorts_c, shorts_r), _shade(look.shorts_rgb, t_leg))])
            sock_c, sock_d = g(f"{s}_sock"), dep(f"{s}_sock")
            sock_r = px([np.interp(_SOCK_FRAC, [0, 0.3, 1], _SHANK_R) * 1.04, _SHANK_R[2] * 1.06], sock_d)
            bone_c, bone_d = g(f"{s}_ankle_bone"), dep(f"{s}_ankle_bone")
            sock = look.sock_rgb or look.skin_rgb
            extra = [] if look.sock_rgb is None else [("capsules", (sock_c, sock_r), _shade(sock, t_leg))]
            extra.append(("capsules", (bone_c, px([_ANKLE_BONE_R], bone_d)), _shade(sock, 0.97 * t_leg)))
            capsule(f"{s}_shank", _SHANK_R, look.skin_rgb, bias=0.001, extra=extra)
            shoe_c, shoe_d = g(f"{s}_shoe"), dep(f"{s}_shoe")
            t_foot = tone(float(shoe_d.mean()))
            sole = g(f"{s}_sole")
            part = _Part(float(shoe_d.mean()) - 0.002)
            part.layers.append(("capsules", (shoe_c, px([r for _f, _u, r in _SHOE], shoe_d)),
                                _shade(look.shoe_rgb, t_foot)))
            part.layers.append(("line", (sole, max(1.0, float(px(0.012, shoe_d.mean())))),
                                _shade(look.sole_rgb, t_foot)))
            parts.append(part)
            ua_d = dep(f"{s}_upper_arm")
            t_arm = tone(float(ua_d.mean()))
            sleeve_c, sleeve_d = g(f"{s}_sleeve"), dep(f"{s}_sleeve")
            sleeve_r = px([_UPPER_ARM_R[0] * 1.12, np.interp(_SLEEVE_FRAC, [0, 1], _UPPER_ARM_R) * 1.12], sleeve_d)
            capsule(f"{s}_upper_arm", _UPPER_ARM_R, look.skin_rgb, bias=-0.001,
                    extra=[("capsules", (sleeve_c, sleeve_r), _shade(look.shirt_rgb, t_arm))])
            capsule(f"{s}_forearm", _FOREARM_R, look.skin_rgb, bias=-0.002)
            capsule(f"{s}_hand", [0.028, 0.036, 0.024, 0.017], look.skin_rgb, bias=-0.003)

        # torso (drawn behind limbs at the same depth), neck, head
        torso = _Part(float(dep("hip_mid")[0]) + 0.06 * sc)
        torso.layers.append(("blob", g("shorts"), look.shorts_rgb))
        torso.layers.append(("blob", g("shirt"), look.shirt_rgb))
        parts.append(torso)
        capsule("neck", [_NECK_R, _NECK_R * 0.95], look.skin_rgb, bias=0.05 * sc)
        head = _Part(float(dep("head_centre")[0]) - 0.03 * sc)
        head.layers.append(("blob", g("head"), look.skin_rgb))
        head.layers.append(("face", None, look.skin_rgb))
        parts.append(head)

        for part in sorted(parts, key=lambda p: -p.depth):
            for kind, data, rgb in part.layers:
                if kind == "capsules":
                    _draw_capsules(img, data[0], data[1], rgb)
                elif kind == "blob":
                    _draw_blob(img, data, rgb)
                elif kind == "line":
                    (a, b), thick = data[0], data[1]
                    cv2.line(img, tuple(int(v * 16) for v in a), tuple(int(v * 16) for v in b), rgb,
                             max(1, int(round(thick))), cv2.LINE_AA, 4)
                elif kind == "face":
                    self._face(img, g, dep, px)

    def _face(self, img, g, dep, px) -> None:
        look = self.look
        dc = float(dep("head_centre")[0])
        sc = self.scale
        lm = lambda name: g("landmarks")[int(L[name])]  # noqa: E731
        lmd = lambda name: float(dep("landmarks")[int(L[name])])  # noqa: E731
        ink = (40, 30, 28)
        # hair over the top and the back of the head
        _fill_hull(img, g("hair"), look.hair_rgb)
        # ears on the visible side(s)
        for s in ("LEFT", "RIGHT"):
            if lmd(f"{s}_EAR") < dc + 0.02 * sc:
                c = lm(f"{s}_EAR")
                r = float(px(0.024, lmd(f"{s}_EAR")))
                cv2.ellipse(img, (int(c[0] * 16), int(c[1] * 16)), (int(r * 0.75 * 16), int(r * 1.25 * 16)), 0, 0, 360,
                            _shade(look.skin_rgb, 0.85), -1, cv2.LINE_AA, 4)
                cv2.ellipse(img, (int(c[0] * 16), int(c[1] * 16)), (int(r * 0.4 * 16), int(r * 0.7 * 16)), 0, 0, 360,
                            _shade(look.skin_rgb, 0.68), -1, cv2.LINE_AA, 4)
        # nose: shows where the face turns to the camera or in profile
        if lmd("NOSE") < dc + 0.03 * sc:
            c, d = g("nose_tip")[0], float(dep("nose_tip")[0])
            r = float(px(0.017, d))
            cv2.circle(img, (int(c[0] * 16), int(c[1] * 16)), int(r * 16), _shade(look.skin_rgb, 0.95), -1,
                       cv2.LINE_AA, 4)
            cv2.circle(img, (int(c[0] * 16), int((c[1] + 0.5 * r) * 16)), int(0.35 * r * 16),
                       _shade(look.skin_rgb, 0.62), -1, cv2.LINE_AA, 4)
        # eyes and brows facing the camera
        for s in ("LEFT", "RIGHT"):
            d_eye = lmd(f"{s}_EYE")
            if d_eye < dc - 0.01 * sc:
                c = lm(f"{s}_EYE")
                r = float(px(0.012, d_eye))
                cv2.ellipse(img, (int(c[0] * 16), int(c[1] * 16)), (int(r * 16), int(r * 0.62 * 16)), 0, 0, 360,
                            (248, 248, 248), -1, cv2.LINE_AA, 4)
                ic = g(f"{s}_iris")[0]
                cv2.circle(img, (int(ic[0] * 16), int(ic[1] * 16)), int(0.58 * r * 16), (60, 44, 30), -1,
                           cv2.LINE_AA, 4)
                cv2.circle(img, (int(ic[0] * 16), int(ic[1] * 16)), int(0.28 * r * 16), (10, 10, 10), -1,
                           cv2.LINE_AA, 4)
                a, b = g(f"{s}_brow")
                cv2.line(img, (int(a[0] * 16), int(a[1] * 16)), (int(b[0] * 16), int(b[1] * 16)), look.hair_rgb,
                         max(1, int(round(0.45 * r))), cv2.LINE_AA, 4)
        # mouth
        if lmd("MOUTH_LEFT") < dc or lmd("MOUTH_RIGHT") < dc:
            m = g("mouth")
            thick = max(1, int(round(float(px(0.005, dc)))))
            cv2.polylines(img, [np.round(m * 16).astype(np.int32)], False, (150, 70, 70), thick, cv2.LINE_AA, 4)


def _shadow(img: np.ndarray, feet_uv: np.ndarray, hip_uv: np.ndarray, feet_height_px: np.ndarray,
            rx: float, ry: float) -> None:
    """A soft shadow on the floor under the athlete (multiplies the floor, blurred)."""
    H, W = img.shape[:2]
    cxs = [float(hip_uv[0])] + [float(u) for u in feet_uv[:, 0]]
    cy = float(np.nanmax(feet_uv[:, 1]))
    if not np.isfinite(cy):
        return
    x0, x1 = int(min(cxs) - 2 * rx), int(max(cxs) + 2 * rx)
    y0, y1 = int(cy - 3 * ry), int(cy + 3 * ry)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
    air = float(np.clip(np.nanmin(feet_height_px) / (6 * ry), 0.0, 1.0))
    cv2.ellipse(mask, (int(hip_uv[0]) - x0, int(cy) - y0), (max(1, int(rx)), max(1, int(ry))), 0, 0, 360,
                0.30 * (1 - 0.5 * air), -1, cv2.LINE_AA)
    for (u, v), h in zip(feet_uv, feet_height_px):
        a = 0.25 * float(np.clip(1 - h / (4 * ry), 0, 1))
        if a > 0:
            m2 = np.zeros_like(mask)
            cv2.ellipse(m2, (int(u) - x0, int(cy) - y0), (max(1, int(0.45 * rx)), max(1, int(0.6 * ry))), 0, 0, 360,
                        a, -1, cv2.LINE_AA)
            mask = np.maximum(mask, m2)
    k = max(3, int(ry) | 1)
    mask = cv2.GaussianBlur(mask, (k, k), 0)
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1.0 - mask[..., None])).astype(np.uint8)


def render_frames(clip: SyntheticClip, settings: RenderSettings = RenderSettings()) -> Iterator[np.ndarray]:
    """Yield the clip's frames as RGB uint8 images (camera.height, camera.width, 3).

    The backdrop and the shadow are drawn at the frame size; the athlete at ``supersample`` times
    that size, in the box around it only, then shrunk onto the frame (area averaging)."""
    cam = clip.camera
    ss = int(settings.supersample)
    drawer = _FrameDrawer(clip, settings, ss)
    height_m = drawer.height_m
    backdrop = _Backdrop(cam, height_m, settings, 1)
    world = clip.world_m
    n = len(world)
    track = clip.track_m if len(clip.track_m) == n else M.camera_track(world, cam)
    subs = [0.0]
    if settings.motion_blur_frac > 0:
        subs = list(np.linspace(-settings.motion_blur_frac, 0.0, 3))
    projected = []
    margin = 0.13 * drawer.scale * drawer.f / max(cam.distance_m - 1.0, 0.5)   # largest radius, supersampled px
    for a in subs:   # a: fraction of a frame interval back in time
        if a == 0.0:
            w, tr = world, track
        else:
            prev = np.concatenate([world[:1], world[:-1]])
            tprev = np.concatenate([track[:1], track[:-1]])
            w = world + a * (world - prev)       # a <= 0: linearly back toward the previous frame
            tr = track + a * (track - tprev)
        P, uv, depth = drawer.project(w, tr)
        lines = _floor_line_points(clip, tr, height_m, settings, 1) if settings.background == "texture" else None
        on_floor = np.stack([w[:, :, 0], np.zeros(w.shape[:2]), w[:, :, 2]], -1)   # landmarks dropped to the floor
        ground, _ = _project(clip, on_floor, tr, height_m)
        lo = np.floor((np.nanmin(uv, axis=1) - margin) / ss).astype(int) - 2
        hi = np.ceil((np.nanmax(uv, axis=1) + margin) / ss).astype(int) + 2
        projected.append((P, uv, depth, lines, tr, w, ground, lo, hi))
    rng = np.random.default_rng(settings.seed + 11)
    s_px = drawer.f / ss / cam.distance_m   # frame pixels per metre at the athlete
    foot_ids = [int(L.LEFT_HEEL), int(L.LEFT_FOOT_INDEX), int(L.RIGHT_HEEL), int(L.RIGHT_FOOT_INDEX)]
    for i in range(n):
        acc = None
        for P, uv, depth, lines, tr, w, ground, lo, hi in projected:
            img = backdrop.draw(float(tr[i]), None if lines is None else lines[i])
            hip = 0.5 * (ground[i, int(L.LEFT_HIP)] + ground[i, int(L.RIGHT_HIP)])
            feet_h = np.array([w[i, j, 1] for j in foot_ids]) * s_px
            _shadow(img, ground[i, foot_ids], hip, feet_h, 0.42 * s_px * drawer.scale, 0.07 * s_px * drawer.scale)
            x0, y0 = max(int(lo[i, 0]), 0), max(int(lo[i, 1]), 0)
            x1, y1 = min(int(hi[i, 0]), cam.width), min(int(hi[i, 1]), cam.height)
            if x1 > x0 and y1 > y0:
                box = img[y0:y1, x0:x1]
                big = cv2.resize(box, ((x1 - x0) * ss, (y1 - y0) * ss), interpolation=cv2.INTER_NEAREST) \
                    if ss > 1 else box.copy()
                drawer.draw(big, P, uv[i] - np.array([x0 * ss, y0 * ss]), depth[i])
                img[y0:y1, x0:x1] = cv2.resize(big, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) \
                    if ss > 1 else big
            if len(projected) > 1:
                acc = img.astype(np.float32) if acc is None else acc + img
        if acc is not None:
            img = np.clip(acc / len(projected) + 0.5, 0, 255).astype(np.uint8)
        if settings.noise_sigma > 0:
            noise = rng.normal(0.0, settings.noise_sigma, img.shape).astype(np.float32)
            img = np.clip(img + noise + 0.5, 0, 255).astype(np.uint8)
        yield img


# ============================================================================ ground truth in the image
def _pseudo_world(xy: np.ndarray, camera: Camera) -> np.ndarray:
    """Image pixels as coordinates the ``truth_*`` functions read (x forward, y up, z to the
    athlete's left): a side view maps image x to forward, a front view to the athlete's left."""
    out = np.zeros(xy.shape[:-1] + (3,))
    out[..., 1] = -xy[..., 1]
    if camera.view == "side":
        out[..., 0] = (1.0 if camera.facing == "right" else -1.0) * xy[..., 0]
    else:
        lat = 1.0 if camera.facing == "toward" else -1.0
        out[..., 0] = lat * xy[..., 0]      # in-plane length for torso length; sagittal angles unused here
        out[..., 2] = lat * xy[..., 0]
    return out


def _nanmedian(v) -> float:
    v = np.asarray(v, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


@dataclass(frozen=True)
class _Rep:
    side: str
    a: float          # toe-off
    b: float          # contact
    peak_t: float


def _reps_from_events(events: list[dict], lo: float, hi: float, plateau_s: float) -> list[_Rep]:
    """The lifting swings whose peak plateau lies inside [lo, hi] (the motion model's reps)."""
    reps = []
    for side in ("left", "right"):
        evs = sorted((e for e in events if e["side"] == side), key=lambda e: e["t_s"])
        for i, e in enumerate(evs):
            if e["kind"] != "peak_lift":
                continue
            if not (e["t_s"] - plateau_s / 2 >= lo and e["t_s"] + plateau_s / 2 <= hi):
                continue
            a = max([x["t_s"] for x in evs[:i] if x["kind"] == "toe_off"], default=-np.inf)
            b = min([x["t_s"] for x in evs[i + 1:] if x["kind"] == "contact"], default=np.inf)
            reps.append(_Rep(side, a, b, e["t_s"]))
    return sorted(reps, key=lambda r: r.peak_t)


def _interp_frame(arr: np.ndarray, t: np.ndarray, tc: float) -> np.ndarray:
    """``arr`` (n, ...) linearly interpolated in time at ``tc``."""
    j = int(np.clip(np.searchsorted(t, tc), 1, len(t) - 1))
    w = float(np.clip((tc - t[j - 1]) / (t[j] - t[j - 1]), 0.0, 1.0))
    return (1 - w) * arr[j - 1] + w * arr[j]


#: Values taken from the motion model as they are: timing (no projection changes it) and the
#: arm-leg phase (angles of segments at one depth, which a level camera keeps; the model measures
#: it in continuous time, as frames alias the thigh's harmonics).
_COPIED = ("reps", "cadence_spm", "travel_speed_mps", "flight_s", "hold_s", "stance_side", "arm_leg_phase_deg")


def _part_truth(P: np.ndarray, t: np.ndarray, contact: np.ndarray, events: list[dict], lo: float, hi: float,
                params: M.DrillParams, model: dict, view: str, contact_x=None) -> dict:
    """One drill stretch's true values measured on the image-plane landmarks ``P`` (pseudo-world),
    mirroring the motion model's own truth (same reps, stance frames, cycles). ``contact_x(side,
    t_s)`` gives the forward image coordinates of that ankle and of the hip midpoint at the instant
    of touchdown."""
    L_ = Landmark
    sel = (t >= lo - 1e-9) & (t <= hi + 1e-9)
    g = M.GAITS[params.drill]
    cyclic = g.pattern in ("alternate", "skip")
    period = 120.0 / params.cadence_spm if cyclic else (60.0 / params.cadence_spm if g.pattern == "both" else 0.0)
    plateau = 1.05 * float(np.max(np.diff(t))) + 1e-4
    reps = _reps_from_events(events, lo, hi, plateau)
    stance = np.where(sel, stance_side(contact, t), -1)
    names = set(model) - {"per_side"}
    out: dict[str, Any] = {k: model[k] for k in _COPIED if k in model}
    per_side: dict[str, dict[str, Any]] = {s: {} for s in ("left", "right")}
    for s in ("left", "right"):
        if "reps" in model.get("per_side", {}).get(s, {}):
            per_side[s]["reps"] = model["per_side"][s]["reps"]
    thigh = {s: M.truth_thigh_angle_deg(P, s) for s in ("left", "right")}

    def rep_peak(series: dict[str, np.ndarray], name: str) -> None:
        vals: dict[str, list[float]] = {"left": [], "right": []}
        for r in reps:
            mk = sel & (t >= r.a) & (t <= r.b)
            if mk.any():
                vals[r.side].append(float(np.max(series[r.side][mk])))
        allv = vals["left"] + vals["right"]
        if allv:
            out[name] = float(np.median(allv))
            for s in vals:
                if vals[s]:
                    per_side[s][name] = float(np.median(vals[s]))

    if "knee_lift_deg" in names:
        rep_peak(thigh, "knee_lift_deg")
    if "knee_flexion_deg" in names:
        rep_peak({s: M.truth_knee_flexion_deg(P, s) for s in thigh}, "knee_flexion_deg")
    if "toe_up_deg" in names:
        vals = {"left": [], "right": []}
        for r in reps:
            mk = np.flatnonzero(sel & (t >= r.a) & (t <= r.b))
            if mk.size:
                i = mk[int(np.argmax(thigh[r.side][mk]))]
                vals[r.side].append(float(M.truth_toe_angle_deg(P[i:i + 1], r.side)[0]))
        if vals["left"] + vals["right"]:
            out["toe_up_deg"] = float(np.median(vals["left"] + vals["right"]))
            for s in vals:
                if vals[s]:
                    per_side[s]["toe_up_deg"] = float(np.median(vals[s]))
    if "body_lean_deg" in names:
        out["body_lean_deg"] = _nanmedian(M.truth_body_lean_deg(P, stance))
    if "trunk_lean_deg" in names:
        out["trunk_lean_deg"] = _nanmedian(np.where(stance >= 0, M.truth_trunk_lean_deg(P), np.nan))
    if "hip_hinge_deg" in names:
        out["hip_hinge_deg"] = _nanmedian(M.truth_hip_hinge_deg(P, stance))
    if "head_bob_pct" in names and cyclic:
        lead = [r.peak_t for r in reps if r.side == params.lead_side]
        out["head_bob_pct"] = M.truth_head_bob_pct(P[sel], t[sel], lead)
    for side in ("left", "right"):
        for k in ("arm_leg_phase_deg", "arm_leg_phase_signed_deg"):
            if k in model.get("per_side", {}).get(side, {}):
                per_side[side][k] = model["per_side"][side][k]
    seg = lambda a, b: np.linalg.norm((P[:, a] - P[:, b])[..., :2], axis=-1)  # noqa: E731
    legs = np.concatenate([seg(L_.LEFT_HIP, L_.LEFT_KNEE) + seg(L_.LEFT_KNEE, L_.LEFT_ANKLE),
                           seg(L_.RIGHT_HIP, L_.RIGHT_KNEE) + seg(L_.RIGHT_KNEE, L_.RIGHT_ANKLE)])
    leg_px = float(np.percentile(legs, 90))
    if "contact_offset_frac" in names and contact_x is not None:
        vals = {"left": [], "right": []}
        for e in events:
            if e["kind"] == "contact" and lo <= e["t_s"] <= hi:
                ankle_x, hip_x = contact_x(e["side"], e["t_s"])
                vals[e["side"]].append(float((ankle_x - hip_x) / leg_px))
        if vals["left"] + vals["right"]:
            out["contact_offset_frac"] = float(np.median(vals["left"] + vals["right"]))
            for s in vals:
                if vals[s]:
                    per_side[s]["contact_offset_frac"] = float(np.median(vals[s]))
    if "heel_rise_frac" in names:
        feet = np.concatenate([seg(L_.LEFT_HEEL, L_.LEFT_FOOT_INDEX), seg(L_.RIGHT_HEEL, L_.RIGHT_FOOT_INDEX)])
        wins = [(e["t_s"] - period / 2, e["t_s"] + period / 2) for e in events
                if e["kind"] == "peak_rise" and lo <= e["t_s"] <= hi]
        out["heel_rise_frac"] = M.truth_heel_rise_frac(P[sel], t[sel], wins, float(np.percentile(feet, 90)))
    if "sway_frac" in names and g.pattern == "hold":
        a = min((e["t_s"] for e in events if e["kind"] == "toe_off"), default=lo)
        b = max((e["t_s"] for e in events if e["kind"] == "contact"), default=hi)
        frames = np.flatnonzero(sel & (t >= a) & (t <= b))
        out["sway_frac"] = M.truth_sway_frac(P, frames, axis=2 if view == "front" else 0, leg_m=leg_px)
    if "knee_tracking_deg" in names:
        vals_all = []
        for s, k in (("left", 0), ("right", 1)):
            st = np.flatnonzero((stance == k) | (sel & contact[:, k] & (g.pattern in ("both", "still"))))
            if st.size:
                v = M.truth_knee_tracking_deg(P[st], s)
                per_side[s]["knee_tracking_deg"] = float(np.median(v))
                vals_all.append(v)
        if vals_all:
            out["knee_tracking_deg"] = float(np.median(np.concatenate(vals_all)))
    out["per_side"] = per_side
    return out


def image_truth(clip: SyntheticClip, *, perspective: bool = True) -> dict:
    """The clip's true values measured on its landmarks as the camera sees them: the renderer's
    perspective projection (:func:`project_clip`), or ``perspective=False`` the orthographic one of
    ``SyntheticClip.sequence`` (which gives ``SyntheticClip.truth``). A single drill gives a dict like
    ``SyntheticClip.truth``; a warm-up ``{"parts": [...], "gap_kind": ...}`` with each part's truth in
    ``parts[k]["truth"]``."""
    cam, height_m = clip.camera, clip_height_m(clip)
    world, track, t = clip.world_m, clip.track_m, clip.sequence.t_s
    xy, _ = project(world, cam, track_m=track, perspective=perspective, height_m=height_m)
    P = _pseudo_world(xy, cam)
    hips = [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]

    def contact_x(side: str, tc: float) -> tuple[float, float]:
        # the hip moves smoothly: interpolate it; the touching ankle is planted: take it from the
        # first frame on the ground; both seen by the camera where it is at that instant
        j = int(min(np.searchsorted(t, tc - 1e-9), len(t) - 1))
        ankle = world[j, int(Landmark.LEFT_ANKLE if side == "left" else Landmark.RIGHT_ANKLE)]
        hip = _interp_frame(world[:, hips].mean(axis=1), t, tc)
        tr = _interp_frame(track, t, tc)
        uv, _d = project(np.stack([ankle, hip])[None], cam, track_m=np.array([tr]), perspective=perspective,
                         height_m=height_m)
        q = _pseudo_world(uv[0], cam)
        return float(q[0, 0]), float(q[1, 0])

    view = cam.view
    if "parts" not in clip.truth:
        lo, hi = float(t[0]), float(t[-1])
        return _part_truth(P, t, clip.contact, clip.events, lo, hi, clip.params, clip.truth, view, contact_x)
    parts = []
    for part in clip.truth["parts"]:
        lo, hi = part["steady_s"]
        evs = [e for e in clip.events if e["segment"] == part["segment"]]
        parts.append({**part, "truth": _part_truth(P, t, clip.contact, evs, lo, hi, part["params"], part["truth"],
                                                   view, contact_x)})
    return {"parts": parts, "gap_kind": clip.truth.get("gap_kind")}


# ============================================================================ writing a clip
def truth_paths(video: str | os.PathLike) -> tuple[Path, Path]:
    """``<clip>.truth.json`` and ``<clip>.truth.npz`` beside a video."""
    video = Path(video)
    stem = video.with_suffix("")
    return stem.with_name(stem.name + ".truth.json"), stem.with_name(stem.name + ".truth.npz")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, M.DrillParams):
        return {k: _jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return round(v, 6) if math.isfinite(v) else None
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    return obj


@dataclass(frozen=True)
class RenderedClip:
    """What :func:`render_clip` wrote."""

    video: Path
    truth_json: Path
    truth_npz: Path
    frames: int
    truth: dict


def truth_document(clip: SyntheticClip, settings: RenderSettings, video_name: str) -> dict:
    """The content of ``<clip>.truth.json``."""
    truth = image_truth(clip)
    warmup = "parts" in truth
    doc: dict[str, Any] = {
        "format": TRUTH_FORMAT,
        "video": video_name,
        "drill": "warm-up" if warmup else clip.params.drill,
        "frames": int(len(clip.world_m)),
        "fps": float(clip.camera.fps),
        "duration_s": float(clip.segments[-1]["end_s"] - clip.segments[0]["start_s"]),
        "projection": "perspective",
        "segments": clip.segments,
        "camera": asdict(clip.camera),
        "render": asdict(settings),
        "events": clip.events,
    }
    if warmup:
        doc["parts"] = [{k: v for k, v in p.items()} for p in truth["parts"]]
        doc["gap_kind"] = truth["gap_kind"]
    else:
        doc["params"] = clip.params
        doc["truth"] = {k: v for k, v in truth.items() if k != "per_side"}
        doc["per_side"] = truth["per_side"]
        doc["model_truth"] = {k: v for k, v in clip.truth.items() if k != "per_side"}
    return _jsonable(doc)


def render_clip(clip: SyntheticClip, path: str | os.PathLike, settings: RenderSettings = RenderSettings(),
                progress=None) -> RenderedClip:
    """Draw ``clip`` into the H.264 video ``path`` and write its ground truth beside it
    (``.truth.json``, ``.truth.npz``); all three files appear, or none."""
    from formcheck.video import VideoWriter

    path = Path(path)
    cam = clip.camera
    if cam.width % 2 or cam.height % 2 or cam.width < 64 or cam.height < 64:
        raise RenderError(f"frame size {cam.width}x{cam.height} must be even and at least 64x64")
    json_path, npz_path = truth_paths(path)
    xy, depth = project_clip(clip)
    doc = truth_document(clip, settings, path.name)
    t = clip.sequence.t_s
    with staged_outputs([path, json_path, npz_path]) as (tmp_video, tmp_json, tmp_npz):
        with VideoWriter(tmp_video, cam.fps, (cam.width, cam.height), crf=settings.crf,
                         preset=settings.preset) as writer:
            for i, img in enumerate(render_frames(clip, settings)):
                writer.write(img, float(t[i] - t[0]))
                if progress is not None:
                    progress(i + 1, len(t))
        tmp_json.write_text(json.dumps(doc, indent=1) + "\n")
        with open(tmp_npz, "wb") as fh:
            np.savez_compressed(fh, format=np.array(TRUTH_FORMAT), xy=xy.astype(np.float32),
                                depth_m=depth.astype(np.float32), t_s=t, world_m=clip.world_m.astype(np.float32),
                                contact=clip.contact, size=np.array([cam.width, cam.height]))
    return RenderedClip(path, json_path, npz_path, len(t), doc)


def load_truth(video: str | os.PathLike) -> dict:
    """The ground truth written beside ``video`` (the JSON document, plus ``xy``, ``t_s`` arrays)."""
    json_path, npz_path = truth_paths(video)
    if not json_path.is_file():
        raise RenderError(f"{json_path} not found: render the clip with formcheck render to get its ground truth")
    doc = json.loads(json_path.read_text())
    if doc.get("format") != TRUTH_FORMAT:
        raise RenderError(f"{json_path} is not a formcheck ground-truth file (format {doc.get('format')!r})")
    if npz_path.is_file():
        with np.load(npz_path, allow_pickle=False) as d:
            doc["xy"], doc["t_s"] = d["xy"], d["t_s"]
    return doc


# ============================================================================ clips by name, and the bundled samples
WARMUP = "warm-up"
#: The default warm-up: (drill, seconds) in a row, walking between them.
DEFAULT_WARMUP: tuple[tuple[str, float], ...] = (("march", 6.0), ("a-skip", 6.0), ("high-knees", 5.0),
                                                 ("butt-kicks", 5.0))


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> (1280, 720); both even and at least 64."""
    try:
        w, h = (int(v) for v in str(text).lower().split("x"))
    except ValueError:
        raise RenderError(f"size {text!r} not understood: use WIDTHxHEIGHT, e.g. 1280x720 or 540x960") from None
    if w < 64 or h < 64 or w % 2 or h % 2:
        raise RenderError(f"size {text!r}: width and height must be even and at least 64")
    return w, h


def parse_fault(text: str) -> tuple[str, float | str]:
    """``"knee_lift_deg=55"`` -> ("knee_lift_deg", 55.0); a DrillParams field and its value."""
    name, sep, value = str(text).partition("=")
    name = name.strip()
    known = [f for f in M.DrillParams.__dataclass_fields__ if f != "drill"]
    if not sep or name not in known:
        raise RenderError(f"fault {text!r} not understood: use FIELD=VALUE with FIELD one of {', '.join(known)}")
    if name == "lead_side":
        return name, value.strip()
    try:
        return name, float(value)
    except ValueError:
        raise RenderError(f"fault {text!r}: {value!r} is not a number") from None


def synth_clip(drill: str, *, faults: dict[str, Any] | None = None, view: str = "side", facing: str | None = None,
               size: tuple[int, int] = (1280, 720), fps: float = 60.0, seconds: float = 6.0, seed: int = 0,
               distance_m: float = 6.0, body_height_frac: float | None = None, follow: bool | None = None,
               parts: Sequence[tuple[str, float]] | None = None, gap_s: tuple[float, float] = (2.0, 3.0),
               gap_kind: str = "walk") -> SyntheticClip:
    """A synthetic clip by drill name (or ``"warm-up"``) and camera set-up.

    ``faults``: DrillParams fields to change from good form. ``follow`` None: the camera pans with
    an athlete who travels (a-skips, strides, a warm-up with walks) and stays put otherwise.
    ``body_height_frac`` None: 0.7 of a landscape frame's height, 0.55 of a portrait one.
    """
    if drill != WARMUP and drill not in M.MOTIONS:
        raise RenderError(f"unknown drill {drill!r}: use one of {', '.join(M.MOTIONS)}, or {WARMUP}")
    facing = facing or ("right" if view == "side" else "toward")
    w, h = size
    frac = body_height_frac if body_height_frac is not None else (0.55 if h > w else 0.7)
    if drill == WARMUP:
        if faults:
            raise RenderError("faults apply to one drill; render the drills of a warm-up one by one to plant faults")
        plist = [(str(d), float(s)) for d, s in (parts or DEFAULT_WARMUP)]
        cam = Camera(view=view, facing=facing, width=w, height=h, fps=fps, body_height_frac=frac,
                     distance_m=distance_m, follow=True if follow is None else follow)
        return M.make_warmup(plist, cam, gap_s=gap_s, gap_kind=gap_kind, seed=seed)
    params = M.defaults_for(drill, **(faults or {}))
    travels = params.travel_speed_mps > 0
    cam = Camera(view=view, facing=facing, width=w, height=h, fps=fps, body_height_frac=frac,
                 distance_m=distance_m, follow=travels if follow is None else follow)
    return M.make_clip(params, cam, duration_s=seconds, seed=seed)


@dataclass(frozen=True)
class SampleSpec:
    """One bundled sample clip: ``name`` is the file stem."""

    name: str
    drill: str
    description: str
    faults: tuple[tuple[str, float], ...] = ()
    facing: str = "right"
    size: tuple[int, int] = (640, 360)
    fps: float = 30.0
    seconds: float = 6.0
    seed: int = 0
    look: str = "blue"


#: The clips in ``sample_videos/`` (``formcheck render --samples sample_videos/`` regenerates them).
SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec("a-skip_good", "a-skip", "A-skips with the knee driven to hip height, toes up, tall posture"),
    SampleSpec("a-skip_low-knees", "a-skip", "A-skips with the knee stopping well below hip height (60 deg)",
               faults=(("knee_lift_deg", 60.0),), seed=1),
    SampleSpec("strides_good", "strides", "Strides leaning from the ankles, body in one line", look="red", seed=2),
    SampleSpec("strides_hip-bend", "strides", "Strides bending at the hips (22 deg hinge) instead of leaning "
               "from the ankles", faults=(("hip_hinge_deg", 22.0),), facing="left", look="red", seed=3),
    SampleSpec("high-knees_good", "high-knees", "High knees with opposite arm and leg together", look="green",
               seed=4),
    SampleSpec("high-knees_same-side-arms", "high-knees", "High knees swinging the arm of the same side with "
               "each knee (arm-leg phase 180 deg)", faults=(("arm_leg_phase_deg", 180.0),), facing="left",
               look="green", seed=5),
    SampleSpec("march_good_portrait", "march", "A-march filmed in portrait (540x960)", size=(540, 960),
               look="dark", seed=6),
    SampleSpec("warmup", WARMUP, "One continuous warm-up: march, A-skips, high knees and butt kicks with walking "
               "in between", seconds=0.0, seed=7),
)


def make_sample_clip(spec: SampleSpec) -> SyntheticClip:
    return synth_clip(spec.drill, faults=dict(spec.faults), facing=spec.facing, size=spec.size, fps=spec.fps,
                      seconds=spec.seconds, seed=spec.seed)


def sample_settings(spec: SampleSpec) -> RenderSettings:
    return RenderSettings(look=spec.look, background="texture", crf=28, preset="medium", seed=spec.seed)


def render_samples(folder: str | os.PathLike, names: Sequence[str] | None = None, progress=None) -> list[RenderedClip]:
    """(Re)render the bundled sample clips into ``folder``, the same every time (same seeds)."""
    folder = Path(folder)
    specs = [s for s in SAMPLES if names is None or s.name in names]
    unknown = sorted(set(names or ()) - {s.name for s in SAMPLES})
    if unknown:
        raise RenderError(f"unknown sample {', '.join(unknown)}: use one of {', '.join(s.name for s in SAMPLES)}")
    out = []
    for spec in specs:
        clip = make_sample_clip(spec)
        out.append(render_clip(clip, folder / f"{spec.name}.mp4", sample_settings(spec)))
        if progress is not None:
            progress(spec, out[-1])
    return out
