"""Shared pieces of the Streamlit app (``app.py`` and ``pages/``), so that the pages stay thin.

- page set-up, the drill choice, filming guidance, and one-line error messages
  (:func:`show_error`: a :class:`~formcheck.errors.FormcheckError` is shown as a message with
  what to do, never as a traceback);
- uploads: size and type checks, the content hash, a streamed copy to a per-session temp file
  that is removed after the analysis;
- :func:`analyse_clip`: the clip's pose (:func:`formcheck.pose.pipeline.extract_pose`, with its
  pose cache keyed by content), :func:`formcheck.analyze.analyze_sequence`, and every output
  (``report.json``, ``metrics.csv`` by :func:`formcheck.report.write_outputs`; ``annotated.mp4``,
  key frames, plots and ``report.html`` by :func:`formcheck.annotate.write_visual_outputs`);
  :func:`analyse_upload` wraps it in ``st.cache_data`` keyed by the file's hash, the drill and
  the model, with a progress bar (frames done, time left);
- :func:`render_analysis`: the results page (drill, score, cues with key frames, the annotated
  video, metric table, Altair charts, downloads);
- the live page's glue: a per-session :class:`LiveStore`, the streamlit-webrtc video processor
  around :class:`formcheck.live.LiveSession`, the ICE server list.

Everything a browser session owns lives in ``st.session_state``; result files are shared by
content (the same clip and drill give the same files) in a temp folder removed at exit.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from formcheck.errors import ClipTooShortError, FormcheckError, ModelError, NoPersonError, VideoError, ViewError

__all__ = [
    "MAX_UPLOAD_MB",
    "app_pages",
    "page_title",
    "VIDEO_TYPES",
    "Analysis",
    "LiveStore",
    "analyse_clip",
    "analyse_upload",
    "check_upload",
    "drill_choices",
    "drill_label",
    "drill_table",
    "filming_tips",
    "hash_upload",
    "ice_servers",
    "live_panel",
    "live_processor_factory",
    "live_store",
    "page_setup",
    "render_analysis",
    "render_live_summary",
    "remove_upload",
    "save_upload",
    "show_error",
    "show_upload_result",
]

#: The largest upload accepted (also ``server.maxUploadSize`` in ``.streamlit/config.toml``).
MAX_UPLOAD_MB = 500
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
#: File types the uploader takes (anything FFmpeg reads works; these are what phones and editors write).
VIDEO_TYPES = ("mp4", "mov", "m4v", "avi", "webm", "mkv")
#: The annotated video is drawn at most this many pixels on its longer side (plays smoothly in a page).
APP_VIDEO_MAX_SIDE = 960
#: Progress bars redraw at most this often.
PROGRESS_INTERVAL_S = 0.25
#: Results kept in the app's cache (each entry is a folder with the clip's outputs).
CACHE_ENTRIES = 32
#: A live session whose stream has stopped is ended by the page after this long without frames.
LIVE_IDLE_END_S = 2.0
#: Metrics drawn on the lean chart, not the main-angle chart.
LEAN_METRICS = ("trunk_lean_deg", "body_lean_deg", "hip_hinge_deg")
#: ICE servers for the live page as JSON, e.g. '[{"urls": ["stun:stun.example.org:3478"]}]'.
ICE_SERVERS_ENV = "FORMCHECK_ICE_SERVERS"
AUTO = "auto"

FILMING_TIPS = """
- **Side view**: the camera looks at the athlete from the side, square to the direction of travel.
- **Hip height**, about 4–6 m away, the phone held still (or on a tripod).
- **The whole body in frame**, head to feet, the whole time, with a little room above and below.
- **60 fps** if the phone offers it (30 fps works); good light; nobody else crossing close by.
- **At least 4–6 reps per leg**; a clip of 5–20 seconds is plenty.
"""


# ============================================================================ page basics
@functools.cache
def _icon() -> Any:
    """The app's favicon as PNG bytes, drawn here (no network needed): "fc" on a green disc."""
    import cv2
    import numpy as np

    img = np.zeros((64, 64, 4), dtype=np.uint8)
    cv2.circle(img, (32, 32), 30, (28, 140, 72, 255), -1, cv2.LINE_AA)
    cv2.putText(img, "fc", (13, 42), cv2.FONT_HERSHEY_DUPLEX, 1.05, (255, 255, 255, 255), 2, cv2.LINE_AA)
    ok, png = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA))
    return png.tobytes()


def page_setup(title: str) -> None:
    """Page title, icon and wide layout (call first on every page)."""
    st.set_page_config(page_title=f"{title} · formcheck", page_icon=_icon(), layout="wide")


