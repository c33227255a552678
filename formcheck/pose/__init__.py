"""Pose estimation: from a clip to the PoseSequence of the one athlete being coached.

- :mod:`formcheck.pose.models`    registered model variants, hash checks, download
- :mod:`formcheck.pose.estimator` MediaPipe Pose Landmarker (the only mediapipe import)
- :mod:`formcheck.pose.tracking`  choose the athlete and keep them; fix left/right limb swaps (numpy)
- :mod:`formcheck.pose.cache`     pose sequences on disk, keyed by clip content + model + settings
- :mod:`formcheck.pose.pipeline`  ``extract_pose(path) -> PoseResult``

Names are imported lazily, so ``import formcheck.pose`` does not load mediapipe.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "extract_pose": "pipeline",
    "PoseResult": "pipeline",
    "PoseSettings": "pipeline",
    "detect_candidates": "pipeline",
    "PoseEstimator": "estimator",
    "Candidate": "tracking",
    "TrackSettings": "tracking",
    "track_athlete": "tracking",
    "ATHLETE_CHOICES": "tracking",
    "VARIANTS": "models",
    "resolve_model": "models",
    "model_status": "models",
    "PoseCache": "cache",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'formcheck.pose' has no attribute {name!r}")
    return getattr(importlib.import_module(f"formcheck.pose.{module}"), name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
