"""The HTML report: self-contained, escaped, complete, printable."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from formcheck.analyze import analyze_sequence
from formcheck.annotate import build_overlay, plan_keyframes, render_html, render_keyframe, render_plots
from formcheck.annotate.html import HtmlImage, VideoNote
from formcheck.synth import Camera, defaults_for, make_clip, make_warmup

VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "area", "base", "wbr"}


class Collector(HTMLParser):
    """Tags, attributes and text of a document; checks that tags are balanced."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(document: str) -> Collector:
    c = Collector()
    c.feed(document)
    c.close()
    return c


@pytest.fixture(scope="module")
def analysed():
    clip = make_clip(defaults_for("a-skip", knee_lift_deg=64, arm_leg_phase_deg=75),
                     Camera(width=480, height=320, fps=30), duration_s=4)
    report = analyze_sequence(clip.sequence, "a-skip")
    overlay = build_overlay(report, clip.sequence)
    keys = {p.cue.rank: HtmlImage(f"cue {p.cue.rank}", _png(render_keyframe(p, {}, overlay)))
            for p in plan_keyframes(overlay)}
    plots = [HtmlImage(p.title, p.png) for p in render_plots(overlay)]
    return report, keys, plots


def _png(rgb: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", rgb[:, :, ::-1])
    assert ok
    return buf.tobytes()


def test_report_is_self_contained(analysed):
    report, keys, plots = analysed
    doc = render_html(report, keyframes=keys, plots=plots, video=VideoNote("annotated.mp4", 480, 320))
    c = parse(doc)
    assert not c.errors and not c.stack
    tags = [t for t, _ in c.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags and "a" not in tags
    bare = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", doc)
    assert not re.search(r"https?:|ftp:|file:|//[a-z]", bare)  # nothing fetched from elsewhere
    assert "url(" not in doc and "@import" not in doc
    imgs = [a for t, a in c.tags if t == "img"]
    assert len(imgs) == len(keys) + len(plots)
    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(a["src"].split(",", 1)[1])
        img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.size > 0
        assert a.get("alt")
    for t, a in c.tags:  # no attribute points anywhere but into the file
        for k in ("href", "src", "action", "poster"):
            if k in a:
                assert a[k].startswith(("data:", "#")), (t, a[k][:40])


def test_report_shows_the_cues_metrics_and_clip(analysed):
    report, keys, plots = analysed
    doc = render_html(report, keyframes=keys, plots=plots)
    text = " ".join(parse(doc).text)
    for cue in report.cues:
        assert cue.text in text
    for name, m in report.metrics.items():
        if m.target != (None, None) and m.value is not None:
            lo, hi = m.target
            if m.unit == "deg":
                assert f"{lo:g}-{hi:g} deg" in text
    assert "knee lift" in text and "Target" in text
    assert f"{report.score:.0f}" in text
    assert "480 x 320 pixels" in text and "30.0 frames per second" in text
    assert len(re.findall(r'class="cue"', doc)) == len(report.cues)
    assert "@media print" in doc and "break-inside: avoid" in doc


def test_all_text_is_escaped(analysed):
    report, keys, plots = analysed
    evil = '<script>alert("x")</script> & <b>bold</b>'
    cue = replace(report.cues[0], text=evil)
    bad = replace(report, cues=(cue,) + report.cues[1:], warnings=(evil,),
                  video=replace(report.video, path=f"/tmp/{evil}.mp4"))
    doc = render_html(bad, keyframes=keys, plots=plots)
    assert "<script>" not in doc and "<b>bold</b>" not in doc
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in doc
    c = parse(doc)
    assert not c.errors and "script" not in [t for t, _ in c.tags]
    assert evil in " ".join(c.text)  # shown to the reader as written


def test_warnings_and_missing_video_are_stated(analysed):
    report, _, _ = analysed
    doc = render_html(replace(report, warnings=("the camera moved",)), video=VideoNote(None, reason="skipped to save time"))
    text = " ".join(parse(doc).text)
    assert "the camera moved" in text and "No annotated video was written (skipped to save time)" in text
    small = render_html(report, video=VideoNote("annotated.mp4", 1080, 1920, downscaled_from=(2160, 3840)))
    assert "smaller than the clip (2160 x 3840)" in small


def warmup_report(clip):
    """A warm-up report with one segment per drill of a synthetic warm-up, made from the public
    analysis steps (measure each segment, score it with its clip frame offset), so it does not
    depend on drill recognition."""
    from formcheck.drills import get_drill
    from formcheck.filters import clean
    from formcheck.measure import detect_view, measure
    from formcheck.report import DrillInfo, PoseSummary, Report, SegmentResult, VideoSummary
    from formcheck.scoring import rank_cues, score_drill

    seq = clip.sequence
    cleaned = clean(seq)
    segs = []
    for part in clip.segments:
        spec = get_drill(part["drill"]) if part["drill"] not in ("walk", "stand") else None
        if spec is None:
            continue
        a, b = (int(np.searchsorted(seq.t_s, part[k] - 1e-9)) for k in ("start_s", "end_s"))
        sub = cleaned.slice(a, b)
        view = detect_view(sub)
        m = measure(sub, spec.metrics_for(view.view), rep_event=spec.rep_event, view=view)
        dr = score_drill(spec, m, frame_offset=a, segment=len(segs))
        segs.append(SegmentResult(drill=spec.name, start_s=float(seq.t_s[a]), end_s=float(seq.t_s[b - 1]),
                                  start_frame=a, end_frame=b, confidence=1.0, report=dr))
    view = detect_view(cleaned)
    return Report(
        formcheck_version="test", video=VideoSummary(None, seq.width, seq.height, seq.fps, seq.duration_s, len(seq)),
        pose=PoseSummary(None, seq.frames_with_pose, seq.coverage, view.view, view.facing, view.confidence),
        drill=DrillInfo("warm-up", "detected", 1.0), segments=tuple(segs), metrics={}, reps=(), score=None,
        cues=rank_cues([c for s in segs for c in s.report.cues]), warnings=(), t_s=seq.t_s)


def test_warmup_report_lists_each_drill():
    clip = make_warmup([("a-skip", 4.0), ("butt-kicks", 4.0)], Camera(width=480, height=320, fps=30), gap_s=1.0)
    report = warmup_report(clip)
    doc = render_html(report)
    text = " ".join(parse(doc).text)
    assert "Drills in this warm-up" in text and "A-skip" in text and "Butt kicks" in text
    assert not parse(doc).errors
