"""Cleaning a :class:`~formcheck.sequence.PoseSequence`: named, staged steps.

Each step takes a sequence and returns a new one; none of them changes ``visibility``,
``t_s``, ``detected`` (what the pose model saw), the frame size or ``meta`` (only
:func:`clean` adds ``meta["cleaning"]``). Every step works on all coordinates alike: the
pixel track ``xy`` (n, 33, 2), the depth ``z`` (n, 33) and the metric ``world`` (n, 33, 3),
treated as 198 independent channels over time.

1. :func:`mask_low_visibility` -- landmarks the model was unsure of become NaN.
2. :func:`fill_gaps`           -- short gaps are bridged by interpolation in time.
3. :func:`lowpass`             -- zero-phase Butterworth smoothing of each finite run (offline), or
   :func:`one_euro`            -- the causal 1-euro filter (live use), applied frame by frame.

:func:`clean` runs the three in order with :class:`CleanSettings` and records what it did.
All steps are vectorised over landmarks and coordinates; timestamps may be uneven (variable
frame rate), and every step uses each frame's own ``t_s``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import butter, sosfilt, sosfilt_zi, sosfiltfilt

from formcheck.errors import FormcheckError
from formcheck.landmarks import N_LANDMARKS
from formcheck.sequence import PoseSequence

__all__ = [
    "CleanSettings",
    "OneEuroFilter",
    "clean",
    "effective_cutoff_hz",
    "fill_gaps",
    "lowpass",
    "mask_low_visibility",
    "one_euro",
]

#: Highest cut-off as a fraction of the frame rate (Nyquist is 0.5).
MAX_CUTOFF_FRAC_OF_FPS = 0.45
#: Butterworth order :func:`clean` uses (zero-phase, so effectively twice this).
CLEAN_LOWPASS_ORDER = 2
#: Frame intervals within this fraction of the median count as an even frame rate.
EVEN_RATE_TOL_FRAC = 0.01
#: Slack when comparing a gap's length with ``max_gap_s`` (timestamps are rounded to ms or finer).
_GAP_SLACK_S = 1e-9

_XY_END = N_LANDMARKS * 2
_Z_END = _XY_END + N_LANDMARKS


# ---------------------------------------------------------------------------- channels
def _channels(seq: PoseSequence) -> np.ndarray:
    """All coordinates as one C-contiguous (198, n) array, one row per channel over time:
    x, y of each landmark, then z of each, then world x, y, z of each."""
    n = len(seq)
    return np.concatenate([seq.xy.reshape(n, -1).T, seq.z.T, seq.world.reshape(n, -1).T], axis=0)


def _with_channels(seq: PoseSequence, ch: np.ndarray) -> PoseSequence:
    n = len(seq)
    return seq.replace(
        xy=ch[:_XY_END].T.reshape(n, N_LANDMARKS, 2),
        z=ch[_XY_END:_Z_END].T,
        world=ch[_Z_END:].T.reshape(n, N_LANDMARKS, 3),
    )


def _check_number(name: str, value: float, *, low: float, low_open: bool, high: float = math.inf,
                  hint: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise FormcheckError(f"{name} must be a number, got {value!r}; {hint}") from None
    below = v <= low if low_open else v < low
    if not math.isfinite(v) or below or v > high:
        raise FormcheckError(f"{name} must be {'above' if low_open else 'at least'} {low:g}"
                             f"{'' if high == math.inf else f' and at most {high:g}'}, got {value!r}; {hint}")
    return v


# ---------------------------------------------------------------------------- 1. mask
def mask_low_visibility(seq: PoseSequence, min_visibility: float = 0.5) -> PoseSequence:
    """Set ``xy``, ``z`` and ``world`` to NaN wherever ``visibility < min_visibility``.

    ``visibility`` itself is kept as it was (so later steps and reports can still see how sure
    the model was); a NaN visibility counts as too low. ``min_visibility`` is in [0, 1].
    """
    thr = _check_number("min_visibility", min_visibility, low=0.0, low_open=False, high=1.0,
                        hint="use a value between 0 and 1, e.g. 0.5")
    low = ~(seq.visibility >= thr)  # (n, 33); NaN visibility is low
    if not low.any():
        return seq
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    xy[low] = np.nan
    z[low] = np.nan
    world[low] = np.nan
    return seq.replace(xy=xy, z=z, world=world)


# ---------------------------------------------------------------------------- 2. fill gaps
def fill_gaps(seq: PoseSequence, max_gap_s: float = 0.25) -> PoseSequence:
    """Bridge short NaN gaps by linear interpolation in time, per landmark and coordinate.

    A gap's length is the time between the last frame before it where the value is known and
    the first frame after it, ``t_s[after] - t_s[before]`` (the stretch the interpolation has
    to bridge; at an even frame rate a gap of ``k`` missing frames is ``(k + 1) / fps`` long).
    Gaps up to ``max_gap_s`` are filled using the true timestamps, so a track that is linear in
    time is recovered exactly even at a variable frame rate. Longer gaps, and gaps at the
    start or end of the clip (nothing to interpolate towards), stay NaN.
    """
    max_gap = _check_number("max_gap_s", max_gap_s, low=0.0, low_open=False,
                            hint="use a non-negative number of seconds, e.g. 0.25")
    n = len(seq)
    ch = _channels(seq)
    known = np.isfinite(ch)
    partial = np.flatnonzero(known.any(axis=1) & ~known.all(axis=1))
    if n < 3 or partial.size == 0:
        return seq
    row, start, stop = _runs(~known[partial])
    inner = (start > 0) & (stop < n)  # a known value on both sides
    row, start, stop = partial[row[inner]], start[inner], stop[inner]
    t = seq.t_s
    ok = t[stop] - t[start - 1] <= max_gap + _GAP_SLACK_S
    row, start, stop = row[ok], start[ok], stop[ok]
    if row.size == 0:
        return seq
    # one entry per missing value to fill; flat indices into the (198, n) channels
    length = stop - start
    frame = np.repeat(start, length) + _ragged_arange(length)[0]
    base = np.repeat(row * n, length)
    b, a = np.repeat(start - 1, length), np.repeat(stop, length)
    flat = ch.reshape(-1)
    v0, v1 = flat[base + b], flat[base + a]
    out = ch.copy()
    out.reshape(-1)[base + frame] = v0 + (v1 - v0) * ((t[frame] - t[b]) / (t[a] - t[b]))
    return _with_channels(seq, out)


# ---------------------------------------------------------------------------- 3a. lowpass
def _butter_sos(order: int, cutoff_hz: float, fs_hz: float) -> tuple[np.ndarray, int]:
    """Second-order sections and the padding ``sosfiltfilt`` uses for them (its default)."""
    sos = butter(order, min(cutoff_hz, MAX_CUTOFF_FRAC_OF_FPS * fs_hz), btype="low", fs=fs_hz, output="sos")
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return sos, 3 * ntaps


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along each row of a (k, n) mask: (row, start, stop) arrays, stop exclusive,
    ordered by row, then time."""
    k, n = mask.shape
    padded = np.zeros((k, n + 2), dtype=np.int8)  # a False column on either side of each row
    padded[:, 1:-1] = mask
    flat = padded.reshape(-1)
    step = flat[1:] - flat[:-1]
    pos = np.flatnonzero(step)
    rising = step[pos] == 1  # a run starts; the next change (in the same row) ends it
    row, col = np.divmod(pos, n + 2)
    return row[rising], col[rising], col[~rising]


