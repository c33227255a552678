"""The annotated video plays in browsers, keeps the source's frames, rate and orientation, and the
drawing lands on the athlete; write_visual_outputs writes everything or nothing."""

from __future__ import annotations


import av
import numpy as np
import pytest

import formcheck.annotate.outputs as outputs
from formcheck.analyze import analyze_sequence
from formcheck.annotate import VideoSettings, build_overlay, write_annotated_video, write_visual_outputs
from formcheck.annotate.annotators import STYLE, SkeletonAnnotator
from formcheck.landmarks import LEG, SKELETON
from formcheck.synth import Camera, defaults_for, make_clip
from formcheck.video import VideoWriter, iter_frames, probe

BACKGROUND = (70, 70, 70)
FIGURE = (120, 110, 100)


def picture(seq, i: int) -> np.ndarray:
    """A plain frame with a grey stick figure where the synthetic pose is (what a camera would see)."""
    import cv2

    img = np.empty((seq.height, seq.width, 3), np.uint8)
    img[:] = BACKGROUND
    for a, b in SKELETON:
        p, q = seq.xy[i, a], seq.xy[i, b]
        if np.isfinite(p).all() and np.isfinite(q).all():
            cv2.line(img, tuple(int(v) for v in p), tuple(int(v) for v in q), FIGURE, 7, cv2.LINE_AA)
    return img


