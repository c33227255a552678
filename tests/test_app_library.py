"""The coach pages under Streamlit's AppTest: library (add athlete, import, sessions, notes,
export, delete), compare, progress."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from formcheck.library import Library
from test_library_compare import write_coded_clip
from test_library_import import fake_analyze, write_clip_spec

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
SAMPLES = ROOT / "sample_videos"


@pytest.fixture
def data(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("FORMCHECK_DATA", str(d))
    return d


@pytest.fixture
def fake(monkeypatch):
    import formcheck.analyze

    monkeypatch.setattr(formcheck.analyze, "analyze_video", fake_analyze)


def page(name: str):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PAGES / name), default_timeout=180)


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _table(at, *columns: str):
    """The first dataframe on the page with all of ``columns``."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def _chart_rows(chart) -> list[dict]:
    """The data rows a Vega-Lite chart element carries (Streamlit ships tables as Arrow)."""
    import pyarrow as pa

    rows = []
    for d in chart.proto.datasets:
        rows += pa.ipc.open_stream(d.data.data).read_all().to_pylist()
    return rows


def _spec_bytes(tmp_path: Path, name: str, **kw) -> bytes:
    return write_clip_spec(tmp_path / name, "high-knees", **kw).read_bytes()


@pytest.fixture
def seeded(data, tmp_path, fake):
    """Ana: three weekly high-knees sessions (knee lift 60, 62, 88 deg); Ben: one. Real (coded) videos."""
    lib = Library(data)
    from formcheck.library.importer import import_clips

    for i, (lift, day) in enumerate(((60, "2025-03-03"), (62, "2025-03-10"), (88, "2025-03-17"))):
        clip = write_coded_clip(tmp_path / f"ana{i}.mp4", mark=i + 1)
        write_clip_spec(tmp_path / f"ana{i}.json", "high-knees", seed=i, knee_lift_deg=lift)
        import_clips(lib, [clip], "Ana", date=day, workers=1)
    clip = write_coded_clip(tmp_path / "ben.mp4", mark=50)
    write_clip_spec(tmp_path / "ben.json", "high-knees", seed=9)
    import_clips(lib, [clip], "Ben", date="2025-03-12", workers=1)
    return lib


def test_library_page_add_athlete_import_and_note(data, tmp_path, fake):
    at = page("3_Coach_library.py").run()
    _ok(at)
    assert "No athletes yet" in at.info[0].value
    at.sidebar.text_input(key="new_athlete").input("Ana")
    at.sidebar.button[0].click().run()
    _ok(at)
    assert [a.name for a in Library(data).athletes()] == ["Ana"]

    at.file_uploader(key="upload").set_value([
        ("week1.mp4", _spec_bytes(tmp_path, "w1.mp4", knee_lift_deg=60), "video/mp4"),
        ("week2.mp4", _spec_bytes(tmp_path, "w2.mp4", seed=2), "video/mp4")])
    at.selectbox(key="import_drill").set_value("high-knees")
    at.date_input(key="import_date").set_value(dt.date(2025, 3, 3))
    at.number_input(key="import_workers").set_value(1)
    at.button(key="import_button").click().run()
    _ok(at)
    assert any("2 imported" in s.value for s in at.success), [s.value for s in at.success]
    sessions = Library(data).sessions("Ana")
    assert sorted(s.clip for s in sessions) == ["week1.mp4", "week2.mp4"]
    table = _table(at, "clip", "reps")
    assert sorted(table["clip"]) == ["week1.mp4", "week2.mp4"] and list(table["date"]) == ["2025-03-03"] * 2

    low = next(s for s in sessions if s.clip == "week1.mp4")
    at.selectbox(key="session_pick").set_value(low.id).run()
    assert any("Drive the knee" in e.value for e in at.error)  # its major cue
    at.text_area(key="note_text").input("Drive the knee, hold the toes up")
    at.selectbox(key="note_cue").set_value("knee-height")
    next(b for b in at.button if b.label == "Add note").click().run()
    _ok(at)
    notes = Library(data).notes(low.id)
    assert [(n.cue_id, n.text) for n in notes] == [("knee-height", "Drive the knee, hold the toes up")]
    assert any("hold the toes up" in m.value for m in at.markdown)


def test_library_page_with_history_exports_and_deletes(seeded, data):
    at = page("3_Coach_library.py").run()
    _ok(at)
    at.selectbox(key="library_athlete").set_value("Ana").run()
    assert len(_table(at, "clip", "reps")) == 3
    assert any("Drive the knee" in w.value and "2 of the last 3" in w.value for w in at.warning)
    assert at.get("download_button")  # CSV and HTML
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_button").click().run()
    _ok(at)
    assert [a.name for a in Library(data).athletes()] == ["Ben"]
    assert not (data / "clips" / "ana").exists()