def app_pages(root: str | os.PathLike) -> list[Path]:
    """The app's pages (``pages/*.py`` under ``root``, relative to it), in the sidebar's order."""
    root = Path(root)
    return sorted((p.relative_to(root) for p in (root / "pages").glob("*.py") if not p.name.startswith("_")),
                  key=lambda p: (int(p.stem.split("_", 1)[0]) if p.stem.split("_", 1)[0].isdigit() else 1 << 30,
                                 p.stem))


def page_title(page: str | os.PathLike) -> str:
    """A page's title as the sidebar shows it: the file name without its number, ``_`` as spaces."""
    stem = Path(page).stem
    head, _, rest = stem.partition("_")
    return (rest if head.isdigit() and rest else stem).replace("_", " ")


def drill_choices() -> list[str]:
    """``"auto"`` then every registered drill."""
    from formcheck.drills import list_drills

    return [AUTO, *list_drills()]


def drill_label(name: str) -> str:
    if name == AUTO:
        return "Recognise it for me (auto)"
    from formcheck.drills import get_drill

    return get_drill(name).title


def filming_tips(expanded: bool = False) -> None:
    with st.expander("How to film", expanded=expanded, icon=":material/videocam:"):
        st.markdown(FILMING_TIPS)


def _app_message(exc: FormcheckError) -> str:
    """The error's one line, with command-line wording put in the app's terms."""
    return str(exc).replace("name it with --drill", "choose it in the Drill box").replace(
        "with --drill", "in the Drill box")


def _error_advice() -> tuple[tuple[type, str, str, bool], ...]:
    """What to add to an error's message, by its type (the first that matches): advice, icon,
    and whether the filming tips help."""
    from formcheck.analyze import DrillNotRecognizedError

    return (
        (NoPersonError, "formcheck needs to see one person, whole body, from the side.", ":material/videocam:", True),
        (ViewError, "Most checks need a side view: film square to the direction of travel, at hip height.",
         ":material/videocam:", True),
        (ClipTooShortError, "Film a few seconds more: at least 4–6 reps per leg.", ":material/timer:", False),
        (VideoError, f"Upload a video file ({', '.join(VIDEO_TYPES)}); MP4 with H.264 plays everywhere.",
         ":material/movie:", False),
        (DrillNotRecognizedError, "Pick the drill in the **Drill** box above and the clip is analysed as that drill.",
         ":material/arrow_upward:", False),
        (ModelError, "Run `formcheck models` on the server to see which pose models are installed.",
         ":material/extension:", False),
    )


def show_error(exc: FormcheckError) -> None:
    """A user-facing message for ``exc`` (what is wrong, what to do), with filming guidance where
    the clip itself is the problem."""
    st.error(_app_message(exc), icon=":material/warning:")
    for kind, advice, icon, tips in _error_advice():
        if isinstance(exc, kind):
            st.info(advice, icon=icon)
            if tips:
                st.markdown(FILMING_TIPS)
            break


# ============================================================================ temp folders
@st.cache_resource(show_spinner=False)
def _app_temp_root() -> Path:
    """One temp folder for this server process, removed when it exits."""
    root = Path(tempfile.mkdtemp(prefix="formcheck-app-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def session_dir() -> Path:
    """This browser session's own temp folder (uploads are written here while analysed)."""
    path = st.session_state.get("_fc_session_dir")
    if path is None or not Path(path).is_dir():
        base = _app_temp_root() / "sessions"
        base.mkdir(parents=True, exist_ok=True)
        path = tempfile.mkdtemp(dir=base, prefix="session-")
        st.session_state["_fc_session_dir"] = path
    return Path(path)


def _results_dir(key: str) -> Path:
    """A new folder for one clip's outputs; the oldest are removed beyond twice the cache's size
    (a session still showing one analyses its clip again, see :meth:`Analysis.exists`)."""
    base = _app_temp_root() / "results"
    base.mkdir(parents=True, exist_ok=True)
    old = sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for p in old[:max(0, len(old) - 2 * CACHE_ENTRIES + 1)]:
        shutil.rmtree(p, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=base, prefix=f"{key}-"))


# ============================================================================ uploads
def check_upload(name: str, size: int) -> None:
    """Raise a :class:`VideoError` for a file that is too large or not a video by its name."""
    if size <= 0:
        raise VideoError(f"{name} is empty; upload the video file itself")
    if size > MAX_UPLOAD_BYTES:
        raise VideoError(f"{name} is {size / 2**20:.0f} MB; the limit is {MAX_UPLOAD_MB} MB: trim the clip to the "
                         "drill (5-20 s is plenty) or export it at a lower resolution")
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in VIDEO_TYPES:
        raise VideoError(f"{name} is not a video file this app takes; upload one of: {', '.join(VIDEO_TYPES)}")


def hash_upload(uploaded: Any, chunk_bytes: int = 8 << 20) -> str:
    """SHA-256 of an uploaded file's content (read in chunks through a memoryview: no copy)."""
    h = hashlib.sha256()
    buf = uploaded.getbuffer() if hasattr(uploaded, "getbuffer") else None
    if buf is not None:
        view = memoryview(buf)
        for i in range(0, len(view), chunk_bytes):
            h.update(view[i:i + chunk_bytes])
        view.release()
    else:
        uploaded.seek(0)
        for chunk in iter(lambda: uploaded.read(chunk_bytes), b""):
            h.update(chunk)
    uploaded.seek(0)
    return h.hexdigest()


def _safe_name(name: str) -> str:
    stem, ext = os.path.splitext(os.path.basename(name or "clip.mp4"))
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem).strip("._") or "clip"
    ext = "".join(ch for ch in ext.lower() if ch.isalnum() or ch == ".") or ".mp4"
    return f"{stem[:80]}{ext}"


