"""``formcheck plan``: output formats, fault sources, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from formcheck.cli import main
from formcheck.plan import PersistentFault, make_plan


def run(capsys, *args):
    rc = main(["plan", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def no_library(monkeypatch):
    """As if the coach workspace were not installed (None in sys.modules blocks the import)."""
    monkeypatch.setitem(sys.modules, "formcheck.library", None)


@pytest.fixture
def fake_library(monkeypatch):
    calls = []

    def persistent_faults(athlete, data_dir=None):
        calls.append((athlete, data_dir))
        return [("a-skip", "knee_lift_deg")] if athlete == "ana" else []

    module = types.ModuleType("formcheck.library")
    module.persistent_faults = persistent_faults
    monkeypatch.setitem(sys.modules, "formcheck.library", module)
    return calls


def test_json_output_matches_the_api(capsys, no_library):
    rc, out, err = run(capsys, "--minutes", "20", "--session", "long", "--phase", "peak", "--injury", "calf",
                       "--injury", "hip", "--feel", "fresh", "--athlete", "ana", "--date", "2026-05-12", "--json")
    assert rc == 0 and err == ""
    d = json.loads(out)
    assert d == make_plan(20, "long", "peak", ["calf", "hip"], "fresh", athlete="ana", date="2026-05-12").to_dict()
    assert list(d) == ["total_minutes", "blocks", "athlete", "date", "rotation", "emphasis", "flags"]
    assert abs(d["total_minutes"] - 20) <= 1


def test_defaults_are_a_15_minute_build_plan(capsys, no_library):
    rc, out, _ = run(capsys, "--date", "2026-05-12", "--json")
    assert rc == 0
    assert json.loads(out) == make_plan(15, "short", "build", (), "normal", date="2026-05-12").to_dict()


def test_fault_option_adds_regression_and_flag(capsys, no_library):
    rc, out, _ = run(capsys, "--date", "2026-05-12", "--fault", "a-skip:knee_lift_deg", "--json")
    d = json.loads(out)
    names = [b["name"] for b in d["blocks"]]
    assert rc == 0 and d["flags"] == ["a-skip"]
    assert names[names.index("A-skips") - 1] == "High-knee marches"


def test_athlete_faults_come_from_the_library_when_installed(capsys, fake_library):
    rc, out, _ = run(capsys, "--athlete", "ana", "--date", "2026-05-12", "--json")
    assert rc == 0 and json.loads(out)["flags"] == ["a-skip"]
    assert fake_library == [("ana", None)]
    # a fault given on the command line and the same one from the library count once
    rc, out2, _ = run(capsys, "--athlete", "ana", "--date", "2026-05-12", "--fault", "a-skip:knee_lift_deg", "--json")
    assert out2 == out
    expected = make_plan(athlete="ana", date="2026-05-12",
                         persistent_faults=[PersistentFault("a-skip", "knee_lift_deg")])
    assert json.loads(out) == expected.to_dict()


def test_athlete_without_library_plans_without_faults(capsys, no_library):
    rc, out, err = run(capsys, "--athlete", "ana", "--date", "2026-05-12", "--json")
    assert rc == 0 and err == "" and json.loads(out)["flags"] == []


def test_text_and_markdown_views(capsys, no_library):
    rc, out, _ = run(capsys, "--minutes", "12", "--date", "2026-05-12", "--fault", "a-skip")
    assert rc == 0
    assert out.startswith("Warm-up plan, 2026-05-12: 12:00 total") and "Total 12:00" in out
    assert "Easy jog into the session" in out and "Film: a-skip" in out
    rc, md, _ = run(capsys, "--minutes", "12", "--date", "2026-05-12", "--markdown")
    assert rc == 0 and md.startswith("# Warm-up plan") and "| # | Block |" in md


@pytest.mark.parametrize("args, message", [
    (["--minutes", "5"], "too short"),
    (["--minutes", "500"], "longer than any warm-up"),
    (["--minutes", "ten"], "must be a number"),
    (["--injury", "knee"], "unknown injury 'knee'; choose one of: achilles, calf, hip, groin"),
    (["--injury", "hip", "--injury", "shin"], "unknown injury 'shin'"),
    (["--session", "tempo"], "unknown session"),
    (["--phase", "taper"], "unknown phase"),
    (["--feel", "great"], "unknown feel"),
    (["--date", "2026-02-30"], "date must be YYYY-MM-DD"),
    (["--fault", "pogo:height"], "unknown drill 'pogo'"),
    (["--minutes", "6", "--injury", "achilles"], "at least 7 minutes"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, no_library, args, message):
    rc, out, err = run(capsys, *args)
    assert rc == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: ") and message in lines[0]


def test_console_entry_point_exit_code():
    proc = subprocess.run([sys.executable, "-m", "formcheck", "plan", "--minutes", "3"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "too short" in proc.stderr
