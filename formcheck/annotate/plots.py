"""Plots of the measured signals: as PNG files (matplotlib, Agg) and as tidy records for charts.

- the main angle of each drill over time, reps marked with their measured values, the target
  band shaded (:data:`MAIN_SIGNALS` says which per-frame signal shows which drill's main metric);
- body lean, trunk lean and hip hinge over time, with the targets shaded;
- each arm's swing with the opposite thigh's, and their measured phase offset.

:func:`plot_data` gives the same content as lists of flat records (one value per row, NaN rows
left out) that Altair (``alt.Chart(pd.DataFrame(records))``) or any chart library can draw.
Everything shown comes from the report and the measurements.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.annotate.annotators import analysis_marks, clip_series, metric_label

__all__ = ["MAIN_SIGNALS", "PlotFile", "PlotInputs", "SignalSpec", "plot_data", "plot_figures", "plot_inputs",
           "render_plots", "write_plots"]

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}


@dataclass(frozen=True)
class SignalSpec:
    """A per-frame signal that shows a metric: ``series`` (``{side}`` filled with left and right,
    or one series), its axis ``label`` and ``unit``, and the metric whose target band is shaded
    (None when the signal is not on the metric's scale)."""

    series: str
    label: str
    unit: str
    band_metric: str | None
    marks_metric: str | None


#: The signal plotted as each main metric's "main angle", by the drill's main metric.
MAIN_SIGNALS: dict[str, SignalSpec] = {
    "knee_lift_deg": SignalSpec("{side}_thigh_deg", "thigh angle (deg; 90 = horizontal)", "deg",
                                "knee_lift_deg", "knee_lift_deg"),
    "knee_flexion_deg": SignalSpec("{side}_knee_flexion_deg", "knee flexion (deg)", "deg",
                                   "knee_flexion_deg", "knee_flexion_deg"),
    # strides: the overstride metric is measured at contact; the leg's swing is the angle to watch
    "contact_offset_frac": SignalSpec("{side}_thigh_deg", "thigh angle (deg; 90 = horizontal)", "deg",
                                      "knee_lift_deg", "knee_lift_deg"),
    "heel_rise_frac": SignalSpec("{side}_heel_rise_frac", "heel above toe (foot lengths)", "frac", None,
                                 None),
    "sway_frac": SignalSpec("hip_x_frac", "hip forward position (leg lengths)", "frac", None, None),
}
LEAN_SERIES = (("body_lean_deg", "body lean (ankle to shoulder)"), ("trunk_lean_deg", "trunk lean (hip to shoulder)"),
               ("hip_hinge_deg", "hip hinge (trunk minus leg)"))
#: Up to this many reps in a plot, each is numbered.
MAX_NUMBERED_REPS = 40
SIDE_COLORS = {"left": "#1f77b4", "right": "#d62728", None: "#444444"}
LEAN_COLORS = {"body_lean_deg": "#b8a000", "trunk_lean_deg": "#c0399b", "hip_hinge_deg": "#555555"}


@dataclass(frozen=True, eq=False)
class PlotInputs:
    """What the plots show: clip times, per-frame series, segments, reps and per-rep marks
    (a :class:`~formcheck.annotate.annotators.ClipOverlay` has the same fields and works too)."""

    t_s: np.ndarray
    series: dict[str, np.ndarray]
    segments: tuple
    reps: tuple
    marks: dict


@dataclass(frozen=True)
class PlotFile:
    name: str  # file stem, e.g. "main_0_a-skip"
    title: str
    png: bytes


def plot_inputs(report: Any, measurements: Any = None, *, sequence: Any = None) -> PlotInputs:
    """Collect the plots' data from a report (its ``series`` and ``t_s``), the measurements (one
    per segment, or one for a single segment) and, when given, the pose sequence (to measure again
    what the report does not carry)."""
    from formcheck.annotate.annotators import measurements_per_segment, prepared_sequence, segment_measurements

    if sequence is not None:
        cleaned = prepared_sequence(sequence)
        seg_ms = segment_measurements(report, cleaned, measurements)
        t = cleaned.t_s
    else:
        cleaned = None
        seg_ms = measurements_per_segment(measurements, len(report.segments))
        t = np.asarray(getattr(report, "t_s", np.zeros(0)), dtype=np.float64)
        if len(t) == 0 and len(seg_ms) == 1 and seg_ms[0] is not None:
            t = np.asarray(seg_ms[0].t_s, dtype=np.float64)
    series = clip_series(report, cleaned, seg_ms) if (cleaned is not None or len(t)) else {}
    if cleaned is None:
        series = {k: v for k, v in series.items() if len(v) == len(t)}
    segments, reps, _cues, marks = analysis_marks(report, seg_ms)
    return PlotInputs(t_s=t, series=series, segments=segments, reps=reps, marks=marks)


# ---------------------------------------------------------------------------- what each plot shows
def _finite_any(*arrays: np.ndarray | None) -> bool:
    return any(a is not None and np.isfinite(a).any() for a in arrays)


def _main_spec(seg: Any, series: dict[str, np.ndarray]) -> tuple[str, SignalSpec] | None:
    order = [seg.main_metric] + [m for m in seg.metrics if m != seg.main_metric]
    for metric in order:
        spec = MAIN_SIGNALS.get(metric) if metric else None
        if spec is None:
            continue
        names = [spec.series.format(side=s) for s in SIDES] if "{side}" in spec.series else [spec.series]
        if _finite_any(*(series.get(n) for n in names)):
            return metric, spec
    return None


def _series_names(spec: SignalSpec) -> list[tuple[str | None, str]]:
    if "{side}" in spec.series:
        return [(s, spec.series.format(side=s)) for s in SIDES]
    return [(None, spec.series)]


def _num(v: float) -> float | None:
    v = float(v)
    return round(v, 4) if math.isfinite(v) else None


def plot_data(report: Any, measurements: Any = None, *, sequence: Any = None) -> dict[str, list[dict]]:
    """The plots' content as tidy records (lists of flat dicts, JSON-able):

    - ``main``: ``t_s, frame, segment, drill, signal, side, value`` -- each drill's main signal;
    - ``reps``: ``t_s, frame, segment, drill, rep, side, metric, value, in_band, score``;
    - ``targets``: ``segment, drill, metric, low, high, start_s, end_s`` -- bands to shade;
    - ``lean``: ``t_s, frame, segment, series, value`` (body lean, trunk lean, hip hinge);
    - ``arm_leg``: ``t_s, frame, segment, pair, limb, value`` (upper arm and opposite thigh);
    - ``phase``: ``segment, drill, pair, value`` -- measured arm-leg phase offset per pair.
    """
    return tidy_records(plot_inputs(report, measurements, sequence=sequence))


def _seg_range(seg: Any, n: int) -> tuple[int, int]:
    return max(0, int(seg.start_frame)), min(n, int(seg.end_frame))


def _seg_times(seg: Any, t: np.ndarray) -> tuple[float, float]:
    a, b = _seg_range(seg, len(t))
    if b <= a:
        return (float("nan"), float("nan"))
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 0.0
    return float(t[a]), float(t[b - 1] + dt)


def tidy_records(inp: Any) -> dict[str, list[dict]]:
    t = np.asarray(inp.t_s, dtype=np.float64)
    n = len(t)
    out: dict[str, list[dict]] = {"main": [], "reps": [], "targets": [], "lean": [], "arm_leg": [], "phase": []}
    for seg in inp.segments:
        a, b = _seg_range(seg, n)
        start_s, end_s = _seg_times(seg, t)
        found = _main_spec(seg, inp.series)
        if found is not None:
            metric, spec = found
            for side, name in _series_names(spec):
                arr = inp.series[name]
                label = f"{side} {spec.label}" if side else spec.label
                out["main"].extend(
                    {"t_s": round(float(t[i]), 4), "frame": i, "segment": seg.index, "drill": seg.drill,
                     "signal": label, "side": side, "value": _num(arr[i])}
                    for i in range(a, b) if math.isfinite(arr[i]))
            if spec.band_metric and seg.metrics.get(spec.band_metric):
                lo, hi = seg.target(spec.band_metric)
                if lo is not None or hi is not None:
                    out["targets"].append({"segment": seg.index, "drill": seg.drill, "metric": spec.band_metric,
                                           "low": lo, "high": hi, "start_s": _num(start_s), "end_s": _num(end_s)})
        for m in ("trunk_lean_deg", "body_lean_deg"):
            lo, hi = seg.target(m)
            if m in seg.metrics and (lo is not None or hi is not None):
                out["targets"].append({"segment": seg.index, "drill": seg.drill, "metric": m, "low": lo,
                                       "high": hi, "start_s": _num(start_s), "end_s": _num(end_s)})
        for metric, marks in inp.marks.items():
            for mk in marks:
                if mk.segment != seg.index or not 0 <= mk.frame < n:
                    continue
                rep = inp.reps[mk.rep]
                out["reps"].append({"t_s": round(float(t[mk.frame]), 4), "frame": mk.frame, "segment": seg.index,
                                    "drill": seg.drill, "rep": rep.number, "side": mk.side, "metric": metric,
                                    "value": _num(mk.value), "in_band": mk.in_band, "score": rep.score})
        if any(seg.has(m) for m, _ in LEAN_SERIES):
            for name, label in LEAN_SERIES:
                arr = inp.series.get(name)
                if arr is None:
                    continue
                out["lean"].extend({"t_s": round(float(t[i]), 4), "frame": i, "segment": seg.index,
                                    "series": label, "value": _num(arr[i])}
                                   for i in range(a, b) if math.isfinite(arr[i]))
        if seg.has("arm_leg_phase_deg"):
            for arm in SIDES:
                pair = f"{arm} arm / {OTHER[arm]} thigh"
                for limb, name in (("arm", f"{arm}_upper_arm_deg"), ("thigh", f"{OTHER[arm]}_thigh_deg")):
                    arr = inp.series.get(name)
                    if arr is None:
                        continue
                    out["arm_leg"].extend({"t_s": round(float(t[i]), 4), "frame": i, "segment": seg.index,
                                           "pair": pair, "limb": limb, "value": _num(arr[i])}
                                          for i in range(a, b) if math.isfinite(arr[i]))
            for arm, value in _phase_by_arm(seg).items():
                out["phase"].append({"segment": seg.index, "drill": seg.drill,
                                     "pair": f"{arm} arm / {OTHER[arm]} thigh", "value": _num(value)})
    return out


def _phase_by_arm(seg: Any) -> dict[str, float]:
    """The measured phase offset per pair, by arm: a rep on the left leg pairs it with the right
    arm, so the metric's left value is the right arm's."""
    left, right = seg.sides.get("arm_leg_phase_deg", (None, None))
    out: dict[str, float] = {}
    for leg, v in (("left", left), ("right", right)):
        if v is not None:
            out[OTHER[leg]] = float(v)
    return out


# ---------------------------------------------------------------------------- figures
def _figure(rows: int = 1, height_in: float = 3.0):
    # a bare Figure on an Agg canvas: no pyplot, no global backend change (the app may use another)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, height_in * rows), dpi=110)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.08, right=0.78, bottom=0.16 if rows == 1 else 0.1, top=0.9 if rows == 1 else 0.93,
                        hspace=0.45)
    axes = [fig.add_subplot(rows, 1, k + 1) for k in range(rows)]
    return fig, axes


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _legend(ax) -> None:
    """The legend beside the plot, where it hides no data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, borderaxespad=0.0)


def _band(ax, lo: float | None, hi: float | None, x0: float, x1: float, label: str | None = None) -> None:
    if lo is None and hi is None:
        return
    y0 = lo if lo is not None else ax.get_ylim()[0]
    y1 = hi if hi is not None else ax.get_ylim()[1]
    ax.fill_between([x0, x1], [y0, y0], [y1, y1], color="#2ca02c", alpha=0.15, lw=0, label=label)


def _segment_spans(ax, inp: Any, t: np.ndarray) -> None:
    if len(inp.segments) < 2:
        return
    for seg in inp.segments:
        s0, s1 = _seg_times(seg, t)
        if math.isfinite(s0):
            ax.axvline(s0, color="#999999", lw=0.8, ls=":")
            ax.text(s0, 1.0, f" {seg.title}", transform=ax.get_xaxis_transform(), va="bottom", fontsize=8,
                    color="#555555")


def plot_figures(inp: Any) -> list[tuple[str, str, Any]]:
    """``(name, title, matplotlib Figure)`` for each plot with data."""
    t = np.asarray(inp.t_s, dtype=np.float64)
    n = len(t)
    figs: list[tuple[str, str, Any]] = []
    if n == 0:
        return figs
    for seg in inp.segments:
        found = _main_spec(seg, inp.series)
        if found is None:
            continue
        metric, spec = found
        a, b = _seg_range(seg, n)
        if b - a < 2:
            continue
        fig, (ax,) = _figure()
        for side, name in _series_names(spec):
            ax.plot(t[a:b], inp.series[name][a:b], color=SIDE_COLORS[side], lw=1.4,
                    label=f"{side} leg" if side else spec.label)
        s0, s1 = _seg_times(seg, t)
        if spec.band_metric and spec.band_metric in seg.metrics:
            lo, hi = seg.target(spec.band_metric)
            _band(ax, lo, hi, s0, s1, f"target {metric_label(spec.band_metric)}")
        if spec.marks_metric:
            marks = [mk for mk in inp.marks.get(spec.marks_metric, ()) if mk.segment == seg.index and 0 <= mk.frame < n]
            if marks:
                ok = np.array([mk.in_band is None or bool(mk.in_band) for mk in marks])
                ax.scatter([t[mk.frame] for mk in marks], [mk.value for mk in marks], s=42, zorder=3,
                           c=np.where(ok, "white", "#ffb0b0"), linewidths=1.6,
                           edgecolors=[SIDE_COLORS.get(mk.side, "#444444") for mk in marks], label="reps")
                if len(marks) <= MAX_NUMBERED_REPS:
                    for mk in marks:
                        ax.annotate(str(inp.reps[mk.rep].number), (t[mk.frame], mk.value), textcoords="offset points",
                                    xytext=(0, 7), ha="center", fontsize=7, color="#333333")
        ax.set_xlim(s0, s1)
        ax.set_xlabel("time (s)")
        ax.set_ylabel(spec.label)
        ax.set_title(f"{seg.title}: {metric_label(metric)} - reps marked (red: outside the target), target shaded",
                     fontsize=10)
        ax.grid(alpha=0.3)
        _legend(ax)
        figs.append((f"main_{seg.index}_{seg.drill}", f"{seg.title}: {metric_label(metric)} over time", fig))

    lean_segs = [s for s in inp.segments if any(s.has(m) for m, _ in LEAN_SERIES)]
    if lean_segs and _finite_any(*(inp.series.get(m) for m, _ in LEAN_SERIES)):
        fig, (ax,) = _figure()
        mask = np.zeros(n, dtype=bool)
        for s in lean_segs:
            a, b = _seg_range(s, n)
            mask[a:b] = True
        for name, label in LEAN_SERIES:
            arr = inp.series.get(name)
            if arr is None or not np.isfinite(arr[mask]).any():
                continue
            ax.plot(t, np.where(mask, arr, np.nan), color=LEAN_COLORS[name], lw=1.4, label=label)
        for s in lean_segs:
            s0, s1 = _seg_times(s, t)
            lo, hi = s.target("trunk_lean_deg")
            _band(ax, lo, hi, s0, s1, "target trunk lean" if s is lean_segs[0] else None)
        ax.axhline(0, color="#888888", lw=0.8)
        _segment_spans(ax, inp, t)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("deg (forward +)")
        ax.set_title("Lean: from the ankle (body) and from the hip (trunk); a gap between them is a hip bend",
                     fontsize=10)
        ax.grid(alpha=0.3)
        _legend(ax)
        figs.append(("lean", "Body lean, trunk lean and hip hinge over time", fig))

    arm_segs = [s for s in inp.segments if s.has("arm_leg_phase_deg")]
    if arm_segs:
        mask = np.zeros(n, dtype=bool)
        for s in arm_segs:
            a, b = _seg_range(s, n)
            mask[a:b] = True
        names = [f"{s}_upper_arm_deg" for s in SIDES] + [f"{s}_thigh_deg" for s in SIDES]
        if all(inp.series.get(k) is not None for k in names) and _finite_any(
                *(np.where(mask, inp.series[k], np.nan) for k in names)):
            fig, axes = _figure(rows=2, height_in=2.4)
            phases = _phases(arm_segs)
            for ax, arm in zip(axes, SIDES):
                leg = OTHER[arm]
                ax.plot(t, np.where(mask, inp.series[f"{arm}_upper_arm_deg"], np.nan), color="#2a9d8f", lw=1.4,
                        label=f"{arm} upper arm")
                ax.plot(t, np.where(mask, inp.series[f"{leg}_thigh_deg"], np.nan), color="#e76f51", lw=1.4,
                        label=f"{leg} thigh")
                ph = phases.get(leg)
                extra = f": phase offset {ph:.0f} deg (0 = together)" if ph is not None else ""
                ax.set_title(f"{arm.capitalize()} arm with {leg} thigh{extra}", fontsize=10)
                ax.set_ylabel("deg (forward +)")
                ax.grid(alpha=0.3)
                _legend(ax)
                _segment_spans(ax, inp, t)
            axes[-1].set_xlabel("time (s)")
            figs.append(("arm_leg", "Arm swing against the opposite thigh", fig))
    return figs


def _phases(segs: Sequence[Any]) -> dict[str, float]:
    """Measured arm-leg phase offset by the leg's side (the metric's left/right), from the first
    segment that has it."""
    out: dict[str, float] = {}
    for s in segs:
        left, right = s.sides.get("arm_leg_phase_deg", (None, None))
        for leg, v in (("left", left), ("right", right)):
            if v is not None and leg not in out:
                out[leg] = float(v)
    return out


def render_plots(inp: Any) -> list[PlotFile]:
    """Every plot with data, as PNG bytes."""
    return [PlotFile(name, title, _png(fig)) for name, title, fig in plot_figures(inp)]


def write_plots(out_dir: str | os.PathLike, inp: Any) -> list[Path]:
    """Write every plot as ``<name>.png`` into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for p in render_plots(inp):
        path = out / f"{p.name}.png"
        path.write_bytes(p.png)
        paths.append(path)
    return paths