def save_upload(uploaded: Any, dest_dir: str | os.PathLike) -> Path:
    """Copy an uploaded file into a new folder under ``dest_dir``, in chunks (the upload is not
    held twice in memory), keeping its name (FFmpeg guesses some containers by the extension, and
    messages name the file). Remove it with :func:`remove_upload`."""
    folder = Path(dest_dir) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    dest = folder / _safe_name(getattr(uploaded, "name", "clip.mp4"))
    uploaded.seek(0)
    try:
        with open(dest, "wb") as fh:
            shutil.copyfileobj(uploaded, fh, length=1 << 20)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    uploaded.seek(0)
    return dest


def remove_upload(path: str | os.PathLike) -> None:
    """Remove a file written by :func:`save_upload` (and its folder)."""
    shutil.rmtree(Path(path).parent, ignore_errors=True)


# ============================================================================ analysis
@dataclass(frozen=True, eq=False)
class Analysis:
    """A clip's analysis and where its outputs are.

    ``files``: ``report.json``, ``metrics.csv``, ``report.html`` and ``annotated.mp4`` by name
    (those written); ``keyframes``: key frame PNG by cue rank; ``charts``: tidy records of
    :func:`formcheck.annotate.plot_data`; ``visual_error``: why the visual outputs are missing
    (None when they were written).
    """

    report: Any
    clip_name: str
    out_dir: Path
    files: dict[str, Path]
    keyframes: dict[int, Path]
    charts: dict[str, list[dict]]
    pose_cached: bool
    seconds: float
    visual_error: str | None = None
    created: float = field(default_factory=time.time)

    @property
    def video(self) -> Path | None:
        return self.files.get("annotated.mp4")

    def exists(self) -> bool:
        return self.out_dir.is_dir() and all(p.is_file() for p in self.files.values())


def analyse_clip(path: str | os.PathLike, drill: str = AUTO, *, out_dir: str | os.PathLike, model: str = "full",
                 clip_name: str | None = None, use_cache: bool = True,
                 progress: Callable[[int, int], None] | None = None,
                 video_progress: Callable[[int, int], None] | None = None,
                 stage: Callable[[str], None] | None = None,
                 video_max_side: int | None = APP_VIDEO_MAX_SIDE) -> Analysis:
    """Analyse the clip at ``path`` as ``drill`` (or ``"auto"``) and write every output into ``out_dir``.

    The same steps as :func:`formcheck.analyze.analyze_video` (pose with its cache, then
    :func:`~formcheck.analyze.analyze_sequence`), keeping the pose sequence for the visual
    outputs. ``progress(done, total)`` follows pose estimation, ``video_progress`` the annotated
    video; ``stage(text)`` is told when another step begins. Raises :class:`FormcheckError` for a
    clip that cannot be analysed.
    """
    from formcheck.annotate import plot_data
    from formcheck.outputs import analyze_to_folder

    start = time.perf_counter()
    kwargs = dict(model=model, use_cache=use_cache, video_max_side=video_max_side, progress=progress,
                  video_progress=video_progress, stage=stage)
    visual_error = None
    try:
        result = analyze_to_folder(path, out_dir, drill, **kwargs)
    except FormcheckError:
        raise
    except Exception as exc:  # the report stands without its pictures; say what went wrong
        visual_error = f"{type(exc).__name__}: {exc}"
        result = analyze_to_folder(path, out_dir, drill, visuals=False, **{**kwargs, "progress": None})
    keyframes: dict[int, Path] = {}
    for p in result.keyframes:  # cue<rank>_<id>.png
        rank = p.name[3:].split("_", 1)[0]
        if rank.isdigit():
            keyframes[int(rank)] = Path(p)
    charts = plot_data(result.report, sequence=result.sequence) if visual_error is None else {}
    return Analysis(report=result.report, clip_name=clip_name or Path(path).name, out_dir=result.out_dir,
                    files=dict(result.files), keyframes=keyframes, charts=charts, pose_cached=result.pose_cached,
                    seconds=time.perf_counter() - start, visual_error=visual_error)


