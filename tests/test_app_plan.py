"""The warm-up plan page (AppTest): the plan shown is the planner's, as a checklist, with live
check links for the drills formcheck can analyse."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from formcheck.plan import make_plan

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "6_Warm-up_plan.py")




def test_plan_page_shows_the_planners_blocks_as_a_checklist():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    plan = make_plan(minutes=15, session="short", phase="build", feel="normal", date=at.date_input[0].value)
    labels = [c.label for c in at.checkbox]
    assert len(labels) == len(plan.blocks)
    assert [lbl.split("** — ")[0].split(". ", 1)[1] for lbl in labels] == [b.name for b in plan.blocks]
    assert plan.blocks[0].kind == "jog" and plan.blocks[-1].kind == "jog"


def test_injury_choice_changes_the_plan_and_live_links_follow_camera_checks():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.multiselect[0].set_value(["achilles"])
    at.slider[0].set_value(20)
    at.button[0].click()
    at.run()
    assert not at.exception
    plan = make_plan(minutes=20, injuries=("achilles",), date=at.date_input[0].value)
    names = [c.label.split("** — ")[0].split(". ", 1)[1] for c in at.checkbox]
    assert names == [b.name for b in plan.blocks]
    assert any("achilles" in i.value for i in at.info)
    links = [m.value for m in at.markdown if "form live](Live_check?drill=" in m.value]
    assert links == [f"[Check {b.camera_check} form live](Live_check?drill={b.camera_check})"
                     for b in plan.blocks if b.camera_check]
    assert links


def test_too_little_time_gives_a_message_not_an_exception():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.multiselect[0].set_value(["achilles", "hip"])
    at.slider[0].set_value(6)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.error and "min" in at.error[0].value
