"""Scores and cue selection on hand-made measurements (answers worked out by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.drills import MetricTarget, get_drill
from formcheck.measure import Measurements, MetricValue, Rep, ViewEstimate
from formcheck.scoring import ScoringSettings, drift_change, metric_score, rank_cues, score_drill
from formcheck.report import Cue

SIDE = ViewEstimate("side", "right", 1.0)
FRONT = ViewEstimate("front", "toward", 1.0)
UNITS = {"knee_lift_deg": "deg", "toe_up_deg": "deg", "trunk_lean_deg": "deg", "arm_leg_phase_deg": "deg",
         "head_bob_pct": "pct", "symmetry_pct": "pct", "cadence_spm": "spm", "knee_tracking_deg": "deg"}


def make_measurements(per_rep: dict[str, list[float]], *, sides=None, view=SIDE, whole: dict | None = None,
                      fps: float = 30.0, rep_spacing: int = 10) -> Measurements:
    """Reps every ``rep_spacing`` frames from frame 5, alternating left/right unless ``sides`` given."""
    k = len(next(iter(per_rep.values()))) if per_rep else 0
    sides = sides or [("left", "right")[i % 2] for i in range(k)]
    frames = [5 + rep_spacing * i for i in range(k)]
    n_frames = frames[-1] + 10 if frames else 30
    t = np.arange(n_frames) / fps
    reps = tuple(Rep(i, sides[i], frames[i], float(t[frames[i]]), frames[i] - 4, frames[i] + 4) for i in range(k))
    metrics = {}
    for name, vals in per_rep.items():
        v = np.asarray(vals, dtype=float)
        def side_med(s, v=v):
            on = np.array([x == s for x in sides])
            return float(np.nanmedian(v[on])) if on.any() else None

        metrics[name] = MetricValue(name, UNITS.get(name, "deg"), float(np.nanmedian(v)), side_med("left"),
                                    side_med("right"), int(np.isfinite(v).sum()), v,
                                    np.asarray(frames, dtype=np.intp) + 1)
    for name, value in (whole or {}).items():
        metrics[name] = MetricValue(name, UNITS.get(name, "deg"), value, None, None, k, np.full(k, np.nan),
                                    np.full(k, -1, dtype=np.intp), None if value is not None else "n/a")
    return Measurements(view=view, rep_event="lift", reps=reps, metrics=metrics, series={}, t_s=t)


GOOD_ASKIP = {"knee_lift_deg": [88, 90, 86, 91, 89, 90, 87, 92], "toe_up_deg": [92] * 8,
              "trunk_lean_deg": [3] * 8, "arm_leg_phase_deg": [10] * 8, "head_bob_pct": [3] * 8}


# ---------------------------------------------------------------------------- metric score
def test_metric_score_piecewise_by_hand():
    t = MetricTarget("knee_lift_deg", 80, 110, minor_low=75, major_low=65)
    assert metric_score(90, t) == 100  # inside the band
    assert metric_score(80, t) == 100  # band edge
    assert metric_score(72.5, t) == pytest.approx(75)  # half-way to the major threshold: 100 - 50 * 7.5/15
    assert metric_score(65, t) == pytest.approx(50)  # at the major threshold
    assert metric_score(57.5, t) == pytest.approx(25)  # half a span beyond: 50 * (1 - 0.5)
    assert metric_score(50, t) == pytest.approx(0)
    assert metric_score(10, t) == 0
    assert metric_score(170, t) == 100  # too high is not judged for knee lift
    assert metric_score(None, t) is None and metric_score(float("nan"), t) is None


def test_metric_score_both_sides_and_settings():
    t = MetricTarget("trunk_lean_deg", -5, 10, minor_low=-10, major_low=-20, minor_high=15, major_high=25)
    assert metric_score(17.5, t) == pytest.approx(100 - 50 * 7.5 / 15)
    assert metric_score(-12.5, t) == pytest.approx(75)
    s = ScoringSettings(major_score=40)
    assert metric_score(25, t, s) == pytest.approx(40)


def test_metric_target_validates_threshold_order():
    with pytest.raises(ValueError, match="band edge -> minor -> major"):
        MetricTarget("knee_lift_deg", 80, 110, minor_low=60, major_low=70)
    with pytest.raises(ValueError, match="both the minor and the major"):
        MetricTarget("knee_lift_deg", 80, 110, minor_low=70)
    with pytest.raises(ValueError, match="unknown metric"):
        MetricTarget("knee_height", 80, 110)
    t = MetricTarget("knee_lift_deg", 80, 110, minor_low=75, major_low=65)
    assert t.fault(76) is None and t.fault(74) == ("low", "minor") and t.fault(64) == ("low", "major")


def test_drift_change_first_vs_last_third():
    v = np.array([90, 90, 88, 86, 84, 80, 76, 74, 72.0])
    # thirds of 3: median(90, 90, 88) = 90, median(76, 74, 72) = 74 -> drop of 16
    assert drift_change(v, "low", 6) == pytest.approx(16)
    assert drift_change(v, "high", 6) == pytest.approx(-16)
    assert drift_change(v[:5], "low", 6) is None


# ---------------------------------------------------------------------------- drills
def test_good_a_skip_scores_100_without_cues():
    r = score_drill(get_drill("a-skip"), make_measurements(GOOD_ASKIP, whole={"symmetry_pct": 2.0}))
    assert r.score == pytest.approx(100)
    assert r.cues == ()
    assert len(r.reps) == 8 and all(rep.score == pytest.approx(100) for rep in r.reps)
    assert r.metrics["knee_lift_deg"].target == (80, 110)
    assert r.metrics["knee_lift_deg"].value == pytest.approx(89.5)


def test_low_knee_lift_gives_major_knee_cue_with_worst_reps_as_evidence():
    m = dict(GOOD_ASKIP, knee_lift_deg=[60, 62, 58, 61, 63, 60, 59, 64])
    meas = make_measurements(m, whole={"symmetry_pct": 2.0})
    r = score_drill(get_drill("a-skip"), meas)
    top = r.cues[0]
    assert (top.id, top.metric, top.severity) == ("knee-height", "knee_lift_deg", "major")
    assert top.text == "Drive the knee to hip height, toes up"
    # worst reps: 58 (rep 2), 59 (rep 6), 60 (rep 0; stable order before rep 5); evidence frame = rep frame + 1
    assert [f for _, f in top.evidence] == [26, 66, 6]
    assert top.evidence[0][0] == pytest.approx(26 / 30)
    # knee score: median 60.5 -> 50 * (1 - 4.5/15) = 35; others 100; weights 2, .7, .7, .8, .5, .5
    assert r.metrics["knee_lift_deg"].score == pytest.approx(35)
    assert r.score == pytest.approx((2 * 35 + 0.7 * 100 + 0.7 * 100 + 0.8 * 100 + 0.5 * 100 + 0.5 * 100) / 5.2)
    # rep 2 (knee 58): 50 * (1 - 7/15)
    expected = (2 * 50 * (1 - 7 / 15) + 0.7 * 100 + 0.7 * 100 + 0.8 * 100 + 0.5 * 100) / 4.7
    assert r.reps[2].score == pytest.approx(expected)


def test_frame_offset_moves_evidence_and_reps_to_clip_frames():
    m = dict(GOOD_ASKIP, knee_lift_deg=[60] * 8)
    r = score_drill(get_drill("a-skip"), make_measurements(m), frame_offset=100, segment=2)
    assert r.reps[0].frame == 105
    assert all(f >= 100 for _, f in r.cues[0].evidence) and r.cues[0].segment == 2


def test_cues_ranked_major_first_at_most_three():
    m = {"knee_lift_deg": [70] * 8,   # minor (between 65 and 75)
         "toe_up_deg": [135] * 8,     # major (> 125)
         "trunk_lean_deg": [-25] * 8,  # major (< -20)
         "arm_leg_phase_deg": [120] * 8,  # major (> 90)
         "head_bob_pct": [20] * 8}     # major (> 15)
    r = score_drill(get_drill("a-skip"), make_measurements(m))
    assert len(r.cues) == 3
    assert [c.severity for c in r.cues] == ["major"] * 3
    # priorities: weight x lost score. arm 0.8 x (100 - 50*(1-30/60)) = 0.8*75 = 60; trunk 0.7 x (100-50*(1-5/15))
    # = 0.7*66.7 = 46.7; toe 0.7 x (100 - 50*(1 - 10/25)) = 0.7*70 = 49; head 0.5 x (100-50*(1-5/9)) = 0.5*77.8 = 38.9
    assert [c.id for c in r.cues] == ["arms", "toes-up", "lean-back"]


def test_symmetry_cue_names_weaker_side_and_shows_its_reps():
    knee = [90, 70, 90, 70, 90, 70, 90, 70]  # left 90, right 70 -> |20| / 80 = 25%
    m = dict(GOOD_ASKIP, knee_lift_deg=knee)
    meas = make_measurements(m, whole={"symmetry_pct": 25.0})
    r = score_drill(get_drill("a-skip"), meas)
    asym = [c for c in r.cues if c.id == "asymmetry"]
    assert asym and asym[0].severity == "minor"  # 25 is the major threshold itself: minor until exceeded
    assert "right knee" in asym[0].text
    assert all(r.reps[(f - 6) // 10].side == "right" for _, f in asym[0].evidence)


def test_symmetry_falls_back_to_main_metric_sides():
    knee = [90, 60] * 4  # left 90, right 60 -> 30 / 75 = 40%
    r = score_drill(get_drill("a-skip"), make_measurements(dict(GOOD_ASKIP, knee_lift_deg=knee)))
    assert r.metrics["symmetry_pct"].value == pytest.approx(40)
    assert any(c.id == "asymmetry" and c.severity == "major" for c in r.cues)


def test_fatigue_drift_gives_cue():
    knee = [95, 94, 95, 88, 86, 84, 79, 78, 78]  # first third 95, last third 78: drop 17 > 15 -> major
    m = {k: v + [v[-1]] if k != "knee_lift_deg" else knee for k, v in GOOD_ASKIP.items()}
    r = score_drill(get_drill("a-skip"), make_measurements(m, whole={"symmetry_pct": 1.0}))
    fat = [c for c in r.cues if c.id == "fatigue"]
    assert fat and fat[0].severity == "major" and fat[0].metric == "knee_lift_deg"
    assert all(f > 60 for _, f in fat[0].evidence)  # from the last third (reps 6-8, frames 65-85)
    steady = score_drill(get_drill("a-skip"), make_measurements(dict(m, knee_lift_deg=[90] * 9)))
    assert not any(c.id == "fatigue" for c in steady.cues)


def test_front_view_reports_sagittal_metrics_as_not_measured_and_scores_knee_tracking():
    meas = make_measurements({"knee_lift_deg": [60] * 6, "knee_tracking_deg": [25] * 6, "head_bob_pct": [3] * 6},
                             view=FRONT)
    r = score_drill(get_drill("a-skip"), meas)
    knee = r.metrics["knee_lift_deg"]
    assert knee.value is None and knee.score is None and "front view" in knee.reason
    assert r.metrics["knee_tracking_deg"].score == pytest.approx(50 * (1 - 5 / 10))
    assert [c.id for c in r.cues] == ["knee-tracking"]  # no knee-height cue from a number that cannot be measured
    assert any("film from the side" in w for w in r.warnings)
    # the score is over the front-view metrics only: knee tracking (w 1) and head bob (w .5)
    assert r.score == pytest.approx((1.0 * 25 + 0.5 * 100) / 1.5)


def test_too_few_reps_warns():
    r = score_drill(get_drill("a-skip"), make_measurements({k: v[:2] for k, v in GOOD_ASKIP.items()}))
    assert any("only 2 reps" in w for w in r.warnings)


def test_rank_cues_dedupes_and_orders():
    def cue(i, sev, pr, seg=0):
        return Cue(id=i, metric="knee_lift_deg", severity=sev, text=i, evidence=(), drill="a-skip", segment=seg,
                   priority=pr)
    out = rank_cues([cue("a", "minor", 90), cue("b", "major", 10), cue("c", "major", 20), cue("c", "major", 5),
                     cue("c", "major", 1, seg=1)], 3)
    assert [(c.id, c.segment) for c in out] == [("c", 0), ("b", 0), ("c", 1)]
