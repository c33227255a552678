"""How much faster a folder import runs with two workers than with one.

    python benchmarks/library_import.py [--clips 20] [--workers 1,2] [--drill high-knees|auto] [--repeats 1]

Builds a folder of ``--clips`` distinct clips from the rendered sample clips of ``--drill`` (each
a stream copy of a sample with its own container comment, so every file has its own content hash
and is imported, not skipped; ``--drill auto`` takes every single-drill sample and lets formcheck
recognise the drill), then imports it into a fresh library once per worker count, each run in a
fresh Python process (so each pays the same start-up: imports, model loading) with the pose cache
disabled. ``--repeats`` runs that many rounds, worker counts alternating, and compares the
fastest run of each count. Printed: seconds per run, clips per second, the CPU seconds each run
used (and so how many cores it kept busy on average), the speed-up against one worker (target: at
least 1.7 with two workers), and the load average around each run. On a machine that other work
keeps busy the workers get fewer cores than there are, so the same run also measures the
machine's own ceiling: how much faster the same number of processes do pure CPU work than one
(checked before each round and at the end); the import's speed-up is printed against it too.
Also checked: every run stored the same drills and scores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
TARGET_SPEEDUP = 1.7


def _children_cpu_s() -> float:
    """CPU seconds of finished child processes (and the workers they waited for)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _spin(n: int) -> float:
    x = 0
    for i in range(n):
        x += i * i
    return float(x)


def parallel_ceiling(workers: int, n: int = 12_000_000) -> float:
    """What this machine gives right now: the speed-up of ``workers`` processes over one on pure
    CPU work (``workers`` equal jobs, run one after another, then one per process). On an idle
    machine with that many cores this is close to ``workers``."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_spin, [1000] * workers)  # the processes are up before the clock starts
        t0 = time.perf_counter()
        for _ in range(workers):
            _spin(n)
        serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        pool.map(_spin, [n] * workers)
        parallel = time.perf_counter() - t0
    return serial / parallel


def make_folder(folder: Path, n: int, drill: str = "auto") -> list[Path]:
    """``n`` distinct clips: the samples of ``drill`` (every single-drill sample for "auto") in
    turn, each remuxed with its own comment."""
    import av

    sources = sorted(p for p in SAMPLES.glob("*.mp4") if not p.name.startswith("warmup")
                     and (drill == "auto" or p.name.startswith(drill + "_")))
    if not sources:
        sys.exit(f"no sample clips in {SAMPLES}")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        src = sources[k % len(sources)]
        dst = folder / f"{k:02d}_{src.name}"
        with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as mux:
            mux.metadata["comment"] = f"formcheck benchmark copy {k}"
            s_in = inp.streams.video[0]
            s_out = mux.add_stream_from_template(s_in)
            for pkt in inp.demux(s_in):
                if pkt.dts is None:
                    continue
                pkt.stream = s_out
                mux.mux(pkt)
        out.append(dst)
    return out


def run_one(folder: str, data: str, workers: int, drill: str) -> dict:
    """One import in this process (called in a child process)."""
    from formcheck.library import Library
    from formcheck.library.importer import import_folder

    t0 = time.perf_counter()
    result = import_folder(Library(data), folder, "Benchmark", drill=drill, workers=workers, use_cache=False)
    wall = time.perf_counter() - t0
    return {"workers": result.workers, "seconds": wall, "imported": len(result.imported),
            "failed": [f"{i.path.name}: {i.message}" for i in result.failed],
            "sessions": sorted((i.path.name, i.session.drill, i.session.score) for i in result.imported)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated (default 1,2)")
    ap.add_argument("--drill", default="high-knees",
                    help="the samples of this drill, analysed as it (default high-knees); 'auto': every sample, "
                         "drill recognised")
    ap.add_argument("--repeats", type=int, default=1, help="runs per worker count, alternating; the best counts")
    ap.add_argument("--child", nargs=3, metavar=("FOLDER", "DATA", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        folder, data, workers = args.child
        print(json.dumps(run_one(folder, data, int(workers), args.drill)))
        return 0

    counts = [int(w) for w in args.workers.split(",")]
    print(f"cores: {os.cpu_count()}, clips: {args.clips}, drill: {args.drill}, pose cache: off")
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-import-") as tmp:
        tmp = Path(tmp)
        clips = make_folder(tmp / "clips", args.clips, args.drill)
        print(f"folder: {len(clips)} clips, {sum(p.stat().st_size for p in clips) / 2**20:.1f} MiB")
        results: dict[int, dict] = {}
        ceilings: list[float] = []
        top = max(counts)
        for rep in range(args.repeats):
            if top > 1:
                ceilings.append(parallel_ceiling(top))
                print(f"machine now: {top} processes do {ceilings[-1]:.2f}x the pure CPU work of one")
            for w in counts:  # alternating, so that a change of load hits every worker count alike
                load0 = os.getloadavg()[0]
                cpu0 = _children_cpu_s()
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, __file__, "--drill", args.drill, "--child", str(tmp / "clips"),
                                       str(tmp / f"data{w}_{rep}"), str(w)], capture_output=True, text=True, cwd=ROOT)
                outer = time.perf_counter() - t0
                if proc.returncode != 0:
                    print(proc.stderr[-3000:])
                    return 1
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                r["outer"] = outer
                r["cpu"] = _children_cpu_s() - cpu0
                print(f"workers {w}: {r['seconds']:7.1f} s import ({outer:.1f} s with process start-up), "
                      f"{r['imported'] / r['seconds']:.2f} clips/s, {r['imported']} imported, {len(r['failed'])} "
                      f"failed; CPU {r['cpu']:.1f} s (= {r['cpu'] / outer:.2f} cores busy on average); "
                      f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}")
                for f in r["failed"]:
                    print(f"    failed: {f}")
                if w not in results or r["seconds"] < results[w]["seconds"]:
                    results[w] = r
        base = results.get(1)
        if base is not None:
            for w, r in results.items():
                if w != 1:
                    speedup = base["seconds"] / r["seconds"]
                    verdict = "meets" if speedup >= TARGET_SPEEDUP else "below"
                    print(f"speed-up with {w} workers (best of {args.repeats}): {speedup:.2f}x ({verdict} the "
                          f"{TARGET_SPEEDUP}x target)")
        if top > 1:
            ceilings.append(parallel_ceiling(top))
            ceiling = max(ceilings)
            print(f"machine ceiling ({top} processes, pure CPU work, best of {len(ceilings)} checks between the "
                  f"runs): {ceiling:.2f}x")
            if base is not None and top in results and top != 1:
                ratio = base["seconds"] / results[top]["seconds"]
                print(f"import speed-up / machine ceiling: {ratio / ceiling:.2f}")
        same = len({json.dumps(r["sessions"]) for r in results.values()}) == 1
        print("every run stored the same drills and scores:", "yes" if same else "NO")
    return 0


if __name__ == "__main__":
    sys.exit(main())
