"""Pick the athlete among the people the pose model found, and keep them for the whole clip.

Pure numpy: works on :class:`Candidate` poses (one per person found in a frame), whatever
model produced them.

1. **Tracks.** Candidates are linked frame to frame into tracks by the continuity of the
   torso centre (mean of shoulders and hips) and of body size (torso length: shoulder
   midpoint to hip midpoint). A candidate may join a track only if its centre lies within
   ``jitter_torso + max_speed_torso_per_s * dt`` torso lengths of where the track is heading
   and its size is within ``max_size_ratio``; the assignment that costs least overall wins,
   so two people who cross keep their own tracks. A track waits ``max_gap_s`` for its person
   to reappear. Both measures are unchanged by a left/right label swap.
2. **The athlete.** One track is chosen by ``athlete`` (see :data:`ATHLETE_CHOICES`), then
   continued across longer gaps by tracks that start after it ends (or end before it starts),
   with the same distance and size gates, nearest first.
3. **Limb labels.** The model sometimes swaps the left and right legs (or arms) for a few
   frames, mostly in side views. For each limb pair the labelling of every frame is chosen by
   dynamic programming over the clip: the path that moves the limb points least (displacement
   plus acceleration, in torso lengths), plus ``limb_swap_prior_torso`` per swapped frame so that
   the model's own labels win where continuity cannot tell (limbs together, long runs).

The result is a :class:`~formcheck.sequence.PoseSequence` with ``detected`` False in the frames
where the athlete was not found.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.landmarks import ARM, LEG, MIRROR, N_LANDMARKS, Landmark
from formcheck.sequence import PoseSequence

_TORSO = np.array([Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP])
_SHOULDERS = np.array([Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER])
_HIPS = np.array([Landmark.LEFT_HIP, Landmark.RIGHT_HIP])

#: Limb groups whose labels are checked, without the root joint (hips and shoulders are
#: far apart in front views, where the model rarely swaps them).
LIMB_GROUPS: dict[str, np.ndarray] = {
    "legs": np.array(LEG["left"][1:]),
    "arms": np.array(ARM["left"][1:] + (Landmark.LEFT_PINKY, Landmark.LEFT_INDEX, Landmark.LEFT_THUMB)),
}

AthleteChoice = Union[str, tuple[float, float]]

#: Named ways to choose the athlete; a ``(x_frac, y_frac)`` point of the frame is also accepted.
ATHLETE_CHOICES: dict[str, str] = {
    "auto": "the person the camera is on: large, in view longest and near the centre of the frame",
    "largest": "the person who is largest and in view longest (size x presence summed over the clip)",
    "left": "the person furthest left",
    "right": "the person furthest right",
    "center": "the person nearest the centre of the frame",
}


@dataclass(frozen=True, eq=False)
class Candidate:
    """One person's pose in one frame.

    ``xy`` (33, 2) pixels of the upright frame; ``z`` (33,) depth in the same pixel scale;
    ``visibility`` and ``presence`` (33,) in [0, 1]; ``world`` (33, 3) metres, hips origin.
    """

    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray

    def __post_init__(self) -> None:
        for name, shape in (("xy", (N_LANDMARKS, 2)), ("z", (N_LANDMARKS,)), ("visibility", (N_LANDMARKS,)),
                            ("presence", (N_LANDMARKS,)), ("world", (N_LANDMARKS, 3))):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != shape:
                raise ValueError(f"Candidate.{name} must have shape {shape}, got {arr.shape}")
            object.__setattr__(self, name, arr)

    @cached_property
    def center(self) -> np.ndarray:
        """Torso centre: mean of both shoulders and both hips (unchanged by a left/right swap)."""
        return self.xy[_TORSO].sum(axis=0) / 4.0

    @cached_property
    def size(self) -> float:
        """Torso length in pixels: shoulder midpoint to hip midpoint (unchanged by a left/right swap)."""
        d = (self.xy[_SHOULDERS].sum(axis=0) - self.xy[_HIPS].sum(axis=0)) / 2.0
        return math.hypot(float(d[0]), float(d[1]))

    @cached_property
    def score(self) -> float:
        """How surely the whole person is in the frame: mean landmark presence."""
        return float(self.presence.sum()) / N_LANDMARKS


_PACKED_FIELDS = 8  # x, y, z, visibility, presence, world x, y, z
_NO_PEOPLE = np.zeros((0, N_LANDMARKS, _PACKED_FIELDS), dtype=np.float32)


class PackedFrames(Sequence):
    """The candidates of every frame of a clip, kept compactly (float32, ~1 kB per person per frame)
    and turned back into :class:`Candidate` lists on access; ``frames[i]`` is a list."""

    def __init__(self) -> None:
        self._frames: list[np.ndarray] = []

    @staticmethod
    def pack(candidates: Sequence[Candidate]) -> np.ndarray:
        if not candidates:
            return _NO_PEOPLE
        return np.stack([
            np.concatenate([c.xy, c.z[:, None], c.visibility[:, None], c.presence[:, None], c.world], axis=1)
            for c in candidates
        ]).astype(np.float32)

    def append(self, candidates: Sequence[Candidate]) -> None:
        self._frames.append(self.pack(candidates))

    def __setitem__(self, i: int, candidates: Sequence[Candidate]) -> None:
        self._frames[i] = self.pack(candidates)

    def __len__(self) -> int:
        return len(self._frames)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        a = self._frames[i].astype(np.float64)
        return [Candidate(xy=p[:, 0:2], z=p[:, 2], visibility=p[:, 3], presence=p[:, 4], world=p[:, 5:8]) for p in a]

    def people(self, i: int) -> int:
        """How many people were found in frame ``i`` (without unpacking them)."""
        return int(self._frames[i].shape[0])


@dataclass(frozen=True)
class TrackSettings:
    """How tracks are linked and limb labels corrected (distances in torso lengths)."""

    max_speed_torso_per_s: float = 20.0  # a sprinter covers ~20 torso lengths per second
    jitter_torso: float = 0.5  # allowed at any frame step, for pose noise
    max_size_ratio: float = 1.5  # body size change allowed between linked frames
    size_weight: float = 2.0  # cost of a size change (per unit of |log ratio|) against distance
    new_track_cost: float = 1.0  # cost of starting a new track rather than continuing one
    max_gap_s: float = 1.0  # a track waits this long for its person to reappear
    min_size_px: float = 4.0  # smaller "people" are ignored
    center_sigma_frac: float = 0.25  # "auto": weight exp(-(d/sigma)^2) of the distance d from the frame centre
    limb_swap_prior_torso: float = 0.3  # cost of relabelling one frame's limb pair
    limb_max_gap_s: float = 0.25  # limb continuity is not assumed across longer gaps
    fix_limb_swaps: bool = True


def parse_athlete(value: AthleteChoice | str) -> AthleteChoice:
    """``"auto"``/``"largest"``/``"left"``/``"right"``/``"center"``, or a point ``(x_frac, y_frac)``
    (also written ``"0.3,0.6"``), each fraction in [0, 1]."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "centre":
            text = "center"
        if text in ATHLETE_CHOICES:
            return text
        parts = text.split(",")
        if len(parts) == 2:
            try:
                value = (float(parts[0]), float(parts[1]))
            except ValueError:
                pass
    if isinstance(value, (tuple, list)) and len(value) == 2:
        x, y = (float(v) for v in value)
        if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
            return (x, y)
    valid = ", ".join(ATHLETE_CHOICES)
    raise FormcheckError(
        f"unknown athlete choice {value!r}: use one of {valid}, or a point of the frame as x,y fractions (e.g. 0.3,0.6)"
    )


