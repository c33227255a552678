"""Live form check from a webcam: skeleton, rep count and the current cue drawn on the video; a
summary of the set when stopped."""

import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck import webapp
from formcheck.errors import FormcheckError

webapp.page_setup("Live check")

st.title("Live check")
st.markdown(
    "Stand side-on to the camera, far enough back that your whole body is in view, and press "
    "**START**. Your skeleton, the rep count and the current cue appear on the video; press "
    "**STOP** for a summary of the set."
)

store = webapp.live_store()
wanted = st.query_params.get("drill")  # e.g. from the warm-up plan's "check live" links
if wanted in webapp.drill_choices() and "live_drill" not in st.session_state:
    st.session_state["live_drill"] = wanted
drill = st.selectbox("Drill", webapp.drill_choices(), format_func=webapp.drill_label, key="live_drill",
                     help="On auto the drill is recognised from the last few seconds of movement.")
store.set_drill(drill)

try:
    servers = webapp.ice_servers()
except FormcheckError as exc:
    webapp.show_error(exc)
    st.stop()

ctx = webrtc_streamer(
    key="formcheck-live",
    mode=WebRtcMode.SENDRECV,
    rtc_configuration={"iceServers": servers},
    media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
    video_processor_factory=webapp.live_processor_factory(store),
    async_processing=True,
)

webapp.live_panel(store, ctx)
webapp.filming_tips()
