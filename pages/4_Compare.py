"""Compare two clips side by side, aligned rep by rep: two athletes, one athlete on two dates, or
an athlete against a model clip."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import streamlit as st

from formcheck import webapp
from formcheck.errors import FormcheckError
from formcheck.library import Library

ATHLETE_KEY = "formcheck_athlete"
RESULT_KEY = "formcheck_compare"
MODEL = "a model clip (upload)"


@st.cache_resource(show_spinner=False)
def _library(path: str | None) -> Library:
    return Library(path)


def _session_picker(lib: Library, athletes, side: str, default_athlete: str | None, offset: int):
    names = [a.name for a in athletes]
    name = st.selectbox(f"Athlete {side}", names,
                        index=names.index(default_athlete) if default_athlete in names else 0, key=f"athlete_{side}")
    sessions = lib.sessions(name, newest_first=True)
    if not sessions:
        st.info(f"{name} has no sessions yet.")
        return None
    labels = {s.id: f"#{s.id}  {s.date}  {s.drill}  ({'n/a' if s.score is None else f'{s.score:.0f}'})"
              for s in sessions}
    ids = list(labels)
    return st.selectbox(f"Session {side}", ids, index=min(offset, len(ids) - 1), format_func=labels.get,
                        key=f"session_{side}")


def _model_side(lib: Library, drill: str):
    from formcheck.library.compare import model_side

    up = st.file_uploader("Model clip", type=["mp4", "mov", "m4v", "avi", "webm", "mkv"], key="model_clip")
    if up is None:
        return None
    folder = lib.compare_dir / "models"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(up.name).name
    if not path.exists() or path.read_bytes() != up.getvalue():
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=path.suffix) as tmp:
            tmp.write(up.getvalue())
        os.replace(tmp.name, path)
    return lambda: model_side(path, drill)


def _show(result) -> None:
    for w in result.warnings:
        st.warning(w)
    if result.video is not None:
        st.video(str(result.video))
    st.caption(f"A: {result.a} ({result.drill_a}) | B: {result.b} ({result.drill_b}) | "
               f"{len(result.pairs)} reps matched")
    st.markdown("**Metrics (median over reps)**")
    st.dataframe([{"metric": m.metric, "unit": m.unit, "A": m.a, "B": m.b, "B - A": m.diff,
                   "A score": m.a_score, "B score": m.b_score} for m in result.metrics],
                 hide_index=True, key="compare_metrics")
    if result.reps:
        st.markdown("**Per rep**")
        st.dataframe([{"pair": r.pair, "A rep": r.a_rep, "B rep": r.b_rep, "side": r.side, "metric": r.metric,
                       "A": r.a, "B": r.b, "B - A": r.diff, "unit": r.unit} for r in result.reps],
                     hide_index=True, key="compare_reps")


def main() -> None:
    webapp.page_setup("Compare")
    from formcheck.library.compare import compare_sessions

    st.title("Compare clips")
    try:
        lib = _library(os.environ.get("FORMCHECK_DATA") or None)
    except FormcheckError as e:
        st.error(str(e))
        return
    athletes = [a for a in lib.athletes() if a.sessions]
    if not athletes:
        st.info("No sessions in the library yet: import clips on the Coach library page.")
        return
    current = st.session_state.get(ATHLETE_KEY)
    col_a, col_b = st.columns(2)
    with col_a:
        a_id = _session_picker(lib, athletes, "A", current, 0)
    with col_b:
        source = st.radio("B is", ["a session", MODEL], horizontal=True, key="b_source")
        if source == MODEL:
            drill = lib.session(a_id).drill if a_id is not None else "auto"
            b_ref = _model_side(lib, drill)
        else:
            b_ref = _session_picker(lib, athletes, "B", current, 1)
    if st.button("Compare", key="compare_button", type="primary", disabled=a_id is None or b_ref is None):
        bar = st.progress(0.0, text="Aligning reps and writing the video...")
        try:
            b = b_ref() if callable(b_ref) else b_ref
            st.session_state[RESULT_KEY] = compare_sessions(
                lib, a_id, b, progress=lambda d, t: bar.progress(d / max(t, 1), text=f"frame {d}/{t}"))
        except FormcheckError as e:
            st.error(str(e))
        bar.empty()
    result = st.session_state.get(RESULT_KEY)
    if result is not None:
        _show(result)


main()
