"""Open a clip as upright RGB frames with true timestamps, and write browser-playable H.264.

Reading (PyAV / FFmpeg, so anything FFmpeg reads: mp4, mov, m4v, avi, webm, mkv; H.264, HEVC,
VP9, ...):

- ``probe(path) -> VideoInfo``: checks the file and describes it (upright size, frame rate,
  duration, frame count, rotation). Every problem becomes a one-line ``VideoError``, and a clip
  shorter than ``MIN_DURATION_S`` a ``ClipTooShortError``.
- ``iter_frames(path, max_side=None)`` streams ``Frame(index, t_s, image)``: ``image`` is upright
  RGB uint8 (H, W, 3), turned by the phone's display matrix; ``t_s`` is the frame's own
  presentation time from the start of the clip (variable frame rate kept), strictly increasing.
  Memory does not grow with clip length. ``fast=True`` trades exactness for speed where frames
  are only drawn on and re-encoded (shrinks in YUV first; rows may be padded).
- ``prefetched(iterable)`` runs any iterable (e.g. ``iter_frames``) in a background thread so that
  decoding overlaps the caller's work.

Writing: ``VideoWriter`` encodes RGB frames, or ready-made I420 ones (``format="yuv420p"``, e.g.
from OpenCV's much faster conversion), to H.264 (libx264, yuv420p tagged BT.601 limited range,
even size, +faststart MP4) at the source frame rate, or at each frame's own ``t_s``; the file
appears only when ``close()`` succeeds.

Rotation convention: ``VideoInfo.rotation_deg`` is the clockwise turn applied to the stored
picture to make it upright (a portrait phone clip stored landscape says 90), the same number as
the old ``rotate`` tag and OpenCV's ``CAP_PROP_ORIENTATION_META``. Mirroring flags in a display
matrix are not applied.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain, islice
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from formcheck.atomic import atomic_path
from formcheck.errors import ClipTooShortError, VideoError

MIN_DURATION_S = 1.0
"""Shortest clip ``probe`` accepts, in seconds."""

_FALLBACK_FPS = 30.0  # used only when a file states no frame rate at all
_VFR_TOLERANCE_FRAC = 0.1  # frame intervals within 10% of the median count as constant
_TIMESTAMP_LOOKAHEAD = 8  # frames looked at to decide between pts and dts
_WRITER_TICKS_PER_S = 90_000  # MPEG clock: exact for 24, 25, 30, 60 and 30000/1001 fps
_YUV_COLORSPACE = 6  # AVCOL_SPC_SMPTE170M: the BT.601 matrix (swscale's default, OpenCV's I420)
_YUV_RANGE = 1  # AVCOL_RANGE_MPEG: limited ("TV") range, Y in 16..235
_REMEDY = "re-export or copy the clip again (MP4 with H.264 plays everywhere)"


@dataclass(frozen=True)
class VideoInfo:
    """What ``probe`` found. ``width``/``height`` are the upright display size in pixels."""

    path: str
    width: int
    height: int
    fps: float  # average frame rate
    duration_s: float
    frames: int  # exact when the container says (or states no duration), else duration x fps
    codec: str
    rotation_deg: int  # clockwise turn applied to stored frames to make them upright: 0/90/180/270
    container: str
    size_bytes: int
    variable_frame_rate: bool | None  # None when the container does not list every frame time


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame: ``image`` is upright RGB uint8 (H, W, 3), C-contiguous (but for
    ``iter_frames(..., fast=True)``, whose rows may be padded)."""

    index: int
    t_s: float  # presentation time from the first frame, in seconds
    image: np.ndarray


# --------------------------------------------------------------------------------------- reading


