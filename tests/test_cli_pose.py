"""``formcheck pose`` from the command line: outputs, JSON summary, and every kind of bad input."""

import io
import json

import av
import numpy as np
import pytest

from formcheck.cli import main
from formcheck.progress import ProgressBar
from formcheck.sequence import PoseSequence

JSON_KEYS = ["frames", "frames_with_pose", "coverage", "seconds", "fps", "cached"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path_factory.mktemp("cache")))


def encode(path, *, seconds=2.0, fps=30, size=(320, 240), codec="libx264", frame=None, options=None):
    """A small clip made with PyAV: ``frame(i)`` gives each RGB image (default: flat grey-blue)."""
    w, h = size
    with av.open(str(path), "w", options=options or {}) as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        for i in range(int(round(seconds * fps))):
            img = np.full((h, w, 3), (60, 110, 160), np.uint8) if frame is None else frame(i)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def make_input(kind, folder):
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "not a video":
        p = folder / "notes.mp4"
        p.write_text("these are my training notes, not a video\n")
    elif kind == "zero bytes":
        p = folder / "empty.mp4"
        p.write_bytes(b"")
    elif kind.startswith("truncated"):
        index_first = {"movflags": "+faststart"} if "index first" in kind else None
        full = encode(folder / "whole.mp4", options=index_first,
                      frame=lambda i: np.random.default_rng(i).integers(0, 256, (240, 320, 3), np.uint8))
        data = full.read_bytes()
        full.unlink()
        p = folder / "cut.mp4"
        p.write_bytes(data[: len(data) // 2])
    elif kind == "no person (flat colour)":
        p = encode(folder / "wall.mp4")
    elif kind == "shorter than 1 s":
        p = encode(folder / "blink.mp4", seconds=0.5)
    elif kind == "unreadable codec":
        ok = encode(folder / "ok.mkv", codec="mpeg4")
        data = ok.read_bytes()
        ok.unlink()
        assert data.count(b"V_MPEG4/ISO/ASP") == 1
        p = folder / "odd_codec.mkv"
        p.write_bytes(data.replace(b"V_MPEG4/ISO/ASP", b"V_ZZZZZ/ISO/ASP"))  # a codec id FFmpeg does not know
    else:
        raise AssertionError(kind)
    return p


@pytest.mark.parametrize("kind, message", [
    ("not a video", "not a readable video"),
    ("zero bytes", "empty"),
    ("truncated (index last)", "cut short"),
    ("truncated (index first)", "the file is truncated"),
    pytest.param("no person (flat colour)", "no person found in wall.mp4: film the whole body", marks=pytest.mark.slow),
    ("shorter than 1 s", "record at least 1 s"),
    ("unreadable codec", "codec"),
])
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path, capsys, kind, message):
    clip = make_input(kind, tmp_path / "in")
    out = tmp_path / "out"
    code = main(["pose", str(clip), "--out", str(out / "p.npz"), "--csv", str(out / "p.csv"),
                 "--json", str(out / "s.json")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: ") and message in lines[0], err
    assert "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []  # nothing written, not even temporary files


def test_bad_choices_are_refused_before_any_work(tmp_path, capsys):
    clip = make_input("no person (flat colour)", tmp_path)
    assert main(["pose", str(clip), "--athlete", "tallest"]) == 2
    assert "use one of auto, largest, left, right, center" in capsys.readouterr().err
    assert main(["pose", str(clip), "--people", "many"]) == 2
    assert "use auto or a number from 1 to 5" in capsys.readouterr().err
    assert main(["pose", str(clip), "--model", "medium"]) == 2
    assert "unknown model 'medium': use one of lite, full, heavy" in capsys.readouterr().err


@pytest.mark.slow
def test_pose_writes_npz_csv_and_json_then_reuses_the_cache(pose2sim, tmp_path, capsys):
    clip = pose2sim / "singleperson_cam01.mp4"
    npz, csv = tmp_path / "o" / "poses.npz", tmp_path / "o" / "poses.csv"
    assert main(["pose", str(clip), "--out", str(npz), "--csv", str(csv), "--json", "-"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert list(summary) == JSON_KEYS
    assert summary["frames"] == 100 and summary["frames_with_pose"] >= 95 and summary["cached"] is False
    assert summary["coverage"] == pytest.approx(summary["frames_with_pose"] / 100)
    assert summary["fps"] == pytest.approx(100 / summary["seconds"], rel=0.05)
    # with --json - the human summary goes to stderr, as one line
    assert "singleperson_cam01.mp4: 100 frames, pose in" in captured.err and "frames/s" in captured.err
    seq = PoseSequence.load_npz(npz)
    assert len(seq) == 100 and seq.frames_with_pose == summary["frames_with_pose"]
    assert len(csv.read_text().splitlines()) == 101
    assert sorted(p.name for p in npz.parent.iterdir()) == ["poses.csv", "poses.npz"]

    report = tmp_path / "summary.json"
    assert main(["pose", str(clip), "--json", str(report), "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # --quiet: no summary line
    again = json.loads(report.read_text())
    assert list(again) == JSON_KEYS and again["cached"] is True and again["frames"] == 100


def test_progress_bar_draws_only_on_a_terminal_unless_forced():
    quiet = io.StringIO()
    bar = ProgressBar("pose", stream=quiet)  # a StringIO is not a terminal
    bar(5, 10)
    bar.close()
    assert quiet.getvalue() == ""

    shown = io.StringIO()
    bar = ProgressBar("pose", stream=shown, force=True, min_interval_s=0.0)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    text = shown.getvalue()
    assert text.startswith("\rpose [") and "10/10 frames" in text and text.endswith("\n")
    assert bar.render(25, 100, 5.0) == "pose [######..................] 25/100 frames    5.0 frames/s  ETA 0:15 "
