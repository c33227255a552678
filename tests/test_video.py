"""formcheck.video on small clips made here with PyAV, plus one real phone clip.

Each test clip shows, upright, a black 48x64 (or 64x48) picture with a white 8x8 marker on the
left edge whose height encodes the frame index: frame i has its marker at rows 8*(i % rows)..+8.
A frame that comes out turned, mirrored or out of order puts the marker somewhere else.
"""

from __future__ import annotations

import io
import threading
from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from formcheck.errors import ClipTooShortError, VideoError
from formcheck.video import MIN_DURATION_S, VideoWriter, iter_frames, prefetched, probe

SIDE = 8  # marker size in pixels


def upright_image(i: int, width: int, height: int) -> np.ndarray:
    img = np.zeros((height, width, 3), np.uint8)
    top = SIDE * (i % (height // SIDE))
    img[top : top + SIDE, :SIDE] = 255
    return img


def expected_centre(i: int, width: int, height: int, scale: float = 1.0) -> tuple[float, float]:
    """(row, col) of the marker centre in frame i, in pixel-centre coordinates."""
    top = SIDE * (i % (height // SIDE))
    return ((top + SIDE / 2) * scale - 0.5, (SIDE / 2) * scale - 0.5)


def marker_centre(img: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(img.mean(axis=2) > 128)
    assert rows.size, "no marker found"
    return rows.mean(), cols.mean()


def write_clip(path, n=36, fps=30, *, size=(64, 48), codec="libx264", fmt=None, turn_cw_deg=0,
               matrix=None, times_s=None, file=None):
    """Raw PyAV clip of ``n`` marker frames; ``size`` is the upright (width, height).

    ``turn_cw_deg``: the picture is stored turned counter-clockwise by this much, with a display
    matrix telling players to turn it back clockwise (PyAV's helper counts counter-clockwise).
    """
    w, h = size
    k = turn_cw_deg // 90
    stored_w, stored_h = (h, w) if k % 2 else (w, h)
    with av.open(file or str(path), "w", format=fmt) as c:
        s = c.add_stream(codec, rate=fps)
        s.width, s.height, s.pix_fmt = stored_w, stored_h, "yuv420p"
        if turn_cw_deg:
            s.set_display_rotation(-turn_cw_deg)
        if matrix is not None:
            s.set_display_matrix(matrix)
        if times_s is not None:
            s.codec_context.time_base = Fraction(1, 1000)
        for i in range(n):
            stored = np.ascontiguousarray(np.rot90(upright_image(i, w, h), k))
            frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
            if times_s is not None:
                frame.pts, frame.time_base = round(times_s[i] * 1000), Fraction(1, 1000)
            c.mux(s.encode(frame))
        c.mux(s.encode(None))
    return path


def assert_markers(frames, width, height, scale=1.0):
    assert frames, "no frames decoded"
    for f in frames:
        assert f.image.dtype == np.uint8 and f.image.flags.c_contiguous
        assert f.image.shape == (round(height * scale), round(width * scale), 3)
        assert marker_centre(f.image) == pytest.approx(expected_centre(f.index, width, height, scale), abs=1.0)


# ------------------------------------------------------------------------------- writing


def test_writer_round_trip_is_browser_playable_h264(tmp_path):
    out = tmp_path / "out.mp4"
    with VideoWriter(out, fps=30) as w:
        for i in range(36):
            w.write(upright_image(i, 64, 48))
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert (v.codec_context.name, v.codec_context.pix_fmt, v.frames) == ("h264", "yuv420p", 36)
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "not +faststart: moov after mdat"
    info = probe(out)
    assert (info.width, info.height, info.frames, info.codec, info.container) == (64, 48, 36, "h264", "mp4")
    assert info.fps == pytest.approx(30) and info.duration_s == pytest.approx(1.2)
    assert info.rotation_deg == 0 and info.variable_frame_rate is False
    frames = list(iter_frames(out))
    assert [f.t_s for f in frames] == pytest.approx([i / 30 for i in range(36)], abs=1e-9)
    assert_markers(frames, 64, 48)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_writer_pads_odd_size_by_one_pixel(tmp_path):
    out = tmp_path / "odd.mp4"
    with VideoWriter(out, fps=30, size=(63, 47)) as w:
        for i in range(31):
            w.write(upright_image(i, 63, 47))
    info = probe(out)
    assert (info.width, info.height) == (64, 48)
    first = next(iter_frames(out)).image
    assert marker_centre(first) == pytest.approx(expected_centre(0, 64, 48), abs=1.0)


def test_writer_uses_given_timestamps(tmp_path):
    times = [0.0, 0.03, 0.05, 0.1, 0.2, 0.21, 0.25, 0.4, 0.41, 0.5, 0.9, 1.0, 1.1, 1.15]
    out = tmp_path / "vfr.mp4"
    with VideoWriter(out, fps=30) as w:
        for i, t in enumerate(times):
            w.write(upright_image(i, 64, 48), t_s=t)
    info = probe(out)
    assert info.variable_frame_rate is True and info.frames == len(times)
    assert info.duration_s >= times[-1]
    assert [f.t_s for f in iter_frames(out)] == pytest.approx(times, abs=1e-9)


def test_writer_leaves_nothing_when_the_block_raises(tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"previous result")
    with pytest.raises(RuntimeError, match="boom"):
        with VideoWriter(out, fps=30) as w:
            for i in range(5):
                w.write(upright_image(i, 64, 48))
            raise RuntimeError("boom")
    assert out.read_bytes() == b"previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_writer_without_frames_saves_nothing(tmp_path):
    out = tmp_path / "empty.mp4"
    with pytest.raises(VideoError, match="no frames were written"):
        with VideoWriter(out, fps=30):
            pass
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_a_frame_of_another_size(tmp_path):
    with pytest.raises(ValueError, match="64x48"):
        with VideoWriter(tmp_path / "x.mp4", fps=30, size=(64, 48)) as w:
            w.write(upright_image(0, 48, 64))
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("turn_cw_deg", [90, 180, 270])
def test_rotated_clip_comes_out_upright(tmp_path, turn_cw_deg):
    clip = write_clip(tmp_path / "rot.mp4", size=(48, 64), turn_cw_deg=turn_cw_deg)
    info = probe(clip)
    assert (info.width, info.height, info.rotation_deg) == (48, 64, turn_cw_deg)
    frames = list(iter_frames(clip))
    assert len(frames) == 36
    assert_markers(frames, 48, 64)
    # OpenCV's FFmpeg backend turns frames by the display matrix on its own: same picture.
    cap = cv2.VideoCapture(str(clip))
    ok, bgr = cap.read()
    cap.release()
    assert ok and bgr.shape == frames[0].image.shape
    assert np.abs(bgr[:, :, ::-1].astype(int) - frames[0].image).mean() < 2


def test_phone_portrait_matrix_is_turned_clockwise(tmp_path):
    # The matrix a phone writes for a portrait clip stored landscape (ffprobe: "rotation of
    # -90.00 degrees"): a point (x, y) is shown at (-y, x), i.e. the stored picture is turned
    # 90 degrees clockwise for display. So store the upright picture turned counter-clockwise.
    matrix = [0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30]
    path = tmp_path / "phone.mov"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        s.set_display_matrix(matrix)
        for i in range(31):
            stored = np.ascontiguousarray(np.rot90(upright_image(i, 48, 64), 1))
            c.mux(s.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")))
        c.mux(s.encode(None))
    info = probe(path)
    assert (info.width, info.height, info.rotation_deg, info.container) == (48, 64, 90, "mov")
    assert_markers(list(iter_frames(path)), 48, 64)


def test_max_side_shrinks_keeping_aspect(tmp_path):
    clip = write_clip(tmp_path / "rot.mp4", size=(48, 64), turn_cw_deg=90)
    frames = list(iter_frames(clip, max_side=32))
    assert_markers(frames, 48, 64, scale=0.5)
    assert next(iter_frames(clip, max_side=1000)).image.shape == (64, 48, 3)  # never enlarged


def test_variable_frame_rate_gives_the_written_timestamps(tmp_path):
    times = [0.0, 0.033, 0.05, 0.1, 0.2, 0.21, 0.25, 0.4, 0.417, 0.5, 0.9, 1.0, 1.1, 1.15]
    clip = write_clip(tmp_path / "vfr.mp4", n=len(times), times_s=times)
    frames = list(iter_frames(clip))
    assert [f.t_s for f in frames] == pytest.approx(times, abs=1e-9)
    assert_markers(frames, 64, 48)
    assert probe(clip).variable_frame_rate is True


@pytest.mark.parametrize(
    "codec, fmt, name, turn_cw_deg",
    [("libvpx-vp9", "webm", "c.webm", 270), ("libx264", "matroska", "c.mkv", 90),
     # libx265 4.2 corrupts the heap on 48-pixel-wide input, so HEVC is stored 64 wide (turned 180).
     ("libx265", "mp4", "c.mp4", 180), ("libx264", "mov", "c.m4v", 270),
     ("mpeg4", "avi", "c.avi", 0), ("libx264", "avi", "b.avi", 0)],
)
def test_other_containers_and_codecs(tmp_path, codec, fmt, name, turn_cw_deg):
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV's FFmpeg has no {codec} encoder to make the clip")
    clip = write_clip(tmp_path / name, n=40, codec=codec, fmt=fmt, turn_cw_deg=turn_cw_deg)
    info = probe(clip)
    assert (info.width, info.height, info.frames, info.rotation_deg) == (64, 48, 40, turn_cw_deg)
    assert info.codec == {"libvpx-vp9": "vp9", "libx264": "h264", "libx265": "hevc", "mpeg4": "mpeg4"}[codec]
    frames = list(iter_frames(clip))
    # AVI has no presentation times; H.264 in AVI (b.avi) has B-frames, so only dts is usable.
    assert [f.t_s for f in frames] == pytest.approx([i / 30 for i in range(40)], abs=1e-3)
    assert_markers(frames, 64, 48)


def test_webm_without_stated_duration_is_counted(tmp_path):
    if "libvpx-vp9" not in av.codecs_available:
        pytest.skip("PyAV's FFmpeg has no libvpx-vp9 encoder to make the clip")

    class Pipe(io.RawIOBase):  # a non-seekable output: the muxer cannot go back to write the duration
        def __init__(self, fh):
            self.fh = fh

        def writable(self):
            return True

        def write(self, b):
            return self.fh.write(b)

    path = tmp_path / "live.webm"
    with open(path, "wb") as fh:
        write_clip(path, n=45, codec="libvpx-vp9", fmt="webm", file=Pipe(fh))
    with av.open(str(path)) as c:
        assert c.duration is None and c.streams.video[0].frames == 0  # the case under test
    info = probe(path)
    assert info.frames == 45 and info.duration_s == pytest.approx(1.5, abs=0.01)


def test_too_short_clip(tmp_path):
    clip = write_clip(tmp_path / "short.mp4", n=20)
    with pytest.raises(ClipTooShortError, match=r"lasts 0\.67 s .*at least 1 s"):
        probe(clip)
    assert len(list(iter_frames(clip))) == 20  # reading is still possible
    assert MIN_DURATION_S == 1.0
    assert probe(write_clip(tmp_path / "one_second.mp4", n=30)).duration_s == pytest.approx(1.0)


# ------------------------------------------------------------------------------- bad input


def _faststart_clip(path):
    with VideoWriter(path, fps=30) as w:  # noisy frames so the data dwarfs the index
        for i in range(60):
            w.write(np.random.default_rng(i).integers(0, 256, (48, 64, 3), dtype=np.uint8))
    return path


def _cut(src, dst, frac=0.4):
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * frac)])
    return dst


def _moov_at_end(tmp_path):
    clip = write_clip(tmp_path / "full.mp4", n=60)
    data = clip.read_bytes()
    assert data.index(b"mdat") < data.index(b"moov")
    return _cut(clip, tmp_path / "cut.mp4")


def _faststart_cut(tmp_path):
    clip = _faststart_clip(tmp_path / "full.mp4")
    return _cut(clip, tmp_path / "cut.mp4")


def _jpeg_renamed(tmp_path):
    ok, buf = cv2.imencode(".jpg", upright_image(0, 64, 48))
    (tmp_path / "photo.mp4").write_bytes(buf.tobytes())
    return tmp_path / "photo.mp4"


def _audio_only(tmp_path):
    path = tmp_path / "voice.m4a"
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=44100)
        for i in range(50):
            f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            f.sample_rate, f.pts = 44100, i * 1024
            c.mux(s.encode(f))
        c.mux(s.encode(None))
    return path


def _unknown_codec(tmp_path):
    clip = write_clip(tmp_path / "full.mp4", n=40)
    path = tmp_path / "odd_codec.mp4"
    path.write_bytes(clip.read_bytes().replace(b"avc1", b"zzzz"))  # sample entry type -> unknown
    return path


def _text(tmp_path):
    (tmp_path / "notes.mp4").write_text("not a video\n" * 100)
    return tmp_path / "notes.mp4"


def _empty(tmp_path):
    (tmp_path / "empty.mp4").touch()
    return tmp_path / "empty.mp4"


BAD_INPUTS = {
    "missing": (lambda p: p / "nope.mp4", "not found"),
    "folder": (lambda p: p, "is a folder"),
    "empty": (_empty, r"empty \(0 bytes\)"),
    "text": (_text, "not a readable video"),
    "jpeg renamed": (_jpeg_renamed, r"still image \(jpeg\)"),
    "cut, index at end": (_moov_at_end, "without its index"),
    "cut, faststart": (_faststart_cut, "truncated"),
    "audio only": (_audio_only, r"no video stream \(contains audio\)"),
    "unknown codec": (_unknown_codec, "codec .* cannot decode"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_gives_one_line_video_error(tmp_path, case):
    make, pattern = BAD_INPUTS[case]
    path = make(tmp_path)
    for read in (probe, lambda p: list(iter_frames(p))):
        with pytest.raises(VideoError, match=pattern) as err:
            read(path)
        message = str(err.value)
        assert "\n" not in message and str(path) in message
        assert any(w in message for w in ("choose", "check", "copy", "convert", "record")), message
        assert not isinstance(err.value, av.error.FFmpegError)


def test_damage_part_way_raises_video_error_after_the_good_frames(tmp_path):
    clip = _faststart_clip(tmp_path / "full.mp4")
    data = bytearray(clip.read_bytes())
    cut = int(len(data) * 0.4)
    data[cut:] = bytes(len(data) - cut)  # same size, so the index still fits: zeros after 40%
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    assert probe(damaged).frames == 60  # the start is fine
    seen = []
    with pytest.raises(VideoError, match=r"decoding failed at frame \d+ .*damaged or incomplete") as err:
        for f in iter_frames(damaged):
            seen.append(f.index)
    assert 0 < len(seen) < 60 and f"frame {len(seen)} " in str(err.value)


# ------------------------------------------------------------------------------- prefetched


def test_prefetched_yields_everything_in_order():
    assert list(prefetched(iter(range(100)), maxsize=3)) == list(range(100))


def test_prefetched_propagates_the_producer_error():
    def produce():
        yield 1
        yield 2
        raise VideoError("broken at 2")

    got = []
    with pytest.raises(VideoError, match="broken at 2"):
        for x in prefetched(produce()):
            got.append(x)
    assert got == [1, 2]


def test_prefetched_stops_the_producer_when_the_consumer_stops():
    closed = threading.Event()

    def produce():
        try:
            for i in range(10**9):
                yield i
        finally:
            closed.set()

    before = threading.active_count()
    source = produce()  # kept referenced, so only an explicit close() can finish it
    it = prefetched(source, maxsize=2)
    assert next(it) == 0
    it.close()
    assert closed.wait(5), "source generator was not closed"
    assert threading.active_count() == before


def test_prefetched_frames_from_a_clip(tmp_path):
    clip = write_clip(tmp_path / "c.mp4", n=36)
    assert [f.index for f in prefetched(iter_frames(clip))] == list(range(36))


# ------------------------------------------------------------------------------- I420 input, fast frames

# 4 x 3 patches of 32x32 pixels: primaries, secondaries, greys and three skin/sky/grass tones
CHART = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255),
         (255, 255, 255), (0, 0, 0), (128, 128, 128), (200, 120, 60), (30, 60, 200), (90, 200, 120)]


def colour_chart() -> np.ndarray:
    img = np.empty((96, 128, 3), np.uint8)
    for k, colour in enumerate(CHART):
        row, col = divmod(k, 4)
        img[32 * row:32 * row + 32, 32 * col:32 * col + 32] = colour
    return img


def patch_colours(img: np.ndarray) -> np.ndarray:
    """Mean colour of the middle of each patch (away from the edges that 4:2:0 blurs)."""
    return np.array([img[32 * r + 8:32 * r + 24, 32 * c + 8:32 * c + 24].reshape(-1, 3).mean(axis=0)
                     for r, c in (divmod(k, 4) for k in range(len(CHART)))])


@pytest.mark.parametrize("fmt", ["rgb24", "yuv420p"])
def test_colours_come_back_and_the_video_says_bt601_limited_range(tmp_path, fmt):
    chart = colour_chart()
    image = chart if fmt == "rgb24" else cv2.cvtColor(chart, cv2.COLOR_RGB2YUV_I420)
    out = tmp_path / "chart.mp4"
    with VideoWriter(out, fps=30) as w:
        for _ in range(31):
            w.write(image, format=fmt)
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        # read back from the H.264 stream: 6 = SMPTE 170M (the BT.601 matrix), 1 = limited range
        assert (v.codec_context.colorspace, v.codec_context.color_range) == (6, 1)
        first = next(c.decode(v))
    got = patch_colours(next(iter_frames(out)).image)
    assert np.abs(got - CHART).max() <= 4, np.round(got)  # lossy H.264, no colour shift
    # taken for BT.709 (what players may assume of an untagged HD video) the colours would be off
    as_709 = patch_colours(first.to_ndarray(format="rgb24", src_colorspace="itu709"))
    assert np.abs(as_709 - CHART).max() > 15


@pytest.mark.parametrize("size", [(64, 48), (64, 50)], ids=["height-multiple-of-4", "height-2-mod-4"])
def test_i420_frames_from_one_reused_buffer(tmp_path, size):
    w, h = size
    out = tmp_path / "i420.mp4"
    buf = np.empty((h * 3 // 2, w), np.uint8)
    with VideoWriter(out, fps=30) as wr:
        for i in range(36):
            cv2.cvtColor(upright_image(i, w, h), cv2.COLOR_RGB2YUV_I420, dst=buf)
            wr.write(buf, i / 30, format="yuv420p")  # the writer keeps no reference to buf
    info = probe(out)
    assert (info.width, info.height, info.frames) == (w, h, 36)
    assert_markers(list(iter_frames(out)), w, h)


def test_writer_rejects_bad_i420_frames(tmp_path):
    with VideoWriter(tmp_path / "x.mp4", fps=30, size=(64, 48)) as w:
        with pytest.raises(ValueError, match="I420 uint8 array"):
            w.write(np.zeros((71, 64), np.uint8), format="yuv420p")  # rows not H * 3 / 2
        with pytest.raises(ValueError, match="I420 uint8 array"):
            w.write(np.zeros((72, 63), np.uint8), format="yuv420p")  # odd width
        with pytest.raises(ValueError, match="I420 uint8 array"):
            w.write(np.zeros((72, 64, 3), np.uint8), format="yuv420p")
        with pytest.raises(ValueError, match="frame is 64x32 but the video is 64x48"):
            w.write(np.zeros((48, 64), np.uint8), format="yuv420p")
        with pytest.raises(ValueError, match="format must be"):
            w.write(np.zeros((48, 64, 3), np.uint8), format="bgr24")
        for i in range(31):
            w.write(cv2.cvtColor(upright_image(i, 64, 48), cv2.COLOR_RGB2YUV_I420), format="yuv420p")
    assert probe(tmp_path / "x.mp4").frames == 31


@pytest.mark.parametrize("turn_cw_deg", [0, 90])
def test_fast_frames_are_the_same_picture(tmp_path, turn_cw_deg):
    clip = write_clip(tmp_path / "c.mp4", size=(48, 64), turn_cw_deg=turn_cw_deg)
    for max_side in (None, 32):
        exact = list(iter_frames(clip, max_side=max_side))
        fast = list(iter_frames(clip, max_side=max_side, fast=True))
        assert [f.t_s for f in fast] == [f.t_s for f in exact]
        for a, b in zip(exact, fast):
            assert b.image.shape == a.image.shape and b.image.flags.writeable
            diff = np.abs(a.image.astype(int) - b.image.astype(int))
            if max_side is None:
                assert diff.max() == 0  # nothing shrunk: the same conversion
            else:
                assert diff.mean() < 2 and marker_centre(b.image) == pytest.approx(marker_centre(a.image), abs=0.5)


@pytest.mark.parametrize("fast", [False, True])
def test_drawing_on_frames_does_not_disturb_the_decoder(tmp_path, fast):
    """QuickTime RLE decodes straight to RGB and builds each frame on the previous one: drawing
    on a frame that is the decoder's own picture would spoil all the frames after it."""
    if "qtrle" not in av.codecs_available:
        pytest.skip("PyAV's FFmpeg has no qtrle encoder to make the clip")
    path = tmp_path / "rle.mov"
    with av.open(str(path), "w") as c:
        s = c.add_stream("qtrle", rate=30)
        s.width, s.height, s.pix_fmt = 64, 48, "rgb24"
        for i in range(36):
            c.mux(s.encode(av.VideoFrame.from_ndarray(upright_image(i, 64, 48), format="rgb24")))
        c.mux(s.encode(None))
    seen = 0
    for f in iter_frames(path, fast=fast):
        assert np.array_equal(f.image, upright_image(f.index, 64, 48))
        f.image[:] = 255 - f.image  # draw all over it
        seen += 1
    assert seen == 36


# ------------------------------------------------------------------------------- real clip


@pytest.mark.clips
def test_real_phone_clip(pose2sim):
    src = pose2sim / "singleperson_cam01.mp4"
    info = probe(src)
    assert (info.width, info.height, info.frames, info.rotation_deg) == (1080, 1920, 100, 0)
    assert info.fps == pytest.approx(60) and info.variable_frame_rate is False
    frames = [(f.index, f.t_s, f.image.shape) for f in iter_frames(src)]
    assert [i for i, _, _ in frames] == list(range(100))
    assert {s for _, _, s in frames} == {(1920, 1080, 3)}
    assert np.diff([t for _, t, _ in frames]) == pytest.approx(np.full(99, 1 / 60), abs=1e-9)
    assert next(iter_frames(src, max_side=640)).image.shape == (640, 360, 3)