def probe(path: str | os.PathLike) -> VideoInfo:
    """Check that ``path`` is a decodable video of at least ``MIN_DURATION_S`` and describe it.

    Decodes the first frame (to prove the codec works and to read the rotation) but not the rest.
    Raises ``VideoError`` (or ``ClipTooShortError``) with a one-line message.
    """
    path = _check_file(path)
    with _open_video(path) as (container, stream):
        fps = _frame_rate(stream)
        duration_s = _duration_s(container, stream)
        frames, times = stream.frames, _index_times(stream)
        if duration_s is None:  # e.g. a WebM recorded live: count the packets instead
            times = _scan_packet_times(path, stream.index)
            frames = frames if frames > 0 else len(times)
            duration_s = times[-1] - times[0] + 1.0 / fps if times else 0.0
        if frames <= 0:
            frames = round(duration_s * fps)
        try:
            first = next(iter(container.decode(stream)), None)
        except av.error.FFmpegError as e:
            raise _decode_error(path, stream, 0, e) from None
        if first is None:
            raise VideoError(f"{path}: no video frame could be decoded; {_REMEDY}.")
        k = _quarter_turns(first.rotation)
        w, h = (first.height, first.width) if k % 2 else (first.width, first.height)
        info = VideoInfo(
            path=str(path),
            width=w,
            height=h,
            fps=fps,
            duration_s=float(duration_s),
            frames=int(frames),
            codec=stream.codec_context.name,
            rotation_deg=(-90 * k) % 360,
            container=_container_name(container, path),
            size_bytes=path.stat().st_size,
            variable_frame_rate=_is_variable(times),
        )
    if info.duration_s < MIN_DURATION_S:
        raise ClipTooShortError(
            f"{path}: the clip lasts {info.duration_s:.2f} s ({info.frames} frames); "
            f"record at least {MIN_DURATION_S:g} s of the drill."
        )
    return info


def iter_frames(path: str | os.PathLike, *, max_side: int | None = None,
                fast: bool = False) -> Iterator[Frame]:
    """Decode ``path`` frame by frame: upright RGB images with their own timestamps.

    ``max_side`` shrinks frames (keeping the aspect ratio) so that the longer side is at most
    that many pixels; frames are never enlarged. Damage found part-way through raises
    ``VideoError`` after the frames decoded so far.

    ``fast`` is for pictures that are only drawn on and encoded again (the annotated video):
    frames are shrunk in the clip's own pixel format (YUV) before the conversion to RGB, at
    about half the cost of the default single pass (colours differ by about one level; the
    pose estimation keeps the default so that its input does not change), and ``image`` is
    the converter's own buffer, whose rows may be a few bytes apart (contiguous within each
    row, which OpenCV and numpy accept), rather than a copy that closes the gaps.
    """
    if max_side is not None and (int(max_side) != max_side or max_side < 1):
        raise ValueError(f"max_side must be a positive integer or None, got {max_side!r}")
    path = _check_file(path)
    with _open_video(path) as (container, stream):
        stream.thread_type = "AUTO"
        period_s = 1.0 / _frame_rate(stream)
        decoded = container.decode(stream)
        to_rgb = _RgbConverter(max_side, shrink_first=fast)
        index, t_s = 0, None
        try:
            for frame, t_s in _timed(decoded, stream.time_base, period_s):
                image = to_rgb(frame)
                k = _quarter_turns(frame.rotation)
                if k:
                    image = _turn(image, k)
                elif not fast:
                    image = np.ascontiguousarray(image)
                yield Frame(index, t_s, image)
                index += 1
        except av.error.FFmpegError as e:
            raise _decode_error(path, stream, index, e, t_s) from None


def prefetched(iterable: Iterable, maxsize: int = 8) -> Iterator:
    """Iterate ``iterable`` in a background thread, keeping up to ``maxsize`` items ready.

    Exceptions raised by the iterable are re-raised here. Stopping early (``break``, or closing
    this generator) stops the thread and closes the iterable.
    """
    items: queue.Queue = queue.Queue(maxsize=max(1, maxsize))
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        it = iter(iterable)
        try:
            for item in it:
                if not put((item, None)):
                    break
            else:
                put((done, None))
        except BaseException as e:  # handed to the consumer, raised there
            put((done, e))
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="formcheck-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()


# --------------------------------------------------------------------------------------- writing


