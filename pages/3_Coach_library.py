"""Coach library: athletes, importing clips, the sessions with their scores, cues and notes."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import streamlit as st

from formcheck import webapp
from formcheck.errors import FormcheckError
from formcheck.library import Library

ATHLETE_KEY = "formcheck_athlete"  # shared by the coach pages: the athlete last looked at


@st.cache_resource(show_spinner=False)
def _library(path: str | None) -> Library:
    return Library(path)


def _pick_athlete(lib: Library, key: str):
    athletes = lib.athletes()
    if not athletes:
        return None
    names = [a.name for a in athletes]
    current = st.session_state.get(ATHLETE_KEY)
    name = st.selectbox("Athlete", names, index=names.index(current) if current in names else 0, key=key)
    st.session_state[ATHLETE_KEY] = name
    return next(a for a in athletes if a.name == name)


def _add_athlete(lib: Library) -> None:
    with st.form("add_athlete", clear_on_submit=True):
        name = st.text_input("New athlete's name", key="new_athlete")
        if st.form_submit_button("Add athlete"):
            try:
                a = lib.add_athlete(name)
            except FormcheckError as e:
                st.error(str(e))
            else:
                st.session_state[ATHLETE_KEY] = a.name
                st.success(f"Added {a.name}.")


def _import(lib: Library, athlete) -> None:
    from formcheck.library.importer import VIDEO_EXTENSIONS, find_clips, import_clips

    files = st.file_uploader("Clips", type=[e.lstrip(".") for e in VIDEO_EXTENSIONS], accept_multiple_files=True,
                             key="upload")
    folder = st.text_input("...or a folder of clips on this computer", key="import_folder")
    c1, c2, c3 = st.columns(3)
    drill = c1.selectbox("Drill", webapp.drill_choices(), format_func=webapp.drill_label, key="import_drill")
    day = c2.date_input("Date", value=dt.date.today(), key="import_date")
    workers = c3.number_input("Clips at once", 1, max(1, os.cpu_count() or 1), max(1, os.cpu_count() or 1),
                              key="import_workers")
    if not st.button("Import", key="import_button", type="primary"):
        return
    with tempfile.TemporaryDirectory(prefix="formcheck-upload-") as tmp:
        paths = []
        for f in files or []:
            p = Path(tmp) / Path(f.name).name
            p.write_bytes(f.getvalue())
            paths.append(p)
        try:
            if folder.strip():
                paths += find_clips(folder.strip())
            if not paths:
                st.warning("Choose clips to upload, or give a folder.")
                return
            bar = st.progress(0.0, text="Analysing...")
            result = import_clips(lib, paths, athlete.name, drill=drill, date=day, workers=int(workers),
                                  progress=lambda d, t: bar.progress(d / max(t, 1), text=f"{d}/{t} clips"))
        except FormcheckError as e:
            st.error(str(e))
            return
    st.success(result.summary())
    for item in result.failed:
        st.error(f"{item.path.name}: {item.message}")


def _session_detail(lib: Library, sessions) -> None:
    labels = {s.id: f"#{s.id}  {s.date}  {s.drill}  ({'n/a' if s.score is None else f'{s.score:.0f}'})  {s.clip}"
              for s in sessions}
    sid = st.selectbox("Session", list(labels), format_func=labels.get, key="session_pick")
    s = next(x for x in sessions if x.id == sid)
    report = lib.report(s)
    left, right = st.columns([3, 2])
    with left:
        st.video(str(s.clip_path))
    with right:
        st.metric("Score", "n/a" if s.score is None else f"{s.score:.0f}/100")
        cues = report.get("cues") or []
        for c in cues:
            (st.error if c.get("severity") == "major" else st.warning)(f"{c['text']}  \n`{c['id']}` ({c['metric']})")
        if not cues:
            st.success("No cues: form looks good.")
    metrics = report.get("metrics") or {}
    if metrics:
        st.dataframe([{"metric": k, "value": m.get("value"), "unit": m.get("unit"),
                       "target": " .. ".join("" if v is None else f"{v:g}" for v in (m.get("target") or [])),
                       "score": m.get("score")} for k, m in metrics.items()], hide_index=True, key="metrics_table")
    st.markdown("**Notes**")
    for n in lib.notes(s.id):
        st.markdown(f"- {n.created_at[:10]} " + (f"*{n.cue_id}*: " if n.cue_id else "") + n.text)
    with st.form("add_note", clear_on_submit=True):
        text = st.text_area("Note", key="note_text")
        cue = st.selectbox("About", ["the whole clip", *[c["id"] for c in cues]], key="note_cue")
        if st.form_submit_button("Add note"):
            try:
                lib.add_note(s.id, text, cue_id=None if cue == "the whole clip" else cue)
            except FormcheckError as e:
                st.error(str(e))
            else:
                st.rerun()


def _export_and_delete(lib: Library, athlete) -> None:
    from formcheck.library.export import history_csv, summary_html

    c1, c2 = st.columns(2)
    c1.download_button("History (CSV)", lambda: history_csv(lib, athlete.id), file_name=f"{athlete.slug}_history.csv",
                       mime="text/csv", key="export_csv")
    c2.download_button("Summary (HTML)", lambda: summary_html(lib, athlete.id),
                       file_name=f"{athlete.slug}_summary.html", mime="text/html", key="export_html")
    with st.expander("Delete this athlete"):
        sure = st.checkbox(f"Delete {athlete.name}, all {athlete.sessions} sessions and their files", key="delete_sure")
        if st.button("Delete", key="delete_button", disabled=not sure):
            lib.delete_athlete(athlete.id)
            st.session_state.pop(ATHLETE_KEY, None)
            st.rerun()


def main() -> None:
    webapp.page_setup("Coach library")
    st.title("Coach library")
    try:
        lib = _library(os.environ.get("FORMCHECK_DATA") or None)
    except FormcheckError as e:
        st.error(str(e))
        return
    st.caption(f"Library: {lib.path}")
    with st.sidebar:
        _add_athlete(lib)
    athlete = _pick_athlete(lib, "library_athlete")
    if athlete is None:
        st.info("No athletes yet: add one in the sidebar.")
        return
    with st.expander("Import clips", expanded=athlete.sessions == 0):
        _import(lib, athlete)
    athlete = lib.athlete(athlete.id)
    sessions = lib.sessions(athlete, newest_first=True)
    st.subheader(f"{athlete.name}: {len(sessions)} session{'' if len(sessions) == 1 else 's'}")
    if not sessions:
        st.info("No sessions yet: import clips above.")
        return
    st.dataframe([{"id": s.id, "date": s.date, "drill": s.drill, "clip": s.clip,
                   "score": None if s.score is None else round(s.score, 1), "reps": s.reps} for s in sessions],
                 hide_index=True, key="sessions_table", height=280)
    from formcheck.library.progress import find_persistent_faults

    faults = find_persistent_faults(lib.segment_rows(athlete), lib.cue_rows(athlete))
    if faults:
        st.markdown("**Persistent faults**")
        for f in faults:
            st.warning(f"{f.drill}: {f.text} ({f.sessions} of the last {f.of} sessions)")
    _session_detail(lib, sessions)
    _export_and_delete(lib, athlete)


main()