def write_source(path, seq, *, turn_cw_deg: int = 0):
    """The clip as a phone would store it: upright through VideoWriter, or stored turned
    counter-clockwise with a display matrix saying to turn it back (``turn_cw_deg``)."""
    if not turn_cw_deg:
        with VideoWriter(path, fps=seq.fps) as w:
            for i in range(len(seq)):
                w.write(picture(seq, i), seq.t_s[i])
        return path
    k = turn_cw_deg // 90
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=round(seq.fps))
        s.width, s.height = (seq.height, seq.width) if k % 2 else (seq.width, seq.height)
        s.pix_fmt = "yuv420p"
        s.set_display_rotation(-turn_cw_deg)
        for i in range(len(seq)):
            stored = np.ascontiguousarray(np.rot90(picture(seq, i), k))
            c.mux(s.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")))
        c.mux(s.encode(None))
    return path


def stream_facts(path):
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        return v.codec_context.name, v.codec_context.pix_fmt


def analysed(drill: str, camera: Camera, duration_s: float = 2.0, **kw):
    clip = make_clip(defaults_for(drill), camera, duration_s=duration_s, **kw)
    report = analyze_sequence(clip.sequence, drill)
    return clip.sequence, report


@pytest.mark.parametrize("size, turn_cw_deg", [((480, 320), 0), ((320, 480), 0), ((320, 480), 90)],
                         ids=["landscape", "portrait", "portrait-stored-rotated"])
def test_annotated_video_is_h264_with_the_source_frames_and_orientation(tmp_path, size, turn_cw_deg):
    w, h = size
    seq, report = analysed("march", Camera(width=w, height=h, fps=30))
    src = write_source(tmp_path / "src.mp4", seq, turn_cw_deg=turn_cw_deg)
    src_info = probe(src)
    assert (src_info.width, src_info.height, src_info.rotation_deg) == (w, h, turn_cw_deg)
    out = tmp_path / "annotated.mp4"
    result = write_annotated_video(src, out, build_overlay(report, seq))
    assert result.frames == len(seq) and (result.width, result.height) == (w, h)

    assert stream_facts(out) == ("h264", "yuv420p")
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "not fast start"
    info = probe(out)
    assert (info.width, info.height, info.rotation_deg) == (w, h, 0)
    assert info.fps == pytest.approx(src_info.fps)
    frames = list(iter_frames(out))
    src_frames = list(iter_frames(src))
    assert len(frames) == len(src_frames) == len(seq)
    assert [f.t_s for f in frames] == pytest.approx([f.t_s for f in src_frames], abs=1e-4)

    # the skeleton lands on the athlete: the near (right) shin's midpoint has the near colour
    i = len(seq) // 2
    knee, ankle = seq.xy[i, LEG["right"][1]], seq.xy[i, LEG["right"][2]]
    x, y = np.round((knee + ankle) / 2).astype(int)
    patch = frames[i].image[y - 1:y + 2, x - 1:x + 2].astype(int)
    dist = np.abs(patch - np.array(STYLE.near)).max(axis=2)
    assert dist.min() < 45, patch  # lossy 4:2:0 video: colours are close, not exact
    # and nothing is drawn in a corner far from the athlete (bottom right: no banner or counter there)
    assert np.abs(frames[i].image[h - 3, w - 3].astype(int) - BACKGROUND).max() < 12


def test_variable_frame_rate_keeps_each_frame_time(tmp_path):
    seq, report = analysed("march", Camera(width=320, height=240, fps=30), jitter_timestamps_s=0.006)
    gaps = np.diff(seq.t_s)
    assert gaps.max() - gaps.min() > 0.005  # really uneven
    src = write_source(tmp_path / "vfr.mp4", seq)
    out = tmp_path / "out.mp4"
    write_annotated_video(src, out, build_overlay(report, seq), [SkeletonAnnotator()])
    got = [f.t_s for f in iter_frames(out)]
    want = [f.t_s for f in iter_frames(src)]
    assert got == pytest.approx(want, abs=2e-5)
    assert got == pytest.approx(seq.t_s - seq.t_s[0], abs=2e-5)


def test_kept_frames_are_the_raw_decoded_frames(tmp_path):
    seq, report = analysed("march", Camera(width=320, height=240, fps=30))
    src = write_source(tmp_path / "src.mp4", seq)
    result = write_annotated_video(src, tmp_path / "out.mp4", build_overlay(report, seq), keep_frames={3, 40})
    raw = {f.index: f.image for f in iter_frames(src)}
    assert sorted(result.kept) == [3, 40]
    assert np.array_equal(result.kept[40], raw[40])


def test_max_side_downscales_and_draws_at_the_scaled_points(tmp_path):
    seq, report = analysed("march", Camera(width=640, height=480, fps=30))
    src = write_source(tmp_path / "src.mp4", seq)
    result = write_annotated_video(src, tmp_path / "out.mp4", build_overlay(report, seq),
                                   settings=VideoSettings(max_side=320))
    assert (result.width, result.height) == (320, 240) and result.downscaled
    frame = list(iter_frames(tmp_path / "out.mp4"))[10].image
    knee, ankle = seq.xy[10, LEG["right"][1]] / 2, seq.xy[10, LEG["right"][2]] / 2
    x, y = np.round((knee + ankle) / 2).astype(int)
    patch = frame[y - 1:y + 2, x - 1:x + 2].astype(int)
    assert np.abs(patch - np.array(STYLE.near)).max(axis=2).min() < 60


def test_a_failing_annotator_leaves_no_video(tmp_path):
    seq, report = analysed("march", Camera(width=320, height=240, fps=30))
    src = write_source(tmp_path / "src.mp4", seq)

    class Broken:
        def annotate(self, frame, ctx):
            if ctx.index == 20:
                raise RuntimeError("drawing failed")
            return frame

    with pytest.raises(RuntimeError, match="drawing failed"):
        write_annotated_video(src, tmp_path / "out.mp4", build_overlay(report, seq), [Broken()])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.mp4"]


# ----------------------------------------------------------------------------- all outputs
@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    d = tmp_path_factory.mktemp("faulty")
    clip = make_clip(defaults_for("a-skip", knee_lift_deg=64, arm_leg_phase_deg=75),
                     Camera(width=480, height=320, fps=30), duration_s=4)
    report = analyze_sequence(clip.sequence, "a-skip")
    assert report.cues, "the faults give cues"
    src = write_source(d / "clip.mp4", clip.sequence)
    return clip.sequence, report, src


def test_write_visual_outputs_writes_everything(tmp_path, faulty):
    seq, report, src = faulty
    out = tmp_path / "out"
    (out).mkdir()
    (out / "report.json").write_text("{}")
    res = write_visual_outputs(out, report, seq, None, src)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["annotated.mp4", "keyframes", "plots", "report.html", "report.json"]
    assert len(res.keyframes) == len([c for c in report.cues if c.evidence])
    assert all(p.is_file() and p.read_bytes()[:4] == b"\x89PNG" for p in res.keyframes + res.plots)
    assert {p.name for p in res.plots} == {"main_0_a-skip.png", "lean.png", "arm_leg.png"}
    assert stream_facts(out / "annotated.mp4") == ("h264", "yuv420p")
    assert probe(out / "annotated.mp4").frames == len(seq)
    html = (out / "report.html").read_text()
    for c in report.cues:
        assert c.text in html
    assert "annotated.mp4" in html
    assert res.video == out / "annotated.mp4"


def test_without_video_no_mp4_is_left(tmp_path, faulty):
    seq, report, src = faulty
    out = tmp_path / "out"
    out.mkdir()
    (out / "annotated.mp4").write_bytes(b"old")
    res = write_visual_outputs(out, report, seq, None, src, video=False)
    assert res.video is None and not (out / "annotated.mp4").exists()
    assert (out / "report.html").is_file() and len(res.keyframes) == len(report.cues)
    assert "No annotated video was written" in (out / "report.html").read_text()


def test_without_a_clip_the_keyframes_are_drawn_on_a_plain_background(tmp_path, faulty):
    seq, report, _ = faulty
    res = write_visual_outputs(tmp_path, report, seq)
    assert res.video is None and res.keyframes and (tmp_path / "report.html").is_file()


def test_a_failure_leaves_the_folder_as_it_was(tmp_path, faulty, monkeypatch):
    seq, report, src = faulty
    out = tmp_path / "out"
    write_visual_outputs(out, report, seq, None, src, video=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*a, **k):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(outputs, "render_plots", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        write_visual_outputs(out, report, seq, None, src)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_failed_move_puts_the_old_outputs_back(tmp_path, faulty, monkeypatch):
    from formcheck.annotate import KeyframeSettings

    seq, report, src = faulty
    out = tmp_path / "out"
    # the first outputs differ from the second (smaller key frames), so a partial move would show
    write_visual_outputs(out, report, seq, None, src, video=False, keyframe_settings=KeyframeSettings(320))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_replace = outputs.os.replace
    failed = []

    def replace(a, b):  # the new report.html cannot be moved in (once)
        if not failed and str(b) == str(out / "report.html") and ".old" not in str(a):
            failed.append(a)
            raise OSError("disk full")
        return real_replace(a, b)

    monkeypatch.setattr(outputs.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        write_visual_outputs(out, report, seq, None, src, video=False)
    assert failed
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_large_clip_gets_a_720p_video_and_the_report_says_so(tmp_path):
    seq, report = analysed("march", Camera(width=1600, height=900, fps=10), duration_s=2.0)
    src = write_source(tmp_path / "big.mp4", seq)
    res = write_visual_outputs(tmp_path / "out", report, seq, None, src)
    info = probe(res.video)
    assert (info.width, info.height, info.frames) == (1280, 720, len(seq))
    assert (res.annotated.width, res.annotated.height, res.annotated.source_size) == (1280, 720, (1600, 900))
    assert "smaller than the clip (1600 x 900)" in res.html.read_text()
    full = write_visual_outputs(tmp_path / "full", report, seq, None, src, video_settings=VideoSettings(max_side=None))
    assert (probe(full.video).width, probe(full.video).height) == (1600, 900)
    assert "smaller than the clip" not in full.html.read_text()


def test_frames_are_matched_by_time_when_numbering_differs(tmp_path):
    seq, report = analysed("march", Camera(width=320, height=240, fps=30))
    overlay = build_overlay(report, seq)
    t = overlay.t_s
    assert overlay.frame_index(5, t[5]) == 5
    assert overlay.frame_index(4, t[5]) == 5          # one frame dropped before it by the decoder
    assert overlay.frame_index(len(t) + 3, t[-1] + 1.0) == -1
    assert overlay.frame_index(7) == 7 and overlay.frame_index(-1) == -1


def test_frames_reach_the_encoder_as_i420_and_show_what_was_drawn(tmp_path, monkeypatch):
    """The annotated frames are handed to the writer as I420 made by OpenCV (write(...,
    format="yuv420p")), and the video is as close to the drawn frames as the same frames
    encoded from RGB (converted inside the encoder)."""
    import formcheck.annotate.video as annotate_video
    from formcheck.annotate import annotate_frame, default_annotators

    seen: set[tuple[str, tuple[int, ...]]] = set()

    class Spy(VideoWriter):
        def write(self, image, t_s=None, *, format="rgb24"):
            seen.add((format, image.shape))
            super().write(image, t_s, format=format)

    seq, report = analysed("march", Camera(width=320, height=240, fps=30))
    src = write_source(tmp_path / "src.mp4", seq)
    overlay = build_overlay(report, seq)
    monkeypatch.setattr(annotate_video, "VideoWriter", Spy)
    write_annotated_video(src, tmp_path / "video.mp4", overlay)
    assert seen == {("yuv420p", (240 * 3 // 2, 320))}

    chain = default_annotators()
    drawn = []
    with VideoWriter(tmp_path / "rgb.mp4", fps=seq.fps) as w:
        for f in iter_frames(src):
            image = annotate_frame(f.image, overlay.context(overlay.frame_index(f.index, f.t_s)), chain)
            drawn.append(image.astype(int))
            w.write(image, f.t_s)
    video = [f.image.astype(int) for f in iter_frames(tmp_path / "video.mp4")]
    rgb = [f.image.astype(int) for f in iter_frames(tmp_path / "rgb.mp4")]
    assert len(video) == len(rgb) == len(drawn) == len(seq)
    err_video = np.mean([np.abs(v - d).mean() for v, d in zip(video, drawn)])
    err_rgb = np.mean([np.abs(r - d).mean() for r, d in zip(rgb, drawn)])
    assert err_video < err_rgb + 0.5, (err_video, err_rgb)
    assert max(np.abs(v - r).mean() for v, r in zip(video, rgb)) < 3.0


def test_an_odd_sized_video_is_padded_to_an_even_size(tmp_path):
    seq, report = analysed("march", Camera(width=640, height=480, fps=30))
    src = write_source(tmp_path / "src.mp4", seq)
    result = write_annotated_video(src, tmp_path / "out.mp4", build_overlay(report, seq),
                                   settings=VideoSettings(max_side=321))
    assert (result.width, result.height) == (321, 241)  # 480 * 321 / 640 = 240.75
    info = probe(tmp_path / "out.mp4")
    assert (info.width, info.height, info.frames) == (322, 242, len(seq))
    assert stream_facts(tmp_path / "out.mp4") == ("h264", "yuv420p")
