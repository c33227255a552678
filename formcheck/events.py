"""Events in time: rep peaks, foot contacts, flight phases, holds, cycles and cadence.

Pure numpy/scipy functions over per-frame signals (``(n,)`` arrays) and each frame's own
timestamp ``t_s`` (frames may be spaced unevenly). NaN frames are bridged by interpolation to
find events, and an event that would fall on a missing frame is dropped. Thresholds are
settings objects (frozen dataclasses with units in their names), not constants in the code.

Foot contacts (:func:`foot_contacts`) judge each foot against its own ground level: a camera
that looks along the ground sees the far foot's floor contact higher in the image than the near
foot's (perspective), and one that looks down on the athlete more so. Each foot's level is the
level it comes down to in a share of every stretch of the clip (a robust low point of its
lowest landmark), checked against a longer stretch so that a foot held up for a long time does
not make its own ground; then refined to the median level of the frames found on the ground.
A foot is on the ground when its lowest point is near that level and still over the ground
(a camera panning to follow the athlete is taken out), with hysteresis and minimum durations
sized to the pose model's jitter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import find_peaks

from formcheck.kinematics import interpolate_nans

__all__ = [
    "ContactSettings",
    "FootContacts",
    "HoldSettings",
    "PeakSettings",
    "cadence_spm",
    "clear_of_ground",
    "contact_mask",
    "find_rep_peaks",
    "foot_contacts",
    "foot_ground_levels",
    "ground_velocity",
    "FootMotion",
    "flight_mask",
    "foot_motion",
    "ground_line",
    "ground_line_from_contacts",
    "holds",
    "dominant_period_s",
    "rolling_percentile",
    "step_onsets",
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
    """When a foot counts as on the ground.

    **Ground level, per foot.** Each foot's ground is the image level its lowest point (heel or
    toe) comes down to in at least ``ground_share_frac`` of the frames within ``ground_window_s``
    (a robust low point: a foot stands for more than that share of any such stretch, and the pose
    model's odd wild frame is fewer). Over a longer ``ground_long_window_s`` the same is worked
    out again, and the short-window level may not sit more than ``ground_drift_frac`` leg lengths
    above the long-window one: a foot held up for longer than the short window (a single-leg
    hold) does not make its own ground. The level is then refined to the median level of the
    foot's lowest point at rest (still over the ground, within ``rest_band_frac`` leg lengths of
    that first level; see :func:`ground_line_from_contacts`), no higher than ``ground_drift_frac``
    above the long-window level.

    **Contact.** A point (heel or toe) lands when it is within the landing height of its foot's
    ground level and moves slower than ``max_speed_lps`` leg lengths per second relative to the
    ground; once down it stays down while within the release height and slower than
    ``release_speed_lps`` (hysteresis: the pose model's jitter does not break a stance). The
    landing height is ``noise_landing_k`` times the jitter of the foot's height at rest (robust
    standard deviation about its median over ``jitter_window_s``, taken over
    ``ground_long_window_s``), at least ``max_height_frac`` and at most
    ``max_height_cap_frac``; the release height is ``noise_release_k`` times the jitter more. A
    foot is on the ground when either of its points is. When the athlete travels, a point also
    counts as still below ``travel_speed_frac`` of the hip's speed over the ground (smoothing
    spreads a fast foot's abrupt stop over the few frames it is down; the release speed grows
    alike). The ground's own image velocity (a camera panning to follow the athlete) is the
    median velocity of the foot points near the ground within ``ground_velocity_window_s``.
    Contacts shorter than ``min_contact_s`` and breaks shorter than ``min_break_s`` are dropped;
    flight (both feet off the ground) needs at least ``min_flight_s``.

    **Held up.** Nothing stays still in the air: where neither foot was found on the ground but a
    foot stays still over the ground for at least ``min_support_s``, that foot (the lower of the
    two, when both do) is on the ground, at the level where it stands.
    """

    max_height_frac: float = 0.025
    max_height_cap_frac: float = 0.06
    noise_landing_k: float = 3.0
    noise_release_k: float = 2.0
    max_speed_lps: float = 0.5
    release_speed_lps: float = 0.5
    travel_speed_frac: float = 0.25
    ground_window_s: float = 3.0
    ground_share_frac: float = 0.1
    ground_long_window_s: float = 30.0
    ground_drift_frac: float = 0.05
    rest_band_frac: float = 0.06
    jitter_window_s: float = 1.0
    ground_velocity_window_s: float = 0.6
    min_contact_s: float = 0.025
    min_break_s: float = 0.04
    min_flight_s: float = 0.05
    min_support_s: float = 0.15


def ground_line(foot_y: np.ndarray, t_s: np.ndarray, window_s: float = 3.0) -> np.ndarray:
    """Image y of the ground under the athlete per frame, (n,).

    ``foot_y`` is (n, k): the image y of the k foot points (heels, toes). The ground is their
    lowest level (largest y) over a moving window of ``window_s``, so a clip may travel,
    pan slowly or come toward the camera. NaN where the window holds no foot point.
    One line for all the points: :func:`foot_ground_levels` gives each foot its own.
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


