"""Accuracy of the whole path, pixels -> MediaPipe -> analysis, against rendered ground truth.

Renders a seeded suite of synthetic clips (:mod:`formcheck.synth.render`: every drill, good form
and with a planted fault, both facings, 30 and 60 fps, landscape and portrait, plus head-bob pairs
and continuous warm-ups), runs pose estimation on each clip without the cache and analyses it
twice from the same poses: as the user would (``drill="auto"``, exactly what ``analyze_video``
does) and with the true drill given (so metric errors are not mixed up with recognition). Prints,
against the targets:

- per metric, the median and 90th-percentile absolute error against the truth (and n clips);
- drill recognition accuracy (single-drill clips, and each drill of a warm-up);
- segment boundary error of the warm-ups (seconds);
- cue precision and recall: a planted fault must get its cue; any other major cue is a false one;
- head bob: whether a still head and a bobbing one are told apart in every pair.

Usage::

    python benchmarks/accuracy.py            # full suite (~10-15 min on 2 cores)
    python benchmarks/accuracy.py --quick    # a ~2 min subset
    python benchmarks/accuracy.py --reuse    # keep clips already rendered in the work folder

Clips, truth files and a ``results.json`` with every per-clip figure go to
``benchmarks/_work/accuracy`` (``--work DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from formcheck.analyze import analyze_sequence  # noqa: E402
from formcheck.errors import FormcheckError  # noqa: E402
from formcheck.pose.pipeline import extract_pose  # noqa: E402
from formcheck.sequence import PoseSequence  # noqa: E402
from formcheck.synth.render import WARMUP, RenderSettings, render_clip, synth_clip  # noqa: E402

LANDSCAPE, PORTRAIT = (960, 540), (540, 960)


@dataclass(frozen=True)
class Case:
    name: str
    drill: str
    faults: tuple[tuple[str, float], ...] = ()
    cue: str | None = None               # the cue a planted fault must get
    facing: str = "right"
    fps: float = 30.0
    size: tuple[int, int] = LANDSCAPE
    seconds: float = 5.0
    seed: int = 0
    pair: str | None = None              # head-bob pairs: "<pair id>:still" / "<pair id>:bob"
    parts: tuple[tuple[str, float], ...] = ()


# a planted fault per drill, and the cue it must raise
FAULTS: dict[str, tuple[tuple[tuple[str, float], ...], str]] = {
    "a-skip": ((("knee_lift_deg", 60.0),), "knee-height"),
    "high-knees": ((("arm_leg_phase_deg", 180.0),), "arms"),
    "march": ((("toe_up_deg", 135.0),), "toes-up"),
    "butt-kicks": ((("knee_flexion_deg", 95.0),), "heel-to-glute"),
    "skip": ((("arm_leg_phase_deg", 180.0),), "arms"),
    "strides": ((("hip_hinge_deg", 22.0),), "hinge"),
    "calf-raises": ((("heel_rise_frac", 0.08),), "rise-tall"),
    "single-leg-balance": ((("sway_frac", 0.06),), "still"),
}
SECONDS = {"calf-raises": 12.0, "single-leg-balance": 6.0}     # calf raises: at least 5 reps at 30 per minute
FPS = {"calf-raises": 30.0}                                      # long clips: keep the frame count down
HEAD_BOB = (("head_bob_pct", 18.0),)


def _config(k: int) -> dict[str, Any]:
    """The k-th camera set-up: facings, frame rates and orientations in turn."""
    return {"facing": ("right", "left")[k % 2], "fps": (30.0, 60.0)[(k // 2) % 2],
            "size": PORTRAIT if k % 4 == 3 else LANDSCAPE}


def full_suite() -> list[Case]:
    cases: list[Case] = []
    k = 0
    for drill, (faults, cue) in FAULTS.items():
        cfg = {**_config(k), **({"fps": FPS[drill]} if drill in FPS else {})}
        secs = SECONDS.get(drill, 5.0)
        cases.append(Case(f"{drill}_good_{k}", drill, seconds=secs, seed=100 + k, **cfg))
        cases.append(Case(f"{drill}_fault_{k}", drill, faults, cue, seconds=secs, seed=200 + k, **cfg))
        k += 1
    for j, drill in enumerate(("march", "high-knees", "a-skip")):
        cfg = _config(k)
        cases.append(Case(f"{drill}_still-head_{k}", drill, seed=300 + j, pair=f"{drill}:still", **cfg))
        cases.append(Case(f"{drill}_head-bob_{k}", drill, HEAD_BOB, "head", seed=300 + j, pair=f"{drill}:bob", **cfg))
        k += 1
    cases.append(Case("warmup_a", WARMUP, parts=(("march", 5.0), ("a-skip", 5.0), ("butt-kicks", 5.0)), seed=400,
                      facing="right", fps=30.0, size=LANDSCAPE))
    cases.append(Case("warmup_b", WARMUP, parts=(("high-knees", 5.0), ("skip", 5.0), ("strides", 4.0)), seed=401,
                      facing="left", fps=30.0, size=PORTRAIT))
    return cases


def quick_suite() -> list[Case]:
    return [
        Case("a-skip_good_q", "a-skip", seconds=4.0, seed=10),
        Case("a-skip_fault_q", "a-skip", FAULTS["a-skip"][0], "knee-height", seconds=4.0, seed=11, facing="left"),
        Case("strides_good_q", "strides", seconds=4.0, seed=12, fps=60.0),
        Case("strides_fault_q", "strides", FAULTS["strides"][0], "hinge", seconds=4.0, seed=13, facing="left"),
        Case("high-knees_still-head_q", "high-knees", seconds=4.0, seed=14, pair="high-knees:still", size=PORTRAIT),
        Case("high-knees_head-bob_q", "high-knees", HEAD_BOB, "head", seconds=4.0, seed=14, pair="high-knees:bob",
             size=PORTRAIT),
        Case("warmup_q", WARMUP, parts=(("march", 4.5), ("high-knees", 4.5)), seed=15, fps=30.0),
    ]


# ---------------------------------------------------------------------------------------- running
def render_case(case: Case, folder: Path, reuse: bool) -> tuple[Path, dict, float]:
    path = folder / f"{case.name}.mp4"
    truth_path = path.with_name(path.stem + ".truth.json")
    if reuse and path.is_file() and truth_path.is_file():
        return path, json.loads(truth_path.read_text()), 0.0
    t0 = time.perf_counter()
    clip = synth_clip(case.drill, faults=dict(case.faults), facing=case.facing, size=case.size, fps=case.fps,
                      seconds=case.seconds, seed=case.seed, parts=case.parts or None, gap_s=(2.0, 3.0))
    done = render_clip(clip, path, RenderSettings(seed=case.seed, crf=23))
    return path, done.truth, time.perf_counter() - t0


def _metrics(report: dict) -> dict[str, float | None]:
    return {k: v.get("value") for k, v in report.get("metrics", {}).items()}


def _auto(seq: PoseSequence, video) -> dict[str, Any]:
    try:
        auto = analyze_sequence(seq, "auto", video=video, model="full").to_dict()
    except FormcheckError as e:
        return {"error": str(e), "drill": None, "segments": [], "cues": [], "metrics": {}}
    return {"drill": auto["drill"]["name"], "confidence": auto["drill"]["confidence"],
            "segments": [{"drill": s["drill"], "start_s": s["start_s"], "end_s": s["end_s"]}
                         for s in auto.get("segments", [])],
            "cues": [(c["id"], c["severity"]) for c in auto["cues"]], "metrics": _metrics(auto),
            "view": auto["pose"]["view"], "facing": auto["pose"]["facing"]}


def _given(seq: PoseSequence, drill: str, video) -> dict[str, Any]:
    try:
        given = analyze_sequence(seq, drill, video=video, model="full").to_dict()
    except FormcheckError as e:
        return {"error": str(e), "cues": [], "metrics": {}}
    return {"cues": [(c["id"], c["severity"]) for c in given["cues"]], "metrics": _metrics(given)}


def truth_sequence(path: Path, size: tuple[int, int]) -> PoseSequence:
    """The true landmarks as the camera sees them, as a pose sequence: the analysis without the
    pose model."""
    with np.load(path.with_name(path.stem + ".truth.npz")) as d:
        xy, t = d["xy"].astype(np.float64), d["t_s"]
    return PoseSequence(xy=xy, visibility=np.ones(xy.shape[:2]), t_s=t, width=size[0], height=size[1],
                        meta={"source": "ground truth"})


def analyse_case(case: Case, path: Path, truth: dict) -> dict[str, Any]:
    t0 = time.perf_counter()
    pose = extract_pose(path, use_cache=False)
    pose_s = time.perf_counter() - t0
    seq = pose.sequence
    true_seq = truth_sequence(path, case.size)
    out: dict[str, Any] = {"case": asdict(case), "coverage": seq.coverage, "frames": len(seq), "pose_s": pose_s}
    out["auto"] = _auto(seq, pose.video)
    out["truth_lm_auto"] = _auto(true_seq, None)
    if case.drill != WARMUP:
        out["given"] = _given(seq, case.drill, pose.video)
        out["truth_lm"] = _given(true_seq, case.drill, None)
        out["truth"] = {k: v for k, v in truth["truth"].items() if isinstance(v, (int, float))}
    else:
        out["truth_parts"] = [{"drill": p["drill"], "start_s": p["start_s"], "end_s": p["end_s"]}
                              for p in truth["parts"]]
    return out


# ---------------------------------------------------------------------------------------- scoring
#: metric -> (target on the median absolute error, unit); cadence is relative (fraction)
TARGETS = {"knee_lift_deg": 5.0, "body_lean_deg": 3.0, "trunk_lean_deg": 3.0, "hip_hinge_deg": 5.0,
           "cadence_spm": 0.03, "arm_leg_phase_deg": 25.0}
RELATIVE = ("cadence_spm",)


def metric_errors(results: list[dict], which: str) -> dict[str, list[float]]:
    errs: dict[str, list[float]] = {}
    for r in results:
        if "truth" not in r:
            continue
        got = r[which]["metrics"]
        for name, true in r["truth"].items():
            if name in ("reps",) or name not in got or got[name] is None or true is None:
                continue
            e = abs(float(got[name]) - float(true))
            if name in RELATIVE:
                e /= abs(float(true)) if true else 1.0
            errs.setdefault(name, []).append(e)
    return errs


def recognition(results: list[dict], which: str = "auto") -> tuple[int, int, list[str]]:
    ok = total = 0
    wrong = []
    for r in results:
        case = r["case"]
        if case["drill"] != WARMUP:
            total += 1
            if r[which]["drill"] == case["drill"]:
                ok += 1
            else:
                wrong.append(f"{case['name']}->{r[which]['drill']}")
        else:
            for part in r["truth_parts"]:
                total += 1
                seg = _match(part, r[which]["segments"])
                if seg is not None:
                    ok += 1
                else:
                    wrong.append(f"{case['name']}:{part['drill']}->missing")
    return ok, total, wrong


def _overlap(a: dict, b: dict) -> float:
    return max(0.0, min(a["end_s"], b["end_s"]) - max(a["start_s"], b["start_s"]))


def _match(part: dict, segments: list[dict]) -> dict | None:
    same = [s for s in segments if s["drill"] == part["drill"] and _overlap(s, part) > 0]
    return max(same, key=lambda s: _overlap(s, part)) if same else None


def boundary_errors(results: list[dict], which: str = "auto") -> list[float]:
    errs = []
    for r in results:
        for part in r.get("truth_parts", []):
            seg = _match(part, r[which]["segments"])
            if seg is not None:
                errs += [abs(seg["start_s"] - part["start_s"]), abs(seg["end_s"] - part["end_s"])]
    return errs


def cue_scores(results: list[dict], which: str) -> tuple[int, int, int, list[str]]:
    """True positives (planted fault got its cue), false negatives, false positives (a major cue
    that was not planted), and notes."""
    tp = fn = fp = 0
    notes = []
    for r in results:
        case = r["case"]
        if case["drill"] == WARMUP:
            continue
        cues = r[which]["cues"]
        ids = {c for c, _sev in cues}
        if case["cue"]:
            if case["cue"] in ids:
                tp += 1
            else:
                fn += 1
                notes.append(f"missed {case['cue']} in {case['name']}")
        for cid, sev in cues:
            if sev == "major" and cid != case["cue"]:
                fp += 1
                notes.append(f"false major {cid} in {case['name']}")
    return tp, fn, fp, notes


def head_bob_pairs(results: list[dict], which: str = "given") -> list[tuple[str, float | None, float | None]]:
    pairs: dict[str, dict[str, float | None]] = {}
    for r in results:
        p = r["case"]["pair"]
        if p:
            pid, kind = p.split(":")
            pairs.setdefault(pid, {})[kind] = r[which]["metrics"].get("head_bob_pct")
    return [(pid, v.get("still"), v.get("bob")) for pid, v in pairs.items()]


def _fmt(v: float, rel: bool) -> str:
    return f"{100 * v:.1f}%" if rel else f"{v:.2f}"


def print_report(results: list[dict], wall_s: float) -> bool:
    all_ok = True

    def verdict(ok: bool, text: str, counts: bool = True) -> None:
        nonlocal all_ok
        if counts:
            all_ok &= ok
        print(f"  {'PASS' if ok else 'MISS'}{'' if counts else '*'} {text}")

    n_frames = sum(r["frames"] for r in results)
    cov = [r["coverage"] for r in results]
    print(f"\n{len(results)} clips, {n_frames} frames, {wall_s:.0f} s wall; pose found in "
          f"{100 * min(cov):.1f}% of frames at worst, {100 * float(np.mean(cov)):.1f}% on average")
    columns = (("truth_lm", "true landmarks"), ("given", "MediaPipe, drill given"), ("auto", "MediaPipe, recognised"))
    errs = {which: metric_errors(results, which) for which, _t in columns}
    print("\nMetric errors |measured - true|: median / p90 (n). 'true landmarks' = the analysis alone on the exact")
    print("projected landmarks; 'MediaPipe' = the whole path (drill given, or recognised as analyze does).")
    head = "".join(f"{t:>26s}" for _w, t in columns)
    print(f"  {'metric':20s}{head}   target on the median (MediaPipe, drill given)")
    for name in sorted(set().union(*[set(e) for e in errs.values()])):
        rel = name in RELATIVE
        cells = ""
        for which, _t in columns:
            v = np.array(errs[which].get(name, []))
            cells += (f"{_fmt(float(np.median(v)), rel):>10s} / {_fmt(float(np.percentile(v, 90)), rel):>7s} ({len(v):2d})"
                      if v.size else f"{'-':>26s}")
        line = f"  {name:20s}{cells}"
        tgt = TARGETS.get(name)
        v = np.array(errs["given"].get(name, []))
        if tgt is not None and v.size:
            med = float(np.median(v))
            ok = med <= tgt
            all_ok &= ok
            line += f"   {'PASS' if ok else 'MISS'} <= {_fmt(tgt, rel)} (margin {_fmt(tgt - med, rel)})"
        print(line)
    print("\nTargets (* = the analysis alone on the true landmarks, for attribution; not a target)")
    ok, total, wrong = recognition(results)
    acc = ok / total if total else float("nan")
    verdict(acc >= 0.95, f"recognition {ok}/{total} = {100 * acc:.1f}% (target >= 95%, margin {100 * (acc - 0.95):+.1f} pts)"
            + (f"; wrong: {', '.join(wrong)}" if wrong else ""))
    ok_t, total_t, wrong_t = recognition(results, "truth_lm_auto")
    print(f"  ----  recognition on the true landmarks (no pose model): {ok_t}/{total_t}"
          + (f"; wrong: {', '.join(wrong_t)}" if wrong_t else ""))
    for which, title in (("auto", "MediaPipe"), ("truth_lm_auto", "true landmarks")):
        b = boundary_errors(results, which)
        if b:
            print(f"  ----  warm-up segment boundaries ({title}): median {np.median(b):.2f} s, p90 "
                  f"{np.percentile(b, 90):.2f} s, max {np.max(b):.2f} s (n={len(b)} of "
                  f"{2 * sum(len(r.get('truth_parts', [])) for r in results)}; no target)")
    for which, title in (("truth_lm", "true landmarks, drill given"), ("given", "MediaPipe, drill given"),
                         ("auto", "MediaPipe, the analyze path")):
        tp, fn, fp, notes = cue_scores(results, which)
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        counts = which != "truth_lm"
        verdict(prec >= 0.9, f"cue precision ({title}) {tp}/{tp + fp} = {100 * prec:.0f}% (target >= 90%, margin "
                             f"{100 * (prec - 0.9):+.0f} pts)", counts)
        verdict(rec >= 0.9, f"cue recall ({title}) {tp}/{tp + fn} = {100 * rec:.0f}% (target >= 90%, margin "
                            f"{100 * (rec - 0.9):+.0f} pts)", counts)
        for n in notes:
            print(f"          {n}")
    pairs = head_bob_pairs(results)
    if pairs:
        sep = all(s is not None and b_ is not None and b_ > s for _p, s, b_ in pairs)
        stills = [s for _p, s, _b in pairs if s is not None]
        bobs = [b_ for _p, _s, b_ in pairs if b_ is not None]
        gap = (min(bobs) - max(stills)) if stills and bobs else float("nan")
        detail = ", ".join(f"{p}: still {s if s is None else round(s, 1)} vs bob {b_ if b_ is None else round(b_, 1)}"
                           for p, s, b_ in pairs)
        verdict(sep and gap > 0, f"head bob separates still from bobbing in every pair ({detail}); "
                                 f"one threshold gap {gap:.1f} pct-pts")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a ~2 minute subset")
    ap.add_argument("--work", default=str(ROOT / "benchmarks" / "_work" / "accuracy"), help="work folder")
    ap.add_argument("--reuse", action="store_true", help="reuse clips already rendered in the work folder")
    ap.add_argument("--only", default=None, help="run only cases whose name contains this text")
    args = ap.parse_args(argv)
    work = Path(args.work) / ("quick" if args.quick else "full")
    work.mkdir(parents=True, exist_ok=True)
    cases = quick_suite() if args.quick else full_suite()
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    t0 = time.perf_counter()
    results = []
    for i, case in enumerate(cases, 1):
        path, truth, render_s = render_case(case, work, args.reuse)
        r = analyse_case(case, path, truth)
        r["render_s"] = render_s
        results.append(r)
        a = r["auto"]
        print(f"[{i}/{len(cases)}] {case.name}: {r['frames']} frames, render {render_s:.0f} s, pose {r['pose_s']:.0f} s, "
              f"coverage {100 * r['coverage']:.0f}%, drill {a.get('drill')}, cues {a.get('cues')}"
              + (f", error {a['error']}" if "error" in a else ""), flush=True)
    wall = time.perf_counter() - t0
    (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    ok = print_report(results, wall)
    print(f"\nper-clip figures: {work / 'results.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
