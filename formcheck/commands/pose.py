"""``formcheck pose VIDEO``: the athlete's pose sequence of a clip, as .npz / .csv, with a summary."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from formcheck.atomic import staged_outputs
from formcheck.errors import FormcheckError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pose",
        help="estimate the athlete's pose in a clip",
        description="Estimate the pose of the athlete in a clip (MediaPipe Pose Landmarker) and save it.",
    )
    p.add_argument("video", type=Path, help="the clip (mp4, mov, ...)")
    p.add_argument("--out", type=Path, metavar="PATH", help="write the pose sequence here (.npz)")
    p.add_argument("--csv", type=Path, metavar="PATH", help="write one row per frame here (.csv)")
    p.add_argument("--model", default="full", metavar="NAME|PATH",
                   help="lite, full (default), heavy, or a path to a .task file (see 'formcheck models')")
    p.add_argument("--athlete", default="auto", metavar="CHOICE",
                   help="who to track when several people are in view: auto (default: the person the camera "
                        "is on), largest, left, right, center, or a point x,y as fractions of the frame")
    p.add_argument("--people", default="auto", metavar="N",
                   help="how many people to look for in each frame: auto (default: 1, and 2 once a second "
                        "person is seen), or 1-5; more is slower")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the pose cache")
    p.add_argument("--json", metavar="PATH|-", help="write the summary as JSON to PATH ('-' for stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    p.set_defaults(func=run)


def _readable(path: Path) -> None:
    """Temporary files are created private (0600); give the output the usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def run(args: argparse.Namespace) -> int:
    from formcheck.pose.pipeline import PoseSettings, extract_pose
    from formcheck.progress import ProgressBar

    settings = PoseSettings(athlete=args.athlete, num_poses=args.people)  # bad choices fail before any work
    json_to_stdout = args.json == "-"
    json_path = None if args.json in (None, "-") else Path(args.json)
    human = sys.stderr if json_to_stdout else sys.stdout
    bar = ProgressBar("pose", force=False if args.quiet else None)
    with bar:
        result = extract_pose(args.video, model=args.model, settings=settings, use_cache=not args.no_cache,
                              progress=bar)
    summary = result.summary()
    try:
        with staged_outputs([args.out, args.csv, json_path]) as (out_tmp, csv_tmp, json_tmp):
            if out_tmp is not None:
                _readable(result.sequence.save_npz(out_tmp))
            if csv_tmp is not None:
                _readable(result.sequence.to_csv(csv_tmp))
            if json_tmp is not None:
                json_tmp.write_text(json.dumps(summary, indent=2) + "\n")
    except OSError as exc:
        where = exc.filename or "the output folder"
        raise FormcheckError(f"cannot write {where} ({exc.strerror or exc}); choose a writable place") from None
    if json_to_stdout:
        sys.stdout.write(json.dumps(summary) + "\n")
    if not args.quiet:
        cached = ", from the cache" if result.cached else ""
        people = result.sequence.meta.get("tracking", {}).get("max_people_per_frame", 1)
        crowd = f", {people} people in view (athlete: {args.athlete})" if people > 1 else ""
        print(
            f"{args.video.name}: {result.frames} frames, pose in {result.frames_with_pose} "
            f"({result.coverage:.0%}), {result.seconds:.1f} s, {result.fps:.1f} frames/s{cached}{crowd}",
            file=human,
        )
    return 0
