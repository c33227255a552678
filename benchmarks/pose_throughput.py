"""Throughput and memory of the pose pipeline, against a bare MediaPipe loop measured in the same run.

    python benchmarks/pose_throughput.py [CLIP] [--long-minutes 5] [--skip-long]

CLIP defaults to ../shared/videos/pose2sim/singleperson_cam01.mp4. Every measurement runs in its
own subprocess, so its peak memory (VmHWM: the peak resident set, native memory included) is its
own; times are wall-clock from the call (model loading included, interpreter start and imports
excluded). Printed:

1. frames per second of ``extract_pose`` (no cache) on CLIP, and of a bare loop (OpenCV read ->
   RGB -> ``PoseLandmarker.detect_for_video``, full model, one pose, full-size frames), alternated
   ``--rounds`` times (default 3), best of each; also with two poses, the cost of looking for a
   second person. On a machine shared with other work, wall times vary: the load average is
   printed, and only runs made side by side should be compared;
2. a ~10 s clip (CLIP looped by remuxing, no re-encode): bare loop and first run (fixed costs
   such as model loading weigh less than on a 100-frame clip), then the cached re-run,
   in-process and as a whole ``formcheck pose`` command;
3. peak memory of ``extract_pose`` on CLIP looped to ``--long-minutes`` (default 5: 18,000 frames
   at 60 fps, full size, remuxed) against CLIP itself, with the growth per minute of video.
   Inference dominates: this part takes roughly ``frames x per-frame time`` (3-8 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "videos" / "pose2sim" / "singleperson_cam01.mp4"


# ----------------------------------------------------------------------------- children
def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def child_bare(clip: str, num_poses: int) -> dict:
    import cv2
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

    from formcheck.pose.models import resolve_model

    model = str(resolve_model("full").path)
    cpu0, t0 = _cpu_s(), time.perf_counter()
    options = pose_landmarker.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model), running_mode=VisionTaskRunningMode.VIDEO,
        num_poses=num_poses)
    frames = found = 0
    with pose_landmarker.PoseLandmarker.create_from_options(options) as landmarker:
        cap = cv2.VideoCapture(clip)
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            result = landmarker.detect_for_video(Image(image_format=ImageFormat.SRGB, data=rgb),
                                                 int(round(frames * 1000 / fps)))
            found += bool(result.pose_landmarks)
            frames += 1
        cap.release()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": _cpu_s() - cpu0, "frames": frames, "with_pose": found}


def child_pipeline(clip: str, num_poses: str, use_cache: bool, repeat_cached: bool) -> dict:
    # imported before the clock starts, as in the bare loop
    from mediapipe.tasks.python.vision import pose_landmarker  # noqa: F401

    from formcheck.pose.pipeline import extract_pose

    cpu0, t0 = _cpu_s(), time.perf_counter()
    r = extract_pose(clip, num_poses=num_poses, use_cache=use_cache)
    out = {"wall_s": time.perf_counter() - t0, "cpu_s": _cpu_s() - cpu0, "frames": r.frames,
           "with_pose": r.frames_with_pose, "cached": r.cached,
           "num_poses_used": r.sequence.meta.get("num_poses_used")}
    if repeat_cached:
        t1 = time.perf_counter()
        again = extract_pose(clip, num_poses=num_poses)
        out["cached_wall_s"] = time.perf_counter() - t1
        out["cached_hit"] = again.cached
    return out


def run_child(*args: str) -> dict:
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"measurement {args} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------- clips
def loop_clip(src: Path, dest: Path, loops: int) -> Path:
    """``src`` played ``loops`` times in a row, by remuxing its packets with shifted timestamps."""
    import av

    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        packets = [(p, p.pts, p.dts) for p in inp.demux(s_in) if p.size]
        period = s_in.duration or (packets[-1][1] - packets[0][1]) * len(packets) // max(len(packets) - 1, 1)
        for k in range(loops):
            for p, pts, dts in packets:
                p.pts = None if pts is None else pts + k * period
                p.dts = None if dts is None else dts + k * period
                p.stream = s_out
                out.mux(p)
    return dest


# ----------------------------------------------------------------------------- report
def fmt(r: dict) -> str:
    fps = r["frames"] / r["wall_s"]
    return (f"{fps:6.1f} frames/s  ({r['frames']} frames in {r['wall_s']:.2f} s, "
            f"CPU {r['cpu_s'] / r['wall_s']:.2f} cores, peak {r['peak_rss_mb']:.0f} MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--long-minutes", type=float, default=5.0)
    ap.add_argument("--skip-long", action="store_true", help="skip the long-clip memory measurement")
    ap.add_argument("--rounds", type=int, default=3, help="alternated runs of each on CLIP (best is shown)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "bare":
            res = child_bare(rest[0], int(rest[1]))
        else:
            res = child_pipeline(rest[0], rest[1], rest[2] == "cache", rest[3] == "repeat")
        res["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(res))
        return

    from formcheck.video import probe

    clip = args.clip.resolve()
    info = probe(clip)
    print(f"clip: {clip} ({info.width}x{info.height}, {info.fps:g} fps, {info.frames} frames); "
          f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["FORMCHECK_CACHE"] = str(tmp / "cache")  # a cold, private cache

        print(f"\n1. whole pipeline vs bare loop, one pose (alternated, best of {args.rounds})")
        bare, pipe = [], []
        for _ in range(args.rounds):
            bare.append(run_child("bare", str(clip), "1"))
            pipe.append(run_child("pipeline", str(clip), "auto", "nocache", "once"))
        b = min(bare, key=lambda r: r["wall_s"])
        p = min(pipe, key=lambda r: r["wall_s"])
        print(f"   bare loop (OpenCV + detect_for_video): {fmt(b)}")
        print(f"   extract_pose, people auto:             {fmt(p)}  [used {p['num_poses_used']} pose(s)]")
        runs = f"bare {[round(r['wall_s'], 2) for r in bare]}, pipeline {[round(r['wall_s'], 2) for r in pipe]}"
        print(f"   ratio pipeline / bare: {b['wall_s'] / p['wall_s']:.2f}x  (all runs, s: {runs})")

        print("\n   looking for two people (the cost of a second pose)")
        b2 = run_child("bare", str(clip), "2")
        p2 = run_child("pipeline", str(clip), "2", "nocache", "once")
        print(f"   bare loop, 2 poses:     {fmt(b2)}")
        print(f"   extract_pose, 2 poses:  {fmt(p2)}")
        print(f"   ratio pipeline / bare: {b2['wall_s'] / p2['wall_s']:.2f}x; "
              f"2 poses cost {p2['wall_s'] / p['wall_s']:.2f}x the auto run on this one-person clip")

        print("\n2. a ~10 s clip: throughput, then the cached re-run")
        loops10 = max(1, round(10.0 / max(info.duration_s, 1e-3)))
        ten = loop_clip(clip, tmp / "ten_seconds.mp4", loops10)
        tinfo = probe(ten)
        b10 = run_child("bare", str(ten), "1")
        r10 = run_child("pipeline", str(ten), "auto", "cache", "repeat")
        print(f"   {tinfo.duration_s:.1f} s clip ({tinfo.frames} frames), bare loop: {fmt(b10)}")
        print(f"   {tinfo.duration_s:.1f} s clip, extract_pose first run: {fmt(r10)}")
        print(f"   ratio pipeline / bare on the longer clip (fixed costs amortised): "
              f"{b10['wall_s'] / r10['wall_s']:.2f}x")
        print(f"   cached re-run in-process: {r10['cached_wall_s'] * 1000:.0f} ms (cache hit: {r10['cached_hit']})")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "formcheck", "pose", str(ten), "--json", "-", "--quiet"],
                              capture_output=True, text=True, cwd=ROOT)
        cli_s = time.perf_counter() - t0
        summary = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr.strip()}
        print(f"   cached re-run as a whole 'formcheck pose' command (interpreter start and imports included): "
              f"{cli_s * 1000:.0f} ms; summary {summary}")

        if args.skip_long:
            return
        print(f"\n3. peak memory: {args.long_minutes:g}-minute clip vs the short clip (extract_pose, no cache)")
        loops = max(1, round(args.long_minutes * 60 / max(info.duration_s, 1e-3)))
        long_clip = loop_clip(clip, tmp / "long.mp4", loops)
        linfo = probe(long_clip)
        print(f"   long clip: {linfo.frames} frames, {linfo.duration_s / 60:.1f} min, "
              f"{linfo.size_bytes / 1e6:.0f} MB, full size {linfo.width}x{linfo.height} (remuxed, not re-encoded)")
        short = p
        lr = run_child("pipeline", str(long_clip), "auto", "nocache", "once")
        growth = lr["peak_rss_mb"] - short["peak_rss_mb"]
        minutes = (lr["frames"] - short["frames"]) / info.fps / 60
        print(f"   short clip: peak {short['peak_rss_mb']:.0f} MB; long clip: {fmt(lr)}")
        print(f"   peak memory growth: {growth:+.0f} MB over {minutes:.1f} more minutes "
              f"({growth / max(minutes, 1e-9):+.1f} MB per minute of video: the pose data itself)")


if __name__ == "__main__":
    main()
