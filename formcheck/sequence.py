"""``PoseSequence``: the checked core type for one athlete's pose over a clip.

Shapes (``n`` frames, 33 landmarks, see :class:`formcheck.landmarks.Landmark`):

- ``xy``          (n, 33, 2) float, image pixels of the upright frame, x right, y down; NaN where missing
- ``z``           (n, 33)    float, depth relative to the hips, in the same pixel scale as x; NaN where missing
- ``visibility``  (n, 33)    float in [0, 1]; 0 where missing
- ``world``       (n, 33, 3) float, metres, origin between the hips, y down; NaN where missing
- ``t_s``         (n,)       float, each frame's own timestamp in seconds, strictly increasing
- ``detected``    (n,)       bool, True where the pose model found the athlete in that frame
- ``width``, ``height``      the upright frame size in pixels
- ``meta``        JSON-able dict (source path, model, settings)

Built only through the constructor, which validates; every transformation returns a new
sequence (``replace``), so a sequence never changes under a caller's feet.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.landmarks import MIRROR, N_LANDMARKS, Landmark

NPZ_FORMAT = "formcheck.pose/1"


def _check_shape(name: str, arr: np.ndarray, expected: tuple) -> None:
    ok = arr.ndim == len(expected) and all(e is None or a == e for a, e in zip(arr.shape, expected))
    if not ok:
        exp = "(" + ", ".join("n" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"PoseSequence.{name} must have shape {exp}, got {arr.shape}")


@dataclass(frozen=True, eq=False)
class PoseSequence:
    xy: np.ndarray
    visibility: np.ndarray
    t_s: np.ndarray
    width: int
    height: int
    z: np.ndarray | None = None
    world: np.ndarray | None = None
    detected: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=np.float64)
        n = xy.shape[0] if xy.ndim >= 1 else -1
        _check_shape("xy", xy, (None, N_LANDMARKS, 2))
        vis = np.asarray(self.visibility, dtype=np.float64)
        _check_shape("visibility", vis, (n, N_LANDMARKS))
        t = np.asarray(self.t_s, dtype=np.float64)
        _check_shape("t_s", t, (n,))
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("PoseSequence.t_s must be strictly increasing")
        if not np.all(np.isfinite(t)):
            raise ValueError("PoseSequence.t_s must be finite")
        z = np.full((n, N_LANDMARKS), np.nan) if self.z is None else np.asarray(self.z, dtype=np.float64)
        _check_shape("z", z, (n, N_LANDMARKS))
        world = np.full((n, N_LANDMARKS, 3), np.nan) if self.world is None else np.asarray(self.world, dtype=np.float64)
        _check_shape("world", world, (n, N_LANDMARKS, 3))
        if self.detected is None:
            det = np.any(np.isfinite(xy[..., 0]), axis=1)
        else:
            det = np.asarray(self.detected, dtype=bool)
        _check_shape("detected", det, (n,))
        if int(self.width) <= 0 or int(self.height) <= 0:
            raise ValueError(f"PoseSequence frame size must be positive, got {self.width}x{self.height}")
        for name, arr in (("xy", xy), ("visibility", vis), ("t_s", t), ("z", z), ("world", world), ("detected", det)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "width", int(self.width))
        object.__setattr__(self, "height", int(self.height))
        object.__setattr__(self, "meta", dict(self.meta))

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.xy.shape[0])

    @property
    def n_frames(self) -> int:
        return len(self)

    @property
    def frame_size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def frames_with_pose(self) -> int:
        return int(np.count_nonzero(self.detected))

    @property
    def coverage(self) -> float:
        """Fraction of frames in which the pose model found the athlete."""
        return self.frames_with_pose / len(self) if len(self) else 0.0

    @property
    def duration_s(self) -> float:
        if len(self) < 2:
            return 0.0
        return float(self.t_s[-1] - self.t_s[0] + np.median(np.diff(self.t_s)))

    @property
    def fps(self) -> float:
        """Typical frame rate (from the median frame interval; frames may be spaced unevenly)."""
        if len(self) < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.t_s)))

    def point(self, landmark: Landmark | int) -> np.ndarray:
        """(n, 2) pixel track of one landmark."""
        return self.xy[:, int(landmark), :]

    def replace(self, **changes: Any) -> "PoseSequence":
        """A new, validated sequence with some fields changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return PoseSequence(**values)

    def slice(self, start: int, stop: int) -> "PoseSequence":
        """Frames ``start:stop`` as a new sequence (timestamps kept)."""
        s = slice(start, stop)
        return self.replace(
            xy=self.xy[s], visibility=self.visibility[s], t_s=self.t_s[s], z=self.z[s],
            world=self.world[s], detected=self.detected[s],
        )

    def swap_sides(self, frames: np.ndarray | None = None) -> "PoseSequence":
        """Exchange left and right labels (all frames, or where ``frames`` is True)."""
        sel = np.ones(len(self), dtype=bool) if frames is None else np.asarray(frames, dtype=bool)
        xy, vis, z, world = (a.copy() for a in (self.xy, self.visibility, self.z, self.world))
        xy[sel] = xy[sel][:, MIRROR]
        vis[sel] = vis[sel][:, MIRROR]
        z[sel] = z[sel][:, MIRROR]
        world[sel] = world[sel][:, MIRROR]
        return self.replace(xy=xy, visibility=vis, z=z, world=world)

    def flipped_horizontally(self) -> "PoseSequence":
        """The same pose seen in a mirror: x -> width - x. Landmark labels stay as they are."""
        xy = self.xy.copy()
        xy[..., 0] = self.width - xy[..., 0]
        world = self.world.copy()
        world[..., 0] = -world[..., 0]
        return self.replace(xy=xy, world=world)

    # ------------------------------------------------------------------ files
    def save_npz(self, path: str | os.PathLike) -> Path:
        """Write to ``path`` atomically (a temporary file, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez_compressed(
                    fh, format=np.array(NPZ_FORMAT), xy=self.xy, visibility=self.visibility, t_s=self.t_s,
                    z=self.z, world=self.world, detected=self.detected,
                    size=np.array([self.width, self.height]), meta=np.array(json.dumps(self.meta)),
                )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load_npz(cls, path: str | os.PathLike) -> "PoseSequence":
        with np.load(path, allow_pickle=False) as d:
            fmt = str(d["format"]) if "format" in d else ""
            if fmt != NPZ_FORMAT:
                raise ValueError(f"{path} is not a formcheck pose file (format {fmt!r}, expected {NPZ_FORMAT!r})")
            w, h = (int(v) for v in d["size"])
            return cls(
                xy=d["xy"], visibility=d["visibility"], t_s=d["t_s"], width=w, height=h, z=d["z"],
                world=d["world"], detected=d["detected"], meta=json.loads(str(d["meta"])),
            )

    def to_csv(self, path: str | os.PathLike) -> Path:
        """One row per frame: frame, t_s, detected, then x, y, z, visibility of each landmark by name."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", newline="") as fh:
                w = csv.writer(fh)
                header = ["frame", "t_s", "detected"]
                for lm in Landmark:
                    n = lm.name.lower()
                    header += [f"{n}_x", f"{n}_y", f"{n}_z", f"{n}_visibility"]
                w.writerow(header)
                for i in range(len(self)):
                    row: list[Any] = [i, f"{self.t_s[i]:.6f}", int(self.detected[i])]
                    for j in range(N_LANDMARKS):
                        vals = (self.xy[i, j, 0], self.xy[i, j, 1], self.z[i, j], self.visibility[i, j])
                        row += ["" if not np.isfinite(v) else f"{v:.3f}" for v in vals]
                    w.writerow(row)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
