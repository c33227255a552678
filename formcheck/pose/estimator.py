"""MediaPipe Pose Landmarker behind a small interface: an RGB image in, candidate poses out.

This is the only module of formcheck that imports mediapipe.

``PoseEstimator`` owns one ``PoseLandmarker``. In ``"video"`` mode (the default) the landmarker
tracks people from frame to frame and needs strictly increasing integer-millisecond
timestamps; ``detect`` derives them from ``t_s`` and bumps a timestamp by 1 ms when two frames
round to the same millisecond. Use one estimator per video stream and never share it between
two streams (its tracking state would mix them). ``"image"`` mode treats every image on its own.

The estimator is a context manager; after ``close()`` ``detect`` raises instead of returning
nothing (a closed MediaPipe landmarker silently returns empty results).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import numpy as np

from formcheck.errors import ModelError
from formcheck.landmarks import N_LANDMARKS
from formcheck.pose.models import ResolvedModel, resolve_model
from formcheck.pose.tracking import Candidate

MODES = ("video", "image")

__all__ = ["Candidate", "MODES", "PoseEstimator"]


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence what the native MediaPipe / LiteRT code prints on file descriptor 2 (not Python's
    own exceptions, which are raised, not printed). Set ``FORMCHECK_NATIVE_LOGS=1`` to keep them."""
    if os.environ.get("FORMCHECK_NATIVE_LOGS") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class PoseEstimator:
    """Find people's poses in RGB images with MediaPipe Pose Landmarker.

    ``model`` is a registered variant name (``lite``, ``full``, ``heavy``), a path to a
    ``.task`` file, or a :class:`~formcheck.pose.models.ResolvedModel`. ``num_poses`` is how many
    people the model looks for (more costs time: see the pose pipeline). One instance per video
    stream.
    """

    def __init__(self, model: str | os.PathLike | ResolvedModel = "full", *, num_poses: int = 1,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5, mode: str = "video") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        if int(num_poses) < 1:
            raise ValueError(f"num_poses must be at least 1, got {num_poses!r}")
        for name, v in (("min_detection_confidence", min_detection_confidence),
                        ("min_tracking_confidence", min_tracking_confidence),
                        ("min_presence_confidence", min_presence_confidence)):
            if not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")
        self.model = model if isinstance(model, ResolvedModel) else resolve_model(model)
        self.mode = mode
        self.num_poses = int(num_poses)
        self._last_ms = -1

        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker
        from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

        self._Image, self._SRGB = Image, ImageFormat.SRGB
        options = pose_landmarker.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model.path)),
            running_mode=VisionTaskRunningMode.VIDEO if mode == "video" else VisionTaskRunningMode.IMAGE,
            num_poses=self.num_poses,
            min_pose_detection_confidence=float(min_detection_confidence),
            min_pose_presence_confidence=float(min_presence_confidence),
            min_tracking_confidence=float(min_tracking_confidence),
        )
        try:
            with quiet_native_logs():
                self._landmarker = pose_landmarker.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelError(f"MediaPipe could not load the model {self.model.path} ({first}); "
                             f"use one of the official .task files (see 'formcheck models')") from None
        self._first_call = True

    # ------------------------------------------------------------------ lifecycle
    @property
    def closed(self) -> bool:
        return self._landmarker is None

    def close(self) -> None:
        if self._landmarker is not None:
            with quiet_native_logs():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten close() must not leak the native landmarker
        with contextlib.suppress(Exception):
            if getattr(self, "_landmarker", None) is not None:
                self._landmarker.close()

    # ------------------------------------------------------------------ detection
    def timestamp_ms(self, t_s: float) -> int:
        """The integer-millisecond timestamp the next frame at ``t_s`` will get (strictly increasing)."""
        return max(int(round(float(t_s) * 1000.0)), self._last_ms + 1)

    def detect(self, image_rgb: np.ndarray, t_s: float = 0.0, *,
               size: tuple[int, int] | None = None) -> list[Candidate]:
        """Poses in one RGB uint8 (H, W, 3) image, in pixels of a frame of ``size`` = (width, height).

        ``size`` defaults to the image's own size; give the original frame size when feeding a
        downscaled image (MediaPipe's landmarks are normalised, so they scale back exactly).
        ``t_s`` is the frame's time in seconds (video mode).
        """
        if self._landmarker is None:
            raise RuntimeError("PoseEstimator is closed; create a new one for another stream")
        image = np.asarray(image_rgb)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
        if not image.flags.c_contiguous:
            image = np.ascontiguousarray(image)
        w, h = (image.shape[1], image.shape[0]) if size is None else (int(size[0]), int(size[1]))
        mp_image = self._Image(image_format=self._SRGB, data=image)
        ctx = quiet_native_logs() if self._first_call else contextlib.nullcontext()
        with ctx:
            if self.mode == "video":
                ms = self.timestamp_ms(t_s)
                result = self._landmarker.detect_for_video(mp_image, ms)
                self._last_ms = ms
            else:
                result = self._landmarker.detect(mp_image)
        self._first_call = False
        return [_candidate(lms, world, w, h) for lms, world in
                zip(result.pose_landmarks, result.pose_world_landmarks)]


def _candidate(landmarks, world_landmarks, width: int, height: int) -> Candidate:
    a = np.array([(p.x, p.y, p.z, _score(p.visibility), _score(p.presence)) for p in landmarks], dtype=np.float64)
    if a.shape != (N_LANDMARKS, 5):
        raise RuntimeError(f"the pose model returned {a.shape[0]} landmarks, expected {N_LANDMARKS}")
    world = np.array([(p.x, p.y, p.z) for p in world_landmarks], dtype=np.float64).reshape(-1, 3)
    if world.shape != (N_LANDMARKS, 3):
        world = np.full((N_LANDMARKS, 3), np.nan)
    xy = a[:, :2] * (width, height)
    return Candidate(xy=xy, z=a[:, 2] * width, visibility=a[:, 3], presence=a[:, 4], world=world)


def _score(v: float | None) -> float:
    return 1.0 if v is None else min(1.0, max(0.0, float(v)))
