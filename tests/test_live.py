"""The live frame callback (formcheck.live.LiveSession).

Most tests feed the session synthetic poses of the parametric drill model through a stand-in
estimator (the frames themselves are blank), so the rep counter, the cue and the summary are
checked against the model's ground truth (its ``peak_lift`` events) in milliseconds. One slow
test runs MediaPipe on a rendered sample clip, as the live page does.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.live import LiveSession, LiveSettings
from formcheck.pose.tracking import Candidate
from formcheck.synth.render import synth_clip

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"


class FakeEstimator:
    """Stands in for PoseEstimator: returns the synthetic clip's pose at the frame nearest ``t_s``."""

    def __init__(self, seq, *, missing: set[int] | None = None) -> None:
        self.seq = seq
        self.missing = missing or set()
        self.closed = False
        self.calls: list[tuple[float, tuple[int, int] | None, tuple[int, ...]]] = []

    def detect(self, image, t_s, *, size=None):
        if self.closed:
            raise RuntimeError("closed")
        self.calls.append((t_s, size, image.shape))
        i = int(np.argmin(np.abs(self.seq.t_s - t_s)))
        if i in self.missing:
            return []
        s = self.seq
        return [Candidate(xy=s.xy[i], z=s.z[i], visibility=s.visibility[i], presence=np.ones(33),
                          world=np.nan_to_num(s.world[i]))]

    def close(self):
        self.closed = True


def _clip(drill="a-skip", seconds=8.0, **faults):
    return synth_clip(drill, size=(640, 480), fps=30.0, seconds=seconds, faults=faults or None)


def _truth_peaks(clip, kind="peak_lift"):
    return sorted((e["t_s"], e["side"]) for e in clip.events if e["kind"] == kind)


def _run(clip, drill="a-skip", settings=LiveSettings(background=False), **kw):
    est = FakeEstimator(clip.sequence, **kw)
    session = LiveSession(drill, settings, estimator=est)
    blank = np.zeros((clip.sequence.height, clip.sequence.width, 3), dtype=np.uint8)
    outs = []
    for t in clip.sequence.t_s:
        outs.append(session.process(blank, float(t)))
    return session, est, outs


def _match(reps, peaks, tol_s=0.1):
    """Each counted rep matched to a distinct true peak of the same side within tol_s."""
    used = set()
    for r in reps:
        best = [k for k, (t, side) in enumerate(peaks) if side == r.side and abs(t - r.t_s) <= tol_s and k not in used]
        assert best, f"rep {r.number} ({r.side}, {r.t_s:.3f} s) matches no true peak"
        used.add(best[0])
    return used


def test_counts_each_true_rep_once():
    clip = _clip()
    session, _, _ = _run(clip)
    peaks = _truth_peaks(clip)
    reps = session.reps
    _match(reps, peaks)
    # every true rep is counted except those too near the end to be settled (peak within
    # confirm_s plus one analysis interval of the end, or the last rep whose extent runs to the end)
    end = float(clip.sequence.t_s[-1])
    st = session.settings
    settled = [p for p in peaks[:-1] if p[0] <= end - st.confirm_s - st.analysis_interval_s]
    assert len(reps) >= len(settled)
    assert len(reps) <= len(peaks)
    assert [r.number for r in reps] == list(range(1, len(reps) + 1))
    assert all(r.drill == "a-skip" and r.metric == "knee_lift_deg" for r in reps)
    assert session.analysis_error is None
    session.close()


def test_low_knees_give_the_knee_cue_and_low_values():
    good, _, _ = _run(_clip())
    low_clip = _clip(knee_lift_deg=60.0)
    low, _, _ = _run(low_clip)
    st = low.status()
    from formcheck.drills import get_drill

    cue_text = next(c.text for c in get_drill("a-skip").cues if c.id == "knee-height")
    assert st.cue == cue_text
    assert good.status().cue != cue_text
    # the per-rep knee lift follows the planted fault (60 deg) and the good form (the model's default)
    low_values = [r.value for r in low.reps if r.value is not None]
    assert low_values and abs(float(np.median(low_values)) - 60.0) < 4.0
    good_truth = _clip().truth["knee_lift_deg"]
    good_values = [r.value for r in good.reps if r.value is not None]
    assert abs(float(np.median(good_values)) - good_truth) < 4.0
    assert np.mean([r.score for r in low.reps]) < np.mean([r.score for r in good.reps])


def test_summary_analyses_the_whole_session():
    clip = _clip()
    session, est, _ = _run(clip)
    session.close()
    assert est.closed
    s = session.summary()
    assert s.drill == "a-skip"
    assert s.frames_processed == s.frames_seen == len(clip.sequence)
    assert s.frames_with_pose == len(clip.sequence)
    assert s.duration_s == pytest.approx(clip.sequence.t_s[-1] - clip.sequence.t_s[0])
    assert s.report is not None and s.message is None
    # the offline analysis of the same pose finds the true number of reps
    assert len(s.report.reps) == clip.truth["reps"]
    assert s.rep_count == len(session.reps)
    assert s.reps_by_side["left"] + s.reps_by_side["right"] == s.rep_count
    assert s.latency_ms_p50 is not None and s.latency_ms_p95 >= s.latency_ms_p50
    assert session.summary() is s  # computed once


def test_background_analysis_counts_the_same_reps():
    clip = _clip()
    session, _, _ = _run(clip, settings=LiveSettings(background=True))
    assert session.wait_idle(10.0)
    peaks = _truth_peaks(clip)
    _match(session.reps, peaks)
    assert len(session.reps) >= len(peaks) - 4
    session.close()
    assert session._worker is not None and not session._worker.is_alive()


