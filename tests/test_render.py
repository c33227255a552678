"""The renderer: drawn geometry matches the projected truth, occlusion and shading, the files it
writes, the image-plane ground truth, the CLI, the bundled samples, and (slow) that MediaPipe
finds the rendered athlete."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main
from formcheck.landmarks import Landmark as L
from formcheck.synth import Camera, make_clip
from formcheck.synth.render import (
    LOOKS,
    SAMPLES,
    TRUTH_FORMAT,
    RenderError,
    RenderSettings,
    image_truth,
    load_truth,
    make_sample_clip,
    parse_fault,
    parse_size,
    project_clip,
    render_clip,
    render_frames,
    sample_settings,
    synth_clip,
    truth_document,
)
from formcheck.video import iter_frames, probe

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_videos"
SKIN = np.array(LOOKS["blue"].skin_rgb, dtype=float)
SHIRT = np.array(LOOKS["blue"].shirt_rgb, dtype=float)
SHORTS = np.array(LOOKS["blue"].shorts_rgb, dtype=float)


def frame(clip, i: int, **settings) -> np.ndarray:
    return next(islice(render_frames(clip, RenderSettings(**settings)), i, None)).astype(float)


def near_colour(pixel: np.ndarray, rgb: np.ndarray, lo: float = 0.6, hi: float = 1.2) -> bool:
    """``pixel`` is ``rgb`` shaded (scaled by one factor in [lo, hi]) -- same hue, any shade band."""
    k = float(pixel @ rgb / (rgb @ rgb))
    return lo <= k <= hi and float(np.linalg.norm(pixel - k * rgb)) < 18.0


def _patch(img: np.ndarray, uv: np.ndarray, r: int = 1) -> np.ndarray:
    x, y = int(round(uv[0])), int(round(uv[1]))
    return img[y - r:y + r + 1, x - r:x + r + 1].reshape(-1, 3).mean(axis=0)


# ---------------------------------------------------------------------------- geometry
@pytest.mark.parametrize("facing", ["right", "left"])
def test_near_side_joints_are_drawn_where_they_project(facing):
    clip = make_clip("a-skip", Camera(facing=facing, width=640, height=360, fps=30), duration_s=1.0, seed=3)
    xy, _ = project_clip(clip)
    near = "RIGHT" if facing == "right" else "LEFT"
    for i in (0, 9, 17):
        img = frame(clip, i)
        for lm in ("KNEE", "ELBOW"):
            p = _patch(img, xy[i, L[f"{near}_{lm}"]])
            assert near_colour(p, SKIN), (facing, i, lm, p)
        hand_at_hip = np.linalg.norm(xy[i, L[f"{near}_WRIST"]] - xy[i, L[f"{near}_HIP"]]) < 40
        if not hand_at_hip:
            hip = _patch(img, xy[i, L[f"{near}_HIP"]])
            assert float(np.linalg.norm(hip - SHORTS)) < 30, (i, hip)


def test_limb_outline_is_centred_on_the_projected_bone():
    """Across the near shank, halfway between knee and ankle, the body spans both sides of the bone
    line: the drawn limb is centred on the truth, not beside it."""
    clip = make_clip("stand", Camera(width=640, height=360, fps=30), duration_s=0.5, seed=0)
    xy, _ = project_clip(clip)
    img = frame(clip, 3)
    knee, ankle = xy[3, L.RIGHT_KNEE], xy[3, L.RIGHT_ANKLE]
    mid = 0.5 * (knee + ankle)
    row = img[int(round(mid[1]))]
    skin = np.array([near_colour(px, SKIN) for px in row])
    cols = np.flatnonzero(skin)
    run = cols[np.abs(cols - mid[0]) < 25]
    assert run.size and run.min() < mid[0] < run.max()
    width = run.max() - run.min() + 1
    s = clip.camera.body_height_frac * clip.camera.height / 1.75     # px per metre at the athlete
    assert 0.05 * s < width < 0.16 * s                                  # a shank ~8-12 cm across


def _arm_moved_forward(clip, side: str):
    """The clip with one arm lifted out in front of the body (so it overlaps nothing)."""
    world = clip.world_m.copy()
    for lm in ("ELBOW", "WRIST", "INDEX", "PINKY", "THUMB"):
        world[:, L[f"{side}_{lm}"]] += np.array([0.45, 0.15, 0.0])
    return replace(clip, world_m=world)


def test_near_arm_is_drawn_over_the_torso_and_far_arm_behind_it():
    clip = make_clip("stand", Camera(width=640, height=360, fps=30), duration_s=0.5, seed=0)
    # seen from the right: the right arm, hanging beside the trunk, is in front of the shirt ...
    only_near = _arm_moved_forward(clip, "LEFT")
    xy, _ = project_clip(only_near)
    assert near_colour(_patch(frame(only_near, 2), xy[2, L.RIGHT_ELBOW]), SKIN)
    # ... and the left arm, hanging there, is hidden behind it
    only_far = _arm_moved_forward(clip, "RIGHT")
    xy, _ = project_clip(only_far)
    assert near_colour(_patch(frame(only_far, 2), xy[2, L.LEFT_ELBOW]), SHIRT)


def test_far_side_is_drawn_darker():
    clip = make_clip("high-knees", Camera(width=640, height=360, fps=30), duration_s=1.0, seed=1)
    xy, _ = project_clip(clip)
    ratios = []
    for i in range(0, 30, 3):
        img = frame(clip, i)
        near = _patch(img, 0.5 * (xy[i, L.RIGHT_ELBOW] + xy[i, L.RIGHT_WRIST]))
        far = _patch(img, 0.5 * (xy[i, L.LEFT_ELBOW] + xy[i, L.LEFT_WRIST]))
        if near_colour(near, SKIN) and near_colour(far, SKIN):
            ratios.append(far.sum() / near.sum())
    assert ratios and np.median(ratios) < 0.95


def test_frames_are_the_same_every_time_and_noise_is_seeded():
    clip = make_clip("march", Camera(width=320, height=180, fps=30), duration_s=0.5, seed=2)
    a = frame(clip, 4, noise_sigma=3.0, seed=5)
    b = frame(clip, 4, noise_sigma=3.0, seed=5)
    c = frame(clip, 4)
    assert np.array_equal(a, b)
    assert 1.0 < float(np.std(a - c)) < 5.0


def test_motion_blur_smears_a_moving_limb_only():
    clip = make_clip("strides", Camera(width=320, height=180, fps=30), duration_s=0.5, seed=2)
    sharp = frame(clip, 6)
    blurred = frame(clip, 6, motion_blur_frac=0.8)
    diff = np.abs(sharp - blurred).sum(axis=2)
    assert (diff > 30).mean() > 0.001                  # the athlete moved
    assert np.median(diff) < 4.0                       # the background did not


# ---------------------------------------------------------------------------- truth
@pytest.mark.parametrize("drill", ["a-skip", "high-knees", "march", "butt-kicks", "skip", "strides",
                                   "calf-raises", "single-leg-balance"])
def test_orthographic_image_truth_is_the_model_truth(drill):
    """Measured on the orthographic projection, the image-plane truth is the motion model's own."""
    clip = make_clip(drill, Camera(width=640, height=360, fps=30, follow=False), duration_s=6.0, seed=1)
    got = image_truth(clip, perspective=False)

    def same(name, a, b):
        if isinstance(b, str):
            return a == b
        tol = 0.01 if name == "contact_offset_frac" else 1e-6 + 1e-6 * abs(b)
        return abs(a - b) <= tol

    for name, want in clip.truth.items():
        if name != "per_side":
            assert same(name, got[name], want), (name, got[name], want)
    for side in ("left", "right"):
        for name, want in clip.truth["per_side"][side].items():
            assert same(name, got["per_side"][side][name], want), (side, name)


