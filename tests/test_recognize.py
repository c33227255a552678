"""Drill recognition and warm-up segmentation, on synthetic clips with known drills and boundaries.

The clips come from :mod:`formcheck.synth.motion` with this file's own seeds (100-999) and
parameter values (good form and named faults, fixed below); the prototype ranges in
:mod:`formcheck.recognize` were checked against clips drawn at random with seeds from 10000 on.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from formcheck.drills import list_drills
from formcheck.errors import ClipTooShortError, FormcheckError
from formcheck.filters import clean
from formcheck.measure import ViewEstimate
from formcheck.recognize import (
    DRILL_NAMES,
    FEATURE_NAMES,
    NON_DRILL_STATES,
    PROTOTYPES,
    UNKNOWN,
    Prototype,
    Recognition,
    Segment,
    drill_names,
    motion_features,
    recognize,
    segment,
    state_costs,
)
from formcheck.synth.motion import Camera, body_dimensions, defaults_for, make_clip, make_warmup

# ----------------------------------------------------------------------------- the suite
#: Per drill: good form and the usual faults (parameter overrides of the motion model).
VARIANTS: dict[str, list[tuple[str, dict]]] = {
    "a-skip": [("good", {}), ("low knees", dict(knee_lift_deg=62, knee_flexion_deg=92)),
               ("leaning back", dict(body_lean_deg=-6, hip_hinge_deg=8)), ("toes down", dict(toe_up_deg=122)),
               ("slow, short", dict(cadence_spm=126, travel_speed_mps=0.45))],
    "high-knees": [("good", {}), ("low knees", dict(knee_lift_deg=66)), ("slow", dict(cadence_spm=146)),
                   ("moving forward", dict(travel_speed_mps=0.55))],
    "march": [("good", {}), ("low knees", dict(knee_lift_deg=64)),
              ("bent forward", dict(body_lean_deg=12, hip_hinge_deg=11)), ("quick", dict(cadence_spm=136)),
              ("moving forward", dict(travel_speed_mps=0.45))],
    "butt-kicks": [("good", {}), ("knee forward", dict(knee_lift_deg=46)),
                   ("short kick", dict(knee_flexion_deg=112)), ("slow", dict(cadence_spm=148))],
    "skip": [("good", {}), ("low knees", dict(knee_lift_deg=50, knee_flexion_deg=76)),
             ("travelling", dict(travel_speed_mps=1.6))],
    "strides": [("good", {}), ("bending at the hips", dict(hip_hinge_deg=18, body_lean_deg=14)),
                ("overstriding", dict(contact_offset_frac=0.38)), ("slower", dict(travel_speed_mps=4.0, cadence_spm=166))],
    "calf-raises": [("good", {}), ("shallow", dict(heel_rise_frac=0.15)), ("leaning", dict(body_lean_deg=15)),
                    ("quick", dict(cadence_spm=42))],
    "single-leg-balance": [("good", {}), ("swaying", dict(sway_frac=0.04)), ("low knee", dict(knee_lift_deg=40)),
                           ("left leg up", dict(lead_side="left"))],
}
CAMERAS = [("right", 30.0), ("left", 60.0), ("left", 30.0), ("right", 60.0)]

#: Drills that look alike: a sensible runner-up for each (judged by hand from the movements).
NEIGHBOURS = {
    "a-skip": {"skip", "march", "high-knees"},
    "skip": {"a-skip", "high-knees", "strides"},
    "high-knees": {"butt-kicks", "a-skip", "skip", "march"},
    "march": {"a-skip", "high-knees", "single-leg-balance"},
    "butt-kicks": {"high-knees", "skip", "strides"},
    "strides": {"skip", "high-knees", "butt-kicks", "a-skip"},
    "calf-raises": {"single-leg-balance"},
    "single-leg-balance": {"calf-raises", "march"},
}


def _clip(drill: str, overrides: dict | None = None, *, seed: int, facing: str = "right", fps: float = 60.0,
          noise_px: float = 2.0, missing_frac: float = 0.02, duration_s: float = 6.0):
    cam = Camera(view="side", facing=facing, fps=fps)
    return make_clip(defaults_for(drill, **(overrides or {})), cam, duration_s=duration_s, seed=seed,
                     noise_px=noise_px, missing_frac=missing_frac)


def _suite():
    """(drill, variant, camera, recognition) for every variant, each seen by two of the cameras."""
    out = []
    k = 0
    for drill, variants in VARIANTS.items():
        for label, overrides in variants:
            for j in (k % 4, (k + 2) % 4):
                facing, fps = CAMERAS[j]
                seed = 100 + k * 7 + j
                clip = _clip(drill, overrides, seed=seed, facing=facing, fps=fps, noise_px=1.0 + (seed % 3),
                             missing_frac=0.01 * (seed % 4))
                out.append((drill, label, (facing, fps), recognize(clean(clip.sequence))))
            k += 1
    return out


@pytest.fixture(scope="module")
def suite():
    return _suite()


# ----------------------------------------------------------------------------- names and tables
def test_drill_names_are_the_registry_s():
    assert drill_names() == list_drills()
    assert set(DRILL_NAMES) == set(list_drills())
    assert {p.name for p in PROTOTYPES if p.is_drill} == set(list_drills())
    assert set(NON_DRILL_STATES) == {"walk", "stand"}


def test_prototype_ranges_name_known_features_and_are_not_empty():
    for p in PROTOTYPES:
        assert set(p.ranges) <= set(FEATURE_NAMES)
        assert all(lo <= hi for lo, hi in p.ranges.values())
    with pytest.raises(ValueError, match="unknown feature 'lift'; valid: cadence_spm"):
        Prototype("x", True, {"lift": (0, 1)})
    with pytest.raises(ValueError, match="empty range"):
        Prototype("x", True, {"knee_lift_deg": (10, 0)})


def test_costs_worked_by_hand():
    march = next(p for p in PROTOTYPES if p.name == "march")
    inside = {k: 0.5 * (lo + hi) for k, (lo, hi) in march.ranges.items()}
    assert state_costs(inside, ("march",)) == {"march": 0.0}
    lo, hi = march.ranges["knee_lift_deg"]
    scale = 8.0  # knee_lift_deg: one unit of mismatch
    one = dict(inside, knee_lift_deg=hi + scale)          # 1 unit out: 1**2 / 2
    three = dict(inside, knee_lift_deg=lo - 3 * scale)    # 3 units out: quadratic to 2, then linear: 2 * (3 - 1)
    assert state_costs(one, ("march",))["march"] == pytest.approx(0.5)
    assert state_costs(three, ("march",))["march"] == pytest.approx(4.0)
    missing = dict(inside, cadence_spm=math.nan)
    assert state_costs(missing, ("march",))["march"] == pytest.approx(2.0)


# ----------------------------------------------------------------------------- features from ground truth
@pytest.mark.parametrize("drill, fps, facing", [("high-knees", 30.0, "right"), ("a-skip", 60.0, "left"),
                                                ("strides", 60.0, "right"), ("march", 30.0, "left")])
def test_features_match_the_motion_s_truth(drill, fps, facing):
    clip = _clip(drill, seed=211, fps=fps, facing=facing)
    f = motion_features(clean(clip.sequence))
    p = clip.params
    assert f["cadence_spm"] == pytest.approx(p.cadence_spm, rel=0.03)
    leg_m = body_dimensions(p.height_m).leg_m
    # travel comes from measure's hip speed over the ground, which reads strides (mostly in the air,
    # few feet on the ground to take a following camera's pan from) up to ~15 % low
    assert f["travel_lps"] == pytest.approx(p.travel_speed_mps / leg_m, abs=0.1, rel=0.15)
    assert f["knee_lift_deg"] == pytest.approx(clip.truth["knee_lift_deg"], abs=6.0)
    assert f["knee_flexion_deg"] == pytest.approx(clip.truth["knee_flexion_deg"], abs=8.0)
    assert f["rhythm_frac"] > 0.9
    assert f["still_frac"] < 0.3


def test_static_drills_features():
    calf = _clip("calf-raises", dict(heel_rise_frac=0.3), seed=212)
    f = motion_features(clean(calf.sequence))
    assert f["heel_raise_frac"] == pytest.approx(0.3, abs=0.06)
    assert f["still_frac"] > 0.8 and f["travel_lps"] < 0.05 and f["hold_frac"] == 0.0
    bal = _clip("single-leg-balance", dict(hold_s=5.0), seed=213, duration_s=6.0)
    f = motion_features(clean(bal.sequence))
    # the model holds the leg up from 0.5 s in for hold_s (less the rise and lowering): about 4 of 6 s
    assert 0.55 < f["hold_frac"] < 0.9
    assert math.isnan(f["cadence_spm"]) or f["rhythm_frac"] < 0.4


def test_features_do_not_depend_on_image_size_or_mirroring():
    seq = clean(_clip("a-skip", seed=214, fps=30.0).sequence)
    f = motion_features(seq)
    big = seq.replace(xy=seq.xy * 2.0 + 40.0, width=seq.width * 2 + 80, height=seq.height * 2 + 80)
    fb = motion_features(big)
    fm = motion_features(seq.flipped_horizontally())
    for name in FEATURE_NAMES:
        assert fb[name] == pytest.approx(f[name], rel=1e-6, abs=1e-6, nan_ok=True), name
        assert fm[name] == pytest.approx(f[name], rel=1e-6, abs=1e-6, nan_ok=True), name


# ----------------------------------------------------------------------------- recognition
def test_every_drill_recognised_on_good_and_faulty_variants(suite):
    per: dict[str, list[bool]] = defaultdict(list)
    wrong = []
    for drill, label, cam, rec in suite:
        ok = rec.drill == drill
        per[drill].append(ok)
        if not ok:
            wrong.append(f"{drill} ({label}, {cam}) -> {rec.drill} {rec.confidence:.2f}")
    assert set(per) == set(list_drills())
    overall = sum(sum(v) for v in per.values()) / sum(len(v) for v in per.values())
    assert overall >= 0.95, wrong
    for drill, oks in per.items():
        assert sum(oks) / len(oks) >= 0.9, (drill, wrong)


def test_recognition_result_is_well_formed(suite):
    for drill, _label, _cam, rec in suite:
        assert isinstance(rec, Recognition)
        assert 0.0 <= rec.confidence <= 1.0
        names = [a.name for a in rec.alternatives]
        assert rec.drill not in names and len(names) == len(set(names)) == len(list_drills()) - 1
        confs = [a.confidence for a in rec.alternatives]
        assert confs == sorted(confs, reverse=True)
        assert all(0.0 <= c <= rec.confidence for c in confs)
        assert set(rec.features) == set(FEATURE_NAMES)


def test_runner_up_is_a_plausible_neighbour(suite):
    for drill, label, cam, rec in suite:
        if label == "good" and rec.drill == drill:
            assert rec.alternatives[0].name in NEIGHBOURS[drill], (drill, cam, rec.alternatives[:2])


def test_good_form_is_recognised_with_high_confidence(suite):
    confs = [rec.confidence for drill, label, _cam, rec in suite if label == "good"]
    assert min(confs) > 0.6
    assert np.median(confs) > 0.9


def test_confidence_lower_for_ambiguous_motion():
    # A skip with an A-skip's high knee drive and travel sits between the two drills.
    clean_skip = recognize(clean(_clip("skip", seed=221).sequence))
    clean_askip = recognize(clean(_clip("a-skip", seed=222).sequence))
    between = recognize(clean(_clip("skip", dict(knee_lift_deg=85, knee_flexion_deg=100, travel_speed_mps=0.8,
                                                 cadence_spm=138), seed=223).sequence))
    assert {between.drill, between.alternatives[0].name} == {"skip", "a-skip"}
    assert between.confidence < min(clean_skip.confidence, clean_askip.confidence)
    assert between.confidence < 0.8
    # butt kicks with the knee coming well forward and a short kick: half-way to high knees
    kicks = recognize(clean(_clip("butt-kicks", dict(knee_lift_deg=58, knee_flexion_deg=112), seed=224).sequence))
    good = recognize(clean(_clip("butt-kicks", seed=225).sequence))
    assert {kicks.drill, kicks.alternatives[0].name} == {"butt-kicks", "high-knees"}
    assert kicks.confidence < 0.8 < good.confidence


def test_walking_and_standing_are_not_drills():
    for motion in ("walk", "stand"):
        rec = recognize(clean(_clip(motion, seed=231).sequence))
        assert rec.drill == UNKNOWN, (motion, rec.drill)
        assert rec.alternatives and {a.name for a in rec.alternatives} == set(list_drills())


def test_recognition_takes_a_given_view():
    seq = clean(_clip("butt-kicks", seed=232, facing="left").sequence)
    assert recognize(seq, view=ViewEstimate("side", "left", 1.0)).drill == "butt-kicks"
    with pytest.raises(FormcheckError, match="view must be a formcheck.measure.ViewEstimate"):
        recognize(seq, view="side")


def test_bad_input():
    seq = clean(_clip("march", seed=233).sequence)
    with pytest.raises(ClipTooShortError, match="2 frames"):
        recognize(seq.slice(0, 2))
    with pytest.raises(FormcheckError, match="expected a PoseSequence"):
        recognize(np.zeros((10, 33, 2)))
    with pytest.raises(FormcheckError, match="min_segment_s must be"):
        segment(seq, min_segment_s=-1)


# ----------------------------------------------------------------------------- segmentation
#: Each drill boundary must lie within this of the truth (the middle of the model's 0.6 s cross-fade
#: between motions), and half of them within 0.5 s. On 30 random warm-ups benchmarks/recognition.py
#: finds 84 % of boundaries within 0.5 s and 98 % within 1 s (max 1.5 s). The static drills get
#: more room: a single-leg balance starts with ~0.8 s of standing before the leg comes up (and
#: ends with the leg coming down), a calf raise's first rise takes up to a second at 20 reps/min.
BOUNDARY_TOL_S = 1.0
STATIC_BOUNDARY_TOL_S = 1.5
STATIC = {"calf-raises", "single-leg-balance"}


def _check_segments(segs: list[Segment], seq) -> None:
    t = seq.t_s
    for s in segs:
        assert 0 <= s.start_frame < s.end_frame <= len(seq)
        assert s.start_s == pytest.approx(t[s.start_frame])
        assert s.end_s == pytest.approx(t[s.end_frame] if s.end_frame < len(seq) else t[-1] + np.median(np.diff(t)))
        assert 0.0 <= s.confidence <= 1.0
    for a, b in zip(segs, segs[1:]):
        assert a.end_frame <= b.start_frame


@pytest.mark.parametrize("parts, gap_kind, fps, facing, seed", [
    (["a-skip", "high-knees", "march", "butt-kicks", "strides"], "walk", 30.0, "right", 301),
    (["skip", "calf-raises", "single-leg-balance", "march"], "stand", 60.0, "left", 302),
])
def test_warmup_split_into_its_drills_in_order(parts, gap_kind, fps, facing, seed):
    durations = [7.0, 8.0, 6.5, 7.5, 7.0]
    spec = [(defaults_for(d, **({"hold_s": 30.0} if d == "single-leg-balance" else {})), durations[i])
            for i, d in enumerate(parts)]
    clip = make_warmup(spec, Camera(facing=facing, fps=fps), gap_s=(2.0, 3.5), gap_kind=gap_kind, seed=seed,
                       noise_px=2.0, missing_frac=0.01)
    seq = clean(clip.sequence)
    segs = segment(seq)
    _check_segments(segs, seq)
    assert [s.drill for s in segs] == parts
    truth = [s for s in clip.segments if s["drill"] in parts]
    errors = []
    for s, tr in zip(segs, truth):
        tol = STATIC_BOUNDARY_TOL_S if s.drill in STATIC else BOUNDARY_TOL_S
        errors += [abs(s.start_s - tr["start_s"]), abs(s.end_s - tr["end_s"])]
        assert errors[-2] <= tol and errors[-1] <= tol, (s.drill, np.round(errors[-2:], 2))
    assert np.median(errors) <= 0.5, np.round(errors, 2)
    assert min(s.confidence for s in segs) > 0.5


def test_single_drill_clip_is_one_segment():
    seq = clean(_clip("high-knees", seed=311, duration_s=8.0).sequence)
    segs = segment(seq)
    _check_segments(segs, seq)
    assert [s.drill for s in segs] == ["high-knees"]
    assert segs[0].start_s <= 0.5 and segs[0].end_s >= seq.t_s[-1] - 0.5


def test_nothing_to_segment():
    assert segment(clean(_clip("stand", seed=312, duration_s=8.0).sequence)) == []
    assert segment(clean(_clip("walk", seed=313, duration_s=8.0).sequence)) == []
    short = clean(_clip("march", seed=314, duration_s=2.5).sequence)
    assert segment(short) == []                      # shorter than min_segment_s
    assert [s.drill for s in segment(short, min_segment_s=1.0)] == ["march"]
