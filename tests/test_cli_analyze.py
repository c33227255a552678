"""``formcheck analyze`` end to end: on a synthetic pose (pose step replaced) and on a real clip."""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import pytest

from formcheck.cli import main
from formcheck.errors import NoPersonError
from formcheck.report import validate_report_dict
from formcheck.synth.motion import Camera, defaults_for, make_clip


@pytest.fixture(scope="module")
def synthetic():
    return make_clip(defaults_for("a-skip", knee_lift_deg=58), Camera(), duration_s=8.0, seed=31, noise_px=1.0)


@pytest.fixture
def fake_pose(monkeypatch, synthetic, tmp_path):
    """Replace the pose step by the synthetic sequence; returns the (dummy) clip path and the calls."""
    import formcheck.pose.pipeline as pipeline

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not really a video")
    calls = []

    def fake_extract(path, *, model="full", athlete="auto", use_cache=True, progress=None, **kw):
        calls.append({"path": str(path), "model": model, "use_cache": use_cache})
        seq = synthetic.sequence
        video = SimpleNamespace(path=str(path), width=seq.width, height=seq.height, fps=seq.fps,
                                duration_s=seq.duration_s, frames=len(seq))
        return SimpleNamespace(sequence=seq, video=video, cached=False, seconds=0.0)

    monkeypatch.setattr(pipeline, "extract_pose", fake_extract)
    return clip, calls


def test_analyze_writes_report_and_csv(fake_pose, tmp_path, capsys):
    clip, calls = fake_pose
    out = tmp_path / "out"
    assert main(["analyze", str(clip), "--no-visuals", "--drill", "a-skip", "--out", str(out), "--no-cache"]) == 0
    assert calls == [{"path": str(clip), "model": "full", "use_cache": False}]
    assert sorted(p.name for p in out.iterdir()) == ["metrics.csv", "report.json"]
    report = json.loads((out / "report.json").read_text())
    validate_report_dict(report)
    assert report["drill"] == {"name": "a-skip", "source": "given", "confidence": None, "alternatives": []}
    assert report["video"]["path"] == str(clip)
    assert report["cues"][0]["text"] == "Drive the knee to hip height, toes up"
    header = next(csv.reader((out / "metrics.csv").open()))
    assert header[:2] == ["frame", "t_s"] and "left_thigh_deg" in header
    text = capsys.readouterr().out
    assert text.startswith("a-skip (given): score ")
    assert "Drive the knee to hip height, toes up" in text and "report.json" in text


def test_default_out_folder_is_named_after_the_clip(fake_pose, tmp_path, monkeypatch):
    clip, _ = fake_pose
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["analyze", str(clip), "--no-visuals", "--drill", "a-skip"]) == 0
    assert [p.name for p in work.iterdir()] == ["clip_formcheck"]
    assert (work / "clip_formcheck" / "report.json").is_file()


def test_json_to_stdout_keeps_stdout_clean(fake_pose, tmp_path, capsys):
    clip, _ = fake_pose
    assert main(["analyze", str(clip), "--no-visuals", "--drill", "a-skip", "--out", str(tmp_path / "o"), "--json", "-"]) == 0
    cap = capsys.readouterr()
    d = json.loads(cap.out)
    validate_report_dict(d)
    assert "a-skip (given)" in cap.err


def test_json_to_path(fake_pose, tmp_path):
    clip, _ = fake_pose
    dest = tmp_path / "deep" / "r.json"
    assert main(["analyze", str(clip), "--no-visuals", "--drill", "a-skip", "--out", str(tmp_path / "o"), "--json", str(dest)]) == 0
    assert json.loads(dest.read_text()) == json.loads((tmp_path / "o" / "report.json").read_text())


def test_auto_drill_detects(fake_pose, tmp_path):
    clip, _ = fake_pose
    assert main(["analyze", str(clip), "--no-visuals", "--out", str(tmp_path / "o")]) == 0
    d = json.loads((tmp_path / "o" / "report.json").read_text())
    assert d["drill"]["source"] == "detected" and d["drill"]["name"] == "a-skip"


@pytest.mark.parametrize("args,match", [
    (["--drill", "burpees"], "unknown drill 'burpees'; choose one of: a-skip"),
    ([], None),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(fake_pose, tmp_path, capsys, args, match):
    clip, calls = fake_pose
    out = tmp_path / "o"
    target = clip if match else tmp_path / "missing.mp4"
    assert main(["analyze", str(target), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("formcheck: ") and "\n" not in err
    assert (match or "not found") in err
    assert not out.exists() and calls == []


def test_failed_analysis_leaves_no_folder(monkeypatch, tmp_path, capsys):
    import formcheck.pose.pipeline as pipeline

    def no_person(path, **kw):
        raise NoPersonError("no person was found in the clip; film the whole body")

    monkeypatch.setattr(pipeline, "extract_pose", no_person)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(clip)]) == 2
    assert "no person" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


@pytest.mark.slow
@pytest.mark.clips
def test_real_single_leg_balance_clip(pose2sim, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path / "cache"))
    clip = pose2sim / "singleperson_cam01.mp4"
    out = tmp_path / "out"
    assert main(["analyze", str(clip), "--no-visuals", "--drill", "single-leg-balance", "--out", str(out)]) == 0
    d = json.loads((out / "report.json").read_text())
    validate_report_dict(d)
    assert d["drill"]["name"] == "single-leg-balance"
    assert d["video"]["width"] == 1080 and d["video"]["height"] == 1920 and d["video"]["frames"] == 100
    assert d["pose"]["frames_with_pose"] >= 95 and d["pose"]["model"] == "full"
    rows = list(csv.reader((out / "metrics.csv").open()))
    assert rows[0][:2] == ["frame", "t_s"] and len(rows) == 1 + 100
    assert "single-leg-balance (given)" in capsys.readouterr().out
