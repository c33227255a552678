"""``formcheck plan``: a warm-up plan before an interval session.

Options are checked by :func:`formcheck.plan.make_plan`, so a bad value is one line and exit
code 2. With ``--athlete`` the persistent faults recorded in the coach workspace (when it is
installed) are added to those given with ``--fault``.
"""

from __future__ import annotations

import argparse
import json
import sys

from formcheck.plan import (
    CAMERA_DRILLS,
    FEELS,
    INJURIES,
    PHASES,
    SESSIONS,
    as_persistent_fault,
    library_faults,
    make_plan,
    plan_to_markdown,
    plan_to_text,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "plan",
        help="plan a warm-up before intervals",
        description="Plan a warm-up before an interval session: an ordered list of blocks with time or "
                    "reps, purpose, cues and which drills to film.",
    )
    # values are plain strings here and checked by the planner: a bad one is a one-line error
    p.add_argument("--minutes", default="15", metavar="MIN", help="time available (default 15)")
    p.add_argument("--session", default="short", metavar="|".join(SESSIONS),
                   help="short fast reps or longer reps ahead (default short)")
    p.add_argument("--phase", default="build", metavar="|".join(PHASES), help="training phase (default build)")
    p.add_argument("--injury", action="append", default=[], metavar="|".join(INJURIES),
                   help="injury history; repeat for several")
    p.add_argument("--feel", default="normal", metavar="|".join(FEELS), help="how the athlete feels today")
    p.add_argument("--athlete", metavar="NAME", help="athlete (rotation period, recorded faults)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="day of the session (default today)")
    p.add_argument("--fault", action="append", default=[], metavar="DRILL:METRIC",
                   help=f"persistent fault to fix; DRILL one of {', '.join(CAMERA_DRILLS)}; repeatable")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the plan as JSON")
    out.add_argument("--markdown", action="store_true", help="print the plan as a Markdown page")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    faults = [as_persistent_fault(f) for f in args.fault]
    if args.athlete:
        faults += [f for f in library_faults(args.athlete) if f not in faults]
    plan = make_plan(minutes=args.minutes, session=args.session, phase=args.phase, injuries=args.injury,
                     feel=args.feel, athlete=args.athlete, date=args.date, persistent_faults=faults)
    if args.json:
        text = json.dumps(plan.to_dict(), indent=2) + "\n"
    elif args.markdown:
        text = plan_to_markdown(plan)
    else:
        text = plan_to_text(plan)
    sys.stdout.write(text)
    return 0
