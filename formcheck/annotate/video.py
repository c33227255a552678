"""The annotated video: the whole clip with the annotators drawn on every frame.

Three stages run at once, each in its own thread, joined by small bounded queues so memory
stays flat whatever the clip's length: decoding (:func:`formcheck.video.prefetched` over
:func:`formcheck.video.iter_frames` with ``fast=True``: frames are shrunk in YUV before the
conversion to RGB, and not copied), drawing in place (the calling thread), and encoding (OpenCV's
RGB -> I420, then :class:`formcheck.video.VideoWriter` fed I420: libx264, yuv420p tagged BT.601
limited range, +faststart MP4 that plays in browsers). Frames keep their own timestamps, so the
output has the source's frame rate (variable rates included) and its upright orientation (the
display rotation is applied when decoding).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from formcheck.annotate.annotators import Annotator, ClipOverlay, annotate_frame, default_annotators
from formcheck.video import VideoWriter, iter_frames, prefetched, probe

__all__ = ["AnnotatedVideo", "VideoSettings", "write_annotated_video"]


@dataclass(frozen=True)
class VideoSettings:
    """Encoding settings of the annotated video.

    ``preset``: libx264 speed preset ("ultrafast" is the fastest, at about twice the file size
    of "veryfast"); ``crf``: quality (lower is better, 23 is libx264's default); ``max_side``:
    shrink frames so the longer side is at most this many pixels (None: full resolution). The
    default, 1280, makes a 1080p clip's video 720p, which costs about a third of the CPU time
    of the pose estimation against about half at full resolution (decoding and libx264 are
    most of it; see benchmarks/annotate_overhead.py --stages); smaller clips are not changed.
    The report says when the video was made smaller.
    """

    preset: str = "ultrafast"
    crf: int = 23
    max_side: int | None = 1280
    queue_frames: int = 6

    def __post_init__(self) -> None:
        if self.max_side is not None and int(self.max_side) < 16:
            raise ValueError(f"max_side must be at least 16 pixels or None, got {self.max_side!r}")
        if not 0 <= int(self.crf) <= 51:
            raise ValueError(f"crf must be in 0..51, got {self.crf!r}")
        if int(self.queue_frames) < 1:
            raise ValueError(f"queue_frames must be >= 1, got {self.queue_frames!r}")


@dataclass(frozen=True, eq=False)
class AnnotatedVideo:
    """What :func:`write_annotated_video` wrote. ``kept``: the raw (unannotated) upright frames
    asked for by number, for key frames."""

    path: Path
    frames: int
    width: int
    height: int
    fps: float
    seconds: float
    source_size: tuple[int, int]
    kept: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def downscaled(self) -> bool:
        return (self.width, self.height) != self.source_size


class _Encoder:
    """Feeds a VideoWriter from a background thread: OpenCV's RGB -> I420 conversion (several
    times faster than the one inside the encoder) and libx264 run there while the caller decodes
    and draws the next frames."""

    _DONE = object()

    def __init__(self, writer: VideoWriter, maxsize: int) -> None:
        self.writer = writer
        self.items: queue.Queue = queue.Queue(maxsize=maxsize)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="formcheck-encode", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        i420: np.ndarray | None = None  # reused: the writer does not keep it
        while True:
            item = self.items.get()
            if item is self._DONE:
                return
            if self.error is not None:
                continue  # drain after a failure so the producer never blocks
            try:
                image, t_s = item
                h, w = image.shape[:2]
                if h % 2 or w % 2:  # I420 needs an even size: the writer pads RGB frames
                    self.writer.write(image, t_s)
                    continue
                if i420 is None or i420.shape != (h * 3 // 2, w):
                    i420 = np.empty((h * 3 // 2, w), np.uint8)
                cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=i420)
                self.writer.write(i420, t_s, format="yuv420p")
            except BaseException as e:  # handed to the caller
                self.error = e

    def put(self, image: np.ndarray, t_s: float) -> None:
        if self.error is not None:
            raise self.error
        self.items.put((image, t_s))

    def finish(self) -> None:
        self.items.put(self._DONE)
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_annotated_video(video_path: str | os.PathLike, dest: str | os.PathLike, overlay: ClipOverlay,
                          annotators: Sequence[Annotator] | None = None, *,
                          settings: VideoSettings = VideoSettings(), keep_frames: Collection[int] = (),
                          progress: Callable[[int, int], None] | None = None) -> AnnotatedVideo:
    """Write ``video_path`` with ``annotators`` (default: :func:`default_annotators`) drawn on every
    frame to ``dest`` (H.264 yuv420p MP4, +faststart; nothing is left at ``dest`` on failure).

    ``keep_frames``: clip frame numbers whose raw decoded image to return in ``kept`` (so key
    frames need no second decode). ``progress(done, total)`` is called after each frame.
    """
    start = time.perf_counter()
    info = probe(video_path)
    chain = list(default_annotators() if annotators is None else annotators)
    keep = set(int(k) for k in keep_frames)
    kept: dict[int, np.ndarray] = {}
    size: tuple[int, int] | None = None
    written = 0
    writer = VideoWriter(dest, fps=info.fps, crf=settings.crf, preset=settings.preset)
    encoder = _Encoder(writer, settings.queue_frames)
    try:
        frames = prefetched(iter_frames(video_path, max_side=settings.max_side, fast=True),
                             maxsize=settings.queue_frames)
        try:
            for frame in frames:
                image = frame.image
                if size is None:
                    size = (image.shape[1], image.shape[0])
                if frame.index in keep:
                    kept[frame.index] = image.copy()
                scale = image.shape[1] / overlay.width if overlay.width else 1.0
                i = overlay.frame_index(frame.index, frame.t_s)
                image = annotate_frame(image, overlay.context(i, scale=scale), chain)
                encoder.put(image, frame.t_s)
                written += 1
                if progress is not None:
                    progress(written, max(info.frames, written))
        finally:
            frames.close()
        encoder.finish()
        writer.close()
    except BaseException:
        encoder.items.put(encoder._DONE)
        encoder.thread.join()
        writer.abort()
        raise
    w, h = size if size is not None else (info.width, info.height)
    return AnnotatedVideo(path=Path(dest), frames=written, width=w, height=h, fps=info.fps,
                          seconds=time.perf_counter() - start, source_size=(info.width, info.height), kept=kept)
