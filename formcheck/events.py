"""Events in time: rep peaks, foot contacts, flight phases, holds, cycles and cadence.

Pure numpy/scipy functions over per-frame signals (``(n,)`` arrays) and each frame's own
timestamp ``t_s`` (frames may be spaced unevenly). NaN frames are bridged by interpolation to
find events, and an event that would fall on a missing frame is dropped. Thresholds are
settings objects (frozen dataclasses with units in their names), not constants in the code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import find_peaks

from formcheck.kinematics import interpolate_nans

__all__ = [
    "ContactSettings",
    "HoldSettings",
    "PeakSettings",
    "cadence_spm",
    "contact_mask",
    "find_rep_peaks",
    "ground_velocity",
    "FootMotion",
    "flight_mask",
    "foot_motion",
    "ground_line",
    "holds",
    "local_period_s",
    "peak_centres_s",
    "peak_times_s",
    "rep_extents",
    "runs",
    "touchdown_time_s",
]


# ---------------------------------------------------------------------------- runs
def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) frame of every run of True in a 1-D mask."""
    m = np.asarray(mask, dtype=bool)
    padded = np.concatenate(([False], m, [False])).astype(np.int8)
    step = np.diff(padded)
    return np.flatnonzero(step == 1), np.flatnonzero(step == -1)


def _frames_for(duration_s: float, t_s: np.ndarray) -> int:
    """How many frames ``duration_s`` spans at the clip's typical frame interval (at least 1)."""
    if len(t_s) < 2:
        return 1
    return max(1, int(round(duration_s / float(np.median(np.diff(t_s))))))


def _drop_short(mask: np.ndarray, t_s: np.ndarray, min_s: float, value: bool) -> np.ndarray:
    """Flip runs of ``value`` shorter than ``min_s`` (by their timestamps) to ``not value``.

    Runs that touch either end of the clip are kept: their true length is unknown.
    """
    m = np.asarray(mask, dtype=bool).copy()
    n = len(m)
    starts, stops = runs(m if value else ~m)
    for s, e in zip(starts, stops):
        if s == 0 or e == n:
            continue
        # a run of frames s..e-1 lasts from halfway before frame s to halfway after frame e-1
        span = 0.5 * (t_s[e] + t_s[e - 1]) - 0.5 * (t_s[s] + t_s[s - 1])
        if span < min_s:
            m[s:e] = not value
    return m


# ---------------------------------------------------------------------------- peaks
@dataclass(frozen=True)
class PeakSettings:
    """How a rep peak is told from noise.

    A peak counts when its prominence is at least ``min_prominence`` (signal units) and at
    least ``rel_prominence_frac`` of the signal's robust range (2nd to 98th percentile); when it
    reaches at least ``high_frac`` of that range; and, with hysteresis, when the signal fell below
    ``low_frac`` of the range since the previous counted peak (otherwise the higher of the two is
    kept). Peaks closer than ``min_spacing_s`` keep only the highest.
    """

    min_prominence: float
    min_spacing_s: float = 0.3
    rel_prominence_frac: float = 0.35
    high_frac: float = 0.5
    low_frac: float = 0.4