def test_perspective_truth_differs_only_slightly_for_a_panning_camera():
    clip = make_clip("a-skip", Camera(width=640, height=360, fps=30), duration_s=5.0, seed=2)
    persp = image_truth(clip)
    for name in ("knee_lift_deg", "knee_flexion_deg", "toe_up_deg", "trunk_lean_deg", "body_lean_deg",
                 "hip_hinge_deg"):
        assert abs(persp[name] - clip.truth[name]) < 0.5, name


def test_perspective_truth_sees_the_off_axis_athlete():
    """Passing a fixed camera far off its axis, shoulders and hips at different depths shift their
    image midpoints: the image-plane trunk lean is not the 3D one."""
    clip = make_clip("strides", Camera(width=640, height=360, fps=30, follow=False), duration_s=4.0, seed=1)
    assert abs(image_truth(clip)["trunk_lean_deg"] - clip.truth["trunk_lean_deg"]) > 0.3


def test_warmup_truth_has_every_part():
    clip = synth_clip("warm-up", parts=[("march", 4.0), ("high-knees", 4.0)], size=(320, 180), fps=30, seed=1)
    t = image_truth(clip)
    assert [p["drill"] for p in t["parts"]] == ["march", "high-knees"]
    for p in t["parts"]:
        assert 70 < p["truth"]["knee_lift_deg"] < 100


