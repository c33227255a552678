"""A clip's pose sequence, kept on disk so that a second run skips pose estimation.

Entries live in ``$FORMCHECK_CACHE/poses/`` (default ``~/.cache/formcheck/poses``), one
``<key>.npz`` per clip and settings (the :class:`~formcheck.sequence.PoseSequence` file format).
The key is a SHA-256 over

- the clip's content fingerprint (:func:`clip_fingerprint`): the whole file for clips up to
  ``FULL_HASH_MAX_BYTES`` (64 MiB); above that, the size plus the first and last 8 MiB and
  sixteen 1 MiB samples spread evenly in between, which any re-encode, trim or edit changes;
- the model file's SHA-256;
- every setting that changes the result (passed in as a JSON-able dict), and
  ``CACHE_FORMAT``, bumped whenever the pose pipeline's output changes meaning.

Writes are atomic (temporary file, then rename). An entry that cannot be read, or whose stored
key differs, is treated as a miss and rewritten by the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from formcheck.pose.models import cache_root
from formcheck.sequence import PoseSequence

CACHE_FORMAT = "formcheck.pose-cache/1"
FULL_HASH_MAX_BYTES = 64 << 20
_EDGE_BYTES = 8 << 20
_SAMPLE_BYTES = 1 << 20
_SAMPLES = 16
_CHUNK = 1 << 20


def poses_cache_dir() -> Path:
    return cache_root() / "poses"


def clip_fingerprint(path: str | os.PathLike) -> str:
    """SHA-256 of the clip's content (sampled for files over ``FULL_HASH_MAX_BYTES``; see module doc)."""
    path = Path(path)
    size = path.stat().st_size
    h = hashlib.sha256(f"size={size};".encode())
    with open(path, "rb") as fh:
        if size <= FULL_HASH_MAX_BYTES:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
        else:
            h.update(b"sampled;")
            step = (size - 2 * _EDGE_BYTES) // (_SAMPLES + 1)
            spans = [(0, _EDGE_BYTES)]
            spans += [(_EDGE_BYTES + k * step, _SAMPLE_BYTES) for k in range(1, _SAMPLES + 1)]
            spans += [(size - _EDGE_BYTES, _EDGE_BYTES)]
            for offset, length in spans:
                fh.seek(offset)
                remaining = length
                while remaining > 0 and (chunk := fh.read(min(_CHUNK, remaining))):
                    h.update(chunk)
                    remaining -= len(chunk)
    return h.hexdigest()


def cache_key(fingerprint: str, model_sha256: str, settings: dict[str, Any]) -> str:
    payload = json.dumps(
        {"format": CACHE_FORMAT, "clip": fingerprint, "model": model_sha256, "settings": settings},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class PoseCache:
    """Load and store pose sequences by key in one folder (default :func:`poses_cache_dir`)."""

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = poses_cache_dir() if folder is None else Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def load(self, key: str) -> PoseSequence | None:
        """The stored sequence, or None when absent or unreadable (a bad entry is removed)."""
        p = self.path(key)
        if not p.is_file():
            return None
        try:
            seq = PoseSequence.load_npz(p)
            if seq.meta.get("cache_key") != key:
                raise ValueError("stored key differs")
            return seq
        except Exception:  # any damage means "not cached": the entry is removed and recomputed
            p.unlink(missing_ok=True)
            return None

    def store(self, key: str, seq: PoseSequence) -> Path | None:
        """Write atomically; returns None (and keeps going) when the cache folder is not writable."""
        try:
            return seq.replace(meta={**seq.meta, "cache_key": key}).save_npz(self.path(key))
        except OSError:
            return None
