"""The warm-up guidance, as data.

Everything the planner knows about a warm-up lives here: the exercises (purpose, cues, how
long a rep takes, how many reps), the slots a plan is built from (in order, each with its
alternatives for rotation and a priority for the time budget), how the session ahead, the
training phase, the athlete's feel and injury history tailor the plan, and which regression
fixes a persistent fault. :mod:`formcheck.plan.planner` only reads these tables; there are no
per-exercise branches in the code.

Conventions
- Priorities: lower is more important; the budget solver fills by priority and drops the
  rest. Tailoring adds deltas by tag (an exercise's tags include its kind).
- Doses: ``reps = (min, base, max)``; ``rep_s`` is the time one rep takes with its rest and
  walk-back, so a block lasts ``reps * rep_s`` seconds. Jogs are timed: their "reps" are
  30-second slices and are not shown as reps.
- Drill names in ``camera_check`` and in faults are the ones formcheck analyses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import lcm
from types import MappingProxyType
from typing import Mapping

#: Block kinds, in the vocabulary of the JSON output.
KINDS = ("jog", "mobility", "drill", "activation", "strides", "balance", "coordination", "accelerations")

#: Drills formcheck can analyse from video (the values of ``camera_check``).
CAMERA_DRILLS = ("a-skip", "high-knees", "march", "butt-kicks", "skip", "strides", "calf-raises",
                 "single-leg-balance")

#: Sections of a plan, in the order of the guidance (the opening jog comes before, the jog into
#: the session after; an injury emphasis and fault regressions can move blocks forward).
SECTIONS = ("mobility", "drills", "activation", "transitions", "balance", "coordination", "sharpening")

MIN_MINUTES = 6      # opening jog (4 min at least) + jog into the session (2 min)
MAX_MINUTES = 60     # a longer warm-up is a training session of its own
MAX_DRILLS = 4       # quality over volume: more drills dilute the effect
MAX_BLOCKS = 12      # ... and more blocks between the jogs thin every one of them
BLOCK_S = 60         # a block earns its place with about a minute of the time left
JOG_STEP_S = 30      # jogs grow and shrink in 30-second steps


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalog: what it is for, how to do it, and how long it takes."""

    key: str
    name: str
    kind: str
    purpose: str
    cues: tuple[str, ...]
    camera_check: str | None = None
    rep_unit: str = ""                       # how a rep reads after "N x": "20 m", "8 each leg"
    rep_s: int = 30                          # seconds per rep, rest and walk-back included
    reps: tuple[int, int, int] = (1, 2, 3)   # min, base, max
    tags: frozenset[str] = frozenset()       # for tailoring; the kind is added automatically
    complexity: int = 1                      # 1 simple .. 3 complex (drills)
    timed: bool = False                      # jogs: a duration, no reps

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"exercise {self.key!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.camera_check is not None and self.camera_check not in CAMERA_DRILLS:
            raise ValueError(f"exercise {self.key!r}: camera_check {self.camera_check!r} is not an analysed drill")
        lo, base, hi = self.reps
        if not 1 <= lo <= base <= hi:
            raise ValueError(f"exercise {self.key!r}: reps must be 1 <= min <= base <= max, got {self.reps}")
        if self.rep_s <= 0 or self.rep_s % 15:
            raise ValueError(f"exercise {self.key!r}: rep_s must be a positive multiple of 15, got {self.rep_s}")
        object.__setattr__(self, "tags", frozenset(self.tags) | {self.kind})


def _ex(key: str, name: str, kind: str, purpose: str, cues: tuple[str, ...], **kw) -> Exercise:
    if "tags" in kw:
        kw["tags"] = frozenset(kw["tags"])
    return Exercise(key, name, kind, purpose, cues, **kw)


