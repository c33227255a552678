"""The report's JSON form, schema, CSV, atomic writing and terminal summary."""

from __future__ import annotations

import csv
import json
import math

import jsonschema
import numpy as np
import pytest

from formcheck.drills import get_drill
from formcheck.measure import Measurements, MetricValue, Rep, ViewEstimate
from formcheck.report import (
    SCHEMA_ID,
    DrillInfo,
    PoseSummary,
    Report,
    SegmentResult,
    VideoSummary,
    load_schema,
    summary,
    validate_report_dict,
    write_json,
    write_metrics_csv,
    write_outputs,
)
from formcheck.scoring import score_drill


def _drill_report(knee: float = 60.0, view=ViewEstimate("side", "left", 0.9)):
    k, fps = 6, 50.0
    frames = np.arange(k) * 20 + 10
    t = np.arange(140) / fps
    reps = tuple(Rep(i, ("left", "right")[i % 2], int(f), float(t[f]), int(f) - 8, int(f) + 8)
                 for i, f in enumerate(frames))

    def mv(name, unit, vals):
        v = np.asarray(vals, float)
        return MetricValue(name, unit, float(np.median(v)), float(np.median(v[::2])), float(np.median(v[1::2])),
                           k, v, frames.astype(np.intp))

    metrics = {
        "knee_lift_deg": mv("knee_lift_deg", "deg", [knee] * k),
        "toe_up_deg": mv("toe_up_deg", "deg", [95] * k),
        "trunk_lean_deg": mv("trunk_lean_deg", "deg", [2] * k),
        "arm_leg_phase_deg": mv("arm_leg_phase_deg", "deg", [10] * k),
        "head_bob_pct": MetricValue("head_bob_pct", "pct", None, None, None, 0, np.full(k, np.nan),
                                    np.full(k, -1, dtype=np.intp), "no complete cycle in the clip"),
        "symmetry_pct": MetricValue("symmetry_pct", "pct", 0.0, None, None, k, np.full(k, np.nan),
                                    np.full(k, -1, dtype=np.intp)),
        "cadence_spm": MetricValue("cadence_spm", "spm", 150.0, None, None, k, np.full(k, np.nan),
                                   np.full(k, -1, dtype=np.intp)),
    }
    m = Measurements(view=view, rep_event="lift", reps=reps, metrics=metrics,
                     series={}, t_s=t)
    return score_drill(get_drill("a-skip"), m, segment=0), t


def _report(knee: float = 60.0) -> Report:
    dr, t = _drill_report(knee)
    seg = SegmentResult("a-skip", float(t[0]), float(t[-1]), 0, len(t) - 1, 0.9, dr)
    series = {"left_thigh_deg": np.where(np.arange(len(t)) % 7 == 0, np.nan, 40.0), "trunk_lean_deg": np.ones(len(t))}
    return Report(
        formcheck_version="0.1.0", video=VideoSummary("clip.mp4", 1080, 1920, 50.0, len(t) / 50.0, len(t)),
        pose=PoseSummary("full", len(t), 1.0, "side", "left", 0.9),
        drill=DrillInfo("a-skip", "detected", 0.9, ()), segments=(seg,), metrics=dr.metrics, reps=dr.reps,
        score=dr.score, cues=dr.cues, warnings=dr.warnings, series=series, t_s=t,
    )


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(load_schema())
    assert load_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_report_dict_follows_schema_and_keeps_key_names():
    d = _report().to_dict()
    validate_report_dict(d)
    assert d["schema"] == SCHEMA_ID
    assert list(d) == ["schema", "formcheck_version", "video", "pose", "drill", "segments", "metrics", "reps",
                       "score", "cues", "warnings"]
    assert set(d["video"]) == {"path", "width", "height", "fps", "duration_s", "frames"}
    assert {"model", "frames_with_pose", "coverage", "view", "facing"} <= set(d["pose"])
    knee = d["metrics"]["knee_lift_deg"]
    assert {"value", "left", "right", "unit", "target", "score", "n"} <= set(knee)
    assert knee["target"] == [80.0, 110.0] and knee["unit"] == "deg"
    assert d["metrics"]["cadence_spm"]["target"] == [None, None] and d["metrics"]["cadence_spm"]["score"] is None
    cue = d["cues"][0]
    assert cue["severity"] == "major" and cue["metric"] == "knee_lift_deg"
    assert all(len(e) == 2 and isinstance(e[1], int) for e in cue["evidence"])
    rep = d["reps"][0]
    assert {"index", "side", "t_s", "frame", "values", "score"} <= set(rep)