def test_compare_page(seeded):
    ana = seeded.sessions("Ana")
    ben = seeded.sessions("Ben")[0]
    at = page("4_Compare.py").run()
    _ok(at)
    at.selectbox(key="athlete_A").set_value("Ana").run()
    at.selectbox(key="session_A").set_value(ana[0].id)
    at.selectbox(key="athlete_B").set_value("Ben").run()
    at.selectbox(key="session_B").set_value(ben.id)
    at.button(key="compare_button").click().run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    videos = at.get("video")
    assert len(videos) == 1
    metrics = _table(at, "metric", "A score")
    knee = metrics[metrics["metric"] == "knee_lift_deg"].iloc[0]
    a_val = seeded.report(ana[0])["metrics"]["knee_lift_deg"]["value"]
    b_val = seeded.report(ben)["metrics"]["knee_lift_deg"]["value"]
    assert (knee["A"], knee["B"]) == pytest.approx((a_val, b_val)) and knee["B - A"] == pytest.approx(b_val - a_val)
    reps = _table(at, "pair", "metric")
    assert len(reps) > 0 and set(reps["metric"]) >= {"knee_lift_deg"}


def test_progress_page_shows_the_chart_and_faults(seeded):
    at = page("5_Progress.py").run()
    _ok(at)
    at.selectbox(key="progress_athlete").set_value("Ana").run()
    _ok(at)
    assert at.selectbox(key="progress_drill").value == "high-knees"
    assert any("Drive the knee" in w.value and "2 of the last 3" in w.value for w in at.warning)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    records = _chart_rows(charts[0])
    assert json.loads(charts[0].proto.spec)["data"]["name"] == charts[0].proto.datasets[0].name
    bands = {(r["lo"], r["hi"]) for r in records if r.get("kind") == "band"}
    weekly = [r["value"] for r in records if r.get("kind") == "week" and r["metric"].startswith("knee lift")]
    knee = [r for r in seeded.metric_rows("Ana", "high-knees") if r["metric"] == "knee_lift_deg"]
    assert (knee[0]["target_lo"], knee[0]["target_hi"]) in bands  # the knee-lift target band is drawn
    for r in knee:  # one session a week: each weekly mean is that session's value
        assert any(v == pytest.approx(r["value"]) for v in weekly)
    trends = _table(at, "metric", "trend")
    assert trends[trends["metric"] == "knee_lift_deg"].iloc[0]["trend"] == "improving"


@pytest.mark.slow
def test_real_clips_import_compare_progress(data, tmp_path):
    """The whole coach flow on two real sample clips (MediaPipe runs)."""
    at = page("3_Coach_library.py").run()
    at.sidebar.text_input(key="new_athlete").input("Real Athlete")
    at.sidebar.button[0].click().run()
    _ok(at)
    for name, day in (("high-knees_same-side-arms.mp4", dt.date(2025, 3, 3)),
                      ("high-knees_good.mp4", dt.date(2025, 3, 10))):
        at.file_uploader(key="upload").set_value((name, (SAMPLES / name).read_bytes(), "video/mp4"))
        at.selectbox(key="import_drill").set_value("high-knees")
        at.date_input(key="import_date").set_value(day)
        at.button(key="import_button").click().run()
        _ok(at)
        assert any("1 imported" in s.value for s in at.success), [e.value for e in at.error]
    lib = Library(data)
    first, second = lib.sessions("Real Athlete")
    assert (first.clip, second.clip) == ("high-knees_same-side-arms.mp4", "high-knees_good.mp4")
    assert second.score > first.score

    cmp = page("4_Compare.py").run()
    cmp.selectbox(key="session_A").set_value(first.id)
    cmp.selectbox(key="session_B").set_value(second.id)
    cmp.button(key="compare_button").click().run()
    _ok(cmp)
    assert len(cmp.get("video")) == 1 and len(_table(cmp, "pair", "metric")) > 0
    arms = _table(cmp, "metric", "A score")
    arm = arms[arms["metric"] == "arm_leg_phase_deg"].iloc[0]
    assert arm["A"] > 90 > arm["B"]  # same-side arms (180 deg) against opposite arms (0 deg)

    prog = page("5_Progress.py").run()
    _ok(prog)
    assert len(prog.get("vega_lite_chart")) == 1
