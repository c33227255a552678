"""Warm-up planner: pure functions from (time, session, phase, injuries, feel, athlete, date,
persistent faults) to an ordered :class:`Plan`.

The guidance lives in :mod:`formcheck.plan.catalog`; this module only solves the time budget:

1. the opening easy jog (4-5 min, a third of the time) and the jog into the session (2 min)
   are fixed first;
2. blocks an injury puts first (and fault regressions with the drill to film) are placed at
   their minimum dose; a plan that cannot hold the injury emphasis is refused;
3. every other slot is filled by priority at its base dose, trimmed to fewer reps or dropped
   when it does not fit, within the caps (drills, bouncy drills, complexity);
4. spare time adds reps up to each block's maximum, then lengthens the jogs, so the total is
   within 30 s of the request.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib
import math
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.plan import catalog as C
from formcheck.plan.catalog import Exercise, Tailoring


class PlanError(FormcheckError):
    """The warm-up request cannot be planned (unknown option, too little or too much time)."""


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Block:
    """One block of the plan: ``minutes`` long, ``reps`` of the exercise (None for jogs)."""

    name: str
    kind: str
    minutes: float
    reps: int | None
    purpose: str
    cues: tuple[str, ...]
    camera_check: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "minutes": self.minutes, "reps": self.reps,
                "purpose": self.purpose, "cues": list(self.cues), "camera_check": self.camera_check}


@dataclass(frozen=True)
class Rotation:
    """Which rotation period a date falls in for an athlete, and the variant it uses."""

    period_index: int
    period_weeks: int
    starts: _dt.date
    ends: _dt.date
    variant: str

    def to_dict(self) -> dict[str, Any]:
        return {"period_index": self.period_index, "period_weeks": self.period_weeks,
                "starts": self.starts.isoformat(), "ends": self.ends.isoformat(), "variant": self.variant}


@dataclass(frozen=True)
class PersistentFault:
    """A fault the coach workspace keeps seeing: a drill and the metric or cue id that is off."""

    drill: str
    metric: str | None = None
    cue_id: str | None = None


@dataclass(frozen=True)
class Plan:
    blocks: tuple[Block, ...]
    total_minutes: float
    athlete: str | None
    date: _dt.date
    rotation: Rotation
    emphasis: tuple[str, ...]
    flags: tuple[str, ...]   # drills to film

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_minutes": self.total_minutes,
            "blocks": [b.to_dict() for b in self.blocks],
            "athlete": self.athlete,
            "date": self.date.isoformat(),
            "rotation": self.rotation.to_dict(),
            "emphasis": list(self.emphasis),
            "flags": list(self.flags),
        }


# ---------------------------------------------------------------------------- checking input
def _choose(table: Mapping[str, Tailoring], value: Any, what: str) -> Tailoring:
    key = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    if key not in table:
        raise PlanError(f"unknown {what} {value!r}; choose one of: {', '.join(table)}")
    return table[key]


def _check_minutes(minutes: Any) -> int:
    """The budget in whole seconds."""
    if isinstance(minutes, bool):
        raise PlanError(f"minutes must be a number, got {minutes!r}")
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        raise PlanError(f"minutes must be a number such as 15, got {minutes!r}") from None
    if not math.isfinite(value) or value < C.MIN_MINUTES:
        raise PlanError(f"{minutes} minutes is too short: the opening jog and the jog into the session need "
                        f"{C.MIN_MINUTES}; ask for {C.MIN_MINUTES} to {C.MAX_MINUTES} minutes")
    if value > C.MAX_MINUTES:
        raise PlanError(f"{minutes} minutes is longer than any warm-up should be; ask for "
                        f"{C.MIN_MINUTES} to {C.MAX_MINUTES} minutes")
    return int(round(value * 60))


def _check_date(date: Any) -> _dt.date:
    if date is None:
        return _dt.date.today()
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    try:
        return _dt.date.fromisoformat(str(date).strip())
    except ValueError:
        raise PlanError(f"date must be YYYY-MM-DD, got {date!r}") from None


def _check_athlete(athlete: Any) -> str | None:
    if athlete is None:
        return None
    name = " ".join(str(athlete).split())
    return name or None


def as_persistent_fault(value: Any) -> PersistentFault:
    """A :class:`PersistentFault` from what a fault source gives: the dataclass itself, an object
    or mapping with ``drill`` and ``metric``/``cue_id``, a ``(drill, metric_or_cue_id)`` pair, or
    the text ``"DRILL:METRIC"``. The drill must be one formcheck analyses."""
    if isinstance(value, PersistentFault):
        fault = value
    elif isinstance(value, str):
        drill, _, signal = value.partition(":")
        fault = PersistentFault(drill.strip(), signal.strip() or None)
    elif isinstance(value, Mapping):
        fault = PersistentFault(str(value.get("drill", "")), value.get("metric"), value.get("cue_id"))
    elif isinstance(value, tuple | list) and len(value) == 2:
        fault = PersistentFault(str(value[0]), None if value[1] is None else str(value[1]))
    elif hasattr(value, "drill"):
        fault = PersistentFault(str(value.drill), getattr(value, "metric", None), getattr(value, "cue_id", None))
    else:
        raise PlanError(f"a persistent fault must be DRILL:METRIC, got {value!r}")
    drill = fault.drill.strip().lower()
    if drill not in C.CAMERA_DRILLS:
        raise PlanError(f"unknown drill {fault.drill!r} in a fault; choose one of: {', '.join(C.CAMERA_DRILLS)}")
    return PersistentFault(drill, fault.metric or None, fault.cue_id or None)


def regression_for(fault: PersistentFault) -> C.Regression:
    """The catalog's regression for a fault: by its metric or cue id, else the drill's default."""
    signals = {s for s in (fault.metric, fault.cue_id) if s}
    for match in (lambda r: r.drill == fault.drill and signals & set(r.signals),
                  lambda r: r.drill is None and signals & set(r.signals),
                  lambda r: r.drill == fault.drill and not r.signals):
        for reg in C.REGRESSIONS:
            if match(reg):
                return reg
    raise PlanError(f"no regression for drill {fault.drill!r} in the catalog")  # catalog gap


# ---------------------------------------------------------------------------- rotation
def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def rotation_for(athlete: str | None, date: _dt.date) -> Rotation:
    """The rotation period of ``date`` for ``athlete`` (deterministic, no state).

    The period length (2-4 weeks) is fixed per athlete; periods are counted in whole weeks from
    a Monday epoch, so each starts on a Monday. Consecutive periods use consecutive variants.
    """
    key = athlete or ""
    weeks = C.ROTATION_WEEKS[_digest("period", key) % len(C.ROTATION_WEEKS)]
    epoch = _dt.date.fromisoformat(C.ROTATION_EPOCH_ISO)
    index = ((date - epoch).days // 7) // weeks
    starts = epoch + _dt.timedelta(weeks=index * weeks)
    variant = index % C.VARIANT_CYCLE
    return Rotation(index, weeks, starts, starts + _dt.timedelta(days=7 * weeks - 1), chr(ord("A") + variant))


def _pick(slot: C.Slot, athlete: str | None, rotation: Rotation) -> str:
    """The slot's alternative for this period: consecutive periods always differ (n >= 2)."""
    n = len(slot.alternatives)
    offset = _digest("slot", athlete or "", slot.key) % n
    return slot.alternatives[(rotation.period_index + offset) % n]


