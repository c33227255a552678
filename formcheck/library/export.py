"""An athlete's history out of the library: a CSV of every session and metric, and a
self-contained HTML summary (no scripts, no links out: it opens anywhere and prints).

- :func:`history_rows` / :func:`write_history_csv`: one row per session and metric (sessions
  without metrics get one row with the metric left empty).
- :func:`summary_html` / :func:`write_summary_html`: sessions with scores, cues and notes, the
  persistent faults, and per drill each metric week by week against its target band, with a small
  inline SVG chart.
- :func:`export_athlete`: both files into a folder, written atomically.
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import io
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.atomic import atomic_path, staged_outputs
from formcheck.library.progress import (
    find_persistent_faults,
    metric_label,
    metric_trends,
    session_points,
    weekly_points,
)
from formcheck.library.store import Library

__all__ = ["CSV_COLUMNS", "ExportPaths", "export_athlete", "history_csv", "history_rows", "summary_html",
           "write_history_csv", "write_summary_html"]

CSV_COLUMNS = ("session_id", "date", "week", "drill", "clip", "session_score", "segment", "segment_drill", "metric",
               "value", "left", "right", "unit", "target_lo", "target_hi", "metric_score")


def _fmt_num(v: Any, nd: int = 4) -> str:
    return "" if v is None else f"{float(v):.{nd}f}".rstrip("0").rstrip(".")


def history_rows(library: Library, athlete: Any) -> list[dict[str, Any]]:
    """Rows of the history CSV (see :data:`CSV_COLUMNS`), oldest session first."""
    from formcheck.library.progress import week_start

    a = library.athlete(athlete)
    metrics: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in library.metric_rows(a):
        metrics[r["session_id"]].append(r)
    out = []
    for s in library.sessions(a):
        base = {"session_id": s.id, "date": s.date, "week": week_start(s.date).isoformat(), "drill": s.drill,
                "clip": s.clip, "session_score": s.score}
        rows = metrics.get(s.id) or [None]
        for m in rows:
            row = dict(base)
            if m is not None:
                row.update({"segment": m["segment"], "segment_drill": m["drill"], "metric": m["metric"],
                            "value": m["value"], "left": m["left"], "right": m["right"], "unit": m["unit"],
                            "target_lo": m["target_lo"], "target_hi": m["target_hi"], "metric_score": m["score"]})
            out.append({k: row.get(k) for k in CSV_COLUMNS})
    return out


def history_csv(library: Library, athlete: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for row in history_rows(library, athlete):
        w.writerow(["" if row[k] is None else _fmt_num(row[k]) if isinstance(row[k], float) else row[k]
                    for k in CSV_COLUMNS])
    return buf.getvalue()


def write_history_csv(library: Library, athlete: Any, dest: str | os.PathLike) -> Path:
    text = history_csv(library, athlete)
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)


# ---------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:60em;color:#222;
padding:0 1em}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.good{color:#1a7f37}.mid{color:#9a6700}.bad{color:#cf222e}.muted{color:#777}
.fault{background:#fff4e5;border-left:4px solid #e36209;padding:.4em .7em;margin:.3em 0}
svg{vertical-align:middle}
@media print{body{margin:0}h2{break-after:avoid}table{break-inside:avoid}}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _score_cls(score: float | None) -> str:
    if score is None:
        return "muted"
    return "good" if score >= 80 else "mid" if score >= 60 else "bad"


def _score(score: float | None) -> str:
    return f'<span class="{_score_cls(score)}">{"n/a" if score is None else f"{score:.0f}"}</span>'


def sparkline_svg(values: Sequence[float], band: tuple[float | None, float | None], *, width: int = 180,
                  height: int = 40) -> str:
    """A small inline SVG: the values as a line with dots, the target band shaded."""
    vals = [float(v) for v in values]
    if not vals:
        return ""
    lo, hi = band
    pool = vals + [v for v in (lo, hi) if v is not None]
    vmin, vmax = min(pool), max(pool)
    span = (vmax - vmin) or 1.0
    vmin, vmax = vmin - 0.1 * span, vmax + 0.1 * span
    pad = 4

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - (v - vmin) / (vmax - vmin))

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / (len(vals) - 1) if len(vals) > 1 else 0.5)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    if lo is not None or hi is not None:
        top = y(hi if hi is not None else vmax)
        bottom = y(lo if lo is not None else vmin)
        parts.append(f'<rect x="0" y="{top:.1f}" width="{width}" height="{max(0.0, bottom - top):.1f}" '
                     'fill="#2ca02c" fill-opacity="0.18"/>')
    pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))
    parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    parts += [f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.2" fill="#1f77b4"/>' for i, v in enumerate(vals)]
    parts.append("</svg>")
    return "".join(parts)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], num_cols: Sequence[int] = ()) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in num_cols else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def summary_html(library: Library, athlete: Any) -> str:
    """The athlete's history as one self-contained HTML page."""
    a = library.athlete(athlete)
    sessions = library.sessions(a)
    cues: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for c in library.cue_rows(a):
        cues[c["session_id"]].append(c)
    notes: dict[int, list[Any]] = defaultdict(list)
    for n in library.notes(athlete=a):
        notes[n.session_id].append(n)
    segs = library.segment_rows(a)
    faults = find_persistent_faults(segs, library.cue_rows(a))
    out = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(a.name)} - formcheck "
           f"history</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(a.name)}</h1><p class=\"muted\">{len(sessions)} session{'' if len(sessions) == 1 else 's'}"
           + (f", {_e(sessions[0].date)} to {_e(sessions[-1].date)}" if sessions else "")
           + f"; exported {_dt.date.today().isoformat()} by formcheck</p>"]

    out.append("<h2>Persistent faults</h2>")
    if faults:
        out += [f'<div class="fault"><b>{_e(f.drill)}</b>: {_e(f.text)} <span class="muted">({_e(f.metric)}; '
                f"{f.sessions} of the last {f.of} sessions)</span></div>" for f in faults]
    else:
        out.append("<p>None: no major cue in two of the last three sessions of any drill.</p>")

    out.append("<h2>Progress by drill</h2>")
    drills = sorted({s["drill"] for s in segs})
    if not drills:
        out.append("<p>No sessions yet.</p>")
    for drill in drills:
        points = session_points(library.metric_rows(a, drill))
        weekly = weekly_points(points)
        trends = {t.metric: t for t in metric_trends(weekly)}
        by_metric: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for w in weekly:
            by_metric[w["metric"]].append(w)
        rows = []
        for metric, ws in by_metric.items():
            lo, hi = ws[-1]["target_lo"], ws[-1]["target_hi"]
            band = "" if lo is None and hi is None else (
                f"&ge; {_fmt_num(lo, 1)}" if hi is None else f"&le; {_fmt_num(hi, 1)}" if lo is None
                else f"{_fmt_num(lo, 1)}&ndash;{_fmt_num(hi, 1)}")
            t = trends.get(metric)
            rows.append([_e(metric_label(metric)), _e(ws[0]["unit"]), band, _fmt_num(ws[0]["value"], 1),
                         _fmt_num(ws[-1]["value"], 1), str(len(ws)), _e(t.verdict if t else ""),
                         sparkline_svg([w["value"] for w in ws], (lo, hi))])
        out.append(f"<h3>{_e(drill)}</h3>")
        out.append(_table(["metric", "unit", "target", "first week", "latest week", "weeks", "trend",
                           "weekly mean"], rows, num_cols=(3, 4, 5)) if rows else "<p>No metrics measured.</p>")

    out.append("<h2>Sessions</h2>")
    rows = []
    for s in reversed(sessions):
        cue_text = "<br>".join(f"[{_e(c['severity'])}] {_e(c['text'])}" for c in cues.get(s.id, [])) or "&mdash;"
        note_text = "<br>".join((f"<i>{_e(n.cue_id)}</i>: " if n.cue_id else "") + _e(n.text)
                                for n in notes.get(s.id, [])) or ""
        rows.append([str(s.id), _e(s.date), _e(s.drill), _e(s.clip), _score(s.score), str(s.reps), cue_text,
                     note_text])
    out.append(_table(["#", "date", "drill", "clip", "score", "reps", "cues", "notes"], rows, num_cols=(0, 4, 5))
               if rows else "<p>No sessions yet.</p>")
    out.append("</body></html>\n")
    return "".join(out)


def write_summary_html(library: Library, athlete: Any, dest: str | os.PathLike) -> Path:
    text = summary_html(library, athlete)
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)


@dataclass(frozen=True)
class ExportPaths:
    csv: Path
    html: Path

    def to_dict(self) -> dict[str, str]:
        return {"csv": str(self.csv), "html": str(self.html)}


def export_athlete(library: Library, athlete: Any, out_dir: str | os.PathLike) -> ExportPaths:
    """``<slug>_history.csv`` and ``<slug>_summary.html`` in ``out_dir``."""
    a = library.athlete(athlete)
    out = Path(out_dir)
    paths = ExportPaths(csv=out / f"{a.slug}_history.csv", html=out / f"{a.slug}_summary.html")
    texts = (history_csv(library, a), summary_html(library, a))
    with staged_outputs([paths.csv, paths.html]) as tmps:  # both files, or neither
        for tmp, text in zip(tmps, texts):
            tmp.write_text(text, encoding="utf-8")
    return paths
