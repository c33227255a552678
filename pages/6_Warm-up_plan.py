"""The warm-up plan for today's session: tailored, rotated, printable, with a checklist and a
live form check for the drills that have one."""

import datetime as dt

import streamlit as st

from formcheck import webapp
from formcheck.errors import FormcheckError
from formcheck.plan import FEELS, INJURIES, PHASES, SESSIONS, make_plan, plan_to_markdown
from formcheck.plan.planner import library_faults

SESSION_KEYS, PHASE_KEYS, INJURY_KEYS, FEEL_KEYS = (list(x) for x in (SESSIONS, PHASES, INJURIES, FEELS))

webapp.page_setup("Warm-up plan")
st.title("Warm-up plan")
st.markdown("A warm-up before intervals: easy jogging, mobility, drills with crisp form, strides, "
            "and the jog into the session. Quality over volume.")

with st.form("plan"):
    c1, c2, c3 = st.columns(3)
    minutes = c1.slider("Minutes available", 6, 60, 15)
    session = c2.selectbox("Session ahead", SESSION_KEYS, help="short fast reps, or longer reps")
    phase = c3.selectbox("Training phase", PHASE_KEYS, index=PHASE_KEYS.index("build"))
    c4, c5, c6 = st.columns(3)
    injuries = c4.multiselect("Injury history", INJURY_KEYS)
    feel = c5.selectbox("How do you feel today?", FEEL_KEYS, index=FEEL_KEYS.index("normal"))
    day = c6.date_input("Date", dt.date.today())
    athlete = st.text_input("Athlete (for rotation and the coach library's persistent faults)", "")
    st.form_submit_button("Make the plan", type="primary")

try:
    faults = library_faults(athlete.strip()) if athlete.strip() else ()
    plan = make_plan(minutes=minutes, session=session, phase=phase, injuries=tuple(injuries), feel=feel,
                     athlete=athlete.strip() or None, date=day, persistent_faults=faults)
except FormcheckError as exc:
    webapp.show_error(exc)
    st.stop()

d = plan.to_dict()
st.subheader(f"{d['total_minutes']:.0f} minutes, {len(plan.blocks)} blocks")
for why in d.get("emphasis") or []:
    st.info(why)
if d.get("flags"):
    st.warning("Film today: " + ", ".join(d["flags"]) + " (a persistent fault is being worked on).")

for i, block in enumerate(d["blocks"], 1):
    amount = f"{block['minutes']:.1f} min" + (f" · {block['reps']}" if block.get("reps") else "")
    st.checkbox(f"**{i}. {block['name']}** — {amount}", key=f"done_{i}_{block['name']}")
    st.caption(block["purpose"] + ("  \nCues: " + "; ".join(block["cues"]) if block["cues"] else ""))
    if block.get("camera_check"):
        drill = block["camera_check"]
        st.markdown(f"[Check {drill} form live](Live_check?drill={drill})")

st.download_button("Download a printable plan (Markdown)", plan_to_markdown(plan),
                   file_name=f"warm-up-{day.isoformat()}.md", mime="text/markdown")
