"""The coach library's storage: round trip, atomic saves, crash recovery, concurrency, schema."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from formcheck.library import Library, LibraryError, persistent_faults
from formcheck.library import store as store_mod
from formcheck.library.progress import FaultSettings, find_persistent_faults

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reports():
    """Real reports of synthetic high-knees: low knees (a major knee cue) and good form (no cue)."""
    from formcheck.analyze import analyze_sequence
    from formcheck.synth.motion import defaults_for, make_clip

    low = analyze_sequence(make_clip(defaults_for("high-knees", knee_lift_deg=60), duration_s=3.0).sequence,
                           "high-knees")
    good = analyze_sequence(make_clip(defaults_for("high-knees"), duration_s=3.0, seed=1).sequence, "high-knees")
    assert [c.id for c in low.cues if c.severity == "major"] == ["knee-height"]
    assert good.cues == ()
    return {"low": low, "good": good}


def _clip(folder: Path, name: str, content: bytes) -> Path:
    p = folder / name
    p.write_bytes(content)
    return p


def _tree(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


def test_round_trip(tmp_path, reports):
    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Ana Silva")
    c1 = _clip(tmp_path, "monday.mp4", b"clip one")
    c2 = _clip(tmp_path, "friday.MOV", b"clip two")
    s2 = lib.add_session("ana silva", c2, reports["good"], date="2025-03-14")
    s1 = lib.add_session("Ana Silva", c1, reports["low"], date="2025-03-10")
    lib.add_note(s1.id, "Knees higher next time", cue_id="knee-height")
    lib.add_note(s1.id, "Windy day")

    again = Library(data)  # a fresh open reads the same
    assert [a.name for a in again.athletes()] == ["Ana Silva"]
    got = again.sessions("Ana Silva")
    assert [s.id for s in got] == [s1.id, s2.id]  # by date, not by insertion
    first = got[0]
    assert (first.date, first.drill, first.clip, first.reps) == ("2025-03-10", "high-knees", "monday.mp4",
                                                                 len(reports["low"].reps))
    assert first.score == reports["low"].to_dict()["score"]  # as in report.json
    assert first.clip_path.read_bytes() == b"clip one"
    assert got[1].clip_path.name == "clip.mov" and got[1].clip_path.read_bytes() == b"clip two"
    assert first.dir == data / "clips" / "ana-silva" / str(first.id)
    assert again.report(first) == json.loads(reports["low"].to_json())
    assert (first.dir / "metrics.csv").read_text().startswith("frame,t_s,")
    metrics = {r["metric"]: r for r in again.metric_rows("Ana Silva") if r["session_id"] == first.id}
    for name, m in reports["low"].metrics.items():
        assert metrics[name]["value"] == pytest.approx(m.value, abs=1e-4)
        assert (metrics[name]["target_lo"], metrics[name]["target_hi"]) == pytest.approx(m.target, abs=1e-4)
    cues = again.cue_rows("Ana Silva", session_id=first.id)
    assert [(c["cue_id"], c["severity"]) for c in cues] == [(c.id, c.severity) for c in reports["low"].cues]
    notes = again.notes(first.id)
    assert [(n.cue_id, n.text) for n in notes] == [("knee-height", "Knees higher next time"), (None, "Windy day")]
    assert again.schema_version == store_mod.SCHEMA_VERSION
    with sqlite3.connect(data / "formcheck.db") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_same_clip_is_not_stored_twice(tmp_path, reports):
    lib = Library(tmp_path / "data")
    lib.add_athlete("Ben")
    lib.add_athlete("Cleo")
    c = _clip(tmp_path, "a.mp4", b"same bytes")
    copy = _clip(tmp_path, "copy of a.mp4", b"same bytes")
    s = lib.add_session("Ben", c, reports["good"], date="2025-01-01")
    assert lib.add_session("Ben", copy, reports["good"], date="2025-02-02").id == s.id
    other = lib.add_session("Cleo", copy, reports["good"], date="2025-02-02")  # another athlete may have it
    assert other.id != s.id
    assert [x.id for x in lib.sessions("Ben")] == [s.id]


def test_bad_input_is_a_one_line_error(tmp_path, reports):
    lib = Library(tmp_path / "data")
    for bad in ("", "   ", "12", "x" * 200):
        with pytest.raises(LibraryError):
            lib.add_athlete(bad)
    lib.add_athlete("Dana")
    with pytest.raises(LibraryError, match="already"):
        lib.add_athlete("DANA")
    with pytest.raises(LibraryError, match="one of: Dana"):
        lib.sessions("Nobody")
    with pytest.raises(LibraryError, match="YYYY-MM-DD"):
        lib.add_session("Dana", _clip(tmp_path, "x.mp4", b"x"), reports["good"], date="14/03/2025")
    with pytest.raises(LibraryError, match="no session 99"):
        lib.session(99)
    s = lib.add_session("Dana", _clip(tmp_path, "y.mp4", b"y"), reports["low"], date="2025-03-01")
    with pytest.raises(LibraryError, match="knee-height"):
        lib.add_note(s.id, "text", cue_id="no-such-cue")
    with pytest.raises(LibraryError, match="empty"):
        lib.add_note(s.id, "  ")
    assert lib.notes(s.id) == []


def test_failure_between_copy_and_commit_leaves_nothing(tmp_path, reports, monkeypatch):
    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Eve")
    kept = lib.add_session("Eve", _clip(tmp_path, "kept.mp4", b"kept"), reports["good"], date="2025-01-01")
    before = _tree(data / "clips")

    def place_then_fail(stage, final):
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage, final)
        assert (final / "report.json").is_file()  # the files were in place...
        raise OSError("disk full")  # ...and then the save failed before the commit

    monkeypatch.setattr(store_mod, "place_files", place_then_fail)
    with pytest.raises(OSError, match="disk full"):
        lib.add_session("Eve", _clip(tmp_path, "lost.mp4", b"lost"), reports["low"], date="2025-01-02")
    assert [s.id for s in lib.sessions("Eve")] == [kept.id]
    assert lib.metric_rows("Eve") == [r for r in lib.metric_rows("Eve") if r["session_id"] == kept.id]
    assert lib.cue_rows("Eve") == []
    assert _tree(data / "clips") == before
    assert list((data / ".staging").iterdir()) == []


def test_failure_while_writing_rows_leaves_nothing(tmp_path, reports, monkeypatch):
    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Finn")

    def broken(con, sid, report):
        con.execute("INSERT INTO session_segments (session_id, segment, drill) VALUES (?, 0, 'march')", (sid,))
        raise sqlite3.OperationalError("simulated failure after a partial insert")

    monkeypatch.setattr(store_mod, "_insert_report_rows", broken)
    with pytest.raises(sqlite3.OperationalError):
        lib.add_session("Finn", _clip(tmp_path, "a.mp4", b"a"), reports["low"], date="2025-01-02")
    with sqlite3.connect(data / "formcheck.db") as con:
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM session_segments").fetchone()[0] == 0
    assert not (data / "clips").exists() or _tree(data / "clips") == []
    assert list((data / ".staging").iterdir()) == []


_KILL_SCRIPT = r"""
import os, signal, sys
from formcheck.library import store
def place_and_die(stage, final):
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(stage, final)
    os.kill(os.getpid(), signal.SIGKILL)  # killed after the rename, before the commit
