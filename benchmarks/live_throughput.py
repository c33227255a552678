"""Live check throughput and overlay latency: a recorded clip pushed through ``LiveSession.process``.

    python benchmarks/live_throughput.py [CLIP] [--seconds 8] [--sides 640,480,320] [--drill a-skip]

CLIP defaults to ``sample_videos/a-skip_good.mp4`` (``--shared`` takes
``../shared/videos/pose2sim/singleperson_cam01.mp4``). Its frames are fitted into 640x480 (letterboxed,
as a webcam sends them) and looped to ``--seconds`` of stream time, timestamps continuing. The same
callback the live page uses (``LiveSession.process``: pose in video mode, One Euro filter, skeleton,
rep counter with its background window analysis, cue banner) is measured in two ways:

1. **every frame, back to back**: how many frames per second the callback can take at most, and
   its per-frame time (p50/p95), for each inference size in ``--sides`` (the longer side frames are
   shrunk to before pose estimation; 640 = as received);
2. **real time**: frames arrive at the clip's frame rate from a feeder thread into a one-frame
   mailbox (a newer frame replaces one not yet taken, as streamlit-webrtc's async processing does);
   printed: processed frames per second, the fraction dropped, and the overlay latency from a
   frame's arrival to its annotated copy (p50/p95; network and video coding not included).

A bare ``PoseEstimator.detect`` loop on the same 640x480 frames (full model, video mode) is measured
in the same run as the baseline, and every result is also given as a ratio to it. The lite model is
measured too when it is installed (it is downloaded on first use, so offline it is usually absent:
the script says so). Targets: at least 20 processed frames per second at 640x480 on 2 cores, and an
overlay latency under 150 ms. The machine's load is printed first: figures on a shared machine vary.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CLIP = ROOT / "sample_videos" / "a-skip_good.mp4"
SHARED_CLIP = ROOT.parent / "shared" / "videos" / "pose2sim" / "singleperson_cam01.mp4"
FRAME_W, FRAME_H = 640, 480
TARGET_FPS = 20.0
TARGET_LATENCY_MS = 150.0


def letterbox(image: np.ndarray, w: int = FRAME_W, h: int = FRAME_H) -> np.ndarray:
    import cv2

    ih, iw = image.shape[:2]
    k = min(w / iw, h / ih)
    nw, nh = max(2, round(iw * k)), max(2, round(ih * k))
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), dtype=np.uint8)
    y, x = (h - nh) // 2, (w - nw) // 2
    out[y:y + nh, x:x + nw] = small
    return out


def load_frames(clip: Path, seconds: float) -> tuple[list[np.ndarray], np.ndarray, float]:
    """The clip's frames fitted into 640x480, looped to ``seconds``; their stream timestamps; fps."""
    from formcheck.video import iter_frames, probe

    info = probe(clip)
    frames, times = [], []
    for f in iter_frames(clip):
        frames.append(letterbox(f.image))
        times.append(f.t_s)
    if not frames:
        raise SystemExit(f"{clip}: no frames")
    dt = float(np.median(np.diff(times))) if len(times) > 1 else 1.0 / info.fps
    period = times[-1] - times[0] + dt
    out_frames, out_t = [], []
    k = 0
    while True:
        for img, t in zip(frames, times):
            tt = k * period + (t - times[0])
            if tt >= seconds:
                return out_frames, np.asarray(out_t), 1.0 / dt
            out_frames.append(img)
            out_t.append(tt)
        k += 1


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def bare_detect(frames: list[np.ndarray], times: np.ndarray, model: str = "full") -> dict:
    from formcheck.pose.estimator import PoseEstimator

    lat = []
    with PoseEstimator(model, num_poses=1, mode="video") as est:
        start = time.perf_counter()
        for img, t in zip(frames, times):
            a = time.perf_counter()
            est.detect(img, float(t))
            lat.append(1000 * (time.perf_counter() - a))
        wall = time.perf_counter() - start
    return {"fps": len(frames) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95)}


def back_to_back(frames: list[np.ndarray], times: np.ndarray, drill: str, max_side: int | None,
                 model: str = "full") -> dict:
    from formcheck.live import LiveSession, LiveSettings

    lat = []
    with LiveSession(drill, LiveSettings(model=model, max_side=max_side)) as s:
        start = time.perf_counter()
        for img, t in zip(frames, times):
            a = time.perf_counter()
            s.process(img, float(t))
            lat.append(1000 * (time.perf_counter() - a))
        wall = time.perf_counter() - start
        s.wait_idle()
        reps = len(s.reps)
    return {"fps": len(frames) / wall, "p50": pct(lat, 50), "p95": pct(lat, 95), "reps": reps}


