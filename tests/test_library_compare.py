"""Comparing two clips: rep pairing, the time warp, the difference tables and the aligned video."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from formcheck.library import Library
from formcheck.library.compare import (
    ClipSide,
    RepEvent,
    compare,
    compare_sessions,
    metric_differences,
    pair_reps,
    rep_differences,
    rep_events,
    time_warp,
)

FPS = 30.0
N_FRAMES = 100  # 3.3 s


def _ev(t: float, side: str | None = None, index: int = 0, **values) -> RepEvent:
    return RepEvent(index, side, t, values)


def test_time_warp_by_hand():
    pairs = pair_reps([_ev(1.0), _ev(2.0), _ev(3.0)], [_ev(2.0), _ev(4.0), _ev(5.0)])
    warp = time_warp(pairs)
    # between events: linear; before the first: the first piece's rate (2); after the last: the last's (1)
    assert warp(np.array([1.0, 1.5, 2.0, 2.5, 3.0])) == pytest.approx([2.0, 3.0, 4.0, 4.5, 5.0])
    assert float(warp(0.5)) == pytest.approx(1.0)
    assert float(warp(4.0)) == pytest.approx(6.0)


def test_time_warp_without_reps_is_the_identity_and_one_rep_a_shift():
    assert time_warp([])(np.array([0.0, 1.3])) == pytest.approx([0.0, 1.3])
    one = time_warp(pair_reps([_ev(1.0)], [_ev(1.75)]))
    assert one(np.array([0.0, 1.0, 2.0])) == pytest.approx([0.75, 1.75, 2.75])


@given(st.lists(st.floats(0.05, 2.0), min_size=2, max_size=8), st.lists(st.floats(0.05, 2.0), min_size=2, max_size=8))
def test_time_warp_is_monotone_and_hits_every_event(gaps_a, gaps_b):
    ta, tb = np.cumsum(gaps_a), np.cumsum(gaps_b)
    pairs = pair_reps([_ev(t) for t in ta], [_ev(t) for t in tb])
    warp = time_warp(pairs)
    t = np.linspace(-1.0, float(ta[-1]) + 2.0, 400)
    assert np.all(np.diff(warp(t)) >= -1e-9)
    m = min(len(ta), len(tb))
    assert warp(ta[:m]) == pytest.approx(tb[:m])


def test_pairs_start_on_the_same_leg():
    a = [_ev(0.3, "right", 0), _ev(0.6, "left", 1), _ev(0.9, "right", 2)]
    b = [_ev(0.2, "left", 0), _ev(0.5, "right", 1), _ev(0.8, "left", 2), _ev(1.1, "right", 3)]
    pairs = pair_reps(a, b)
    assert [(p.a.index, p.b.index) for p in pairs] == [(0, 1), (1, 2), (2, 3)]


def test_difference_tables_by_hand():
    a = [_ev(0.5, "right", 0, knee_lift_deg=70.0, cadence_spm=170.0), _ev(1.0, "left", 1, knee_lift_deg=80.0)]
    b = [_ev(0.4, "right", 0, knee_lift_deg=85.0, cadence_spm=180.0), _ev(0.9, "left", 1, knee_lift_deg=None)]
    rows = rep_differences(pair_reps(a, b), {"knee_lift_deg": "deg", "cadence_spm": "spm"})
    got = [(r.pair, r.side, r.metric, r.unit, r.a, r.b, r.diff) for r in rows]
    assert got == [(1, "right", "knee_lift_deg", "deg", 70.0, 85.0, 15.0),
                   (1, "right", "cadence_spm", "spm", 170.0, 180.0, 10.0),
                   (2, "left", "knee_lift_deg", "deg", 80.0, None, None)]
    ra = {"metrics": {"knee_lift_deg": {"value": 75.0, "unit": "deg", "target": [80, 110], "score": 70.0}}}
    rb = {"metrics": {"knee_lift_deg": {"value": 90.5, "unit": "deg", "target": [80, 110], "score": 100.0},
                      "head_bob_pct": {"value": 2.0, "unit": "pct", "target": [0, 6], "score": 100.0}}}
    m = metric_differences(ra, rb)
    assert [(x.metric, x.a, x.b, x.diff, x.target) for x in m] == [("knee_lift_deg", 75.0, 90.5, 15.5, (80, 110)),
                                                                    ("head_bob_pct", None, 2.0, None, (0, 6))]


# ---------------------------------------------------------------------------- the video
def write_coded_clip(path, n_frames: int = N_FRAMES, fps: float = FPS, size=(160, 120), mark: int = 0):
    """A clip whose frame k shows k in binary: 8 vertical stripes, white for a 1 (so a frame tells
    its own index through compression); ``mark`` makes the bytes differ between clips."""
    from formcheck.video import VideoWriter

    w, h = size
    with VideoWriter(path, fps=fps, size=size) as vw:
        for k in range(n_frames):
            img = np.zeros((h, w, 3), np.uint8)
            for bit in range(8):
                if k >> bit & 1:
                    img[:, bit * w // 8:(bit + 1) * w // 8] = 255
            img[-4:, :4] = mark
            vw.write(img, k / fps)
    return path


def frame_index(img: np.ndarray) -> int:
    """The index a coded frame shows (read below the label bar)."""
    w = img.shape[1]
    body = img[40:-8].astype(np.float64)
    return sum(1 << bit for bit in range(8)
               if body[:, bit * w // 8 + 4:(bit + 1) * w // 8 - 4].mean() > 127)


def _report(times, sides, drill="high-knees", values=None):
    return {"drill": {"name": drill}, "metrics": {"knee_lift_deg": {"value": 80.0, "unit": "deg",
                                                                     "target": [80, 110], "score": 100.0}},
            "reps": [{"index": k, "side": s, "t_s": t, "frame": int(round(t * FPS)),
                      "values": {"knee_lift_deg": (values or {}).get(k, 80.0 + k)}, "score": 90.0}
                     for k, (t, s) in enumerate(zip(times, sides))]}


def test_side_by_side_video_shows_the_same_rep_phase(tmp_path):
    from formcheck.video import iter_frames, probe

    a_times, b_times = [0.8, 1.5, 2.2, 2.9], [0.5, 1.0, 2.0, 2.4]
    sides = ["right", "left", "right", "left"]
    a = ClipSide("A", write_coded_clip(tmp_path / "a.mp4", mark=10), _report(a_times, sides))
    b = ClipSide("B", write_coded_clip(tmp_path / "b.mp4", mark=200), _report(b_times, sides))
    result = compare(a, b, tmp_path / "out.mp4", height_px=120)
    assert [(p.a.index, p.b.index) for p in result.pairs] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    info = probe(result.video)
    assert (info.codec, info.width, info.height, info.frames) == ("h264", 320, 120, N_FRAMES)
    import av

    with av.open(str(result.video)) as c:
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    checked = 0
    for f in iter_frames(result.video):
        left, right = f.image[:, :160], f.image[:, 160:]
        t = f.index / FPS
        assert frame_index(left) == f.index
        expected_t = float(np.clip(result.warp(t), 0, (N_FRAMES - 1) / FPS))
        assert abs(frame_index(right) - expected_t * FPS) <= 0.5 + 1e-6  # the nearest frame
        checked += 1
    assert checked == N_FRAMES
    # at each of A's rep events, B shows its own matching event
    for ta, tb in zip(a_times, b_times):
        assert float(result.warp(ta)) == pytest.approx(tb)


def test_compare_sessions_through_the_library(tmp_path):
    lib = Library(tmp_path / "data")
    lib.add_athlete("Ana")
    lib.add_athlete("Ben")
    ra = _report([0.5, 1.0, 1.5], ["right", "left", "right"], values={0: 70.0, 1: 72.0, 2: 74.0})
    rb = _report([0.4, 0.8, 1.3], ["right", "left", "right"], values={0: 90.0, 1: 95.0, 2: 100.0})
    sa = lib.add_session("Ana", write_coded_clip(tmp_path / "a.mp4", 60, mark=1), ra, date="2025-05-01")
    sb = lib.add_session("Ben", write_coded_clip(tmp_path / "b.mp4", 60, mark=2), rb, date="2025-05-02")
    result = compare_sessions(lib, sa.id, sb.id)
    assert result.video.parent == lib.compare_dir and result.video.is_file()
    assert [r.diff for r in result.reps] == [20.0, 23.0, 26.0]
    assert result.warnings == ()
    again = compare_sessions(lib, sa.id, sb.id)  # the video is reused
    assert again.video == result.video
    assert again.to_dict()["reps"] == result.to_dict()["reps"]


def test_different_drills_and_no_reps_are_warned_about(tmp_path):
    a = ClipSide("A", tmp_path / "a.mp4", _report([0.5, 1.0], ["right", "left"]))
    b = ClipSide("B", tmp_path / "b.mp4", _report([], [], drill="march"))
    result = compare(a, b)  # no video asked: the files need not exist
    assert any("different drills" in w for w in result.warnings)
    assert any("no reps to match in B" in w for w in result.warnings)
    assert result.pairs == () and result.warp(np.array([1.0])) == pytest.approx([1.0])


def test_warm_up_reps_come_from_the_segments():
    report = {"drill": {"name": "warm-up"}, "reps": [], "segments": [
        {"drill": "march", "report": {"reps": [{"index": 0, "side": "left", "t_s": 1.0, "values": {}}]}},
        {"drill": "a-skip", "report": {"reps": [{"index": 0, "side": "right", "t_s": 5.0, "values": {}}]}}]}
    assert [e.t_s for e in rep_events(report)] == [1.0, 5.0]
    assert [e.t_s for e in rep_events(report, "a-skip")] == [5.0]