_EXERCISES = (
    # ------------------------------------------------------------------ jogs
    _ex("easy-jog", "Easy jog", "jog",
        "Raise heart rate and muscle temperature gradually.",
        ("Breathing even", "Shoulders relaxed", "Steady cadence"),
        timed=True, rep_s=JOG_STEP_S, reps=(8, 10, 20)),
    _ex("jog-in", "Easy jog into the session", "jog",
        "Settle the breathing after the faster running and stay warm into the first rep.",
        ("Easy, conversational effort", "Shoulders relaxed", "Straight into the first rep"),
        timed=True, rep_s=JOG_STEP_S, reps=(4, 4, 6)),
    # ------------------------------------------------------------------ mobility
    _ex("ankle-circles", "Ankle circles", "mobility",
        "Ankle pliability for push-off and landing.",
        ("Slow, full circles each way", "Keep the knee still", "Stand tall; hold a support if needed"),
        rep_unit="8 each way per foot", reps=(1, 1, 3), tags={"ankle"}),
    _ex("knee-to-wall", "Knee-to-wall ankle rocks", "mobility",
        "Ankle pliability: the shin travels forward over the foot as it does in running.",
        ("Heel stays down", "Knee tracks over the second toe", "Smooth rocks, no bouncing"),
        rep_unit="10 rocks each ankle", reps=(1, 1, 3), tags={"ankle"}),
    _ex("dynamic-hip-extensions", "Dynamic hip extensions", "mobility",
        "Open the front of the hip for a full back-swing.",
        ("Squeeze the glute as the leg swings back", "Pelvis level, no arching", "Tall torso"),
        rep_unit="10 each leg", tags={"hip"}),
    _ex("knee-to-chest", "Knee-to-chest pulls", "mobility",
        "Mobilise the hip in flexion and stretch the glute of the lifted leg.",
        ("Pull the knee to the chest, rise onto the standing toes", "Tall torso", "Slow walk, alternate legs"),
        rep_unit="8 each leg", tags={"hip"}),
    _ex("thoracic-rotations", "Thoracic rotations", "mobility",
        "Free the upper back so the arms swing without twisting the hips.",
        ("Turn from the upper back, hips square", "Breathe out into the turn", "Slow and controlled"),
        rep_unit="8 each side", reps=(1, 1, 2), tags={"thoracic"}),
    _ex("lunge-rotations", "Walking lunge with rotation", "mobility",
        "Thoracic spine and hip mobility together: rotate over the front leg.",
        ("Rotate toward the front knee", "Front knee over the foot", "Tall back, hips square"),
        rep_unit="5 each side", reps=(1, 1, 2), tags={"thoracic", "hip"}),
    # ------------------------------------------------------------------ drills
    _ex("march", "High-knee marches", "drill",
        "Rehearse the knee drive and tall posture slowly; the base of the A-skip.",
        ("Knee to hip height, toes up", "Tall on the support leg", "Opposite arm with opposite knee",
         "Crisp form, short rests"),
        camera_check="march", rep_unit="20 m", complexity=1),
    _ex("butt-kicks", "Butt kicks", "drill",
        "Quick heel recovery under the hip.",
        ("Heel to glute, knee points down", "Quick, light contacts", "Crisp form, short rests"),
        camera_check="butt-kicks", rep_unit="20 m", complexity=1, tags={"bouncy"}),
    _ex("high-knees", "High knees", "drill",
        "Fast knee drive with quick, light contacts.",
        ("Knee to hip height", "Quick, light contacts under the hips", "Tall posture, arms driving",
         "Crisp form, short rests"),
        camera_check="high-knees", rep_unit="20 m", complexity=2, tags={"bouncy"}),
    _ex("skip-in-place", "Skip in place", "drill",
        "Rhythm and elastic ankles for the skipping drills.",
        ("Light, springy contacts", "Drive the knee up on each skip", "Opposite arm with opposite knee",
         "Crisp form, short rests"),
        camera_check="skip", rep_unit="20 s", complexity=2, tags={"bouncy"}),
    _ex("a-skip", "A-skips", "drill",
        "Coordinate knee drive, toe-up and an active foot strike under the hip.",
        ("Knee to hip height, toes up", "Foot claws down under the hip", "Tall posture",
         "Crisp form, short rests"),
        camera_check="a-skip", rep_unit="20 m", complexity=3, tags={"bouncy", "complex"}),
    _ex("walking-heel-pulls", "Walking heel pulls", "drill",
        "Slow version of butt kicks: the heel comes up under the hip.",
        ("Heel to glute, knee points down", "Tall on the standing leg", "Slow and controlled"),
        rep_unit="20 m", complexity=1),
    # ------------------------------------------------------------------ activation
    _ex("standing-hip-bridges", "Standing hip bridges", "activation",
        "Wake up the glutes to extend the hip.",
        ("Controlled tempo", "Core engaged", "Squeeze the glute, ribs down"),
        rep_unit="8 each leg", tags={"glute"}),
    _ex("band-side-steps", "Band side steps", "activation",
        "Glute medius for a level pelvis and the knee in line on landing.",
        ("Controlled tempo", "Core engaged", "Knees push out against the band"),
        rep_unit="10 steps each way", tags={"glute"}),
    _ex("resisted-leg-drives", "Resisted leg drives", "activation",
        "Hip flexor drive against resistance for the knee lift.",
        ("Controlled tempo", "Core engaged", "Drive the knee up, stay tall on the support leg"),
        rep_unit="8 each leg", tags={"drive"}),
    _ex("slow-calf-raises", "Slow calf raises", "activation",
        "Controlled calf work to load the calf and Achilles before any bouncing.",
        ("Three counts up, three counts down", "Weight over the big toe", "Pain-free range only"),
        camera_check="calf-raises", rep_unit="5 slow reps", tags={"calf", "controlled"}),
    _ex("calf-raise-holds", "Calf-raise holds", "activation",
        "Controlled calf work: isometric holds load the calf and Achilles gently.",
        ("Rise halfway and hold", "Body in one line", "Pain-free range only"),
        rep_unit="20 s holds", tags={"calf", "controlled"}),
    _ex("calf-raises-lean", "Forward-lean calf raises", "activation",
        "Load the calf and Achilles in the running position.",
        ("Lean from the ankles against a wall", "Rise high, lower slowly", "Hips forward, body in one line"),
        camera_check="calf-raises", rep_unit="12 reps", reps=(1, 1, 2), tags={"calf"}),
    # ------------------------------------------------------------------ transitions
    _ex("light-strides", "Short strides", "strides",
        "Bridge from drills to running at a light cadence.",
        ("Quick, light contacts", "Lean from the ankles", "Relaxed face and hands"),
        camera_check="strides", rep_unit="60 m, walk back", rep_s=45, reps=(1, 2, 4), tags={"fast"}),
    # ------------------------------------------------------------------ balance, coordination
    _ex("single-leg-stand", "Single-leg stands", "balance",
        "Stability of the standing leg for landing.",
        ("Eyes forward", "Tall torso", "Soft knee"),
        camera_check="single-leg-balance", rep_unit="20 s each leg", rep_s=45, reps=(1, 2, 3)),
    _ex("supported-single-leg-stand", "Supported single-leg stands", "balance",
        "Regression for balance: find stillness with a fingertip on a wall, then let go.",
        ("Fingertips on a wall", "Eyes forward", "Tall torso, soft knee"),
        camera_check="single-leg-balance", rep_unit="20 s each leg", rep_s=45, reps=(1, 2, 3)),
    _ex("arm-leg-swings", "Opposite arm and leg swings", "coordination",
        "Coordinate the opposite arm and leg timing of running.",
        ("Opposite arm swings with the leg", "Tall torso, hips square", "Rhythmic and relaxed"),
        rep_unit="10 each side", reps=(1, 1, 2)),
    # ------------------------------------------------------------------ sharpening
    _ex("accelerations", "Short accelerations", "accelerations",
        "Rehearse the pace changes of the session.",
        ("Smooth start, then quicker", "Lean from the ankles, stay tall", "Fast feet, relaxed shoulders"),
        rep_unit="30 m, walk back", rep_s=45, reps=(1, 2, 4), tags={"fast", "accel"}),
    _ex("pace-change-runs", "Change-of-pace runs", "accelerations",
        "Rehearse the pace changes of the session: float, quick, float.",
        ("Switch gears smoothly", "Quick feet in the fast part", "Relaxed shoulders"),
        rep_unit="60 m float-fast-float", rep_s=45, reps=(1, 2, 4), tags={"fast", "accel"}),
    _ex("race-pace-strides", "Strides to race pace", "strides",
        "Build to a few near-interval efforts so the first rep is not a shock.",
        ("Build to interval pace, not faster", "Hold form as speed rises", "Jog back fully recovered"),
        camera_check="strides", rep_unit="80 m to race pace", rep_s=60, reps=(1, 2, 4),
        tags={"fast", "race-pace"}),
)

