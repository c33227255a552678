"""Warm-up planner: budget, order, tailoring, rotation, fault feedback, output."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
import sys

import pytest

from formcheck.errors import FormcheckError
from formcheck.plan import (
    CAMERA_DRILLS,
    KINDS,
    PersistentFault,
    PlanError,
    make_plan,
    plan_to_markdown,
    plan_to_text,
    regression_for,
    rotation_for,
)
from formcheck.plan import catalog as C
from formcheck.plan.planner import library_faults

DAY = dt.date(2026, 5, 12)
MINUTES = range(8, 41)
SESSIONS = ("short", "long")
PHASES = ("base", "build", "peak", "race-week")
FEELS = ("fresh", "normal", "tired")
INJURY_SETS = ((), ("achilles",), ("calf",), ("hip",), ("groin",), ("achilles", "hip"), ("calf", "groin"))
GRID = list(itertools.product(MINUTES, SESSIONS, PHASES, INJURY_SETS, FEELS))


def plan(minutes=15, session="short", phase="build", injuries=(), feel="normal", **kw):
    kw.setdefault("athlete", "ana")
    kw.setdefault("date", DAY)
    return make_plan(minutes, session, phase, injuries, feel, **kw)


def ex(block):
    return C.EXERCISES_BY_NAME[block.name]


def tagged(p, tag):
    return [i for i, b in enumerate(p.blocks) if tag in ex(b).tags]


def kinds_at(p, *kinds):
    return [i for i, b in enumerate(p.blocks) if b.kind in kinds]


def work_minutes(p):
    """Minutes of everything but easy jogging."""
    return sum(b.minutes for b in p.blocks if b.kind != "jog")


def fast_efforts(p):
    """Reps of accelerations and near-race-pace strides."""
    return sum(b.reps for b in p.blocks if b.kind == "accelerations" or "race-pace" in ex(b).tags)


@pytest.fixture(scope="module")
def grid_plans():
    return {args: plan(*args) for args in GRID}


# ---------------------------------------------------------------------------- budget and shape
def test_grid_budget_and_shape(grid_plans):
    for (minutes, *_), p in grid_plans.items():
        assert abs(p.total_minutes - minutes) <= 1, (minutes, p.total_minutes)
        assert abs(sum(b.minutes for b in p.blocks) - p.total_minutes) < 1e-6
        first, last = p.blocks[0], p.blocks[-1]
        assert (first.kind, first.name) == ("jog", "Easy jog")
        assert (last.kind, last.name) == ("jog", "Easy jog into the session")
        assert last.minutes >= 2 and first.minutes >= 4
        assert all(b.kind != "jog" for b in p.blocks[1:-1])
        assert all(b.kind in KINDS and b.camera_check in (*CAMERA_DRILLS, None) for b in p.blocks)
        assert all(b.minutes > 0 and (b.reps is None) == (b.kind == "jog") for b in p.blocks)
        assert len({b.name for b in p.blocks}) == len(p.blocks)
        assert sum(b.kind == "drill" for b in p.blocks) <= C.MAX_DRILLS


def test_opening_jog_is_a_third_of_the_time_between_4_and_5_minutes():
    # hand-worked: 8 min -> 8/3 = 2.7 -> 4:00; 13.5 -> 4:30; 15 -> 5:00 (a third, in 30 s steps)
    assert plan(8).blocks[0].minutes == 4.0
    assert plan(13.5).blocks[0].minutes == 4.5
    assert plan(15).blocks[0].minutes == 5.0


def test_fractional_minutes_stay_within_the_budget():
    for m in (6, 6.5, 9.25, 17.75, 59.9, 60):
        p = plan(m)
        assert abs(p.total_minutes - m) <= 0.5 and p.total_minutes <= m


def test_the_smallest_plan_is_the_two_jogs():
    p = plan(6)
    assert [(b.name, b.minutes) for b in p.blocks] == [("Easy jog", 4.0), ("Easy jog into the session", 2.0)]


def test_drill_cap_quality_over_volume():
    # four drill slots in the catalog: all fit in 40 minutes, peak phase keeps three of them
    assert len(kinds_at(plan(40, phase="base", feel="fresh"), "drill")) == C.MAX_DRILLS == 4
    p = plan(40, phase="peak", feel="fresh")
    assert len(kinds_at(p, "drill")) == C.PHASES["peak"].max_drills == 3
    assert any("quality over volume" in e for e in p.emphasis)


# ---------------------------------------------------------------------------- injuries
@pytest.mark.parametrize("injury", ["achilles", "calf"])
def test_achilles_calf_put_ankle_and_controlled_calf_work_first(grid_plans, injury):
    for (m, s, ph, injs, f), p in grid_plans.items():
        if injury not in injs:
            continue
        ankle, calf = tagged(p, "ankle"), tagged(p, "controlled")
        assert ankle[0] == 1 and calf[0] == 2, [b.name for b in p.blocks]
        dynamic = kinds_at(p, "drill", "strides", "accelerations")
        assert not dynamic or max(ankle[0], calf[0]) < min(dynamic)
        bouncy = [p.blocks[i] for i in tagged(p, "bouncy")]
        assert len(bouncy) <= 1 and all(b.reps == 1 for b in bouncy), [(b.name, b.reps) for b in bouncy]
        assert any(e.startswith(f"{injury}:") for e in p.emphasis)


def test_achilles_limits_bouncy_drills_compared_with_no_injury():
    def bouncy_reps(p):
        return sum(p.blocks[i].reps for i in tagged(p, "bouncy"))

    for m in (12, 15, 20, 30):
        assert bouncy_reps(plan(m, injuries=["achilles"])) <= 1
    for m in (20, 30):
        assert bouncy_reps(plan(m)) > 1


@pytest.mark.parametrize("injury", ["hip", "groin"])
def test_hip_groin_put_mobility_and_glute_activation_before_fast_running(grid_plans, injury):
    for (m, s, ph, injs, f), p in grid_plans.items():
        if injury not in injs:
            continue
        hip = [i for i in tagged(p, "hip") if p.blocks[i].kind == "mobility"]
        glute = [i for i in tagged(p, "glute") if p.blocks[i].kind == "activation"]
        assert hip and glute
        lead = 3 if ("achilles" in injs or "calf" in injs) else 1   # both emphases: ankle/calf come first
        assert (hip[0], glute[0]) == (lead, lead + 1), [b.name for b in p.blocks]
        fast = kinds_at(p, "strides", "accelerations")
        assert not fast or glute[0] < min(fast)


def test_injury_emphasis_that_does_not_fit_is_refused():
    # 4 min jog + ankle 0:30 + calf 0:30 + 2 min jog = 7 min
    assert plan(7, injuries=["achilles"]).total_minutes == 7
    with pytest.raises(PlanError, match="at least 7 minutes"):
        plan(6, injuries=["achilles"])


# ---------------------------------------------------------------------------- feel and phase
def test_tired_has_fewer_fast_efforts_and_simpler_drills_than_fresh(grid_plans):
    stricter = 0
    for (m, s, ph, injs, f), tired in grid_plans.items():
        if f != "tired":
            continue
        fresh = grid_plans[(m, s, ph, injs, "fresh")]
        assert fast_efforts(tired) <= fast_efforts(fresh), (m, s, ph, injs)
        assert all(ex(b).complexity <= 2 for b in tired.blocks if b.kind == "drill")
        if m >= 15 and fast_efforts(fresh) > 0:
            assert fast_efforts(tired) < fast_efforts(fresh), (m, s, ph, injs)
            stricter += 1
        if m >= 15 and ph != "race-week":  # race week already gives spare time to jogging
            assert work_minutes(tired) < work_minutes(fresh), (m, s, ph, injs)
    assert stricter > 100


def test_fresh_does_a_skips_tired_does_not():
    assert "A-skips" in [b.name for b in plan(20, feel="fresh").blocks]
    assert "A-skips" not in [b.name for b in plan(20, feel="tired").blocks]


def test_race_week_is_shorter_and_sharper_than_build(grid_plans):
    def slow_work(p):
        return sum(b.minutes for b in p.blocks if b.kind in ("mobility", "drill", "activation", "balance",
                                                             "coordination"))

    strictly_less = 0
    for (m, s, ph, injs, f), race in grid_plans.items():
        if ph != "race-week":
            continue
        build = grid_plans[(m, s, "build", injs, f)]
        assert sum(b.kind == "drill" for b in race.blocks) <= 2
        assert len(race.blocks) <= len(build.blocks)
        assert slow_work(race) <= slow_work(build)
        strictly_less += slow_work(race) < slow_work(build)
        if m >= 11:
            assert any("race-pace" in ex(b).tags for b in race.blocks), (m, s, injs, f)
    assert strictly_less > 300


def test_base_phase_has_no_race_pace_and_more_drill_work_than_peak():
    base, peak = plan(25, phase="base"), plan(25, phase="peak")
    assert not any("race-pace" in ex(b).tags for b in base.blocks)
    assert any("race-pace" in ex(b).tags for b in peak.blocks)
    assert sum(b.minutes for b in base.blocks if b.kind == "drill") > \
        sum(b.minutes for b in peak.blocks if b.kind == "drill")


def test_short_session_has_more_accelerations_than_long():
    def accel(p):
        return sum(b.reps for b in p.blocks if b.kind == "accelerations")

    for m in (15, 20, 30):
        assert accel(plan(m, "short")) > accel(plan(m, "long"))


# ---------------------------------------------------------------------------- rotation
@pytest.mark.parametrize("athlete", ["ana", "ben", "chloe", None])
def test_rotation_same_within_a_period_different_in_the_next(athlete):
    r = rotation_for(athlete, DAY)
    assert r.period_weeks in (2, 3, 4)
    assert r.starts.weekday() == 0 and (r.ends - r.starts).days + 1 == 7 * r.period_weeks
    assert r.starts <= DAY <= r.ends
    # hand-worked from the definition: whole weeks since Monday 2024-01-01, divided by the period length
    assert r.period_index == ((DAY - dt.date(2024, 1, 1)).days // 7) // r.period_weeks
    for args in [(15, "short", "build", ()), (10, "long", "race-week", ("achilles",)), (20, "short", "peak", ("hip",))]:
        inside = [make_plan(*args, athlete=athlete, date=d).blocks for d in (r.starts, DAY, r.ends)]
        assert inside[0] == inside[1] == inside[2]
        nxt = make_plan(*args, athlete=athlete, date=r.ends + dt.timedelta(days=1))
        assert nxt.rotation.period_index == r.period_index + 1
        assert nxt.blocks != inside[0]


def test_rotation_period_length_depends_on_the_athlete():
    weeks = {rotation_for(f"athlete {i}", DAY).period_weeks for i in range(30)}
    assert weeks == {2, 3, 4}


def test_rotation_does_not_depend_on_the_process():
    code = ("import json; from formcheck.plan import make_plan; "
            "print(json.dumps(make_plan(20, athlete='ana', date='2026-05-12').to_dict()))")
    out = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert out[0] == out[1]
    assert json.loads(out[0]) == plan(20).to_dict()


# ---------------------------------------------------------------------------- persistent faults
def test_a_skip_knee_lift_fault_adds_marches_before_a_skips_and_flags_filming():
    fault = PersistentFault(drill="a-skip", metric="knee_lift_deg")
    reg = regression_for(fault)
    assert reg.exercise == "march"
    for minutes, feel, injuries in [(15, "normal", ()), (20, "tired", ()), (12, "normal", ("achilles",)),
                                    (25, "fresh", ("hip",))]:
        without = plan(minutes, feel=feel, injuries=injuries)
        with_fault = plan(minutes, feel=feel, injuries=injuries, persistent_faults=[fault])
        assert with_fault != without and with_fault.flags == ("a-skip",) and without.flags == ()
        names = [b.name for b in with_fault.blocks]
        a_skip = names.index("A-skips")
        assert names[a_skip - 1] == "High-knee marches"
        assert with_fault.blocks[a_skip - 1].cues[0] == reg.cue
        assert with_fault.blocks[a_skip].camera_check == "a-skip"
        assert any("film" in e and "A-skips" in e for e in with_fault.emphasis)


def test_fault_forms_are_equivalent():
    base = plan(20, persistent_faults=[PersistentFault("a-skip", "knee_lift_deg")])
    assert plan(20, persistent_faults=["a-skip:knee_lift_deg"]) == base
    assert plan(20, persistent_faults=[("a-skip", "knee_lift_deg")]) == base
    assert plan(20, persistent_faults=[{"drill": "a-skip", "cue_id": "knee-height"}]).blocks == base.blocks


@pytest.mark.parametrize("fault, target, regression", [
    (PersistentFault("butt-kicks", "knee_flexion_deg"), "Butt kicks", "Walking heel pulls"),
    (PersistentFault("single-leg-balance", "sway_frac"), "Single-leg stands", "Supported single-leg stands"),
    (PersistentFault("high-knees", "knee_tracking_deg"), "High knees", "Band side steps"),
    (PersistentFault("march", None), "High-knee marches", "Resisted leg drives"),
    (PersistentFault("strides", "hip_hinge_deg"), "Short strides", "Forward-lean calf raises"),
])
def test_each_fault_puts_its_regression_right_before_the_drill(fault, target, regression):
    p = plan(20, persistent_faults=[fault])
    names = [b.name for b in p.blocks]
    assert names[names.index(target) - 1] == regression
    assert p.flags == (fault.drill,)
    assert C.EXERCISES_BY_NAME[target].camera_check == fault.drill or fault.drill == "skip"


def test_unknown_metric_uses_the_drill_default_regression():
    assert regression_for(PersistentFault("a-skip", "made_up_metric")).exercise == "march"
    assert regression_for(PersistentFault("a-skip", "made_up_metric")).signals == ()


def test_every_camera_drill_has_a_target_and_a_default_regression():
    for drill in CAMERA_DRILLS:
        reg = regression_for(PersistentFault(drill))
        assert reg.exercise != C.FAULT_TARGETS[drill]
        assert C.EXERCISES[C.FAULT_TARGETS[drill]].camera_check == drill


def test_a_fault_that_does_not_fit_is_reported_not_flagged():
    p = plan(8, injuries=["achilles", "hip"], persistent_faults=["a-skip:knee_lift_deg"])
    assert p.flags == () and any("no time" in e for e in p.emphasis)


def test_unknown_fault_drill_lists_valid_ones():
    with pytest.raises(PlanError, match="unknown drill 'pogo'.*a-skip"):
        plan(persistent_faults=["pogo:knee_lift_deg"])


def test_library_faults_absent_module_gives_none():
    assert library_faults("ana", module="formcheck._no_such_library") == ()


# ---------------------------------------------------------------------------- input checks
@pytest.mark.parametrize("kwargs, message", [
    ({"minutes": 5}, "too short"),
    ({"minutes": 0}, "too short"),
    ({"minutes": -10}, "too short"),
    ({"minutes": float("nan")}, "too short"),
    ({"minutes": 61}, "longer than any warm-up"),
    ({"minutes": 1e9}, "longer than any warm-up"),
    ({"minutes": "abc"}, "must be a number"),
    ({"minutes": True}, "must be a number"),
    ({"injuries": ["knee"]}, "unknown injury 'knee'; choose one of: achilles, calf, hip, groin"),
    ({"injuries": "knee"}, "unknown injury"),
    ({"session": "medium"}, "unknown session 'medium'; choose one of: short, long"),
    ({"phase": "taper"}, "unknown phase"),
    ({"feel": "meh"}, "unknown feel"),
    ({"date": "12/05/2026"}, "date must be YYYY-MM-DD"),
])
def test_bad_input_is_a_one_line_formcheck_error(kwargs, message):
    with pytest.raises(FormcheckError) as info:
        plan(**kwargs)
    text = str(info.value)
    assert message in text and "\n" not in text and info.value.exit_code == 2


def test_names_are_normalised():
    assert plan(phase="Race_Week", injuries=["Achilles"], feel=" tired ") == \
        plan(phase="race-week", injuries=["achilles"], feel="tired")


# ---------------------------------------------------------------------------- output
def test_json_keys_exactly():
    d = plan(20, injuries=["hip"], persistent_faults=["a-skip:knee_lift_deg"]).to_dict()
    assert list(d) == ["total_minutes", "blocks", "athlete", "date", "rotation", "emphasis", "flags"]
    for b in d["blocks"]:
        assert list(b) == ["name", "kind", "minutes", "reps", "purpose", "cues", "camera_check"]
        assert isinstance(b["cues"], list) and all(isinstance(c, str) for c in b["cues"])
    assert set(d["rotation"]) == {"period_index", "period_weeks", "starts", "ends", "variant"}
    assert d["date"] == "2026-05-12" and d["athlete"] == "ana" and d["flags"] == ["a-skip"]
    assert json.loads(json.dumps(d)) == d


def test_text_view_fits_a_terminal_and_lists_every_block():
    for args in [(15,), (40, "short", "base", ("achilles", "hip"), "fresh"), (25, "long", "peak", ("calf",))]:
        p = plan(*args, persistent_faults=["a-skip:knee_lift_deg"])
        text = plan_to_text(p)
        assert max(len(line) for line in text.splitlines()) <= 80
        for i, b in enumerate(p.blocks, 1):
            assert any(line.split()[:1] == [str(i)] and b.name in line for line in text.splitlines())
        assert f"Total {int(p.total_minutes)}:{round(p.total_minutes % 1 * 60):02d}" in text
        assert "Film: a-skip" in text and "a-skip - FILM THIS" in text


def test_markdown_has_a_table_row_per_block():
    p = plan(20, injuries=["calf"], persistent_faults=["a-skip:knee_lift_deg"])
    md = plan_to_markdown(p)
    rows = [line for line in md.splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(rows) == len(p.blocks)
    assert all(b.name in row for b, row in zip(p.blocks, rows))
    assert md.startswith("# Warm-up plan for ana, 2026-05-12") and "## Film" in md