# ---------------------------------------------------------------------------- files
def test_render_clip_writes_video_and_truth(tmp_path):
    clip = synth_clip("high-knees", faults={"knee_lift_deg": 60.0}, facing="left", size=(320, 180), fps=30,
                      seconds=1.5, seed=4)
    out = render_clip(clip, tmp_path / "hk.mp4", RenderSettings(crf=30))
    info = probe(out.video)
    assert (info.width, info.height, info.codec) == (320, 180, "h264")
    assert info.fps == pytest.approx(30.0, rel=1e-3)
    assert info.frames == len(clip.world_m) == out.frames
    doc = json.loads(out.truth_json.read_text())
    assert doc["format"] == TRUTH_FORMAT and doc["drill"] == "high-knees" and doc["video"] == "hk.mp4"
    assert doc["params"]["knee_lift_deg"] == 60.0
    assert doc["truth"]["knee_lift_deg"] == pytest.approx(60.0, abs=0.01)
    assert doc["camera"]["facing"] == "left" and doc["projection"] == "perspective"
    assert any(e["kind"] == "peak_lift" for e in doc["events"])
    loaded = load_truth(out.video)
    xy, _ = project_clip(clip)
    assert loaded["xy"].shape == (out.frames, 33, 2)
    np.testing.assert_allclose(loaded["xy"], xy, atol=1e-3)
    np.testing.assert_allclose(loaded["t_s"], clip.sequence.t_s)
    frames = list(iter_frames(out.video))
    np.testing.assert_allclose([f.t_s for f in frames], clip.sequence.t_s, atol=1e-3)


def test_a_failed_render_leaves_nothing(tmp_path, monkeypatch):
    import formcheck.synth.render as R

    clip = synth_clip("march", size=(160, 120), fps=30, seconds=1.0)

    def broken(*a, **k):
        yield np.zeros((120, 160, 3), np.uint8)
        raise RuntimeError("boom")

    monkeypatch.setattr(R, "render_frames", broken)
    with pytest.raises(RuntimeError):
        render_clip(clip, tmp_path / "m.mp4")
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_are_one_line_errors():
    with pytest.raises(RenderError, match="even"):
        parse_size("641x360")
    with pytest.raises(RenderError, match="WIDTHxHEIGHT"):
        parse_size("big")
    with pytest.raises(RenderError, match="knee_lift_deg"):
        parse_fault("knee=3")
    assert parse_fault("hip_hinge_deg=20") == ("hip_hinge_deg", 20.0)
    with pytest.raises(RenderError, match="unknown look"):
        RenderSettings(look="purple")
    with pytest.raises(RenderError, match="unknown drill"):
        synth_clip("cartwheel")


# ---------------------------------------------------------------------------- CLI
def test_cli_renders_a_faulty_clip(tmp_path, capsys):
    out = tmp_path / "as.mp4"
    rc = main(["render", "a-skip", "--fault", "knee_lift_deg=55", "--size", "160x120", "--fps", "30",
               "--seconds", "1.2", "--out", str(out)])
    assert rc == 0
    doc = json.loads(out.with_name("as.truth.json").read_text())
    assert doc["truth"]["knee_lift_deg"] == pytest.approx(55.0, abs=0.01)
    assert "knee_lift_deg 55" in capsys.readouterr().out