def _nanpercentile_rows(a: np.ndarray, q: float) -> np.ndarray:
    """``q``-th percentile (linear interpolation) of the finite values of each row; NaN for a row
    with none. Vectorised, without warnings."""
    a = np.asarray(a, dtype=np.float64)
    ok = np.isfinite(a)
    cnt = ok.sum(axis=1)
    srt = np.sort(np.where(ok, a, np.inf), axis=1)     # finite values first, in order
    pos = (q / 100.0) * np.maximum(cnt - 1, 0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(cnt - 1, 0))
    rows = np.arange(a.shape[0])
    w = pos - lo
    with np.errstate(invalid="ignore"):
        v = srt[rows, lo] * (1.0 - w) + np.where(w > 0, srt[rows, hi] * w, 0.0)
    return np.where(cnt > 0, v, np.nan)


def rolling_percentile(x: np.ndarray, t_s: np.ndarray, window_s: float, q: float,
                       step_s: float | None = None) -> np.ndarray:
    """``q``-th percentile of the finite values of ``x`` (n,) within ``window_s`` centred on each
    frame, (n,) (shorter at the ends of the clip). With ``step_s`` it is worked out every
    ``step_s`` and interpolated in between (cheaper for long windows). NaN where the window holds
    no value."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n = len(x)
    if n == 0:
        return x.copy()
    half = _frames_for(0.5 * window_s, t) if n > 1 else 0
    half = min(half, n)
    step = 1 if step_s is None else max(1, _frames_for(step_s, t))
    centres = np.arange(0, n, step)
    if centres[-1] != n - 1:
        centres = np.append(centres, n - 1)
    padded = np.pad(x, (half, half), constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)[centres]
    vals = _nanpercentile_rows(win, q)
    if step == 1:
        return vals
    ok = np.isfinite(vals)
    if not ok.any():
        return np.full(n, np.nan)
    out = np.interp(t, t[centres[ok]], vals[ok])
    # no value anywhere in reach: NaN, as the frame-by-frame version gives
    reach = maximum_filter1d(np.isfinite(x).astype(np.int8), size=2 * half + 1, mode="constant") > 0
    return np.where(reach, out, np.nan)


def foot_ground_levels(low_y: np.ndarray, t_s: np.ndarray, leg_len_px: float,
                       settings: ContactSettings | None = None) -> np.ndarray:
    """Each foot's ground level, image y per frame: (n, m) for ``low_y`` (n, m), the image y of
    each of m feet's lowest point (NaN where unseen).

    The level a foot comes down to in ``ground_share_frac`` of the frames within
    ``ground_window_s``, no higher than ``ground_drift_frac`` leg lengths above the same level over
    ``ground_long_window_s`` (see :class:`ContactSettings`). A foot never seen in reach gets the
    other feet's level (the lowest of them); NaN where no foot is seen in reach.
    """
    return _ground_levels(low_y, t_s, leg_len_px, ContactSettings() if settings is None else settings)[0]


def _ground_levels(low_y: np.ndarray, t_s: np.ndarray, leg_len_px: float,
                   cs: ContactSettings) -> tuple[np.ndarray, np.ndarray]:
    """:func:`foot_ground_levels`, and the floor under it: the long-window level less the drift
    allowed (no level may rise above it)."""
    y = np.asarray(low_y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    t = np.asarray(t_s, dtype=np.float64)
    q = 100.0 * (1.0 - cs.ground_share_frac)
    level = np.empty_like(y)
    floor = np.empty_like(y)
    for j in range(y.shape[1]):
        short = rolling_percentile(y[:, j], t, cs.ground_window_s, q)
        long = rolling_percentile(y[:, j], t, cs.ground_long_window_s, q, step_s=min(1.0, cs.ground_window_s / 4))
        floor[:, j] = long - cs.ground_drift_frac * leg_len_px
        level[:, j] = np.fmax(short, floor[:, j])
    if y.shape[1] > 1:
        for arr in (level, floor):
            missing = ~np.isfinite(arr)
            if missing.any():
                with np.errstate(all="ignore"):
                    others = np.max(np.where(np.isfinite(arr), arr, -np.inf), axis=1)
                others = np.where(np.isfinite(others), others, np.nan)
                arr[...] = np.where(missing, others[:, None], arr)
    return level, floor


def ground_line_from_contacts(foot_y: np.ndarray, on: np.ndarray, t_s: np.ndarray, first: np.ndarray,
                              window_s: float = 3.0, block_s: float = 0.5) -> np.ndarray:
    """The ground line again, as the median image y of the foot points found on the ground.

    The lowest-level line (:func:`ground_line`) sits a little below the true ground when the
    points are noisy (it picks their largest values); the median of the points that are on the
    ground does not. Medians are taken per ``block_s`` and then over ``window_s`` of blocks;
    where no point was on the ground in reach, ``first`` (the lowest-level line) is kept.
    """
    y = np.where(np.asarray(on, dtype=bool), np.asarray(foot_y, dtype=np.float64), np.nan)
    if y.ndim == 1:
        y = y[:, None]
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

    ``ground_y`` is the ground's image y, (n,) for all points or (n, k) per point (each foot's
    own level). Speeds are relative to the ground, whose image velocity
    (:func:`ground_velocity`) is taken from the points that sit on it. ``still_lps`` is the
    smaller of the backward and forward one-frame speeds: a foot that lands between two frames
    is already still towards the next frame, and a foot about to leave is still towards the
    previous one, so the first and last frames of a contact count. ``on_ground`` (n, k), if
    given, says which points to take the ground's velocity from (e.g. those a first pass found on
    the ground); otherwise the points near the ground that move little vertically.
    """
    p = np.asarray(points_xy, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n, k = p.shape[:2]
    g = np.asarray(ground_y, dtype=np.float64)
    if g.ndim == 1:
        g = g[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        height = (g - p[..., 1]) / leg_len_px
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


def _hysteresis(core: np.ndarray, loose: np.ndarray) -> np.ndarray:
    """The runs of ``loose | core`` (1-D bool) that hold at least one ``core`` frame: once the
    foot is down for sure, the frames next to it where it is within the looser band (on its way
    down, jittering, on its way up) are down too."""
    core = np.asarray(core, dtype=bool)
    loose = np.asarray(loose, dtype=bool) | core
    starts, stops = runs(loose)
    if starts.size == 0:
        return np.zeros(len(core), dtype=bool)
    seen = np.concatenate(([0], np.cumsum(core)))
    keep = seen[stops] - seen[starts] > 0
    edge = np.zeros(len(core) + 1, dtype=np.int32)
    np.add.at(edge, starts[keep], 1)
    np.add.at(edge, stops[keep], -1)
    return np.cumsum(edge[:-1]) > 0


def contact_mask(height_frac: np.ndarray, speed_lps: np.ndarray, t_s: np.ndarray,
                 settings: ContactSettings = ContactSettings(), travel_lps: np.ndarray | None = None,
                 landing_frac: np.ndarray | float | None = None,
                 release_frac: np.ndarray | float | None = None) -> np.ndarray:
    """Whether one foot is on the ground in each frame, (n,) bool.

    ``height_frac`` and ``speed_lps`` are (n, k): each of the foot's points' height above its
    ground level (leg lengths) and speed relative to the ground (leg lengths per second);
    ``travel_lps`` (n,) the athlete's speed over the ground, if known. ``landing_frac`` and
    ``release_frac`` (scalars or (n,)) are the heights to land and to stay down (default
    ``settings.max_height_frac`` for both: no height hysteresis). See :class:`ContactSettings`.
    NaN counts as not in contact.
    """
    h = np.asarray(height_frac, dtype=np.float64)
    v = np.asarray(speed_lps, dtype=np.float64)
    if h.ndim == 1:
        h, v = h[:, None], v[:, None]
    t = np.asarray(t_s, dtype=np.float64)
    n = len(t)
    land = np.broadcast_to(np.asarray(settings.max_height_frac if landing_frac is None else landing_frac,
                                      dtype=np.float64), (n,))
    keep = np.fmax(land, np.broadcast_to(np.asarray(land if release_frac is None else release_frac,
                                                    dtype=np.float64), (n,)))
    limit = np.full(n, settings.max_speed_lps)
    if travel_lps is not None:
        limit = np.fmax(limit, settings.travel_speed_frac * np.abs(np.asarray(travel_lps, dtype=np.float64)))
    release = limit * (max(settings.release_speed_lps, settings.max_speed_lps) / settings.max_speed_lps)
    with np.errstate(invalid="ignore"):
        core = ((h < land[:, None]) & (v < limit[:, None])).any(axis=1)
        loose = ((h < keep[:, None]) & (v < release[:, None])).any(axis=1)
    mask = _hysteresis(core, loose)
    if len(mask) < 3:
        return mask
    mask = _drop_short(mask, t, settings.min_break_s, value=False)
    return _drop_short(mask, t, settings.min_contact_s, value=True)


@dataclass(frozen=True)
class FootContacts:
    """Both feet over time (see :func:`foot_contacts`). Arrays are (n, 2) for (left, right) or
    (n,) per frame."""

    ground_y: np.ndarray        # (n, 2) each foot's ground level, image y (px)
    height_frac: np.ndarray     # (n, 2) each foot's lowest point above its own ground, leg lengths
    contact: np.ndarray         # (n, 2) bool, on the ground
    flight: np.ndarray          # (n,) bool, both feet seen and neither on the ground (min_flight_s)
    known: np.ndarray           # (n,) bool, both feet seen
    at_rest: np.ndarray         # (n, 2) bool, the foot's lowest point still over the ground (at any height)
    ground_vx: np.ndarray       # (n,) the ground's horizontal image velocity (a panning camera), px/s
    hip_rel_vx: np.ndarray      # (n,) the hip's horizontal speed over the ground, px/s (NaN without a hip)


def moving_mean(x: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """Centred moving mean over ``window_s`` (NaN-aware; shorter at the ends)."""
    if len(x) < 2:
        return np.asarray(x, dtype=np.float64).copy()
    half = max(0, int(round(0.5 * window_s / float(np.median(np.diff(t))))))
    ok = np.isfinite(x)
    c = np.concatenate(([0.0], np.cumsum(np.where(ok, x, 0.0))))
    m = np.concatenate(([0], np.cumsum(ok)))
    i = np.arange(len(x))
    lo, hi = np.maximum(i - half, 0), np.minimum(i + half + 1, len(x))
    cnt = m[hi] - m[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, (c[hi] - c[lo]) / np.maximum(cnt, 1), np.nan)


def foot_contacts(feet_xy: np.ndarray, t_s: np.ndarray, leg_len_px: float,
                  settings: ContactSettings = ContactSettings(), hip_x: np.ndarray | None = None) -> FootContacts:
    """Each foot's ground level, height above it and contact, and flight, for two feet.

    ``feet_xy`` (n, 2, k, 2): the k points (heel, toe) of the left and right foot, image pixels;
    ``hip_x`` (n,), the hip midpoint's image x, if known (its speed over the ground loosens the
    stillness test for a fast-travelling athlete). Steps (see :class:`ContactSettings`):

    1. each foot's ground level from its own lowest point (:func:`foot_ground_levels`);
    2. the ground's image velocity from the points near their foot's level, and speeds over it;
    3. each foot's level refined to the median level of its lowest point at rest, and the jitter
       of its height at rest, which sizes its landing and release heights;
    4. heights, speeds and contacts again (:func:`contact_mask`); flight: both feet seen and off
       the ground for at least ``min_flight_s``.
    """
    cs = settings
    p = np.asarray(feet_xy, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    n, m, k = p.shape[:3]
    pts = p.reshape(n, m * k, 2)
    y = p[..., 1]
    with np.errstate(all="ignore"):
        low = np.max(np.where(np.isfinite(y), y, -np.inf), axis=2)     # (n, m) each foot's lowest point
    low = np.where(np.isfinite(low), low, np.nan)
    first, floor = _ground_levels(low, t, leg_len_px, cs)
    fm = foot_motion(pts, np.repeat(first, k, axis=1), leg_len_px, t, cs)
    hip = None if hip_x is None else np.asarray(hip_x, dtype=np.float64)
    hip_vx = np.gradient(hip, t) if hip is not None and n > 1 else np.full(n, np.nan)
    travel_lps = moving_mean(np.abs(hip_vx - fm.ground_vx) / leg_len_px, t, cs.ground_velocity_window_s)
    limit = np.fmax(cs.max_speed_lps, cs.travel_speed_frac * np.nan_to_num(travel_lps))
    with np.errstate(invalid="ignore"):
        still = (fm.still_lps < limit[:, None]).reshape(n, m, k)
        # a foot at rest: its lowest point still over the ground, near the first level
        lowest = np.argmax(np.where(np.isfinite(y), y, -np.inf), axis=2)
        low_still = np.take_along_axis(still, lowest[..., None], axis=2)[..., 0]
        rest = low_still & ((first - low) / leg_len_px < cs.rest_band_frac)
    ground = np.fmax(np.stack([ground_line_from_contacts(low[:, j], rest[:, j], t, first[:, j], cs.ground_window_s)
                               for j in range(m)], axis=1), floor)
    g_pts = np.repeat(ground, k, axis=1)
    with np.errstate(invalid="ignore"):
        near = np.repeat(rest, k, axis=1) & (g_pts - pts[..., 1] < cs.max_height_cap_frac * leg_len_px)
    fm = foot_motion(pts, g_pts, leg_len_px, t, cs, on_ground=near)
    hip_rel_vx = hip_vx - fm.ground_vx
    with np.errstate(invalid="ignore"):
        height = (ground - low) / leg_len_px
    contact = np.zeros((n, m), dtype=bool)
    step = min(1.0, cs.ground_window_s / 4)
    for j in range(m):
        sl = slice(j * k, (j + 1) * k)
        # the jitter of the foot's height while it rests on the ground: the robust standard deviation
        # about its local level (so that resting on two levels, a foot held still in the air and
        # on the ground, does not count as jitter)
        at_rest = np.where(rest[:, j], height[:, j], np.nan)
        dev = np.abs(at_rest - rolling_percentile(at_rest, t, cs.jitter_window_s, 50.0))
        sigma = 1.4826 * rolling_percentile(dev, t, cs.ground_long_window_s, 50.0, step_s=step)
        sigma = np.where(np.isfinite(sigma), sigma, 0.0)
        land = np.clip(cs.noise_landing_k * sigma, cs.max_height_frac, cs.max_height_cap_frac)
        keep = land + cs.noise_release_k * sigma
        contact[:, j] = contact_mask(fm.height_frac[:, sl], fm.still_lps[:, sl], t, cs, travel_lps=travel_lps,
                                     landing_frac=land, release_frac=keep)
    known = np.isfinite(low).all(axis=1)
    at_rest = np.take_along_axis((fm.still_lps < limit[:, None]).reshape(n, m, k), lowest[..., None], axis=2)[..., 0]
    at_rest &= np.isfinite(low)
    flight = np.zeros(n, dtype=bool)
    if m == 2:
        contact, ground, height = _held_up(contact, ground, height, low, at_rest, known, t, leg_len_px, cs)
        flight = flight_mask(contact[:, 0], contact[:, 1], known, t_s=t, min_s=cs.min_flight_s)
    return FootContacts(ground, height, contact, flight, known, at_rest, fm.ground_vx, hip_rel_vx)


def _held_up(contact: np.ndarray, ground: np.ndarray, height: np.ndarray, low: np.ndarray, at_rest: np.ndarray,
             known: np.ndarray, t: np.ndarray, leg_len_px: float,
             cs: ContactSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where neither foot was found on the ground but a foot stays still for ``min_support_s``
    (nothing stays still in the air), that foot holds the athlete up, the lower of the two when
    both do: it is in contact, and its ground is where it stands (a foot set down on another spot
    of the floor reads higher or lower than where it stood before, in a camera looking down)."""
    none = ~contact.any(axis=1) & known
    pick = at_rest & none[:, None]
    both = pick.all(axis=1)
    left_lower = height[:, 0] <= height[:, 1]
    pick[both, 0] = left_lower[both]
    pick[both, 1] = ~left_lower[both]
    if not pick.any():
        return contact, ground, height
    contact, ground, height = contact.copy(), ground.copy(), height.copy()
    dt = _typical_dt(t)
    for j in range(contact.shape[1]):
        rest_start, rest_stop = runs(at_rest[:, j])
        for s, e in zip(*runs(pick[:, j])):
            if t[e - 1] - t[s] + dt < cs.min_support_s - 1e-9:
                continue
            # the foot stands there from when it came to rest on that spot until it moves again
            level = float(np.median(low[s:e, j]))
            r = int(np.searchsorted(rest_start, s, side="right")) - 1
            there = np.abs(low[:, j] - level) <= cs.max_height_cap_frac * leg_len_px
            a, b = s, e
            while a > rest_start[r] and there[a - 1]:
                a -= 1
            while b < rest_stop[r] and there[b]:
                b += 1
            contact[a:b, j] = True
            ground[a:b, j] = level
            height[a:b, j] = (level - low[a:b, j]) / leg_len_px
    return contact, ground, height


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


def flight_mask(left_contact: np.ndarray, right_contact: np.ndarray, known: np.ndarray | None = None,
                t_s: np.ndarray | None = None, min_s: float = 0.0) -> np.ndarray:
    """Frames with both feet off the ground (only where both feet were seen, if ``known`` is given).

    With ``t_s`` and ``min_s``, a stretch off the ground shorter than ``min_s`` (a foot handed
    over to the other with a frame or two missed) is not flight.
    """
    m = ~np.asarray(left_contact, dtype=bool) & ~np.asarray(right_contact, dtype=bool)
    m = m if known is None else m & np.asarray(known, dtype=bool)
    if t_s is not None and min_s > 0 and len(m) >= 3:
        t = np.asarray(t_s, dtype=np.float64)
        for s, e in zip(*runs(m)):
            span = (t[e - 1] - t[s]) + _typical_dt(t)
            if span < min_s - 1e-9:
                m[s:e] = False
    return m


# ---------------------------------------------------------------------------- holds
@dataclass(frozen=True)
class HoldSettings:
    """A single-leg hold: one foot on the ground, the other clearly off it, for at least
    ``min_hold_s``; breaks (the free foot touching down) shorter than ``max_break_s`` do not end
    it. Clearly off (:func:`clear_of_ground`): not in contact and higher than
    ``min_free_height_frac`` leg lengths above its own ground level, or its thigh raised more than
    ``min_free_thigh_deg`` above the other thigh (the foot is then off the ground wherever the
    ground is). A change of the standing foot to one within ``same_spot_frac`` leg lengths of
    the old one is the pose model swapping the legs' labels (see :func:`holds`)."""

    min_hold_s: float = 1.0
    max_break_s: float = 0.2
    min_free_height_frac: float = 0.07
    min_free_thigh_deg: float = 45.0
    same_spot_frac: float = 0.15


def clear_of_ground(height_frac: np.ndarray, contact: np.ndarray, thigh_elevation_deg: np.ndarray | None = None,
                    other_thigh_elevation_deg: np.ndarray | None = None,
                    settings: HoldSettings = HoldSettings()) -> np.ndarray:
    """Whether a foot is clearly off the ground in each frame, (n,) bool (see :class:`HoldSettings`).

    ``height_frac``: the foot's lowest point above its own ground level (leg lengths); ``contact``:
    whether it was found on the ground; ``thigh_elevation_deg``: its thigh's angle from the
    vertical, if known, and ``other_thigh_elevation_deg`` the other thigh's: the thigh counts as
    raised by how much more it is raised than the other one (a camera looking down on the athlete
    shows both thighs foreshortened, as if raised). NaN counts as not clear.
    """
    h = np.asarray(height_frac, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        clear = ~np.asarray(contact, dtype=bool) & (h > settings.min_free_height_frac)
        if thigh_elevation_deg is not None:
            raised = np.asarray(thigh_elevation_deg, dtype=np.float64)
            if other_thigh_elevation_deg is not None:
                raised = raised - np.fmax(np.asarray(other_thigh_elevation_deg, dtype=np.float64), 0.0)
            clear |= raised > settings.min_free_thigh_deg
    return clear


def holds(left_contact: np.ndarray, right_contact: np.ndarray, t_s: np.ndarray,
          settings: HoldSettings = HoldSettings(), *,
          clear: tuple[np.ndarray, np.ndarray] | None = None,
          feet_xy: np.ndarray | None = None, leg_len_px: float | None = None) -> list[tuple[str, int, int]]:
    """Single-leg holds as ``(stance side, start frame, stop frame exclusive)``, in time order.

    Single support: one foot in contact while the other is not or, when ``clear`` (left, right
    masks from :func:`clear_of_ground`) is given, one foot clearly off the ground while the
    other is not (the athlete stands on it); breaks shorter than ``max_break_s`` are bridged.
    The pose model may swap the legs' labels for a while in the middle of a hold: the standing
    foot then stays where it stood, under the other label. With ``feet_xy`` (n, 2, 2), each
    foot's image position (left, right), and ``leg_len_px``, a change of the standing side is
    such a swap when the new standing foot is within ``same_spot_frac`` leg lengths of where the
    old one stood, and a new hold otherwise; without them, a side that stands for less than
    ``min_hold_s`` in the middle of a hold is taken for a swap. Each hold keeps the side that
    stands longest in it.
    """
    t = np.asarray(t_s, dtype=np.float64)
    lc = np.asarray(left_contact, dtype=bool)
    rc = np.asarray(right_contact, dtype=bool)
    if clear is None:
        left_up, right_up = lc & ~rc, rc & ~lc
    else:
        # one foot clearly off the ground, the other not: someone stands on it (in contact, or too
        # close to the ground, or too unsteady in the pose model's view, to say it left)
        lclear, rclear = np.asarray(clear[0], dtype=bool), np.asarray(clear[1], dtype=bool)
        left_up, right_up = ~lclear & rclear, ~rclear & lclear
    single = _drop_short(left_up | right_up, t, settings.max_break_s, value=False)
    side = np.where(left_up, 0, np.where(right_up, 1, -1))
    xy = None if feet_xy is None or leg_len_px is None else np.asarray(feet_xy, dtype=np.float64)
    spot_px = settings.same_spot_frac * (leg_len_px or 0.0)
    dt = _typical_dt(t)
    out: list[tuple[str, int, int]] = []
    for s, e in zip(*runs(single)):
        for a, b in _stance_changes(side, s, e, t, xy, spot_px, settings.min_hold_s):
            if t[b - 1] - t[a] + dt >= settings.min_hold_s:
                k = np.bincount(side[a:b][side[a:b] >= 0], minlength=2)
                out.append(("left" if k[0] >= k[1] else "right", a, b))
    out.sort(key=lambda h: h[1])
    return out


def _stance_changes(side: np.ndarray, s: int, e: int, t: np.ndarray, xy: np.ndarray | None, spot_px: float,
                    min_hold_s: float) -> list[tuple[int, int]]:
    """Split frames ``s:e`` of single support (``side`` 0 left, 1 right, -1 a bridged break) where
    the standing foot really changes (see :func:`holds`); label swaps do not split."""
    idx = s + np.flatnonzero(side[s:e] >= 0)
    if idx.size == 0:
        return []
    lab = side[idx]
    change = np.flatnonzero(np.diff(lab) != 0) + 1          # positions in idx where the side flips
    if change.size == 0:
        return [(s, e)]
    cuts: list[int] = []
    if xy is not None:
        for c in change:
            f0, f1 = int(idx[c - 1]), int(idx[c])
            old = xy[f0, lab[c - 1]]
            new = xy[f1, lab[c]]
            gap = float(np.hypot(*(new - old)))
            if not (np.isfinite(gap) and gap <= spot_px):
                cuts.append(f1)
    else:
        # side stretches of at least min_hold_s are holds of their own; shorter ones are swaps
        starts = np.concatenate(([0], change))
        stops = np.concatenate((change, [lab.size]))
        long = [(int(idx[a]), int(lab[a])) for a, b in zip(starts, stops)
                if t[idx[b - 1]] - t[idx[a]] + _typical_dt(t) >= min_hold_s]
        for (f_prev, k_prev), (f_next, k_next) in zip(long[:-1], long[1:]):
            if k_next != k_prev:
                cuts.append(f_next)
    bounds = [s] + cuts + [e]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _typical_dt(t: np.ndarray) -> float:
    return float(np.median(np.diff(t))) if len(t) > 1 else 0.0


# ---------------------------------------------------------------------------- steps
def step_onsets(left_contact: np.ndarray, right_contact: np.ndarray, t_s: np.ndarray,
                foot_x: np.ndarray | None = None, leg_len_px: float | None = None, handover_s: float = 0.15,
                same_spot_frac: float = 0.15) -> tuple[np.ndarray, list[str]]:
    """Foot landings of both feet in time order: ``(frames, sides)``.

    A landing is the first frame of a contact (not the clip's first frame). When the pose model
    swaps the legs' labels while a foot stays down, that foot's contact ends under one label and
    starts again under the other: a contact that starts within ``handover_s`` after the other
    label's contact ended, at the spot where that foot stood (``foot_x`` (n, 2): each foot's
    image x over the ground, a panning camera taken out; within ``same_spot_frac`` leg lengths),
    is that, not a new step, and is dropped. Without ``foot_x`` only a contact that starts on the
    very frame the other one ends counts as a swap. Counting both feet's landings together then
    makes the steps immune to which label each landing got.
    """
    t = np.asarray(t_s, dtype=np.float64)
    n = len(t)
    masks = {"left": np.asarray(left_contact, dtype=bool), "right": np.asarray(right_contact, dtype=bool)}
    spans = {s: runs(m) for s, m in masks.items()}
    xs = None if foot_x is None else {"left": np.asarray(foot_x, dtype=np.float64)[:, 0],
                                      "right": np.asarray(foot_x, dtype=np.float64)[:, 1]}
    frames, sides = [], []
    for s, o in (("left", "right"), ("right", "left")):
        ends = spans[o][1]
        for f in spans[s][0]:
            if f == 0:
                continue
            before = ends[(ends <= f) & (ends > 0)]
            if before.size:
                e = int(before[-1])                    # the other label's contact ended at e - 1
                if xs is None or leg_len_px is None:
                    swap = e == f
                else:
                    dist = abs(xs[s][f] - xs[o][e - 1]) / leg_len_px
                    swap = t[f] - t[e - 1] <= handover_s + 1e-9 and bool(dist <= same_spot_frac)
                if swap:
                    continue
            frames.append(int(f))
            sides.append(s)
    order = np.argsort(frames, kind="stable")
    return np.asarray(frames, dtype=np.intp)[order], [sides[i] for i in order]


def dominant_period_s(signal: np.ndarray, t_s: np.ndarray, min_s: float, max_s: float,
                      min_corr: float = 0.3) -> float:
    """The period of a signal's strongest repetition between ``min_s`` and ``max_s``: the lag of
    the highest peak of its autocorrelation there (interpolated between frames), or NaN when that
    peak is below ``min_corr`` (no clear rhythm) or the signal is too short or flat. The signal
    is resampled to its typical frame interval and detrended (NaN bridged)."""
    x = np.asarray(signal, dtype=np.float64)
    t = np.asarray(t_s, dtype=np.float64)
    ok = np.isfinite(x)
    if ok.sum() < 8 or len(t) < 8:
        return float("nan")
    dt = _typical_dt(t)
    grid = np.arange(t[ok][0], t[ok][-1] + 0.5 * dt, dt)
    y = np.interp(grid, t[ok], x[ok])
    if len(y) < 8:
        return float("nan")
    y = y - np.polyval(np.polyfit(np.arange(len(y)), y, 1), np.arange(len(y)))
    y = y - y.mean()
    power = float(np.dot(y, y))
    if power <= 0:
        return float("nan")
    size = 1 << int(np.ceil(np.log2(2 * len(y))))
    spec = np.fft.rfft(y, size)
    ac = np.fft.irfft(spec * np.conj(spec), size)[:len(y)]
    # unbiased: each lag's sum over the overlapping part only
    ac = ac / (power * (len(y) - np.arange(len(y))) / len(y))
    lo = max(1, int(np.floor(min_s / dt)))
    hi = min(len(y) - 2, int(np.ceil(max_s / dt)))
    if hi - lo < 2:
        return float("nan")
    seg = ac[lo - 1:hi + 2]
    peaks, _ = find_peaks(seg)
    peaks = peaks[(peaks >= 1) & (peaks <= len(seg) - 2)]
    if peaks.size == 0:
        return float("nan")
    p = int(peaks[np.argmax(seg[peaks])])
    if seg[p] < min_corr:
        return float("nan")
    y0, y1, y2 = seg[p - 1], seg[p], seg[p + 1]
    den = y0 - 2 * y1 + y2
    d = 0.5 * (y0 - y2) / den if den < 0 else 0.0
    return float((lo - 1 + p + np.clip(d, -0.5, 0.5)) * dt)


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
