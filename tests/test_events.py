"""Events on hand-built signals: the right number of reps at the right frames, contacts, holds."""

import numpy as np
import pytest

from formcheck.events import (
    ContactSettings,
    HoldSettings,
    PeakSettings,
    cadence_spm,
    contact_mask,
    find_rep_peaks,
    flight_mask,
    foot_motion,
    ground_line,
    ground_line_from_contacts,
    holds,
    local_period_s,
    peak_centres_s,
    peak_times_s,
    rep_extents,
    runs,
    touchdown_time_s,
)

LIFT = PeakSettings(min_prominence=15.0, min_spacing_s=0.3)


def lifts(t, period_s, peak_deg=90.0):
    """A thigh angle that peaks at ``peak_deg`` once per period (at t = period/4 + k period)."""
    return 0.5 * peak_deg * (1 + np.sin(2 * np.pi * t / period_s)) - 10.0


def test_runs():
    s, e = runs(np.array([1, 1, 0, 0, 1, 0, 1], dtype=bool))
    np.testing.assert_array_equal(s, [0, 4, 6])
    np.testing.assert_array_equal(e, [2, 5, 7])
    assert runs(np.zeros(0, dtype=bool))[0].size == 0


@pytest.mark.parametrize("fps", [30, 60])
def test_one_peak_per_cycle_at_the_true_frames(fps):
    t = np.arange(0, 10, 1 / fps)
    period = 0.8
    peaks = find_rep_peaks(lifts(t, period), t, LIFT)
    true_t = period / 4 + period * np.arange(20)
    true_t = true_t[true_t < 10]
    assert len(peaks) == len(true_t)
    np.testing.assert_allclose(t[peaks], true_t, atol=0.5 / fps + 1e-9)


def test_noise_and_jittered_timestamps_do_not_split_or_drop_peaks():
    rng = np.random.default_rng(3)
    t = np.arange(0, 12, 1 / 60) + rng.uniform(-0.004, 0.004, 720)
    x = lifts(t, 0.7) + rng.normal(0, 2.0, t.size)  # 2 deg noise
    peaks = find_rep_peaks(x, t, LIFT)
    n_true = int(np.sum(0.7 / 4 + 0.7 * np.arange(30) < t[-1]))
    assert len(peaks) == n_true
    assert np.all(np.diff(t[peaks]) > 0.5)


def test_hysteresis_merges_a_double_bump_into_one_rep():
    t = np.arange(0, 4, 1 / 60)
    x = np.zeros_like(t)
    for c in (1.0, 3.0):  # two reps, each with a dip of 10 deg near the top
        x += 80 * np.exp(-((t - c) / 0.15) ** 2)
        x -= 10 * np.exp(-((t - c) / 0.03) ** 2)
    peaks = find_rep_peaks(x, t, PeakSettings(min_prominence=5.0, min_spacing_s=0.1, rel_prominence_frac=0.05))
    assert len(peaks) == 2
    assert all(abs(t[p] - c) < 0.15 for p, c in zip(peaks, (1.0, 3.0)))


def test_small_bumps_are_not_reps():
    t = np.arange(0, 6, 1 / 30)
    x = lifts(t, 1.0) + 12 * (t > 3) * np.sin(2 * np.pi * t * 3.1)  # 12 deg wobble, less than 15
    clean = find_rep_peaks(lifts(t, 1.0), t, LIFT)
    assert len(find_rep_peaks(x, t, LIFT)) == len(clean) == 6


def test_minimum_spacing_keeps_the_highest():
    t = np.arange(0, 2, 1 / 60)
    x = 60 * np.exp(-((t - 0.8) / 0.05) ** 2) + 80 * np.exp(-((t - 1.0) / 0.05) ** 2)
    peaks = find_rep_peaks(x, t, PeakSettings(min_prominence=15, min_spacing_s=0.3, high_frac=0.1, low_frac=0.1))
    assert len(peaks) == 1 and t[peaks[0]] == pytest.approx(1.0, abs=1 / 60)


def test_a_peak_on_missing_frames_is_dropped_and_the_others_kept():
    t = np.arange(0, 8, 1 / 30)
    x = lifts(t, 1.0)
    full = find_rep_peaks(x, t, LIFT)
    x[full[3] - 2: full[3] + 3] = np.nan
    peaks = find_rep_peaks(x, t, LIFT)
    np.testing.assert_array_equal(peaks, np.delete(full, 3))
    assert find_rep_peaks(np.full(10, np.nan), np.arange(10.0), LIFT).size == 0