store.place_files = place_and_die
lib = store.Library(sys.argv[1])
lib.add_session("Gus", sys.argv[2], {"drill": {"name": "march"}, "segments": [], "score": 50.0}, date="2025-01-03")
"""


def test_kill_between_rename_and_commit_is_cleaned_on_open(tmp_path, reports):
    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Gus")
    kept = lib.add_session("Gus", _clip(tmp_path, "kept.mp4", b"kept"), reports["good"], date="2025-01-01")
    clip = _clip(tmp_path, "killed.mp4", b"killed")
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(data), str(clip)], cwd=ROOT)
    assert proc.returncode == -9
    gus = data / "clips" / "gus"
    assert sorted(p.name for p in gus.iterdir()) == sorted([str(kept.id), str(kept.id + 1)])  # the orphan
    reopened = Library(data)
    assert [s.id for s in reopened.sessions("Gus")] == [kept.id]
    assert sorted(p.name for p in gus.iterdir()) == [str(kept.id)]
    # the next save works and does not trip over the old folder
    s = reopened.add_session("Gus", clip, reports["low"], date="2025-01-03")
    assert s.clip_path.read_bytes() == b"killed"
    assert sorted(p.name for p in gus.iterdir()) == sorted([str(kept.id), str(s.id)])


def test_staging_folders_of_dead_processes_are_removed_on_open(tmp_path):
    data = tmp_path / "data"
    Library(data)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = data / ".staging" / f"{dead_pid}-abc.part"
    live = data / ".staging" / f"{os.getpid()}-def.part"
    for d in (stale, live):
        d.mkdir(parents=True)
        (d / "report.json").write_text("{}")
    Library(data)
    assert not stale.exists()
    assert live.exists()  # a live process may still be writing it


def _writer(data: str, n: int, report: dict) -> None:
    lib = Library(data, clean=False)
    tmp = Path(data).parent / "writer_clips"
    tmp.mkdir(exist_ok=True)
    for i in range(n):
        p = tmp / f"c{i}.mp4"
        p.write_bytes(f"clip {i}".encode())
        lib.add_session("Hal", p, report, date=f"2025-01-{1 + i % 28:02d}")


def test_concurrent_readers_never_see_half_a_session(tmp_path, reports):
    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Hal")
    report = json.loads(reports["low"].to_json())
    per_session = len(reports["low"].metrics)
    n = 40
    ctx = multiprocessing.get_context("spawn")
    writer = ctx.Process(target=_writer, args=(str(data), n, report))
    errors: list[BaseException] = []
    seen: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        r = Library(data, clean=False)
        try:
            while not stop.is_set():
                sessions = r.sessions("Hal")
                rows = r.metric_rows("Hal")
                counts: dict[int, int] = {}
                for row in rows:
                    counts[row["session_id"]] = counts.get(row["session_id"], 0) + 1
                # a session read after the rows may be newer; every session in the rows is whole
                assert all(c == per_session for c in counts.values()), counts
                for s in sessions:
                    assert s.report_path.is_file()
                seen.append(len(sessions))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    writer.start()
    for t in threads:
        t.start()
    writer.join(timeout=120)
    stop.set()
    for t in threads:
        t.join()
    assert writer.exitcode == 0
    assert errors == []
    assert len(lib.sessions("Hal")) == n
    assert len(set(seen)) > 2  # the readers saw the library grow while it was written


def test_delete_athlete_removes_rows_and_files(tmp_path, reports):
    data = tmp_path / "data"
    lib = Library(data)
    for name in ("Ida", "Jon"):
        lib.add_athlete(name)
        for i in range(2):
            s = lib.add_session(name, _clip(tmp_path, f"{name}{i}.mp4", f"{name}{i}".encode()), reports["low"],
                                date=f"2025-02-0{i + 1}")
            lib.add_note(s.id, "note")
    assert lib.delete_athlete("ida") == 2
    assert [a.name for a in lib.athletes()] == ["Jon"]
    assert not (data / "clips" / "ida").exists()
    assert len(lib.sessions("Jon")) == 2 and (data / "clips" / "jon").is_dir()
    with sqlite3.connect(data / "formcheck.db") as con:
        for table in ("sessions", "session_metrics", "session_cues", "session_segments", "notes"):
            ids = {r[0] for r in con.execute(f"SELECT {'session_id' if table != 'sessions' else 'id'} FROM {table}")}
            assert ids <= {s.id for s in lib.sessions("Jon")}, table
    deleted = lib.delete_session(lib.sessions("Jon")[0].id)
    assert not deleted.dir.exists() and len(lib.sessions("Jon")) == 1


def test_migration_from_version_1(tmp_path, reports):
    data = tmp_path / "data"
    data.mkdir()
    con = sqlite3.connect(data / "formcheck.db", isolation_level=None)
    con.execute("BEGIN")
    store_mod.MIGRATIONS[0][1](con, data)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO athletes (name, slug, created_at) VALUES ('Kim', 'kim', 'x')")
    con.execute("INSERT INTO sessions (athlete_id, date, drill, clip, clip_hash, dir, clip_file, score, reps, "
                "created_at) VALUES (1, '2025-01-01', 'high-knees', 'a.mp4', 'h', 'clips/kim/1', 'clip.mp4', 70, 3, "
                "'x')")
    con.execute("COMMIT")
    con.close()
    (data / "clips" / "kim" / "1").mkdir(parents=True)
    (data / "clips" / "kim" / "1" / "report.json").write_text(reports["low"].to_json())
    (data / "clips" / "kim" / "1" / "clip.mp4").write_bytes(b"a")

    lib = Library(data)
    assert lib.schema_version == 2
    assert {r["metric"] for r in lib.metric_rows("Kim")} == set(reports["low"].metrics)
    assert [c["cue_id"] for c in lib.cue_rows("Kim")] == [c.id for c in reports["low"].cues]

    with sqlite3.connect(data / "formcheck.db") as con2:
        con2.execute("PRAGMA user_version = 99")
    with pytest.raises(LibraryError, match="newer formcheck"):
        Library(data)


def test_not_a_library_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "formcheck.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a formcheck library"):
        Library(data)


# ---------------------------------------------------------------------------- persistent faults
def _rows(sessions: list[tuple[int, str, list[str]]], drill: str = "high-knees"):
    segs = [{"session_id": sid, "date": d, "drill": drill, "segment": 0, "score": 50.0} for sid, d, _ in sessions]
    cues = [{"session_id": sid, "date": d, "drill": drill, "cue_id": c, "metric": f"{c}_metric", "severity": "major",
             "text": c} for sid, d, cs in sessions for c in cs]
    return segs, cues


def test_persistent_faults_rule():
    # knee-height in 2 of the last 3 sessions; arms only in old sessions; head in 1 of the last 3
    segs, cues = _rows([(1, "2025-01-01", ["arms"]), (2, "2025-01-08", ["arms"]), (3, "2025-01-15", ["knee", "head"]),
                        (4, "2025-01-22", []), (5, "2025-01-29", ["knee"])])
    faults = find_persistent_faults(segs, cues)
    assert [(f.drill, f.cue_id, f.metric, f.sessions, f.of, f.session_ids) for f in faults] == [
        ("high-knees", "knee", "knee_metric", 2, 3, (3, 5))]
    assert find_persistent_faults(segs, cues, FaultSettings(last_sessions=5, min_sessions=2))[0].cue_id == "arms"
    # minor cues do not count
    minor = [dict(c, severity="minor") for c in cues]
    assert find_persistent_faults(segs, minor) == []
    # order is by date, not by id: session 5 dated first is not among the last three
    segs2 = [dict(s, date="2024-12-01") if s["session_id"] == 5 else s for s in segs]
    assert find_persistent_faults(segs2, cues) == []


def test_persistent_faults_reach_the_planner(tmp_path, reports):
    from formcheck.plan import library_faults

    data = tmp_path / "data"
    lib = Library(data)
    lib.add_athlete("Lou")
    for i, key in enumerate(["low", "good", "low"]):
        lib.add_session("Lou", _clip(tmp_path, f"{i}.mp4", bytes([i])), reports[key], date=f"2025-03-0{i + 1}")
    faults = persistent_faults("Lou", data_dir=data)
    assert [(f.drill, f.metric, f.cue_id) for f in faults] == [("high-knees", "knee_lift_deg", "knee-height")]
    planned = library_faults("Lou", data_dir=data)
    assert [(f.drill, f.metric, f.cue_id) for f in planned] == [("high-knees", "knee_lift_deg", "knee-height")]
    assert persistent_faults("Nobody", data_dir=data) == []
    empty = tmp_path / "nothing"
    assert persistent_faults("Lou", data_dir=empty) == [] and not empty.exists()  # nothing is created