def test_cli_bad_fault_exits_2(tmp_path, capsys):
    assert main(["render", "a-skip", "--fault", "knees=high", "--out", str(tmp_path / "x.mp4")]) == 2
    assert "FIELD=VALUE" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------- bundled samples
def test_bundled_samples_are_present_with_their_truth():
    names = {s.name for s in SAMPLES}
    assert {"a-skip_good", "a-skip_low-knees", "strides_good", "strides_hip-bend", "high-knees_good",
            "high-knees_same-side-arms", "warmup"} <= names
    assert any(s.size[1] > s.size[0] for s in SAMPLES)              # a portrait clip
    total = 0
    for s in SAMPLES:
        video = SAMPLE_DIR / f"{s.name}.mp4"
        info = probe(video)
        assert (info.width, info.height) == s.size and info.codec == "h264"
        doc = load_truth(video)
        assert doc["video"] == video.name
        total += sum(p.stat().st_size for p in SAMPLE_DIR.glob(f"{s.name}.*"))
    assert total < 6 * 1024 * 1024


@pytest.mark.parametrize("spec", [s for s in SAMPLES if s.name in ("a-skip_low-knees", "strides_hip-bend")],
                         ids=lambda s: s.name)
def test_bundled_truth_is_what_the_renderer_makes_today(spec):
    """The samples are regenerated deterministically: the bundled ground truth equals a fresh one."""
    doc = json.loads((SAMPLE_DIR / f"{spec.name}.truth.json").read_text())
    fresh = json.loads(json.dumps(truth_document(make_sample_clip(spec), sample_settings(spec), f"{spec.name}.mp4")))
    stale = f"sample_videos/ is stale: regenerate it with formcheck render --samples sample_videos/"
    assert _close(fresh, doc), stale


def _close(a, b) -> bool:
    """Same JSON document, numbers equal to 1e-4."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= 1e-4 * max(1.0, abs(b))
    return a == b


def test_sample_faults_are_planted():
    by = {s.name: json.loads((SAMPLE_DIR / f"{s.name}.truth.json").read_text()) for s in SAMPLES}
    assert by["a-skip_good"]["truth"]["knee_lift_deg"] > 85 > 65 > by["a-skip_low-knees"]["truth"]["knee_lift_deg"]
    assert by["strides_hip-bend"]["truth"]["hip_hinge_deg"] > 18 > 5 > by["strides_good"]["truth"]["hip_hinge_deg"]
    assert by["high-knees_same-side-arms"]["truth"]["arm_leg_phase_deg"] > 170
    assert by["high-knees_good"]["truth"]["arm_leg_phase_deg"] < 10
    assert [p["drill"] for p in by["warmup"]["parts"]] == ["march", "a-skip", "high-knees", "butt-kicks"]


# ---------------------------------------------------------------------------- MediaPipe sees the athlete
@pytest.mark.slow
@pytest.mark.parametrize("drill,facing,size", [("a-skip", "right", (480, 270)), ("high-knees", "left", (270, 480))])
def test_mediapipe_finds_the_rendered_athlete(tmp_path, drill, facing, size):
    from formcheck.pose.pipeline import extract_pose

    clip = synth_clip(drill, facing=facing, size=size, fps=30, seconds=2.0, seed=8)
    out = render_clip(clip, tmp_path / f"{drill}.mp4")
    seq = extract_pose(out.video, use_cache=False).sequence
    assert seq.coverage >= 0.95
    truth = load_truth(out.video)["xy"]
    leg = np.median(np.linalg.norm(truth[:, L.RIGHT_HIP] - truth[:, L.RIGHT_KNEE], axis=1)
                    + np.linalg.norm(truth[:, L.RIGHT_KNEE] - truth[:, L.RIGHT_ANKLE], axis=1))
    near = "RIGHT" if facing == "right" else "LEFT"
    for lm in ("SHOULDER", "ELBOW", "HIP", "KNEE", "ANKLE"):
        err = np.linalg.norm(seq.xy[:, L[f"{near}_{lm}"]] - truth[:, L[f"{near}_{lm}"]], axis=1)
        assert np.nanmedian(err) < 0.08 * leg, lm
