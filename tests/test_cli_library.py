"""``formcheck library``: every verb, its JSON, its errors (one line, exit code 2)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from formcheck.cli import main
from test_library_compare import N_FRAMES, write_coded_clip
from test_library_import import fake_analyze, write_clip_spec


@pytest.fixture
def fake(monkeypatch):
    import formcheck.analyze

    monkeypatch.setattr(formcheck.analyze, "analyze_video", fake_analyze)


def run(capsys, *argv):
    code = main(["library", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def library(tmp_path, capsys, fake):
    """A library with two athletes: Ana (3 weekly high-knees clips, knees improving) and Ben (1)."""
    data = tmp_path / "data"
    folder = tmp_path / "ana"
    folder.mkdir()
    for i, lift in enumerate((60, 62, 88)):
        clip = write_coded_clip(folder / f"week{i + 1}.mp4", mark=i + 1)
        write_clip_spec(folder / f"week{i + 1}.json", "high-knees", seed=i, knee_lift_deg=lift)
    for i, day in enumerate(("2025-03-03", "2025-03-10", "2025-03-17")):
        code, out, err = run(capsys, "import", str(folder / f"week{i + 1}.mp4"), "--athlete", "Ana", "--date", day,
                             "--data", str(data), "--workers", "1")
        assert code == 0, err
    ben = write_coded_clip(tmp_path / "ben.mp4", mark=9)
    write_clip_spec(tmp_path / "ben.json", "high-knees", seed=7)
    assert run(capsys, "import", str(ben), "--athlete", "Ben", "--date", "2025-03-12", "--data", str(data))[0] == 0
    return data


def test_list_json_gives_athletes_with_their_sessions(library, capsys):
    code, out, _ = run(capsys, "list", "--json", "--data", str(library))
    assert code == 0
    doc = json.loads(out)
    assert [a["name"] for a in doc["athletes"]] == ["Ana", "Ben"]
    ana = doc["athletes"][0]["sessions"]
    assert [(s["date"], s["drill"], s["clip"]) for s in ana] == [
        ("2025-03-03", "high-knees", "week1.mp4"), ("2025-03-10", "high-knees", "week2.mp4"),
        ("2025-03-17", "high-knees", "week3.mp4")]
    assert all(set(s) >= {"id", "date", "drill", "clip", "score"} for s in ana)
    assert ana[0]["score"] < ana[2]["score"]  # knees at 60 deg score below knees at 88 deg
    code, out, _ = run(capsys, "list", "--data", str(library))
    assert "Ana (3 sessions)" in out and "week3.mp4" in out


def test_import_a_folder_skips_what_is_there(library, tmp_path, capsys):
    code, out, _ = run(capsys, "import", str(tmp_path / "ana"), "--athlete", "Ana", "--data", str(library), "--json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["imported"], doc["skipped"], doc["failed"]) == (0, 3, 0)
    write_clip_spec(tmp_path / "ana" / "broken.mp4", "march", fail=True)
    code, out, err = run(capsys, "import", str(tmp_path / "ana"), "--athlete", "Ana", "--data", str(library))
    assert code == 1  # something could not be imported; the rest was
    assert "failed: broken.mp4: no person was found" in err


def test_show_note_and_progress(library, capsys):
    _, out, _ = run(capsys, "list", "--json", "--data", str(library))
    first = json.loads(out)["athletes"][0]["sessions"][0]["id"]
    code, out, _ = run(capsys, "note", str(first), "Lift the knee to hip height", "--cue", "knee-height",
                       "--data", str(library))
    assert code == 0 and "cue knee-height" in out
    code, out, _ = run(capsys, "show", str(first), "--json", "--data", str(library))
    doc = json.loads(out)
    assert doc["session"]["id"] == first and doc["report"]["drill"]["name"] == "high-knees"
    assert [(n["cue_id"], n["text"]) for n in doc["notes"]] == [("knee-height", "Lift the knee to hip height")]
    code, out, _ = run(capsys, "show", str(first), "--data", str(library))
    assert "knee_lift_deg" in out and "[major]" in out and "Lift the knee to hip height" in out

    code, out, _ = run(capsys, "show", "--athlete", "ana", "--json", "--data", str(library))
    doc = json.loads(out)
    # knee-height was a major cue in the first two of the last three sessions
    assert [(f["drill"], f["cue_id"], f["sessions"], f["of"]) for f in doc["persistent_faults"]] == [
        ("high-knees", "knee-height", 2, 3)]
    trend = {t["metric"]: t for t in doc["progress"][0]["trends"]}["knee_lift_deg"]
    assert trend["verdict"] == "improving" and trend["weeks"] == 3
    code, out, _ = run(capsys, "show", "--athlete", "Ana", "--data", str(library))
    assert "knee_lift_deg" in out and "improving" in out and "knee-height" in out


def test_compare_two_sessions_and_a_model_clip(library, tmp_path, capsys):
    _, out, _ = run(capsys, "list", "--json", "--data", str(library))
    athletes = json.loads(out)["athletes"]
    a, b = athletes[0]["sessions"][0]["id"], athletes[1]["sessions"][0]["id"]
    out_mp4 = tmp_path / "side.mp4"
    code, out, _ = run(capsys, "compare", str(a), str(b), "--out", str(out_mp4), "--height", "120", "--json",
                       "--data", str(library))
    assert code == 0
    doc = json.loads(out)
    assert doc["video"] == str(out_mp4)
    from formcheck.video import probe

    info = probe(out_mp4)
    assert (info.codec, info.width, info.height, info.frames) == ("h264", 320, 120, N_FRAMES)
    assert doc["pairs"] and doc["reps"]
    for r in doc["reps"]:
        if r["a"] is not None and r["b"] is not None:
            assert r["diff"] == pytest.approx(r["b"] - r["a"], abs=2e-3)
    knee = {m["metric"]: m for m in doc["metrics"]}["knee_lift_deg"]
    assert knee["a"] < knee["b"]  # Ana's first week (60 deg) against Ben's good form

    model = write_coded_clip(tmp_path / "model.mp4", mark=77)
    write_clip_spec(tmp_path / "model.json", "high-knees", seed=11, knee_lift_deg=95)
    code, out, _ = run(capsys, "compare", str(a), str(model), "--no-video", "--data", str(library))
    assert code == 0 and "model: model.mp4" in out and "knee_lift_deg" in out and "Per rep:" in out


def test_export_writes_csv_and_self_contained_html(library, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "--athlete", "Ana", "--out", str(tmp_path / "exp"), "--json",
                       "--data", str(library))
    assert code == 0
    paths = json.loads(out)
    rows = list(csv.DictReader(io.StringIO(open(paths["csv"]).read())))
    _, listing, _ = run(capsys, "show", "--athlete", "Ana", "--json", "--data", str(library))
    sessions = json.loads(listing)["sessions"]
    from formcheck.library import Library

    lib = Library(library)
    assert len(rows) == len(lib.metric_rows("Ana"))
    assert {r["session_id"] for r in rows} == {str(s["id"]) for s in sessions}
    knee = [float(r["value"]) for r in rows if r["metric"] == "knee_lift_deg"]
    assert knee == pytest.approx([r["value"] for r in lib.metric_rows("Ana") if r["metric"] == "knee_lift_deg"],
                                 abs=1e-4)
    html = open(paths["html"]).read()
    assert "<script" not in html and not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "Ana" in html and "knee-height" not in html.split("Persistent faults")[0]
    assert "Drive the knee" in html.split("Persistent faults")[1]  # the persistent fault's cue text


def test_delete_needs_yes(library, capsys):
    code, _, err = run(capsys, "delete", "--athlete", "Ana", "--data", str(library))
    assert code == 2 and "--yes" in err and len(err.strip().splitlines()) == 1
    assert (library / "clips" / "ana").is_dir()
    code, out, _ = run(capsys, "delete", "--athlete", "Ana", "--yes", "--json", "--data", str(library))
    assert code == 0 and json.loads(out) == {"deleted": "athlete", "name": "Ana", "sessions": 3}
    assert not (library / "clips" / "ana").exists()
    _, out, _ = run(capsys, "list", "--json", "--data", str(library))
    assert [a["name"] for a in json.loads(out)["athletes"]] == ["Ben"]


@pytest.mark.parametrize("argv, message", [
    (["show", "999"], "no session 999"),
    (["show", "--athlete", "Zed"], "no athlete 'Zed'"),
    (["import", "/no/such/folder", "--athlete", "Ana"], "not found"),
    (["import", ".", "--athlete", "Ana", "--drill", "moonwalk"], "unknown drill"),
    (["note", "1", ""], "empty"),
])
def test_errors_are_one_line_with_exit_code_2(library, capsys, argv, message):
    code, out, err = run(capsys, *argv, "--data", str(library))
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_data_folder_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FORMCHECK_DATA", str(tmp_path / "envdata"))
    assert run(capsys, "add-athlete", "Uma")[0] == 0
    assert (tmp_path / "envdata" / "formcheck.db").is_file()
    _, out, _ = run(capsys, "list", "--json")
    assert [a["name"] for a in json.loads(out)["athletes"]] == ["Uma"]