# ---------------------------------------------------------------------------- tailoring
@dataclass(frozen=True)
class _Rules:
    priority: dict[str, int]
    dose: dict[str, float]
    max_reps: dict[str, int]
    max_drills: int
    max_blocks: int
    max_bouncy: int | None
    max_complexity: int | None
    spare_to_jog: bool
    lead: tuple[str, ...]
    exclude: frozenset[str]


def _combine(parts: Iterable[Tailoring]) -> _Rules:
    priority: dict[str, int] = {}
    dose: dict[str, float] = {}
    max_reps: dict[str, int] = {}
    max_drills, max_blocks, max_bouncy, max_complexity = C.MAX_DRILLS, C.MAX_BLOCKS, None, None
    lead: list[str] = []
    exclude: set[str] = set()
    spare_to_jog = False

    def lower(a, b):
        return b if a is None else a if b is None else min(a, b)

    for t in parts:
        for tag, d in t.priority.items():
            priority[tag] = priority.get(tag, 0) + d
        for tag, s in t.dose.items():
            dose[tag] = dose.get(tag, 1.0) * s
        for tag, m in t.max_reps.items():
            max_reps[tag] = lower(max_reps.get(tag), m)
        max_drills = lower(max_drills, t.max_drills)
        max_blocks = lower(max_blocks, t.max_blocks)
        max_bouncy = lower(max_bouncy, t.max_bouncy)
        max_complexity = lower(max_complexity, t.max_complexity)
        spare_to_jog = spare_to_jog or t.spare_to_jog
        lead += [s for s in t.lead if s not in lead]
        exclude |= set(t.exclude)
    return _Rules(priority, dose, max_reps, max_drills, max_blocks, max_bouncy, max_complexity, spare_to_jog,
                  tuple(lead),
                  frozenset(exclude - set(lead)))


