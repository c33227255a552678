"""The app in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright,
against ``streamlit run app.py`` started here.

- upload a sample clip: the cues appear and the annotated video plays in the page;
- two tabs (two sessions) analysing different clips keep their own results;
- the live page with a fake webcam (a y4m made from a sample clip, 640x480): frames are processed,
  reps are counted, and STOP gives the summary.

Skipped when Chromium is not installed. Expected cues come from the clips' planted faults.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_START_S = 60
ANALYSIS_S = 150_000  # ms, for a first analysis on a busy machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_y4m(clip: Path, dest: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """The clip as a raw YUV4MPEG2 file (what Chromium's fake camera plays), letterboxed to ``size``."""
    import cv2

    from formcheck.video import iter_frames, probe

    w, h = size
    fps = round(probe(clip).fps)
    with open(dest, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for f in iter_frames(clip):
            ih, iw = f.image.shape[:2]
            k = min(w / iw, h / ih)
            nw, nh = round(iw * k) // 2 * 2, round(ih * k) // 2 * 2
            frame = np.zeros((h, w, 3), dtype=np.uint8)
            y, x = (h - nh) // 2, (w - nw) // 2
            frame[y:y + nh, x:x + nw] = cv2.resize(f.image, (nw, nh), interpolation=cv2.INTER_AREA)
            fh.write(b"FRAME\n")
            fh.write(cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).tobytes())
    return dest


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("app-server")
    port = _free_port()
    env = dict(os.environ, FORMCHECK_CACHE=str(tmp / "cache"))
    log = open(tmp / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"streamlit did not start:\n{(tmp / 'streamlit.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    y4m = _write_y4m(SAMPLES / "a-skip_low-knees.mp4", tmp_path_factory.mktemp("camera") / "clip.y4m")
    args = CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                            f"--use-file-for-fake-video-capture={y4m}"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        page = b.new_page()  # the home page first: it also loads everything the pages import
        page.goto(server)
        page.get_by_text("Drills formcheck knows").wait_for(timeout=60_000)
        page.close()
        yield b
        b.close()


def _choose_drill(page, title: str) -> None:
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=title, exact=True).click()
    from playwright.sync_api import expect

    expect(page.get_by_role("combobox", name="Drill")).to_have_value(title)


def _analyse(page, url: str, clip: Path, drill_title: str) -> None:
    page.goto(f"{url}/Analyze_a_clip")
    page.get_by_text("Phone video").first.wait_for(timeout=60_000)
    _choose_drill(page, drill_title)
    page.locator("input[type=file]").set_input_files(str(clip))


def _cue_text(drill: str, cue_id: str) -> str:
    from formcheck.drills import get_drill

    return next(c.text for c in get_drill(drill).cues if c.id == cue_id)


def test_upload_shows_cues_and_the_annotated_video_plays(server, browser):
    page = browser.new_page()
    _analyse(page, server, SAMPLES / "a-skip_low-knees.mp4", "A-skip")
    page.get_by_text("What to work on").wait_for(timeout=ANALYSIS_S)
    # the clip's planted fault: knees lifted to 60 deg against a target of 80-110
    page.get_by_text(_cue_text("a-skip", "knee-height")).first.wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "A-skip"
    video = page.locator("video").first
    video.wait_for()
    page.wait_for_function("() => document.querySelector('video').readyState >= 2", timeout=30_000)
    t0 = page.evaluate("async () => { const v = document.querySelector('video'); v.muted = true;"
                       " await v.play(); return v.currentTime; }")
    page.wait_for_timeout(1500)
    state = page.evaluate("() => { const v = document.querySelector('video');"
                          " return {t: v.currentTime, ready: v.readyState, err: v.error && v.error.code,"
                          " w: v.videoWidth, h: v.videoHeight}; }")
    assert state["err"] is None
    assert state["ready"] >= 2
    assert state["t"] > t0 + 0.3, f"the video does not play: {state}"
    assert (state["w"], state["h"]) == (640, 360)
    page.close()


def test_two_tabs_keep_their_own_results(server, browser):
    context = browser.new_context()
    a, b = context.new_page(), context.new_page()
    sent_by_a: list = []
    a.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent_by_a.append(payload)))
    _analyse(a, server, SAMPLES / "a-skip_low-knees.mp4", "A-skip")
    _analyse(b, server, SAMPLES / "high-knees_good.mp4", "High knees")
    a.get_by_text("What to work on").wait_for(timeout=ANALYSIS_S)
    b.get_by_text("What to work on").wait_for(timeout=ANALYSIS_S)
    # tab A reruns its script (the "r" shortcut) after tab B's analysis: it still shows its own clip
    a.bring_to_front()
    a.get_by_role("heading", name="Analyze a clip").click()
    before = len(sent_by_a)
    a.keyboard.press("r")
    a.wait_for_timeout(1500)
    assert len(sent_by_a) > before, "tab A sent no rerun request"
    a.get_by_text("What to work on").wait_for(timeout=30_000)
    for page, clip, drill in ((a, "a-skip_low-knees.mp4", "A-skip"), (b, "high-knees_good.mp4", "High knees")):
        text = page.locator("section.main, [data-testid=stMain]").first.inner_text()
        assert clip in text
        other = "high-knees_good.mp4" if clip.startswith("a-skip") else "a-skip_low-knees.mp4"
        assert other not in text
        assert page.get_by_test_id("stMetricValue").first.inner_text() == drill
    assert _cue_text("a-skip", "knee-height") in a.locator("[data-testid=stMain]").inner_text()
    assert _cue_text("a-skip", "knee-height") not in b.locator("[data-testid=stMain]").inner_text()
    context.close()


def test_live_page_with_a_fake_webcam_counts_reps(server, browser):
    context = browser.new_context(permissions=["camera"])
    page = context.new_page()
    page.goto(f"{server}/Live_check")
    page.get_by_text("Press START", exact=False).first.wait_for(timeout=60_000)
    _choose_drill(page, "A-skip")
    webrtc = page.frame_locator('iframe[title*="webrtc"]')
    webrtc.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=30_000)
    frames = reps = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        text = page.locator("[data-testid=stMain]").inner_text()
        m = re.search(r"Frames processed: (\d+).*?Reps: (\d+)", text)
        if m:
            frames, reps = int(m.group(1)), int(m.group(2))
            if frames >= 20 and reps >= 2:
                break
        page.wait_for_timeout(500)
    assert frames >= 20, f"only {frames} frames processed"
    assert reps >= 2, f"only {reps} reps counted after {frames} frames"
    # the annotated stream comes back into the page's video element
    playing = webrtc.locator("video").first.evaluate("v => v.readyState >= 2 && v.videoWidth > 0")
    assert playing
    webrtc.get_by_role("button", name=re.compile("^stop$", re.I)).click()
    page.get_by_text("Session summary").wait_for(timeout=60_000)
    counted = page.locator("[data-testid=stMetric]", has_text="Reps counted").get_by_test_id("stMetricValue")
    counted.wait_for(timeout=30_000)
    assert int(counted.inner_text()) >= reps
    context.close()
