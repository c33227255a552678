import numpy as np
import pytest

from formcheck import Landmark, PoseSequence


def _seq(n=5):
    rng = np.random.default_rng(0)
    return PoseSequence(
        xy=rng.uniform(0, 100, (n, 33, 2)), visibility=np.ones((n, 33)), t_s=np.arange(n) / 30.0,
        width=100, height=200,
    )


def test_shape_errors_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"xy must have shape \(n, 33, 2\), got \(4, 32, 2\)"):
        PoseSequence(xy=np.zeros((4, 32, 2)), visibility=np.ones((4, 33)), t_s=np.arange(4.0), width=1, height=1)
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseSequence(xy=np.zeros((3, 33, 2)), visibility=np.ones((3, 33)), t_s=[0, 1, 1], width=1, height=1)


def test_npz_round_trip(tmp_path):
    s = _seq().replace(meta={"model": "full"})
    p = s.save_npz(tmp_path / "p.npz")
    r = PoseSequence.load_npz(p)
    np.testing.assert_array_equal(r.xy, s.xy)
    np.testing.assert_array_equal(r.t_s, s.t_s)
    assert r.frame_size == (100, 200) and r.meta == {"model": "full"}
    assert [x.name for x in tmp_path.iterdir()] == ["p.npz"]


def test_swap_sides_twice_is_identity_and_swaps_knees():
    s = _seq()
    w = s.swap_sides()
    np.testing.assert_array_equal(w.point(Landmark.LEFT_KNEE), s.point(Landmark.RIGHT_KNEE))
    np.testing.assert_array_equal(w.swap_sides().xy, s.xy)
    np.testing.assert_array_equal(w.point(Landmark.NOSE), s.point(Landmark.NOSE))


def test_csv_has_named_columns(tmp_path):
    p = _seq(3).to_csv(tmp_path / "p.csv")
    header = p.read_text().splitlines()[0].split(",")
    assert header[:3] == ["frame", "t_s", "detected"] and "left_knee_x" in header
    assert len(p.read_text().splitlines()) == 4
