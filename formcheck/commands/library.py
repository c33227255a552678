"""``formcheck library``: the coach workspace from the command line.

Verbs: ``list``, ``add-athlete``, ``import``, ``show``, ``note``, ``compare``, ``export``, ``delete``.
Each takes ``--data DIR`` (default ``$FORMCHECK_DATA`` or ``~/.local/share/formcheck``) and
``--json`` (machine-readable output on stdout). Errors are one line with exit code 2; an import
with clips that could not be analysed exits with 1 after importing the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data", metavar="DIR",
                   help="library folder (default: $FORMCHECK_DATA, else ~/.local/share/formcheck)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")
    return p


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "library",
        help="coach workspace: athletes, clip history, comparisons, progress",
        description="Keep athletes' analysed clips over weeks: import clips (one or a folder, in parallel), "
                    "list and show sessions, add notes, compare two clips side by side, export a history.",
    )
    p.set_defaults(func=_no_verb, _parser=p)
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    common = _common()

    v = verbs.add_parser("list", parents=[common], help="athletes and their sessions")
    v.add_argument("--athlete", metavar="NAME", help="only this athlete")
    v.set_defaults(func=cmd_list)

    v = verbs.add_parser("add-athlete", parents=[common], help="add an athlete")
    v.add_argument("name", metavar="NAME")
    v.set_defaults(func=cmd_add_athlete)

    v = verbs.add_parser("import", parents=[common], help="analyse and store a clip or a folder of clips",
                         description="Analyse a clip, or every clip in a folder, and store each as a session. "
                                     "Clips already imported for the athlete (same content) are skipped, so an "
                                     "interrupted import finishes when run again.")
    v.add_argument("path", metavar="CLIP|FOLDER")
    v.add_argument("--athlete", required=True, metavar="NAME", help="whose clips (added if new)")
    v.add_argument("--drill", default="auto", help="the drill, or 'auto' to recognise it (default)")
    v.add_argument("--date", metavar="YYYY-MM-DD", help="day of the session (default: each file's date)")
    v.add_argument("--workers", type=int, metavar="N", help="clips analysed at once (default: all cores)")
    v.add_argument("--model", default="full", help="pose model variant (default: full)")
    v.add_argument("--no-cache", action="store_true", help="re-run pose estimation even if cached")
    v.set_defaults(func=cmd_import)

    v = verbs.add_parser("show", parents=[common], help="a session (report, cues, notes) or an athlete's progress")
    v.add_argument("session", nargs="?", metavar="SESSION", help="session id")
    v.add_argument("--athlete", metavar="NAME", help="show the athlete's progress and persistent faults instead")
    v.add_argument("--drill", help="with --athlete: only this drill")
    v.set_defaults(func=cmd_show)

    v = verbs.add_parser("note", parents=[common], help="add a coach's note to a session or one of its cues")
    v.add_argument("session", metavar="SESSION")
    v.add_argument("text", metavar="TEXT")
    v.add_argument("--cue", metavar="CUE_ID", help="the cue the note is about (see 'show SESSION')")
    v.set_defaults(func=cmd_note)

    v = verbs.add_parser("compare", parents=[common], help="two clips side by side, aligned rep by rep",
                         description="Compare two sessions (ids), or a session and a model clip (a video path). "
                                     "Writes a side-by-side H.264 video and prints the metric differences per rep.")
    v.add_argument("a", metavar="A", help="session id (or a video path)")
    v.add_argument("b", metavar="B", help="session id or a video path (e.g. a model athlete's clip)")
    v.add_argument("--out", metavar="FILE.mp4", help="where to write the video (default: in the library)")
    v.add_argument("--no-video", action="store_true", help="only the table")
    v.add_argument("--height", type=int, default=480, metavar="PX", help="video height (default 480)")
    v.set_defaults(func=cmd_compare)

    v = verbs.add_parser("export", parents=[common], help="an athlete's history as CSV and HTML")
    v.add_argument("--athlete", required=True, metavar="NAME")
    v.add_argument("--out", metavar="DIR", default=".", help="folder for the files (default: current folder)")
    v.set_defaults(func=cmd_export)

    v = verbs.add_parser("delete", parents=[common], help="delete an athlete (all sessions and files) or a session")
    who = v.add_mutually_exclusive_group(required=True)
    who.add_argument("--athlete", metavar="NAME")
    who.add_argument("--session", metavar="ID")
    v.add_argument("--yes", action="store_true", help="do it (without --yes nothing is deleted)")
    v.set_defaults(func=cmd_delete)


def _no_verb(args: argparse.Namespace) -> int:
    args._parser.print_help()
    return 2


def _lib(args: argparse.Namespace, *, create: bool = True):
    from formcheck.library import Library

    return Library(args.data, create=create)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False) + "\n")


def _score(v: float | None) -> str:
    return "  n/a" if v is None else f"{v:5.0f}"


# ---------------------------------------------------------------------------- verbs
def cmd_list(args: argparse.Namespace) -> int:
    lib = _lib(args)
    athletes = [lib.athlete(args.athlete)] if args.athlete else lib.athletes()
    by_athlete = {a.id: [] for a in athletes}
    for s in lib.sessions(args.athlete) if args.athlete else lib.sessions():
        if s.athlete_id in by_athlete:
            by_athlete[s.athlete_id].append(s)
    if args.json:
        _print_json({"data": str(lib.path), "athletes": [
            {"id": a.id, "name": a.name,
             "sessions": [{"id": s.id, "date": s.date, "drill": s.drill, "clip": s.clip,
                           "score": None if s.score is None else round(s.score, 1), "reps": s.reps}
                          for s in by_athlete[a.id]]} for a in athletes]})
        return 0
    if not athletes:
        print(f"No athletes in {lib.path}; add one with 'formcheck library add-athlete NAME'.")
        return 0
    for a in athletes:
        ss = by_athlete[a.id]
        print(f"{a.name} ({len(ss)} session{'' if len(ss) == 1 else 's'})")
        for s in ss:
            print(f"  #{s.id:<5} {s.date}  {s.drill:<18} score {_score(s.score)}  {s.clip}")
    return 0


def cmd_add_athlete(args: argparse.Namespace) -> int:
    a = _lib(args).add_athlete(args.name)
    if args.json:
        _print_json(a.to_dict())
    else:
        print(f"Added {a.name}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from formcheck.library.importer import ImportInterrupted, import_path
    from formcheck.progress import ProgressBar

    lib = _lib(args)
    if args.workers is not None and args.workers < 1:
        raise FormcheckError(f"--workers must be at least 1, got {args.workers}")
    bar = ProgressBar("import", unit="clips")
    messages: list[str] = []

    def on_item(item) -> None:
        if item.status == "failed":
            messages.append(f"failed: {item.path.name}: {item.message}")

    try:
        result = import_path(lib, args.path, args.athlete, drill=args.drill, date=args.date, workers=args.workers,
                             model=args.model, use_cache=not args.no_cache, progress=bar, on_item=on_item)
    except ImportInterrupted as exc:
        bar.close()
        print(f"formcheck: interrupted; {exc.result.summary()}", file=sys.stderr)
        return 130
    bar.close()
    if args.json:
        _print_json(result.to_dict())
    else:
        for item in result.items:
            name = item.path.name
            if item.status == "imported":
                s = item.session
                print(f"  imported {name}: session #{s.id}, {s.drill}, score {_score(s.score).strip()}")
            elif item.status == "skipped":
                print(f"  skipped  {name}: {item.message}")
        print(result.summary())
    for m in messages:
        print(m, file=sys.stderr)
    return 1 if result.failed else 0


def _cue_line(c: dict) -> str:
    return f"[{c.get('severity')}] {c.get('text')}  ({c.get('id')}, {c.get('metric')})"


def cmd_show(args: argparse.Namespace) -> int:
    lib = _lib(args)
    if args.athlete:
        return _show_athlete(lib, args)
    if not args.session:
        raise FormcheckError("give a session id, or --athlete NAME for an athlete's progress")
    s = lib.session(args.session)
    report = lib.report(s)
    notes = lib.notes(s.id)
    if args.json:
        _print_json({"session": s.to_dict(), "notes": [n.to_dict() for n in notes], "report": report})
        return 0
    print(f"Session #{s.id}: {s.athlete}, {s.date}, {s.drill}, score {_score(s.score).strip()}, {s.reps} reps")
    print(f"  clip {s.clip}  ({s.clip_path})")
    for name, m in (report.get("metrics") or {}).items():
        lo, hi = (list(m.get("target") or []) + [None, None])[:2]
        band = "" if lo is None and hi is None else "  target " + (
            f">= {lo:g}" if hi is None else f"<= {hi:g}" if lo is None else f"{lo:g}..{hi:g}")
        val = "-" if m.get("value") is None else f"{m['value']:.1f}"
        print(f"  {name:<22} {val:>7} {m.get('unit', ''):<5}{band}")
    cues = report.get("cues") or []
    print("Cues:" if cues else "Cues: none")
    for c in cues:
        print("  " + _cue_line(c))
    if notes:
        print("Notes:")
        for n in notes:
            print(f"  {n.created_at[:10]} " + (f"({n.cue_id}) " if n.cue_id else "") + n.text)
    return 0


def _show_athlete(lib, args: argparse.Namespace) -> int:
    from formcheck.library.progress import find_persistent_faults, progress_data

    a = lib.athlete(args.athlete)
    drills = [args.drill] if args.drill else lib.drills(a)
    data = [progress_data(lib, a, d) for d in drills]
    faults = find_persistent_faults(lib.segment_rows(a), lib.cue_rows(a))
    if args.json:
        _print_json({"athlete": a.name, "sessions": [s.to_dict() for s in lib.sessions(a)],
                     "persistent_faults": [f.to_dict() for f in faults],
                     "progress": [{"drill": d.drill, "weekly": d.weekly, "scores": d.scores,
                                   "trends": [t.to_dict() for t in d.trends]} for d in data]})
        return 0
    print(f"{a.name}: {a.sessions} session{'' if a.sessions == 1 else 's'}")
    for d in data:
        print(f"{d.drill}:")
        for t in d.trends:
            print(f"  {t.metric:<22} {t.first_value:8.1f} -> {t.last_value:8.1f} {t.unit:<5} over {t.weeks} week"
                  f"{'' if t.weeks == 1 else 's'}: {t.verdict}")
    print("Persistent faults:" if faults else "Persistent faults: none")
    for f in faults:
        print(f"  {f.drill}: {f.text} ({f.cue_id}, {f.sessions} of the last {f.of} sessions)")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    n = _lib(args).add_note(args.session, args.text, cue_id=args.cue)
    if args.json:
        _print_json(n.to_dict())
    else:
        print(f"Noted on session #{n.session_id}" + (f", cue {n.cue_id}." if n.cue_id else "."))
    return 0


def _sides(lib, refs: list[str]) -> list:
    """Sessions by id; a video path is a model clip, analysed as the drill of the session beside it."""
    from formcheck.drills import list_drills
    from formcheck.library.compare import model_side, side_from_session

    sides = [side_from_session(lib, int(r)) if r.strip().isdigit() else None for r in refs]
    drills = [s.drill for s in sides if s is not None and s.drill in list_drills()]
    return [s if s is not None else model_side(r, drills[0] if drills else "auto") for s, r in zip(sides, refs)]


def cmd_compare(args: argparse.Namespace) -> int:
    from formcheck.library.compare import compare_sessions

    lib = _lib(args)
    a, b = _sides(lib, [args.a, args.b])
    result = compare_sessions(lib, a, b, out=args.out, video=not args.no_video, height_px=args.height)
    if args.json:
        _print_json(result.to_dict())
        return 0
    print(f"A: {result.a} ({result.drill_a})")
    print(f"B: {result.b} ({result.drill_b})")
    for w in result.warnings:
        print(f"Warning: {w}")
    print(f"{len(result.pairs)} reps matched")
    print(f"  {'metric':<22} {'A':>8} {'B':>8} {'B-A':>8}")
    for m in result.metrics:
        f = lambda v: "-" if v is None else f"{v:8.1f}"  # noqa: E731
        print(f"  {m.metric:<22} {f(m.a):>8} {f(m.b):>8} {f(m.diff):>8} {m.unit}")
    if result.reps:
        print("Per rep:")
        print(f"  {'pair':>4} {'A rep':>5} {'B rep':>5} {'side':<6} {'metric':<22} {'A':>8} {'B':>8} {'B-A':>8}")
        for r in result.reps:
            f = lambda v: "-" if v is None else f"{v:8.1f}"  # noqa: E731
            print(f"  {r.pair:>4} {r.a_rep:>5} {r.b_rep:>5} {r.side or '':<6} {r.metric:<22} {f(r.a):>8} "
                  f"{f(r.b):>8} {f(r.diff):>8}")
    if result.video is not None:
        print(f"Wrote {result.video}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from formcheck.library.export import export_athlete

    paths = export_athlete(_lib(args, create=False), args.athlete, Path(args.out))
    if args.json:
        _print_json(paths.to_dict())
    else:
        print(f"Wrote {paths.csv} and {paths.html.name}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    lib = _lib(args, create=False)
    if args.athlete:
        a = lib.athlete(args.athlete)
        what = f"athlete {a.name} with {a.sessions} session{'' if a.sessions == 1 else 's'} and their files"
    else:
        s = lib.session(args.session)
        what = f"session #{s.id} ({s.athlete}, {s.date}, {s.drill}) and its files"
    if not args.yes:
        raise FormcheckError(f"this deletes {what}; add --yes to do it")
    if args.athlete:
        n = lib.delete_athlete(a)
        out = {"deleted": "athlete", "name": a.name, "sessions": n}
    else:
        lib.delete_session(s.id)
        out = {"deleted": "session", "id": s.id}
    if args.json:
        _print_json(out)
    else:
        print(f"Deleted {what}.")
    return 0
