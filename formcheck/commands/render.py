"""``formcheck render DRILL``: a synthetic clip of a drill with its ground truth.

Draws the motion model's athlete (good form, or with ``--fault FIELD=VALUE`` planted) to an
H.264 clip and writes ``<clip>.truth.json`` and ``<clip>.truth.npz`` beside it. ``formcheck render
--samples DIR`` regenerates the bundled sample clips.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from formcheck.synth.motion import MOTIONS
    from formcheck.synth.render import BACKGROUNDS, LOOKS, WARMUP

    p = subparsers.add_parser(
        "render",
        help="render a synthetic drill clip with its ground truth",
        description="Render a synthetic athlete doing a drill (known true angles) to an H.264 clip, with "
                    "<clip>.truth.json and <clip>.truth.npz beside it. With --samples DIR, regenerate the "
                    "bundled sample clips.",
    )
    p.add_argument("drill", nargs="?", metavar="DRILL",
                   help=f"one of: {', '.join(MOTIONS)}, or {WARMUP} (several drills in a row)")
    p.add_argument("--fault", action="append", default=[], metavar="FIELD=VALUE",
                   help="plant a fault, e.g. knee_lift_deg=55 or hip_hinge_deg=20; repeatable")
    p.add_argument("--view", default="side", choices=("side", "front"), help="camera view (default side)")
    p.add_argument("--facing", default=None, choices=("right", "left", "toward", "away"),
                   help="side view: right (default) or left; front view: toward (default) or away")
    p.add_argument("--fps", default=60.0, type=float, help="frame rate (default 60)")
    p.add_argument("--size", default="1280x720", metavar="WxH",
                   help="frame size (default 1280x720; 720x1280 is portrait)")
    p.add_argument("--seconds", default=6.0, type=float, help="clip length (default 6; a warm-up sets its own)")
    p.add_argument("--seed", default=0, type=int, help="random seed (default 0)")
    p.add_argument("--distance", default=6.0, type=float, metavar="M", help="camera distance in metres (default 6)")
    p.add_argument("--body-frac", default=None, type=float, metavar="FRAC",
                   help="athlete's height as a fraction of the frame height (default 0.7, portrait 0.55)")
    p.add_argument("--pan", choices=("auto", "yes", "no"), default="auto",
                   help="camera pans with the athlete: auto (when the drill travels), yes, no")
    p.add_argument("--look", default="blue", choices=tuple(LOOKS), help="athlete's colours")
    p.add_argument("--background", default="texture", choices=BACKGROUNDS, help="background (default texture)")
    p.add_argument("--noise", default=0.0, type=float, metavar="SIGMA", help="camera noise in grey levels (default 0)")
    p.add_argument("--blur", default=0.0, type=float, metavar="FRAC",
                   help="motion blur: shutter open for this fraction of a frame (default 0)")
    p.add_argument("--crf", default=23, type=int, help="H.264 quality, lower is better (default 23)")
    p.add_argument("--out", metavar="PATH", help="output clip (default <drill>.mp4 in the current folder)")
    p.add_argument("--samples", metavar="DIR", help="regenerate the bundled sample clips into DIR")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formcheck.synth.render import (
        WARMUP,
        RenderError,
        RenderSettings,
        parse_fault,
        parse_size,
        render_clip,
        render_samples,
        synth_clip,
    )

    if args.samples:
        if args.drill:
            raise RenderError("give either DRILL or --samples DIR, not both")

        def said(spec, done) -> None:
            size_kb = done.video.stat().st_size / 1024
            print(f"{done.video}  {done.frames} frames  {size_kb:.0f} KB  ({spec.description})")

        render_samples(args.samples, progress=said)
        return 0
    if not args.drill:
        raise RenderError("name a drill to render (e.g. formcheck render a-skip), or use --samples DIR")
    faults = dict(parse_fault(f) for f in args.fault)
    size = parse_size(args.size)
    pan = None if args.pan == "auto" else args.pan == "yes"
    clip = synth_clip(args.drill, faults=faults, view=args.view, facing=args.facing, size=size, fps=args.fps,
                      seconds=args.seconds, seed=args.seed, distance_m=args.distance,
                      body_height_frac=args.body_frac, follow=pan)
    settings = RenderSettings(look=args.look, background=args.background, noise_sigma=args.noise,
                              motion_blur_frac=args.blur, crf=args.crf, seed=args.seed)
    out = Path(args.out) if args.out else Path.cwd() / f"{args.drill}.mp4"
    if out.suffix.lower() != ".mp4":
        raise RenderError(f"{out}: the output must be an .mp4 file")
    done = render_clip(clip, out, settings)
    print(f"{done.video}: {done.frames} frames, {size[0]}x{size[1]} at {args.fps:g} fps")
    print(f"ground truth: {done.truth_json.name}, {done.truth_npz.name}")
    if args.drill != WARMUP:
        values = ", ".join(f"{k} {v:.4g}" for k, v in done.truth["truth"].items() if isinstance(v, (int, float)))
        print(f"true values: {values}")
    else:
        for part in done.truth["parts"]:
            print(f"  {part['start_s']:5.1f}-{part['end_s']:5.1f} s  {part['drill']}")
    sys.stdout.flush()
    return 0
