"""Shared test fixtures.

Real clips are read from ``FORMCHECK_SHARED_VIDEOS`` (default ``../shared/videos`` beside the
checkout); tests that need them are skipped when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_VIDEOS = Path(os.environ.get("FORMCHECK_SHARED_VIDEOS", ROOT.parent / "shared" / "videos"))


@pytest.fixture(scope="session")
def shared_videos() -> Path:
    if not SHARED_VIDEOS.is_dir():
        pytest.skip(f"real clips not found at {SHARED_VIDEOS}")
    return SHARED_VIDEOS


@pytest.fixture(scope="session")
def pose2sim(shared_videos: Path) -> Path:
    d = shared_videos / "pose2sim"
    if not (d / "singleperson_cam01.mp4").is_file():
        pytest.skip(f"pose2sim clips not found in {d}")
    return d