class VideoWriter:
    """Write RGB (or ready-made I420) frames to an H.264 MP4 that plays in browsers.

    libx264 (no B-frames), yuv420p tagged BT.601 limited range, ``movflags=+faststart``; odd
    sizes are padded by one pixel (edge copied).
    ``size`` is (width, height); when None it is taken from the first frame. ``write(image, t_s)``
    places the frame at ``t_s`` seconds (variable frame rate); without ``t_s`` a frame lands at
    ``index / fps``. The file is written beside ``path`` and renamed on a successful ``close()``;
    leaving the ``with`` block by an exception, or ``abort()``, removes it.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        fps: float,
        size: tuple[int, int] | None = None,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if not fps or fps <= 0:
            raise ValueError(f"fps must be positive, got {fps!r}")
        self.path = Path(path)
        self.fps = float(fps)
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.frames_written = 0
        self._rate = Fraction(self.fps).limit_denominator(1001)
        # No B-frames: with them, libx264 + the MP4 muxer understate the duration of
        # variable-frame-rate output, and browsers may stop before the last frames.
        self._options = {"crf": str(int(crf)), "preset": preset, "bf": "0"}
        self._stack = contextlib.ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        try:
            self._container = av.open(
                str(self._tmp), "w", format="mp4", options={"movflags": "+faststart"}
            )
        except BaseException:
            self._stack.close()  # nothing written yet: removes the empty temp file
            raise
        self._stream = None
        self._last_pts = -1
        self._closed = False

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, image: np.ndarray, t_s: float | None = None, *, format: str = "rgb24") -> None:
        """Append one frame, at ``t_s`` seconds if given.

        ``format="rgb24"``: an RGB uint8 (H, W, 3) image; the encoder converts it to YUV.
        ``format="yuv420p"``: a ready-made I420 uint8 (H * 3 // 2, W) array -- the Y plane, then
        the U and V planes at half the width and height -- in BT.601 limited range, which is
        what ``cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)`` makes and what the video is tagged
        as. It is encoded as it is (no conversion); W and H must be even. The array is not kept:
        the caller may reuse it once ``write`` returns.
        """
        if self._closed:
            raise ValueError(f"VideoWriter for {self.path} is already closed")
        image = np.asarray(image)
        if format == "rgb24":
            if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
                raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
            size = (image.shape[1], image.shape[0])
        elif format == "yuv420p":
            if image.dtype != np.uint8 or image.ndim != 2 or image.shape[0] % 3 or image.shape[1] % 2:
                raise ValueError(
                    f"expected an I420 uint8 array (H * 3 // 2, W) with H and W even, got {image.dtype} {image.shape}"
                )
            size = (image.shape[1], image.shape[0] * 2 // 3)
        else:
            raise ValueError(f"format must be 'rgb24' or 'yuv420p', got {format!r}")
        if self.size is None:
            self.size = size
        if size != self.size:
            raise ValueError(
                f"frame is {size[0]}x{size[1]} but the video is {self.size[0]}x{self.size[1]}"
            )
        if self._stream is None:
            self._open_stream()
        if t_s is None:
            t_s = self.frames_written / self._rate
        pts = round(t_s * _WRITER_TICKS_PER_S)
        if pts < self._last_pts:
            raise ValueError(f"frame time {t_s} s goes backwards (previous frame was later)")
        pts = max(pts, self._last_pts + 1)  # equal after rounding: nudge by one tick
        if format == "rgb24":
            pad_h, pad_w = image.shape[0] % 2, image.shape[1] % 2
            if pad_h or pad_w:
                image = np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
        else:
            frame = _i420_frame(np.ascontiguousarray(image))
        frame.pts, frame.time_base = pts, Fraction(1, _WRITER_TICKS_PER_S)
        self._container.mux(self._stream.encode(frame))
        self._last_pts = pts
        self.frames_written += 1

    def close(self) -> None:
        """Finish the file and move it into place. Raises ``VideoError`` if no frame was written."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._stream is None:
                raise VideoError(f"{self.path}: no frames were written, so no video was saved.")
            self._container.mux(self._stream.encode(None))
            self._container.close()
        except BaseException as e:
            with contextlib.suppress(av.error.FFmpegError, OSError):
                self._container.close()
            self._stack.__exit__(type(e), e, e.__traceback__)  # removes the temp file
            raise
        self._stack.close()  # renames the temp file onto the target

    def abort(self) -> None:
        """Stop writing and remove the partial file; the target is left untouched."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(av.error.FFmpegError, OSError):
            self._container.close()
        err = VideoError(f"{self.path}: writing was aborted")
        self._stack.__exit__(VideoError, err, None)

    def _open_stream(self) -> None:
        w, h = self.size
        stream = self._container.add_stream("libx264", rate=self._rate, options=self._options)
        stream.width, stream.height = w + w % 2, h + h % 2
        stream.pix_fmt = "yuv420p"
        cc = stream.codec_context
        cc.time_base = Fraction(1, _WRITER_TICKS_PER_S)
        # Say which YUV the pictures are in (both inputs give BT.601 limited range), so that
        # players -- browsers included -- turn them back into the same RGB.
        cc.colorspace, cc.color_range = _YUV_COLORSPACE, _YUV_RANGE
        self._stream = stream


def _i420_frame(buffer: np.ndarray) -> av.VideoFrame:
    """An I420 (H * 3 // 2, W) C-contiguous array as a yuv420p VideoFrame tagged BT.601 limited range."""
    if buffer.shape[0] % 6 == 0:  # PyAV wraps it without copying (its height is wrong otherwise)
        frame = av.VideoFrame.from_numpy_buffer(buffer, format="yuv420p")
    else:
        frame = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
    frame.colorspace, frame.color_range = _YUV_COLORSPACE, _YUV_RANGE
    return frame


# --------------------------------------------------------------------------------------- helpers


def _check_file(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise VideoError(f"{path}: video file not found; check the path and file name.")
    if path.is_dir():
        raise VideoError(f"{path}: is a folder, not a video file; choose a clip inside it.")
    if path.stat().st_size == 0:
        raise VideoError(f"{path}: the file is empty (0 bytes); {_REMEDY}.")
    if not os.access(path, os.R_OK):
        raise VideoError(f"{path}: the file cannot be read (permission denied); check its permissions.")
    return path


@contextlib.contextmanager
def _open_video(path: Path):
    """Open ``path`` and yield (container, video stream), turning every failure into VideoError."""
    try:
        container = av.open(str(path), "r")
    except av.error.FFmpegError as e:
        raise _open_error(path, e) from None
    try:
        fmt = container.format.name
        if fmt.endswith("_pipe") or fmt == "image2":
            raise VideoError(
                f"{path}: is a still image ({fmt.removesuffix('_pipe')}), not a video; record a clip of the drill."
            )
        streams = [
            s
            for s in container.streams.video
            if not s.disposition & av.stream.Disposition.attached_pic
        ]
        if not streams:
            kinds = sorted({s.type for s in container.streams}) or ["no streams"]
            raise VideoError(
                f"{path}: has no video stream (contains {', '.join(kinds)}); choose a video file."
            )
        stream = streams[0]
        if stream.codec_context is None:
            raise VideoError(
                f"{path}: uses a video codec this FFmpeg build cannot decode; convert it to H.264 MP4."
            )
        _check_complete(path, stream)
        yield container, stream
    finally:
        container.close()


def _check_complete(path: Path, stream) -> None:
    """An MP4/MOV index that points past the end of the file means the file was cut short."""
    entries = getattr(stream, "index_entries", None) or ()  # PyAV >= 15
    if len(entries) == 0:
        return
    end = max(e.pos + e.size for e in entries)
    size = path.stat().st_size
    if end > size:
        raise VideoError(
            f"{path}: the file is truncated ({size} of {end} bytes present); the recording or copy "
            f"was interrupted, so {_REMEDY}."
        )


def _open_error(path: Path, e: Exception) -> VideoError:
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        head = b""
    if head[4:8] == b"ftyp":
        return VideoError(
            f"{path}: MP4/MOV file without its index (moov atom), usually a recording or copy that was "
            f"cut short; {_REMEDY}."
        )
    return VideoError(f"{path}: not a readable video ({_reason(e)}); choose a video file (mp4, mov, webm, ...).")


def _decode_error(path: Path, stream, index: int, e: Exception, t_s: float | None = None) -> VideoError:
    if isinstance(e, av.error.DecoderNotFoundError):
        return VideoError(
            f"{path}: no decoder for its video codec ({stream.codec_context.name}); convert it to H.264 MP4."
        )
    where = "the start" if index == 0 else f"frame {index} ({t_s:.2f} s)"
    return VideoError(
        f"{path}: decoding failed at {where}: the file is damaged or incomplete ({_reason(e)}); {_REMEDY}."
    )


def _reason(e: Exception) -> str:
    return getattr(e, "strerror", None) or str(e).splitlines()[0]


def _frame_rate(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and rate > 0:
            return float(rate)
    return _FALLBACK_FPS


def _duration_s(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _index_times(stream) -> list[float] | None:
    """Time of every frame from the container index (MP4/MOV list them all), else None."""
    entries = [e for e in getattr(stream, "index_entries", None) or () if not e.is_discard]
    if stream.frames <= 1 or len(entries) != stream.frames:
        return None
    return sorted(float(e.timestamp * stream.time_base) for e in entries)


def _scan_packet_times(path: Path, stream_index: int) -> list[float]:
    """Packet times of one stream, read without decoding (for files that state no duration)."""
    try:
        with av.open(str(path), "r") as container:
            stream = container.streams[stream_index]
            times = [float(p.pts * p.time_base) for p in container.demux(stream) if p.size and p.pts is not None]
    except av.error.FFmpegError as e:
        raise VideoError(f"{path}: the file is damaged ({_reason(e)}); {_REMEDY}.") from None
    return sorted(times)


def _is_variable(times: list[float] | None) -> bool | None:
    if not times or len(times) < 3:
        return None
    gaps = np.diff(times)
    return bool(gaps.max() - gaps.min() > _VFR_TOLERANCE_FRAC * np.median(gaps))


def _container_name(container, path: Path) -> str:
    names = container.format.name.split(",")
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in names else names[0]


def _quarter_turns(rotation: int) -> int:
    """Counter-clockwise quarter turns (np.rot90's k) that make a frame with this display rotation upright."""
    return round(rotation / 90) % 4


def _scaled_size(frame, max_side: int | None) -> dict:
    longest = max(frame.width, frame.height)
    if max_side is None or longest <= max_side:
        return {}
    scale = max_side / longest
    return {
        "width": max(1, round(frame.width * scale)),
        "height": max(1, round(frame.height * scale)),
        "interpolation": "AREA",
    }


class _RgbConverter:
    """Decoded frames -> RGB arrays (as stored, not yet turned upright; rows may be padded).

    ``shrink_first``: scale in the frame's own pixel format, then convert (two cheap passes
    instead of one costly one that scales and converts together).

    The swscale contexts live as long as the clip (a frame's own ``to_ndarray`` builds a new one
    every time), and run on the calling thread: the callers overlap decoding with other work
    themselves, and extra scaler threads only compete with them for the cores.
    """

    def __init__(self, max_side: int | None, shrink_first: bool) -> None:
        self.max_side, self.shrink_first = max_side, shrink_first
        self._shrink = VideoReformatter()
        self._rgb = VideoReformatter()

    def __call__(self, frame: av.VideoFrame) -> np.ndarray:
        size = _scaled_size(frame, self.max_side)
        if size and self.shrink_first:
            frame = self._shrink.reformat(frame, size["width"], size["height"],
                                          interpolation=size["interpolation"], threads=1)
            size = {}
        rgb = self._rgb.reformat(frame, format="rgb24", threads=1, **size)
        if rgb is frame:  # already RGB at that size: the decoder's own picture, never to be drawn on
            return rgb.to_ndarray().copy()
        return rgb.to_ndarray()


def _turn(image: np.ndarray, k: int) -> np.ndarray:
    """``np.rot90(image, k)`` as a new C-contiguous array (OpenCV's copy is several times faster)."""
    import cv2  # only rotated clips need it

    code = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}[k % 4]
    return cv2.rotate(image, code)


def _timed(frames: Iterator, time_base: Fraction, period_s: float) -> Iterator[tuple]:
    """Pair each decoded frame with a strictly increasing time in seconds from the first frame.

    Uses the presentation timestamp (pts), or the decode timestamp (dts) when the first frames'
    pts are out of order (AVI stores none). A frame with no usable time, or one not after the
    previous frame, is placed one nominal frame period after the previous frame.
    """
    head = list(islice(frames, _TIMESTAMP_LOOKAHEAD))
    use_dts = not _increasing([f.pts for f in head]) and _increasing([f.dts for f in head])
    origin, base_s, prev = None, 0.0, None
    for frame in chain(head, frames):
        raw = frame.dts if use_dts else frame.pts
        if raw is not None and origin is None:
            origin, base_s = raw, (0.0 if prev is None else prev + period_s)
        t_s = None if raw is None else base_s + float((raw - origin) * time_base)
        if prev is not None and (t_s is None or t_s <= prev):
            t_s = prev + period_s
        elif t_s is None:
            t_s = 0.0
        prev = t_s
        yield frame, t_s


def _increasing(values: list) -> bool:
    return all(v is not None for v in values) and all(a < b for a, b in zip(values, values[1:]))