def _dose(ex: Exercise, rules: _Rules) -> tuple[int, int, int]:
    lo, base, hi = ex.reps
    if ex.timed:
        return lo, base, hi
    cap = min([hi, *(rules.max_reps[t] for t in ex.tags if t in rules.max_reps)])
    scale = math.prod(rules.dose.get(t, 1.0) for t in ex.tags)
    hi = max(1, cap)
    lo = min(lo, hi)
    base = min(hi, max(lo, math.floor(base * scale + 0.5)))
    return lo, base, hi


# ---------------------------------------------------------------------------- solver
@dataclass
class _Item:
    ex: Exercise
    slot: str | None
    priority: float
    order: tuple
    dose: tuple[int, int, int]
    forced: bool = False
    reps: int = 0
    cues: list[str] = field(default_factory=list)
    before: list["_Item"] = field(default_factory=list)   # must come right after these regressions

    @property
    def placed(self) -> bool:
        return self.reps > 0

    def seconds(self, reps: int | None = None) -> int:
        return (self.reps if reps is None else reps) * self.ex.rep_s


def _section_order(rotation: Rotation) -> dict[str, int]:
    """Position of each slot inside its section; rotating sections shift with the variant."""
    pos: dict[str, int] = {}
    for section in C.SECTIONS:
        keys = [s.key for s in C.SLOTS if s.section == section]
        if section in C.ROTATING_SECTIONS and keys:
            shift = rotation.period_index % len(keys)
            keys = keys[shift:] + keys[:shift]
        pos.update({k: i for i, k in enumerate(keys)})
    return pos


def _build_items(rules: _Rules, athlete: str | None, rotation: Rotation) -> list[_Item]:
    position = _section_order(rotation)
    items = []
    for slot in C.SLOTS:
        led = slot.key in rules.lead
        if slot.key in rules.exclude or (slot.priority is None and not led):
            continue
        ex = C.EXERCISES[_pick(slot, athlete, rotation)]
        if led:
            priority, order = -1000 + rules.lead.index(slot.key), (0, rules.lead.index(slot.key))
        else:
            priority = slot.priority + sum(rules.priority.get(t, 0) for t in ex.tags)
            order = (1 + C.SECTIONS.index(slot.section), position[slot.key])
        items.append(_Item(ex, slot.key, priority, order, _dose(ex, rules), forced=led, cues=list(ex.cues)))
    return items


def _item_for(key: str, items: list[_Item], rules: _Rules, athlete: str | None, rotation: Rotation) -> _Item:
    """The plan item doing exercise ``key``, swapping it into its slot or adding it if needed."""
    for it in items:
        if it.ex.key == key:
            return it
    ex = C.EXERCISES[key]
    slot = next((s for s in C.SLOTS if key in s.alternatives), None)
    if slot is not None:
        for it in items:
            if it.slot == slot.key:   # the rotation picked another alternative: use this one
                it.ex, it.dose, it.cues = ex, _dose(ex, rules), list(ex.cues)
                return it
        position = _section_order(rotation)
        order = (1 + C.SECTIONS.index(slot.section), position[slot.key])
        priority = slot.priority if slot.priority is not None else 0
    else:
        order, priority = (len(C.SECTIONS) + 1, 0), 0
    it = _Item(ex, slot.key if slot else None, priority, order, _dose(ex, rules), cues=list(ex.cues))
    items.append(it)
    return it


def _fits_caps(it: _Item, placed: list[_Item], rules: _Rules) -> bool:
    if it.forced:
        return True
    if len(placed) >= rules.max_blocks:
        return False
    if rules.max_complexity is not None and it.ex.complexity > rules.max_complexity:
        return False
    if it.ex.kind == "drill" and sum(p.ex.kind == "drill" for p in placed) >= rules.max_drills:
        return False
    if ("bouncy" in it.ex.tags and rules.max_bouncy is not None
            and sum("bouncy" in p.ex.tags for p in placed) >= rules.max_bouncy):
        return False
    return True