def test_not_measured_is_null_with_reason_and_json_has_no_nan():
    r = _report()
    text = r.to_json()
    assert "NaN" not in text
    d = json.loads(text)
    head = d["metrics"]["head_bob_pct"]
    assert head["value"] is None and head["score"] is None and head["reason"] == "no complete cycle in the clip"


def test_schema_rejects_broken_reports():
    good = _report().to_dict()
    for breaker in (
        lambda d: d.pop("cues"),
        lambda d: d["cues"][0].update(severity="critical"),
        lambda d: d["drill"].update(source="guessed"),
        lambda d: d.update(score=120),
        lambda d: d["metrics"]["knee_lift_deg"].update(target=[1]),
        lambda d: d.update(schema="formcheck.report/0"),
    ):
        d = json.loads(json.dumps(good))
        breaker(d)
        with pytest.raises(jsonschema.ValidationError):
            validate_report_dict(d)


def test_metrics_csv_columns_and_empty_cells(tmp_path):
    r = _report()
    p = write_metrics_csv(r, tmp_path / "m.csv")
    rows = list(csv.reader(p.open()))
    assert rows[0] == ["frame", "t_s", "left_thigh_deg", "trunk_lean_deg"]
    assert len(rows) == 1 + len(r.t_s)
    assert rows[1][2] == "" and float(rows[2][2]) == 40.0  # frame 0 is NaN -> empty
    assert float(rows[3][1]) == pytest.approx(2 / 50)


def test_write_outputs_all_or_nothing(tmp_path, monkeypatch):
    r = _report()
    out = tmp_path / "clip_formcheck"
    paths = write_outputs(r, out)
    assert sorted(p.name for p in out.iterdir()) == ["metrics.csv", "report.json"]
    assert json.loads(paths["report"].read_text())["score"] == pytest.approx(round(r.score, 1))
    # a failure while writing leaves the previous folder as it was and no temporary folder behind
    import formcheck.report as rep_mod

    def boom(*a, **k):
        raise OSError("disk full")

    before = paths["report"].read_text()
    monkeypatch.setattr(rep_mod, "_write_metrics_csv_to", boom)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(_report(knee=90.0), out)
    assert paths["report"].read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip_formcheck"]
    monkeypatch.undo()
    # a fresh folder that fails is not created at all
    monkeypatch.setattr(rep_mod, "_write_metrics_csv_to", boom)
    with pytest.raises(OSError):
        write_outputs(r, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_write_outputs_replaces_existing_folder(tmp_path):
    out = tmp_path / "o"
    write_outputs(_report(knee=60.0), out)
    (out / "stale.txt").write_text("x")
    write_outputs(_report(knee=90.0), out)
    assert sorted(p.name for p in out.iterdir()) == ["metrics.csv", "report.json"]
    assert json.loads((out / "report.json").read_text())["cues"] == []
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_write_json_path_and_stdout(tmp_path, capsys):
    r = _report()
    write_json(r, tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["drill"]["name"] == "a-skip"
    write_json(r, "-")
    assert json.loads(capsys.readouterr().out)["schema"] == SCHEMA_ID


def test_summary_names_drill_score_and_cues():
    r = _report()
    s = summary(r)
    first = s.splitlines()[0]
    assert first.startswith("a-skip (detected, 90% sure): score ") and "side view facing left" in first
    assert "Drive the knee to hip height, toes up" in s
    assert "head_bob_pct" in s and "not measured" in s
    assert len(s.splitlines()) < 30
    assert "Cues: none" in summary(_report(knee=90.0))


def test_typed_and_dict_content_agree():
    r = _report()
    d = r.to_dict()
    assert d["score"] == pytest.approx(r.score, abs=0.05)
    assert [c["id"] for c in d["cues"]] == [c.id for c in r.cues]
    assert d["metrics"]["knee_lift_deg"]["value"] == r.metrics["knee_lift_deg"].value
    assert d["segments"][0]["report"]["score"] == pytest.approx(r.segments[0].report.score, abs=0.05)
    assert not math.isnan(d["reps"][0]["t_s"])
