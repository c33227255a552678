"""``formcheck analyze VIDEO``: scores and coach cues for a drill clip.

Writes ``report.json``, ``metrics.csv``, ``annotated.mp4``, ``keyframes/``, ``plots/`` and
``report.html`` into ``--out`` (default: ``<clip>_formcheck/`` in the current folder), all or
nothing, and prints a short summary. ``--json PATH`` also writes the
report there; ``--json -`` prints it on stdout (the summary then goes to stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.errors import VideoError


def default_out_dir(video: str | Path, cwd: Path | None = None) -> Path:
    """``<clip stem>_formcheck`` in the current folder."""
    return (cwd or Path.cwd()) / f"{Path(video).stem}_formcheck"


def _progress_printer(stream):
    """``progress(done, total)`` that keeps one updating line on a terminal."""
    def progress(done: int, total: int) -> None:
        pct = 100 * done / total if total else 0
        print(f"\rpose: {done}/{total} frames ({pct:.0f}%)", end="", file=stream, flush=True)

    return progress


def register(subparsers: argparse._SubParsersAction) -> None:
    from formcheck.drills import list_drills

    p = subparsers.add_parser(
        "analyze",
        help="score a drill clip and give coach cues",
        description="Analyse a running-drill clip: recognise the drill (or the drills of a warm-up), score "
                    "each rep and give the most important coach cues. Writes report.json and metrics.csv.",
    )
    p.add_argument("video", metavar="VIDEO", help="the clip to analyse")
    p.add_argument("--drill", default="auto",
                   help=f"the drill, or 'auto' to recognise it (default). One of: {', '.join(list_drills())}")
    p.add_argument("--out", metavar="DIR", help="output folder (default: <clip>_formcheck in the current folder)")
    p.add_argument("--json", metavar="PATH", help="also write the report to PATH, or '-' for stdout")
    p.add_argument("--model", default="full", help="pose model variant (default: full)")
    p.add_argument("--no-cache", action="store_true", help="re-run pose estimation even if a cached result exists")
    p.add_argument("--no-video", action="store_true",
                   help="skip the annotated video (faster); key frames, plots and report.html are still written")
    p.add_argument("--no-visuals", action="store_true", help="write only report.json and metrics.csv")
    p.add_argument("--full-size-video", action="store_true",
                   help="annotated video at the clip's full size (default: longest side 1280 px)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formcheck.outputs import analyze_to_folder
    from formcheck.report import summary, write_json

    video = Path(args.video)
    if not video.is_file():
        raise VideoError(f"{video} not found; give the path of a video file")
    out_dir = Path(args.out) if args.out else default_out_dir(video)
    progress = _progress_printer(sys.stderr) if sys.stderr.isatty() else None
    result = analyze_to_folder(video, out_dir, args.drill, model=args.model, use_cache=not args.no_cache,
                               visuals=not args.no_visuals, video=not args.no_video,
                               video_max_side=None if args.full_size_video else 1280, progress=progress)
    if progress is not None:
        print(file=sys.stderr)
    report = result.report
    if args.json and args.json != "-":
        write_json(report, args.json)
    to_stdout = args.json == "-"
    if to_stdout:
        write_json(report, "-")
    text = sys.stderr if to_stdout else sys.stdout
    print(summary(report), file=text)
    print(f"Wrote {out_dir}/: {', '.join(sorted(result.files))}" + (", keyframes/, plots/" if result.keyframes else ""),
          file=text)
    return 0
