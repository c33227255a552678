"""Athlete tracking on synthetic candidates, whose right answers are known by construction."""

import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.landmarks import ARM, LEG, MIRROR, N_LANDMARKS, Landmark
from formcheck.pose.tracking import Candidate, TrackSettings, limb_swaps, parse_athlete, track_athlete

W, H = 1080, 1920
FPS = 30.0
L = Landmark


def figure(cx: float, cy: float, torso: float, phase: float = 0.0) -> np.ndarray:
    """(33, 2) pixels of a standing figure seen from the side, torso centre (cx, cy), torso length
    ``torso``; the legs and arms swing in opposition with ``phase`` (radians)."""
    s = torso
    xy = np.zeros((N_LANDMARKS, 2))
    hip_y, sh_y = cy + 0.5 * s, cy - 0.5 * s
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = [(cx - 0.05 * s, sh_y), (cx + 0.05 * s, sh_y)]
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = [(cx - 0.04 * s, hip_y), (cx + 0.04 * s, hip_y)]
    head = np.array([cx + 0.1 * s, sh_y - 0.35 * s])
    for lm in (L.NOSE, L.LEFT_EYE_INNER, L.LEFT_EYE, L.LEFT_EYE_OUTER, L.RIGHT_EYE_INNER, L.RIGHT_EYE,
               L.RIGHT_EYE_OUTER, L.LEFT_EAR, L.RIGHT_EAR, L.MOUTH_LEFT, L.MOUTH_RIGHT):
        xy[lm] = head + 0.02 * s * np.array([int(lm) % 3 - 1, int(lm) % 2])
    for side, sign in (("left", 1.0), ("right", -1.0)):
        swing = sign * np.sin(phase)
        hip, knee, ankle, heel, toe = LEG[side]
        xy[knee] = xy[hip] + s * np.array([0.45 * swing, 0.9])
        xy[ankle] = xy[knee] + s * np.array([0.25 * swing, 0.9])
        xy[heel] = xy[ankle] + s * np.array([-0.1, 0.05])
        xy[toe] = xy[ankle] + s * np.array([0.25, 0.08])
        shoulder, elbow, wrist = ARM[side]
        xy[elbow] = xy[shoulder] + s * np.array([-0.35 * swing, 0.6])
        xy[wrist] = xy[elbow] + s * np.array([-0.3 * swing + 0.1, 0.5])
        hand = (L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB)
        for k, lm in enumerate(hand if side == "left" else MIRROR[np.array(hand)]):
            xy[lm] = xy[wrist] + s * np.array([0.05 * k, 0.1])
    return xy


def candidate(xy: np.ndarray, presence: float = 1.0) -> Candidate:
    return Candidate(xy=xy, z=np.zeros(N_LANDMARKS), visibility=np.full(N_LANDMARKS, presence),
                     presence=np.full(N_LANDMARKS, presence), world=np.zeros((N_LANDMARKS, 3)))


def hip_mid(xy: np.ndarray) -> np.ndarray:
    return (xy[..., L.LEFT_HIP, :] + xy[..., L.RIGHT_HIP, :]) / 2


def times(n: int) -> np.ndarray:
    return np.arange(n) / FPS


@pytest.mark.parametrize("order_flips_at", [None, 46])
@pytest.mark.parametrize("a_speed, b_speed, b_dy", [(1.0, -10.0, 10.0), (8.0, -6.0, 0.0)])
def test_two_people_crossing_keep_their_identity(a_speed, b_speed, b_dy, order_flips_at):
    # The athlete (A) drills near the centre, drifting right; B walks right-to-left straight through
    # A, the same size, so only continuity of position (and, when both move alike and meet exactly,
    # of velocity) can tell them apart.
    n = 90
    truth = []
    frames = []
    for i in range(n):
        a = figure(500 + a_speed * i, 950, 250, phase=0.3 * i)
        b = figure(500 + 45 * (a_speed - b_speed) + b_speed * i, 950 + b_dy, 250, phase=0.3 * i)  # meet at frame 45
        truth.append(a)
        # the model's order means nothing: it may change just as they cross
        b_first = order_flips_at is not None and i >= order_flips_at
        frames.append([candidate(b), candidate(a)] if b_first else [candidate(a), candidate(b)])
    seq = track_athlete(frames, times(n), W, H)
    assert seq.detected.all()
    np.testing.assert_allclose(hip_mid(seq.xy), hip_mid(np.array(truth)), atol=1e-6)
    assert seq.meta["tracking"]["tracks"] == 2