EXERCISES: Mapping[str, Exercise] = MappingProxyType({e.key: e for e in _EXERCISES})
EXERCISES_BY_NAME: Mapping[str, Exercise] = MappingProxyType({e.name: e for e in _EXERCISES})

OPENING_JOG = "easy-jog"
CLOSING_JOG = "jog-in"


@dataclass(frozen=True)
class Slot:
    """A place in the plan: one of ``alternatives`` is used (rotation picks which)."""

    key: str
    section: str
    alternatives: tuple[str, ...]
    priority: int | None  # None: only used when an injury puts it first

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"slot {self.key!r}: section {self.section!r} is not one of {', '.join(SECTIONS)}")
        missing = [a for a in self.alternatives if a not in EXERCISES]
        if not self.alternatives or missing:
            raise ValueError(f"slot {self.key!r}: unknown or no alternatives {missing}")


#: The plan's skeleton between the two jogs, in order within each section.
SLOTS = (
    Slot("hip-mobility", "mobility", ("dynamic-hip-extensions", "knee-to-chest"), 10),
    Slot("ankle-mobility", "mobility", ("ankle-circles", "knee-to-wall"), 12),
    Slot("thoracic-mobility", "mobility", ("thoracic-rotations", "lunge-rotations"), 30),
    Slot("calf-control", "activation", ("slow-calf-raises", "calf-raise-holds"), None),
    Slot("march", "drills", ("march",), 13),
    Slot("heel-drill", "drills", ("butt-kicks",), 25),
    Slot("rhythm-drill", "drills", ("skip-in-place", "high-knees"), 21),
    Slot("a-skip", "drills", ("a-skip",), 18),
    Slot("glute-activation", "activation", ("standing-hip-bridges", "band-side-steps"), 16),
    Slot("leg-drive", "activation", ("resisted-leg-drives",), 33),
    Slot("light-strides", "transitions", ("light-strides",), 11),
    Slot("calf-lean", "transitions", ("calf-raises-lean",), 27),
    Slot("balance", "balance", ("single-leg-stand",), 31),
    Slot("coordination", "coordination", ("arm-leg-swings",), 35),
    Slot("accelerations", "sharpening", ("accelerations", "pace-change-runs"), 20),
    Slot("race-pace", "sharpening", ("race-pace-strides",), 19),
)
SLOTS_BY_KEY: Mapping[str, Slot] = MappingProxyType({s.key: s for s in SLOTS})

