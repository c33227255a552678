"""formcheck's web app, home page: ``streamlit run app.py`` (or ``formcheck app``).

What formcheck does, how to film, the drills, and links to the pages in ``pages/`` (Streamlit
lists them in the sidebar: analyse an uploaded clip, a live webcam check, and the others). Pages
are thin: the shared pieces are in :mod:`formcheck.webapp`.
"""

from pathlib import Path

import streamlit as st

from formcheck import webapp

ANALYZE = "pages/1_Analyze_a_clip.py"
LIVE = "pages/2_Live_check.py"

webapp.page_setup("Home")

st.title("formcheck")
st.markdown(
    "Check your running-drill form from a phone video. formcheck finds your pose in every frame, "
    "measures each rep (knee lift, lean, hip hinge, head stillness, arm-leg timing, cadence and "
    "more), scores it against coaching targets and tells you what to fix, in a coach's words."
)

left, right = st.columns(2)
with left, st.container(border=True):
    st.page_link(ANALYZE, label="**Analyze a clip**", icon=":material/movie:")
    st.markdown(
        f"Drop a video from your phone (up to {webapp.MAX_UPLOAD_MB} MB). You get a score, the top "
        "cues with the rep that shows each one beside your best rep, an annotated video, metrics "
        "with their targets, charts and a report to share."
    )
with right, st.container(border=True):
    st.page_link(LIVE, label="**Live check**", icon=":material/videocam:")
    st.markdown(
        "Use a webcam: your skeleton, the rep count and the current cue are drawn on the video "
        "while you move, and you get a summary of the set when you stop."
    )

others = [p for p in webapp.app_pages(Path(__file__).parent) if p.as_posix() not in (ANALYZE, LIVE)]
if others:
    with st.container(border=True):
        for page in others:
            st.page_link(page.as_posix(), label=webapp.page_title(page), icon=":material/arrow_forward:")

webapp.filming_tips(expanded=True)

st.markdown("### Drills formcheck knows")
webapp.drill_table()

st.caption(
    "Everything runs on this computer: videos are analysed here and sent nowhere else. "
    "Sample clips to try are in the `sample_videos/` folder of formcheck."
)