# ---------------------------------------------------------------------------- contacts
def _hopping_foot(fps, period_s=0.6, contact_frac=0.5, ground=900.0, hop_px=120.0, n_s=6.0):
    """A foot that sits still on the ground for ``contact_frac`` of each period, then swings."""
    t = np.arange(0, n_s, 1 / fps)
    phase = (t % period_s) / period_s
    swing = phase >= contact_frac
    u = np.where(swing, (phase - contact_frac) / (1 - contact_frac), 0.0)
    y = ground - hop_px * np.sin(np.pi * u)
    x = 300 + 200 * np.where(swing, 0.5 - 0.5 * np.cos(np.pi * u), 0.0) + 200 * np.floor(t / period_s)
    pts = np.stack([np.stack([x, y], 1), np.stack([x + 60, y], 1)], axis=1)  # heel, toe
    return t, pts, y > ground - 1e-6   # on the ground (including the frame a swing starts from)


def _contacts(pts, t, leg=400.0, travel=None, settings=ContactSettings()):
    g = ground_line(pts[..., 1], t)
    fm = foot_motion(pts, g, leg, t, settings)
    return contact_mask(fm.height_frac, fm.still_lps, t, settings, travel_lps=travel), fm


@pytest.mark.parametrize("fps", [30, 60])
def test_contact_while_on_the_ground_and_still(fps):
    t, pts, truth = _hopping_foot(fps)
    np.testing.assert_allclose(ground_line(pts[..., 1], t), 900.0)
    mask, fm = _contacts(pts, t)
    np.testing.assert_allclose(fm.ground_vx, 0.0, atol=1e-9)
    # the first and last frames of each contact count too: the foot is still towards one neighbour
    np.testing.assert_array_equal(mask, truth)


@pytest.mark.parametrize("fps", [30, 60])
def test_contacts_seen_by_a_panning_camera(fps):
    t, pts, truth = _hopping_foot(fps)
    panned = pts.copy()
    panned[..., 0] -= 333.0 * t[:, None]        # the camera follows: the ground slides back 333 px/s
    mask, fm = _contacts(panned, t)
    np.testing.assert_allclose(fm.ground_vx, -333.0, atol=1e-6)
    np.testing.assert_array_equal(mask, truth)
    # without taking the pan out, a foot on the ground would look like it is moving
    assert not contact_mask(fm.height_frac, np.hypot(np.gradient(panned[..., 0], t, axis=0), 0) / 400.0, t).any()


def test_a_foot_gliding_along_the_ground_fast_is_not_in_contact():
    t = np.arange(0, 2, 1 / 60)
    x = 100 + 1000 * t  # 2.5 leg lengths per second
    gliding = np.stack([np.stack([x, np.full_like(t, 900)], 1), np.stack([x - 60, np.full_like(t, 800)], 1)], axis=1)
    still = np.stack([np.stack([np.full_like(t, 50.0), np.full_like(t, 900)], 1)] * 2, axis=1)
    both = np.concatenate([gliding, still], axis=1)   # a foot standing beside it sets the ground's velocity
    g = ground_line(both[..., 1], t)
    fm = foot_motion(both, g, 400.0, t)
    np.testing.assert_allclose(fm.ground_vx, 0.0)
    assert not contact_mask(fm.height_frac[:, :2], fm.still_lps[:, :2], t).any()
    assert contact_mask(fm.height_frac[:, 2:], fm.still_lps[:, 2:], t).all()


def test_fast_travel_allows_a_blurred_stop():
    t = np.arange(0, 1, 1 / 60)
    h = np.zeros((len(t), 1))
    v = np.full((len(t), 1), 1.2)                 # a smoothed foot still creeping 1.2 leg/s on the ground
    assert not contact_mask(h, v, t).any()         # when standing still that is movement ...
    assert contact_mask(h, v, t, travel_lps=np.full(len(t), 6.0)).all()   # ... not when running at 6 leg/s


def test_ground_line_from_contacts_is_not_pulled_down_by_noise():
    rng = np.random.default_rng(0)
    t = np.arange(0, 6, 1 / 60)
    y = 900.0 + rng.normal(0, 2.0, (len(t), 4))
    first = ground_line(y, t)
    assert np.mean(first) > 903.0                       # the largest of noisy values: biased
    again = ground_line_from_contacts(y, np.ones_like(y, dtype=bool), t, first)
    assert np.abs(again - 900.0).max() < 0.5


