"""A single self-contained HTML report a coach can open offline, share and print.

Everything is in the one file: images are embedded as ``data:`` URIs, the style sheet is inline,
there are no scripts and no links to anything outside the file. All text from the report is
HTML-escaped. The layout prints cleanly (print style sheet: no page breaks inside a cue, a
figure or a table).

Sections: score and drill, clip details, cues (each with its key frame: the rep that shows it
beside the athlete's best rep), segments of a warm-up, metric table with targets, reps, plots,
warnings, and a note on the annotated video.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from formcheck.annotate.annotators import fmt_target, fmt_value, metric_label
from formcheck.atomic import atomic_path

__all__ = ["HtmlImage", "VideoNote", "render_html", "write_html"]

TEMPLATE = "report.html"


@dataclass(frozen=True)
class HtmlImage:
    """A PNG to embed, with its caption (``title``) and alternative text."""

    title: str
    png: bytes
    alt: str = ""


@dataclass(frozen=True)
class VideoNote:
    """Where the annotated video is (a file name beside the report) and how it was made."""

    file: str | None
    width: int = 0
    height: int = 0
    downscaled_from: tuple[int, int] | None = None
    reason: str | None = None  # why there is none


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _load_template() -> Template:
    try:
        text = resources.files("formcheck.annotate").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as e:  # an installation without the package data
        raise RuntimeError(f"the HTML report template templates/{TEMPLATE} is missing from the formcheck "
                           "installation; reinstall formcheck") from e
    return Template(text)


def _img(image: HtmlImage) -> str:
    data = base64.b64encode(image.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(image.alt or image.title)}">'
            f"<figcaption>{_e(image.title)}</figcaption></figure>")


def _score_class(score: float | None) -> str:
    if score is None:
        return ""
    return "good" if score >= 80 else ("minor" if score >= 50 else "major")


def _score(score: float | None) -> str:
    return "n/a" if score is None or not math.isfinite(score) else f"{score:.0f}"


def _clip_rows(report: Any) -> list[tuple[str, str]]:
    v, p, d = report.video, report.pose, report.drill
    name = Path(v.path).name if v.path else "-"
    if d.source == "given":
        how = "named by the user"
    elif d.confidence is not None:
        how = f"recognised from the movement ({100 * d.confidence:.0f}% sure)"
    else:
        how = "recognised from the movement"
    view = p.view if p.view != "side" else f"side view, athlete facing {p.facing}"
    rows = [
        ("Clip", name),
        ("Drill", f"{d.name} ({how})"),
        ("Frame size", f"{v.width} x {v.height} pixels"),
        ("Frame rate", f"{v.fps:.1f} frames per second" if v.fps else "-"),
        ("Length", f"{v.duration_s:.1f} s, {v.frames} frames"),
        ("Camera", f"{view} (confidence {100 * p.view_confidence:.0f}%)"),
        ("Pose found in", f"{100 * p.coverage:.0f}% of frames ({p.frames_with_pose} of {v.frames})"),
        ("Pose model", p.model or "-"),
    ]
    return rows


def _table(head: Sequence[tuple[str, bool]], rows: Sequence[Sequence[Any]], cls: str = "") -> str:
    th = "".join(f'<th class="num">{_e(h)}</th>' if num else f"<th>{_e(h)}</th>" for h, num in head)
    body = []
    for r in rows:
        cells = "".join(f'<td class="num">{_e(c)}</td>' if num else f"<td>{_e(c)}</td>"
                        for c, (_, num) in zip(r, head))
        body.append(f"<tr>{cells}</tr>")
    cls_attr = f' class="{_e(cls)}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _metric_table(metrics: Mapping[str, Any]) -> str:
    rows = []
    for name, m in metrics.items():
        score = "" if m.score is None else f"{m.score:.0f}"
        value = fmt_value(m.value, m.unit) if m.value is not None else f"not measured: {m.reason or 'no value'}"
        rows.append([metric_label(name), value, fmt_value(m.left, m.unit) if m.left is not None else "",
                     fmt_value(m.right, m.unit) if m.right is not None else "", fmt_target(m.target, m.unit),
                     score, m.n])
    head = [("Metric", False), ("Value", False), ("Left", True), ("Right", True), ("Target", False),
            ("Score", True), ("Reps", True)]
    return _table(head, rows)


def _reps_table(reps: Sequence[Any], metrics: Mapping[str, Any]) -> str:
    if not reps:
        return '<p class="note">No reps were found.</p>'
    names = [n for n in metrics if any(n in r.values for r in reps)][:5]
    head = [("Rep", True), ("Side", False), ("Time", True)] + [(metric_label(n), True) for n in names] + \
        [("Score", True)]
    rows = []
    for r in reps:
        row = [r.index + 1, r.side or "both", f"{r.t_s:.2f} s"]
        row += [fmt_value(r.values.get(n), metrics[n].unit) if r.values.get(n) is not None else "" for n in names]
        row.append("" if r.score is None else f"{r.score:.0f}")
        rows.append(row)
    return _table(head, rows)


def render_html(report: Any, *, keyframes: Mapping[int, HtmlImage] | None = None,
                plots: Sequence[HtmlImage] = (), video: VideoNote | None = None) -> str:
    """The report as one HTML document (a string). ``keyframes``: the key frame of each cue, by
    the cue's position in ``report.cues`` (from 1); ``plots``: images for the plots section."""
    from formcheck.drills import get_drill

    keyframes = keyframes or {}
    d = report.drill

    def title_of(name: str) -> str:
        try:
            return get_drill(name).title
        except Exception:
            return name

    drill_title = "Warm-up" if report.is_warmup else title_of(d.name)
    parts: list[str] = []

    # cues
    parts.append("<section id=\"cues\"><h2>What to work on</h2>")
    if report.cues:
        for k, c in enumerate(report.cues, 1):
            where = ", ".join(f"{t:.2f} s" for t, _ in c.evidence[:3])
            seg = f"{title_of(c.drill)}: " if report.is_warmup else ""
            parts.append(
                f'<div class="cue" id="cue-{k}"><p><span class="badge {_e(c.severity)}">{_e(c.severity)}</span> '
                f'<span class="text">{_e(seg)}{_e(c.text)}</span></p>'
                f'<p class="meta">Measured on {_e(metric_label(c.metric))}'
                f"{'; seen most at ' + _e(where) if where else ''}.</p>")
            if k in keyframes:
                parts.append(_img(keyframes[k]))
            parts.append("</div>")
    else:
        nothing = report.score is None
        parts.append(f'<p class="note">{"Nothing could be scored from this clip." if nothing else "No cues: the form looks good."}</p>')
    parts.append("</section>")

    # segments
    if report.is_warmup:
        rows = [[i + 1, title_of(s.drill), f"{s.start_s:.1f}-{s.end_s:.1f} s", len(s.report.reps),
                 _score(s.report.score)] for i, s in enumerate(report.segments)]
        parts.append("<section id=\"segments\"><h2>Drills in this warm-up</h2>")
        parts.append(_table([("#", True), ("Drill", False), ("Time", False), ("Reps", True), ("Score", True)], rows))
        parts.append("</section>")

    # metrics and reps
    parts.append("<section id=\"metrics\"><h2>Measurements</h2>")
    segs = report.segments if report.is_warmup else report.segments[:1]
    if not segs:
        parts.append(_metric_table(report.metrics))
        parts.append(_reps_table(report.reps, report.metrics))
    for s in segs:
        if report.is_warmup:
            parts.append(f"<h3>{_e(title_of(s.drill))}, {s.start_s:.1f}-{s.end_s:.1f} s: score "
                         f"{_e(_score(s.report.score))}</h3>")
        metrics = s.report.metrics
        parts.append(_metric_table(metrics))
        parts.append("<h3>Reps</h3>" if not report.is_warmup else "")
        parts.append(_reps_table(s.report.reps, metrics))
    parts.append("</section>")

    # plots
    if plots:
        parts.append("<section id=\"plots\"><h2>Over time</h2>")
        parts.extend(_img(p) for p in plots)
        parts.append("</section>")

    # warnings
    if report.warnings:
        parts.append("<section id=\"warnings\"><h2>Warnings</h2><ul class=\"warnings\">")
        parts.extend(f"<li>{_e(w)}</li>" for w in report.warnings)
        parts.append("</ul></section>")

    # clip details and the video
    parts.append("<section id=\"clip\"><h2>Clip</h2>")
    parts.append(_table([("", False), ("", False)], _clip_rows(report), cls="details").replace(
        "<thead><tr><th></th><th></th></tr></thead>", ""))
    if video is not None:
        if video.file:
            text = f"Annotated video: {video.file} in the same folder as this report ({video.width} x {video.height})."
            if video.downscaled_from:
                w, h = video.downscaled_from
                text += (f" It is smaller than the clip ({w} x {h}) to keep writing it fast; the analysis used the "
                         "clip at full size.")
        else:
            text = f"No annotated video was written ({video.reason or 'not asked for'})."
        parts.append(f'<p class="note">{_e(text)}</p>')
    parts.append("</section>")

    score = report.score
    score_html = (f'<span class="score {_score_class(score)}">{_e(_score(score))}<small> / 100</small></span>'
                  if score is not None else '<span class="score">n/a<small> no score</small></span>')
    n_reps = sum(len(s.report.reps) for s in report.segments) if report.segments else len(report.reps)
    subtitle = f"{len(report.cues)} cue{'s' if len(report.cues) != 1 else ''}, {n_reps} reps, " \
               f"{report.video.duration_s:.1f} s clip"
    return _load_template().substitute(
        title=_e(f"{drill_title}: formcheck report"),
        version=_e(report.formcheck_version),
        subtitle=_e(subtitle),
        score=score_html,
        body="\n".join(p for p in parts if p),
        footer=_e(f"formcheck {report.formcheck_version}. Angles are measured in the picture, from the pose "
                  "the model found; targets are coaching conventions."),
    )


def write_html(path: str | os.PathLike, document: str) -> Path:
    """Write ``document`` to ``path`` atomically (UTF-8)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(document, encoding="utf-8")
    return path
