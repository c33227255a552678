"""Progress: each metric of a drill week by week against its target band, and persistent faults."""

from __future__ import annotations

import os

import streamlit as st

from formcheck import webapp
from formcheck.errors import FormcheckError
from formcheck.library import Library

ATHLETE_KEY = "formcheck_athlete"
VERDICT_ICON = {"improving": "improving", "worse": "worse", "steady": "steady", "on target": "on target",
                "no target": "-", "one week": "one week so far"}


@st.cache_resource(show_spinner=False)
def _library(path: str | None) -> Library:
    return Library(path)


def main() -> None:
    webapp.page_setup("Progress")
    from formcheck.library.progress import progress_chart, progress_data

    st.title("Progress")
    try:
        lib = _library(os.environ.get("FORMCHECK_DATA") or None)
    except FormcheckError as e:
        st.error(str(e))
        return
    athletes = [a for a in lib.athletes() if a.sessions]
    if not athletes:
        st.info("No sessions in the library yet: import clips on the Coach library page.")
        return
    names = [a.name for a in athletes]
    current = st.session_state.get(ATHLETE_KEY)
    c1, c2 = st.columns(2)
    name = c1.selectbox("Athlete", names, index=names.index(current) if current in names else 0,
                        key="progress_athlete")
    st.session_state[ATHLETE_KEY] = name
    drills = lib.drills(name)
    if not drills:
        st.info(f"No drill was analysed in {name}'s sessions.")
        return
    drill = c2.selectbox("Drill", drills, key="progress_drill")
    data = progress_data(lib, name, drill)

    if data.faults:
        st.markdown("**Persistent faults**")
        for f in data.faults:
            st.warning(f"{f.text} (`{f.cue_id}`, {f.metric}): {f.sessions} of the last {f.of} sessions")
    else:
        st.success(f"No persistent faults in {drill}.")

    trends = {t.metric: t for t in data.trends}
    chosen = st.multiselect("Metrics", data.metrics, default=data.metrics,
                            format_func=lambda m: next((p["label"] for p in data.points if p["metric"] == m), m),
                            key="progress_metrics")
    chart = progress_chart(data, chosen)
    if chart is None:
        st.info("No measured values to chart yet.")
    else:
        st.altair_chart(chart, key="progress_chart")
    st.dataframe([{"metric": t.metric, "unit": t.unit, "first week": t.first_week, "first": round(t.first_value, 2),
                   "latest week": t.last_week, "latest": round(t.last_value, 2), "weeks": t.weeks,
                   "trend": VERDICT_ICON.get(t.verdict, t.verdict)} for t in trends.values()],
                 hide_index=True, key="progress_trends")


main()