def test_frames_without_a_person_and_a_size_change():
    clip = _clip(seconds=4.0)
    missing = set(range(30, 45))
    session, est, outs = _run(clip, missing=missing)
    st = session.status()
    assert st.frames_processed == len(clip.sequence)
    assert st.frames_with_pose == len(clip.sequence) - len(missing)
    # the frame where the athlete is missing says so on the frame; the others draw the skeleton
    blank = np.zeros_like(outs[0])
    assert not np.array_equal(outs[0], blank)
    # a larger frame (the browser changed the size) is shrunk for the model; landmarks stay in its pixels
    big = np.zeros((960, 1280, 3), dtype=np.uint8)
    session.process(big, float(clip.sequence.t_s[-1]) + 0.05)
    t, size, shape = est.calls[-1]
    assert size == (1280, 960)
    assert max(shape[:2]) == session.settings.max_side
    session.close()


def test_timestamps_are_made_strictly_increasing():
    clip = _clip(seconds=2.0)
    est = FakeEstimator(clip.sequence)
    session = LiveSession("a-skip", LiveSettings(background=False), estimator=est)
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    for t in (0.0, 0.1, 0.1, 0.05, 0.2):
        session.process(frame, t)
    times = [c[0] for c in est.calls]
    assert all(b > a for a, b in zip(times, times[1:]))
    with pytest.raises(FormcheckError):
        session.process(frame, math.nan)
    with pytest.raises(ValueError):
        session.process(np.zeros((480, 640), dtype=np.uint8), 1.0)
    session.close()


def test_drawing_marks_the_skeleton_where_the_pose_is():
    clip = _clip(seconds=2.0)
    session, _, outs = _run(clip)
    i = 20
    out = outs[i]
    xy = clip.sequence.xy[i]
    from formcheck.landmarks import Landmark

    for lm in (Landmark.LEFT_HIP, Landmark.RIGHT_KNEE, Landmark.LEFT_SHOULDER):
        x, y = (int(round(v)) for v in xy[lm])
        patch = out[max(0, y - 2):y + 3, max(0, x - 2):x + 3]
        assert patch.max() > 0, f"nothing drawn at {lm.name}"
    # far from the athlete (bottom right corner) the frame is untouched
    assert out[-5:, -5:].max() == 0
    session.close()


def test_after_close_frames_pass_through_unchanged():
    clip = _clip(seconds=2.0)
    session, est, _ = _run(clip)
    session.close()
    session.close()  # idempotent
    frame = np.full((480, 640, 3), 7, dtype=np.uint8)
    out = session.process(frame, 99.0)
    assert np.array_equal(out, frame) and out is not frame
    assert est.closed


def test_auto_takes_the_recognised_drill_only_when_sure(monkeypatch):
    import formcheck.recognize as R

    clip = _clip()
    sure = {"conf": 0.1}

    def fake_recognize(seq, view=None):
        return R.Recognition("a-skip", sure["conf"], (), {})

    monkeypatch.setattr(R, "recognize", fake_recognize)
    unsure, _, _ = _run(clip, drill="auto")
    assert unsure.drill is None and unsure.reps == ()
    sure["conf"] = 0.9
    session, _, _ = _run(clip, drill="auto")
    assert session.drill == "a-skip"
    assert session.status().drill_confidence == pytest.approx(0.9)
    _match(session.reps, _truth_peaks(clip))
    assert len(session.reps) >= 10


def test_changing_the_drill_keeps_counted_reps():
    clip = _clip()
    est = FakeEstimator(clip.sequence)
    session = LiveSession("a-skip", LiveSettings(background=False), estimator=est)
    blank = np.zeros((480, 640, 3), dtype=np.uint8)
    half = len(clip.sequence) // 2
    for t in clip.sequence.t_s[:half]:
        session.process(blank, float(t))
    before = session.reps
    assert before
    session.set_drill("high-knees")
    assert session.drill == "high-knees"
    for t in clip.sequence.t_s[half:]:
        session.process(blank, float(t))
    assert session.reps[:len(before)] == before
    assert {r.drill for r in session.reps[len(before):]} <= {"high-knees"}
    session.close()


def test_unknown_drill_lists_the_valid_ones():
    with pytest.raises(FormcheckError, match="a-skip"):
        LiveSession("hopscotch", estimator=FakeEstimator(_clip(seconds=2.0).sequence))


def test_settings_are_checked():
    with pytest.raises(ValueError):
        LiveSettings(max_side=10)
    with pytest.raises(ValueError):
        LiveSettings(confirm_s=10.0, window_s=6.0)


@pytest.mark.slow
def test_sample_clip_through_mediapipe_counts_true_reps():
    """The real path: MediaPipe (video mode) on a rendered sample clip, frame by frame."""
    from formcheck.video import iter_frames

    clip = SAMPLES / "a-skip_low-knees.mp4"
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    peaks = sorted((e["t_s"], e["side"]) for e in truth["events"] if e["kind"] == "peak_lift")
    with LiveSession("a-skip", LiveSettings(background=False)) as session:
        for f in iter_frames(clip):
            out = session.process(f.image, f.t_s)
            assert out.shape == f.image.shape
        reps = session.reps
        st = session.status()
    assert st.frames_with_pose >= 0.95 * st.frames_processed
    _match(reps, peaks, tol_s=0.1)
    assert len(reps) >= len(peaks) - 3
    assert st.cue == "Drive the knee to hip height, toes up"
    s = session.summary()
    assert s.report is not None and abs(len(s.report.reps) - truth["truth"]["reps"]) <= 1