#: Rotation: a new period every 2-4 weeks (chosen per athlete) counted from a Monday.
ROTATION_EPOCH_ISO = "2024-01-01"
ROTATION_WEEKS = (2, 3, 4)
#: Variants cycle through every combination of alternatives at least once.
VARIANT_CYCLE = lcm(*(len(s.alternatives) for s in SLOTS))
#: Sections whose slot order also rotates (order within them does not matter).
ROTATING_SECTIONS = ("mobility",)


def _m(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class Tailoring:
    """How one choice (session, phase, feel or injury) changes the plan."""

    key: str
    reason: str = ""
    priority: Mapping[str, int] = field(default_factory=lambda: _m({}))   # tag -> delta (+ = later/less)
    dose: Mapping[str, float] = field(default_factory=lambda: _m({}))     # tag -> rep multiplier
    max_reps: Mapping[str, int] = field(default_factory=lambda: _m({}))   # tag -> reps cap per block
    max_drills: int | None = None
    max_blocks: int | None = None
    max_bouncy: int | None = None
    max_complexity: int | None = None
    spare_to_jog: bool = False      # spare time lengthens the jogs before adding reps
    lead: tuple[str, ...] = ()      # slots that open the plan (after the first jog), in order
    exclude: tuple[str, ...] = ()   # slots left out

    def __post_init__(self) -> None:
        bad = [s for s in (*self.lead, *self.exclude) if s not in SLOTS_BY_KEY]
        if bad:
            raise ValueError(f"tailoring {self.key!r}: unknown slots {bad}")


SESSIONS: Mapping[str, Tailoring] = _m({
    "short": Tailoring(
        "short",
        "short fast reps ahead: accelerations rehearse the pace changes before the first rep",
        priority=_m({"accel": -6})),
    "long": Tailoring(
        "long",
        "longer reps ahead: more mobility and rhythm, fewer accelerations",
        priority=_m({"accel": 10, "mobility": -2}),
        dose=_m({"accel": 0.67}),
        max_reps=_m({"accel": 2})),
})

PHASES: Mapping[str, Tailoring] = _m({
    "base": Tailoring(
        "base",
        "base phase: more drill and balance work, few fast efforts",
        priority=_m({"race-pace": 20, "drill": -3, "balance": -6, "coordination": -6}),
        dose=_m({"drill": 1.5})),
    "build": Tailoring("build"),
    "peak": Tailoring(
        "peak",
        "peak phase: sharper, with race-pace strides before drill volume",
        priority=_m({"race-pace": -5, "accel": -2}),
        dose=_m({"drill": 0.75}),
        max_drills=3),
    "race-week": Tailoring(
        "race-week",
        "race week: short, sharp drill work and strides at race pace; spare time goes to easy jogging",
        priority=_m({"race-pace": -16, "accel": -4, "activation": 6, "balance": 8, "coordination": 8,
                     "thoracic": 6}),
        dose=_m({"drill": 0.5, "activation": 0.5, "mobility": 0.75}),
        max_reps=_m({"drill": 2, "activation": 2, "race-pace": 3, "accel": 3}),
        max_drills=2,
        max_blocks=7,
        spare_to_jog=True,
        exclude=("thoracic-mobility", "heel-drill", "leg-drive", "calf-lean", "balance", "coordination")),
})

FEELS: Mapping[str, Tailoring] = _m({
    "fresh": Tailoring(
        "fresh",
        "fresh: full volume of strides and accelerations",
        dose=_m({"fast": 1.34})),
    "normal": Tailoring("normal"),
    "tired": Tailoring(
        "tired",
        "tired: less volume and intensity, fewer fast efforts, simpler drills done well",
        priority=_m({"accel": 12, "race-pace": 15, "bouncy": 4, "mobility": -3}),
        dose=_m({"fast": 0.5, "drill": 0.75}),
        max_reps=_m({"race-pace": 2, "accel": 2, "drill": 2}),
        max_drills=3,
        max_blocks=7,
        max_complexity=2,
        spare_to_jog=True),
})

_ACHILLES = dict(
    reason="ankle pliability and controlled calf work first; bouncy drills limited to one, short set",
    priority=_m({"bouncy": 8}),
    dose=_m({"bouncy": 0.5, "ankle": 2.0}),
    max_reps=_m({"bouncy": 1}),
    max_bouncy=1,
    lead=("ankle-mobility", "calf-control"),
    exclude=("calf-lean",),
)
_HIP = dict(
    reason="hip mobility and glute activation first, before any fast running",
    lead=("hip-mobility", "glute-activation"),
)

INJURIES: Mapping[str, Tailoring] = _m({
    "achilles": Tailoring("achilles", **_ACHILLES),
    "calf": Tailoring("calf", **_ACHILLES),
    "hip": Tailoring("hip", **_HIP),
    "groin": Tailoring("groin", **_HIP),
})


@dataclass(frozen=True)
class Regression:
    """The regression that fixes a persistent fault, placed just before the faulty drill.

    ``signals`` are metric names or cue ids that identify the fault; empty means any fault of
    the drill. ``drill`` None matches any drill.
    """

    drill: str | None
    signals: tuple[str, ...]
    exercise: str
    cue: str

    def __post_init__(self) -> None:
        if self.drill is not None and self.drill not in CAMERA_DRILLS:
            raise ValueError(f"regression: unknown drill {self.drill!r}")
        if self.exercise not in EXERCISES:
            raise ValueError(f"regression: unknown exercise {self.exercise!r}")


#: Where a faulty drill sits in the plan (the exercise filmed and checked).
FAULT_TARGETS: Mapping[str, str] = _m({
    "a-skip": "a-skip",
    "high-knees": "high-knees",
    "march": "march",
    "butt-kicks": "butt-kicks",
    "skip": "skip-in-place",
    "strides": "light-strides",
    "calf-raises": "calf-raises-lean",
    "single-leg-balance": "single-leg-stand",
})

#: Fault -> regression. Looked up as (drill, signal), then (any drill, signal), then the drill's default.
REGRESSIONS = (
    Regression("a-skip", ("knee_lift_deg", "knee-height", "toe_up_deg", "toes-up"), "march",
               "Marches first: knee to hip height, toes up; keep that lift in the A-skips"),
    Regression("a-skip", ("trunk_lean_deg", "lean-back", "bend-forward"), "march",
               "Marches first: tall, hips under you; keep that posture in the A-skips"),
    Regression("a-skip", ("arm_leg_phase_deg", "arms"), "arm-leg-swings",
               "Arm and leg swings first: opposite arm with opposite knee"),
    Regression("a-skip", (), "march", "Marches first: rehearse the A-skip shape slowly, then skip"),
    Regression("high-knees", ("knee_lift_deg", "knee-height", "toe_up_deg", "toes-up"), "march",
               "Marches first: thigh level with the hip before adding speed"),
    Regression("high-knees", (), "march", "Marches first: same posture and lift, slower"),
    Regression("skip", ("knee_lift_deg", "knee-drive"), "march",
               "Marches first: drive the knee up and forward, then skip"),
    Regression("skip", ("arm_leg_phase_deg", "arms"), "arm-leg-swings",
               "Arm and leg swings first: find the opposite arm, opposite knee rhythm"),
    Regression("skip", (), "march", "Marches first: find the rhythm slowly, then skip"),
    Regression("march", ("trunk_lean_deg", "lean-back", "bend-forward"), "single-leg-stand",
               "Single-leg stands first: tall and still over the standing foot"),
    Regression("march", (), "resisted-leg-drives",
               "Resisted leg drives first: feel the hip lift the knee, then march"),
    Regression("butt-kicks", (), "walking-heel-pulls",
               "Walking heel pulls first: heel to glute under the hip, knee pointing down"),
    Regression("strides", ("hip_hinge_deg", "hinge", "sit-back", "body_lean_deg", "lean-more", "lean-less"),
               "calf-raises-lean", "Calf raises from a lean first: feel the lean come from the ankles"),
    Regression("strides", (), "march", "Marches first: step down under the hip; land under your hips in the strides"),
    Regression("calf-raises", (), "slow-calf-raises", "Slow calf raises first: full rise, three counts down"),
    Regression("single-leg-balance", (), "supported-single-leg-stand",
               "Supported stands first: still with a fingertip on the wall, then let go"),
    Regression(None, ("knee_tracking_deg", "knee-tracking"), "band-side-steps",
               "Band side steps first: knees push out; keep the knee over the foot"),
)
