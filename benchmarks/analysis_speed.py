"""Speed of the measurement core on long synthetic clips.

    python benchmarks/analysis_speed.py [--minutes 1 5 10] [--fps 60] [--repeat 3]

For each drill below, a 60 s clip from :mod:`formcheck.synth.motion` (2 px landmark noise, 2 %
of frames dropped, cleaned with :func:`formcheck.filters.clean`) is tiled end to end into clips of
1, 5 and 10 minutes, and :func:`formcheck.measure.measure` is timed on them asking for every
metric (best of ``--repeat`` runs). Printed per drill and length: milliseconds per frame for
``measure`` and for :func:`formcheck.measure.frame_series` alone, and, as a baseline measured in
the same run on the same clip, :func:`formcheck.filters.clean` (the step every caller runs before
``measure``) with the ratio ``measure / clean``. When :mod:`formcheck.analyze` is present,
``analyze_sequence`` (clean + recognition check + measure + scoring) is timed too. The target is
under 2 ms per frame for ``measure`` with every metric.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np

from formcheck.filters import clean
from formcheck.measure import METRIC_NAMES, frame_series, measure
from formcheck.sequence import PoseSequence
from formcheck.synth.motion import Camera, make_clip

#: Drill, and what defines one of its reps.
CASES = (("high-knees", "lift"), ("strides", "step"), ("butt-kicks", "flexion"), ("calf-raises", "raise"),
         ("single-leg-balance", "hold"))
TARGET_MS_PER_FRAME = 2.0


def tiled(seq: PoseSequence, times: int) -> PoseSequence:
    """``seq`` repeated ``times`` times end to end, timestamps running on."""
    period = seq.duration_s
    rep = lambda a: np.concatenate([a] * times)  # noqa: E731
    t = np.concatenate([seq.t_s + k * period for k in range(times)])
    return seq.replace(xy=rep(seq.xy), visibility=rep(seq.visibility), t_s=t, z=rep(seq.z), world=rep(seq.world),
                       detected=rep(seq.detected))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 5.0, 10.0])
    ap.add_argument("--fps", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    analyze = None
    if importlib.util.find_spec("formcheck.analyze") is not None:
        from formcheck.analyze import analyze_sequence as analyze

    print(f"measure() with all {len(METRIC_NAMES)} metrics; {args.fps:g} fps; best of {args.repeat}; "
          f"target < {TARGET_MS_PER_FRAME} ms/frame")
    head = f"{'drill':20s} {'min':>5s} {'frames':>7s} {'measure':>9s} {'series':>9s} {'clean':>9s} {'ratio':>6s}"
    print(head + (f" {'analyze':>9s}" if analyze else "") + "   (ms/frame)")
    worst = 0.0
    for drill, event in CASES:
        base = make_clip(drill, Camera(fps=args.fps), duration_s=60.0, seed=1, noise_px=2.0, missing_frac=0.02)
        raw = base.sequence
        for minutes in args.minutes:
            seq_raw = tiled(raw, max(1, int(round(minutes))))
            n = len(seq_raw)
            repeat = args.repeat if minutes <= 5 else max(1, args.repeat - 1)
            t_clean = best_of(lambda: clean(seq_raw), repeat)
            seq = clean(seq_raw)
            view = None
            t_measure = best_of(lambda: measure(seq, METRIC_NAMES, rep_event=event, view=view), repeat)
            m = measure(seq, METRIC_NAMES, rep_event=event)
            t_series = best_of(lambda: frame_series(seq, m.view), repeat)
            ms = lambda s: 1000.0 * s / n  # noqa: E731
            worst = max(worst, ms(t_measure))
            line = (f"{drill:20s} {minutes:5.0f} {n:7d} {ms(t_measure):9.4f} {ms(t_series):9.4f} {ms(t_clean):9.4f} "
                    f"{t_measure / t_clean:6.2f}")
            if analyze is not None:
                line += f" {ms(best_of(lambda: analyze(seq_raw, drill), 1)):9.4f}"
            print(line + f"   reps={len(m.reps)}", flush=True)
    print(f"slowest measure(): {worst:.4f} ms/frame ({'under' if worst < TARGET_MS_PER_FRAME else 'OVER'} the "
          f"{TARGET_MS_PER_FRAME} ms/frame target; a 10-minute 60 fps clip in {worst * 36000 / 1000:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