def test_auto_takes_the_centred_person_not_the_bigger_bystander():
    # A bystander nearer the camera (1.3x bigger) stands at the edge for the whole clip; the athlete
    # is in the middle. "largest" takes the bystander, "auto" the athlete.
    n = 40
    athlete = [figure(540, 900, 250, 0.2 * i) for i in range(n)]
    bystander = [figure(930, 1350, 325) for _ in range(n)]
    frames = [[candidate(b), candidate(a)] for a, b in zip(athlete, bystander)]
    auto = track_athlete(frames, times(n), W, H)
    largest = track_athlete(frames, times(n), W, H, athlete="largest")
    np.testing.assert_allclose(hip_mid(auto.xy), hip_mid(np.array(athlete)))
    np.testing.assert_allclose(hip_mid(largest.xy), hip_mid(np.array(bystander)))


@pytest.mark.parametrize("choice, expected_x", [("left", 250), ("right", 830), ("center", 540), ((0.75, 0.5), 830),
                                                 ("0.2,0.5", 250)])
def test_choice_by_position(choice, expected_x):
    n = 20
    xs = (250, 540, 830)
    frames = [[candidate(figure(x, 960, 240)) for x in xs] for _ in range(n)]
    seq = track_athlete(frames, times(n), W, H, athlete=choice)
    np.testing.assert_allclose(hip_mid(seq.xy)[:, 0], expected_x)


def test_briefly_missing_athlete_is_picked_up_again_not_the_other_person():
    n = 100
    frames, truth = [], []
    for i in range(n):
        a = figure(540 + 2.0 * i, 900, 250, 0.3 * i)
        other = figure(200, 1000, 240)
        truth.append(a)
        missing = 40 <= i < 50 or 70 <= i < 72
        frames.append([candidate(other)] if missing else [candidate(other), candidate(a)])
    seq = track_athlete(frames, times(n), W, H)
    expect_detected = np.array([not (40 <= i < 50 or 70 <= i < 72) for i in range(n)])
    np.testing.assert_array_equal(seq.detected, expect_detected)
    np.testing.assert_allclose(hip_mid(seq.xy)[expect_detected], hip_mid(np.array(truth))[expect_detected])
    assert np.isnan(seq.xy[~expect_detected]).all() and (seq.visibility[~expect_detected] == 0).all()


def test_a_long_gap_is_bridged_by_continuity_of_place_and_size():
    # 1.5 s without the athlete (longer than max_gap_s): the later track starting where the athlete
    # was, with the athlete's size, continues the athlete; a different-sized person elsewhere does not.
    n = 150
    frames = []
    for i in range(n):
        cands = [candidate(figure(850, 1300, 380))]  # someone else, larger, off-centre
        if not 40 <= i < 85:
            cands.append(candidate(figure(540 + 0.5 * i, 900, 250, 0.3 * i)))
        frames.append(cands)
    seq = track_athlete(frames, times(n), W, H, settings=TrackSettings(max_gap_s=1.0))
    assert not seq.detected[40:85].any() and seq.detected[:40].all() and seq.detected[85:].all()
    assert np.all(np.abs(hip_mid(seq.xy)[seq.detected][:, 0] - 600) < 100)
    assert seq.meta["tracking"]["athlete_tracks"] == 2