def _clock(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


class ProgressBar:
    """``progress(done, total)`` drawn as ``st.progress`` with frames done and time left."""

    def __init__(self, holder: Any, label: str) -> None:
        self.holder, self.label = holder, label
        self._start: float | None = None
        self._last = -float("inf")

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._start is None:
            self._start = now
        if done < total and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        total = max(int(total), int(done), 1)
        elapsed = now - self._start
        rate = done / elapsed if elapsed > 0 and done else 0.0
        left = f"about {_clock((total - done) / rate)} left" if rate > 0 and done < total else "done"
        self.holder.progress(min(1.0, done / total), text=f"{self.label}: {done}/{total} frames · {left}")


_last_call = threading.local()


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _cached_analysis(file_hash: str, drill: str, model: str, _uploaded: Any, _clip_name: str) -> Analysis:
    """The analysis of one upload, cached by content hash, drill and model (the progress bar is
    made here, so that a cache hit replays nothing but its final, empty state)."""
    _last_call.ran = True
    holder = st.empty()
    clip_name = _clip_name
    tmp = save_upload(_uploaded, session_dir())
    out_dir = _results_dir(f"{file_hash[:16]}-{drill}")
    try:
        return analyse_clip(
            tmp, drill, out_dir=out_dir, model=model, clip_name=clip_name,
            progress=ProgressBar(holder, "Finding the pose"),
            video_progress=ProgressBar(holder, "Drawing the annotated video"),
            stage=lambda text: holder.progress(0.0, text=f"{text}..."))
    except FormcheckError as exc:
        shutil.rmtree(out_dir, ignore_errors=True)
        # the message names the temporary copy: name the user's file instead
        raise type(exc)(str(exc).replace(str(tmp), clip_name).replace(tmp.name, clip_name)) from None
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    finally:
        remove_upload(tmp)
        holder.empty()


def analyse_upload(uploaded: Any, drill: str = AUTO, *, model: str = "full") -> Analysis:
    """Analyse an ``st.file_uploader`` file (cached by content + drill + model), showing progress.
    Raises :class:`FormcheckError` for a file or clip that cannot be analysed."""
    check_upload(uploaded.name, int(uploaded.size))
    file_hash = hash_upload(uploaded)
    _last_call.ran = False
    result = _cached_analysis(file_hash, drill, model, uploaded, uploaded.name)
    if not result.exists():  # its files were removed meanwhile: analyse again
        _cached_analysis.clear()
        result = _cached_analysis(file_hash, drill, model, uploaded, uploaded.name)
    if not getattr(_last_call, "ran", True):
        st.caption("Analysed before: results from the cache.")
    if result.clip_name != uploaded.name:  # the same content under another name
        result = dataclasses.replace(result, clip_name=uploaded.name)
    return result


_RESULT_KEY = "_fc_upload_result"


def show_upload_result(uploaded: Any, drill: str, *, model: str = "full") -> Analysis | None:
    """The upload page's result for this browser session: analysed once per (file, drill) and kept
    in ``st.session_state``, so reruns (a download, a chart) do not analyse again; a clip that
    cannot be analysed shows its message (kept too, so it is not tried again on every rerun)."""
    if uploaded is None:
        st.session_state.pop(_RESULT_KEY, None)
        return None
    key = (getattr(uploaded, "file_id", None) or uploaded.name, int(uploaded.size), drill, model)
    held = st.session_state.get(_RESULT_KEY)
    if held is None or held[0] != key or (isinstance(held[1], Analysis) and not held[1].exists()):
        st.session_state.pop(_RESULT_KEY, None)
        try:
            outcome: Analysis | FormcheckError = analyse_upload(uploaded, drill, model=model)
        except FormcheckError as exc:
            outcome = exc
        held = (key, outcome)
        st.session_state[_RESULT_KEY] = held
    outcome = held[1]
    if isinstance(outcome, FormcheckError):
        show_error(outcome)
        return None
    render_analysis(outcome)
    return outcome


# ============================================================================ results
def _fmt_score(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.0f}/100"


def _drill_title(name: str) -> str:
    if name == "warm-up":
        return "Warm-up"
    try:
        from formcheck.drills import get_drill

        return get_drill(name).title
    except FormcheckError:
        return name


def _view_text(pose: Any) -> tuple[str, str]:
    """The camera view in a word, and in a sentence."""
    if pose.view == "side":
        return "Side", (f"side view, athlete facing {pose.facing}" if pose.facing in ("left", "right") else "side view")
    if pose.view == "front":
        return ("Front", {"toward": "front view, athlete facing the camera",
                          "away": "view from behind"}.get(pose.facing, "front view"))
    return "Unclear", "the camera angle could not be told"


def render_analysis(a: Analysis, *, key: str = "result") -> None:
    """Everything about one analysed clip: headline, cues with key frames, the annotated video,
    metrics, charts and downloads."""
    r = a.report
    d = r.drill
    if d.source == "given":
        how = "as chosen"
    elif d.confidence is not None:
        how = f"recognised, {100 * d.confidence:.0f}% sure"
    else:
        how = "recognised"
    st.subheader(f"{a.clip_name}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Drill", _drill_title(d.name), help=f"The drill: {how}.")
    c2.metric("Score", _fmt_score(r.score), help="0-100: 100 means every scored metric is inside its target band.")
    if r.is_warmup:
        c3.metric("Drills", len(r.segments))
    else:
        c3.metric("Reps", len(r.reps))
    view_word, view_text = _view_text(r.pose)
    c4.metric("Camera", view_word, help=f"{view_text[0].upper()}{view_text[1:]}.")
    v = r.video
    st.caption(f"Drill {how} · {view_text} · {v.duration_s:.1f} s at {v.fps:.0f} fps, {v.width}x{v.height} · "
               f"pose in {100 * r.pose.coverage:.0f}% of frames · analysed in {a.seconds:.1f} s")
    alternatives = [x for x in d.alternatives if x.confidence >= 0.05][:3]
    if alternatives and d.source == "detected" and not r.is_warmup:
        alts = ", ".join(f"{_drill_title(x.name)} {100 * x.confidence:.0f}%" for x in alternatives)
        st.caption(f"Other candidates: {alts}. Wrong drill? Choose it in the Drill box and the clip is analysed again.")
    for w in r.warnings:
        st.warning(_app_message(FormcheckError(w)), icon=":material/warning:")
    if r.pose.view != "side":
        st.info("Most checks need a **side view** (camera square to the direction of travel, at hip height).",
                icon=":material/videocam:")

    if r.is_warmup:
        _render_timeline(r)

    st.markdown("### What to work on")
    _render_cues(a)

    if a.visual_error:
        st.warning(f"The annotated video and pictures could not be made ({a.visual_error}); the numbers below "
                   "are complete.", icon=":material/warning:")
    if a.video is not None:
        st.markdown("### Annotated video")
        st.video(str(a.video))

    st.markdown("### Metrics and targets")
    _render_metrics(r)

    if a.charts and any(a.charts.get(k) for k in ("main", "lean", "arm_leg")):
        st.markdown("### Charts")
        _render_charts(a.charts)

    st.markdown("### Downloads")
    _render_downloads(a, key)


def _render_timeline(r: Any) -> None:
    import altair as alt
    import pandas as pd

    rows = [{"segment": i + 1, "drill": _drill_title(s.drill), "start_s": round(s.start_s, 2),
             "end_s": round(s.end_s, 2), "score": None if s.report.score is None else round(s.report.score),
             "reps": len(s.report.reps),
             "confidence": None if s.confidence is None else f"{100 * s.confidence:.0f}%"}
            for i, s in enumerate(r.segments)]
    st.markdown("### Warm-up timeline")
    df = pd.DataFrame(rows)
    chart = alt.Chart(df).mark_bar(height=28, cornerRadius=3).encode(
        x=alt.X("start_s:Q", title="time (s)"), x2="end_s:Q",
        y=alt.Y("drill:N", title=None, sort=None), color=alt.Color("drill:N", legend=None),
        tooltip=["segment", "drill", "start_s", "end_s", "score", "reps", "confidence"],
    ).properties(height=max(80, 44 * df["drill"].nunique()))
    st.altair_chart(chart, width="stretch")
    st.dataframe(df, hide_index=True, width="stretch")


def _render_cues(a: Analysis) -> None:
    from formcheck.annotate.annotators import metric_label

    r = a.report
    if not r.cues:
        if r.score is None:
            st.info("Nothing could be scored from this clip; see the notes above.", icon=":material/info:")
        else:
            st.success("No cues: the form looks good on every checked point.", icon=":material/check_circle:")
        return
    for rank, cue in enumerate(r.cues, 1):
        with st.container(border=True):
            badge = ":red-badge[major]" if cue.severity == "major" else ":orange-badge[minor]"
            drill = f" · {_drill_title(cue.drill)}" if r.is_warmup else ""
            st.markdown(f"**{rank}. {cue.text}** {badge}")
            where = ", ".join(f"{t:.1f} s" for t, _ in cue.evidence[:3])
            st.caption(f"{metric_label(cue.metric)}{drill}" + (f" · seen most at {where}" if where else ""))
            png = a.keyframes.get(rank)
            if png is not None and png.is_file():
                st.image(str(png), width=760)  # captioned in the picture: this rep, and the best rep


def _render_metrics(r: Any) -> None:
    import pandas as pd

    from formcheck.annotate.annotators import fmt_target, fmt_value, metric_label

    def table(metrics: Any) -> pd.DataFrame:
        rows = []
        for name, m in metrics.items():
            rows.append({
                "metric": metric_label(name),
                "value": fmt_value(m.value, m.unit) if m.value is not None else "-",
                "target": fmt_target(m.target, m.unit) or "(not scored)",
                "score": None if m.score is None else round(m.score),
                "left": fmt_value(m.left, m.unit) if m.left is not None else "",
                "right": fmt_value(m.right, m.unit) if m.right is not None else "",
                "reps": m.n,
                "note": m.reason or "",
            })
        return pd.DataFrame(rows)

    config = {"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%d")}
    if r.is_warmup:
        for i, s in enumerate(r.segments):
            with st.expander(f"{i + 1}. {_drill_title(s.drill)} ({s.start_s:.1f}-{s.end_s:.1f} s): "
                             f"score {_fmt_score(s.report.score)}", expanded=i == 0):
                st.dataframe(table(s.report.metrics), hide_index=True, width="stretch", column_config=config)
    else:
        st.dataframe(table(r.metrics), hide_index=True, width="stretch", column_config=config)


