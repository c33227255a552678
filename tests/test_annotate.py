"""Annotators draw on the right pixels; the overlay, key frames and plots show what was measured.

Poses are synthetic (formcheck.synth) or built by hand, so every expected pixel is known.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import cv2
import numpy as np
import pytest

from formcheck.analyze import analyze_sequence
from formcheck.annotate.annotators import (
    STYLE,
    AngleArcAnnotator,
    ArmLegAnnotator,
    CueBannerAnnotator,
    CueMark,
    HeadPathAnnotator,
    LeanAnnotator,
    MetricMark,
    OverlaySettings,
    RepCounterAnnotator,
    RepMark,
    SegmentMark,
    SkeletonAnnotator,
    build_overlay,
    default_annotators,
    pose_overlay,
)
from formcheck.annotate.keyframes import plan_keyframes, render_keyframe
from formcheck.annotate.plots import plot_data, render_plots
from formcheck.landmarks import ARM, LEG, N_LANDMARKS, Landmark
from formcheck.sequence import PoseSequence
from formcheck.synth import Camera, defaults_for, make_clip, make_warmup

L = Landmark


def black(w: int, h: int) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def colour_near(img: np.ndarray, p, colour, *, radius: int = 1, tol: int = 12) -> bool:
    """Whether some pixel within ``radius`` of point ``p`` (x, y) has ``colour`` (per channel within ``tol``)."""
    x, y = int(round(p[0])), int(round(p[1]))
    patch = img[max(0, y - radius):y + radius + 1, max(0, x - radius):x + radius + 1].astype(int)
    return bool((np.abs(patch - np.array(colour)).max(axis=2) <= tol).any())


# ----------------------------------------------------------------------------- a pose built by hand
FIGURE = {  # well separated limbs on a 1280x960 frame, pixels
    L.NOSE: (640, 160), L.LEFT_EYE: (620, 140), L.RIGHT_EYE: (660, 140), L.LEFT_EAR: (590, 156),
    L.RIGHT_EAR: (690, 156), L.LEFT_SHOULDER: (520, 300), L.RIGHT_SHOULDER: (760, 300),
    L.LEFT_ELBOW: (400, 440), L.RIGHT_ELBOW: (880, 440), L.LEFT_WRIST: (340, 580), L.RIGHT_WRIST: (940, 580),
    L.LEFT_HIP: (560, 560), L.RIGHT_HIP: (720, 560), L.LEFT_KNEE: (500, 720), L.RIGHT_KNEE: (780, 720),
    L.LEFT_ANKLE: (480, 880), L.RIGHT_ANKLE: (800, 880), L.LEFT_HEEL: (450, 900), L.RIGHT_HEEL: (830, 900),
    L.LEFT_FOOT_INDEX: (520, 910), L.RIGHT_FOOT_INDEX: (760, 910),
}


def hand_sequence(visibility: dict | None = None, left_depth: float = -20.0) -> PoseSequence:
    xy = np.full((3, N_LANDMARKS, 2), np.nan)
    for lm, p in FIGURE.items():
        xy[:, lm] = p
    vis = np.ones((3, N_LANDMARKS))
    for lm, v in (visibility or {}).items():
        vis[:, lm] = v
    z = np.zeros((3, N_LANDMARKS))
    for lm in L:
        if lm.name.startswith("LEFT"):
            z[:, lm] = left_depth
        elif lm.name.startswith("RIGHT"):
            z[:, lm] = -left_depth
    return PoseSequence(xy=xy, visibility=vis, t_s=[0.0, 1 / 30, 2 / 30], width=1280, height=960, z=z)


def mid(a: Landmark, b: Landmark) -> np.ndarray:
    return (np.array(FIGURE[a], float) + np.array(FIGURE[b], float)) / 2


def test_skeleton_draws_near_and_far_side_in_their_colours():
    overlay = pose_overlay(hand_sequence(left_depth=-20.0))  # left side nearer the camera
    assert overlay.near_side == "left"
    img = SkeletonAnnotator().annotate(black(1280, 960), overlay.context(1))
    assert colour_near(img, mid(L.LEFT_HIP, L.LEFT_KNEE), STYLE.near, radius=0)
    assert colour_near(img, mid(L.LEFT_ELBOW, L.LEFT_WRIST), STYLE.near, radius=0)
    assert colour_near(img, mid(L.RIGHT_HIP, L.RIGHT_KNEE), STYLE.far, radius=0)
    assert colour_near(img, mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER), STYLE.centre, radius=0)
    # far side thinner than near side: count the lit pixels across each thigh at its midpoint row
    row = int(mid(L.LEFT_HIP, L.LEFT_KNEE)[1])
    near_w = int((img[row, 400:640].max(axis=1) > 100).sum())
    far_w = int((img[row, 640:900].max(axis=1) > 100).sum())
    assert near_w > far_w >= 1
    # nothing drawn far from the figure
    assert img[50, 50].max() == 0 and img[940, 1260].max() == 0


def test_skeleton_near_side_follows_depth():
    overlay = pose_overlay(hand_sequence(left_depth=+20.0))  # right side nearer
    assert overlay.near_side == "right"
    img = SkeletonAnnotator().annotate(black(1280, 960), overlay.context(0))
    assert colour_near(img, mid(L.RIGHT_HIP, L.RIGHT_KNEE), STYLE.near, radius=0)
    assert colour_near(img, mid(L.LEFT_HIP, L.LEFT_KNEE), STYLE.far, radius=0)


def test_low_visibility_joint_is_faded():
    overlay = pose_overlay(hand_sequence({L.LEFT_KNEE: 0.1}))
    sk = SkeletonAnnotator(faded_alpha=0.35)
    img = sk.annotate(black(1280, 960), overlay.context(0))
    faded = np.round(0.35 * np.array(STYLE.near))  # blended onto a black frame
    for a, b in ((L.LEFT_HIP, L.LEFT_KNEE), (L.LEFT_KNEE, L.LEFT_ANKLE)):
        p = mid(a, b)
        assert colour_near(img, p, faded, radius=0, tol=3), img[int(p[1]), int(p[0])]
    assert colour_near(img, mid(L.RIGHT_HIP, L.RIGHT_KNEE), STYLE.far, radius=0)


def test_scaled_frame_draws_at_scaled_points():
    overlay = pose_overlay(hand_sequence())
    img = SkeletonAnnotator().annotate(black(640, 480), overlay.context(0, scale=0.5))
    assert colour_near(img, mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER) / 2, STYLE.centre, radius=0, tol=40)
    assert colour_near(img, mid(L.LEFT_HIP, L.LEFT_KNEE) / 2, STYLE.near, radius=0, tol=40)


def test_no_pose_frame_is_left_alone():
    overlay = pose_overlay(hand_sequence())
    frame = np.full((960, 1280, 3), 77, np.uint8)
    out = frame.copy()
    for a in default_annotators():
        out = a.annotate(out, overlay.context(-1))
    assert np.array_equal(out, frame)


# ----------------------------------------------------------------------------- synthetic clips
@pytest.fixture(scope="module")
def askip():
    """A-skip with low knees, bad arm timing and a hip bend, seen from the right at 1280x720."""
    clip = make_clip(defaults_for("a-skip", knee_lift_deg=66, arm_leg_phase_deg=70, toe_up_deg=120),
                     Camera(width=1280, height=720, fps=30), duration_s=5)
    report = analyze_sequence(clip.sequence, "a-skip")
    return clip, report, build_overlay(report, clip.sequence)


@pytest.fixture(scope="module")
def march_hinged():
    clip = make_clip(defaults_for("march", hip_hinge_deg=25, body_lean_deg=8),
                     Camera(width=1280, height=720, fps=30), duration_s=4)
    report = analyze_sequence(clip.sequence, "march")
    return clip, report, build_overlay(report, clip.sequence)


def test_near_side_and_forward_follow_the_camera():
    for facing, near, fwd in (("right", "right", 1.0), ("left", "left", -1.0)):
        clip = make_clip("march", Camera(facing=facing, width=640, height=360, fps=30), duration_s=3)
        overlay = build_overlay(analyze_sequence(clip.sequence, "march"), clip.sequence)
        assert (overlay.near_side, overlay.forward) == (near, fwd)


def test_lean_line_joins_the_stance_ankle_and_the_shoulders(march_hinged):
    clip, report, overlay = march_hinged
    right_only = clip.contact[:, 1] & ~clip.contact[:, 0]
    runs = np.flatnonzero(right_only)
    f = int(runs[len(runs) // 2])  # well inside a right-foot stance
    assert right_only[f - 2:f + 3].all()
    ankle, shoulder, hip = overlay.stance_ankle[f], overlay.shoulder_mid[f], overlay.hip_mid[f]
    # the line starts at the ankle of the foot on the ground (the synthetic athlete's true ankle)
    assert np.allclose(ankle, clip.sequence.xy[f, L.RIGHT_ANKLE], atol=1.0)
    sh_true = (clip.sequence.xy[f, L.LEFT_SHOULDER] + clip.sequence.xy[f, L.RIGHT_SHOULDER]) / 2
    assert np.allclose(shoulder, sh_true, atol=1.0)
    img = LeanAnnotator(show_values=False).annotate(black(1280, 720), overlay.context(f))
    for s in (0.0, 0.15, 0.3, 0.6, 0.97):
        assert colour_near(img, ankle + s * (shoulder - ankle), STYLE.lean), s
    # with a 25 deg hip hinge the trunk line leaves the lean line: its middle is visible in its own colour
    trunk_mid = (hip + shoulder) / 2
    u, w = shoulder - ankle, trunk_mid - ankle
    d = abs(u[0] * w[1] - u[1] * w[0]) / np.linalg.norm(u)
    assert d > 10
    assert colour_near(img, trunk_mid, STYLE.trunk)
    # the dashed vertical rises straight up from the ankle (looked at where the lean line has left it)
    hits = [colour_near(img, (ankle[0], ankle[1] - s * (ankle[1] - shoulder[1])), STYLE.vertical, radius=0, tol=60)
            for s in np.linspace(0.5, 0.95, 60)]
    assert 0.25 < np.mean(hits) < 0.9  # dashes and gaps


def test_lean_is_not_drawn_in_flight(askip):
    _, _, overlay = askip
    flight = np.flatnonzero(~np.isfinite(overlay.stance_ankle[:, 0]))
    assert flight.size, "an A-skip has flight phases"
    img = LeanAnnotator().annotate(black(1280, 720), overlay.context(int(flight[0])))
    assert img.max() == 0


def test_thigh_arc_at_peak_lift_shows_the_measured_angle_and_band(askip):
    clip, report, overlay = askip
    mark = overlay.marks["knee_lift_deg"][3]
    f = mark.frame
    assert overlay.mark_at("knee_lift_deg", f) is mark
    hip, knee = (overlay.xy[f, lm] for lm in LEG[mark.side][:2])
    # the value drawn is the thigh's angle in the picture at that frame (forward = image right)
    v = knee - hip
    assert math.degrees(math.atan2(v[0], v[1])) == pytest.approx(mark.value, abs=0.5)
    assert mark.value == pytest.approx(66, abs=3) and mark.in_band is False
    img = AngleArcAnnotator("knee_lift_deg").annotate(black(1280, 720), overlay.context(f))
    r = 0.55 * float(np.hypot(*v))
    at = lambda deg, rad: hip + rad * np.array([math.sin(math.radians(deg)), math.cos(math.radians(deg))])  # noqa: E731
    for deg in (3.0, mark.value / 2, mark.value - 3):
        assert colour_near(img, at(deg, r), STYLE.major), deg  # out of the band: drawn as a fault
    assert not colour_near(img, at(mark.value + 12, r), STYLE.major, radius=2, tol=60)
    lo, hi = report.metrics["knee_lift_deg"].target
    band = np.round(0.35 * np.array(STYLE.band))
    assert colour_near(img, at((lo + hi) / 2, 0.6 * r), band, radius=0, tol=4)
    assert not colour_near(img, at(lo - 8, 0.6 * r), band, radius=1, tol=4)


def test_knee_flexion_arc_runs_from_the_thigh_line_to_the_shin():
    clip = make_clip("butt-kicks", Camera(width=1280, height=720, fps=30), duration_s=4)
    report = analyze_sequence(clip.sequence, "butt-kicks")
    overlay = build_overlay(report, clip.sequence)
    mark = overlay.marks["knee_flexion_deg"][2]
    f = mark.frame
    hip, knee, ankle = (overlay.xy[f, lm] for lm in LEG[mark.side][:3])
    thigh, shin = knee - hip, ankle - knee
    cosang = float(np.dot(thigh, shin) / (np.linalg.norm(thigh) * np.linalg.norm(shin)))
    assert math.degrees(math.acos(cosang)) == pytest.approx(mark.value, abs=0.5)  # the measured value
    img = AngleArcAnnotator("knee_flexion_deg").annotate(black(1280, 720), overlay.context(f))
    colour = STYLE.good if mark.in_band else STYLE.major
    r = 0.55 * float(np.linalg.norm(shin))
    u_start, u_end = thigh / np.linalg.norm(thigh), shin / np.linalg.norm(shin)
    assert colour_near(img, knee + r * u_start, colour, radius=2)  # starts on the thigh's continuation
    assert colour_near(img, knee + r * u_end, colour, radius=2)    # ends on the shin
    half = u_start + u_end
    assert colour_near(img, knee + r * half / np.linalg.norm(half), colour, radius=2)


def test_head_path_covers_the_last_second(askip):
    _, _, overlay = askip
    f = 100
    img = HeadPathAnnotator(trail_s=1.0).annotate(black(1280, 720), overlay.context(f))
    t = overlay.t_s
    assert colour_near(img, overlay.head[f], STYLE.head)
    for back_s in (0.2, 0.5, 0.9):
        j = int(np.argmin(np.abs(t - (t[f] - back_s))))
        assert colour_near(img, overlay.head[j], STYLE.head, radius=2, tol=60), back_s
    old = int(np.argmin(np.abs(t - (t[f] - 1.6))))
    path = overlay.head[int(np.searchsorted(t, t[f] - 1.0)):f + 1]
    if np.min(np.hypot(*(path - overlay.head[old]).T)) > 8:  # the older head position is off the recent path
        assert not colour_near(img, overlay.head[old], STYLE.head, radius=1, tol=60)


def test_arm_leg_pairs_share_a_colour(askip):
    _, _, overlay = askip
    f = overlay.marks["arm_leg_phase_deg"][1].frame
    img = ArmLegAnnotator().annotate(black(1280, 720), overlay.context(f))
    for arm, colour in (("left", STYLE.pair_a), ("right", STYLE.pair_b)):
        leg = "right" if arm == "left" else "left"
        sh, el = overlay.xy[f, ARM[arm][0]], overlay.xy[f, ARM[arm][1]]
        hip, knee = overlay.xy[f, LEG[leg][0]], overlay.xy[f, LEG[leg][1]]
        assert colour_near(img, (sh + el) / 2 + 0.1 * (el - sh), colour, radius=1, tol=40), arm
        assert colour_near(img, (hip + knee) / 2 + 0.2 * (knee - hip), colour, radius=1, tol=40), leg


def warmup_report(clip):
    """A warm-up report with one segment per drill of a synthetic warm-up, made from the public
    analysis steps (measure each segment, score it with its clip frame offset), so it does not
    depend on drill recognition."""
    from formcheck.drills import get_drill
    from formcheck.filters import clean
    from formcheck.measure import detect_view, measure
    from formcheck.report import DrillInfo, PoseSummary, Report, SegmentResult, VideoSummary
    from formcheck.scoring import rank_cues, score_drill

    seq = clip.sequence
    cleaned = clean(seq)
    segs = []
    for part in clip.segments:
        spec = get_drill(part["drill"]) if part["drill"] not in ("walk", "stand") else None
        if spec is None:
            continue
        a, b = (int(np.searchsorted(seq.t_s, part[k] - 1e-9)) for k in ("start_s", "end_s"))
        sub = cleaned.slice(a, b)
        view = detect_view(sub)
        m = measure(sub, spec.metrics_for(view.view), rep_event=spec.rep_event, view=view)
        dr = score_drill(spec, m, frame_offset=a, segment=len(segs))
        segs.append(SegmentResult(drill=spec.name, start_s=float(seq.t_s[a]), end_s=float(seq.t_s[b - 1]),
                                  start_frame=a, end_frame=b, confidence=1.0, report=dr))
    view = detect_view(cleaned)
    return Report(
        formcheck_version="test", video=VideoSummary(None, seq.width, seq.height, seq.fps, seq.duration_s, len(seq)),
        pose=PoseSummary(None, seq.frames_with_pose, seq.coverage, view.view, view.facing, view.confidence),
        drill=DrillInfo("warm-up", "detected", 1.0), segments=tuple(segs), metrics={}, reps=(), score=None,
        cues=rank_cues([c for s in segs for c in s.report.cues]), warnings=(), t_s=seq.t_s)


def test_marks_and_reps_are_in_clip_frames_for_each_segment():
    clip = make_warmup([("a-skip", 4.0), ("butt-kicks", 4.0)], Camera(width=640, height=360, fps=30), gap_s=1.0)
    report = warmup_report(clip)
    assert report.is_warmup and [s.drill for s in report.segments] == ["a-skip", "butt-kicks"]
    overlay = build_overlay(report, clip.sequence)
    for seg_result, seg in zip(report.segments, overlay.segments):
        assert (seg.start_frame, seg.end_frame) == (seg_result.start_frame, seg_result.end_frame)
        reps = [r for r in overlay.reps if r.segment == seg.index]
        assert [r.frame for r in reps] == [r.frame for r in seg_result.report.reps]
        main = seg.main_metric
        marks = [m for m in overlay.marks[main] if m.segment == seg.index]
        # a lift / flexion rep is defined by the peak of its main metric: the mark sits on the rep's frame
        by_frame = {r.frame: r for r in seg_result.report.reps}
        for m in marks:
            assert m.frame in by_frame
            assert m.value == pytest.approx(by_frame[m.frame].values[main], abs=1e-6)
            assert seg.start_frame <= m.frame < seg.end_frame
    assert overlay.segments[1].start_frame > 0
    assert (overlay.segment_at[overlay.segments[1].start_frame:overlay.segments[1].end_frame] == 1).all()


def test_cue_banner_appears_at_the_evidence_frames_only(askip):
    clip, report, _ = askip
    overlay = build_overlay(report, clip.sequence, settings=OverlaySettings(show_window_s=0.0))
    cue = overlay.cues[0]
    f = cue.frames[0]
    banner = CueBannerAnnotator()
    img = banner.annotate(black(1280, 720), overlay.context(f))
    colour = STYLE.major if cue.severity == "major" else STYLE.minor
    pad = int(round(0.03 * 720)) + 2
    assert colour_near(img, (pad + 2, 720 - pad - 4), colour, radius=0, tol=0)
    assert img[:400].max() == 0  # only along the bottom
    quiet = next(i for i in range(len(overlay.t_s)) if all(i not in c.frames for c in overlay.cues))
    assert banner.annotate(black(1280, 720), overlay.context(quiet)).max() == 0
    assert banner.annotate(black(1280, 720), overlay.context(f, show_cues=False)).max() == 0


def test_rep_counter_counts_reps_of_the_segment(askip):
    _, report, overlay = askip
    reps = overlay.reps
    assert len(reps) == len(report.reps)
    assert overlay.reps_done_at[reps[0].frame - 1] == 0
    for r in reps:
        assert overlay.reps_done_at[r.frame] == r.number
        assert overlay.last_rep_at[r.frame] == r.index
    img = RepCounterAnnotator().annotate(black(1280, 720), overlay.context(reps[2].frame))
    assert img[:200, :400].max() > 0 and img[400:].max() == 0


def test_nearest_frame_within_the_window():
    from formcheck.annotate.annotators import _nearest_within

    t = np.arange(10.0)
    # candidates at frames 2, 7 and 7 again (ranks 1, 0, 2): frame 7 goes to the better-ranked one
    got = _nearest_within(t, [2, 7, 7], 1.5, rank=[1, 0, 2])
    assert got.tolist() == [-1, 0, 0, 0, -1, -1, 1, 1, 1, -1]
    # equally near two candidates: the lower rank wins, whichever side it is on
    assert _nearest_within(t, [3, 5], 1.0, rank=[1, 0]).tolist()[2:7] == [0, 0, 1, 1, 1]
    assert _nearest_within(t, [3, 5], 1.0, rank=[0, 1]).tolist()[2:7] == [0, 0, 0, 1, 1]
    assert _nearest_within(t, [], 1.0).tolist() == [-1] * 10
    assert _nearest_within(t, [4, 99, -1], 0.0).tolist() == [-1] * 4 + [0] + [-1] * 5


# ----------------------------------------------------------------------------- key frames
def _hand_overlay(values, scores, target=(80.0, 110.0)):
    seq = make_clip("march", Camera(width=640, height=360, fps=30), duration_s=3).sequence
    base = pose_overlay(seq)
    frames = [10 + 15 * k for k in range(len(values))]
    seg = SegmentMark(0, "march", "March", "lift", "knee_lift_deg", 0, len(seq), None,
                      {"knee_lift_deg": (float(np.median(values)), "deg", target)})
    reps = tuple(RepMark(k, k + 1, 0, "left", f, float(seq.t_s[f]), s) for k, (f, s) in enumerate(zip(frames, scores)))
    marks = {"knee_lift_deg": tuple(
        MetricMark("knee_lift_deg", k, 0, "left", f, v, target[0] <= v <= target[1])
        for k, (f, v) in enumerate(zip(frames, values)))}
    worst = int(np.argmin(values))
    cue = CueMark(1, "knee-height", "knee_lift_deg", "major", "Drive the knee to hip height", "march", 0,
                  (frames[worst],))
    return replace(base, segments=(seg,), reps=reps, marks=marks, cues=(cue,),
                   segment_at=np.zeros(len(seq), dtype=np.intp))


@pytest.mark.parametrize("values, scores, best_rep", [
    ([70, 85, 60, 78], [60, 100, 30, 90], 1),   # the only rep inside the band
    ([70, 60, 78], [60, 30, 90], 2),            # none inside: the nearest to the band
    ([85, 60, 90], [70, 30, 90], 2),            # two inside: the higher rep score
])
def test_keyframe_pairs_the_worst_rep_with_the_best(values, scores, best_rep):
    overlay = _hand_overlay(values, scores)
    (plan,) = plan_keyframes(overlay)
    assert plan.worst_frame == overlay.cues[0].frames[0]
    assert plan.worst.value == min(values)
    assert plan.best is not None and plan.best.rep == best_rep
    image = render_keyframe(plan, {}, overlay)  # no video: a plain background
    assert image.dtype == np.uint8 and image.shape[0] > 640 and image.shape[1] > 2 * 300


def test_keyframe_without_a_better_rep_shows_one_picture():
    overlay = _hand_overlay([60.0], [30.0])
    (plan,) = plan_keyframes(overlay)
    assert plan.best is None
    one = render_keyframe(plan, {}, overlay)
    overlay2 = _hand_overlay([60.0, 85.0], [30.0, 100.0])
    two = render_keyframe(plan_keyframes(overlay2)[0], {}, overlay2)
    assert one.shape[1] < two.shape[1]


def test_keyframes_of_a_real_report_use_its_evidence(askip):
    clip, report, overlay = askip
    plans = plan_keyframes(overlay)
    assert [p.cue.id for p in plans] == [c.id for c in report.cues]
    for plan, cue in zip(plans, report.cues):
        assert plan.worst_frame == cue.evidence[0][1]
        assert plan.worst is not None and plan.worst.frame == plan.worst_frame


# ----------------------------------------------------------------------------- plots
def test_plot_data_is_tidy_and_matches_the_report(askip):
    clip, report, _ = askip
    data = plot_data(report, sequence=clip.sequence)
    json.dumps(data, allow_nan=False)
    for side in ("left", "right"):
        rows = [r for r in data["main"] if r["side"] == side]
        series = report.series[f"{side}_thigh_deg"]
        assert len(rows) == int(np.isfinite(series).sum())
        assert [r["value"] for r in rows[:20]] == pytest.approx(series[np.isfinite(series)][:20], abs=1e-3)
    lifts = [r for r in data["reps"] if r["metric"] == "knee_lift_deg"]
    assert [r["rep"] for r in lifts] == [r.index + 1 for r in report.reps]
    assert [r["value"] for r in lifts] == pytest.approx([r.values["knee_lift_deg"] for r in report.reps], abs=1e-3)
    (band,) = [t for t in data["targets"] if t["metric"] == "knee_lift_deg"]
    assert (band["low"], band["high"]) == report.metrics["knee_lift_deg"].target
    phase = {r["pair"]: r["value"] for r in data["phase"]}
    m = report.metrics["arm_leg_phase_deg"]
    assert phase["right arm / left thigh"] == pytest.approx(m.left, abs=1e-3)
    assert phase["left arm / right thigh"] == pytest.approx(m.right, abs=1e-3)
    assert {r["limb"] for r in data["arm_leg"]} == {"arm", "thigh"}
    assert {r["series"] for r in data["lean"]} >= {"trunk lean (hip to shoulder)"}


def test_plot_data_from_the_report_alone(askip):
    _, report, _ = askip
    data = plot_data(report)
    assert len(data["main"]) > 0
    assert [r["frame"] for r in data["reps"] if r["metric"] == "knee_lift_deg"] == [r.frame for r in report.reps]


def test_plots_render_as_png(askip):
    _, _, overlay = askip
    plots = render_plots(overlay)
    assert [p.name for p in plots] == ["main_0_a-skip", "lean", "arm_leg"]
    for p in plots:
        assert p.png[:8] == b"\x89PNG\r\n\x1a\n"
        img = cv2.imdecode(np.frombuffer(p.png, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[1] >= 600


def test_a_drill_without_arm_timing_has_no_arm_plot():
    clip = make_clip("calf-raises", Camera(width=640, height=360, fps=30), duration_s=8)
    report = analyze_sequence(clip.sequence, "calf-raises")
    names = [p.name for p in render_plots(build_overlay(report, clip.sequence))]
    assert "arm_leg" not in names and names[0] == "main_0_calf-raises"


def test_plot_data_charts_in_altair(askip):
    alt = pytest.importorskip("altair")
    pd = pytest.importorskip("pandas")
    _, report, _ = askip
    data = plot_data(report)
    spec = alt.Chart(pd.DataFrame(data["main"])).mark_line().encode(x="t_s:Q", y="value:Q", color="signal:N")
    band = alt.Chart(pd.DataFrame(data["targets"])).mark_rect(opacity=0.2).encode(
        x="start_s:Q", x2="end_s:Q", y="low:Q", y2="high:Q")
    d = (band + spec).to_dict()
    assert d["layer"][1]["encoding"]["y"]["field"] == "value"
