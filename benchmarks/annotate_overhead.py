"""What writing the annotated video adds to ``formcheck analyze`` on a real 1080p clip.

    python benchmarks/annotate_overhead.py [CLIP] [--drill NAME] [--repeats 2] [--preset ultrafast]
                                           [--variants none,full,1280] [--stages] [--memory-loops 10]

CLIP defaults to ../shared/videos/pose2sim/singleperson_cam01.mp4 (1080x1920, 60 fps, 100
frames; a single-leg balance, so ``--drill`` defaults to single-leg-balance). Each run does what
``formcheck analyze`` does, with the pose cache disabled: pose estimation, analysis,
report.json + metrics.csv, then the visual outputs -- without the annotated video (key frames,
plots, report.html), with it at full resolution, or with it shrunk (``1280``: longer side 1280
pixels, 720p for a 1080p clip). The variants alternate ``--repeats`` times in one process (a
first, untimed run loads the libraries); medians are compared. Printed: the time of each part,
the overhead of the video as a fraction of the run without it (target: below 30%), the video's
own cost per frame, the CPU time ratio, the extra time of the visuals step alone (the pose
estimation is the same work in both variants, and on a busy machine its time varies by more
than the video costs), and the memory the process gained while writing the visuals (resident set
sampled every 10 ms; it does not grow with the clip's length: bounded queues, no frame kept
but the key frames). ``--stages`` adds the CPU time per frame of each stage of the video
(decoding, drawing, RGB -> I420, encoding), measured one after another. Run it on a quiet
machine: the load average is printed at the start and the end, and on a busy one the video
cannot overlap its stages on idle cores, so its wall time approaches its CPU time (the CPU
time ratio is printed too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT.parent / "shared" / "videos" / "pose2sim" / "singleperson_cam01.mp4"


def _cpu_s() -> float:
    """CPU seconds of this process, all threads (less sensitive to other processes than wall time)."""
    t = os.times()
    return t.user + t.system


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler:
    """Largest resident set seen while the block runs."""

    def __enter__(self) -> "RssSampler":
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def analyze_once(clip: Path, drill: str, out: Path, *, video: bool, preset: str, max_side: int | None
                 ) -> dict[str, float]:
    """The steps of ``formcheck analyze`` (no pose cache), timed."""
    from formcheck.analyze import analyze_sequence
    from formcheck.annotate import VideoSettings, write_visual_outputs
    from formcheck.pose.pipeline import extract_pose
    from formcheck.report import write_outputs

    t0, c0 = time.perf_counter(), _cpu_s()
    pose = extract_pose(clip, model="full", use_cache=False)
    t1 = time.perf_counter()
    report = analyze_sequence(pose.sequence, drill, video=pose.video, model="full")
    write_outputs(report, out)
    t2, c2 = time.perf_counter(), _cpu_s()
    with RssSampler() as rss:
        res = write_visual_outputs(out, report, pose.sequence, None, clip, video=video,
                                   video_settings=VideoSettings(preset=preset, max_side=max_side))
    t3, c3 = time.perf_counter(), _cpu_s()
    times = {"total": t3 - t0, "pose": t1 - t0, "analysis": t2 - t1, "visuals": t3 - t2,
             "cpu_total": c3 - c0, "cpu_analyze": c2 - c0, "cpu_visuals": c3 - c2,
             "rss_gain_mb": rss.peak - rss.start, "frames": len(pose.sequence)}
    times.update({f"visuals.{k}": v for k, v in res.seconds.items()})
    if res.annotated is not None:
        times["video_size"] = f"{res.annotated.width}x{res.annotated.height}"
    return times


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


def memory_check(clip: Path, drill: str, loops: int, tmp: Path, preset: str) -> None:
    """Peak memory gained while writing the annotated video of CLIP and of CLIP looped ``loops`` times."""
    import numpy as np

    from formcheck.analyze import analyze_sequence
    from formcheck.annotate import VideoSettings, build_overlay, write_annotated_video
    from formcheck.pose.pipeline import extract_pose
    from formcheck.video import probe

    seq = extract_pose(clip, model="full").sequence
    long_clip = loop_clip(clip, tmp / "looped.mp4", loops)
    period = seq.duration_s
    tiled = seq.replace(
        xy=np.concatenate([seq.xy] * loops), visibility=np.concatenate([seq.visibility] * loops),
        z=np.concatenate([seq.z] * loops), world=np.concatenate([seq.world] * loops),
        detected=np.concatenate([seq.detected] * loops),
        t_s=np.concatenate([seq.t_s + k * period for k in range(loops)]))
    for name, path, s in (("clip", clip, seq), (f"clip x{loops}", long_clip, tiled)):
        overlay = build_overlay(analyze_sequence(s, drill), s)
        with RssSampler() as rss:
            res = write_annotated_video(path, tmp / "mem.mp4", overlay, settings=VideoSettings(preset=preset))
        print(f"memory gained writing the annotated video of the {name:<8} ({res.frames:5d} frames, "
              f"{probe(path).duration_s:5.1f} s): {rss.peak - rss.start:5.0f} MB")


def stage_costs(clip: Path, drill: str, preset: str, tmp: Path, sizes: list[int | None]) -> None:
    """CPU time per frame of each stage of the annotated video, run one after another over the
    clip (in ``write_annotated_video`` they overlap in three threads): decoding to RGB, drawing,
    OpenCV's RGB -> I420, libx264 fed I420; and for comparison the pose estimation's one-pass
    decoding and RGB fed to the encoder (converted inside it by libswscale)."""
    import cv2
    import numpy as np

    from formcheck.analyze import analyze_sequence
    from formcheck.annotate import annotate_frame, build_overlay, default_annotators
    from formcheck.pose.pipeline import extract_pose
    from formcheck.video import VideoWriter, iter_frames, probe

    seq = extract_pose(clip, model="full").sequence
    overlay = build_overlay(analyze_sequence(seq, drill), seq)
    chain = default_annotators()
    fps = probe(clip).fps

    def cpu_ms(fn, n: int, repeats: int = 2) -> float:
        best = float("inf")
        for _ in range(repeats):
            c = _cpu_s()
            fn()
            best = min(best, _cpu_s() - c)
        return 1000 * best / n

    for max_side in sizes:
        frames = [(f.index, f.t_s, f.image.copy()) for f in iter_frames(clip, max_side=max_side, fast=True)]
        n = len(frames)
        h, w = frames[0][2].shape[:2]
        costs = {
            "decode + RGB, one pass (pose estimation)": cpu_ms(
                lambda: sum(1 for _ in iter_frames(clip, max_side=max_side)), n),
            "decode + RGB, fast (annotated video)": cpu_ms(
                lambda: sum(1 for _ in iter_frames(clip, max_side=max_side, fast=True)), n),
        }
        images = [im.copy() for _, _, im in frames]

        def draw() -> None:
            for (index, t_s, _), im in zip(frames, images):
                ctx = overlay.context(overlay.frame_index(index, t_s), scale=w / overlay.width)
                annotate_frame(im, ctx, chain)

        costs["draw (default annotators)"] = cpu_ms(draw, n, repeats=1)
        buf = np.empty((h * 3 // 2, w), np.uint8)
        costs["RGB -> I420 (OpenCV)"] = cpu_ms(
            lambda: [cv2.cvtColor(im, cv2.COLOR_RGB2YUV_I420, dst=buf) for im in images], n)
        i420 = [cv2.cvtColor(im, cv2.COLOR_RGB2YUV_I420) for im in images]

        def encode(fmt: str) -> None:
            with VideoWriter(tmp / f"{fmt}.mp4", fps=fps, preset=preset) as wr:
                for (_, t_s, _), im, yuv in zip(frames, images, i420):
                    wr.write(yuv if fmt == "yuv420p" else im, t_s, format=fmt)

        costs[f"encode I420 (libx264 {preset})"] = cpu_ms(lambda: encode("yuv420p"), n)
        costs["encode RGB (libswscale + libx264), for comparison"] = cpu_ms(lambda: encode("rgb24"), n)
        path = [k for k in costs if "fast" in k or "draw" in k or "OpenCV" in k or "I420 (libx264" in k]
        print(f"stages of the annotated video at {w}x{h}, CPU ms per frame (one after another, not overlapped):")
        for k, v in costs.items():
            print(f"    {k:<52} {v:5.1f}")
        print(f"    {'sum of the video path':<52} {sum(costs[k] for k in path):5.1f}")
        del frames, images, i420


def _variant(text: str) -> tuple[str, bool, int | None]:
    """"none" (no video), "full" (full resolution) or a longer-side limit in pixels such as "1280"."""
    if text == "none":
        return text, False, None
    if text == "full":
        return text, True, None
    return text, True, int(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", default=str(DEFAULT_CLIP))
    ap.add_argument("--drill", default="single-leg-balance")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--preset", default="ultrafast", help="libx264 preset of the annotated video")
    ap.add_argument("--memory-loops", type=int, default=10,
                    help="also compare the memory of writing the video of CLIP and of CLIP looped this many "
                         "times (0: skip)")
    ap.add_argument("--stages", action="store_true",
                    help="also measure the CPU time per frame of each stage of the annotated video (decoding, "
                         "drawing, RGB -> I420, encoding) at each video size of --variants")
    ap.add_argument("--variants", default="none,full,1280",
                    help="comma-separated: none (no video), full (full resolution), or a longer-side limit "
                         "in pixels (1280 = 720p for a 1080p clip); the first is the baseline")
    args = ap.parse_args(argv)
    clip = Path(args.clip)
    if not clip.is_file():
        print(f"clip not found: {clip}", file=sys.stderr)
        return 2
    from formcheck.video import probe

    variants = [_variant(v.strip()) for v in args.variants.split(",") if v.strip()]
    info = probe(clip)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"clip: {clip.name}, {info.width}x{info.height}, {info.fps:g} fps, {info.frames} frames; "
          f"drill {args.drill}; preset {args.preset}; {os.cpu_count()} CPUs, load average {load:.1f} at the start")

    runs: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
    with tempfile.TemporaryDirectory(prefix="fc-annotate-bench-") as tmp:
        analyze_once(clip, args.drill, Path(tmp) / "warm", video=True, preset=args.preset, max_side=None)
        for k in range(args.repeats):
            for name, video, max_side in variants:
                r = analyze_once(clip, args.drill, Path(tmp) / f"run{k}{name}", video=video, preset=args.preset,
                                 max_side=max_side)
                runs[name].append(r)
                print(f"  run {k + 1} {name:>5}: total {r['total']:.2f} s (pose {r['pose']:.2f}, "
                      f"analysis {r['analysis']:.2f}, visuals {r['visuals']:.2f})", flush=True)

    def med(name: str, key: str) -> float:
        vals = [r[key] for r in runs[name] if key in r]
        return statistics.median(vals) if vals else float("nan")

    base_name = variants[0][0]
    base = med(base_name, "total")
    n = runs[base_name][0]["frames"]
    print()
    print(f"formcheck analyze, {base_name:>5}: {base:6.2f} s (median of {args.repeats}; pose estimation "
          f"{med(base_name, 'pose'):.2f} s, visuals {med(base_name, 'visuals'):.2f} s; CPU time "
          f"{med(base_name, 'cpu_total'):.2f} s)")
    for name, video, _ in variants[1:]:
        total = med(name, "total")
        extra = total - base
        v = med(name, "visuals.video")
        size = runs[name][0].get("video_size", "-")
        print(f"formcheck analyze, {name:>5}: {total:6.2f} s; the annotated video ({size}) adds {extra:5.2f} s = "
              f"{100 * extra / base:5.1f}% (target < 30%); writing it took {v:.2f} s = {1000 * v / n:.1f} ms/frame")
        cb, cv = med(base_name, "cpu_total"), med(name, "cpu_total")
        print(f"    CPU time: {cb:.2f} s -> {cv:.2f} s, +{100 * (cv - cb) / cb:.1f}%")
        bb, bv = (min(r["total"] for r in runs[k]) for k in (base_name, name))
        print(f"    best runs: {bb:.2f} s -> {bv:.2f} s, +{100 * (bv - bb) / bb:.1f}%")
        # The pose estimation does the same work in both; on a busy machine its time varies by
        # more than the video costs, so also compare the one step that differs.
        vb, vv = med(base_name, "visuals"), med(name, "visuals")
        print(f"    visuals step alone: {vb:.2f} s -> {vv:.2f} s, +{vv - vb:.2f} s = {100 * (vv - vb) / base:.1f}% "
              f"of the run without the video")
    for key in ("visuals.overlay", "visuals.grab_frames", "visuals.keyframes", "visuals.plots", "visuals.html"):
        vals = [r[key] for rs in runs.values() for r in rs if key in r]
        if vals:
            print(f"  {key:<20} {statistics.median(vals):.2f} s")
    for name, video, _ in variants:
        print(f"memory gained while writing the visuals, {name:>5}: {max(r['rss_gain_mb'] for r in runs[name]):.0f} MB")
    end_load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {end_load:.1f}")
    if args.stages:
        with tempfile.TemporaryDirectory(prefix="fc-annotate-stages-") as tmp:
            stage_costs(clip, args.drill, args.preset, Path(tmp), [m for _, video, m in variants if video])
    if args.memory_loops > 1:
        with tempfile.TemporaryDirectory(prefix="fc-annotate-mem-") as tmp:
            memory_check(clip, args.drill, args.memory_loops, Path(tmp), args.preset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
