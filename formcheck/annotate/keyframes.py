"""Key frames: for each cue, the frame that shows it best beside the athlete's own best rep.

:func:`plan_keyframes` picks the frames (from the report; nothing is judged again): the worst
rep is the cue's first evidence frame (the analysis lists the worst reps first); the best rep is
the rep of the same drill segment whose value of the cue's metric lies nearest its target band
(inside it if any is), ties going to the higher rep score. For a cue on a metric that has no
per-rep value (left/right symmetry), the drill's main metric stands in. :func:`render_keyframe`
draws both frames with the skeleton and the concern behind the cue, crops each around the
athlete and puts them side by side under the cue's text.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.annotate.annotators import (
    ClipOverlay,
    CueMark,
    MetricMark,
    Style,
    annotate_frame,
    fmt_target,
    fmt_value,
    keyframe_annotators,
    metric_label,
    put_text,
    text_size,
    wrap,
)
from formcheck.video import iter_frames

__all__ = ["KEYFRAME_STYLE", "KeyframePlan", "KeyframeSettings", "grab_frames", "keyframe_filename",
           "plan_keyframes", "render_keyframe", "write_png"]


@dataclass(frozen=True)
class KeyframeSettings:
    """``panel_height_px``: height of each of the two pictures; ``margin_frac``: space kept around
    the athlete when cropping, as a fraction of the athlete's height."""

    panel_height_px: int = 640
    margin_frac: float = 0.12
    aspect_w_over_h: float = 0.75
    background: tuple[int, int, int] = (58, 60, 66)

    def __post_init__(self) -> None:
        if int(self.panel_height_px) < 64:
            raise ValueError(f"panel_height_px must be at least 64, got {self.panel_height_px}")


@dataclass(frozen=True)
class KeyframePlan:
    """One cue's key frame: ``worst`` and ``best`` are metric marks (``best`` None when the clip has
    no other rep to contrast with); ``metric`` is the metric whose values are shown."""

    cue: CueMark
    metric: str
    unit: str
    target: tuple[float | None, float | None]
    worst_frame: int
    worst: MetricMark | None
    best: MetricMark | None

    @property
    def frames(self) -> tuple[int, ...]:
        return (self.worst_frame,) + ((self.best.frame,) if self.best is not None else ())


def keyframe_filename(plan: KeyframePlan) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in plan.cue.id)
    return f"cue{plan.cue.rank}_{safe}.png"


def _distance_outside(value: float, target: tuple[float | None, float | None]) -> float:
    lo, hi = target
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0


def plan_keyframes(overlay: ClipOverlay) -> list[KeyframePlan]:
    """One plan per cue that has evidence (see the module docs for the choice of frames)."""
    plans: list[KeyframePlan] = []
    for cue in overlay.cues:
        if not cue.frames:
            continue
        seg = overlay.segments[cue.segment] if 0 <= cue.segment < len(overlay.segments) else None
        metric = cue.metric
        marks = [m for m in overlay.marks.get(metric, ()) if m.segment == cue.segment]
        if not marks and seg is not None and seg.main_metric:
            metric = seg.main_metric
            marks = [m for m in overlay.marks.get(metric, ()) if m.segment == cue.segment]
        unit = seg.metrics.get(metric, (None, "", (None, None)))[1] if seg is not None else ""
        target = seg.target(metric) if seg is not None else (None, None)
        worst_frame = cue.frames[0]
        worst = next((m for m in marks if m.frame == worst_frame), None)
        if worst is None and marks:  # the evidence frame is a rep's frame: that rep's mark
            rep = next((r for r in overlay.reps if r.frame == worst_frame and r.segment == cue.segment), None)
            worst = next((m for m in marks if rep is not None and m.rep == rep.index), None)
        best = None
        others = [m for m in marks if worst is None or m.rep != worst.rep]
        if others:
            def key(m: MetricMark) -> tuple[float, float, int]:
                score = overlay.reps[m.rep].score
                return (_distance_outside(m.value, target), -(score if score is not None else -1.0), m.frame)
            best = min(others, key=key)
            if worst is not None and key(best) >= key(worst):
                best = None  # nothing better to show
        plans.append(KeyframePlan(cue, metric, unit, target, worst_frame, worst, best))
    return plans


def grab_frames(video_path: str | os.PathLike, frames: Collection[int], *, max_side: int | None = None
                ) -> dict[int, np.ndarray]:
    """Decode ``video_path`` up to the last wanted frame and return the wanted ones (upright RGB)."""
    want = set(int(f) for f in frames)
    out: dict[int, np.ndarray] = {}
    if not want:
        return out
    last = max(want)
    it = iter_frames(video_path, max_side=max_side)
    try:
        for fr in it:
            if fr.index in want:
                out[fr.index] = fr.image
            if fr.index >= last:
                break
    finally:
        it.close()
    return out


def _crop_box(overlay: ClipOverlay, frame: int, settings: KeyframeSettings) -> tuple[float, float, float, float]:
    """The part of the frame around the athlete, in pose pixels: (x0, y0, x1, y1)."""
    w, h = overlay.width, overlay.height
    pts = overlay.xy[frame] if 0 <= frame < overlay.n_frames else np.full((1, 2), np.nan)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) == 0:
        return (0.0, 0.0, float(w), float(h))
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    m = settings.margin_frac * max(y1 - y0, x1 - x0, 1.0)
    x0, y0, x1, y1 = x0 - m, y0 - 1.6 * m, x1 + m, y1 + m
    bh, bw = y1 - y0, x1 - x0
    want_w = max(bw, bh * settings.aspect_w_over_h)
    want_h = max(bh, want_w / settings.aspect_w_over_h)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bw, bh = min(want_w, w), min(want_h, h)
    x0 = float(np.clip(cx - bw / 2, 0, w - bw))
    y0 = float(np.clip(cy - bh / 2, 0, h - bh))
    return (x0, y0, x0 + bw, y0 + bh)


