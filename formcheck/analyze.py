"""The analysis API: from a pose sequence (or a video) to a :class:`~formcheck.report.Report`.

``analyze_sequence`` cleans the sequence, works out the camera view, finds the drill (or the
drill segments of a warm-up clip) unless it is given, measures each segment as its drill and
scores it. ``analyze_video`` runs pose estimation first. Neither imports mediapipe directly:
:func:`analyze_video` goes through :mod:`formcheck.pose.pipeline`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck import __version__
from formcheck.drills import DrillSpec, get_drill, list_drills
from formcheck.errors import ClipTooShortError, FormcheckError, NoPersonError
from formcheck.filters import CleanSettings, clean
from formcheck.report import (
    Cue,
    DrillGuessInfo,
    DrillInfo,
    PoseSummary,
    Report,
    SegmentResult,
    VideoSummary,
)
from formcheck.scoring import ScoringSettings, rank_cues, score_drill
from formcheck.sequence import PoseSequence

__all__ = ["AUTO", "WARMUP", "AnalyzeSettings", "DrillNotRecognizedError", "analyze_sequence", "analyze_video"]

AUTO = "auto"
WARMUP = "warm-up"


class DrillNotRecognizedError(FormcheckError):
    """The drill could not be recognised from the movement."""


@dataclass(frozen=True)
class AnalyzeSettings:
    """Settings of :func:`analyze_sequence`."""

    clean: CleanSettings = field(default_factory=CleanSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    min_frames: int = 10
    min_duration_s: float = 1.0
    #: Below this fraction of frames with a pose the clip is rejected; below ``warn_coverage_frac`` warned about.
    min_coverage_frac: float = 0.25
    warn_coverage_frac: float = 0.8
    #: A recognised drill below ``min_confidence_frac`` is refused (name the drill instead); below
    #: ``warn_confidence_frac`` it is analysed with a warning.
    min_confidence_frac: float = 0.2
    warn_confidence_frac: float = 0.5
    #: A given drill draws a warning when recognition is at least this sure of another drill.
    mismatch_confidence_frac: float = 0.75


DEFAULT_SETTINGS = AnalyzeSettings()


@dataclass(frozen=True)
class _Plan:
    """One stretch of the clip to analyse as one drill (frames ``start`` to ``stop``, exclusive)."""

    spec: DrillSpec
    start: int
    stop: int
    confidence: float | None


# ---------------------------------------------------------------------------- inputs
def _check_sequence(seq: PoseSequence, settings: AnalyzeSettings) -> None:
    if not isinstance(seq, PoseSequence):
        raise FormcheckError(f"expected a PoseSequence, got {type(seq).__name__}")
    if len(seq) < settings.min_frames or seq.duration_s < settings.min_duration_s:
        raise ClipTooShortError(
            f"the clip is too short to analyse ({len(seq)} frames, {seq.duration_s:.2f} s); film at least "
            f"{settings.min_duration_s:g} s of the drill")
    if seq.frames_with_pose == 0:
        raise NoPersonError("no person was found in the clip; film the whole body from the side, in good light")
    if seq.coverage < settings.min_coverage_frac:
        raise NoPersonError(
            f"a pose was found in only {100 * seq.coverage:.0f}% of frames; film the whole body from the side, "
            "in good light, with the athlete alone in view")


def _resolve_drill(drill: str | DrillSpec | None) -> DrillSpec | None:
    if drill is None or (isinstance(drill, str) and drill.strip().lower() == AUTO):
        return None
    if isinstance(drill, DrillSpec):
        return drill
    return get_drill(drill)


def _video_summary(seq: PoseSequence, video: Any | None) -> VideoSummary:
    if video is not None:
        return VideoSummary(path=str(video.path) if video.path is not None else None, width=int(video.width),
                            height=int(video.height), fps=float(video.fps), duration_s=float(video.duration_s),
                            frames=int(video.frames))
    path = seq.meta.get("source") or seq.meta.get("path")
    return VideoSummary(path=None if path is None else str(path), width=seq.width, height=seq.height,
                        fps=seq.fps, duration_s=seq.duration_s, frames=len(seq))


# ---------------------------------------------------------------------------- planning
def _plan_auto(cleaned: PoseSequence, view: Any, settings: AnalyzeSettings
               ) -> tuple[list[_Plan], DrillInfo, list[str]]:
    from formcheck.recognize import recognize, segment

    n = len(cleaned)
    registered = set(list_drills())
    segs = [s for s in segment(cleaned, view=view) if s.drill in registered]
    segs = [s for s in segs if min(int(s.end_frame), n) > int(s.start_frame)]
    if len({s.drill for s in segs}) > 1:
        plans = [_Plan(get_drill(s.drill), int(s.start_frame), min(int(s.end_frame), n), float(s.confidence))
                 for s in segs]
        total = sum(p.stop - p.start for p in plans)
        conf = sum((p.stop - p.start) * (p.confidence or 0.0) for p in plans) / total
        return plans, DrillInfo(name=WARMUP, source="detected", confidence=conf, alternatives=()), []
    if segs:  # one drill, possibly interrupted: analyse its whole span
        start, stop = int(segs[0].start_frame), min(int(segs[-1].end_frame), n)
        rec = recognize(cleaned.slice(start, stop), view=view)
    else:
        start, stop = 0, n
        rec = recognize(cleaned, view=view)
    if rec.drill not in registered or rec.confidence < settings.min_confidence_frac:
        guess = f" (best guess {rec.drill}, {100 * rec.confidence:.0f}% sure)" if rec.drill in registered else ""
        raise DrillNotRecognizedError(
            f"could not tell which drill this is{guess}; name it with --drill (one of: {', '.join(list_drills())})")
    alternatives = tuple(DrillGuessInfo(a.name, float(a.confidence)) for a in rec.alternatives
                         if a.name != rec.drill)
    info = DrillInfo(name=rec.drill, source="detected", confidence=float(rec.confidence), alternatives=alternatives)
    return [_Plan(get_drill(rec.drill), start, stop, float(rec.confidence))], info, []


def _plan_given(spec: DrillSpec, cleaned: PoseSequence, view: Any, settings: AnalyzeSettings
                ) -> tuple[list[_Plan], DrillInfo, list[str]]:
    """The whole clip as ``spec``; a warning when recognition is sure it shows another drill."""
    from formcheck.recognize import recognize

    warnings: list[str] = []
    try:
        rec = recognize(cleaned, view=view)
    except FormcheckError:  # nothing to compare with; the drill was named anyway
        rec = None
    if (rec is not None and rec.drill != spec.name and rec.drill in list_drills()
            and rec.confidence >= settings.mismatch_confidence_frac):
        warnings.append(f"the movement looks more like {rec.drill} ({100 * rec.confidence:.0f}% sure) than "
                        f"{spec.name}; it was analysed as {spec.name} as asked")
    info = DrillInfo(name=spec.name, source="given", confidence=None, alternatives=())
    return [_Plan(spec, 0, len(cleaned), None)], info, warnings


# ---------------------------------------------------------------------------- analysis
def _analyse_plan(cleaned: PoseSequence, plan: _Plan, index: int, settings: AnalyzeSettings) -> SegmentResult:
    from formcheck.measure import detect_view, measure

    sub = cleaned.slice(plan.start, plan.stop)
    view = detect_view(sub)
    spec = plan.spec
    m = measure(sub, spec.metrics_for(view.view), rep_event=spec.rep_event, view=view)
    report = score_drill(spec, m, settings=settings.scoring, frame_offset=plan.start, segment=index)
    t = cleaned.t_s
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    end_s = float(t[plan.stop]) if plan.stop < len(t) else float(t[-1] + dt)
    return SegmentResult(drill=spec.name, start_s=float(t[plan.start]), end_s=end_s, start_frame=plan.start,
                         end_frame=plan.stop, confidence=plan.confidence, report=report)


def _series(cleaned: PoseSequence, view: Any) -> dict[str, np.ndarray]:
    from formcheck.measure import frame_series

    out = {}
    for k, v in frame_series(cleaned, view).items():
        arr = np.asarray(v, dtype=np.float64)
        if arr.shape == (len(cleaned),):
            out[k] = arr
    return out


def analyze_sequence(seq: PoseSequence, drill: str | DrillSpec | None = AUTO, *, video: Any | None = None,
                     model: str | None = None, settings: AnalyzeSettings = DEFAULT_SETTINGS) -> Report:
    """Analyse one pose sequence as ``drill`` (a registered name, or ``"auto"`` to recognise it).

    With ``"auto"`` a clip of several drills is analysed segment by segment (``drill.name`` is
    ``"warm-up"``). ``video`` (a :class:`formcheck.video.VideoInfo`) and ``model`` only fill the
    report's ``video`` and ``pose`` sections. Raises :class:`FormcheckError` for a clip that cannot
    be analysed (too short, no person, unknown drill, drill not recognised).
    """
    from formcheck.measure import detect_view

    spec = _resolve_drill(drill)
    _check_sequence(seq, settings)
    cleaned = clean(seq, settings.clean)
    view = detect_view(cleaned)
    if spec is None:
        plans, info, warnings = _plan_auto(cleaned, view, settings)
    else:
        plans, info, warnings = _plan_given(spec, cleaned, view, settings)
    segments = tuple(_analyse_plan(cleaned, p, i, settings) for i, p in enumerate(plans))

    warnings = list(warnings)
    if seq.coverage < settings.warn_coverage_frac:
        warnings.insert(0, f"a pose was found in only {100 * seq.coverage:.0f}% of frames; results may be unreliable")
    if info.source == "detected" and info.confidence is not None and info.confidence < settings.warn_confidence_frac:
        warnings.append(f"not sure the drill is {info.name} ({100 * info.confidence:.0f}%); if it is another, "
                        "name it with --drill")
    if info.name == WARMUP:
        for i, s in enumerate(segments):
            warnings.extend(f"segment {i + 1} ({s.start_s:.1f}-{s.end_s:.1f} s): {w}" for w in s.report.warnings)
        weights = [(s.report.score, s.duration_s) for s in segments]
        den = sum(d for sc, d in weights if sc is not None)
        score = sum(sc * d for sc, d in weights if sc is not None) / den if den > 0 else None
        cues: tuple[Cue, ...] = rank_cues([c for s in segments for c in s.report.cues], settings.scoring.max_cues)
        metrics, reps = {}, ()
    else:
        only = segments[0].report
        warnings.extend(only.warnings)
        score, cues, metrics, reps = only.score, only.cues, dict(only.metrics), only.reps

    pose = PoseSummary(model=model if model is not None else seq.meta.get("model"),
                       frames_with_pose=seq.frames_with_pose, coverage=seq.coverage, view=view.view,
                       facing=view.facing, view_confidence=float(view.confidence))
    return Report(
        formcheck_version=__version__, video=_video_summary(seq, video), pose=pose, drill=info, segments=segments,
        metrics=metrics, reps=reps, score=score, cues=cues, warnings=tuple(dict.fromkeys(warnings)),
        series=_series(cleaned, view), t_s=np.asarray(seq.t_s, dtype=np.float64),
    )


def analyze_video(path: str | os.PathLike, drill: str | DrillSpec | None = AUTO, *, model: str = "full",
                  use_cache: bool = True, progress: Callable[..., Any] | None = None,
                  settings: AnalyzeSettings = DEFAULT_SETTINGS) -> Report:
    """Estimate the pose in the video at ``path``, then :func:`analyze_sequence` it."""
    _resolve_drill(drill)  # an unknown drill name fails before the slow part
    from formcheck.pose.pipeline import extract_pose

    result = extract_pose(path, model=model, athlete="auto", use_cache=use_cache, progress=progress)
    return analyze_sequence(result.sequence, drill, video=result.video, model=model, settings=settings)
