"""Write every visual output of an analysis into its output folder, as one step.

:func:`write_visual_outputs` writes, beside ``report.json``:

- ``annotated.mp4``: the clip with the pose, the measured angles, the cues and the rep count drawn
  on it (H.264 yuv420p, +faststart; skipped with ``video=False``);
- ``keyframes/cue<k>_<id>.png``: for each cue, the rep that shows it beside the best rep;
- ``plots/*.png``: the main angle, lean, and arm-leg swing over time;
- ``report.html``: the self-contained report with all of the above embedded (but the video).

Everything is built in a temporary folder inside ``out_dir`` and moved into place only when all
of it is ready, so a failure leaves the folder as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from formcheck.annotate.annotators import OverlaySettings, build_overlay
from formcheck.annotate.html import HtmlImage, VideoNote, render_html
from formcheck.annotate.keyframes import (
    KeyframeSettings,
    grab_frames,
    keyframe_filename,
    plan_keyframes,
    render_keyframe,
    write_png,
)
from formcheck.annotate.plots import render_plots
from formcheck.annotate.video import AnnotatedVideo, VideoSettings, write_annotated_video
from formcheck.sequence import PoseSequence

__all__ = ["ANNOTATED_VIDEO", "KEYFRAMES_DIR", "PLOTS_DIR", "REPORT_HTML", "VisualOutputs", "write_visual_outputs"]

ANNOTATED_VIDEO = "annotated.mp4"
KEYFRAMES_DIR = "keyframes"
PLOTS_DIR = "plots"
REPORT_HTML = "report.html"


@dataclass(frozen=True)
class VisualOutputs:
    """Paths written (``video`` None when not written) and the seconds each part took."""

    html: Path
    video: Path | None
    keyframes: tuple[Path, ...]
    plots: tuple[Path, ...]
    seconds: dict[str, float] = field(default_factory=dict)
    annotated: AnnotatedVideo | None = None


def write_visual_outputs(out_dir: str | os.PathLike, report: Any, sequence: PoseSequence,
                         measurements: Any = None, video_path: str | os.PathLike | None = None, *,
                         video: bool = True, video_settings: VideoSettings = VideoSettings(),
                         keyframe_settings: KeyframeSettings = KeyframeSettings(),
                         overlay_settings: OverlaySettings = OverlaySettings(),
                         progress: Callable[[int, int], None] | None = None) -> VisualOutputs:
    """Write ``annotated.mp4`` (unless ``video`` is False or there is no ``video_path``),
    ``keyframes/``, ``plots/`` and ``report.html`` into ``out_dir``.

    ``report``: the :class:`formcheck.report.Report` of ``sequence`` (the clip's pose, raw or
    cleaned); ``measurements``: the :class:`formcheck.measure.Measurements` of each report segment
    if the caller has them (else they are measured again from the sequence, as the analysis did);
    ``video_path``: the analysed clip (without it, key frames are drawn on a plain background).
    ``progress(done, total)`` follows the video's frames.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    overlay = build_overlay(report, sequence, measurements, settings=overlay_settings)
    plans = plan_keyframes(overlay)
    wanted = {f for p in plans for f in p.frames}
    seconds["overlay"] = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(dir=out, prefix=".visuals.", suffix=".part"))
    try:
        annotated: AnnotatedVideo | None = None
        images: dict[int, Any] = {}
        t = time.perf_counter()
        if video and video_path is not None:
            annotated = write_annotated_video(video_path, tmp / ANNOTATED_VIDEO, overlay,
                                              settings=video_settings, keep_frames=wanted, progress=progress)
            images = annotated.kept
            seconds["video"] = time.perf_counter() - t
        elif video_path is not None and wanted:
            images = grab_frames(video_path, wanted, max_side=video_settings.max_side)
            seconds["grab_frames"] = time.perf_counter() - t

        t = time.perf_counter()
        (tmp / KEYFRAMES_DIR).mkdir()
        key_images: dict[int, HtmlImage] = {}
        key_paths: list[str] = []
        for plan in plans:
            image = render_keyframe(plan, images, overlay, settings=keyframe_settings)
            name = keyframe_filename(plan)
            path = write_png(tmp / KEYFRAMES_DIR / name, image)
            key_paths.append(name)
            key_images[plan.cue.rank] = HtmlImage(
                title=f"Cue {plan.cue.rank}: the rep that shows it"
                      + (" (left) beside your best rep (right)" if plan.best is not None else ""),
                png=path.read_bytes(), alt=f"Key frame for the cue: {plan.cue.text}")
        seconds["keyframes"] = time.perf_counter() - t

        t = time.perf_counter()
        (tmp / PLOTS_DIR).mkdir()
        plot_images, plot_paths = [], []
        for p in render_plots(overlay):
            (tmp / PLOTS_DIR / f"{p.name}.png").write_bytes(p.png)
            plot_paths.append(f"{p.name}.png")
            plot_images.append(HtmlImage(title=p.title, png=p.png))
        seconds["plots"] = time.perf_counter() - t

        t = time.perf_counter()
        if annotated is not None:
            note = VideoNote(ANNOTATED_VIDEO, annotated.width, annotated.height,
                             annotated.source_size if annotated.downscaled else None)
        else:
            note = VideoNote(None, reason="no video file was given" if video_path is None else "skipped to save time")
        document = render_html(report, keyframes=key_images, plots=plot_images, video=note)
        (tmp / REPORT_HTML).write_text(document, encoding="utf-8")
        seconds["html"] = time.perf_counter() - t

        _move_into_place(tmp, out, [KEYFRAMES_DIR, PLOTS_DIR, ANNOTATED_VIDEO if annotated else None, REPORT_HTML],
                         remove=[] if annotated else [ANNOTATED_VIDEO])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds["total"] = time.perf_counter() - t0
    return VisualOutputs(
        html=out / REPORT_HTML,
        video=out / ANNOTATED_VIDEO if annotated is not None else None,
        keyframes=tuple(out / KEYFRAMES_DIR / n for n in key_paths),
        plots=tuple(out / PLOTS_DIR / n for n in plot_paths),
        seconds=seconds,
        annotated=None if annotated is None else replace(annotated, path=out / ANNOTATED_VIDEO, kept={}),
    )


def _move_into_place(tmp: Path, out: Path, names: list[str | None], remove: list[str]) -> None:
    """Move the finished items from ``tmp`` into ``out``; older versions (and stale ``remove``
    items) are moved into ``tmp/old`` first and go with it. If a move fails, what was already
    moved is put back."""
    old = tmp / ".old"
    old.mkdir()
    done: list[tuple[Path, Path | None]] = []  # (dest, its previous version)
    try:
        for name in [n for n in names if n] + remove:
            dest = out / name
            prev = None
            if dest.exists() or dest.is_symlink():
                prev = old / name
                os.replace(dest, prev)
            done.append((dest, prev))
            if name in remove:
                continue
            src = tmp / name
            for p in src.rglob("*") if src.is_dir() else [src]:
                _public(p)
            _public(src)
            os.replace(src, dest)
    except BaseException:
        for dest, prev in reversed(done):
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest, ignore_errors=True)
            elif dest.exists() or dest.is_symlink():
                dest.unlink()
            if prev is not None:
                os.replace(prev, dest)
        raise


def _public(path: Path) -> None:
    """Give a finished file or folder the permissions a plain open()/mkdir() would have
    (mkdtemp makes folders 0700)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)