def _panel(image: np.ndarray, box: tuple[float, float, float, float], image_scale: float, height: int
           ) -> tuple[np.ndarray, float]:
    """The crop ``box`` (pose pixels) of ``image`` resized to ``height``; and pose -> panel scale."""
    x0, y0, x1, y1 = (v * image_scale for v in box)
    xa, ya = int(math.floor(x0)), int(math.floor(y0))
    crop = image[ya:max(ya + 1, int(math.ceil(y1))), xa:max(xa + 1, int(math.ceil(x1)))]
    scale = height / max(crop.shape[0], 1)
    width = max(1, int(round(crop.shape[1] * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    panel = cv2.resize(crop, (width, height), interpolation=interp)
    # the crop starts at whole image pixels: its origin in pose pixels is (xa, ya) / image_scale
    return panel, scale * image_scale


def _caption(plan: KeyframePlan, mark: MetricMark | None, overlay: ClipOverlay, which: str) -> list[str]:
    if mark is None:
        t = overlay.t_s[plan.worst_frame] if 0 <= plan.worst_frame < overlay.n_frames else float("nan")
        return [f"{which}: {t:.2f} s"]
    rep = overlay.reps[mark.rep]
    side = f", {mark.side} leg" if mark.side else ""
    first = f"{which}: rep {rep.number}{side}, {rep.t_s:.2f} s"
    second = f"{metric_label(plan.metric)} {fmt_value(mark.value, plan.unit)}"
    band = fmt_target(plan.target, plan.unit)
    if band:
        second += f" (target {band})"
    if rep.score is not None:
        second += f", rep score {rep.score:.0f}"
    return [first, second]


#: Key frames are close-ups: lines and text drawn larger than on the whole frame.
KEYFRAME_STYLE = Style(reference_px=400.0)


def render_keyframe(plan: KeyframePlan, images: Mapping[int, np.ndarray], overlay: ClipOverlay, *,
                    settings: KeyframeSettings = KeyframeSettings(), style: Style = KEYFRAME_STYLE) -> np.ndarray:
    """The side-by-side picture of ``plan`` (RGB uint8): the cue's text above, the worst rep on
    the left, the best rep on the right, each annotated and captioned. Frames missing from
    ``images`` are drawn on a plain background (a pose without its video)."""
    chain = keyframe_annotators(plan.metric, style)
    panels, captions = [], []
    picks = [("Needs work", plan.worst_frame, plan.worst)]
    if plan.best is not None:
        picks.append(("Your best rep", plan.best.frame, plan.best))
    for which, frame, mark in picks:
        image = images.get(frame)
        if image is None:
            image = np.empty((overlay.height, overlay.width, 3), np.uint8)
            image[:] = settings.background
        image_scale = image.shape[1] / overlay.width if overlay.width else 1.0
        box = _crop_box(overlay, frame, settings)
        panel, scale = _panel(image, box, image_scale, int(settings.panel_height_px))
        origin = (math.floor(box[0] * image_scale) / image_scale, math.floor(box[1] * image_scale) / image_scale)
        # drawn after cropping and resizing, so lines and text are sharp at the panel's size
        annotate_frame(panel, overlay.context(frame, scale=scale, show_cues=False, origin=origin), chain)
        panels.append(panel)
        captions.append(_caption(plan, mark, overlay, which))

    H = int(settings.panel_height_px)
    gap = max(8, H // 40)
    fs, tt = 0.5 * H / 400, max(1, int(round(H / 400)))
    _, lh, base = text_size("Ag", fs, tt)
    step = int(lh * 1.7)
    width = sum(p.shape[1] for p in panels) + gap * (len(panels) + 1)
    width = max(width, int(H * 1.1))
    head_fs, head_tt = 1.25 * fs, tt + 1
    _, hh, _ = text_size("Ag", head_fs, head_tt)
    head_lines = wrap(f"Cue {plan.cue.rank} ({plan.cue.severity}): {plan.cue.text}", width - 2 * gap, head_fs, head_tt)
    head_h = gap + int(hh * 1.7) * len(head_lines)
    captions = [[ln for text in caption for ln in wrap(text, panel.shape[1], fs, tt)]
                for panel, caption in zip(panels, captions)]
    cap_h = step * max(len(c) for c in captions) + gap
    canvas = np.empty((head_h + H + cap_h + gap, width, 3), np.uint8)
    canvas[:] = style.panel
    y = gap + hh
    for text in head_lines:
        put_text(canvas, text, (gap, y), head_fs, style.major if plan.cue.severity == "major" else style.minor,
                 head_tt)
        y += int(hh * 1.7)
    x = gap
    for panel, caption in zip(panels, captions):
        canvas[head_h:head_h + H, x:x + panel.shape[1]] = panel
        yy = head_h + H + step
        for text in caption:
            put_text(canvas, text, (x, yy), fs, style.text, tt)
            yy += step
        x += panel.shape[1] + gap
    return canvas


def write_png(path: str | os.PathLike, image_rgb: np.ndarray) -> Path:
    """Write an RGB image as PNG (the caller makes the path atomic if needed)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not encode {path} as PNG")
    Path(path).write_bytes(buf.tobytes())
    return Path(path)