def _render_charts(charts: dict[str, list[dict]]) -> None:
    import altair as alt
    import pandas as pd

    tabs = []
    names = []
    for key, title in (("main", "Main angle"), ("lean", "Lean"), ("arm_leg", "Arm-leg timing")):
        if charts.get(key):
            names.append(key)
            tabs.append(title)
    for key, tab in zip(names, st.tabs(tabs)):
        with tab:
            if key == "main":
                df = pd.DataFrame(charts["main"])
                line = alt.Chart(df).mark_line(strokeWidth=1.5).encode(
                    x=alt.X("t_s:Q", title="time (s)"), y=alt.Y("value:Q", title="degrees"),
                    color=alt.Color("signal:N", title=None, legend=alt.Legend(orient="bottom")),
                    tooltip=["t_s", "signal", alt.Tooltip("value:Q", format=".1f")])
                layers = [line]
                # each segment's main band (the lean bands are drawn on the lean chart)
                main_of: dict[int, str] = {}
                for t in charts.get("targets", []):
                    if t["metric"] not in LEAN_METRICS:
                        main_of.setdefault(t["segment"], t["metric"])
                bands = [t for t in charts.get("targets", []) if main_of.get(t["segment"]) == t["metric"]]
                if bands:
                    bdf = pd.DataFrame(bands).fillna({"low": 0.0, "high": 180.0})
                    layers.insert(0, alt.Chart(bdf).mark_rect(opacity=0.15, color="#28d25a").encode(
                        x="start_s:Q", x2="end_s:Q", y="low:Q", y2="high:Q",
                        tooltip=["metric", "low", "high"]))
                reps = [r for r in charts.get("reps", []) if main_of.get(r["segment"]) == r["metric"]]
                if reps:
                    layers.append(alt.Chart(pd.DataFrame(reps)).mark_point(filled=True, size=60).encode(
                        x="t_s:Q", y="value:Q",
                        color=alt.condition("datum.in_band", alt.value("#28a745"), alt.value("#dc3545")),
                        tooltip=["rep", "side", alt.Tooltip("value:Q", format=".1f"),
                                 alt.Tooltip("score:Q", format=".0f")]))
                st.altair_chart(alt.layer(*layers).properties(height=300).interactive(bind_y=False),
                                width="stretch")
                st.caption("Shaded: the target band. Dots: each rep's measured value (green inside the band).")
            elif key == "lean":
                df = pd.DataFrame(charts["lean"])
                chart = alt.Chart(df).mark_line(strokeWidth=1.5).encode(
                    x=alt.X("t_s:Q", title="time (s)"), y=alt.Y("value:Q", title="degrees (forward +)"),
                    color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
                    tooltip=["t_s", "series", alt.Tooltip("value:Q", format=".1f")])
                st.altair_chart(chart.properties(height=260).interactive(bind_y=False), width="stretch")
            else:
                df = pd.DataFrame(charts["arm_leg"])
                chart = alt.Chart(df).mark_line(strokeWidth=1.5).encode(
                    x=alt.X("t_s:Q", title="time (s)"), y=alt.Y("value:Q", title="degrees"),
                    color=alt.Color("limb:N", title=None), strokeDash=alt.StrokeDash("pair:N", title=None),
                    tooltip=["t_s", "pair", "limb", alt.Tooltip("value:Q", format=".1f")])
                st.altair_chart(chart.properties(height=260).interactive(bind_y=False), width="stretch")
                st.caption("Each upper arm with the opposite thigh: good timing keeps the pair swinging together.")


