"""Geometry on hand-built points whose answers are worked out by hand."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck import kinematics as K


def pt(*xy):
    return np.array(xy, dtype=float)


# ---------------------------------------------------------------------------- segment angles
@pytest.mark.parametrize(
    "knee, forward, expected",
    [
        ((100, 150), 1, 0.0),      # hanging straight down (y grows downward)
        ((150, 100), 1, 90.0),     # horizontal, reaching forward (facing right)
        ((50, 100), -1, 90.0),     # horizontal, reaching forward (facing left)
        ((50, 100), 1, -90.0),     # horizontal behind the body
        ((150, 150), 1, 45.0),
        ((100 + 50 * np.sin(np.radians(30)), 100 + 50 * np.cos(np.radians(30))), 1, 30.0),
    ],
)
def test_thigh_angle_from_downward_vertical_signed_forward(knee, forward, expected):
    assert K.segment_angle_deg(pt(100, 100), pt(*knee), forward) == pytest.approx(expected, abs=1e-9)


def test_thigh_above_horizontal_goes_past_90():
    # knee 20 deg above the hip's level, forward: 110 deg from the downward vertical
    a = np.radians(20)
    knee = pt(100 + np.cos(a) * 40, 100 - np.sin(a) * 40)
    assert K.segment_angle_deg(pt(100, 100), knee, 1) == pytest.approx(110.0)


def test_lean_from_upward_vertical():
    ankle = pt(0, 0)
    assert K.lean_angle_deg(ankle, pt(0, -100), 1) == pytest.approx(0.0)
    assert K.lean_angle_deg(ankle, pt(100, -100), 1) == pytest.approx(45.0)
    assert K.lean_angle_deg(ankle, pt(100, -100), -1) == pytest.approx(-45.0)  # facing left: leaning back


def test_straight_lean_from_the_ankles_is_all_body_lean_and_no_hinge():
    lean = np.radians(10)
    ankle = pt(300, 900)
    up = np.array([np.sin(lean), -np.cos(lean)])
    hip = ankle + 450 * up
    shoulder = ankle + 800 * up
    body = K.lean_angle_deg(ankle, shoulder, 1)
    trunk = K.lean_angle_deg(hip, shoulder, 1)
    leg = K.lean_angle_deg(ankle, hip, 1)
    assert body == pytest.approx(10.0)
    assert trunk == pytest.approx(10.0)
    assert trunk - leg == pytest.approx(0.0, abs=1e-9)


def test_hinge_at_the_hip_with_vertical_legs():
    # legs vertical, trunk bent 30 deg forward at the hip: hinge 30, body lean smaller than 30
    ankle, hip = pt(0, 0), pt(0, -450)
    shoulder = hip + 350 * np.array([np.sin(np.radians(30)), -np.cos(np.radians(30))])
    hinge = K.lean_angle_deg(hip, shoulder, 1) - K.lean_angle_deg(ankle, hip, 1)
    assert hinge == pytest.approx(30.0)
    # body lean: atan(175 / (450 + 303.1)) by hand
    expected = np.degrees(np.arctan2(175.0, 450 + 350 * np.cos(np.radians(30))))
    assert K.lean_angle_deg(ankle, shoulder, 1) == pytest.approx(expected)


# ---------------------------------------------------------------------------- joint angles
def test_joint_angle_and_flexion():
    hip, knee = pt(0, 0), pt(0, 50)
    assert K.joint_angle_deg(hip, knee, pt(0, 100)) == pytest.approx(180.0)
    assert K.flexion_deg(hip, knee, pt(0, 100)) == pytest.approx(0.0)
    assert K.joint_angle_deg(hip, knee, pt(50, 50)) == pytest.approx(90.0)
    assert K.flexion_deg(hip, knee, pt(-50, 50)) == pytest.approx(90.0)  # either direction
    # heel to glute: ankle folded back up beside the hip: 180 - ~0
    assert K.flexion_deg(hip, knee, pt(-5, 0)) == pytest.approx(180 - np.degrees(np.arctan2(5, 50)))


def test_joint_angle_of_zero_length_segment_is_nan():
    assert np.isnan(K.joint_angle_deg(pt(0, 0), pt(0, 0), pt(1, 1)))


def test_frontal_knee_angle_sign_is_valgus_positive_on_both_legs():
    # front view; the body's midline at x = 100; the left leg at image right (athlete faces camera)
    mid = 100.0
    left = K.frontal_knee_angle_deg(pt(120, 0), pt(110, 50), pt(120, 100), mid)   # knee inward
    right = K.frontal_knee_angle_deg(pt(80, 0), pt(90, 50), pt(80, 100), mid)     # knee inward
    bowed = K.frontal_knee_angle_deg(pt(80, 0), pt(70, 50), pt(80, 100), mid)     # knee outward
    expected = 180 - 2 * np.degrees(np.arctan2(50, 10))
    assert left == pytest.approx(expected)
    assert right == pytest.approx(expected)
    assert bowed == pytest.approx(-expected)
    assert K.frontal_knee_angle_deg(pt(80, 0), pt(80, 50), pt(80, 100), mid) == pytest.approx(0.0)


# ---------------------------------------------------------------------------- arrays and NaN
def test_vectorised_over_frames_and_nan_only_where_missing():
    n = 5
    hip = np.zeros((n, 2))
    knee = np.stack([np.sin(np.radians(np.arange(n) * 20.0)), np.cos(np.radians(np.arange(n) * 20.0))], axis=1) * 40
    knee[2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ang = K.segment_angle_deg(hip, knee, 1)
        flex = K.flexion_deg(hip, knee, knee * 2)
        mean = K.nanmean_points([hip, knee])
    np.testing.assert_allclose(ang[[0, 1, 3, 4]], [0, 20, 60, 80])
    assert np.isnan(ang[2]) and np.isnan(flex[2])
    np.testing.assert_allclose(mean[2], hip[2])  # the knee is missing there: the hip alone
    assert ang.shape == (n,)


def test_forward_sign_may_vary_per_frame():
    hip = np.zeros((2, 2))
    knee = np.array([[40.0, 0.0], [-40.0, 0.0]])
    np.testing.assert_allclose(K.segment_angle_deg(hip, knee, np.array([1.0, -1.0])), [90, 90])


def test_points_must_have_two_coordinates():
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        K.distance(np.zeros((3, 3)), np.zeros((3, 3)))


def test_robust_length_ignores_foreshortened_frames_and_nan():
    lengths = np.r_[np.full(80, 100.0), np.linspace(40, 99, 20), [np.nan, np.nan]]
    assert K.robust_length(lengths) == pytest.approx(100.0)
    assert np.isnan(K.robust_length(np.full(3, np.nan)))


def test_interpolate_nans_uses_time():
    t = np.array([0.0, 0.1, 0.3, 0.4])
    v = np.array([0.0, np.nan, np.nan, 4.0])
    np.testing.assert_allclose(K.interpolate_nans(v, t), [0, 1, 3, 4])


def test_wrap():
    np.testing.assert_allclose(K.wrap_deg([190, -190, 360, 179]), [-170, 170, 0, 179])


# ---------------------------------------------------------------------------- phase
@pytest.mark.parametrize("offset", [0.0, 30.0, -75.0, 150.0])
def test_cycle_phase_offset_of_shifted_sinusoids(offset):
    period = 0.8
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, period, 50))  # uneven sampling over one cycle
    ref = 40 * np.cos(2 * np.pi * t / period) + 10
    lead = 25 * np.cos(2 * np.pi * t / period + np.radians(offset)) - 5
    # a single cycle sampled unevenly leaks a little between frequencies: a few degrees
    assert K.cycle_phase_offset_deg(t, lead, ref, period) == pytest.approx(offset, abs=3.0)
    t2 = np.linspace(0, period, 49)[:-1]
    ref2 = np.cos(2 * np.pi * t2 / period)
    lead2 = np.cos(2 * np.pi * t2 / period + np.radians(offset))
    assert K.cycle_phase_offset_deg(t2, lead2, ref2, period) == pytest.approx(offset, abs=1e-6)


def test_cycle_phase_offset_nan_when_flat_or_mostly_missing():
    t = np.linspace(0, 1, 30)
    assert np.isnan(K.cycle_phase_offset_deg(t, np.zeros(30), np.cos(2 * np.pi * t), 1.0))
    half = np.cos(2 * np.pi * t)
    half[:20] = np.nan
    assert np.isnan(K.cycle_phase_offset_deg(t, half, np.cos(2 * np.pi * t), 1.0))


# ---------------------------------------------------------------------------- invariants
coords = st.floats(-500, 500, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(ax=coords, ay=coords, bx=coords, by=coords, cx=coords, cy=coords,
       dx=coords, dy=coords, scale=st.floats(0.1, 10))
def test_angles_do_not_change_when_shifted_or_scaled(ax, ay, bx, by, cx, cy, dx, dy, scale):
    a, b, c = pt(ax, ay), pt(bx, by), pt(cx, cy)
    if min(K.distance(a, b), K.distance(b, c)) < 1.0:
        return
    move = lambda p: p * scale + pt(dx, dy)  # noqa: E731
    # compared on the circle: +180 and -180 are the same direction
    assert K.wrap_deg(K.segment_angle_deg(move(a), move(b)) - K.segment_angle_deg(a, b)) == pytest.approx(0, abs=1e-6)
    assert K.wrap_deg(K.lean_angle_deg(move(a), move(b)) - K.lean_angle_deg(a, b)) == pytest.approx(0, abs=1e-6)
    assert K.joint_angle_deg(move(a), move(b), move(c)) == pytest.approx(K.joint_angle_deg(a, b, c), abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(ax=coords, ay=coords, bx=coords, by=coords, cx=coords, cy=coords)
def test_mirrored_points_with_the_other_facing_give_the_same_angles(ax, ay, bx, by, cx, cy):
    a, b, c = pt(ax, ay), pt(bx, by), pt(cx, cy)
    if min(K.distance(a, b), K.distance(b, c)) < 1.0:
        return
    m = lambda p: pt(1000 - p[0], p[1])  # noqa: E731
    assert K.wrap_deg(K.segment_angle_deg(m(a), m(b), -1) - K.segment_angle_deg(a, b, 1)) == pytest.approx(0, abs=1e-6)
    assert K.wrap_deg(K.lean_angle_deg(m(a), m(b), -1) - K.lean_angle_deg(a, b, 1)) == pytest.approx(0, abs=1e-6)
    assert K.joint_angle_deg(m(a), m(b), m(c)) == pytest.approx(K.joint_angle_deg(a, b, c), abs=1e-6)
