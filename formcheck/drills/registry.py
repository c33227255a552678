"""The drill registry: what each drill measures, what good form looks like, what a coach says.

A drill is a :class:`DrillSpec` -- pure data. Its :class:`MetricTarget` entries give, per metric,
the target band, the minor and major fault thresholds on the side(s) that matter, the weight in
the drill's score and where the numbers come from. Its :class:`CueSpec` entries give the coach's
words for a fault in one direction. Nothing in the analysis branches on a drill's name: the
scoring reads these tables (:mod:`formcheck.scoring`).

Metrics are named as in :mod:`formcheck.measure`; :data:`METRICS` says each one's unit and which
camera view can measure it (sagittal angles need a side view; ``knee_tracking_deg`` needs a front
view).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from formcheck.errors import FormcheckError

__all__ = [
    "COACHING_CONVENTION",
    "CueSpec",
    "DriftSpec",
    "DrillSpec",
    "METRICS",
    "MetricInfo",
    "MetricTarget",
    "REP_EVENTS",
    "UnknownDrillError",
    "get_drill",
    "list_drills",
    "measurable_in",
    "register_drill",
]

#: Source string for a number that is coaching practice rather than a measured norm.
COACHING_CONVENTION = "coaching convention"

#: What defines one rep, as understood by :func:`formcheck.measure.measure`.
REP_EVENTS = ("lift", "flexion", "step", "raise", "hold")
#: Which side of the target band a fault (and its cue) lies on.
DIRECTIONS = ("low", "high")
VIEWS = ("side", "front")


@dataclass(frozen=True)
class MetricInfo:
    """A metric's unit and the camera views that can measure it."""

    name: str
    unit: str  # "deg" | "pct" | "spm" | "frac" | "s" | "count"
    views: tuple[str, ...]  # subset of ("side", "front")
    label: str  # short human name for summaries
    of_main_metric: bool = False  # computed from the drill's main metric (then measurable only where that is)


def _m(name: str, unit: str, views: tuple[str, ...], label: str, of_main_metric: bool = False
       ) -> tuple[str, MetricInfo]:
    return name, MetricInfo(name, unit, views, label, of_main_metric)


_SIDE = ("side",)
_ANY = ("side", "front")

#: Every metric a drill may use (names as in the measurement contract).
METRICS: dict[str, MetricInfo] = dict([
    _m("knee_lift_deg", "deg", _SIDE, "knee lift"),
    _m("knee_flexion_deg", "deg", _SIDE, "knee flexion"),
    _m("toe_up_deg", "deg", _SIDE, "toe up (knee-ankle-toe)"),
    _m("body_lean_deg", "deg", _SIDE, "body lean"),
    _m("trunk_lean_deg", "deg", _SIDE, "trunk lean"),
    _m("hip_hinge_deg", "deg", _SIDE, "hip hinge"),
    _m("head_bob_pct", "pct", _ANY, "head bob"),
    _m("arm_leg_phase_deg", "deg", _SIDE, "arm-leg timing"),
    _m("cadence_spm", "spm", _ANY, "cadence"),
    _m("contact_offset_frac", "frac", _SIDE, "foot contact ahead of hip"),
    _m("symmetry_pct", "pct", _ANY, "left/right difference", of_main_metric=True),
    _m("hold_s", "s", _ANY, "hold time"),
    _m("sway_frac", "frac", _ANY, "sway"),
    _m("reps", "count", _ANY, "reps"),
    _m("heel_rise_frac", "frac", _SIDE, "heel rise"),
    _m("knee_tracking_deg", "deg", ("front",), "knee tracking"),
])


def measurable_in(metric: str, view: str) -> bool:
    """Whether ``metric`` can be measured from a ``view`` ("side" | "front" | "unknown") camera.

    An unknown view is treated as a side view (the measurement core then says how sure it is).
    """
    info = METRICS[metric]
    return (view if view in VIEWS else "side") in info.views


def _opt(x: float | None) -> float | None:
    return None if x is None else float(x)


