"""The drill registry and the drills' data; each drill on good and faulty synthetic clips."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from formcheck.drills import (
    METRICS,
    REP_EVENTS,
    CueSpec,
    DrillSpec,
    MetricTarget,
    UnknownDrillError,
    get_drill,
    list_drills,
)
from formcheck.errors import FormcheckError

ALL = ("a-skip", "high-knees", "march", "butt-kicks", "skip", "strides", "calf-raises", "single-leg-balance")


# ---------------------------------------------------------------------------- registry
def test_registry_lists_the_eight_drills():
    assert list_drills() == ALL


def test_unknown_drill_lists_valid_names():
    with pytest.raises(UnknownDrillError) as exc:
        get_drill("burpees")
    assert isinstance(exc.value, FormcheckError)
    msg = str(exc.value)
    assert "'burpees'" in msg and all(name in msg for name in ALL) and "\n" not in msg


def test_names_are_forgiving():
    assert get_drill("A_Skip").name == "a-skip"
    assert get_drill("high knees").name == "high-knees"
    assert get_drill("balance").name == "single-leg-balance"


def test_metric_table_matches_the_measurement_core():
    from formcheck import measure

    assert set(METRICS) == set(measure.METRIC_NAMES)
    assert set(REP_EVENTS) == set(measure.REP_EVENTS)


@pytest.mark.parametrize("name", ALL)
def test_drill_data_is_complete(name):
    d = get_drill(name)
    assert d.title and d.description and d.rep_event in REP_EVENTS
    assert d.main_metric in [t.metric for t in d.targets]
    for t in (*d.targets, *d.front_targets):
        assert t.source, f"{name}.{t.metric} has no source"
        assert t.weight > 0
        for direction in ("low", "high"):
            if t.checks(direction):
                assert d.cues_for(t.metric, direction), f"{name}: {t.metric} {direction} fault has no cue"
    for c in d.cues:
        assert c.text[0].isupper() and not c.text.endswith(".")
    # every scored metric is one measure() knows, and the main metric has exactly one fault side
    assert d.fault_direction(d.main_metric) in ("low", "high")


def test_brief_cue_texts_are_used():
    texts = {c.text for n in ALL for c in get_drill(n).cues}
    for expected in ("Drive the knee to hip height, toes up", "Lean from the ankles, not the hips",
                     "Keep your head still, eyes forward", "Opposite arm with opposite knee",
                     "Quick, light contacts under your hips", "Heel to glute, knee points down",
                     "Rise tall onto the balls of your feet", "Stay tall and still over the standing foot"):
        assert expected in texts


def test_side_view_metrics_and_front_view_targets():
    a = get_drill("a-skip")
    assert "knee_lift_deg" in a.side_view_metrics() and "symmetry_pct" in a.side_view_metrics()
    assert "head_bob_pct" not in a.side_view_metrics()
    front = [t.metric for t in a.targets_for("front")]
    assert "knee_tracking_deg" in front and "knee_lift_deg" not in front
    assert "knee_tracking_deg" not in a.metrics_for("side") and "knee_tracking_deg" in a.metrics_for("front")
    assert "knee_lift_deg" in a.metrics_for("front")  # asked for, then reported as not measured


def test_spec_validation_catches_bad_data():
    good = get_drill("march")
    with pytest.raises(ValueError, match="rep_event"):
        dataclasses.replace(good, rep_event="jump")
    with pytest.raises(ValueError, match="main metric"):
        dataclasses.replace(good, main_metric="sway_frac")
    with pytest.raises(ValueError, match="no cue"):
        dataclasses.replace(good, cues=tuple(c for c in good.cues if c.metric != "toe_up_deg"))
    with pytest.raises(ValueError, match="fault threshold"):
        dataclasses.replace(good, cues=(*good.cues, CueSpec("x", "toe_up_deg", "low", "Point the toes")))
    with pytest.raises(ValueError, match="two targets"):
        dataclasses.replace(good, targets=(*good.targets, MetricTarget("toe_up_deg", 60, 100)))
    with pytest.raises(ValueError, match="direction"):
        CueSpec("x", "toe_up_deg", "up", "Toes up")
    assert isinstance(good, DrillSpec)


# ---------------------------------------------------------------------------- synthetic clips
# Each drill on its good-form clip, and each planted fault: the clip's parameters come from the
# motion model's good-form defaults, the faults are values well past the drill's major threshold.
from formcheck.analyze import analyze_sequence  # noqa: E402
from formcheck.report import validate_report_dict  # noqa: E402
from formcheck.synth.motion import Camera, defaults_for, make_clip  # noqa: E402

#: Long enough for the drill's minimum number of reps at its default cadence.
DURATION_S = {"calf-raises": 14.0}


def clip_for(drill: str, camera: Camera = Camera(), seed: int = 11, **params):
    return make_clip(defaults_for(drill, **params), camera, duration_s=DURATION_S.get(drill, 8.0), seed=seed,
                     noise_px=1.0)


@pytest.mark.parametrize("name", ALL)
def test_good_form_scores_high_without_major_cue(name):
    clip = clip_for(name)
    r = analyze_sequence(clip.sequence, name)
    assert r.drill.name == name and r.drill.source == "given"
    assert r.score is not None and r.score >= 90, (r.score, r.cues)
    assert not [c for c in r.cues if c.severity == "major"], r.cues
    assert len(r.reps) >= get_drill(name).min_reps
    assert not [w for w in r.warnings if "only" in w], r.warnings
    validate_report_dict(r.to_dict())


# drill, planted fault, expected cue id, its words
FAULTS = [
    ("a-skip", {"knee_lift_deg": 55}, "knee-height", "Drive the knee to hip height, toes up"),
    ("high-knees", {"knee_lift_deg": 55}, "knee-height", "Drive the knee to hip height, toes up"),
    ("march", {"knee_lift_deg": 55}, "knee-height", "Drive the knee to hip height, toes up"),
    ("strides", {"hip_hinge_deg": 25}, "hinge", "Lean from the ankles, not the hips"),
    ("a-skip", {"head_bob_pct": 20}, "head", "Keep your head still, eyes forward"),
    ("march", {"arm_leg_phase_deg": 180}, "arms", "Opposite arm with opposite knee"),
    ("skip", {"arm_leg_phase_deg": 180}, "arms", "Opposite arm with opposite knee"),
    ("strides", {"contact_offset_frac": 0.5}, "overstride", "Quick, light contacts under your hips"),
    ("butt-kicks", {"knee_flexion_deg": 90}, "heel-to-glute", "Heel to glute, knee points down"),
    ("butt-kicks", {"knee_lift_deg": 65}, "knee-down", None),
    ("calf-raises", {"heel_rise_frac": 0.08}, "rise-tall", "Rise tall onto the balls of your feet"),
    ("single-leg-balance", {"sway_frac": 0.07}, "still", "Stay tall and still over the standing foot"),
    ("high-knees", {"cadence_spm": 120}, "quick-feet", None),
    ("a-skip", {"toe_up_deg": 140}, "toes-up", None),
    ("high-knees", {"body_lean_deg": -25}, "lean-back", None),
]


@pytest.mark.parametrize("drill,fault,cue_id,text", FAULTS, ids=[f"{d}-{next(iter(f))}" for d, f, _, _ in FAULTS])
def test_planted_fault_gives_its_cue_first(drill, fault, cue_id, text):
    clip = clip_for(drill, **fault)
    r = analyze_sequence(clip.sequence, drill)
    assert r.cues, f"no cue for {fault}; metrics {({k: m.value for k, m in r.metrics.items()})}"
    top = r.cues[0]
    assert top.id == cue_id and top.severity == "major", r.cues
    assert text is None or top.text == text
    # a major fault: the metric scores at most 50 (its major threshold), and so the drill less than 100
    assert r.metrics[top.metric].score <= 50
    assert r.score is not None and r.score <= 100 - 50 * get_drill(drill).target(top.metric).weight / sum(
        t.weight for t in get_drill(drill).targets_for("side"))
    # the evidence points at real moments of the clip
    for t_s, frame in top.evidence:
        assert clip.sequence.t_s[frame] == pytest.approx(t_s)


@pytest.mark.parametrize("drill", ["a-skip", "march", "high-knees"])
def test_knee_cue_evidence_is_at_true_peak_lifts(drill):
    clip = clip_for(drill, knee_lift_deg=55)
    r = analyze_sequence(clip.sequence, drill)
    peaks = np.array([e["frame"] for e in clip.events if e["kind"] == "peak_lift"])
    cue = r.cues[0]
    assert cue.id == "knee-height" and len(cue.evidence) == 3
    tol = int(round(0.05 * clip.sequence.fps))  # 50 ms
    for _, frame in cue.evidence:
        assert np.min(np.abs(peaks - frame)) <= tol


def test_minor_fault_is_minor():
    # knee lift 70: between the minor (75) and the major (65) threshold
    r = analyze_sequence(clip_for("a-skip", knee_lift_deg=70).sequence, "a-skip")
    assert [(c.id, c.severity) for c in r.cues][:1] == [("knee-height", "minor")]