def find_rep_peaks(signal: np.ndarray, t_s: np.ndarray, settings: PeakSettings) -> np.ndarray:
    """Frames of the rep peaks of one signal (sorted), with prominence, hysteresis and spacing."""
    x = np.asarray(signal, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    finite = np.isfinite(x)
    if finite.sum() < 3:
        return np.zeros(0, dtype=np.intp)
    lo, hi = np.percentile(x[finite], [2.0, 98.0])
    rng = float(hi - lo)
    prom = max(settings.min_prominence, settings.rel_prominence_frac * rng)
    filled = interpolate_nans(x, t)
    # Padding both ends with the signal's low level lets a peak reached just before the clip ends
    # (or just after it starts) count: it needs a frame beyond it, lower than itself, to be a peak.
    cand, _props = find_peaks(np.concatenate(([lo], filled, [lo])), prominence=prom)
    cand = cand - 1
    cand = cand[(cand > 0) & (cand < len(x) - 1)]
    # a peak must be seen: it and both its neighbours are real data, not bridged by interpolation
    seen = finite & np.r_[True, finite[:-1]] & np.r_[finite[1:], True]
    keep = seen[cand] & (filled[cand] >= lo + settings.high_frac * rng)
    cand = cand[keep]
    if cand.size == 0:
        return cand.astype(np.intp)
    # spacing: strongest first, drop any peak within min_spacing_s of one already kept
    tc = t[cand]
    lo_i = np.searchsorted(tc, tc - settings.min_spacing_s, side="right")
    hi_i = np.searchsorted(tc, tc + settings.min_spacing_s, side="left")
    removed = np.zeros(cand.size, dtype=bool)
    for i in np.argsort(-filled[cand], kind="stable"):
        if not removed[i]:
            removed[lo_i[i]:hi_i[i]] = True
            removed[i] = False
    cand = cand[~removed]
    # hysteresis: the signal must dip below the low level between two counted peaks
    low = lo + settings.low_frac * rng
    out = [int(cand[0])]
    for p in cand[1:]:
        q = out[-1]
        if np.min(filled[q:p + 1]) < low:
            out.append(int(p))
        elif filled[p] > filled[q]:
            out[-1] = int(p)
    return np.asarray(out, dtype=np.intp)


# ---------------------------------------------------------------------------- contacts
@dataclass(frozen=True)
class ContactSettings:
    """When a foot point counts as on the ground.

    A point (heel or toe) is in contact when it is within ``max_height_frac`` leg lengths of
    the ground line and moves slower than ``max_speed_lps`` leg lengths per second relative to
    the ground; a foot is in contact when either of its points is. When the athlete travels, a
    point also counts as still below ``travel_speed_frac`` of the hip's speed over the ground
    (smoothing spreads a fast foot's abrupt stop over the few frames it is down). The ground line
    is first the lowest foot level (largest image y) within ``ground_window_s``, then the median
    level of the points found on the ground (see :func:`ground_line_from_contacts`). The ground's
    own image velocity (a camera panning to follow the athlete) is the median velocity of the foot
    points near the ground within ``ground_velocity_window_s``. Contacts shorter than
    ``min_contact_s`` and breaks shorter than ``min_break_s`` are dropped.
    """

    max_height_frac: float = 0.025
    max_speed_lps: float = 0.5
    travel_speed_frac: float = 0.25
    ground_window_s: float = 3.0
    ground_velocity_window_s: float = 0.6
    min_contact_s: float = 0.025
    min_break_s: float = 0.04


def ground_line(foot_y: np.ndarray, t_s: np.ndarray, window_s: float = 3.0) -> np.ndarray:
    """Image y of the ground under the athlete per frame, (n,).

    ``foot_y`` is (n, k): the image y of the k foot points (heels, toes). The ground is their
    lowest level (largest y) over a moving window of ``window_s``, so a clip may travel,
    pan slowly or come toward the camera. NaN where the window holds no foot point.
    """
    y = np.asarray(foot_y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    low = np.max(np.where(np.isfinite(y), y, -np.inf), axis=1)
    if low.size == 0:
        return low
    size = 2 * (_frames_for(window_s, t_s) // 2) + 1
    g = maximum_filter1d(low, size=size, mode="nearest")
    return np.where(np.isfinite(g), g, np.nan)


def ground_line_from_contacts(foot_y: np.ndarray, on: np.ndarray, t_s: np.ndarray, first: np.ndarray,
                              window_s: float = 3.0, block_s: float = 0.5) -> np.ndarray:
    """The ground line again, as the median image y of the foot points found on the ground.

    The lowest-level line (:func:`ground_line`) sits a little below the true ground when the
    points are noisy (it picks their largest values); the median of the points that are on the
    ground does not. Medians are taken per ``block_s`` and then over ``window_s`` of blocks;
    where no point was on the ground in reach, ``first`` (the lowest-level line) is kept.
    """
    y = np.where(np.asarray(on, dtype=bool), np.asarray(foot_y, dtype=np.float64), np.nan)
    t = np.asarray(t_s, dtype=np.float64)
    n = y.shape[0]
    if n < 2:
        return np.asarray(first, dtype=np.float64).copy()
    block = max(1, _frames_for(block_s, t))
    nb = -(-n // block)
    pad = np.full((nb * block - n, y.shape[1]), np.nan)
    blocks = np.concatenate([y, pad]).reshape(nb, -1)
    med = _nanmedian_rows(blocks)
    reach = max(1, int(round(window_s / block_s)) // 2)
    padded = np.pad(med, (reach, reach), constant_values=np.nan)
    smooth = _nanmedian_rows(np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1))
    centres = np.minimum(np.arange(nb) * block + block // 2, n - 1)
    ok = np.isfinite(smooth)
    if not ok.any():
        return np.asarray(first, dtype=np.float64).copy()
    line = np.interp(t, t[centres[ok]], smooth[ok])
    # beyond the first/last block with data, and in stretches with none nearby, keep the first line
    covered = maximum_filter1d(np.repeat(ok, block)[:n].astype(np.int8), size=2 * reach * block + 1) > 0
    return np.where(covered, line, first)


def _nanmedian_rows(a: np.ndarray) -> np.ndarray:
    """Median of the finite values of each row (NaN for a row with none), without warnings."""
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a)
    cnt = ok.sum(axis=1)
    srt = np.sort(np.where(ok, a, np.inf), axis=1)     # finite values first, in order
    rows = np.arange(a.shape[0])
    lo = np.maximum((cnt - 1) // 2, 0)
    hi = np.maximum(cnt // 2, 0)
    return np.where(cnt > 0, 0.5 * (srt[rows, lo] + srt[rows, np.minimum(hi, a.shape[1] - 1)]), np.nan)


def ground_velocity(vx: np.ndarray, near: np.ndarray, t_s: np.ndarray, window_s: float = 0.6) -> np.ndarray:
    """Horizontal image velocity of the ground per frame, (n,): zero for a still camera, minus the
    pan speed for a camera that follows the athlete.

    ``vx`` (n, k) is the horizontal velocity of the k foot points, ``near`` (n, k) whether each is
    near the ground. A foot on the ground moves with the ground, so the median of the near points'
    velocities over a moving window of ``window_s`` is the ground's (feet skimming the ground in
    a swing are the minority). Frames with no near point in reach are interpolated; 0 if none has.
    """
    v = np.where(np.asarray(near, dtype=bool), np.asarray(vx, dtype=np.float64), np.nan)
    n = v.shape[0]
    if n == 0:
        return np.zeros(0)
    half = _frames_for(window_s, t_s) // 2
    padded = np.pad(v, ((half, half), (0, 0)), constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1, axis=0).reshape(n, -1)
    med = _nanmedian_rows(win)
    if not np.isfinite(med).any():
        return np.zeros(n)
    return interpolate_nans(med, np.asarray(t_s, dtype=np.float64))


@dataclass(frozen=True)
class FootMotion:
    """Foot points over time, relative to the ground (see :func:`foot_motion`); arrays (n, k)
    except ``ground_vx`` (n,)."""

    height_frac: np.ndarray     # above the ground line, leg lengths
    still_lps: np.ndarray       # speed over the ground towards the stiller neighbouring frame, leg lengths/s
    ground_vx: np.ndarray       # the ground's horizontal image velocity, px/s


def foot_motion(points_xy: np.ndarray, ground_y: np.ndarray, leg_len_px: float, t_s: np.ndarray,
                settings: ContactSettings = ContactSettings(), on_ground: np.ndarray | None = None) -> FootMotion:
    """Height and speed over the ground of foot points (n, k, 2), for :func:`contact_mask`.

    Speeds are relative to the ground, whose image velocity (:func:`ground_velocity`) is taken
    from the points that sit on it. ``still_lps`` is the smaller of the backward and forward
    one-frame speeds: a foot that lands between two frames is already still towards the next
    frame, and a foot about to leave is still towards the previous one, so the first and last
    frames of a contact count. ``on_ground`` (n, k), if given, says which points to take the
    ground's velocity from (e.g. those a first pass found on the ground); otherwise the points
    near the ground that move little vertically.
    """
    p = np.asarray(points_xy, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n, k = p.shape[:2]
    with np.errstate(invalid="ignore", divide="ignore"):
        height = (np.asarray(ground_y, dtype=np.float64)[:, None] - p[..., 1]) / leg_len_px
        if n < 2:
            return FootMotion(height, np.full((n, k), np.nan), np.zeros(n))
        step = np.diff(p, axis=0) / np.diff(t)[:, None, None]           # (n-1, k, 2)
        pad = np.full((1, k, 2), np.nan)
        back = np.concatenate([pad, step])                                # frame i from i-1
        fwd = np.concatenate([step, pad])                                 # frame i to i+1
        # 1. the ground's velocity, from points near it moving little vertically
        use_fwd = ~(np.abs(back[..., 1]) <= np.abs(fwd[..., 1]))          # NaN back -> forward
        one = np.where(use_fwd[..., None], fwd, back)
        if on_ground is None:
            near = (height < settings.max_height_frac) & (np.abs(one[..., 1]) / leg_len_px < settings.max_speed_lps)
        else:
            near = np.asarray(on_ground, dtype=bool)
        gvx = ground_velocity(one[..., 0], near, t, settings.ground_velocity_window_s)
        # 2. speeds over the ground
        rel = lambda v: np.hypot(v[..., 0] - gvx[:, None], v[..., 1]) / leg_len_px  # noqa: E731
        sb, sf = rel(back), rel(fwd)
        still = np.where(np.isnan(sb), sf, np.where(np.isnan(sf), sb, np.minimum(sb, sf)))
    return FootMotion(height, still, gvx)


def contact_mask(height_frac: np.ndarray, speed_lps: np.ndarray, t_s: np.ndarray,
                 settings: ContactSettings = ContactSettings(), travel_lps: np.ndarray | None = None) -> np.ndarray:
    """Whether one foot is on the ground in each frame, (n,) bool.

    ``height_frac`` and ``speed_lps`` are (n, k): each of the foot's points' height above the
    ground line (leg lengths) and speed relative to the ground (leg lengths per second);
    ``travel_lps`` (n,) the athlete's speed over the ground, if known. See :class:`ContactSettings`.
    NaN counts as not in contact.
    """
    h = np.asarray(height_frac, dtype=np.float64)
    v = np.asarray(speed_lps, dtype=np.float64)
    if h.ndim == 1:
        h, v = h[:, None], v[:, None]
    t = np.asarray(t_s, dtype=np.float64)
    limit = np.full(len(t), settings.max_speed_lps)
    if travel_lps is not None:
        limit = np.fmax(limit, settings.travel_speed_frac * np.abs(np.asarray(travel_lps, dtype=np.float64)))
    with np.errstate(invalid="ignore"):
        on = (h < settings.max_height_frac) & (v < limit[:, None])
    mask = on.any(axis=1)
    if len(mask) < 3:
        return mask
    mask = _drop_short(mask, t, settings.min_break_s, value=False)
    return _drop_short(mask, t, settings.min_contact_s, value=True)


def touchdown_time_s(points_xy: np.ndarray, t_s: np.ndarray, frame: int, min_speed_px_s: float = 0.0) -> float:
    """When a foot first seen on the ground at ``frame`` really landed, between frames.

    ``points_xy`` (n, 2) is the foot's landing point over the ground (a following camera's pan
    taken out). Between the frame before and ``frame`` the foot covered the last stretch to where
    it then stays; at the speed it had coming in (from the two frames before ``frame``), that
    stretch took ``distance / speed``. A foot set down too slowly to tell (incoming speed below
    ``min_speed_px_s``, or points missing) is taken to land halfway between the two frames.
    """
    p = np.asarray(points_xy, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    f = int(frame)
    if f <= 0:
        return float(t[0])
    dt = t[f] - t[f - 1]
    half = float(t[f - 1] + 0.5 * dt)
    if f < 2:
        return half
    last = float(np.hypot(*(p[f] - p[f - 1])))
    speed = float(np.hypot(*(p[f - 1] - p[f - 2]))) / (t[f - 1] - t[f - 2])
    if not (np.isfinite(last) and np.isfinite(speed)) or speed <= max(min_speed_px_s, 0.0) or speed == 0:
        return half
    return float(t[f - 1] + min(last / speed, dt))


def flight_mask(left_contact: np.ndarray, right_contact: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
    """Frames with both feet off the ground (only where both feet were seen, if ``known`` is given)."""
    m = ~np.asarray(left_contact, dtype=bool) & ~np.asarray(right_contact, dtype=bool)
    return m if known is None else m & np.asarray(known, dtype=bool)


# ---------------------------------------------------------------------------- holds
@dataclass(frozen=True)
class HoldSettings:
    """A single-leg hold: one foot on the ground, the other off it, for at least ``min_hold_s``;
    breaks (the free foot touching down) shorter than ``max_break_s`` do not end it."""

    min_hold_s: float = 1.0
    max_break_s: float = 0.2


def holds(left_contact: np.ndarray, right_contact: np.ndarray, t_s: np.ndarray,
          settings: HoldSettings = HoldSettings()) -> list[tuple[str, int, int]]:
    """Single-leg holds as ``(stance side, start frame, stop frame exclusive)``, in time order."""
    t = np.asarray(t_s, dtype=np.float64)
    lc = np.asarray(left_contact, dtype=bool)
    rc = np.asarray(right_contact, dtype=bool)
    out: list[tuple[str, int, int]] = []
    for side, stance, free in (("left", lc, rc), ("right", rc, lc)):
        on = stance & ~free
        on = _drop_short(on, t, settings.max_break_s, value=False)
        for s, e in zip(*runs(on)):
            if t[e - 1] - t[s] + _typical_dt(t) >= settings.min_hold_s:
                out.append((side, int(s), int(e)))
    out.sort(key=lambda h: h[1])
    return out


def _typical_dt(t: np.ndarray) -> float:
    return float(np.median(np.diff(t))) if len(t) > 1 else 0.0


# ---------------------------------------------------------------------------- reps and cycles
def rep_extents(frames: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Each rep's extent (first and last frame, inclusive): halfway to its neighbours.

    The first and last reps reach out by half the median spacing (within the clip).
    """
    f = np.asarray(frames, dtype=np.intp)
    if f.size == 0:
        return f.copy(), f.copy()
    if f.size == 1:
        return np.array([0]), np.array([n_frames - 1])
    half = max(1, int(np.median(np.diff(f)) // 2))
    mids = (f[:-1] + f[1:]) // 2
    start = np.concatenate(([max(0, f[0] - half)], mids + 1))
    end = np.concatenate((mids, [min(n_frames - 1, f[-1] + half)]))
    return start, end


def peak_times_s(signal: np.ndarray, t_s: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Times of peaks found at ``frames``, between frames: the top of a parabola through each
    peak and its two neighbours (the frame's own time where a neighbour is missing)."""
    x = np.asarray(signal, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(frames, dtype=np.intp)
    out = t[f].astype(np.float64) if f.size else np.zeros(0)
    inner = (f > 0) & (f < len(x) - 1)
    g = f[inner]
    if g.size == 0:
        return out
    y0, y1, y2 = x[g - 1], x[g], x[g + 1]
    den = y0 - 2.0 * y1 + y2
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(den < 0, 0.5 * (y0 - y2) / den, 0.0)
    d = np.clip(np.nan_to_num(d), -0.5, 0.5)
    out[inner] = np.where(d >= 0, t[g] + d * (t[g + 1] - t[g]), t[g] + d * (t[g] - t[g - 1]))
    return out


def peak_centres_s(signal: np.ndarray, t_s: np.ndarray, frames: np.ndarray, level_frac: float = 0.5) -> np.ndarray:
    """Times of peaks found at ``frames``, as the midpoint of where the signal crosses the peak's
    half height (``level_frac`` of the way down to the higher of the two troughs beside it) on the
    way up and on the way down, interpolated between frames.

    Robust to flat or noisy tops (a held calf raise); every rep of the same shape gets the same
    offset from its top, so the intervals between reps are right. Falls back to
    :func:`peak_times_s` where a crossing lies outside the clip or on missing frames.
    """
    x = np.asarray(signal, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    f = np.asarray(frames, dtype=np.intp)
    out = peak_times_s(x, t, f)
    bounds = np.concatenate(([0], f, [len(x) - 1]))
    for i, p in enumerate(f):
        lo, hi = int(bounds[i]), int(bounds[i + 2])
        left, right = x[lo:p + 1], x[p:hi + 1]
        if not (np.isfinite(left).any() and np.isfinite(right).any()):
            continue
        level = x[p] - level_frac * (x[p] - max(np.nanmin(left), np.nanmin(right)))
        # last frame below the level before the peak, first one after it
        below_l = np.flatnonzero(left < level)
        below_r = np.flatnonzero(right < level)
        if below_l.size == 0 or below_r.size == 0:
            continue
        a = lo + int(below_l[-1])
        b = p + int(below_r[0])
        if not (np.isfinite(x[a + 1]) and np.isfinite(x[b - 1])):
            continue
        ta = t[a] + (level - x[a]) / (x[a + 1] - x[a]) * (t[a + 1] - t[a])
        tb = t[b - 1] + (x[b - 1] - level) / (x[b - 1] - x[b]) * (t[b] - t[b - 1])
        out[i] = 0.5 * (ta + tb)
    return out


def local_period_s(frames: np.ndarray, t_s: np.ndarray, max_ratio: float = 1.8,
                   times_s: np.ndarray | None = None) -> np.ndarray:
    """Each event's local period: the mean of its intervals to the previous and next event.

    ``frames`` are one kind of event in time order (e.g. one leg's lifts); ``times_s``, if given,
    their times between frames (else the frames' timestamps). An interval more than
    ``max_ratio`` times the clip's median interval (a missed event or a pause) is not used;
    an event with no usable interval gets the clip's median. NaN when there are fewer than two.
    """
    f = np.asarray(frames, dtype=np.intp)
    out = np.full(f.size, np.nan)
    if f.size < 2:
        return out
    t = np.asarray(t_s, dtype=np.float64)[f] if times_s is None else np.asarray(times_s, dtype=np.float64)
    d = np.diff(t)
    typical = float(np.median(d))
    d = np.where(d <= max_ratio * typical, d, np.nan)
    prev = np.concatenate(([np.nan], d))
    nxt = np.concatenate((d, [np.nan]))
    both = np.stack([prev, nxt])
    cnt = np.isfinite(both).sum(axis=0)
    mean = np.where(cnt > 0, np.nansum(both, axis=0) / np.maximum(cnt, 1), typical)
    out[:] = mean
    return out


def cadence_spm(frames_by_side: dict[str, np.ndarray], t_s: np.ndarray, min_share_frac: float = 0.25) -> float:
    """Events per minute from each side's local periods (both sides counted).

    A side counts as working when it has at least ``min_share_frac`` of the events; the
    cadence is ``60 * (working sides) / median period``. For events without a side pass
    ``{"both": frames}``. NaN when no side has two events.
    """
    total = sum(len(v) for v in frames_by_side.values())
    periods = []
    active = 0
    for frames in frames_by_side.values():
        if total == 0 or len(frames) < max(2, min_share_frac * total):
            continue
        active += 1
        periods.append(local_period_s(frames, t_s))
    if not periods:
        return float("nan")
    p = np.concatenate(periods)
    p = p[np.isfinite(p)]
    return float(60.0 * active / np.median(p)) if p.size else float("nan")
