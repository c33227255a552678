"""Analyse an uploaded phone video: drill, score, cues with key frames, annotated video, metrics,
charts and downloads."""

import streamlit as st

from formcheck import webapp

webapp.page_setup("Analyze a clip")

st.title("Analyze a clip")
st.markdown(
    f"Drop a phone video of one drill (or a whole warm-up), portrait or landscape, up to "
    f"**{webapp.MAX_UPLOAD_MB} MB** ({', '.join(webapp.VIDEO_TYPES)}). Leave the drill on *auto* to "
    "have it recognised, or choose it."
)
webapp.filming_tips()

drill = st.selectbox("Drill", webapp.drill_choices(), format_func=webapp.drill_label, key="drill")
uploaded = st.file_uploader(
    f"Phone video (up to {webapp.MAX_UPLOAD_MB} MB)", type=list(webapp.VIDEO_TYPES), key="clip",
)
if uploaded is None:
    webapp.show_upload_result(None, drill)
    st.info("Drop a clip above to analyse it. A clip of 5-20 seconds with 4-6 reps per leg is plenty.",
            icon=":material/arrow_upward:")
else:
    webapp.show_upload_result(uploaded, drill)
