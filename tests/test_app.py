"""The Streamlit app, page by page, with Streamlit's AppTest (no browser), and its helpers.

AppTest drives ``st.file_uploader`` directly (``FileUploader.upload``): the page gets the file's
bytes as a browser upload would deliver them, and the same analysis runs. Expected values come
from :func:`formcheck.analyze.analyze_video` on the same clip (and the clips' ground truth).
"""

from __future__ import annotations

import hashlib
import io
import json
import tomllib
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from formcheck.errors import FormcheckError, VideoError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
HOME = str(ROOT / "app.py")
ANALYZE = str(ROOT / "pages" / "1_Analyze_a_clip.py")
LIVE = str(ROOT / "pages" / "2_Live_check.py")
TIMEOUT_S = 180


@pytest.fixture(scope="module")
def pose_cache(tmp_path_factory):
    """A pose cache of this module's own, so that the results do not depend on earlier runs."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("formcheck-cache")
        mp.setenv("FORMCHECK_CACHE", str(folder))
        yield folder


def _app(path: str):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(path, default_timeout=TIMEOUT_S)


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def _upload(at, name: str, data: bytes, drill: str | None = None, mime: str = "video/mp4"):
    if drill is not None:
        at.selectbox(key="drill").set_value(drill)
    at.file_uploader(key="clip").upload(name, data, mime)
    return at.run()


def _no_person_clip(path: Path, seconds: float = 2.0) -> Path:
    from formcheck.video import VideoWriter

    rng = np.random.default_rng(0)
    base = (rng.random((240, 320, 3)) * 60 + 100).astype(np.uint8)
    with VideoWriter(path, 15, (320, 240)) as w:
        for i in range(int(15 * seconds)):
            w.write(np.roll(base, 3 * i, axis=1))
    return path


# ============================================================================ pages
def test_home_page_explains_and_links():
    at = _app(HOME).run()
    assert not at.exception
    assert at.title[0].value == "formcheck"
    links = {e.proto.label.strip("*"): e.proto.page for e in at.get("page_link")}
    assert links["Analyze a clip"] == "Analyze_a_clip" and links["Live check"] == "Live_check"
    # every other page in pages/ is linked too
    from formcheck.webapp import app_pages, page_title

    assert set(links) == {"Analyze a clip", "Live check"} | {page_title(p) for p in app_pages(ROOT)
                                                             if not p.stem.startswith(("1_", "2_"))}
    text = _texts(at)
    assert "Side view" in text and "60 fps" in text  # how to film
    from formcheck.drills import get_drill, list_drills

    table = at.dataframe[0].value
    assert list(table["drill"]) == [get_drill(d).title for d in list_drills()]


def test_upload_page_before_a_clip():
    at = _app(ANALYZE).run()
    assert not at.exception
    assert "500 MB" in _texts(at)
    # other file types are refused by the uploader itself (in the browser, before any upload)
    allowed = {t.lstrip(".") for t in at.file_uploader(key="clip").allowed_type}
    assert allowed >= {"mp4", "mov", "m4v", "avi", "webm", "mkv"}
    assert "txt" not in allowed and "gif" not in allowed
    assert at.selectbox(key="drill").value == "auto"
    assert not at.get("download_button")


@pytest.mark.slow
def test_upload_a_sample_shows_score_cues_video_and_downloads(pose_cache):
    from formcheck.analyze import analyze_video

    clip = SAMPLES / "a-skip_low-knees.mp4"
    at = _upload(_app(ANALYZE).run(), clip.name, clip.read_bytes(), drill="a-skip")
    assert not at.exception
    assert not at.error
    expected = analyze_video(clip, "a-skip")  # the same analysis (its pose from the cache the page filled)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Drill"] == "A-skip"
    assert metrics["Score"] == f"{expected.score:.0f}/100"
    assert metrics["Reps"] == str(len(expected.reps))
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    assert abs(len(expected.reps) - truth["truth"]["reps"]) <= 1
    text = _texts(at)
    assert expected.cues, "the low-knees clip has a knee-lift fault planted"
    for i, cue in enumerate(expected.cues, 1):
        assert f"**{i}. {cue.text}**" in text
    assert "Drive the knee to hip height" in expected.cues[0].text
    # key frame, annotated video, metric table with target bands, charts, downloads
    assert len(at.get("image")) == len(expected.cues)  # each cue's key frame
    assert len(at.get("video")) == 1
    assert len(at.get("vega_lite_chart")) >= 1
    table = at.dataframe[0].value
    lift = table[table["metric"] == "knee lift"].iloc[0]
    assert lift["target"] == "80-110 deg"
    downloads = {b.label.replace("⬇ ", "") for b in at.get("download_button")}
    assert downloads == {"report.json", "metrics.csv", "report.html", "annotated.mp4"}
    assert "Charts" in text


@pytest.mark.slow
def test_a_clip_seen_before_comes_from_the_cache(pose_cache):
    clip = SAMPLES / "a-skip_low-knees.mp4"
    data = clip.read_bytes()
    first = _upload(_app(ANALYZE).run(), clip.name, data, drill="a-skip")
    assert not first.exception
    second = _upload(_app(ANALYZE).run(), "same-clip-renamed.mp4", data, drill="a-skip")  # another session
    assert not second.exception
    assert "Analysed before: results from the cache." in _texts(second)
    assert {m.label: m.value for m in second.metric} == {m.label: m.value for m in first.metric}


@pytest.mark.slow
def test_two_sessions_keep_their_own_results(pose_cache):
    a = _upload(_app(ANALYZE).run(), "a-skip_low-knees.mp4", (SAMPLES / "a-skip_low-knees.mp4").read_bytes(),
                drill="a-skip")
    b = _upload(_app(ANALYZE).run(), "high-knees_good.mp4", (SAMPLES / "high-knees_good.mp4").read_bytes(),
                drill="high-knees")
    a.run()  # a rerun of the first session after the second analysed its clip
    assert not a.exception and not b.exception
    assert a.subheader[0].value == "a-skip_low-knees.mp4" and a.metric[0].value == "A-skip"
    assert b.subheader[0].value == "high-knees_good.mp4" and b.metric[0].value == "High knees"


def test_a_file_that_is_not_a_video_gives_a_message(pose_cache):
    at = _upload(_app(ANALYZE).run(), "notes.mp4", b"these are my training notes, not a video\n" * 50)
    assert not at.exception
    assert at.error, "a message must say what is wrong"
    assert "notes.mp4" in at.error[0].value
    assert not at.metric
    assert "upload-" not in at.error[0].value  # names the user's file, not the temporary copy


@pytest.mark.slow
def test_a_clip_without_a_person_gives_filming_advice(pose_cache, tmp_path):
    clip = _no_person_clip(tmp_path / "empty_track.mp4")
    at = _upload(_app(ANALYZE).run(), clip.name, clip.read_bytes())
    assert not at.exception
    assert at.error and "no person" in at.error[0].value.lower()
    assert "empty_track.mp4" in at.error[0].value
    assert "Side view" in _texts(at)  # the filming guidance is shown with it
    assert not at.metric
    at.run()  # a rerun shows the message again without analysing again
    assert at.error and not at.exception


def test_a_too_short_clip_says_so(pose_cache, tmp_path):
    clip = _no_person_clip(tmp_path / "blink.mp4", seconds=0.4)
    at = _upload(_app(ANALYZE).run(), clip.name, clip.read_bytes())
    assert not at.exception
    assert at.error and "at least 1 s" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value


def _live_app():
    import streamlit_webrtc.component as component

    # AppTest has no server session: streamlit-webrtc asks for one to count script runs
    return mock.patch.object(component, "get_this_session_info", lambda: None)


def test_live_page_before_start():
    with _live_app():
        at = _app(LIVE).run()
    assert not at.exception
    assert at.title[0].value == "Live check"
    assert at.selectbox(key="live_drill").value == "auto"
    assert "Press **START**" in _texts(at)


def test_live_page_shows_the_summary_of_a_finished_session():
    from formcheck.live import LiveSession, LiveSettings
    from formcheck.synth.render import synth_clip
    from formcheck.webapp import LiveStore
    from test_live import FakeEstimator

    clip = synth_clip("a-skip", size=(640, 480), fps=30.0, seconds=6.0)
    session = LiveSession("a-skip", LiveSettings(background=False), estimator=FakeEstimator(clip.sequence))
    blank = np.zeros((480, 640, 3), dtype=np.uint8)
    for t in clip.sequence.t_s:
        session.process(blank, float(t))
    store = LiveStore()
    store.started(session)
    session.close()
    store.ended(session)
    with _live_app():
        at = _app(LIVE)
        at.session_state["_fc_live_store"] = store
        at.run()
    assert not at.exception
    text = _texts(at)
    assert "Session summary" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reps counted"] == str(len(session.reps)) and len(session.reps) >= 10
    assert metrics["Drill"] == "A-skip"
    assert metrics["Session score"].endswith("/100")


def test_live_page_with_a_bad_ice_server_list(monkeypatch):
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", "not json")
    with _live_app():
        at = _app(LIVE).run()
    assert not at.exception
    assert at.error and "FORMCHECK_ICE_SERVERS" in at.error[0].value


# ============================================================================ helpers
def test_ice_servers(monkeypatch):
    from formcheck.webapp import ice_servers

    monkeypatch.delenv("FORMCHECK_ICE_SERVERS", raising=False)
    assert ice_servers() == []
    servers = [{"urls": ["stun:stun.example.org:3478"]}]
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", json.dumps(servers))
    assert ice_servers() == servers
    monkeypatch.setenv("FORMCHECK_ICE_SERVERS", json.dumps([{"url": "x"}]))
    with pytest.raises(FormcheckError, match="urls"):
        ice_servers()


def test_upload_checks_hash_and_streamed_copy(tmp_path):
    from formcheck.webapp import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, check_upload, hash_upload, remove_upload, save_upload

    data = bytes(range(256)) * 40000  # 10 MB
    f = io.BytesIO(data)
    f.name = "my clip (1).MOV"
    assert hash_upload(f, chunk_bytes=1 << 20) == hashlib.sha256(data).hexdigest()
    assert f.tell() == 0
    saved = save_upload(f, tmp_path)
    assert saved.read_bytes() == data
    assert saved.suffix == ".mov" and saved.parent.parent == tmp_path
    remove_upload(saved)
    assert not saved.exists() and not saved.parent.exists()
    check_upload("clip.mp4", MAX_UPLOAD_BYTES)
    with pytest.raises(VideoError, match=f"{MAX_UPLOAD_MB} MB"):
        check_upload("clip.mp4", MAX_UPLOAD_BYTES + 1)
    with pytest.raises(VideoError, match="mp4"):
        check_upload("clip.gif", 1000)
    with pytest.raises(VideoError, match="empty"):
        check_upload("clip.mp4", 0)


def test_config_upload_limit_matches_the_page():
    from formcheck.webapp import MAX_UPLOAD_MB

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_live_processor_runs_one_session_per_stream(monkeypatch):
    """The streamlit-webrtc processor: a LiveSession per stream, frame times from the stream,
    closed (and its summary kept) when the stream ends."""
    import av

    import formcheck.live as live_mod
    from formcheck.synth.render import synth_clip
    from formcheck.webapp import LiveStore, live_processor_factory
    from test_live import FakeEstimator

    clip = synth_clip("a-skip", size=(640, 480), fps=30.0, seconds=4.0)
    made = []

    class Session(live_mod.LiveSession):
        def __init__(self, drill, settings=live_mod.LiveSettings(), **kw):
            est = FakeEstimator(clip.sequence)
            made.append(est)
            super().__init__(drill, live_mod.LiveSettings(background=False), estimator=est)

    monkeypatch.setattr(live_mod, "LiveSession", Session)
    import formcheck.webapp as webapp

    webapp._processor_class.cache_clear()
    try:
        store = LiveStore()
        store.set_drill("a-skip")
        proc = live_processor_factory(store)()
        assert store.current() is proc.session
        start_pts = 123_456  # stream times need not start at 0
        for i in range(len(clip.sequence)):
            frame = av.VideoFrame.from_ndarray(np.zeros((480, 640, 3), dtype=np.uint8), format="rgb24")
            frame.pts = start_pts + i * 3000
            frame.time_base = __import__("fractions").Fraction(1, 90000)
            out = proc.recv(frame)
            assert (out.width, out.height) == (640, 480)
        times = [c[0] for c in made[0].calls]
        assert times[0] == pytest.approx(0.0) and times[-1] == pytest.approx(clip.sequence.t_s[-1], abs=1e-6)
        assert len(proc.session.reps) >= 5
        proc.on_ended()
        assert made[0].closed
        assert store.current() is None and store.finished is proc.session
        assert store.finished.summary().rep_count == len(proc.session.reps)
    finally:
        webapp._processor_class.cache_clear()


# ============================================================================ formcheck app
def test_app_command_runs_streamlit_on_the_port(monkeypatch, capsys):
    import subprocess

    from formcheck.cli import build_parser, main

    args = build_parser().parse_args(["app", "--port", "8612"])
    assert args.func is not None and args.port == 8612
    calls = []

    class FakePopen:
        def __init__(self, cmd, cwd=None, env=None):
            calls.append((cmd, cwd))

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    assert main(["app", "--port", "8612"]) == 0
    cmd, cwd = calls[0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == ROOT / "app.py"
    assert cmd[cmd.index("--server.port") + 1] == "8612"
    assert Path(cwd) == ROOT  # so that .streamlit/config.toml applies
    assert "http://localhost:8612" in capsys.readouterr().out
    assert main(["app", "--port", "70000"]) == 2
    assert "port 70000" in capsys.readouterr().err