@pytest.mark.parametrize("landing", [0.0, 0.3, 0.75])
def test_touchdown_between_frames(landing):
    dt = 1 / 30
    t = np.arange(10) * dt
    t_land = t[4] + landing * dt
    x = np.where(t < t_land, 600 * (t - t_land), 0.0)   # 600 px/s forward, then planted at 0
    pts = np.stack([x, np.zeros_like(x)], axis=1)
    first = 5 if landing > 0 else 4
    assert touchdown_time_s(pts, t, first) == pytest.approx(t_land if landing > 0 else t[3] + dt, abs=1e-9)
    # set down too slowly to tell: halfway between the frames
    assert touchdown_time_s(pts * 1e-3, t, first, min_speed_px_s=5.0) == pytest.approx(t[first] - dt / 2)


def test_peak_times_between_frames():
    t = np.arange(0, 2, 0.1)
    x = -(t - 0.93) ** 2
    f = np.array([int(np.argmax(x))])
    assert peak_times_s(x, t, f)[0] == pytest.approx(0.93)
    plateau = np.clip(1 - np.abs(t - 1.02) / 0.5, 0, 0.8)      # flat top from 0.62 to 1.42
    f = np.array([int(np.argmax(plateau))])
    assert peak_centres_s(plateau, t, f)[0] == pytest.approx(1.02, abs=1e-9)


def test_ground_line_follows_an_athlete_coming_closer():
    t = np.arange(0, 10, 1 / 30)
    feet = np.stack([800 + 10 * t, 780 + 10 * t], axis=1)
    g = ground_line(feet, t, window_s=1.0)
    assert np.all(np.abs(g - (800 + 10 * t)) <= 10 * 0.5 + 1e-9)


def test_flight_only_where_both_feet_are_off():
    lc = np.array([1, 0, 0, 1], dtype=bool)
    rc = np.array([0, 0, 1, 1], dtype=bool)
    np.testing.assert_array_equal(flight_mask(lc, rc), [0, 1, 0, 0])
    np.testing.assert_array_equal(flight_mask(lc, rc, known=np.array([1, 0, 1, 1], bool)), [0, 0, 0, 0])


def test_holds_find_each_single_leg_stance_and_bridge_short_touches():
    fps = 30
    t = np.arange(0, 12, 1 / fps)
    left = np.ones_like(t, dtype=bool)
    right = np.ones_like(t, dtype=bool)
    right[(t >= 1) & (t < 5)] = False      # 4 s on the left leg...
    right[(t >= 3.0) & (t < 3.1)] = True   # ...with a 0.1 s touch of the right foot
    left[(t >= 7) & (t < 10)] = False      # 3 s on the right leg
    left[(t >= 11) & (t < 11.5)] = False   # 0.5 s: too short for a hold
    hs = holds(left, right, t, HoldSettings(min_hold_s=1.0, max_break_s=0.2))
    assert [h[0] for h in hs] == ["left", "right"]
    durations = [t[e - 1] - t[s] + 1 / fps for _, s, e in hs]
    np.testing.assert_allclose(durations, [4.0, 3.0], atol=1e-9)


# ---------------------------------------------------------------------------- reps and cadence
def test_rep_extents_tile_the_clip_between_reps():
    start, end = rep_extents(np.array([10, 30, 50]), 70)
    np.testing.assert_array_equal(start, [0, 21, 41])
    np.testing.assert_array_equal(end, [20, 40, 60])
    s1, e1 = rep_extents(np.array([5]), 20)
    assert (s1[0], e1[0]) == (0, 19)


def test_local_period_skips_a_missed_rep():
    t = np.arange(0, 10, 0.01)
    frames = np.array([0, 100, 200, 400, 500])  # the rep at frame 300 was missed
    np.testing.assert_allclose(local_period_s(frames, t), [1.0, 1.0, 1.0, 1.0, 1.0])
    assert np.isnan(local_period_s(np.array([3]), t)).all()


def test_cadence_counts_both_legs():
    t = np.arange(0, 20, 1 / 60)
    left = np.arange(0, 1200, 40)             # every 0.667 s
    right = np.arange(20, 1200, 40)
    assert cadence_spm({"left": left, "right": right}, t) == pytest.approx(180.0)
    # a drill worked on one leg only: one lift per period
    assert cadence_spm({"left": left, "right": np.array([], dtype=int)}, t) == pytest.approx(90.0)
    assert cadence_spm({"both": np.arange(0, 1200, 120)}, t) == pytest.approx(30.0)
    assert np.isnan(cadence_spm({"left": np.array([5])}, t))