# ----------------------------------------------------------------------------- tracks
@dataclass
class _Track:
    frames: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # candidate index in each frame
    centers: list[np.ndarray] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))

    def add(self, frame: int, member: int, cand: Candidate, t_s: np.ndarray) -> None:
        center = cand.center
        if self.frames:
            dt = t_s[frame] - t_s[self.frames[-1]]
            if dt > 0:
                v = (center - self.centers[-1]) / dt
                self.velocity = v if len(self.frames) == 1 else 0.5 * self.velocity + 0.5 * v
        self.frames.append(frame)
        self.members.append(member)
        self.centers.append(center)
        self.sizes.append(cand.size)
        self.scores.append(cand.score)

    @property
    def size(self) -> float:
        recent = sorted(self.sizes[-5:])
        return recent[len(recent) // 2]


def _link_cost(center_from: np.ndarray, size_from: float, velocity: np.ndarray, dt: float,
               center_to: np.ndarray, size_to: float, s: TrackSettings) -> float:
    """Cost of saying that a person at ``center_from`` is at ``center_to`` ``dt`` seconds later; inf if gated out."""
    if size_to <= 0 or size_from <= 0:
        return math.inf
    ratio = abs(math.log(size_to / size_from))
    if ratio > math.log(s.max_size_ratio):
        return math.inf
    dx, dy = float(center_to[0] - center_from[0]), float(center_to[1] - center_from[1])
    px, py = dx - float(velocity[0]) * dt, dy - float(velocity[1]) * dt
    # the smaller of the two, so that a noisy velocity never gates out a person standing still
    dist = min(math.hypot(px, py), math.hypot(dx, dy)) / size_from
    if dist > s.jitter_torso + s.max_speed_torso_per_s * dt:
        return math.inf
    return float(dist + s.size_weight * ratio)


def _best_assignment(cost: np.ndarray, unmatched_cost: float) -> list[tuple[int, int]]:
    """Pairs (track, candidate) of least total cost, counting ``unmatched_cost`` for each candidate
    left without a track; exact (the few people per frame make the search small)."""
    n_rows, n_cols = cost.shape
    best_total, best_pairs = np.inf, []

    def search(col: int, used: frozenset, total: float, pairs: list) -> None:
        nonlocal best_total, best_pairs
        if total >= best_total:
            return
        if col == n_cols:
            best_total, best_pairs = total, list(pairs)
            return
        for row in range(n_rows):
            if row not in used and np.isfinite(cost[row, col]):
                pairs.append((row, col))
                search(col + 1, used | {row}, total + cost[row, col], pairs)
                pairs.pop()
        search(col + 1, used, total + unmatched_cost, pairs)

    search(0, frozenset(), 0.0, [])
    return best_pairs


def _build_tracks(frames: Sequence[Sequence[Candidate]], t_s: np.ndarray, s: TrackSettings) -> list[_Track]:
    tracks: list[_Track] = []
    live: list[_Track] = []  # tracks still waiting for their person
    for i, cands in enumerate(frames):
        usable = [k for k, c in enumerate(cands) if c.size >= s.min_size_px]
        live = [tr for tr in live if t_s[i] - t_s[tr.frames[-1]] <= s.max_gap_s]
        cost = np.full((len(live), len(usable)), np.inf)
        for r, tr in enumerate(live):
            dt = t_s[i] - t_s[tr.frames[-1]]
            for c, k in enumerate(usable):
                cost[r, c] = _link_cost(tr.centers[-1], tr.size, tr.velocity, dt, cands[k].center, cands[k].size, s)
        taken = set()
        for r, c in _best_assignment(cost, s.new_track_cost):
            live[r].add(i, usable[c], cands[usable[c]], t_s)
            taken.add(usable[c])
        for k in usable:
            if k not in taken:
                tr = _Track()
                tr.add(i, k, cands[k], t_s)
                tracks.append(tr)
                live.append(tr)
    return tracks


# ----------------------------------------------------------------------------- the athlete
def _choose_track(tracks: list[_Track], athlete: AthleteChoice, width: int, height: int, s: TrackSettings) -> int:
    def frac(c: np.ndarray) -> np.ndarray:
        return np.asarray(c) / (width, height)

    if athlete in ("auto", "largest"):
        scores = []
        for tr in tracks:
            weight = np.array(tr.sizes) * np.array(tr.scores)
            if athlete == "auto":
                d = np.linalg.norm(frac(np.array(tr.centers)) - 0.5, axis=1)
                weight = weight * np.exp(-((d / s.center_sigma_frac) ** 2))
            scores.append(weight.sum())
        return int(np.argmax(scores))
    # the position choices look only at people seen for a good part of the clip, not passing glimpses
    longest = max(len(tr.frames) for tr in tracks)
    pool = [j for j, tr in enumerate(tracks) if len(tr.frames) >= 0.25 * longest]
    xy = {j: np.median(frac(np.array(tracks[j].centers)), axis=0) for j in pool}
    if athlete == "left":
        return min(pool, key=lambda j: xy[j][0])
    if athlete == "right":
        return max(pool, key=lambda j: xy[j][0])
    target = np.array((0.5, 0.5) if athlete == "center" else athlete, dtype=float)
    return min(pool, key=lambda j: float(np.linalg.norm(xy[j] - target)))


def _chain(tracks: list[_Track], seed: int, t_s: np.ndarray, s: TrackSettings) -> list[int]:
    """The seed track plus the tracks that continue it before and after, nearest first."""
    chain = [seed]
    while True:
        first, last = tracks[chain[0]], tracks[chain[-1]]
        best = (np.inf, None, None)
        for j, tr in enumerate(tracks):  # only tracks wholly after or before the chain can continue it
            if tr.frames[0] > last.frames[-1]:  # continues after
                dt = t_s[tr.frames[0]] - t_s[last.frames[-1]]
                c = _link_cost(last.centers[-1], last.size, np.zeros(2), dt, tr.centers[0], tr.sizes[0], s)
                if c < best[0]:
                    best = (c, j, "after")
            elif tr.frames[-1] < first.frames[0]:  # leads in before
                dt = t_s[first.frames[0]] - t_s[tr.frames[-1]]
                c = _link_cost(first.centers[0], first.sizes[0], np.zeros(2), dt, tr.centers[-1], tr.size, s)
                if c < best[0]:
                    best = (c, j, "before")
        if best[1] is None:
            return chain
        if best[2] == "after":
            chain.append(best[1])
        else:
            chain.insert(0, best[1])


# ----------------------------------------------------------------------------- limb labels
def limb_swaps(xy: np.ndarray, t_s: np.ndarray, scale: np.ndarray, group: np.ndarray,
               *, prior: float = 0.3, max_gap_s: float = 0.25) -> np.ndarray:
    """Frames whose left/right labels of one limb group should be exchanged.

    ``xy`` (n, 33, 2) with NaN in frames without a pose; ``scale`` (n,) torso length per frame;
    ``group`` the left-side landmarks of the limb (their mirrors are the right side). Frames are
    split into runs without gaps longer than ``max_gap_s``; in each run a Viterbi pass over the
    labelling of (previous, current) frame picks the labels whose points move least (sum of
    displacement and acceleration, in torso lengths), plus ``prior`` per swapped frame.
    Returns a bool (n,) array.
    """
    n = xy.shape[0]
    out = np.zeros(n, dtype=bool)
    valid = np.all(np.isfinite(xy[:, np.concatenate([group, MIRROR[group]])]), axis=(1, 2)) & (scale > 0)
    idx = np.flatnonzero(valid)
    if idx.size < 2:
        return out
    breaks = np.flatnonzero(np.diff(t_s[idx]) > max_gap_s) + 1
    both = np.concatenate([group, MIRROR[group]])
    both_swapped = np.concatenate([MIRROR[group], group])
    for run in np.split(idx, breaks):
        if run.size >= 2:
            out[run] = _viterbi_labels(xy[run][:, both] / np.median(scale[run]),
                                       xy[run][:, both_swapped] / np.median(scale[run]), t_s[run], prior)
    return out


def _viterbi_labels(kept: np.ndarray, swapped: np.ndarray, t: np.ndarray, prior: float) -> np.ndarray:
    """Swap (True) or keep each frame's labels: least displacement + acceleration, plus ``prior`` per swapped frame.

    ``kept``/``swapped`` (m, p, 2): a run of frames' points under both labellings.
    """
    m = kept.shape[0]
    P = np.stack([kept, swapped], axis=1)  # (m, 2, p, 2)
    # first step: plain displacement between labelling a of frame 0 and b of frame 1
    first = np.linalg.norm(P[1][None, :] - P[0][:, None], axis=-1).sum(-1)  # (a, b)
    D = first + prior * (np.arange(2)[:, None] + np.arange(2)[None, :])
    if m == 2:
        a, b = np.unravel_index(int(np.argmin(D)), D.shape)
        return np.array([a, b], dtype=bool)
    ratio = ((t[2:] - t[1:-1]) / (t[1:-1] - t[:-2]))[:, None, None, None, None, None]
    pa = P[:-2][:, :, None, None]  # (k, a, 1, 1, p, 2)
    pb = P[1:-1][:, None, :, None]  # (k, 1, b, 1, p, 2)
    pc = P[2:][:, None, None, :]  # (k, 1, 1, c, p, 2)
    accel = np.linalg.norm(pc - (pb + (pb - pa) * ratio), axis=-1).sum(-1)  # (k, a, b, c)
    # plus the plain displacement: a swap hidden behind one glitched frame halfway between the
    # limbs looks like steady motion to the acceleration term alone
    step = np.linalg.norm(pc - pb, axis=-1).sum(-1)  # (k, 1, b, c)
    accel = accel + step + prior * np.arange(2)[None, None, None, :]
    back = np.zeros((m, 2, 2), dtype=np.intp)
    for k in range(2, m):
        total = D[:, :, None] + accel[k - 2]  # (a, b, c)
        back[k] = np.argmin(total, axis=0)  # best a for each (b, c)
        D = np.min(total, axis=0)  # (b, c)
    labels = np.zeros(m, dtype=bool)
    b, c = np.unravel_index(int(np.argmin(D)), D.shape)
    labels[m - 2], labels[m - 1] = b, c
    for k in range(m - 1, 1, -1):
        labels[k - 2] = back[k, int(labels[k - 1]), int(labels[k])]
    return labels


def _apply_swaps(arrays: dict[str, np.ndarray], frames: np.ndarray, group: np.ndarray) -> None:
    left, right = group, MIRROR[group]
    for arr in arrays.values():
        sub = arr[frames]
        sub[:, np.concatenate([left, right])] = sub[:, np.concatenate([right, left])]
        arr[frames] = sub


# ----------------------------------------------------------------------------- entry point
def track_athlete(frames: Sequence[Sequence[Candidate]], t_s: Sequence[float], width: int, height: int, *,
                  athlete: AthleteChoice = "auto", settings: TrackSettings = TrackSettings(),
                  meta: dict | None = None) -> PoseSequence:
    """One PoseSequence of the athlete from the candidates of every frame.

    ``frames[i]`` holds the candidates found at ``t_s[i]`` (possibly none). ``meta`` is copied
    into the sequence, with a ``"tracking"`` entry added: people seen, tracks, limb swaps fixed.
    """
    athlete = parse_athlete(athlete)
    t = np.asarray(t_s, dtype=np.float64)
    n = len(frames)
    if t.shape != (n,):
        raise ValueError(f"t_s must have one time per frame ({n}), got shape {t.shape}")
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    z = np.full((n, N_LANDMARKS), np.nan)
    vis = np.zeros((n, N_LANDMARKS))
    world = np.full((n, N_LANDMARKS, 3), np.nan)
    scale = np.zeros(n)
    detected = np.zeros(n, dtype=bool)

    tracks = _build_tracks(frames, t, settings)
    chain: list[int] = []
    if tracks:
        chain = _chain(tracks, _choose_track(tracks, athlete, width, height, settings), t, settings)
    for j in chain:
        for f, m in zip(tracks[j].frames, tracks[j].members):
            c = frames[f][m]
            xy[f], z[f], world[f], scale[f] = c.xy, c.z, c.world, c.size
            vis[f] = np.minimum(c.visibility, c.presence)
            detected[f] = True

    fixed = {}
    for name, group in LIMB_GROUPS.items():
        swaps = np.zeros(n, dtype=bool)
        if settings.fix_limb_swaps:
            swaps = limb_swaps(xy, t, scale, group, prior=settings.limb_swap_prior_torso,
                               max_gap_s=settings.limb_max_gap_s)
            if swaps.any():
                _apply_swaps({"xy": xy, "z": z, "vis": vis, "world": world}, swaps, group)
        fixed[name] = int(swaps.sum())

    if isinstance(frames, PackedFrames):
        people = max((frames.people(i) for i in range(n)), default=0)
    else:
        people = max((len(c) for c in frames), default=0)
    info = {
        "athlete": list(athlete) if isinstance(athlete, tuple) else athlete,
        "max_people_per_frame": people,
        "tracks": len(tracks),
        "athlete_tracks": len(chain),
        "leg_swaps_fixed": fixed["legs"],
        "arm_swaps_fixed": fixed["arms"],
    }
    out_meta = dict(meta or {})
    out_meta["tracking"] = info
    return PoseSequence(xy=xy, visibility=vis, t_s=t, width=width, height=height, z=z, world=world,
                        detected=detected, meta=out_meta)