def real_time(frames: list[np.ndarray], times: np.ndarray, drill: str, max_side: int | None,
              model: str = "full") -> dict:
    """Frames arrive at their timestamps; the callback takes the newest one each time it is free."""
    from formcheck.live import LiveSession, LiveSettings

    box: list[tuple[int, float] | None] = [None]
    cond = threading.Condition()
    done = threading.Event()

    def feeder(t0: float) -> None:
        for i, t in enumerate(times):
            delay = t0 + float(t) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with cond:
                box[0] = (i, time.perf_counter())  # a frame not yet taken is replaced (dropped)
                cond.notify()
        done.set()
        with cond:
            cond.notify()

    lat, processed = [], 0
    with LiveSession(drill, LiveSettings(model=model, max_side=max_side)) as s:
        s.process(frames[0], -1.0)  # the first call loads native kernels; not part of the stream
        t0 = time.perf_counter()
        th = threading.Thread(target=feeder, args=(t0,), daemon=True)
        th.start()
        while True:
            with cond:
                while box[0] is None and not done.is_set():
                    cond.wait()
                item, box[0] = box[0], None
            if item is None:
                break
            i, arrived = item
            s.process(frames[i], float(times[i]))
            lat.append(1000 * (time.perf_counter() - arrived))
            processed += 1
        wall = time.perf_counter() - t0
        th.join()
        s.wait_idle()
        reps = len(s.reps)
    return {"fps": processed / wall, "dropped": 1 - processed / len(frames), "p50": pct(lat, 50),
            "p95": pct(lat, 95), "reps": reps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip", nargs="?", type=Path, default=None)
    ap.add_argument("--shared", action="store_true", help=f"use {SHARED_CLIP.name} from ../shared/videos")
    ap.add_argument("--seconds", type=float, default=8.0, help="stream length in seconds (default 8)")
    ap.add_argument("--sides", default="640,480,320", help="inference sizes to try (default 640,480,320)")
    ap.add_argument("--drill", default="a-skip", help="drill the rep counter counts (default a-skip)")
    args = ap.parse_args()
    clip = args.clip or (SHARED_CLIP if args.shared else DEFAULT_CLIP)
    if not clip.is_file():
        raise SystemExit(f"{clip} not found")
    sides = [int(s) for s in args.sides.split(",") if s.strip()]

    import mediapipe

    from formcheck.errors import ModelError
    from formcheck.live import LiveSettings
    from formcheck.pose.models import resolve_model

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
          f"(1/5/15 min); mediapipe {mediapipe.__version__}")
    frames, times, fps = load_frames(clip, args.seconds)
    print(f"clip: {clip.name} fitted into {FRAME_W}x{FRAME_H}, {len(frames)} frames at {fps:.0f} fps "
          f"({times[-1] - times[0] + 1 / fps:.1f} s); default inference side {LiveSettings().max_side}")
    print(f"targets: >= {TARGET_FPS:.0f} processed frames/s, overlay latency < {TARGET_LATENCY_MS:.0f} ms\n")

    models = ["full"]
    try:
        resolve_model("lite", allow_download=False)
        models.append("lite")
    except ModelError as exc:
        print(f"lite model: not measured, not available offline ({exc})\n")

    for model in models:
        base = bare_detect(frames, times, model)
        print(f"[{model}] baseline, bare PoseEstimator.detect at 640x480: {base['fps']:.1f} fps, "
              f"p50 {base['p50']:.1f} ms, p95 {base['p95']:.1f} ms")
        print(f"[{model}] LiveSession.process, every frame back to back:")
        for side in sides:
            r = back_to_back(frames, times, args.drill, None if side >= max(FRAME_W, FRAME_H) else side, model)
            ok = "meets" if r["fps"] >= TARGET_FPS else "below"
            print(f"    side {side:4d}: {r['fps']:5.1f} fps ({r['fps'] / base['fps']:.2f} x baseline, {ok} target), "
                  f"per frame p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, {r['reps']} reps counted")
        print(f"[{model}] LiveSession.process in real time ({fps:.0f} fps arriving, newest frame taken):")
        for side in sides:
            r = real_time(frames, times, args.drill, None if side >= max(FRAME_W, FRAME_H) else side, model)
            ok_fps = "meets" if r["fps"] >= TARGET_FPS else "below"
            ok_lat = "meets" if r["p95"] < TARGET_LATENCY_MS else "above"
            print(f"    side {side:4d}: {r['fps']:5.1f} processed fps ({ok_fps} target), {100 * r['dropped']:.0f}% "
                  f"dropped, latency p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms ({ok_lat} target), "
                  f"{r['reps']} reps counted")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
