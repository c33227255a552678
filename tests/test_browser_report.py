"""report.html in a real browser (headless Chromium): cues shown, every image loads, nothing is
fetched from anywhere, and it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} to open the report in"),
]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    import numpy as np

    from formcheck.analyze import analyze_sequence
    from formcheck.annotate import write_visual_outputs
    from formcheck.synth import Camera, defaults_for, make_clip
    from formcheck.video import VideoWriter

    d = tmp_path_factory.mktemp("browser")
    clip = make_clip(defaults_for("a-skip", knee_lift_deg=64, arm_leg_phase_deg=75),
                     Camera(width=480, height=320, fps=30), duration_s=4)
    seq = clip.sequence
    with VideoWriter(d / "clip.mp4", fps=30) as w:
        for i in range(len(seq)):
            w.write(np.full((320, 480, 3), 80, np.uint8), seq.t_s[i])
    report = analyze_sequence(seq, "a-skip")
    assert report.cues
    write_visual_outputs(d / "out", report, seq, None, d / "clip.mp4")
    return d / "out", report


@pytest.fixture(scope="module")
def page(report_dir):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    out, report = report_dir
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            pg = browser.new_page()
            requests: list[str] = []
            failed: list[str] = []
            pg.on("request", lambda r: requests.append(r.url))
            pg.on("requestfailed", lambda r: failed.append(r.url))
            pg.goto((out / "report.html").as_uri(), wait_until="load")
            yield pg, report, requests, failed
        finally:
            browser.close()


def test_cues_are_shown(page):
    pg, report, _, _ = page
    cues = pg.locator(".cue")
    assert cues.count() == len(report.cues)
    for i, cue in enumerate(report.cues):
        assert cue.text in cues.nth(i).inner_text()
        assert cues.nth(i).is_visible()


def test_every_image_loads(page):
    pg, report, _, _ = page
    images = pg.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == len(report.cues) + 3  # a key frame per cue, three plots
    assert all(complete and w > 0 and h > 0 for complete, w, h in images), images


def test_nothing_is_fetched_and_no_link_is_broken(page):
    pg, _, requests, failed = page
    assert failed == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert sum(u.startswith("file:") for u in requests) == 1  # the page itself
    links = pg.evaluate("Array.from(document.querySelectorAll('[href],[src]'))"
                        ".map(e => e.getAttribute('href') || e.getAttribute('src'))")
    for link in links:
        assert link.startswith(("data:", "#")), link[:60]
        if link.startswith("#") and len(link) > 1:
            assert pg.locator(link).count() == 1


def test_it_prints(page):
    pg, report, _, _ = page
    pg.emulate_media(media="print")
    assert pg.locator(".cue").first.is_visible()
    pdf = pg.pdf(format="A4")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
