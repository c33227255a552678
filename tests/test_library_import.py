"""Importing clips into the library: a folder in parallel, resumable, without duplicates.

Most tests use :func:`fake_analyze`, which returns a real report of a synthetic athlete described
by the "clip" (a JSON file, or a JSON sidecar beside a real video), so they run in seconds; one
test imports real sample clips end to end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from formcheck.errors import FormcheckError, NoPersonError
from formcheck.library import Library, LibraryError
from formcheck.library.importer import find_clips, import_clips, import_folder

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"


# ---------------------------------------------------------------------------- the fake analyser
def write_clip_spec(path: Path, drill: str, *, seed: int = 0, sleep_s: float = 0.0, fail: bool = False,
                    duration_s: float = 3.0, **params) -> Path:
    """A stand-in clip: the synthetic athlete that :func:`fake_analyze` will 'see' in it."""
    spec = {"drill": drill, "seed": seed, "sleep_s": sleep_s, "fail": fail, "duration_s": duration_s,
            "params": params}
    path.write_text(json.dumps(spec))
    return path


def fake_analyze(path, drill="auto", *, model="full", use_cache=True):
    """``analyze_video`` for tests: reads the spec (the clip itself, or ``<clip>.json`` beside it)."""
    from formcheck.analyze import analyze_sequence
    from formcheck.synth.motion import defaults_for, make_clip

    path = Path(path)
    sidecar = path.with_suffix(".json")
    spec = json.loads((sidecar if sidecar.is_file() else path).read_text())
    time.sleep(spec.get("sleep_s", 0.0))
    if spec.get("fail"):
        raise NoPersonError("no person was found in the clip; film the whole body from the side")
    clip = make_clip(defaults_for(spec["drill"], **spec.get("params", {})), duration_s=spec.get("duration_s", 3.0),
                     seed=spec.get("seed", 0))
    report = analyze_sequence(clip.sequence, spec["drill"] if drill == "auto" else drill)
    return dataclasses.replace(report, warnings=report.warnings + (f"analysed in process {os.getpid()}",))


def _pid_of(lib: Library, session) -> int:
    w = [x for x in lib.report(session)["warnings"] if x.startswith("analysed in process")]
    return int(w[0].rsplit(" ", 1)[1])


# ---------------------------------------------------------------------------- tests
def test_folder_import_in_process_skips_duplicates_and_resumes(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip_spec(folder / "a.mp4", "high-knees", knee_lift_deg=60)
    write_clip_spec(folder / "b.mov", "high-knees", seed=1)
    (folder / "b copy.MOV").write_bytes((folder / "b.mov").read_bytes())  # same content, another name
    (folder / "notes.txt").write_text("not a clip")
    (folder / ".hidden.mp4").write_text("{}")
    assert [p.name for p in find_clips(folder)] == ["a.mp4", "b copy.MOV", "b.mov"]

    lib = Library(tmp_path / "data")
    seen = []
    result = import_folder(lib, folder, "Ana", drill="auto", date="2025-04-01", workers=1, analyzer=fake_analyze,
                           progress=lambda d, t: seen.append((d, t)))
    assert [(i.path.name, i.status) for i in result.items] == [("a.mp4", "imported"), ("b copy.MOV", "imported"),
                                                                ("b.mov", "skipped")]
    assert "same clip as b copy.MOV" in result.skipped[0].message
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    sessions = lib.sessions("Ana")
    assert [(s.date, s.drill) for s in sessions] == [("2025-04-01", "high-knees")] * 2
    assert {s.clip for s in sessions} == {"a.mp4", "b copy.MOV"}

    again = import_folder(lib, folder, "Ana", workers=1, analyzer=fake_analyze)  # nothing left to do
    assert [i.status for i in again.items] == ["skipped"] * 3
    assert len(lib.sessions("Ana")) == 2


def test_parallel_import_uses_separate_processes(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    for i in range(4):
        write_clip_spec(folder / f"c{i}.mp4", "march", seed=i, sleep_s=1.0)
    lib = Library(tmp_path / "data")
    result = import_folder(lib, folder, "Ben", workers=2, analyzer=fake_analyze)
    assert result.workers == 2 and len(result.imported) == 4 and not result.failed
    pids = {_pid_of(lib, i.session) for i in result.imported}
    assert len(pids) == 2 and os.getpid() not in pids
    assert sorted(s.clip for s in lib.sessions("Ben")) == [f"c{i}.mp4" for i in range(4)]
    assert list((lib.path / ".staging").iterdir()) == []


def test_a_bad_clip_is_reported_and_the_rest_imported(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip_spec(folder / "1.mp4", "march")
    write_clip_spec(folder / "2.mp4", "march", fail=True)
    write_clip_spec(folder / "3.mp4", "march", seed=3)
    lib = Library(tmp_path / "data")
    result = import_folder(lib, folder, "Cleo", workers=1, analyzer=fake_analyze)
    assert [i.status for i in result.items] == ["imported", "failed", "imported"]
    assert result.failed[0].message.startswith("no person was found")
    assert len(lib.sessions("Cleo")) == 2


def test_default_date_is_the_file_day(tmp_path):
    clip = write_clip_spec(tmp_path / "x.mp4", "march")
    when = dt.datetime(2024, 11, 5, 12, 0).timestamp()
    os.utime(clip, (when, when))
    lib = Library(tmp_path / "data")
    result = import_clips(lib, [clip], "Dan", workers=1, analyzer=fake_analyze)
    assert result.imported[0].session.date == "2024-11-05"


def test_bad_requests_fail_before_any_work(tmp_path):
    lib = Library(tmp_path / "data")
    clip = write_clip_spec(tmp_path / "x.mp4", "march")
    with pytest.raises(FormcheckError, match="march"):  # the message lists the drills
        import_clips(lib, [clip], "Eve", drill="moonwalk", analyzer=fake_analyze)
    with pytest.raises(LibraryError, match="YYYY-MM-DD"):
        import_clips(lib, [clip], "Eve", date="yesterday", analyzer=fake_analyze)
    with pytest.raises(LibraryError, match="no clips"):
        import_folder(lib, tmp_path / "data", "Eve", analyzer=fake_analyze)
    with pytest.raises(LibraryError, match="not a folder"):
        import_folder(lib, tmp_path / "missing", "Eve", analyzer=fake_analyze)
    assert lib.sessions() == []


_IMPORT_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[3])
from test_library_import import fake_analyze
from formcheck.library import Library
from formcheck.library.importer import import_folder
import_folder(Library(sys.argv[1]), sys.argv[2], "Finn", workers=2, analyzer=fake_analyze)
"""


