"""Accuracy of drill recognition and warm-up segmentation on seeded synthetic clips.

    python benchmarks/recognition.py [--clips-per-drill 40] [--warmups 30] [--seed 20000]
    python benchmarks/recognition.py --videos sample_videos [more dirs of rendered clips]
    python benchmarks/recognition.py --fit

Every clip comes from :mod:`formcheck.synth.motion` with its parameters drawn at random from
:data:`VARIATION` (good form and the usual faults of each drill), a random camera (facing right or
left, 30 or 60 fps, landscape or portrait, a following or a fixed camera, athlete 50-80 % of the
frame height), 1-3 px of landmark noise, up to 5 % of frames missing and, in 30 % of clips,
uneven frame times (each moved by up to a fifth of a frame); it is cleaned with
:func:`formcheck.filters.clean` and recognised with :func:`formcheck.recognize.recognize`.

Printed:

1. the confusion matrix (rows: true drill, columns: recognised), the accuracy per drill and over
   all clips, the mean confidence of right and of wrong answers, and the time per clip;
2. warm-ups of 4-5 different drills (6-10 s each) with walking or standing (2-4 s) between them,
   split with :func:`formcheck.recognize.segment`: how many came out with the right drills in the
   right order, and the boundary errors (each true drill boundary against the matching segment's;
   median, 90th percentile, max).

``--videos DIR [DIR ...]`` runs, instead, the whole pipeline on rendered clips (``formcheck
render``: each ``<clip>.mp4`` with its ``<clip>.truth.json``): MediaPipe pose (cached), cleaning,
then recognition of each single-drill clip and segmentation of each warm-up, with the same
figures. This is the check on real pose-model output: the feet jitter, the far leg is sometimes
lost and the hip landmark moves with the thigh, none of which the landmark noise above imitates.

``--fit`` prints, instead, each drill's feature ranges (min, 5th percentile, median, 95th
percentile, max) over clips drawn with seeds from 10000 on: the figures the prototype table in
:mod:`formcheck.recognize` was checked against. The benchmark proper starts at seed 20000 and the
unit tests use their own seeds below 1000, so no clip that set a range is scored.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from formcheck.filters import clean
from formcheck.recognize import FEATURE_NAMES, UNKNOWN, recognize, segment
from formcheck.synth.motion import DRILLS, Camera, SynthError, defaults_for, make_clip, make_warmup

FIT_SEED = 10_000
BENCH_SEED = 20_000

#: Per drill, the range each motion parameter is drawn from (good form and the usual faults).
#: ``step_m`` is the travel per step (both legs counted), so the travel speed follows the cadence.
VARIATION: dict[str, dict[str, tuple[float, float]]] = {
    "a-skip": dict(knee_lift_deg=(55, 100), knee_flexion_deg=(90, 115), cadence_spm=(120, 165),
                   step_m=(0.12, 0.5), body_lean_deg=(-5, 15), hip_hinge_deg=(0, 15),
                   toe_up_deg=(80, 125), arm_swing_deg=(30, 60)),
    "high-knees": dict(knee_lift_deg=(62, 100), knee_flexion_deg=(90, 120), cadence_spm=(135, 220),
                       step_m=(0.0, 0.25), body_lean_deg=(-5, 15), hip_hinge_deg=(0, 15),
                       toe_up_deg=(80, 125), arm_swing_deg=(30, 60)),
    "march": dict(knee_lift_deg=(60, 100), knee_flexion_deg=(75, 110), cadence_spm=(90, 140),
                  step_m=(0.0, 0.3), body_lean_deg=(-5, 15), hip_hinge_deg=(0, 15),
                  toe_up_deg=(80, 125), arm_swing_deg=(30, 60)),
    "butt-kicks": dict(knee_lift_deg=(5, 52), knee_flexion_deg=(105, 160), cadence_spm=(140, 220),
                       step_m=(0.0, 0.3), body_lean_deg=(-5, 15), hip_hinge_deg=(0, 15),
                       arm_swing_deg=(30, 60)),
    "skip": dict(knee_lift_deg=(45, 80), knee_flexion_deg=(70, 95), cadence_spm=(115, 150),
                 step_m=(0.0, 0.9), body_lean_deg=(-5, 15), hip_hinge_deg=(0, 15),
                 toe_up_deg=(80, 125), arm_swing_deg=(35, 70)),
    "strides": dict(knee_lift_deg=(45, 75), knee_flexion_deg=(95, 130), cadence_spm=(160, 200),
                    step_m=(1.2, 2.0), contact_offset_frac=(0.1, 0.4), body_lean_deg=(0, 20),
                    hip_hinge_deg=(0, 20), arm_swing_deg=(30, 60)),
    "calf-raises": dict(heel_rise_frac=(0.12, 0.45), cadence_spm=(20, 45), body_lean_deg=(-5, 20)),
    "single-leg-balance": dict(knee_lift_deg=(30, 95), knee_flexion_deg=(40, 110), sway_frac=(0.003, 0.05),
                               body_lean_deg=(-5, 10), hold_s=(3.0, 10.0)),
}
TRANSITIONS: dict[str, dict[str, tuple[float, float]]] = {
    "walk": dict(knee_lift_deg=(20, 30), knee_flexion_deg=(55, 65), cadence_spm=(105, 120), step_m=(0.62, 0.75)),
    "stand": dict(sway_frac=(0.001, 0.01)),
}


def random_params(drill: str, rng: np.random.Generator, **fixed: float):
    table = {**VARIATION, **TRANSITIONS}[drill]
    values = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in table.items()}
    values.update(fixed)
    if "step_m" in values:
        values["travel_speed_mps"] = values.pop("step_m") * values["cadence_spm"] / 60.0
    values["lead_side"] = str(rng.choice(["left", "right"]))
    return defaults_for(drill, **values)


def random_camera(rng: np.random.Generator) -> Camera:
    portrait = bool(rng.random() < 0.3)
    w, h = (1080, 1920) if portrait else (1280, 720)
    return Camera(view="side", facing=str(rng.choice(["right", "left"])), width=w, height=h,
                  fps=float(rng.choice([30.0, 60.0])), body_height_frac=float(rng.uniform(0.5, 0.8)),
                  follow=bool(rng.random() < 0.7))


def random_clip(drill: str, seed: int):
    """A cleaned synthetic clip of ``drill`` with random form, camera and noise (redrawn if impossible)."""
    rng = np.random.default_rng(seed)
    for _ in range(20):
        duration = float(rng.uniform(6.0, 10.0))
        fixed = {}
        if drill == "single-leg-balance":
            fixed["hold_s"] = float(rng.uniform(0.7, 0.95)) * duration
        p = random_params(drill, rng, **fixed)
        cam = random_camera(rng)
        jitter = 0.2 / cam.fps if rng.random() < 0.3 else 0.0
        try:
            clip = make_clip(p, cam, duration_s=duration, seed=seed, noise_px=float(rng.uniform(1.0, 3.0)),
                             missing_frac=float(rng.uniform(0.0, 0.05)), jitter_timestamps_s=jitter)
        except SynthError:
            continue
        return clean(clip.sequence), p, cam
    raise RuntimeError(f"no valid clip for {drill} with seed {seed}")


def random_warmup(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        k = int(rng.integers(4, 6))
        drills = list(rng.choice(DRILLS, size=k, replace=False))
        cam = random_camera(rng)
        parts = []
        for d in drills:
            fixed = {"hold_s": 20.0} if d == "single-leg-balance" else {}
            parts.append((random_params(d, rng, **fixed), float(rng.uniform(6.0, 10.0))))
        try:
            clip = make_warmup(parts, cam, gap_s=(2.0, 4.0), gap_kind=str(rng.choice(["walk", "stand"])), seed=seed,
                               noise_px=float(rng.uniform(1.0, 3.0)), missing_frac=float(rng.uniform(0.0, 0.03)))
        except SynthError:
            continue
        return clip, cam
    raise RuntimeError(f"no valid warm-up for seed {seed}")


def boundary_errors(truth: list[dict], found) -> tuple[bool, list[float]]:
    """Whether the drills come out in the true order, and |error| of each matched boundary (s).

    Only boundaries inside the clip count (a drill starting at the first frame or ending at the
    last has no boundary there to find)."""
    true = [s for s in truth if s["drill"] in DRILLS]
    order_ok = [s.drill for s in found] == [s["drill"] for s in true]
    first, last = min(s["start_s"] for s in truth), max(s["end_s"] for s in truth)
    errs: list[float] = []
    for s in true:
        best, overlap = None, 0.0
        for f in found:
            if f.drill != s["drill"]:
                continue
            ov = min(f.end_s, s["end_s"]) - max(f.start_s, s["start_s"])
            if ov > overlap:
                best, overlap = f, ov
        if best is None:
            continue
        if s["start_s"] > first + 1e-6:
            errs.append(abs(best.start_s - s["start_s"]))
        if s["end_s"] < last - 0.05:
            errs.append(abs(best.end_s - s["end_s"]))
    return order_ok, errs


def fit_report(n: int) -> None:
    print(f"feature ranges per drill over {n} clips each (seeds from {FIT_SEED}):")
    for drill in (*DRILLS, *TRANSITIONS):
        rows = []
        for i in range(n):
            seed = FIT_SEED + 1000 * (list((*DRILLS, *TRANSITIONS)).index(drill)) + i
            if drill in TRANSITIONS:
                rng = np.random.default_rng(seed)
                clip = make_clip(random_params(drill, rng), random_camera(rng), duration_s=float(rng.uniform(3, 6)),
                                 seed=seed, noise_px=float(rng.uniform(1, 3)))
                seq = clean(clip.sequence)
            else:
                seq, _p, _c = random_clip(drill, seed)
            rows.append(recognize(seq).features)
        print(f"\n{drill}")
        for f in FEATURE_NAMES:
            v = np.array([r[f] for r in rows], dtype=float)
            ok = v[np.isfinite(v)]
            if ok.size == 0:
                print(f"  {f:20s} all NaN")
                continue
            q = np.percentile(ok, [0, 5, 50, 95, 100])
            print(f"  {f:20s} " + " ".join(f"{x:8.3f}" for x in q) + (f"  ({v.size - ok.size} NaN)" if ok.size < v.size else ""))


def video_report(dirs: list[str]) -> None:
    import json
    from pathlib import Path

    from formcheck.pose.pipeline import extract_pose

    clips = sorted(p for d in dirs for p in Path(d).glob("*.mp4") if p.with_suffix(".truth.json").is_file())
    right, total, order_ok, n_warm, errs = 0, 0, 0, 0, []
    t_pose = 0.0
    for p in clips:
        truth = json.loads(p.with_suffix(".truth.json").read_text())
        t0 = time.perf_counter()
        seq = clean(extract_pose(p, model="full").sequence)
        t_pose += time.perf_counter() - t0
        if truth["drill"] == "warm-up":
            segs = segment(seq)
            ok, e = boundary_errors(truth["segments"], segs)
            n_warm += 1
            order_ok += ok
            errs += e
            print(f"  {p.name:34s} warm-up {'ok' if ok else 'WRONG'}: "
                  + ", ".join(f"{s.drill} {s.start_s:.1f}-{s.end_s:.1f}" for s in segs)
                  + f"  (errors {', '.join(f'{x:.2f}' for x in e)})")
            continue
        rec = recognize(seq)
        expected = truth["drill"] if truth["drill"] in DRILLS else UNKNOWN
        total += 1
        right += rec.drill == expected
        print(f"  {p.name:34s} {truth['drill']:18s} -> {rec.drill:18s} {rec.confidence:.2f}"
              f"{'' if rec.drill == expected else '   WRONG'}")
    if total:
        print(f"rendered clips through MediaPipe: {right}/{total} recognised ({100 * right / total:.0f}%)")
    if n_warm:
        e = np.array(errs)
        print(f"warm-ups: right drills in the right order {order_ok}/{n_warm}; boundary error median "
              f"{np.median(e):.2f} s, max {e.max():.2f} s over {e.size} boundaries")
    print(f"(pose estimation and cleaning: {t_pose:.1f} s in all)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips-per-drill", type=int, default=40)
    ap.add_argument("--warmups", type=int, default=30)
    ap.add_argument("--seed", type=int, default=BENCH_SEED)
    ap.add_argument("--fit", action="store_true", help="print the feature ranges of the fitting clips instead")
    ap.add_argument("--videos", nargs="+", metavar="DIR", help="check rendered clips (with .truth.json) instead")
    args = ap.parse_args(argv)
    if args.videos:
        video_report(args.videos)
        return 0
    if args.fit:
        fit_report(args.clips_per_drill)
        return 0

    labels = list(DRILLS) + [UNKNOWN]
    conf = np.zeros((len(DRILLS), len(labels)), dtype=int)
    conf_right, conf_wrong = [], []
    mistakes = []
    t_total = 0.0
    for di, drill in enumerate(DRILLS):
        for i in range(args.clips_per_drill):
            seed = args.seed + 1000 * di + i
            seq, p, cam = random_clip(drill, seed)
            t0 = time.perf_counter()
            rec = recognize(seq)
            t_total += time.perf_counter() - t0
            conf[di, labels.index(rec.drill)] += 1
            (conf_right if rec.drill == drill else conf_wrong).append(rec.confidence)
            if rec.drill != drill:
                mistakes.append((drill, seed, rec.drill, rec.confidence, cam.fps, cam.facing))
    n = conf.sum()
    print(f"recognition: {n} clips ({args.clips_per_drill} per drill, seeds {args.seed}+)")
    w = max(len(x) for x in labels) + 1
    print(" " * w + "".join(f"{x[:9]:>10s}" for x in labels))
    for di, drill in enumerate(DRILLS):
        print(f"{drill:<{w}s}" + "".join(f"{c:10d}" for c in conf[di]) +
              f"   {100 * conf[di, di] / conf[di].sum():5.1f}%")
    acc = np.trace(conf[:, :len(DRILLS)]) / n
    print(f"accuracy {100 * acc:.1f}% ({np.trace(conf[:, :len(DRILLS)])}/{n}); "
          f"worst drill {100 * min(conf[i, i] / conf[i].sum() for i in range(len(DRILLS))):.1f}%")
    print(f"mean confidence: right {np.mean(conf_right):.2f}, wrong "
          f"{np.mean(conf_wrong) if conf_wrong else float('nan'):.2f}; {1000 * t_total / n:.1f} ms per clip")
    for m in mistakes[:15]:
        print(f"  miss: {m[0]} seed {m[1]} -> {m[2]} ({m[3]:.2f}), {m[4]:.0f} fps, facing {m[5]}")

    if args.warmups <= 0:
        return 0
    order_ok = 0
    errs: list[float] = []
    t_total = 0.0
    for i in range(args.warmups):
        seed = args.seed + 50_000 + i
        clip, cam = random_warmup(seed)
        seq = clean(clip.sequence)
        t0 = time.perf_counter()
        segs = segment(seq)
        t_total += time.perf_counter() - t0
        ok, e = boundary_errors(clip.segments, segs)
        order_ok += ok
        errs += e
        if not ok:
            true = [str(s["drill"]) for s in clip.segments if s["drill"] in DRILLS]
            print(f"  warm-up seed {seed}: true {true}, found {[s.drill for s in segs]}")
    e = np.array(errs)
    print(f"\nsegmentation: {args.warmups} warm-ups of 4-5 drills; right drills in the right order: "
          f"{order_ok}/{args.warmups}; {t_total / args.warmups:.2f} s per warm-up")
    if e.size:
        print(f"boundary error (s): median {np.median(e):.2f}, 90th percentile {np.percentile(e, 90):.2f}, "
              f"max {e.max():.2f} over {e.size} boundaries; within 0.5 s: {100 * np.mean(e <= 0.5):.0f}%, "
              f"within 1.0 s: {100 * np.mean(e <= 1.0):.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