@dataclass(frozen=True)
class MetricTarget:
    """Good form for one metric of one drill, and where faults begin.

    ``low``/``high`` bound the target band (``None`` = open on that side). ``minor_low`` and
    ``major_low`` are the thresholds below which a value is a minor / major fault (``None`` =
    being low does not matter); likewise ``minor_high``/``major_high`` above the band. A value on
    the side that matters scores 100 inside the band, 50 at the major threshold, 0 as far again
    beyond it (see :func:`formcheck.scoring.metric_score`). ``weight`` is the metric's share of
    the drill's score (0 = reported, not scored).
    """

    metric: str
    low: float | None
    high: float | None
    minor_low: float | None = None
    major_low: float | None = None
    minor_high: float | None = None
    major_high: float | None = None
    weight: float = 1.0
    source: str = COACHING_CONVENTION

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; valid: {', '.join(METRICS)}")
        for name in ("low", "high", "minor_low", "major_low", "minor_high", "major_high"):
            object.__setattr__(self, name, _opt(getattr(self, name)))
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if lo > hi:
            raise ValueError(f"{self.metric}: target band [{self.low}, {self.high}] is empty")
        for minor, major, side in ((self.minor_low, self.major_low, "low"), (self.minor_high, self.major_high, "high")):
            if (minor is None) != (major is None):
                raise ValueError(f"{self.metric}: give both the minor and the major {side} threshold, or neither")
            if minor is None:
                continue
            edge = self.low if side == "low" else self.high
            if edge is None:
                raise ValueError(f"{self.metric}: a {side} fault threshold needs a {side} band edge")
            ordered = major <= minor <= edge if side == "low" else edge <= minor <= major
            if not ordered or major == edge:
                raise ValueError(f"{self.metric}: {side} thresholds must run band edge -> minor -> major, "
                                 f"got edge {edge}, minor {minor}, major {major}")
        if not (self.weight >= 0 and math.isfinite(self.weight)):
            raise ValueError(f"{self.metric}: weight must be a non-negative number, got {self.weight}")
        if not self.source:
            raise ValueError(f"{self.metric}: say where the numbers come from (source)")

    @property
    def target(self) -> tuple[float | None, float | None]:
        return (self.low, self.high)

    def checks(self, direction: str) -> bool:
        """Whether a fault in ``direction`` ("low" | "high") is judged for this metric."""
        return (self.major_low if direction == "low" else self.major_high) is not None

    def fault(self, value: float | None) -> tuple[str, str] | None:
        """``(direction, severity)`` of the fault ``value`` shows, or ``None`` (no fault / no value)."""
        if value is None or not math.isfinite(value):
            return None
        if self.minor_low is not None and value < self.minor_low:
            return ("low", "major" if value < self.major_low else "minor")
        if self.minor_high is not None and value > self.minor_high:
            return ("high", "major" if value > self.major_high else "minor")
        return None


@dataclass(frozen=True)
class CueSpec:
    """The coach's words for a fault of ``metric`` in ``direction`` ("low" | "high").

    ``text`` may contain ``{side}``, filled with the side ("left" | "right") that shows the fault
    more (used by the left/right asymmetry cue).
    """

    id: str
    metric: str
    direction: str
    text: str

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"cue {self.id!r}: direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.metric not in METRICS:
            raise ValueError(f"cue {self.id!r}: unknown metric {self.metric!r}")
        if not self.text.strip():
            raise ValueError(f"cue {self.id!r}: empty text")


@dataclass(frozen=True)
class DriftSpec:
    """Fatigue drift: the main metric's change from the first third to the last third of the reps.

    ``minor_change``/``major_change`` are in the main metric's unit, counted in the direction in
    which the main metric's fault lies (for knee lift: a drop). ``weight`` ranks the cue among
    the others; drift does not change the score.
    """

    minor_change: float
    major_change: float
    text: str
    min_reps: int = 6
    weight: float = 0.5
    source: str = COACHING_CONVENTION
    id: str = "fatigue"

    def __post_init__(self) -> None:
        if not 0 < self.minor_change < self.major_change:
            raise ValueError(f"drift thresholds must satisfy 0 < minor < major, got {self.minor_change}, "
                             f"{self.major_change}")
        if self.min_reps < 3:
            raise ValueError("drift needs at least 3 reps (a first and a last third)")