def test_nobody_anywhere_gives_an_all_undetected_sequence():
    seq = track_athlete([[] for _ in range(10)], times(10), W, H)
    assert len(seq) == 10 and not seq.detected.any() and seq.coverage == 0.0


def swapped_in(xy: np.ndarray, frames, group) -> np.ndarray:
    out = xy.copy()
    idx = np.concatenate([group, MIRROR[group]])
    for f in frames:
        out[f, idx] = xy[f, MIRROR[idx]]
    return out


def test_leg_and_arm_swaps_are_undone_and_real_crossings_kept():
    # A side view: legs and arms swing through each other (they cross every half cycle). The model's
    # labels are swapped for the legs in some frames and for the arms in others.
    n = 120
    rng = np.random.default_rng(3)
    truth = np.array([figure(540, 900, 250, phase=2 * np.pi * 1.2 * i / FPS) for i in range(n)])
    truth += rng.normal(0, 1.5, truth.shape)  # landmark noise, a few pixels
    legs = np.array([L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX])
    arms = np.array([L.LEFT_ELBOW, L.LEFT_WRIST, L.LEFT_PINKY, L.LEFT_INDEX, L.LEFT_THUMB])
    leg_swaps = [5, 6, 7, 33, 60, 61, 62, 63, 64, 65, 66, 101]
    arm_swaps = [20, 21, 80, 81, 82]
    seen = swapped_in(swapped_in(truth, leg_swaps, legs), arm_swaps, arms)

    fixed = track_athlete([[candidate(x)] for x in seen], times(n), W, H)
    np.testing.assert_allclose(fixed.xy, truth)
    assert fixed.meta["tracking"]["leg_swaps_fixed"] == len(leg_swaps)
    assert fixed.meta["tracking"]["arm_swaps_fixed"] == len(arm_swaps)

    kept = track_athlete([[candidate(x)] for x in truth], times(n), W, H)  # nothing to fix
    np.testing.assert_allclose(kept.xy, truth)
    assert kept.meta["tracking"]["leg_swaps_fixed"] == 0 == kept.meta["tracking"]["arm_swaps_fixed"]


def test_swaps_at_the_start_are_fixed_by_the_majority():
    # The first frames are the swapped ones: continuity alone cannot say which labelling is right,
    # the model's labels in most frames decide.
    n = 60
    truth = np.array([figure(540, 900, 250, phase=0.2 * i + 0.8) for i in range(n)])
    legs = np.array([L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX])
    seen = swapped_in(truth, range(0, 6), legs)
    t = times(n)
    scale = np.full(n, 250.0)
    np.testing.assert_array_equal(limb_swaps(seen, t, scale, legs), np.arange(n) < 6)


def test_limb_labels_are_not_linked_across_a_long_gap():
    n = 40
    truth = np.array([figure(540, 900, 250, phase=1.0) for _ in range(n)])
    legs = np.array([L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX])
    seen = swapped_in(truth, range(25, 40), legs)  # after the gap the labels differ, for 15 frames
    seen[15:25] = np.nan
    scale = np.where(np.isnan(seen[:, 0, 0]), 0.0, 250.0)
    # 10 missing frames at 30 fps = 0.33 s > limb_max_gap_s: the two runs are judged separately
    assert not limb_swaps(seen, times(n), scale, legs, max_gap_s=0.25).any()


def test_athlete_choice_errors_list_the_valid_ones():
    assert parse_athlete("Centre") == "center"
    assert parse_athlete("0.25, 0.75") == (0.25, 0.75)
    with pytest.raises(FormcheckError, match="auto, largest, left, right, center"):
        parse_athlete("tallest")
    with pytest.raises(FormcheckError):
        parse_athlete((1.5, 0.5))


def test_candidate_shapes_are_checked():
    with pytest.raises(ValueError, match=r"xy must have shape \(33, 2\), got \(32, 2\)"):
        Candidate(xy=np.zeros((32, 2)), z=np.zeros(33), visibility=np.ones(33), presence=np.ones(33),
                  world=np.zeros((33, 3)))
