"""Synthetic athletes with known ground truth: the drill motion model (pure numpy).

See :mod:`formcheck.synth.motion` for the conventions (world frame, camera, projection).
"""

from formcheck.synth.motion import (
    DRILLS,
    GAITS,
    MOTIONS,
    BodyDims,
    Camera,
    DrillParams,
    Gait,
    SynthError,
    SyntheticClip,
    body_dimensions,
    camera_track,
    defaults_for,
    make_clip,
    make_warmup,
    project,
)

__all__ = [
    "DRILLS",
    "GAITS",
    "MOTIONS",
    "BodyDims",
    "Camera",
    "DrillParams",
    "Gait",
    "SynthError",
    "SyntheticClip",
    "body_dimensions",
    "camera_track",
    "defaults_for",
    "make_clip",
    "make_warmup",
    "project",
]