def _minutes_text(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def make_plan(minutes: float = 15, session: str = "short", phase: str = "build", injuries: Iterable[str] = (),
              feel: str = "normal", athlete: str | None = None, date: _dt.date | str | None = None,
              persistent_faults: Iterable[Any] = ()) -> Plan:
    """Plan a warm-up of ``minutes`` before an interval ``session`` (short fast reps or longer reps).

    ``phase``: base, build, peak or race-week; ``injuries``: any of achilles, calf, hip, groin;
    ``feel``: fresh, normal or tired; ``athlete`` and ``date`` (default today) choose the rotation
    period; ``persistent_faults`` (:class:`PersistentFault`, ``(drill, metric)`` or ``"drill:metric"``)
    add the regression that fixes each fault before its drill and flag the drill to film.
    Raises :class:`PlanError` (a FormcheckError) with a one-line message for bad input.
    """
    budget = _check_minutes(minutes)
    session_t = _choose(C.SESSIONS, session, "session")
    phase_t = _choose(C.PHASES, phase, "phase")
    feel_t = _choose(C.FEELS, feel, "feel")
    if injuries is None or isinstance(injuries, str):
        injuries = () if injuries is None else (injuries,)
    injury_ts: list[Tailoring] = []
    for name in injuries:
        t = _choose(C.INJURIES, name, "injury")
        if t not in injury_ts:
            injury_ts.append(t)
    day = _check_date(date)
    athlete = _check_athlete(athlete)
    faults: list[PersistentFault] = []
    for f in persistent_faults or ():
        f = as_persistent_fault(f)
        if f not in faults:
            faults.append(f)

    rotation = rotation_for(athlete, day)
    rules = _combine([session_t, phase_t, feel_t, *injury_ts])
    items = _build_items(rules, athlete, rotation)
    emphasis = [f"{t.key}: {t.reason}" for t in injury_ts]  # injuries share reasons: name them

    # faults: the drill to film and its regression right before it
    flags: list[str] = []
    fault_items: list[tuple[PersistentFault, _Item, _Item]] = []
    for f in faults:
        reg = regression_for(f)
        target = _item_for(C.FAULT_TARGETS[f.drill], items, rules, athlete, rotation)
        regression = _item_for(reg.exercise, items, rules, athlete, rotation)
        for it in (target, regression):
            it.priority = min(it.priority, -500)
        if reg.cue not in regression.cues:
            regression.cues.insert(0, reg.cue)
        if regression is not target and regression not in target.before:
            target.before.append(regression)
        fault_items.append((f, target, regression))

    # 1. fixed jogs, with the opening jog a third of the time (4-5 min) and room for the lead
    opening, closing = (_Item(ex, None, -math.inf, (), ex.reps, cues=list(ex.cues))
                        for ex in (C.EXERCISES[C.OPENING_JOG], C.EXERCISES[C.CLOSING_JOG]))
    closing.reps = closing.dose[0]
    led = sorted((it for it in items if it.forced), key=lambda it: it.priority)
    need = opening.seconds(opening.dose[0]) + closing.seconds() + sum(it.seconds(it.dose[0]) for it in led)
    if budget < need:
        raise PlanError(f"{minutes} minutes is too short for the {' and '.join(t.key for t in injury_ts)} emphasis "
                        f"(opening jog, {', '.join(it.ex.name.lower() for it in led)}, jog into the session); "
                        f"ask for at least {math.ceil(need / 60)} minutes")
    step = opening.ex.rep_s
    opening.reps = max(opening.dose[0], min(opening.dose[1], budget // 3 // step,
                                            (budget - need) // step + opening.dose[0]))
    remaining = budget - opening.seconds() - closing.seconds()

    # 2. injury lead at its minimum dose (it fits), then fault drills and regressions
    placed: list[_Item] = []
    for it in led:
        it.reps = it.dose[0]
        remaining -= it.seconds()
        placed.append(it)
    for f, target, regression in fault_items:
        new = [it for it in (regression, target) if not it.placed]
        cost = sum(it.seconds(it.dose[0]) for it in new)
        if cost > remaining:
            emphasis.append(f"fault {f.drill} ({f.metric or f.cue_id or 'any'}): no time for "
                            f"{' and '.join(it.ex.name.lower() for it in new)}; "
                            f"ask for {_minutes_text(math.ceil(cost / 60))} more")
            continue
        for it in new:
            it.reps = it.dose[0]
            it.forced = True
            remaining -= it.seconds()
            placed.append(it)
        if f.drill not in flags:
            flags.append(f.drill)
        if regression is target:
            emphasis.append(f"fault {f.drill} ({f.metric or f.cue_id or 'any'}): {regression.cues[0]}; film it")
        else:
            emphasis.append(f"fault {f.drill} ({f.metric or f.cue_id or 'any'}): {regression.ex.name} placed "
                            f"before {target.ex.name}; film the {target.ex.name}")

    # 3. by priority: choose blocks at their minimum dose (about one per minute left, within the
    #    caps), then bring each to its base dose while time allows; the rest are dropped
    n_blocks = min(rules.max_blocks, remaining // C.BLOCK_S + len(placed))
    by_priority = sorted(items, key=lambda it: (it.priority, it.order))
    for it in by_priority:
        lo = it.dose[0]
        if it.placed or len(placed) >= n_blocks or not _fits_caps(it, placed, rules) or it.seconds(lo) > remaining:
            continue
        it.reps = lo
        remaining -= it.seconds()
        placed.append(it)
    for it in by_priority:
        if it.placed and it.reps < it.dose[1]:
            extra = min(it.dose[1] - it.reps, remaining // it.ex.rep_s)
            it.reps += extra
            remaining -= extra * it.ex.rep_s

    # 4. spare time: more reps up to each maximum (by priority, one at a time), then the jogs;
    #    the other way round when the tailoring keeps volume down
    def grow_blocks() -> int:
        left, grew = remaining, True
        while grew:
            grew = False
            for it in by_priority:
                if it.placed and it.reps < it.dose[2] and it.ex.rep_s <= left:
                    it.reps += 1
                    left -= it.ex.rep_s
                    grew = True
        return left

    def grow_jogs() -> int:
        left = remaining
        for jog in (opening, closing):
            more = max(0, min(jog.dose[2] - jog.reps, left // step))
            jog.reps += more
            left -= more * step
        return left

    for grow in ((grow_jogs, grow_blocks) if rules.spare_to_jog else (grow_blocks, grow_jogs)):
        remaining = grow()
    if remaining >= step:  # everything is at its maximum: the rest is easy running
        opening.reps += remaining // step
        remaining -= (remaining // step) * step
        emphasis.append("spare time goes to the opening easy jog")

    # order: jog, lead, sections, jog; each regression right before its drill (a regression that
    # an injury already puts first stays first)
    body = sorted((it for it in items if it.placed), key=lambda it: it.order)
    for it in list(body):
        for reg in it.before:
            if reg.placed and not (reg.slot in rules.lead and body.index(reg) < body.index(it)):
                body.remove(reg)
                body.insert(body.index(it), reg)
    ordered = [opening, *body, closing]

    emphasis += [t.reason for t in (session_t, phase_t, feel_t) if t.reason]
    n_drills = sum(it.ex.kind == "drill" for it in placed)
    if n_drills >= rules.max_drills and any(it.ex.kind == "drill" and not it.placed for it in items):
        emphasis.append(f"quality over volume: {n_drills} drills, done well")

    blocks = tuple(_block(it) for it in ordered)
    total = sum(it.seconds() for it in ordered)
    return Plan(blocks, round(total / 60, 2), athlete, day, rotation, tuple(emphasis), tuple(flags))


def _block(it: _Item) -> Block:
    return Block(name=it.ex.name, kind=it.ex.kind, minutes=round(it.seconds() / 60, 2),
                 reps=None if it.ex.timed else it.reps, purpose=it.ex.purpose, cues=tuple(it.cues),
                 camera_check=it.ex.camera_check)


# ---------------------------------------------------------------------------- fault sources
def library_faults(athlete: str, data_dir: Any = None,
                   module: str = "formcheck.library") -> tuple[PersistentFault, ...]:
    """Persistent faults for ``athlete`` from the coach workspace, when it is installed.

    Uses ``persistent_faults(athlete, data_dir=None)`` of ``module``; returns ``()`` when that
    module (or the function) does not exist. Each fault may be a PersistentFault, an object or
    mapping with ``drill`` and ``metric``/``cue_id``, or a ``(drill, metric)`` pair.
    """
    try:
        lib = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == module or module.startswith(exc.name + ".")):
            return ()
        raise
    provider: Callable[..., Iterable[Any]] | None = getattr(lib, "persistent_faults", None)
    if provider is None:
        return ()
    return tuple(as_persistent_fault(f) for f in provider(athlete, data_dir=data_dir))


# ---------------------------------------------------------------------------- rendering
def _mmss(minutes: float) -> str:
    s = int(round(minutes * 60))
    return f"{s // 60}:{s % 60:02d}"


def reps_text(block: Block) -> str:
    """How a block's reps read on paper: "2 x 20 m"; empty for jogs."""
    if block.reps is None:
        return ""
    ex = C.EXERCISES_BY_NAME.get(block.name)
    unit = ex.rep_unit if ex else ""
    return f"{block.reps} x {unit}".strip() if unit else str(block.reps)


def _camera_text(block: Block, flags: tuple[str, ...]) -> str:
    if block.camera_check is None:
        return "-"
    return f"{block.camera_check} - FILM THIS" if block.camera_check in flags else block.camera_check


def _title(plan: Plan) -> str:
    who = f" for {plan.athlete}" if plan.athlete else ""
    return f"Warm-up plan{who}, {plan.date.isoformat()}: {_mmss(plan.total_minutes)} total"


def _rotation_text(r: Rotation) -> str:
    return (f"period {r.period_index} ({r.period_weeks}-week block {r.starts.isoformat()} to "
            f"{r.ends.isoformat()}), variant {r.variant}")


def plan_to_text(plan: Plan, width: int = 78) -> str:
    """A plain-text table for a terminal or paper: one row per block (time, name, kind, reps),
    with its purpose, cues and camera check below."""
    lines = [_title(plan), f"Rotation: {_rotation_text(plan.rotation)}"]
    if plan.emphasis:
        lines.append("Why this order:")
        for e in plan.emphasis:
            lines += textwrap.wrap(e, width, initial_indent="  - ", subsequent_indent="    ")
    rows = [(str(i), _mmss(b.minutes), b.name, b.kind, reps_text(b) or "-") for i, b in enumerate(plan.blocks, 1)]
    head = ("#", "Time", "Block", "Kind", "Reps")
    widths = [max(len(r[c]) for r in (head, *rows)) for c in range(len(head))]
    right = {0, 1}

    def row(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = row(tuple("-" * w for w in widths))
    lines += ["", row(head), rule]
    indent = " " * (widths[0] + widths[1] + 4)

    def wrapped(text: str) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ")

    for b, r in zip(plan.blocks, rows):
        lines.append(row(r))
        lines += wrapped(b.purpose)
        lines += wrapped("Cues: " + "; ".join(b.cues))
        if b.camera_check:
            lines += wrapped("Camera check: " + _camera_text(b, plan.flags))
    lines += [rule, f"Total {_mmss(plan.total_minutes)}"]
    if plan.flags:
        lines.append("Film: " + ", ".join(plan.flags))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def plan_to_markdown(plan: Plan) -> str:
    """A printable Markdown page: heading, why the order, the block table, drills to film."""
    out = [f"# {_title(plan)}", "", f"Rotation: {_rotation_text(plan.rotation)}", ""]
    if plan.emphasis:
        out += ["## Why this order", "", *(f"- {_md(e)}" for e in plan.emphasis), ""]
    out += ["## Blocks", "", "| # | Block | Kind | Time | Reps | Purpose | Cues | Camera check |",
            "|---:|---|---|---:|---|---|---|---|"]
    for i, b in enumerate(plan.blocks, 1):
        out.append(f"| {i} | {_md(b.name)} | {b.kind} | {_mmss(b.minutes)} | {_md(reps_text(b)) or '-'} | "
                   f"{_md(b.purpose)} | {_md('; '.join(b.cues))} | {_md(_camera_text(b, plan.flags))} |")
    out += ["", f"**Total:** {_mmss(plan.total_minutes)}"]
    if plan.flags:
        out += ["", "## Film", "", *(f"- {f}" for f in plan.flags)]
    return "\n".join(out) + "\n"
