"""``formcheck models``: the pose model variants, where they are, and whether they are the official files."""

from __future__ import annotations

import argparse
import json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "models",
        help="list the pose models and check their files",
        description="List the MediaPipe pose model variants: where each file is, whether it is present "
                    "and matches its official SHA-256, its size and official URL.",
    )
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=run)


CUSTOM_NOTE = ("--model also accepts a path to any .task file; its hash is not known to formcheck, "
               "so it is used unverified.")


def run(args: argparse.Namespace) -> int:
    from formcheck.pose.models import bundled_dirs, model_status, models_cache_dir

    rows = model_status()
    if args.json:
        doc = {
            "models": [
                {"name": r.name, "path": str(r.path), "present": r.present, "verified": r.verified,
                 "size_bytes": r.size_bytes, "url": r.url, "sha256": r.sha256, "description": r.description}
                for r in rows
            ],
            "search_dirs": [str(d) for d in (*bundled_dirs(), models_cache_dir())],
            "custom_paths": CUSTOM_NOTE,
        }
        print(json.dumps(doc, indent=2))
        return 0
    for r in rows:
        if not r.present:
            state = "missing (downloaded on first use)"
        elif r.verified:
            state = "ok, sha256 verified"
        else:
            state = "CORRUPT or not the official file (sha256 differs): delete it"
        size = f"{r.size_bytes / 1e6:.1f} MB" if r.size_bytes is not None else "-"
        print(f"{r.name:<6} {state}")
        print(f"       path: {r.path}  ({size})")
        print(f"       url:  {r.url}")
    print(CUSTOM_NOTE)
    return 0
