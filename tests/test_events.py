"""Events on hand-built signals: the right number of reps at the right frames, contacts, holds."""

import numpy as np
import pytest

from formcheck.events import (
    ContactSettings,
    HoldSettings,
    PeakSettings,
    cadence_spm,
    clear_of_ground,
    contact_mask,
    dominant_period_s,
    find_rep_peaks,
    flight_mask,
    foot_contacts,
    foot_ground_levels,
    foot_motion,
    ground_line,
    ground_line_from_contacts,
    holds,
    local_period_s,
    peak_centres_s,
    peak_times_s,
    rep_extents,
    rolling_percentile,
    runs,
    step_onsets,
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
def _hopping_foot(fps, period_s=0.6, contact_frac=0.5, ground=900.0, hop_px=120.0, n_s=6.0, lag_s=0.0):
    """A foot that sits still on the ground for ``contact_frac`` of each period, then swings
    (``lag_s`` later than a foot with no lag)."""
    t = np.arange(0, n_s, 1 / fps)
    phase = ((t - lag_s) % period_s) / period_s
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


# ---------------------------------------------------------------------------- each foot's own ground
def test_rolling_percentile_is_the_percentile_of_each_window():
    rng = np.random.default_rng(5)
    t = np.arange(0, 4, 1 / 30)
    x = rng.normal(0, 1, t.size)
    x[rng.random(t.size) < 0.2] = np.nan
    got = rolling_percentile(x, t, 1.0, 90.0)          # 1 s = 31 frames: 15 either side
    for i in (0, 7, 60, 119):
        w = x[max(0, i - 15):i + 16]
        assert got[i] == pytest.approx(np.nanpercentile(w, 90.0))
    # every few frames, interpolated in between: the same at the frames worked out
    sparse = rolling_percentile(x, t, 1.0, 90.0, step_s=0.2)
    np.testing.assert_allclose(sparse[::6], got[::6])
    assert np.isnan(rolling_percentile(np.full(10, np.nan), np.arange(10.0), 1.0, 50.0)).all()


@pytest.mark.parametrize("fps", [30, 60])
def test_each_foot_is_judged_against_its_own_ground(fps):
    # marching feet, each down 60 % of the time; the far one stands 12 px (3 % of the 400 px leg)
    # higher in the image, as a camera at hip height sees it: more than the 2.5 % a shared ground
    # line allows
    t, near, near_truth = _hopping_foot(fps, contact_frac=0.6, ground=900.0)
    _, far, far_truth = _hopping_foot(fps, contact_frac=0.6, ground=888.0, lag_s=0.3)
    fc = foot_contacts(np.stack([far, near], axis=1), t, 400.0)
    np.testing.assert_allclose(fc.ground_y[:, 0], 888.0)
    np.testing.assert_allclose(fc.ground_y[:, 1], 900.0)
    np.testing.assert_array_equal(fc.contact[:, 0], far_truth)
    np.testing.assert_array_equal(fc.contact[:, 1], near_truth)
    assert not fc.flight.any()                            # one foot is always down
    # one line for both feet (the lowest level) never finds the far foot down
    shared = ground_line(np.concatenate([far, near], axis=1)[..., 1], t)
    fm = foot_motion(far, shared, 400.0, t)
    assert not contact_mask(fm.height_frac, fm.still_lps, t).any()


def test_a_foot_held_up_for_long_does_not_make_its_own_ground():
    fps, leg = 30, 400.0
    t = np.arange(0, 10, 1 / fps)
    held = (t >= 1.0) & (t < 9.0)                          # 8 s up: longer than the 3 s ground window
    stand = np.stack([np.full_like(t, 500.0), np.full_like(t, 900.0)], axis=1)
    free = np.stack([np.full_like(t, 560.0), np.where(held, 900.0 - 0.1 * leg, 900.0)], axis=1)
    feet = np.stack([np.stack([stand, stand + [60, 0]], 1), np.stack([free, free + [60, 0]], 1)], axis=1)
    fc = foot_contacts(feet, t, leg)
    assert fc.contact[:, 0].all()
    assert fc.contact[~held, 1].all() and not fc.contact[held, 1].any()
    # the long window keeps the ground within ground_drift_frac of where the foot stood
    cs = ContactSettings()
    assert np.all(fc.height_frac[held, 1] >= 0.1 - cs.ground_drift_frac - 1e-9)
    # with no longer window to check it against, the held foot would become its own ground
    short = foot_contacts(feet, t, leg, ContactSettings(ground_long_window_s=cs.ground_window_s))
    assert short.contact[(t >= 4) & (t < 6), 1].all()


def test_landing_height_follows_the_jitter_and_a_noisy_stance_holds():
    # a standing foot whose landmarks wander +-0.04 leg lengths (slowly, as smoothed pose-model
    # jitter does), beside a foot circling high in the air
    fps, leg = 60, 400.0
    t = np.arange(0, 6, 1 / fps)
    y = 900.0 + 0.04 * leg * np.sin(2 * np.pi * 1.3 * t)
    stand = np.stack([np.full_like(t, 500.0), y], axis=1)
    swing = np.stack([600 + 60 * np.cos(4 * np.pi * t), 700 + 60 * np.sin(4 * np.pi * t)], axis=1)
    feet = np.stack([np.stack([stand, stand + [60, 0]], 1), np.stack([swing, swing + [60, 0]], 1)], axis=1)
    fc = foot_contacts(feet, t, leg)
    assert fc.contact[:, 0].all() and not fc.contact[:, 1].any()
    # a fixed landing height of max_height_frac would break that stance again and again
    fm = foot_motion(feet[:, 0], fc.ground_y[:, 0], leg, t)
    fixed = contact_mask(fm.height_frac, fm.still_lps, t)
    assert len(runs(~fixed)[0]) >= 5


def test_hysteresis_keeps_a_contact_until_the_release_height():
    t = np.arange(0, 1, 1 / 30)
    h = np.array([0.00, 0.05, 0.02, 0.06, 0.09, 0.09, 0.05, 0.02, 0.05, 0.10] + [0.2] * 20)[:, None]
    v = np.zeros_like(h)
    got = contact_mask(h, v, t, landing_frac=0.03, release_frac=0.07)
    # lands at 0.00 and stays down up to 0.07, leaves at 0.09 (two frames: longer than
    # min_break_s); lands again at 0.02, and the frames beside it within 0.07 (the foot on its
    # way down and up) are down too, until 0.10
    np.testing.assert_array_equal(got[:10], [1, 1, 1, 1, 0, 0, 1, 1, 1, 0])
    assert not got[10:].any()
    # no hysteresis: only the frames below 0.025, and the one-frame break between two of them
    np.testing.assert_array_equal(np.flatnonzero(contact_mask(h, v, t)), [0, 1, 2, 7])


def test_flight_needs_a_minimum_time_off_the_ground():
    t = np.arange(12) / 30.0
    lc = np.array([1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1], dtype=bool)
    rc = np.zeros(12, dtype=bool)
    np.testing.assert_array_equal(flight_mask(lc, rc, t_s=t, min_s=0.05),
                                  [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])   # one frame (33 ms) is not flight
    np.testing.assert_array_equal(flight_mask(lc, rc), ~lc)


def test_a_foot_still_while_no_foot_is_down_holds_the_athlete_up():
    # a camera looking down: standing on both feet, the athlete lifts the right foot and circles
    # it in the air, and the left foot steps to a spot 60 px (0.15 leg) higher in the image and
    # stands there; nothing stays still in the air
    fps, leg = 30, 400.0
    t = np.arange(0, 4, 1 / fps)
    up, moved = t >= 0.5, t >= 2.0
    left = np.stack([np.where(moved, 520.0, 500.0), np.where(moved, 840.0, 900.0)], axis=1)
    right = np.stack([np.where(up, 600 + 60 * np.cos(4 * np.pi * t), 660.0),
                      np.where(up, 700 + 60 * np.sin(4 * np.pi * t), 900.0)], axis=1)
    feet = np.stack([np.stack([left, left + [60, 0]], 1), np.stack([right, right + [60, 0]], 1)], axis=1)
    fc = foot_contacts(feet, t, leg)
    assert fc.contact[:, 0].all() and not fc.flight.any()
    np.testing.assert_allclose(fc.ground_y[moved, 0], 840.0)
    np.testing.assert_array_equal(fc.contact[:, 1], ~up)


def test_clear_of_ground():
    h = np.array([0.0, 0.2, 0.0, 0.0, 0.05, np.nan])
    contact = np.array([1, 0, 0, 1, 0, 0], dtype=bool)
    thigh = np.array([60.0, 10.0, 70.0, 70.0, 10.0, np.nan])
    other = np.array([0.0, 0.0, 0.0, 40.0, 0.0, 0.0])
    # raised thigh (even on a foot read as down), high foot, raised thigh, thigh raised only 30 deg
    # more than the other (a camera looking down foreshortens both), low foot, unseen
    np.testing.assert_array_equal(clear_of_ground(h, contact, thigh, other), [1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(clear_of_ground(h, contact), [0, 1, 0, 0, 0, 0])


def test_a_hold_survives_a_swap_of_the_leg_labels():
    fps, leg = 30, 400.0
    t = np.arange(0, 6, 1 / fps)
    on = (t >= 0.5) & (t < 5.5)                       # standing on the left, the right foot up
    lc, rc = np.ones_like(t, dtype=bool), ~on
    lclear, rclear = np.zeros_like(on), on.copy()
    xy = np.zeros((len(t), 2, 2))
    xy[:, 0] = (100.0, 900.0)
    xy[:, 1] = np.where(on[:, None], (140.0, 800.0), (160.0, 900.0))
    swap = (t >= 2.0) & (t < 2.4)                      # the pose model swaps the legs for 0.4 s
    lc, rc = np.where(swap, rc, lc), np.where(swap, lc, rc)
    lclear, rclear = np.where(swap, rclear, lclear), np.where(swap, lclear, rclear)
    xy[swap] = xy[swap][:, ::-1]
    expected = [("left", int(np.argmax(on)), int(len(t) - np.argmax(on[::-1])))]
    assert holds(lc, rc, t, clear=(lclear, rclear), feet_xy=xy, leg_len_px=leg) == expected
    assert holds(lc, rc, t, clear=(lclear, rclear)) == expected      # 0.4 s is too short for a hold of its own
    # without bridging swaps, each label's stretch alone: 1.5 s and 3.1 s, both on the left
    assert [h[0] for h in holds(lc & ~swap, rc & ~swap, t, clear=(lclear & ~swap, rclear & ~swap))] == ["left", "left"]


def test_a_real_change_of_standing_leg_makes_two_holds():
    fps, leg = 30, 400.0
    t = np.arange(0, 6, 1 / fps)
    first = (t >= 0.5) & (t < 2.5)
    second = (t >= 2.5) & (t < 5.5)
    lc, rc = ~second, ~first                          # left stands, then the right (no pause between)
    xy = np.zeros((len(t), 2, 2))
    xy[:, 0] = np.where(second[:, None], (100.0, 780.0), (100.0, 900.0))
    xy[:, 1] = np.where(first[:, None], (300.0, 780.0), (300.0, 900.0))
    clear = (second, first)
    got = holds(lc, rc, t, clear=clear, feet_xy=xy, leg_len_px=leg)
    assert [(h[0], h[1], h[2]) for h in got] == [("left", 15, 75), ("right", 75, 165)]
    # standing on the same spot under the other label: a swap, one hold
    xy[second, 1] = xy[second, 0] = (100.0, 900.0)
    assert [h[0] for h in holds(lc, rc, t, clear=clear, feet_xy=xy, leg_len_px=leg)] == ["right"]


def test_step_onsets_count_each_landing_once_through_label_swaps():
    n = 100
    t = np.arange(n) / 30.0
    true_l, true_r = np.zeros(n, bool), np.zeros(n, bool)
    x_l, x_r = np.zeros(n), np.zeros(n)
    for k, f in enumerate(range(0, n, 10)):           # a landing every 10 frames, feet in turn
        (true_l if k % 2 == 0 else true_r)[f:f + 4] = True
        (x_l if k % 2 == 0 else x_r)[f:] = 100.0 * k
    frames, sides = step_onsets(true_l, true_r, t)
    np.testing.assert_array_equal(frames, np.arange(10, n, 10))
    assert sides[:2] == ["right", "left"]
    # labels swapped from the middle of one stance (frame 42) to the middle of another (62)
    swap = (np.arange(n) >= 42) & (np.arange(n) < 62)
    lab_l, lab_r = np.where(swap, true_r, true_l), np.where(swap, true_l, true_r)
    xl, xr = np.where(swap, x_r, x_l), np.where(swap, x_l, x_r)
    feet_x = np.stack([xl, xr], axis=1)
    np.testing.assert_array_equal(step_onsets(lab_l, lab_r, t)[0], np.arange(10, n, 10))
    np.testing.assert_array_equal(step_onsets(lab_l, lab_r, t, feet_x, 400.0)[0], np.arange(10, n, 10))
    # a frame lost at each swap (both labels off while the points jump): only the foot's
    # position tells a swap from a new step
    lab_l[[42, 62]] = lab_r[[42, 62]] = False
    np.testing.assert_array_equal(step_onsets(lab_l, lab_r, t, feet_x, 400.0)[0], np.arange(10, n, 10))
    assert len(step_onsets(lab_l, lab_r, t)[0]) == len(np.arange(10, n, 10)) + 2


def test_dominant_period():
    rng = np.random.default_rng(2)
    t = np.arange(0, 6, 1 / 30)
    x = np.sin(2 * np.pi * t / 0.4) + rng.normal(0, 0.3, t.size) + 0.2 * t    # with a drift
    assert dominant_period_s(x, t, 0.25, 0.6) == pytest.approx(0.4, abs=0.01)
    assert np.isnan(dominant_period_s(x, t, 0.1, 0.3))      # half a period: the signal is opposite, not alike
    assert np.isnan(dominant_period_s(np.ones_like(t), t, 0.2, 0.6))
