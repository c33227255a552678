"""From a clip to the PoseSequence of the one athlete being coached.

``extract_pose(path)``:

1. ``probe`` the clip (a bad file fails here with a one-line ``VideoError``);
2. find the model (``ModelError`` if missing or not the official file);
3. look the result up in the pose cache (key: clip content + model hash + settings);
4. otherwise decode in a background thread (``prefetched``) while MediaPipe runs on the
   main thread, so both cores work. Frames are shrunk to ``max_side`` pixels for inference
   (MediaPipe crops and resizes each person to 256x256 anyway, so a person at least a third
   of the frame high loses nothing at 960); landmarks come back in pixels of the original
   upright frame;
5. track the athlete (:mod:`formcheck.pose.tracking`) and store the result in the cache.

How many people MediaPipe looks for (``num_poses``) trades speed for robustness: looking for
two costs about twice as much per frame, even when only one person is there (the person
detector then runs on every frame). ``num_poses="auto"`` (the default) looks for one while a
scout (an image-mode landmarker looking for up to three, run every ``scout_interval_s``) sees
one person at most; when the scout sees a second person it switches to two for the rest of the
clip and re-runs the frames since the previous scout look, so a tracker that latched on the
wrong person is corrected. A single-person clip then costs about as much as ``num_poses=1``
(plus the scout: one extra landmarker, ~50 MB, and one look per half second, a few percent), a
clip with two people as much as ``num_poses=2``.

The sequence is returned as tracked, not cleaned (no gap filling or smoothing).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck import __version__
from formcheck.errors import FormcheckError, NoPersonError, VideoError
from formcheck.pose.cache import PoseCache, cache_key, clip_fingerprint
from formcheck.pose.models import DEFAULT_MODEL, ResolvedModel, resolve_model
from formcheck.pose.tracking import AthleteChoice, PackedFrames, TrackSettings, parse_athlete, track_athlete
from formcheck.sequence import PoseSequence
from formcheck.video import VideoInfo, iter_frames, prefetched, probe

Progress = Callable[[int, int], None]
"""Called as ``progress(frames_done, frames_total)``; ``frames_total`` is the probed estimate."""

DEFAULT_MAX_SIDE = 960
MIN_COVERAGE_FRAC = 0.2
NO_PERSON_ADVICE = (
    "film the whole body from the side, in good light, with the athlete filling at least a third "
    "of the frame height"
)


@dataclass(frozen=True)
class PoseSettings:
    """Everything that changes the pose result (all of it goes into the cache key)."""

    athlete: AthleteChoice = "auto"
    num_poses: int | str = "auto"  # "auto", or how many people MediaPipe looks for in every frame
    max_side: int | None = DEFAULT_MAX_SIDE  # frames are shrunk to this longer side for inference
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    scout_interval_s: float = 0.5  # "auto": how often the scout looks for a second person
    tracking: TrackSettings = field(default_factory=TrackSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "athlete", parse_athlete(self.athlete))
        object.__setattr__(self, "num_poses", parse_num_poses(self.num_poses))
        if self.max_side is not None and int(self.max_side) < 64:
            raise ValueError(f"max_side must be at least 64 pixels or None, got {self.max_side!r}")

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(self.athlete, tuple):
            d["athlete"] = list(self.athlete)
        return d


def parse_num_poses(value: int | str) -> int | str:
    """``"auto"`` or a whole number of people from 1 to 5."""
    text = str(value).strip().lower()
    if text == "auto":
        return "auto"
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    raise FormcheckError(f"number of people {value!r} not understood: use auto or a number from 1 to 5")


@dataclass(frozen=True)
class Detections:
    """Every person MediaPipe found in every frame, before tracking."""

    video: VideoInfo
    t_s: np.ndarray  # (n,) seconds
    candidates: PackedFrames  # candidates[i]: list of Candidate found at t_s[i]
    num_poses_used: int  # 1, or 2+ once more people were seen
    rerun_frames: int  # frames inferred twice when "auto" switched to more people


@dataclass(frozen=True)
class PoseResult:
    """The athlete's pose sequence of a clip, with what it cost."""

    sequence: PoseSequence
    video: VideoInfo
    cached: bool
    seconds: float  # wall time of extract_pose

    @property
    def frames(self) -> int:
        return len(self.sequence)

    @property
    def frames_with_pose(self) -> int:
        return self.sequence.frames_with_pose

    @property
    def coverage(self) -> float:
        return self.sequence.coverage

    @property
    def fps(self) -> float:
        """Frames processed per second of wall time."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """The figures ``formcheck pose --json`` writes."""
        return {
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "coverage": round(self.coverage, 4),
            "seconds": round(self.seconds, 3),
            "fps": round(self.fps, 1),
            "cached": self.cached,
        }


# ----------------------------------------------------------------------------- detection
def detect_candidates(path: str | os.PathLike, model: ResolvedModel, settings: PoseSettings, *,
                      video: VideoInfo | None = None, progress: Progress | None = None) -> Detections:
    """Run MediaPipe over the clip: every person found in every frame, in original upright pixels."""
    from formcheck.pose.estimator import PoseEstimator  # the only place mediapipe is loaded

    info = probe(path) if video is None else video
    size = (info.width, info.height)
    conf = dict(min_detection_confidence=settings.min_detection_confidence,
                min_tracking_confidence=settings.min_tracking_confidence,
                min_presence_confidence=settings.min_presence_confidence)
    auto = settings.num_poses == "auto"
    num_poses = 1 if auto else int(settings.num_poses)
    times: list[float] = []
    found = PackedFrames()
    pending: list = []  # "auto": frames since the scout last saw one person at most
    rerun = 0
    total = max(int(info.frames), 1)
    next_scout_s = -np.inf

    estimator = PoseEstimator(model, num_poses=num_poses, **conf)
    scout = PoseEstimator(model, num_poses=3, mode="image", **conf) if auto else None
    try:
        for frame in prefetched(iter_frames(path, max_side=settings.max_side)):
            if scout is not None and frame.t_s >= next_scout_s:
                next_scout_s = frame.t_s + settings.scout_interval_s
                if len(scout.detect(frame.image, size=size)) >= 2:
                    # someone else is in view: look for two from here on, and redo the frames the
                    # one-person landmarker saw since the scout's previous look
                    estimator.close()
                    estimator = PoseEstimator(model, num_poses=2, **conf)
                    num_poses = 2
                    for old in pending:
                        found[old.index] = estimator.detect(old.image, old.t_s, size=size)
                    rerun = len(pending)
                    scout.close()
                    scout = None
                pending = []
            if scout is not None:
                pending.append(frame)
            found.append(estimator.detect(frame.image, frame.t_s, size=size))
            times.append(frame.t_s)
            if progress is not None:
                progress(len(found), max(total, len(found)))
    finally:
        estimator.close()
        if scout is not None:
            scout.close()
    return Detections(info, np.asarray(times, dtype=np.float64), found, num_poses, rerun)


# ----------------------------------------------------------------------------- the pipeline
def extract_pose(path: str | os.PathLike, *, model: str | os.PathLike = DEFAULT_MODEL,
                 athlete: AthleteChoice = "auto", num_poses: int | str = "auto", use_cache: bool = True,
                 progress: Progress | None = None, settings: PoseSettings | None = None,
                 cache: PoseCache | None = None) -> PoseResult:
    """The athlete's PoseSequence of the clip at ``path``.

    ``athlete`` and ``num_poses`` are shortcuts for the same fields of ``settings`` (which wins
    when given). Raises ``VideoError``/``ClipTooShortError`` for a bad clip, ``ModelError`` for a
    missing or corrupt model, ``NoPersonError`` when the athlete is found in fewer than 20% of
    the frames.
    """
    start = time.perf_counter()
    settings = PoseSettings(athlete=athlete, num_poses=num_poses) if settings is None else settings
    info = probe(path)
    resolved = resolve_model(model)
    cache = PoseCache() if cache is None else cache
    key = cache_key(clip_fingerprint(path), resolved.sha256, settings.to_json())
    if use_cache:
        seq = cache.load(key)
        if seq is not None:
            seq = seq.replace(meta={**seq.meta, "source": str(path)})
            if progress is not None:
                progress(len(seq), len(seq))
            return PoseResult(seq, info, True, time.perf_counter() - start)

    det = detect_candidates(path, resolved, settings, video=info, progress=progress)
    meta = {
        "source": str(path),
        "model": resolved.name,
        "model_sha256": resolved.sha256,
        "model_verified": resolved.verified,
        "settings": settings.to_json(),
        "num_poses_used": det.num_poses_used,
        "video": {"fps": info.fps, "frames": len(det.t_s), "rotation_deg": info.rotation_deg,
                  "codec": info.codec, "variable_frame_rate": info.variable_frame_rate},
        "formcheck_version": __version__,
        "cache_key": key,
    }
    if len(det.t_s) == 0:
        raise VideoError(f"{path}: no frame could be decoded; re-export the clip as MP4 (H.264)")
    seq = track_athlete(det.candidates, det.t_s, info.width, info.height, athlete=settings.athlete,
                        settings=settings.tracking, meta=meta)
    _check_coverage(seq, path)
    if use_cache:
        cache.store(key, seq)
    return PoseResult(seq, info, False, time.perf_counter() - start)


def _check_coverage(seq: PoseSequence, path: str | os.PathLike) -> None:
    name = Path(path).name
    if seq.frames_with_pose == 0:
        raise NoPersonError(f"no person found in {name}: {NO_PERSON_ADVICE}")
    if seq.coverage < MIN_COVERAGE_FRAC:
        raise NoPersonError(
            f"a person was found in only {seq.frames_with_pose} of {len(seq)} frames "
            f"({seq.coverage:.0%}) of {name}: {NO_PERSON_ADVICE}"
        )