@dataclass(frozen=True)
class DrillSpec:
    """One drill: what defines a rep, what is scored, and the coach's cues.

    ``targets`` are scored from a side view (metrics a side view cannot see are left out of the
    score in a front view and reported as not measured); ``front_targets`` are scored only from a
    front view. ``info_metrics`` are measured and reported but not scored. ``main_metric`` is the
    one left/right symmetry and fatigue drift are judged on.
    """

    name: str
    title: str
    description: str
    rep_event: str
    main_metric: str
    targets: tuple[MetricTarget, ...]
    cues: tuple[CueSpec, ...]
    front_targets: tuple[MetricTarget, ...] = ()
    info_metrics: tuple[str, ...] = ()
    drift: DriftSpec | None = None
    min_reps: int = 4
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        where = f"drill {self.name!r}"
        if self.rep_event not in REP_EVENTS:
            raise ValueError(f"{where}: rep_event must be one of {REP_EVENTS}, got {self.rep_event!r}")
        names = [t.metric for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"{where}: a metric has two targets")
        if self.main_metric not in names:
            raise ValueError(f"{where}: main metric {self.main_metric!r} has no target")
        for t in self.front_targets:
            if "front" not in METRICS[t.metric].views or t.metric in names:
                raise ValueError(f"{where}: front target {t.metric!r} must be a front-view metric not in targets")
        for m in self.info_metrics:
            if m not in METRICS:
                raise ValueError(f"{where}: unknown info metric {m!r}")
        all_targets = {t.metric: t for t in (*self.targets, *self.front_targets)}
        ids = [c.id for c in self.cues]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{where}: cue ids must be unique")
        for c in self.cues:
            t = all_targets.get(c.metric)
            if t is None or not t.checks(c.direction):
                raise ValueError(f"{where}: cue {c.id!r} needs a {c.direction} fault threshold on {c.metric!r}")
        for t in all_targets.values():
            for d in DIRECTIONS:
                if t.checks(d) and not any(c.metric == t.metric and c.direction == d for c in self.cues):
                    raise ValueError(f"{where}: {t.metric} has a {d} fault threshold but no cue for it")
        if self.drift is not None and self.fault_direction(self.main_metric) is None:
            raise ValueError(f"{where}: drift needs exactly one fault direction on the main metric")

    # ------------------------------------------------------------------ lookups
    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric to measure for this drill (scored in either view, then informational)."""
        out: list[str] = []
        for m in (*(t.metric for t in self.targets), *(t.metric for t in self.front_targets), *self.info_metrics):
            if m not in out:
                out.append(m)
        return tuple(out)

    def metrics_for(self, view: str) -> tuple[str, ...]:
        """The metrics to measure and report from ``view``: from a front view also the front-only
        ones (the side-view ones are then reported as not measured)."""
        front = tuple(t.metric for t in self.front_targets)
        return tuple(m for m in self.metrics if view == "front" or m not in front)

    def targets_for(self, view: str) -> tuple[MetricTarget, ...]:
        """The targets scored from ``view``: ``targets`` (side / unknown) or the front-view set."""
        if view == "front":
            return tuple(t for t in self.targets if self.measurable(t.metric, "front")) + self.front_targets
        return self.targets

    def measurable(self, metric: str, view: str) -> bool:
        """Whether this drill's ``metric`` can be measured from ``view`` (see :func:`measurable_in`)."""
        if METRICS[metric].of_main_metric and not measurable_in(self.main_metric, view):
            return False
        return measurable_in(metric, view)

    def target(self, metric: str) -> MetricTarget | None:
        for t in (*self.targets, *self.front_targets):
            if t.metric == metric:
                return t
        return None

    def cues_for(self, metric: str, direction: str) -> tuple[CueSpec, ...]:
        return tuple(c for c in self.cues if c.metric == metric and c.direction == direction)

    def side_view_metrics(self) -> tuple[str, ...]:
        """This drill's scored metrics that a front-view camera cannot measure."""
        return tuple(t.metric for t in self.targets if not self.measurable(t.metric, "front"))

    def fault_direction(self, metric: str) -> str | None:
        """The direction in which ``metric`` is judged a fault ("low" | "high"), if exactly one."""
        t = self.target(metric)
        if t is None:
            return None
        dirs = [d for d in DIRECTIONS if t.checks(d)]
        return dirs[0] if len(dirs) == 1 else None


# ---------------------------------------------------------------------------- registry
class UnknownDrillError(FormcheckError):
    """A drill name that is not registered."""


_REGISTRY: dict[str, DrillSpec] = {}
_ALIASES: dict[str, str] = {}


def register_drill(spec: DrillSpec) -> DrillSpec:
    """Add ``spec`` to the registry (a name may be registered once)."""
    key = spec.name.lower()
    if key in _REGISTRY or key in _ALIASES:
        raise ValueError(f"drill {spec.name!r} is already registered")
    _REGISTRY[key] = spec
    for a in spec.aliases:
        _ALIASES[a.lower()] = key
    return spec


def _ensure_loaded() -> None:
    if not _REGISTRY:
        from formcheck.drills import catalog  # noqa: F401  (registers the built-in drills)


def list_drills() -> tuple[str, ...]:
    """Names of the registered drills, in catalogue order."""
    _ensure_loaded()
    return tuple(s.name for s in _REGISTRY.values())


def get_drill(name: str) -> DrillSpec:
    """The drill called ``name`` (case-insensitive; ``_`` and spaces read as ``-``).

    An unknown name raises :class:`UnknownDrillError` listing the valid ones.
    """
    _ensure_loaded()
    key = str(name).strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        raise UnknownDrillError(f"unknown drill {name!r}; choose one of: {', '.join(list_drills())} (or 'auto')")
    return _REGISTRY[key]
