"""Tests for formcheck.filters: masking, gap filling, zero-phase and causal smoothing, clean()."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.signal import butter, sosfilt, sosfiltfilt

from formcheck import FormcheckError, Landmark, PoseSequence, filters
from formcheck.filters import (
    CleanSettings,
    OneEuroFilter,
    clean,
    effective_cutoff_hz,
    fill_gaps,
    lowpass,
    mask_low_visibility,
    one_euro,
)

FPS = 60.0
KNEE = Landmark.LEFT_KNEE
ANKLE = Landmark.RIGHT_ANKLE


def make_seq(t, xy=None, z=None, world=None, visibility=None, **kw) -> PoseSequence:
    """A sequence at timestamps ``t``; unspecified tracks are smooth random-walk-free constants."""
    t = np.asarray(t, dtype=float)
    n = len(t)
    if xy is None:
        xy = np.broadcast_to(np.arange(33 * 2, dtype=float).reshape(33, 2) * 10.0, (n, 33, 2)).copy()
    if z is None:
        z = np.broadcast_to(np.arange(33, dtype=float) - 16.0, (n, 33)).copy()
    if world is None:
        world = np.broadcast_to(np.linspace(-0.5, 0.5, 99).reshape(33, 3), (n, 33, 3)).copy()
    if visibility is None:
        visibility = np.ones((n, 33))
    return PoseSequence(xy=xy, z=z, world=world, visibility=visibility, t_s=t, width=1080, height=1920, **kw)


def channels(seq: PoseSequence) -> list[np.ndarray]:
    return [seq.xy, seq.z, seq.world]


def assert_same_nan_and_close(a: PoseSequence, b: PoseSequence, **tol) -> None:
    for x, y in zip(channels(a), channels(b)):
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
        np.testing.assert_allclose(x, y, **tol)


# ---------------------------------------------------------------------------- mask
def test_mask_low_visibility_sets_exactly_the_low_entries_to_nan():
    n = 4
    vis = np.ones((n, 33))
    vis[1, KNEE] = 0.49          # below 0.5: masked
    vis[2, Landmark.NOSE] = 0.5  # at the threshold: kept
    vis[3, ANKLE] = 0.0          # missing: masked
    vis[0, Landmark.LEFT_WRIST] = np.nan  # unknown counts as low
    seq = make_seq(np.arange(n) / FPS, visibility=vis, detected=np.array([True, True, False, True]))
    out = mask_low_visibility(seq, 0.5)

    expected = np.zeros((n, 33), dtype=bool)
    expected[1, KNEE] = expected[3, ANKLE] = expected[0, Landmark.LEFT_WRIST] = True
    np.testing.assert_array_equal(np.isnan(out.xy).any(axis=2), expected)
    np.testing.assert_array_equal(np.isnan(out.xy).all(axis=2), expected)
    np.testing.assert_array_equal(np.isnan(out.z), expected)
    np.testing.assert_array_equal(np.isnan(out.world).all(axis=2), expected)
    np.testing.assert_array_equal(out.xy[~expected], seq.xy[~expected])
    np.testing.assert_array_equal(out.world[~expected], seq.world[~expected])
    # visibility, detected, timestamps kept; the input is untouched
    np.testing.assert_array_equal(out.visibility, vis)
    np.testing.assert_array_equal(out.detected, [True, True, False, True])
    np.testing.assert_array_equal(out.t_s, seq.t_s)
    assert not np.isnan(seq.xy).any()


def test_mask_threshold_zero_masks_nothing_and_bad_threshold_is_refused():
    vis = np.full((3, 33), 0.01)
    seq = make_seq(np.arange(3) / FPS, visibility=vis)
    assert not np.isnan(mask_low_visibility(seq, 0.0).xy).any()
    assert np.isnan(mask_low_visibility(seq, 0.02).xy).all()
    with pytest.raises(FormcheckError, match="min_visibility must be at least 0 and at most 1, got 1.5"):
        mask_low_visibility(seq, 1.5)


# ---------------------------------------------------------------------------- fill gaps
def line_seq(t, holes=(), lm=KNEE):
    """Every coordinate of landmark ``lm`` is a straight line in time; NaN at frames ``holes``."""
    t = np.asarray(t, dtype=float)
    seq = make_seq(t)
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    xy[:, lm] = np.stack([10.0 + 300.0 * t, 200.0 - 120.0 * t], axis=1)
    z[:, lm] = -5.0 + 60.0 * t
    world[:, lm] = np.stack([0.1 + 0.5 * t, -0.2 * t, 0.3 + 0.05 * t], axis=1)
    truth = seq.replace(xy=xy.copy(), z=z.copy(), world=world.copy())
    for arr in (xy, z, world):
        arr[list(holes), lm] = np.nan
    return truth, truth.replace(xy=xy, z=z, world=world)


def test_three_frame_gap_on_a_line_is_filled_exactly():
    # 3 missing frames at 60 fps: bridged span 4/60 s = 0.067 s <= 0.25 s
    truth, holed = line_seq(np.arange(20) / FPS, holes=[7, 8, 9])
    out = fill_gaps(holed, 0.25)
    for got, want in zip(channels(out), channels(truth)):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)
    np.testing.assert_array_equal(out.visibility, holed.visibility)


def test_gap_longer_than_max_stays_nan_and_boundary_is_inclusive():
    # 20 missing frames at 60 fps: span 21/60 s = 0.35 s > 0.25 s: not filled
    _, holed = line_seq(np.arange(40) / FPS, holes=range(10, 30))
    out = fill_gaps(holed, 0.25)
    assert np.isnan(out.xy[10:30, KNEE]).all() and np.isnan(out.world[10:30, KNEE]).all()
    assert np.isfinite(out.xy[:10, KNEE]).all() and np.isfinite(out.xy[30:, KNEE]).all()

    # timestamps exact in binary (1/8 s steps): one missing frame spans 0.25 s (filled at
    # max_gap_s=0.25), two missing frames span 0.375 s (not filled)
    truth, holed = line_seq(np.arange(12) * 0.125, holes=[3, 7, 8])
    out = fill_gaps(holed, 0.25)
    np.testing.assert_allclose(out.xy[3, KNEE], truth.xy[3, KNEE], rtol=1e-13)
    assert np.isnan(out.xy[[7, 8], KNEE]).all()
    assert np.isnan(fill_gaps(holed, 0.2499).xy[3, KNEE]).all()


def test_leading_and_trailing_gaps_stay_nan():
    _, holed = line_seq(np.arange(15) / FPS, holes=[0, 1, 13, 14, 6])
    out = fill_gaps(holed, 10.0)
    assert np.isnan(out.xy[[0, 1, 13, 14], KNEE]).all()
    assert np.isnan(out.z[[0, 1, 13, 14], KNEE]).all()
    assert np.isfinite(out.xy[2:13, KNEE]).all()


def test_fill_uses_time_not_frame_index():
    # uneven timestamps; track x = 10 + 300 t is linear in time, not in frame index
    t = np.array([0.0, 0.010, 0.050, 0.060, 0.100, 0.130, 0.140, 0.200])
    truth, holed = line_seq(t, holes=[2, 3, 4])
    out = fill_gaps(holed, 0.25)
    # hand: frame 2 lies 0.04 s into the 0.12 s gap from t=0.01 to t=0.13: x = 13 + (49 - 13) * 1/3 = 25
    assert out.xy[2, KNEE, 0] == pytest.approx(25.0, abs=1e-12)
    for got, want in zip(channels(out), channels(truth)):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)
    # interpolating by index would have given 13 + 36 * 1/4 = 22 at frame 2
    assert abs(out.xy[2, KNEE, 0] - 22.0) > 2.9


def test_fill_gaps_leaves_complete_sequence_unchanged_and_refuses_negative_gap():
    truth, _ = line_seq(np.arange(10) / FPS)
    assert fill_gaps(truth) is truth
    with pytest.raises(FormcheckError, match="max_gap_s must be at least 0, got -1"):
        fill_gaps(truth, -1)


# ---------------------------------------------------------------------------- lowpass
def sine_seq(t, clean_sig, noise):
    """Landmark KNEE x carries the signal; every other coordinate is constant."""
    seq = make_seq(t)
    xy = seq.xy.copy()
    xy[:, KNEE, 0] = 500.0 + clean_sig + noise
    return seq.replace(xy=xy)


def xcorr_peak_lag(a, b, max_lag=10):
    """Lag (frames) at which ``b`` best matches ``a`` (positive: ``b`` is late)."""
    a, b = a - a.mean(), b - b.mean()
    m = len(a)
    scores = [np.dot(a[max_lag:m - max_lag], b[max_lag + k:m - max_lag + k]) for k in range(-max_lag, max_lag + 1)]
    return int(np.argmax(scores)) - max_lag


def test_lowpass_removes_noise_without_phase_lag():
    rng = np.random.default_rng(7)
    t = np.arange(1200) / FPS  # 20 s
    sig = 50.0 * np.sin(2 * np.pi * 2.0 * t)
    noise = rng.normal(0.0, 5.0, t.size)
    out = lowpass(sine_seq(t, sig, noise), cutoff_hz=8.0)
    err = out.xy[:, KNEE, 0] - 500.0 - sig
    ratio = np.sqrt(np.mean(err**2)) / np.sqrt(np.mean(noise**2))
    # By hand: forward-backward 2nd-order Butterworth has power gain 1 / (1 + (f/fc)^4)^2, whose
    # integral is fc * 3 pi / (8 sqrt 2) = 0.833 fc = 6.66 Hz of the 30 Hz band: white noise RMS
    # x sqrt(6.66 / 30) = x 0.47; the 2 Hz sine loses 1 - 1/(1 + (2/8)^4) = 0.4 % (0.14 px RMS).
    assert 0.40 < ratio < 0.55
    # Above 15 Hz the power gain is at most 1 / (1 + (15/8)^4) = 0.074: that noise drops > 13x.
    spec_in, spec_out = np.abs(np.fft.rfft(noise)), np.abs(np.fft.rfft(err))
    high = np.fft.rfftfreq(t.size, 1 / FPS) >= 15.0
    assert np.sqrt(np.sum(spec_out[high] ** 2) / np.sum(spec_in[high] ** 2)) < 0.0735 * 1.2
    # zero phase: best match at lag 0; a causal pass of the same filter lags ~1.7 frames at 2 Hz
    assert xcorr_peak_lag(sig, out.xy[:, KNEE, 0]) == 0
    causal = sosfilt(butter(2, 8.0, fs=FPS, output="sos"), sig + noise)
    assert xcorr_peak_lag(sig, causal) == 2
    # every other coordinate is constant and stays so
    np.testing.assert_allclose(out.xy[:, Landmark.NOSE], sine_seq(t, sig, noise).xy[:, Landmark.NOSE], rtol=1e-12)


def test_lowpass_matches_scipy_on_each_finite_run():
    rng = np.random.default_rng(3)
    n = 400
    t = np.arange(n) / FPS
    seq = make_seq(t, xy=rng.normal(500, 20, (n, 33, 2)), z=rng.normal(0, 5, (n, 33)),
                   world=rng.normal(0, 0.1, (n, 33, 3)))
    xy, z = seq.xy.copy(), seq.z.copy()
    xy[[50, 51, 52, 200, 391], KNEE] = np.nan  # runs 0-49, 53-199, 201-390, 392-399 (8: too short)
    xy[100:105, ANKLE, 1] = np.nan            # only y of the ankle
    z[:, Landmark.NOSE] = np.nan              # never seen
    seq = seq.replace(xy=xy, z=z)
    out = lowpass(seq, cutoff_hz=6.0, order=2)

    sos = butter(2, 6.0, fs=FPS, output="sos")
    knee_x = seq.xy[:, KNEE, 0]
    for a, b in [(0, 50), (53, 200), (201, 391)]:
        np.testing.assert_allclose(out.xy[a:b, KNEE, 0], sosfiltfilt(sos, knee_x[a:b]), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(out.xy[392:, KNEE], seq.xy[392:, KNEE])  # 8 frames <= padding of 9: as is
    ankle_y = seq.xy[:, ANKLE, 1]
    np.testing.assert_allclose(out.xy[105:, ANKLE, 1], sosfiltfilt(sos, ankle_y[105:]), atol=1e-9)
    np.testing.assert_allclose(out.xy[:, ANKLE, 0], sosfiltfilt(sos, seq.xy[:, ANKLE, 0]), atol=1e-9)
    np.testing.assert_allclose(out.world[:, ANKLE, 2], sosfiltfilt(sos, seq.world[:, ANKLE, 2]), atol=1e-12)
    # NaN stays NaN, finite stays finite
    for got, src in zip(channels(out), channels(seq)):
        np.testing.assert_array_equal(np.isfinite(got), np.isfinite(src))


def finite_runs(x):
    d = np.diff(np.r_[0, np.isfinite(x).astype(int), 0])
    return zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1))


def test_lowpass_many_runs_of_all_lengths_match_scipy_run_by_run():
    rng = np.random.default_rng(8)
    n = 600
    seq = make_seq(np.arange(n) / FPS, xy=rng.normal(500, 20, (n, 33, 2)), z=rng.normal(0, 5, (n, 33)),
                   world=rng.normal(0, 0.1, (n, 33, 3)))
    holes = rng.random((n, 33)) < 0.04  # runs of every length, different in every landmark
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    xy[holes], z[holes], world[holes] = np.nan, np.nan, np.nan
    seq = seq.replace(xy=xy, z=z, world=world)
    out = lowpass(seq, cutoff_hz=5.0, order=3)  # order 3: sections of order 2 and 1, padding 3 * 4 = 12
    sos = butter(3, 5.0, fs=FPS, output="sos")
    n_runs = 0
    for got, src in [(out.xy[..., 0], seq.xy[..., 0]), (out.z, seq.z), (out.world[..., 2], seq.world[..., 2])]:
        for lm in Landmark:
            for a, b in finite_runs(src[:, lm]):
                want = sosfiltfilt(sos, src[a:b, lm]) if b - a > 12 else src[a:b, lm]
                np.testing.assert_allclose(got[a:b, lm], want, rtol=0, atol=1e-9)
                n_runs += 1
            np.testing.assert_array_equal(np.isnan(got[:, lm]), np.isnan(src[:, lm]))
    assert n_runs > 1000


def test_lowpass_run_of_ten_frames_is_filtered_and_nine_is_not():
    rng = np.random.default_rng(5)
    n = 21
    xy = rng.normal(100, 10, (n, 33, 2))
    xy[10] = np.nan  # runs of 10 (frames 0-9) and 10 (11-20)
    xy[:2, ANKLE] = np.nan  # ankle: run of 8 frames (2-9) then 10
    seq = make_seq(np.arange(n) / FPS, xy=xy)
    out = lowpass(seq)
    assert not np.allclose(out.xy[:10, KNEE], seq.xy[:10, KNEE])
    np.testing.assert_array_equal(out.xy[2:10, ANKLE], seq.xy[2:10, ANKLE])
    assert np.isnan(out.xy[10]).all()


@pytest.mark.parametrize("jitter_s", [0.0, 0.004])
def test_lowpass_leaves_a_constant_unchanged(jitter_s):
    rng = np.random.default_rng(1)
    t = np.arange(300) / FPS + rng.uniform(-jitter_s, jitter_s, 300)
    seq = make_seq(t)
    xy = seq.xy.copy()
    xy[100:130, KNEE] = np.nan
    seq = seq.replace(xy=xy)
    out = lowpass(seq)
    for got, want in zip(channels(out), channels(seq)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("block_elements", [0, 10**12])  # every run as a 2-D block / all element-wise
def test_lowpass_uneven_rate_resamples_by_time(block_elements, monkeypatch):
    monkeypatch.setattr(filters, "_BLOCK_ELEMENTS", block_elements)
    rng = np.random.default_rng(11)
    n = 1200
    t = np.arange(n) / FPS + rng.uniform(-0.004, 0.004, n)  # +-4 ms jitter: variable frame rate
    sig = 50.0 * np.sin(2 * np.pi * 2.0 * t)
    noise = rng.normal(0.0, 5.0, n)
    seq = sine_seq(t, sig, noise)
    xy = seq.xy.copy()
    xy[600:640, KNEE] = np.nan
    seq = seq.replace(xy=xy)
    out = lowpass(seq)
    got = out.xy[:, KNEE, 0] - 500.0
    ok = np.isfinite(got)
    np.testing.assert_array_equal(ok, np.isfinite(seq.xy[:, KNEE, 0]))
    ratio = np.sqrt(np.mean((got[ok] - sig[ok]) ** 2)) / np.sqrt(np.mean(noise[ok] ** 2))
    assert ratio < 0.55  # as at an even rate (0.47 by hand), plus a little from resampling
    assert xcorr_peak_lag(sig[:600], got[:600]) == 0

    # ground truth by hand, run by run: np.interp onto a 1/median-rate grid, scipy, np.interp back
    dt = float(np.median(np.diff(t)))
    sos = butter(2, 8.0, fs=1 / dt, output="sos")
    x = seq.xy[:, KNEE, 0]
    for a, b in [(0, 600), (640, n)]:
        tr = t[a:b]
        m = math.ceil((tr[-1] - tr[0]) / dt - 1e-9) + 1
        grid = tr[0] + dt * np.arange(m)
        on_grid = np.interp(grid, tr, x[a:b])
        past = grid > tr[-1]  # the last grid point may lie just past the last frame: extend the line
        on_grid[past] = x[b - 1] + (x[b - 1] - x[b - 2]) / (tr[-1] - tr[-2]) * (grid[past] - tr[-1])
        want = np.interp(tr, grid, sosfiltfilt(sos, on_grid))
        np.testing.assert_allclose(out.xy[a:b, KNEE, 0], want, rtol=0, atol=1e-9)


def test_cutoff_is_clamped_below_nyquist_and_bad_settings_are_refused():
    rng = np.random.default_rng(2)
    seq = make_seq(np.arange(100) / 30.0, xy=rng.normal(0, 1, (100, 33, 2)))
    assert effective_cutoff_hz(seq, 100.0) == pytest.approx(13.5)  # 0.45 x 30 fps
    np.testing.assert_allclose(lowpass(seq, 100.0).xy, lowpass(seq, 13.5).xy, rtol=0, atol=1e-12)
    assert not np.allclose(lowpass(seq, 13.5).xy, seq.xy)
    with pytest.raises(FormcheckError, match="cutoff_hz must be above 0"):
        lowpass(seq, 0.0)
    with pytest.raises(FormcheckError, match="order must be a whole number"):
        lowpass(seq, 8.0, order=0)
    with pytest.raises(FormcheckError, match="cutoff_hz must be above 0"):
        CleanSettings(cutoff_hz=-1)


# ---------------------------------------------------------------------------- one euro
def test_one_euro_holds_a_constant_and_converges_after_a_step():
    f = OneEuroFilter()
    for i in range(10):
        np.testing.assert_array_equal(f(i / FPS, np.array([3.0, -7.5])), [3.0, -7.5])
    f.reset()
    f(0.0, np.array([0.0]))
    # By hand: the cut-off is never below 1.5 Hz, so each frame keeps at most 1 - a_min of the
    # error, a_min = r / (r + 1), r = 2 pi 1.5 / 60: error after k frames <= (1 - a_min)^k.
    r = 2 * math.pi * 1.5 / FPS
    keep = 1 - r / (r + 1)
    prev = 1.0
    for k in range(1, 241):
        err = 1.0 - f(k / FPS, np.array([1.0]))[0]
        assert 0.0 <= err <= keep**k + 1e-15
        assert err <= prev
        prev = err
    assert err < 1e-12


def test_one_euro_ramp_lag_matches_hand_formula_and_shrinks_with_beta():
    # Steady state on a ramp of speed v: the speed estimate is v, the cut-off fc = min + beta v,
    # and a first-order smoother with a = r/(r+1), r = 2 pi fc dt lags by v dt (1 - a)/a = v/(2 pi fc).
    v = 100.0
    t = np.arange(600) / FPS
    lags = {}
    for beta in (0.0, 0.01, 0.05):
        f = OneEuroFilter(min_cutoff_hz=1.5, beta=beta, d_cutoff_hz=1.0)
        out = [f(ti, np.array([v * ti]))[0] for ti in t]
        lags[beta] = v * t[-1] - out[-1]
        assert lags[beta] == pytest.approx(v / (2 * math.pi * (1.5 + beta * v)), rel=1e-9)
    assert lags[0.0] > lags[0.01] > lags[0.05] > 0


def test_one_euro_nan_passes_through_and_restarts_that_element_only():
    rng = np.random.default_rng(4)
    t = np.arange(50) / FPS
    x = rng.normal(0, 10, (50, 3)) + np.arange(50)[:, None]
    x_nan = x.copy()
    x_nan[20, 1] = np.nan
    f, g = OneEuroFilter(), OneEuroFilter()
    out = np.array([f(ti, xi) for ti, xi in zip(t, x_nan)])
    ref = np.array([g(ti, xi) for ti, xi in zip(t, x)])
    assert np.isnan(out[20, 1]) and np.isfinite(np.delete(out, 20 * 3 + 1)).all()
    assert out[21, 1] == x[21, 1]  # restarted from its own value
    np.testing.assert_array_equal(out[:, [0, 2]], ref[:, [0, 2]])
    np.testing.assert_array_equal(out[:20, 1], ref[:20, 1])
    # after the restart, element 1 behaves like a fresh filter started at frame 21
    h = OneEuroFilter()
    fresh = [h(ti, np.array([xi]))[0] for ti, xi in zip(t[21:], x[21:, 1])]
    np.testing.assert_allclose(out[21:, 1], fresh, rtol=1e-15)


def test_one_euro_needs_increasing_time_and_keeps_shape():
    f = OneEuroFilter()
    x = np.zeros((33, 2))
    assert f(0.0, x).shape == (33, 2)
    with pytest.raises(FormcheckError, match="timestamps must increase"):
        f(0.0, x)
    with pytest.raises(ValueError, match="call reset"):
        f(0.1, np.zeros(3))
    f.reset()
    np.testing.assert_array_equal(f(0.0, np.full(3, 4.0)), [4.0, 4.0, 4.0])


def test_one_euro_on_a_sequence_equals_the_live_filter_frame_by_frame():
    rng = np.random.default_rng(9)
    n = 40
    t = np.cumsum(rng.uniform(0.01, 0.03, n))
    seq = make_seq(t, xy=rng.normal(500, 30, (n, 33, 2)), world=rng.normal(0, 0.2, (n, 33, 3)))
    xy = seq.xy.copy()
    xy[10:13, KNEE] = np.nan
    seq = seq.replace(xy=xy)
    out = one_euro(seq, min_cutoff_hz=2.0, beta=0.1)
    fxy, fw = OneEuroFilter(2.0, 0.1), OneEuroFilter(2.0, 0.1)
    for i in range(n):
        np.testing.assert_allclose(out.xy[i], fxy(t[i], seq.xy[i]), rtol=1e-15)
        np.testing.assert_allclose(out.world[i], fw(t[i], seq.world[i]), rtol=1e-15)
    assert np.isnan(out.xy[10:13, KNEE]).all()
    np.testing.assert_array_equal(out.xy[13, KNEE], seq.xy[13, KNEE])


# ---------------------------------------------------------------------------- clean
def noisy_seq(rng, n=240, jitter_s=0.0):
    t = np.arange(n) / FPS + (rng.uniform(-jitter_s, jitter_s, n) if jitter_s else 0.0)
    phase = rng.uniform(0, 2 * np.pi, (1, 33, 1))
    xy = 400 + 80 * np.sin(2 * np.pi * 1.2 * t[:, None, None] + phase) + rng.normal(0, 3, (n, 33, 2))
    z = rng.normal(0, 20, (n, 33))
    world = 0.2 * np.sin(2 * np.pi * 1.2 * t[:, None, None] + phase) + rng.normal(0, 0.01, (n, 33, 3))
    vis = rng.uniform(0.3, 1.0, (n, 33))
    vis[:, Landmark.LEFT_HEEL] = 0.1  # never seen
    vis[50:90, KNEE] = 0.2            # a 40-frame gap: too long to fill
    return make_seq(t, xy=xy, z=z, world=world, visibility=vis, meta={"source": "synthetic"})


@pytest.mark.parametrize("causal", [False, True])
def test_clean_composes_the_steps_and_records_them(causal):
    seq = noisy_seq(np.random.default_rng(0))
    s = CleanSettings(min_visibility=0.6, max_gap_s=0.1, cutoff_hz=6.0, causal=causal)
    out = clean(seq, s)
    staged = fill_gaps(mask_low_visibility(seq, 0.6), 0.1)
    staged = one_euro(staged) if causal else lowpass(staged, 6.0)
    assert_same_nan_and_close(out, staged, rtol=0, atol=0)
    assert np.isnan(out.xy[:, Landmark.LEFT_HEEL]).all() and np.isnan(out.xy[55:85, KNEE]).all()
    np.testing.assert_array_equal(out.visibility, seq.visibility)
    np.testing.assert_array_equal(out.detected, seq.detected)
    cleaning = out.meta["cleaning"]
    assert [st["step"] for st in cleaning["steps"]] == [
        "mask_low_visibility", "fill_gaps", "one_euro" if causal else "lowpass"]
    assert cleaning["settings"] == {"min_visibility": 0.6, "max_gap_s": 0.1, "cutoff_hz": 6.0, "causal": causal}
    assert out.meta["source"] == "synthetic" and "cleaning" not in seq.meta
    json.dumps(out.meta)


def test_clean_records_the_clamped_cutoff():
    seq = make_seq(np.arange(50) / 10.0)  # 10 fps: at most 4.5 Hz
    steps = clean(seq, CleanSettings(cutoff_hz=8.0)).meta["cleaning"]["steps"]
    assert steps[-1] == {"step": "lowpass", "cutoff_hz": 8.0, "order": 2,
                         "applied_cutoff_hz": pytest.approx(4.5, rel=1e-12)}


def shifted(seq: PoseSequence, c_xy, c_z, c_world) -> PoseSequence:
    return seq.replace(xy=seq.xy + c_xy, z=seq.z + c_z, world=seq.world + c_world)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    jitter=st.sampled_from([0.0, 0.003]),
    c_xy=st.tuples(st.floats(-2000, 2000), st.floats(-2000, 2000)),
    c_z=st.floats(-500, 500),
    c_world=st.tuples(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5)),
)
def test_shifting_the_figure_commutes_with_every_step(seed, jitter, c_xy, c_z, c_world):
    seq = noisy_seq(np.random.default_rng(seed), n=120, jitter_s=jitter)
    c_xy, c_world = np.array(c_xy), np.array(c_world)
    moved = shifted(seq, c_xy, c_z, c_world)
    steps = [
        mask_low_visibility,
        lambda s: fill_gaps(mask_low_visibility(s)),
        lambda s: lowpass(fill_gaps(mask_low_visibility(s))),
        lambda s: one_euro(mask_low_visibility(s)),
        clean,
        lambda s: clean(s, CleanSettings(causal=True)),
    ]
    for step in steps:
        assert_same_nan_and_close(step(moved), shifted(step(seq), c_xy, c_z, c_world), rtol=0, atol=1e-7)