def _reader(path: Path) -> Callable[[], bytes]:
    return lambda: path.read_bytes()


def _render_downloads(a: Analysis, key: str) -> None:
    stem = Path(a.clip_name).stem or "clip"
    items = [("report.json", "application/json"), ("metrics.csv", "text/csv"), ("report.html", "text/html"),
             ("annotated.mp4", "video/mp4")]
    cols = st.columns(len(items))
    for col, (name, mime) in zip(cols, items):
        path = a.files.get(name)
        if path is None or not path.is_file():
            col.button(name, disabled=True, key=f"{key}-dl-{name}", help="not written for this clip")
            continue
        size = path.stat().st_size
        data: Any = path.read_bytes() if size < (2 << 20) else _reader(path)
        col.download_button(f"⬇ {name}", data=data, file_name=f"{stem}_{name}", mime=mime, on_click="ignore",
                            key=f"{key}-dl-{name}", width="stretch")


# ============================================================================ live
class LiveStore:
    """One browser session's live state, shared between the page script and the video processor
    (which runs on streamlit-webrtc's threads): the chosen drill, the running session, and the
    last finished session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.drill: str = AUTO
        self.session: Any = None  # formcheck.live.LiveSession while streaming
        self.finished: Any = None  # the last ended LiveSession (its summary is shown)
        self.finished_version = 0
        self.error: str | None = None

    def started(self, session: Any) -> None:
        with self._lock:
            self.session = session
            self.error = None

    def ended(self, session: Any) -> None:
        with self._lock:
            if self.session is session:
                self.session = None
            self.finished = session
            self.finished_version += 1

    def current(self) -> Any:
        with self._lock:
            return self.session

    def end_current(self, idle_s: float = 0.0) -> None:
        """End the running session (the stream stopped but the processor was not told), if it has
        had no frame for ``idle_s`` seconds."""
        session = self.current()
        if session is not None and session.idle_s() >= idle_s:
            session.close()
            self.ended(session)

    def set_drill(self, drill: str) -> None:
        with self._lock:
            self.drill = drill
            session = self.session
        if session is not None:
            session.set_drill(drill)


def live_store() -> LiveStore:
    store = st.session_state.get("_fc_live_store")
    if store is None:
        store = LiveStore()
        st.session_state["_fc_live_store"] = store
    return store


def ice_servers() -> list[dict[str, Any]]:
    """ICE servers for WebRTC: none by default (one machine or a LAN), or the JSON list in
    ``$FORMCHECK_ICE_SERVERS``."""
    text = os.environ.get(ICE_SERVERS_ENV, "").strip()
    if not text:
        return []
    try:
        servers = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormcheckError(f"{ICE_SERVERS_ENV} is not valid JSON ({exc.msg}); give a list such as "
                             '[{"urls": ["stun:stun.example.org:3478"]}]') from None
    if isinstance(servers, dict):
        servers = [servers]
    if not isinstance(servers, list) or not all(isinstance(s, dict) and "urls" in s for s in servers):
        raise FormcheckError(f"{ICE_SERVERS_ENV} must be a JSON list of objects with \"urls\"; e.g. "
                             '[{"urls": ["stun:stun.example.org:3478"]}]')
    return servers


@functools.cache
def _processor_class() -> type:
    import av
    from streamlit_webrtc import VideoProcessorBase

    from formcheck.live import LiveSession

    class LiveVideoProcessor(VideoProcessorBase):
        """One :class:`LiveSession` (one video-mode pose landmarker) per stream: made when the
        stream starts, closed when it ends (``on_ended``) or the processor goes away."""

        def __init__(self, store: LiveStore) -> None:
            self.store = store
            self.session: LiveSession | None = None
            self._t0: float | None = None
            self._t_last = -1.0
            try:
                self.session = LiveSession(store.drill)
                store.started(self.session)
            except FormcheckError as exc:
                store.error = _app_message(exc)

        def _time(self, frame: Any) -> float:
            t = frame.time
            if t is None:
                t = time.monotonic()
            if self._t0 is None:
                self._t0 = t
            rel = float(t - self._t0)
            if rel <= self._t_last:  # a frame time that does not increase: the wall clock's order
                rel = self._t_last + 1e-3
            self._t_last = rel
            return rel

        def recv(self, frame: Any) -> Any:
            if self.session is None:
                return frame
            image = frame.to_ndarray(format="rgb24")
            out = self.session.process(image, self._time(frame))
            return av.VideoFrame.from_ndarray(out, format="rgb24")

        def on_ended(self) -> None:
            session = self.session
            if session is not None and not session.closed:
                session.close()
                self.store.ended(session)

        def __del__(self) -> None:
            try:
                self.on_ended()
            except Exception:
                pass

    return LiveVideoProcessor


def live_processor_factory(store: LiveStore) -> Callable[[], Any]:
    """The ``video_processor_factory`` for ``webrtc_streamer``: a new processor per stream."""
    cls = _processor_class()
    return lambda: cls(store)


def render_live_summary(summary: Any) -> None:
    """The summary of a finished live session: reps, scores, and the analysis of the whole session."""
    from formcheck.annotate.annotators import metric_label

    st.markdown("### Session summary")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Drill", _drill_title(summary.drill) if summary.drill else "not recognised")
    c2.metric("Reps counted", summary.rep_count)
    c3.metric("Mean rep score", "n/a" if summary.mean_rep_score is None else f"{summary.mean_rep_score:.0f}/100")
    c4.metric("Session score", _fmt_score(summary.report.score if summary.report is not None else None))
    lat = "" if summary.latency_ms_p50 is None else (
        f" · overlay {summary.latency_ms_p50:.0f} ms median, {summary.latency_ms_p95:.0f} ms p95")
    st.caption(f"{summary.duration_s:.1f} s · {summary.frames_processed} frames processed "
               f"({summary.fps:.1f} per second) · pose in {summary.frames_with_pose} frames{lat}")
    if summary.reps:
        import pandas as pd

        rows = [{"rep": r.number, "side": r.side or "both", "time (s)": round(r.t_s, 2),
                 metric_label(r.metric): None if r.value is None else round(r.value, 1),
                 "score": None if r.score is None else round(r.score)} for r in summary.reps]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100,
                                                                            format="%d")})
    if summary.report is not None:
        r = summary.report
        if r.cues:
            st.markdown("**What to work on**")
            for i, c in enumerate(r.cues, 1):
                st.markdown(f"{i}. {c.text} ({metric_label(c.metric)}, {c.severity})")
        elif r.score is not None:
            st.success("No cues: the form looked good on every checked point.", icon=":material/check_circle:")
        _render_metrics(r)
    elif summary.message:
        st.info(f"The whole session could not be analysed: {_app_message(FormcheckError(summary.message))}",
                icon=":material/info:")


@st.fragment(run_every=1.0)
def live_panel(store: LiveStore, ctx: Any = None) -> None:
    """Under the video, refreshed every second: while streaming, the live numbers (frames
    processed, reps, drill, cue); after a stream, the summary of the set.

    ``ctx``: the ``webrtc_streamer`` context. A session whose stream has stopped is ended here
    too, in case the processor's ``on_ended`` has not come (it comes when the peer connection
    closes); only one that has had no frame for ``LIVE_IDLE_END_S``.
    """
    state = getattr(ctx, "state", None)
    if state is not None and not state.playing and not state.signalling:
        store.end_current(idle_s=LIVE_IDLE_END_S)
    if store.error:
        st.error(store.error, icon=":material/warning:")
    session = store.current()
    if session is not None:
        s = session.status()
        drill = s.drill_title or ("recognising..." if store.drill == AUTO else _drill_title(store.drill))
        last = "" if s.last_rep_score is None else f" · last rep {s.last_rep_score:.0f}/100"
        st.markdown(f"**Frames processed: {s.frames_processed}** · **Reps: {s.reps}** · Drill: {drill} · "
                    f"{s.fps:.1f} frames/s{last}")
        if s.cue:
            st.info(f"Cue: {s.cue}", icon=":material/campaign:")
        elif not s.person_in_view and s.frames_processed:
            st.warning("Step into view: the whole body, side-on to the camera.", icon=":material/videocam:")
        return
    if store.finished is None:
        st.caption("Press **START** to begin; allow the browser to use the camera.")
        return
    render_live_summary(store.finished.summary())  # computed once per session, then kept


def drill_table() -> None:
    """The registered drills: name, what defines a rep, and what is checked."""
    import pandas as pd

    from formcheck.annotate.annotators import metric_label
    from formcheck.drills import get_drill, list_drills

    rows = []
    for name in list_drills():
        spec = get_drill(name)
        checked = [metric_label(t.metric) for t in spec.targets if t.weight > 0]
        rows.append({"drill": spec.title, "what it is": spec.description, "checks": ", ".join(checked)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
