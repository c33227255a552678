"""How fast the coach pages load with 1,000 stored sessions.

    python benchmarks/library_pages.py [--sessions 1000] [--athletes 4] [--repeats 5]

Seeds a fresh library (``FORMCHECK_DATA`` in a temporary folder) with ``--sessions`` sessions
spread over ``--athletes`` athletes and two years of dates (high-knees, a-skip and march reports
of synthetic athletes with varying form, saved through the ordinary ``Library.add_session``),
then times:

- the data functions behind the pages for the first athlete (the one the pages open on): the
  athlete list, the session list, the persistent faults, ``progress_data`` and the chart;
- each coach page run by Streamlit's ``AppTest``: the first run in this process (imports
  included) and the median of ``--repeats`` further runs (what a page load costs in a running
  app). Target: under 1 s per page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("3_Coach_library.py", "4_Compare.py", "5_Progress.py")
TARGET_S = 1.0


def _reports() -> list[dict]:
    """Report dicts of synthetic athletes: three drills, form from poor to good."""
    from formcheck.analyze import analyze_sequence
    from formcheck.synth.motion import defaults_for, make_clip

    out = []
    for drill, param, values in (("high-knees", "knee_lift_deg", (58, 66, 74, 82, 90)),
                                 ("a-skip", "knee_lift_deg", (60, 72, 88)),
                                 ("march", "knee_lift_deg", (65, 85))):
        for k, v in enumerate(values):
            clip = make_clip(defaults_for(drill, **{param: v}), duration_s=4.0, seed=k)
            out.append(json.loads(analyze_sequence(clip.sequence, drill).to_json()))
    return out


def seed(data: Path, n_sessions: int, n_athletes: int) -> float:
    from formcheck.library import Library

    reports = _reports()
    lib = Library(data)
    names = [f"Athlete {chr(65 + i)}" for i in range(n_athletes)]
    for name in names:
        lib.add_athlete(name)
    clips = data.parent / "seed_clips"
    clips.mkdir()
    start = dt.date(2024, 1, 1)
    t0 = time.perf_counter()
    for i in range(n_sessions):
        name = names[i % n_athletes]
        k = i // n_athletes
        clip = clips / f"s{i}.mp4"
        clip.write_bytes(f"session {i}".encode())
        day = start + dt.timedelta(days=(k * 730) // max(1, n_sessions // n_athletes))
        lib.add_session(name, clip, reports[(i * 7 + k) % len(reports)], date=day)
        clip.unlink()
    return time.perf_counter() - t0


def _timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--athletes", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="formcheck-bench-pages-") as tmp:
        data = Path(tmp) / "data"
        os.environ["FORMCHECK_DATA"] = str(data)
        seconds = seed(data, args.sessions, args.athletes)
        print(f"seeded {args.sessions} sessions for {args.athletes} athletes in {seconds:.1f} s "
              f"({1000 * seconds / args.sessions:.1f} ms per session)")

        from formcheck.library import Library
        from formcheck.library.progress import find_persistent_faults, progress_chart, progress_data

        lib = Library(data)
        athlete = lib.athletes()[0]
        drill = lib.drills(athlete)[0]
        print(f"pages open on {athlete.name}: {athlete.sessions} sessions; progress of {drill}")
        rows = [
            ("open the library", lambda: Library(data)),
            ("athletes", lib.athletes),
            ("sessions of the athlete", lambda: lib.sessions(athlete, newest_first=True)),
            ("persistent faults", lambda: find_persistent_faults(lib.segment_rows(athlete), lib.cue_rows(athlete))),
            ("progress_data", lambda: progress_data(lib, athlete, drill)),
            ("progress chart (Altair spec)", lambda: progress_chart(progress_data(lib, athlete, drill)).to_dict()),
        ]
        print("data functions (median of %d):" % args.repeats)
        for label, fn in rows:
            fn()  # warm
            t, _ = _timed(fn, args.repeats)
            print(f"  {label:<30} {1000 * t:8.1f} ms")

        from streamlit.testing.v1 import AppTest

        print(f"page runs (AppTest; target under {TARGET_S:g} s):")
        worst = 0.0
        for name in PAGES:
            path = str(ROOT / "pages" / name)

            def run_page():
                at = AppTest.from_file(path, default_timeout=120).run()
                if at.exception:
                    raise RuntimeError(f"{name}: {at.exception[0].value}")
                return at

            t0 = time.perf_counter()
            run_page()
            first = time.perf_counter() - t0
            t, at = _timed(run_page, args.repeats)
            worst = max(worst, t)
            print(f"  {name:<22} first run {first:6.2f} s, then median {t:6.3f} s "
                  f"({'ok' if t < TARGET_S else 'SLOW'})")
        print(f"slowest page (median): {worst:.3f} s -> {'meets' if worst < TARGET_S else 'misses'} the "
              f"{TARGET_S:g} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
