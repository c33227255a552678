"""One clip in, one output folder out: the step the CLI, the app and the coach library share.

``analyze_to_folder`` runs pose estimation (with its cache), the analysis, and writes
``report.json``, ``metrics.csv`` and — unless switched off — ``annotated.mp4``, ``keyframes/``,
``plots/`` and ``report.html``. Everything is built in a hidden folder beside ``out_dir`` and
moved into place at the end, so a failure or a kill leaves the old folder (or nothing), never a
half-written one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.atomic import swap_in_dir
from formcheck.errors import FormcheckError

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AnalysisOutputs:
    report: Any                      # formcheck.report.Report
    sequence: Any                    # the athlete's raw PoseSequence
    video: Any                       # formcheck.video.VideoInfo
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)   # "report.json" -> path, ...
    keyframes: tuple[Path, ...] = ()
    pose_cached: bool = False
    seconds: float = 0.0


def analyze_to_folder(video_path: str | os.PathLike, out_dir: str | os.PathLike, drill: str = "auto", *,
                      model: str = "full", use_cache: bool = True, visuals: bool = True, video: bool = True,
                      video_max_side: int | None = 1280, progress: Progress | None = None,
                      video_progress: Progress | None = None,
                      stage: Callable[[str], None] | None = None) -> AnalysisOutputs:
    """Analyse ``video_path`` as ``drill`` (or ``"auto"``) and write every output into ``out_dir``.

    ``progress(done, total)`` follows pose estimation, ``video_progress`` the annotated video;
    ``stage(text)`` is told when another step begins.
    """
    from formcheck.analyze import analyze_sequence
    from formcheck.drills import get_drill
    from formcheck.pose.pipeline import extract_pose
    from formcheck.report import write_outputs

    start = time.perf_counter()
    if drill != "auto":
        get_drill(drill)  # an unknown drill name fails before the slow part
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FormcheckError(f"{out} exists and is not a folder; choose another output folder")
    say = stage or (lambda text: None)
    say("Reading the clip")
    pose = extract_pose(video_path, model=model, athlete="auto", use_cache=use_cache, progress=progress)
    say("Measuring and scoring each rep")
    report = analyze_sequence(pose.sequence, drill, video=pose.video, model=model)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging_parent = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".staging"))
    staging = staging_parent / out.name
    try:
        write_outputs(report, staging)
        keyframes: tuple[Path, ...] = ()
        if visuals:
            from formcheck.annotate import VideoSettings, write_visual_outputs

            say("Drawing the annotated video")
            vis = write_visual_outputs(staging, report, pose.sequence, None, video_path, video=video,
                                       video_settings=VideoSettings(max_side=video_max_side),
                                       progress=video_progress)
            keyframes = tuple(out / Path(p).relative_to(staging) for p in vis.keyframes)
        swap_in_dir(staging, out)
    finally:
        shutil.rmtree(staging_parent, ignore_errors=True)
    files = {p.name: p for p in sorted(out.iterdir()) if p.is_file()}
    return AnalysisOutputs(report=report, sequence=pose.sequence, video=pose.video, out_dir=out, files=files,
                           keyframes=keyframes, pose_cached=pose.cached, seconds=time.perf_counter() - start)