#: Elements per batch when many runs are filtered together (bounds the temporary arrays).
_BATCH_ELEMENTS = 1 << 20
#: At an uneven frame rate, channels sharing one run are resampled as a 2-D block when they hold
#: at least this many values (fewer, larger calls); smaller runs are done together, element-wise.
_BLOCK_ELEMENTS = 2_000
#: Runs whose lengths differ by less than this factor share a batch (bounds the padding waste).
_LENGTH_CLASS_RATIO = 1.25


def _row_windows(a: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Copies of ``a[s:s + width]`` for each start ``s`` (``a`` long enough), as a (k, width) array."""
    return sliding_window_view(a, width)[starts]


def _filtfilt_runs(sos: np.ndarray, padlen: int, flat: np.ndarray, offsets: np.ndarray,
                   lengths: np.ndarray, out: np.ndarray) -> None:
    """``out[o:o + n] = sosfiltfilt(sos, flat[o:o + n], padlen=padlen)`` for every run (o, n).

    Runs of different lengths are filtered together in a few batched calls: each run, odd-extended
    by ``padlen`` at both ends as ``sosfiltfilt`` does, is a row of a batch as wide as the longest
    run of its length class; the forward pass starts at each row's first value and the backward
    pass at each row's own end, so the result equals ``sosfiltfilt`` run by run. The runs must not
    overlap, and every length must exceed ``padlen``.
    """
    if offsets.size == 0:
        return
    p = padlen
    zi = sosfilt_zi(sos)[:, None, :]  # (sections, 1, 2)
    length_class = np.floor(np.log(lengths) / math.log(_LENGTH_CLASS_RATIO)).astype(np.int64)
    src = np.concatenate([flat, np.zeros(int(lengths.max()) + 2 * p)])  # windows never run off the end
    back_pad = np.arange(p)
    for cls in np.unique(length_class):
        in_class = np.flatnonzero(length_class == cls)
        width = int(lengths[in_class].max()) + 2 * p
        per_batch = max(1, _BATCH_ELEMENTS // width)
        for b0 in range(0, in_class.size, per_batch):
            sel = in_class[b0:b0 + per_batch]
            off, n_run, k = offsets[sel], lengths[sel], sel.size
            if np.all(n_run == n_run[0]):
                idx = off[:, None] + np.arange(n_run[0])
                out[idx] = sosfiltfilt(sos, src[idx], axis=1, padlen=p)
                continue
            rows = np.arange(k)
            # odd extension: 2 x[0] - x[p..1] | x[0..n-1] | 2 x[n-1] - x[n-2..n-1-p] | (unused)
            ext = np.empty((k, width))
            ext[:, p:] = _row_windows(src, off, width - p)
            first, last = src[off][:, None], src[off + n_run - 1][:, None]
            ext[:, :p] = 2 * first - src[off[:, None] + p - back_pad]
            right = 2 * last - src[(off + n_run - 2)[:, None] - back_pad]
            ext[rows[:, None], (n_run + p)[:, None] + back_pad] = right
            fwd, _ = sosfilt(sos, ext, axis=1, zi=zi * ext[None, :, :1])
            # each row reversed within its own span of n + 2p values
            rev = np.zeros((k + 1, width))
            rev[:k] = fwd[:, ::-1]
            back = _row_windows(rev.reshape(-1), rows * width + width - (n_run + 2 * p), width)
            bwd, _ = sosfilt(sos, back, axis=1, zi=zi * back[None, :, :1])
            rev[:k] = bwd[:, ::-1]
            res = _row_windows(rev.reshape(-1), rows * width + width - n_run - p, width - 2 * p)
            before = np.cumsum(n_run) - n_run
            step = np.arange(int(n_run.sum()))
            picked = res.reshape(-1)[np.repeat(rows * (width - 2 * p) - before, n_run) + step]
            out[np.repeat(off - before, n_run) + step] = picked


def effective_cutoff_hz(seq: PoseSequence, cutoff_hz: float) -> float:
    """The cut-off :func:`lowpass` actually applies: ``cutoff_hz``, at most 0.45 x the frame rate."""
    return min(float(cutoff_hz), MAX_CUTOFF_FRAC_OF_FPS * seq.fps) if len(seq) > 1 else float(cutoff_hz)


def lowpass(seq: PoseSequence, cutoff_hz: float = 8.0, order: int = 2) -> PoseSequence:
    """Zero-phase Butterworth low-pass (``scipy.signal.sosfiltfilt``) of each finite run.

    Every landmark coordinate (``xy``, ``z`` and ``world``) is filtered forwards and backwards,
    so nothing is delayed; the effective order is ``2 * order``, and the amplitude at
    ``cutoff_hz`` is halved (-6 dB). The cut-off must stay below the Nyquist frequency: it is
    clamped to 0.45 x the frame rate (see :func:`effective_cutoff_hz`).

    NaN stays NaN: each run of finite values is filtered on its own, and runs too short for
    the filter's edge padding (scipy's default, ``3 * (order + 1)`` frames or fewer: 9 for
    order 2) are left as they are. At an uneven frame rate (a frame interval differing from the median by
    more than 1 %), each run is resampled linearly onto an even grid at the median frame rate
    (from the run's first timestamp to one step at or past its last), filtered there, and
    interpolated back to the frames' own timestamps.
    """
    cutoff = _check_number("cutoff_hz", cutoff_hz, low=0.0, low_open=True,
                           hint="use a positive frequency in Hz, e.g. 8")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= 8:
        raise FormcheckError(f"order must be a whole number from 1 to 8, got {order!r}; use e.g. 2")
    n = len(seq)
    if n < 2:
        return seq
    ch = _channels(seq)
    known = np.isfinite(ch)
    t = seq.t_s
    dt = np.diff(t)
    dt_med = float(np.median(dt))
    sos, padlen = _butter_sos(order, cutoff, 1.0 / dt_med)
    out = ch.copy()
    if np.all(np.abs(dt - dt_med) <= EVEN_RATE_TOL_FRAC * dt_med):
        _lowpass_even(ch, known, sos, padlen, out)
    else:
        _lowpass_uneven(ch, known, t, dt_med, sos, padlen, out)
    return _with_channels(seq, out)


def _lowpass_even(ch: np.ndarray, known: np.ndarray, sos: np.ndarray, padlen: int, out: np.ndarray) -> None:
    """Filter each finite run of each row of ``ch`` (198, n) into ``out`` (even frame rate)."""
    n = ch.shape[1]
    full = np.flatnonzero(known.all(axis=1))
    partial = np.flatnonzero(known.any(axis=1) & ~known.all(axis=1))
    if full.size and n > padlen:
        out[full] = sosfiltfilt(sos, ch[full], axis=1, padlen=padlen)
    if partial.size:
        row, start, stop = _runs(known[partial])
        keep = stop - start > padlen
        row, start, stop = partial[row[keep]], start[keep], stop[keep]
        _filtfilt_runs(sos, padlen, ch.reshape(-1), row * n + start, stop - start, out.reshape(-1))


def _lowpass_uneven(ch: np.ndarray, known: np.ndarray, t: np.ndarray, dt_med: float, sos: np.ndarray,
                    padlen: int, out: np.ndarray) -> None:
    """Filter each finite run of each row of ``ch`` (198, n) into ``out`` at an uneven frame rate.

    Each run is resampled linearly onto an even grid of step ``dt_med`` (from the run's first
    timestamp to one step at or past its last; the last grid point may extrapolate the last
    frame interval by less than one step), filtered there and interpolated back to the frames'
    own timestamps. Channels with the same run (start, stop) share one grid: large shared runs
    are done as 2-D blocks, all the others together in flat batches.
    """
    n = ch.shape[1]
    row, start, stop = _runs(known)
    keep = stop - start > padlen
    row, start, stop = row[keep], start[keep], stop[keep]
    m = np.ceil((t[stop - 1] - t[start]) / dt_med - 1e-9).astype(np.int64) + 1  # grid points per run
    keep = m > padlen
    row, start, stop, m = row[keep], start[keep], stop[keep], m[keep]
    key = start.astype(np.int64) * (n + 1) + stop
    uniq, first, group, count = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    big = count * m[first] >= _BLOCK_ELEMENTS
    for g in np.flatnonzero(big):
        s0, s1 = int(start[first[g]]), int(stop[first[g]])
        rows = row[group == g]
        t_run = t[s0:s1]
        grid = t_run[0] + dt_med * np.arange(int(m[first[g]]))
        smooth = sosfiltfilt(sos, _lerp_block(ch[rows, s0:s1], t_run, grid), axis=1, padlen=padlen)
        out[rows, s0:s1] = _lerp_block(smooth, grid, t_run)
    rest = ~big[group]
    if rest.any():
        _lowpass_uneven_flat(ch, t, dt_med, sos, padlen, row[rest], start[rest], stop[rest], m[rest], out)


def _lerp_block(y: np.ndarray, t_from: np.ndarray, t_to: np.ndarray) -> np.ndarray:
    """Linear interpolation of each row of ``y`` (k, len(t_from)) at the (sorted) times ``t_to``;
    outside ``t_from`` the end intervals are extended."""
    j = np.clip(np.searchsorted(t_from, t_to, side="right") - 1, 0, len(t_from) - 2)
    lo, hi = np.take(y, j, axis=1), np.take(y, j + 1, axis=1)
    return lo + (hi - lo) * ((t_to - t_from[j]) / (t_from[j + 1] - t_from[j]))


def _lowpass_uneven_flat(ch: np.ndarray, t: np.ndarray, dt_med: float, sos: np.ndarray, padlen: int,
                         row: np.ndarray, start: np.ndarray, stop: np.ndarray, m: np.ndarray,
                         out: np.ndarray) -> None:
    """The uneven-rate low-pass for many small runs at once (runs: row, start, stop, grid size m)."""
    n = ch.shape[1]
    _, first, group = np.unique(start.astype(np.int64) * (n + 1) + stop, return_index=True, return_inverse=True)
    g_start, g_stop, g_m = start[first], stop[first], m[first]
    n_groups = first.size
    # grid -> frames: for each grid time, the frame interval [j, j + 1] around it and the weight
    g_pos, g_first = _ragged_arange(g_m)
    g_of = np.repeat(np.arange(n_groups), g_m)
    tau = t[g_start][g_of] + dt_med * g_pos
    j = np.clip(np.searchsorted(t, tau, side="right") - 1, g_start[g_of], g_stop[g_of] - 2)
    w = (tau - t[j]) / (t[j + 1] - t[j])
    # frames -> grid: for each frame of the run, the grid interval [q, q + 1] around it and the weight
    g_len = g_stop - g_start
    f_pos, f_first = _ragged_arange(g_len)
    f_of = np.repeat(np.arange(n_groups), g_len)
    frame = g_start[f_of] + f_pos
    q_real = (t[frame] - t[g_start][f_of]) / dt_med
    q = np.clip(np.floor(q_real).astype(np.int64), 0, g_m[f_of] - 2)
    wq = q_real - q
    # every channel's run, resampled into one buffer, filtered, and interpolated back
    pos, r_first = _ragged_arange(m)
    e = np.repeat(g_first[group], m) + pos
    src = np.repeat(row * n, m) + j[e]
    flat_in = ch.reshape(-1)
    buffer = flat_in[src] + (flat_in[src + 1] - flat_in[src]) * w[e]
    smooth = np.empty_like(buffer)
    _filtfilt_runs(sos, padlen, buffer, r_first, m, smooth)
    length = stop - start
    pos, _ = _ragged_arange(length)
    e = np.repeat(f_first[group], length) + pos
    at = np.repeat(r_first, length) + q[e]
    out.reshape(-1)[np.repeat(row * n, length) + frame[e]] = smooth[at] + (smooth[at + 1] - smooth[at]) * wq[e]


def _ragged_arange(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``concatenate([arange(c) for c in counts])`` and where each piece starts."""
    first = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(first, counts), first


# ---------------------------------------------------------------------------- 3b. one euro
def _smoothing_factor(dt_s: float, cutoff_hz: np.ndarray | float) -> np.ndarray | float:
    """Weight of the new sample in an exponential smoother with the given cut-off."""
    r = 2.0 * math.pi * cutoff_hz * dt_s
    return r / (r + 1.0)


class OneEuroFilter:
    """Causal adaptive low-pass filter for live use (Casiez, Roussel & Vogel, CHI 2012).

    A first-order low-pass whose cut-off rises with speed: ``cutoff = min_cutoff_hz + beta *
    |speed|``, so a still landmark is held steady and a fast one follows with little lag. The
    speed is the difference of successive raw samples over their time step, smoothed with a
    cut-off of ``d_cutoff_hz`` (as in the authors' reference implementation). ``beta`` is in
    1 / (units of the signal), so it depends on the signal's scale (pixels vs metres).

    Vectorised: ``x`` may be any array shape, every element is filtered on its own, with the
    shared timestamp. A NaN element is passed through as NaN and resets that element; its next
    finite value is taken as it is and the filter starts again from there. Timestamps must
    increase from call to call.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.05, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = _check_number("min_cutoff_hz", min_cutoff_hz, low=0.0, low_open=True,
                                           hint="use a positive frequency in Hz, e.g. 1.5")
        self.beta = _check_number("beta", beta, low=0.0, low_open=False,
                                  hint="use a non-negative number, e.g. 0.05")
        self.d_cutoff_hz = _check_number("d_cutoff_hz", d_cutoff_hz, low=0.0, low_open=True,
                                         hint="use a positive frequency in Hz, e.g. 1.0")
        self.reset()

    def reset(self) -> None:
        """Forget all history: the next call returns its input unchanged."""
        self._t_prev: float | None = None
        self._x_raw: np.ndarray | None = None  # previous raw sample (NaN where not started)
        self._x_hat: np.ndarray | None = None  # previous output
        self._dx_hat: np.ndarray | None = None  # smoothed speed

    def __call__(self, t_s: float, x: np.ndarray) -> np.ndarray:
        """Filter one sample ``x`` taken at ``t_s`` seconds; returns an array of the same shape."""
        x = np.array(x, dtype=np.float64)  # a copy: the caller's array is never kept
        t = float(t_s)
        if not math.isfinite(t):
            raise FormcheckError(f"timestamp must be a finite number of seconds, got {t_s!r}")
        if self._t_prev is None:
            self._start(t, x)
            return x.copy()
        if x.shape != self._x_raw.shape:
            raise ValueError(f"OneEuroFilter got shape {x.shape} after {self._x_raw.shape}; "
                             "call reset() before changing the shape")
        dt = t - self._t_prev
        if not dt > 0:
            raise FormcheckError(f"timestamps must increase: got {t:.6f} s after {self._t_prev:.6f} s; "
                                 "pass each frame's own timestamp")
        # Elements that are new (previous NaN) start from their raw value; NaN elements stay NaN.
        dx = (x - self._x_raw) / dt
        dx_hat = self._dx_hat + _smoothing_factor(dt, self.d_cutoff_hz) * (dx - self._dx_hat)
        a = _smoothing_factor(dt, self.min_cutoff_hz + self.beta * np.abs(dx_hat))
        x_hat = self._x_hat + a * (x - self._x_hat)
        fresh = np.isnan(self._x_raw) & ~np.isnan(x)
        if fresh.any():
            x_hat[fresh] = x[fresh]
            dx_hat[fresh] = 0.0
        self._t_prev, self._x_raw, self._x_hat, self._dx_hat = t, x, x_hat, dx_hat
        return x_hat.copy()

    def _start(self, t: float, x: np.ndarray) -> None:
        self._t_prev = t
        self._x_raw = x
        self._x_hat = x.copy()
        self._dx_hat = np.where(np.isnan(x), np.nan, 0.0)


def one_euro(seq: PoseSequence, **settings: Any) -> PoseSequence:
    """Apply :class:`OneEuroFilter` offline, frame by frame in time order (same result as live).

    ``settings`` are the filter's (``min_cutoff_hz``, ``beta``, ``d_cutoff_hz``); the same
    settings apply to ``xy`` (pixels), ``z`` and ``world`` (metres). NaN stays NaN and restarts
    the filter for that coordinate.
    """
    filt = OneEuroFilter(**settings)
    ch = np.ascontiguousarray(_channels(seq).T)  # (n, 198): one frame per row
    out = np.empty_like(ch)
    for i, t in enumerate(seq.t_s):
        out[i] = filt(t, ch[i])
    out = out.T
    return _with_channels(seq, out)


# ---------------------------------------------------------------------------- all steps
@dataclass(frozen=True)
class CleanSettings:
    """Settings of :func:`clean`. ``causal`` picks the 1-euro filter (default settings) instead of
    the zero-phase low-pass; ``cutoff_hz`` is then not used."""

    min_visibility: float = 0.5
    max_gap_s: float = 0.25
    cutoff_hz: float = 8.0
    causal: bool = False

    def __post_init__(self) -> None:
        _check_number("min_visibility", self.min_visibility, low=0.0, low_open=False, high=1.0,
                      hint="use a value between 0 and 1, e.g. 0.5")
        _check_number("max_gap_s", self.max_gap_s, low=0.0, low_open=False,
                      hint="use a non-negative number of seconds, e.g. 0.25")
        _check_number("cutoff_hz", self.cutoff_hz, low=0.0, low_open=True,
                      hint="use a positive frequency in Hz, e.g. 8")


def clean(seq: PoseSequence, settings: CleanSettings = CleanSettings()) -> PoseSequence:
    """Mask low-visibility landmarks, fill short gaps, then smooth.

    Smoothing is :func:`lowpass` at ``settings.cutoff_hz`` (clamped to 0.45 x the frame rate),
    or :func:`one_euro` with its default settings when ``settings.causal``. The steps, their
    settings and the cut-off actually applied are recorded in ``meta["cleaning"]``.
    """
    out = mask_low_visibility(seq, settings.min_visibility)
    out = fill_gaps(out, settings.max_gap_s)
    steps: list[dict[str, Any]] = [
        {"step": "mask_low_visibility", "min_visibility": float(settings.min_visibility)},
        {"step": "fill_gaps", "max_gap_s": float(settings.max_gap_s)},
    ]
    if settings.causal:
        f = OneEuroFilter()
        out = one_euro(out, min_cutoff_hz=f.min_cutoff_hz, beta=f.beta, d_cutoff_hz=f.d_cutoff_hz)
        steps.append({"step": "one_euro", "min_cutoff_hz": f.min_cutoff_hz, "beta": f.beta,
                      "d_cutoff_hz": f.d_cutoff_hz})
    else:
        out = lowpass(out, settings.cutoff_hz, order=CLEAN_LOWPASS_ORDER)
        steps.append({"step": "lowpass", "cutoff_hz": float(settings.cutoff_hz), "order": CLEAN_LOWPASS_ORDER,
                      "applied_cutoff_hz": effective_cutoff_hz(seq, settings.cutoff_hz)})
    meta = dict(out.meta)
    meta["cleaning"] = {"steps": steps, "settings": asdict(settings)}
    return out.replace(meta=meta)
