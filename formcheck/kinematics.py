"""Pure, vectorised geometry on landmark tracks.

Every function takes arrays of image points shaped ``(..., 2)`` (x right, y **down**, pixels)
and works on any leading shape, typically ``(n_frames, 2)``. NaN in, NaN out: a missing
landmark makes only the frames where it is missing NaN, and nothing warns.

Angle conventions (degrees, image plane):

- :func:`segment_angle_deg` -- a segment ``proximal -> distal`` against the **downward**
  vertical, positive when ``distal`` lies forward of ``proximal``. A hanging thigh is 0, a
  horizontal thigh reaching forward is 90, a thigh behind the body is negative.
- :func:`lean_angle_deg` -- a line ``base -> top`` against the **upward** vertical, positive
  when ``top`` lies forward of ``base``. An upright trunk is 0, a forward lean is positive.
- "forward" is given by ``forward_sign``: +1 when the athlete faces image right (+x), -1 when
  facing left. It may be a scalar or an array that broadcasts against the points' leading shape.
- :func:`joint_angle_deg` -- the inner angle at a joint, in [0, 180]; 180 is a straight limb.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "cycle_phase_offset_deg",
    "harmonic_fit",
    "distance",
    "flexion_deg",
    "frontal_knee_angle_deg",
    "interpolate_nans",
    "joint_angle_deg",
    "lean_angle_deg",
    "midpoint",
    "nanmean_points",
    "robust_length",
    "segment_angle_deg",
    "wrap_deg",
]


def _xy(p: np.ndarray) -> np.ndarray:
    a = np.asarray(p, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {a.shape}")
    return a


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Point halfway between ``a`` and ``b`` (..., 2)."""
    return (_xy(a) + _xy(b)) * 0.5


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidean distance between ``a`` and ``b``, shape ``(...)``."""
    d = _xy(b) - _xy(a)
    return np.hypot(d[..., 0], d[..., 1])


def nanmean_points(points: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Mean of several points per frame, using those that are present (NaN where none is).

    ``points`` is a sequence of (..., 2) arrays or one array shaped (k, ..., 2).
    """
    stack = np.asarray(points, dtype=np.float64)
    ok = np.isfinite(stack).all(axis=-1, keepdims=True)
    count = ok.sum(axis=0)
    total = np.where(ok, stack, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def segment_angle_deg(proximal: np.ndarray, distal: np.ndarray, forward_sign: float | np.ndarray = 1.0) -> np.ndarray:
    """Angle of ``proximal -> distal`` from the downward vertical, positive forward (degrees, (-180, 180])."""
    d = _xy(distal) - _xy(proximal)
    return np.degrees(np.arctan2(d[..., 0] * forward_sign + 0.0, d[..., 1]))  # + 0.0: no -0.0, so no -180


def lean_angle_deg(base: np.ndarray, top: np.ndarray, forward_sign: float | np.ndarray = 1.0) -> np.ndarray:
    """Angle of ``base -> top`` from the upward vertical, positive when ``top`` is forward (degrees, (-180, 180])."""
    d = _xy(top) - _xy(base)
    return np.degrees(np.arctan2(d[..., 0] * forward_sign + 0.0, -d[..., 1]))


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Inner angle a-b-c at ``b`` in degrees, [0, 180] (180 = straight). NaN if a side has no length."""
    u = _xy(a) - _xy(b)
    v = _xy(c) - _xy(b)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    ang = np.degrees(np.arctan2(np.abs(cross), dot))
    degenerate = (np.hypot(u[..., 0], u[..., 1]) == 0) | (np.hypot(v[..., 0], v[..., 1]) == 0)
    return np.where(degenerate, np.nan, ang)


def flexion_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Joint flexion ``180 - angle(a, b, c)``: 0 for a straight limb, larger as the joint bends."""
    return 180.0 - joint_angle_deg(a, b, c)


def frontal_knee_angle_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray,
                           midline_x: np.ndarray | float) -> np.ndarray:
    """Frontal-plane knee angle of a front view: ``180 - angle(hip, knee, ankle)``, signed.

    Positive when the knee lies on the inner side of the hip-ankle line (towards ``midline_x``,
    the body's midline: knee caving in, valgus), negative when outside (varus).
    """
    hip, knee, ankle = _xy(hip), _xy(knee), _xy(ankle)
    bend = flexion_deg(hip, knee, ankle)
    # x of the hip-ankle line at the knee's height
    dy = ankle[..., 1] - hip[..., 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(dy != 0, (knee[..., 1] - hip[..., 1]) / dy, 0.5)
    line_x = hip[..., 0] + (ankle[..., 0] - hip[..., 0]) * frac
    inward = np.sign(np.asarray(midline_x, dtype=np.float64) - hip[..., 0])
    sign = np.sign((knee[..., 0] - line_x) * inward)
    return np.where(sign < 0, -bend, bend)


def wrap_deg(angle: np.ndarray | float) -> np.ndarray:
    """Wrap angles to [-180, 180)."""
    return (np.asarray(angle, dtype=np.float64) + 180.0) % 360.0 - 180.0


def robust_length(lengths: np.ndarray, percentile: float = 90.0) -> float:
    """A segment's true length from its per-frame image lengths.

    Foreshortening only ever shortens a segment in the image, so a high percentile of the
    finite lengths is a robust estimate of its length (NaN when there is none).
    """
    v = np.asarray(lengths, dtype=np.float64)
    v = v[np.isfinite(v)]
    return float(np.percentile(v, percentile)) if v.size else float("nan")


def interpolate_nans(values: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Fill NaN in a 1-D signal by linear interpolation in time (held constant beyond the ends).

    All NaN stays all NaN. Used to detect events across short gaps; events that fall on
    filled frames are the caller's to reject.
    """
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    if ok.all() or not ok.any():
        return v.copy()
    out = v.copy()
    out[~ok] = np.interp(t_s[~ok], t_s[ok], v[ok])
    return out


def cycle_phase_offset_deg(t_s: np.ndarray, lead: np.ndarray, ref: np.ndarray, period_s: float) -> float:
    """Phase of ``lead`` relative to ``ref`` at the frequency ``1 / period_s``, over one window.

    Both signals are projected onto ``exp(-2 pi i t / period_s)`` (one bin of a Fourier
    transform, with each frame weighted by its own time step, so uneven frame spacing is
    fine) after removing their means. Returns the offset in degrees, wrapped to [-180, 180):
    positive when ``lead`` runs ahead. NaN frames are left out; NaN if fewer than half the
    window's frames are usable or either signal has no swing at that frequency.
    """
    t = np.asarray(t_s, dtype=np.float64)
    a = np.asarray(lead, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < max(4, 0.5 * len(t)) or not (period_s > 0):
        return float("nan")
    t, a, b = t[ok], a[ok], b[ok]
    w = np.gradient(t) if len(t) > 1 else np.ones_like(t)
    basis = np.exp(-2j * np.pi * t / period_s) * w
    ca = np.sum((a - np.average(a, weights=w)) * basis)
    cb = np.sum((b - np.average(b, weights=w)) * basis)
    if abs(ca) == 0 or abs(cb) == 0:
        return float("nan")
    return float(wrap_deg(np.degrees(np.angle(ca * np.conj(cb)))))


def harmonic_fit(t_s: np.ndarray, values: np.ndarray, period_s: float, n_harmonics: int = 4) -> np.ndarray:
    """Least-squares fit of a mean plus the first ``n_harmonics`` harmonics of ``1 / period_s``.

    Returns the fitted curve at ``t_s`` (NaN frames are left out of the fit but get a fitted
    value); all NaN when fewer frames than coefficients are usable. Over one cycle of a periodic
    motion this keeps its shape and drops frame-to-frame noise.
    """
    t = np.asarray(t_s, dtype=np.float64)
    x = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(x)
    k = max(1, int(n_harmonics))
    if ok.sum() < 2 * k + 2 or not (period_s > 0):
        return np.full(t.shape, np.nan)
    w = 2.0 * np.pi * (t - t[0]) / period_s
    cols = [np.ones_like(t)]
    for h in range(1, k + 1):
        cols += [np.cos(h * w), np.sin(h * w)]
    a = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(a[ok], x[ok], rcond=None)
    return a @ coef
