"""The coach pages in a real browser (headless Chromium driving ``streamlit run``): add an athlete,
upload two sample clips, compare them, see the progress chart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CLIPS = ("high-knees_same-side-arms.mp4", "high-knees_good.mp4")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} to drive the app"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entry(tmp: Path) -> tuple[Path, Path]:
    """``(folder, script)`` to run: the app itself, or (until app.py exists) a bare entry page
    beside the same pages folder."""
    if (ROOT / "app.py").is_file():
        return ROOT, ROOT / "app.py"
    folder = tmp / "app"
    folder.mkdir()
    (folder / "app.py").write_text("import streamlit as st\nst.title('formcheck')\n")
    (folder / "pages").symlink_to(ROOT / "pages")
    return folder, folder / "app.py"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser_library")
    data = tmp / "data"
    folder, script = _entry(tmp)
    port = _free_port()
    env = dict(os.environ, FORMCHECK_DATA=str(data), PYTHONUNBUFFERED="1")
    log = open(tmp / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
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
        yield url, data, tmp
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _select(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.locator('[role="combobox"], input').first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_coach_flow_in_the_browser(server, browser, tmp_path):
    from formcheck.library import Library

    url, data, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # add an athlete
    page.goto(f"{url}/Coach_library")
    page.get_by_text("No athletes yet").wait_for()
    page.get_by_label("New athlete's name").fill("Mara")
    page.get_by_role("button", name="Add athlete").click()
    page.get_by_text("Added Mara.").wait_for()

    # upload and import two sample clips
    page.locator('input[type="file"]').set_input_files([str(SAMPLES / c) for c in CLIPS])
    page.wait_for_function(  # both files listed, and uploaded (no spinner left)
        "() => document.querySelectorAll('[data-testid=stFileChip]').length === 2 && "
        "document.querySelectorAll('[data-testid=stFileChipIconSpinner]').length === 0")
    from formcheck.drills import get_drill

    _select(page, "Drill", get_drill("high-knees").title)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("2 imported").wait_for(timeout=600_000)
    sessions = Library(data).sessions("Mara")
    assert sorted(s.clip for s in sessions) == sorted(CLIPS)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()

    # compare them
    page.goto(f"{url}/Compare")
    page.get_by_role("button", name="Compare").click()
    page.locator("video").first.wait_for(timeout=300_000)
    page.get_by_text("Per rep").wait_for()
    src = page.locator("video").first.get_attribute("src")
    assert src
    ready = page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.readyState >= 1 && v.duration > 0; }",
        timeout=60_000)
    assert ready
    duration = page.evaluate("document.querySelector('video').duration")
    assert duration == pytest.approx(6.0, abs=0.2)  # A's clip length: the comparison runs on A's time

    # see the progress chart
    page.goto(f"{url}/Progress")
    chart = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first
    chart.wait_for()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    page.get_by_text("Persistent faults").or_(page.get_by_text("No persistent faults")).first.wait_for()
    assert errors == []
    page.close()