def test_kill_during_folder_import_then_resume(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    n = 6
    for i in range(n):
        write_clip_spec(folder / f"c{i}.mp4", "high-knees", seed=i, sleep_s=1.5)
    data = tmp_path / "data"
    Library(data).add_athlete("Finn")
    proc = subprocess.Popen([sys.executable, "-c", _IMPORT_SCRIPT, str(data), str(folder), str(Path(__file__).parent)],
                            cwd=ROOT, start_new_session=True)
    lib = Library(data, clean=False)
    deadline = time.monotonic() + 120
    try:
        while not lib.sessions("Finn"):
            assert proc.poll() is None, "the import ended before its first clip was saved"
            assert time.monotonic() < deadline, "no clip saved in time"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the importer and its workers, like a crash
        proc.wait()
    saved = {s.clip_hash for s in lib.sessions("Finn")}
    assert 1 <= len(saved) < n

    lib = Library(data)  # the next open cleans what the killed processes left
    assert list((data / ".staging").iterdir()) == []
    result = import_folder(lib, folder, "Finn", workers=1, analyzer=fake_analyze)
    assert len(result.skipped) == len(saved) and len(result.imported) == n - len(saved)
    assert {i.session.clip_hash for i in result.skipped} == saved
    sessions = lib.sessions("Finn")
    assert sorted(s.clip for s in sessions) == [f"c{i}.mp4" for i in range(n)]
    assert len({s.clip_hash for s in sessions}) == n
    on_disk = sorted(p.name for p in (data / "clips" / "finn").iterdir())
    assert on_disk == sorted(str(s.id) for s in sessions)


@pytest.mark.slow
def test_real_sample_clips_end_to_end(tmp_path):
    from formcheck.report import validate_report_dict

    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("high-knees_good.mp4", "high-knees_same-side-arms.mp4"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    lib = Library(tmp_path / "data")
    result = import_folder(lib, folder, "Gus", drill="high-knees", workers=2, use_cache=False)
    assert [i.status for i in result.items] == ["imported", "imported"], [i.message for i in result.items]
    good, arms = (i.session for i in result.items)
    for s in (good, arms):
        validate_report_dict(lib.report(s))
        assert s.clip_path.read_bytes() == (SAMPLES / s.clip).read_bytes()
        assert s.reps >= 6
    # truth: the good clip has opposite arm and knee; the other swings the same-side arm (180 deg)
    assert "arms" in [c["cue_id"] for c in lib.cue_rows("Gus", session_id=arms.id) if c["severity"] == "major"]
    assert "arms" not in [c["cue_id"] for c in lib.cue_rows("Gus", session_id=good.id)]
    assert good.score > arms.score
