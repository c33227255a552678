"""Visual feedback: annotated video, key frames, plots and a shareable HTML report.

- :mod:`~formcheck.annotate.annotators`: :func:`build_overlay` (what to draw, from the analysis)
  and one-concern annotators (skeleton, angle arcs with target bands, lean and trunk lines, head
  path, arm-leg pairing, cue banner, rep counter), chained on RGB frames.
- :mod:`~formcheck.annotate.video`: :func:`write_annotated_video`, the whole clip annotated
  (H.264 yuv420p MP4 with fast start; decoding, drawing and encoding overlap).
- :mod:`~formcheck.annotate.keyframes`: per cue, the rep that shows it beside the best rep.
- :mod:`~formcheck.annotate.plots`: PNG plots and :func:`plot_data` (tidy records for charts).
- :mod:`~formcheck.annotate.html`: the self-contained HTML report.
- :mod:`~formcheck.annotate.outputs`: :func:`write_visual_outputs` writes all of it at once.

OpenCV and matplotlib are imported here, never by the analysis modules.
"""

from formcheck.annotate.annotators import (
    ANGLE_ARCS,
    AngleArcAnnotator,
    Annotator,
    ArmLegAnnotator,
    ClipOverlay,
    CueBannerAnnotator,
    FrameContext,
    HeadPathAnnotator,
    LeanAnnotator,
    OverlaySettings,
    RepCounterAnnotator,
    SkeletonAnnotator,
    Style,
    annotate_frame,
    build_overlay,
    default_annotators,
    keyframe_annotators,
    pose_overlay,
)
from formcheck.annotate.html import render_html
from formcheck.annotate.keyframes import KeyframeSettings, plan_keyframes, render_keyframe
from formcheck.annotate.outputs import VisualOutputs, write_visual_outputs
from formcheck.annotate.plots import plot_data, render_plots
from formcheck.annotate.video import AnnotatedVideo, VideoSettings, write_annotated_video

__all__ = [
    "ANGLE_ARCS",
    "AngleArcAnnotator",
    "AnnotatedVideo",
    "Annotator",
    "ArmLegAnnotator",
    "ClipOverlay",
    "CueBannerAnnotator",
    "FrameContext",
    "HeadPathAnnotator",
    "KeyframeSettings",
    "LeanAnnotator",
    "OverlaySettings",
    "RepCounterAnnotator",
    "SkeletonAnnotator",
    "Style",
    "VideoSettings",
    "VisualOutputs",
    "annotate_frame",
    "build_overlay",
    "default_annotators",
    "keyframe_annotators",
    "plan_keyframes",
    "plot_data",
    "pose_overlay",
    "render_html",
    "render_keyframe",
    "render_plots",
    "write_annotated_video",
    "write_visual_outputs",
]
