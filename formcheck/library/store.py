"""The coach library on disk: one SQLite file plus the clips and their analyses.

Layout of the data folder (``--data DIR``, else ``$FORMCHECK_DATA``, else
``~/.local/share/formcheck``)::

    formcheck.db                      athletes, sessions, notes, metrics and cues per session
    clips/<athlete-slug>/<session-id>/
        clip.<ext>                    the clip as imported (byte for byte)
        report.json, metrics.csv      the analysis (formcheck.report.write_outputs)
    .staging/<pid>-<token>.part/      sessions being written (never read as a session)
    compare/                          side-by-side videos made by formcheck.library.compare

Saving is all or nothing. The files of a session are written into a staging folder; then, in one
write transaction, the session's rows are inserted, the folder is renamed into place and the
transaction commits. A failure before the commit removes the folder and rolls the rows back; a
process killed between the rename and the commit leaves a folder without a row, which the next
open removes (under the write lock, so never a folder another writer is about to commit). Staging
folders whose process is gone are removed on open as well.

The database runs in WAL mode with a busy timeout: readers never block the writer and see either
the whole session or none of it. Every connection is short-lived (one per call), so a
:class:`Library` can be shared between threads. The schema is versioned with
``PRAGMA user_version``; :data:`MIGRATIONS` upgrade older files when they are opened.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

__all__ = [
    "DB_NAME",
    "SCHEMA_VERSION",
    "Athlete",
    "Library",
    "LibraryError",
    "Note",
    "Session",
    "clip_hash",
    "default_data_dir",
    "resolve_data_dir",
    "stage_analysis",
]

DB_NAME = "formcheck.db"
CLIPS_DIR = "clips"
STAGING_DIR = ".staging"
COMPARE_DIR = "compare"
DATA_ENV = "FORMCHECK_DATA"
#: Seconds a connection waits for another writer before giving up.
BUSY_TIMEOUT_S = 30.0
MAX_NAME_CHARS = 80
MAX_NOTE_CHARS = 4000
_HASH_CHUNK = 1 << 20


class LibraryError(FormcheckError):
    """A coach-library request that cannot be met (unknown athlete or session, bad name, ...)."""


# ---------------------------------------------------------------------------- data folder
def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "formcheck"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """``data_dir`` if given, else ``$FORMCHECK_DATA``, else ``~/.local/share/formcheck``."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else default_data_dir()


def clip_hash(path: str | os.PathLike) -> str:
    """SHA-256 of the file's bytes (hex): the identity of a clip in the library."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return slug or "athlete"


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise LibraryError(f"an athlete's name must be text, got {type(name).__name__}")
    clean = " ".join(name.split())
    if not clean:
        raise LibraryError("the athlete's name is empty; give a name such as 'Ana Silva'")
    if len(clean) > MAX_NAME_CHARS:
        raise LibraryError(f"the athlete's name is {len(clean)} characters long; keep it under {MAX_NAME_CHARS}")
    if clean.isdigit():
        raise LibraryError(f"{clean!r} is only digits, which reads as a session id; add a letter to the name")
    return clean


def parse_date(value: str | _dt.date | None) -> _dt.date | None:
    """A ``YYYY-MM-DD`` text (or a date) as a date; ``None`` stays ``None``."""
    if value is None or isinstance(value, _dt.date):
        return value.date() if isinstance(value, _dt.datetime) else value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise LibraryError(f"date {value!r} is not a day; write it as YYYY-MM-DD, e.g. 2025-03-14") from None


# ---------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    slug: str
    created_at: str
    sessions: int = 0
    last_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sessions": self.sessions, "last_date": self.last_date}


@dataclass(frozen=True)
class Session:
    """One analysed clip of one athlete. ``dir`` is absolute; ``clip`` is the original file name."""

    id: int
    athlete_id: int
    athlete: str
    date: str  # YYYY-MM-DD
    drill: str
    clip: str
    clip_hash: str
    dir: Path
    clip_file: str
    score: float | None
    reps: int
    created_at: str

    @property
    def clip_path(self) -> Path:
        return self.dir / self.clip_file

    @property
    def report_path(self) -> Path:
        return self.dir / "report.json"

    @property
    def day(self) -> _dt.date:
        return _dt.date.fromisoformat(self.date)

    def label(self) -> str:
        return f"#{self.id} {self.athlete} {self.date} {self.drill}"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "athlete": self.athlete, "date": self.date, "drill": self.drill, "clip": self.clip,
                "score": None if self.score is None else round(self.score, 1), "reps": self.reps,
                "clip_hash": self.clip_hash, "dir": str(self.dir)}


@dataclass(frozen=True)
class Note:
    id: int
    session_id: int
    cue_id: str | None
    text: str
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "session_id": self.session_id, "cue_id": self.cue_id, "text": self.text,
                "created_at": self.created_at}


# ---------------------------------------------------------------------------- report rows
def _report_rows(report: Mapping[str, Any]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Segments, metrics and cues of a report dict as rows (without the session id)."""
    segments, metrics, cues = [], [], []
    segs = report.get("segments") or []
    if not segs:  # a report without segments: the whole clip as one
        segs = [{"drill": report.get("drill", {}).get("name", "unknown"), "start_s": 0.0,
                 "end_s": report.get("video", {}).get("duration_s"),
                 "report": {"metrics": report.get("metrics", {}), "cues": report.get("cues", []),
                            "score": report.get("score")}}]
    rank = 0
    for k, seg in enumerate(segs):
        rep = seg.get("report") or {}
        drill = seg.get("drill") or rep.get("drill") or "unknown"
        segments.append((k, drill, seg.get("start_s"), seg.get("end_s"), rep.get("score")))
        for name, m in (rep.get("metrics") or {}).items():
            lo, hi = (list(m.get("target") or [None, None]) + [None, None])[:2]
            metrics.append((k, drill, name, m.get("value"), m.get("left"), m.get("right"), m.get("unit") or "",
                            lo, hi, m.get("score")))
        for c in rep.get("cues") or []:
            cues.append((rank, k, c.get("drill") or drill, c.get("id"), c.get("metric"), c.get("severity"),
                         c.get("text")))
            rank += 1
    return segments, metrics, cues


def _insert_report_rows(con: sqlite3.Connection, session_id: int, report: Mapping[str, Any]) -> None:
    segments, metrics, cues = _report_rows(report)
    con.executemany("INSERT INTO session_segments (session_id, segment, drill, start_s, end_s, score) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [(session_id, *r) for r in segments])
    con.executemany("INSERT INTO session_metrics (session_id, segment, drill, metric, value, left_value, "
                    "right_value, unit, target_lo, target_hi, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(session_id, *r) for r in metrics])
    con.executemany("INSERT INTO session_cues (session_id, rank, segment, drill, cue_id, metric, severity, text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(session_id, *r) for r in cues])


# ---------------------------------------------------------------------------- schema
_V1 = """
CREATE TABLE athletes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    athlete_id INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    drill TEXT NOT NULL,
    clip TEXT NOT NULL,
    clip_hash TEXT NOT NULL,
    dir TEXT NOT NULL UNIQUE,
    clip_file TEXT NOT NULL,
    score REAL,
    reps INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (athlete_id, clip_hash)
);
CREATE INDEX sessions_by_athlete_date ON sessions (athlete_id, date, id);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    cue_id TEXT,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notes_by_session ON notes (session_id);
"""

_V2 = """
CREATE TABLE session_segments (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    segment INTEGER NOT NULL,
    drill TEXT NOT NULL,
    start_s REAL,
    end_s REAL,
    score REAL,
    PRIMARY KEY (session_id, segment)
);
CREATE INDEX segments_by_drill ON session_segments (drill, session_id);
CREATE TABLE session_metrics (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    segment INTEGER NOT NULL,
    drill TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL,
    left_value REAL,
    right_value REAL,
    unit TEXT NOT NULL,
    target_lo REAL,
    target_hi REAL,
    score REAL,
    PRIMARY KEY (session_id, segment, metric)
);
CREATE INDEX metrics_by_drill ON session_metrics (drill, metric, session_id);
CREATE TABLE session_cues (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    segment INTEGER NOT NULL,
    drill TEXT NOT NULL,
    cue_id TEXT,
    metric TEXT,
    severity TEXT,
    text TEXT,
    PRIMARY KEY (session_id, rank)
);
"""


def _migrate_v2(con: sqlite3.Connection, data_dir: Path) -> None:
    """Per-session segments, metrics and cues in tables (they lived only in report.json before)."""
    for stmt in _statements(_V2):
        con.execute(stmt)
    for sid, rel in con.execute("SELECT id, dir FROM sessions").fetchall():
        path = data_dir / rel / "report.json"
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a session whose report cannot be read keeps its row, without metrics
        _insert_report_rows(con, sid, report)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _migrate_v1(con: sqlite3.Connection, data_dir: Path) -> None:
    for stmt in _statements(_V1):
        con.execute(stmt)


#: ``(version, upgrade)``: ``upgrade(connection, data_dir)`` brings a file at ``version - 1`` to
#: ``version`` inside the caller's transaction.
MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection, Path], None]], ...] = (
    (1, _migrate_v1),
    (2, _migrate_v2),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


# ---------------------------------------------------------------------------- staging
def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_staging_dir(data_dir: str | os.PathLike) -> Path:
    """A fresh staging folder, named after this process (so that a dead one's can be told apart)."""
    root = Path(data_dir) / STAGING_DIR
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{os.getpid()}-{secrets.token_hex(6)}.part"
    path.mkdir()
    return path


def stage_analysis(data_dir: str | os.PathLike, clip: str | os.PathLike, report: Any) -> Path:
    """Write a session's files (the clip copied, report.json, metrics.csv) into a new staging folder.

    ``report``: a :class:`formcheck.report.Report` (both files written) or its dict (report.json only).
    Returns the folder, to be passed to :meth:`Library.commit_staged`.
    """
    clip = Path(clip)
    stage = new_staging_dir(data_dir)
    try:
        if isinstance(report, Mapping):
            (stage / "report.json").write_text(json.dumps(report, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        else:
            from formcheck.report import write_outputs

            out = stage / "out"
            write_outputs(report, out)
            for f in out.iterdir():
                os.replace(f, stage / f.name)
            out.rmdir()
        shutil.copyfile(clip, stage / _clip_file_name(clip))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return stage


def _clip_file_name(clip: Path) -> str:
    ext = re.sub(r"[^a-z0-9]", "", clip.suffix.lower())[:8]
    return f"clip.{ext or 'mp4'}"


def place_files(stage: Path, final: Path) -> None:
    """Move a finished staging folder to its place (a rename on the same file system)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(stage, final)


# ---------------------------------------------------------------------------- the library
_SESSION_COLS = ("s.id, s.athlete_id, a.name, s.date, s.drill, s.clip, s.clip_hash, s.dir, s.clip_file, s.score, "
                 "s.reps, s.created_at")


class Library:
    """The coach library in ``data_dir`` (created when missing unless ``create=False``)."""

    def __init__(self, data_dir: str | os.PathLike | None = None, *, create: bool = True,
                 clean: bool = True) -> None:
        self.path = resolve_data_dir(data_dir)
        self.db_path = self.path / DB_NAME
        if not self.db_path.exists() and not create:
            raise LibraryError(f"no formcheck library at {self.path}; import a clip first or choose --data DIR")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LibraryError(f"cannot create the library folder {self.path} ({e.strerror}); "
                               "choose another with --data DIR") from None
        self._open()
        if clean:
            self.clean_orphans()

    # ------------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise LibraryError(f"cannot open {self.db_path} ({e}); check the folder's permissions") from None
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as e:
            con.close()
            raise LibraryError(f"{self.db_path} is not a formcheck library ({e}); move it away or choose "
                               "another --data DIR") from None
        return con

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A connection holding one read snapshot for the block."""
        con = self._connect()
        try:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection holding the write lock (``BEGIN IMMEDIATE``); commits when the block succeeds."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            con.close()

    def _open(self) -> None:
        con = self._connect()
        try:
            try:
                version = con.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise LibraryError(
                        f"{self.db_path} was written by a newer formcheck (schema {version}, this one reads up "
                        f"to {SCHEMA_VERSION}); upgrade formcheck")
                if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    con.execute("PRAGMA journal_mode = WAL")
                if version < SCHEMA_VERSION:
                    self._migrate(con)
            except sqlite3.DatabaseError as e:
                raise LibraryError(f"{self.db_path} is not a formcheck library ({e}); move it away or choose "
                                   "another --data DIR") from None
        finally:
            con.close()

    def _migrate(self, con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]  # again, under the lock
            for target, upgrade in MIGRATIONS:
                if version < target:
                    upgrade(con, self.path)
                    con.execute(f"PRAGMA user_version = {target}")
                    version = target
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        con = self._connect()
        try:
            return int(con.execute("PRAGMA user_version").fetchone()[0])
        finally:
            con.close()

    @property
    def clips_dir(self) -> Path:
        return self.path / CLIPS_DIR

    @property
    def staging_dir(self) -> Path:
        return self.path / STAGING_DIR

    @property
    def compare_dir(self) -> Path:
        return self.path / COMPARE_DIR

    # ------------------------------------------------------------------ housekeeping
    def _orphan_candidates(self, known: set[str] | None) -> tuple[list[Path], list[Path]]:
        stale = []
        if self.staging_dir.is_dir():
            for p in self.staging_dir.iterdir():
                pid = p.name.split("-", 1)[0]
                if not pid.isdigit() or not _pid_alive(int(pid)):
                    stale.append(p)
        orphans = []
        if self.clips_dir.is_dir():
            for athlete_dir in self.clips_dir.iterdir():
                if not athlete_dir.is_dir():
                    continue
                for d in athlete_dir.iterdir():
                    rel = f"{CLIPS_DIR}/{athlete_dir.name}/{d.name}"
                    if known is None or rel not in known:
                        orphans.append(d)
        return stale, orphans

    def _known_dirs(self, con: sqlite3.Connection) -> set[str]:
        return {r[0] for r in con.execute("SELECT dir FROM sessions")}

    def clean_orphans(self) -> list[Path]:
        """Remove staging folders of dead processes and session folders without a row. Returns them."""
        with self._read() as con:
            known = self._known_dirs(con)
        stale, orphans = self._orphan_candidates(known)
        removed = []
        for p in stale:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p)
        empty = [d for d in self.clips_dir.iterdir() if d.is_dir() and not any(d.iterdir())] \
            if self.clips_dir.is_dir() else []
        if orphans or empty:
            with self._write() as con:  # under the lock: no writer is between its rename and its commit
                known = self._known_dirs(con)
                for d in orphans:
                    rel = f"{CLIPS_DIR}/{d.parent.name}/{d.name}"
                    if rel not in known and d.exists():
                        shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
                        removed.append(d)
                slugs = {r[0] for r in con.execute("SELECT slug FROM athletes")}
                for d in empty:
                    if d.name not in slugs:  # a deleted athlete's folder (a writer may be filling a live one)
                        with contextlib.suppress(OSError):
                            d.rmdir()  # only if still empty
        return removed

    # ------------------------------------------------------------------ athletes
    def add_athlete(self, name: str, *, exist_ok: bool = False) -> Athlete:
        """Add an athlete (names are unique, ignoring case). ``exist_ok`` returns an existing one."""
        name = _check_name(name)
        with self._write() as con:
            row = con.execute("SELECT id FROM athletes WHERE name = ?", (name,)).fetchone()
            if row is not None:
                if not exist_ok:
                    raise LibraryError(f"athlete {name!r} is already in the library; pick another name")
            else:
                base = _slugify(name)
                taken = {r[0] for r in con.execute("SELECT slug FROM athletes WHERE slug = ? OR slug LIKE ?",
                                                   (base, base + "-%"))}
                slug, k = base, 2
                while slug in taken or (self.clips_dir / slug).exists():
                    slug, k = f"{base}-{k}", k + 1
                con.execute("INSERT INTO athletes (name, slug, created_at) VALUES (?, ?, ?)", (name, slug, _now()))
        return self.athlete(name)

    def athletes(self) -> list[Athlete]:
        """Every athlete, by name, with the number of sessions and the latest session's date."""
        with self._read() as con:
            rows = con.execute(
                "SELECT a.id, a.name, a.slug, a.created_at, COUNT(s.id), MAX(s.date) FROM athletes a "
                "LEFT JOIN sessions s ON s.athlete_id = a.id GROUP BY a.id ORDER BY a.name COLLATE NOCASE").fetchall()
        return [Athlete(*r) for r in rows]

    def athlete(self, name_or_id: str | int | Athlete) -> Athlete:
        """One athlete by name (any case) or id; :class:`LibraryError` listing the names otherwise."""
        if isinstance(name_or_id, Athlete):
            name_or_id = name_or_id.id
        with self._read() as con:
            q = ("SELECT a.id, a.name, a.slug, a.created_at, COUNT(s.id), MAX(s.date) FROM athletes a "
                 "LEFT JOIN sessions s ON s.athlete_id = a.id WHERE {} GROUP BY a.id")
            if isinstance(name_or_id, int):
                row = con.execute(q.format("a.id = ?"), (name_or_id,)).fetchone()
            else:
                row = con.execute(q.format("a.name = ?"), (" ".join(str(name_or_id).split()),)).fetchone()
            if row is None:
                names = [r[0] for r in con.execute("SELECT name FROM athletes ORDER BY name COLLATE NOCASE")]
        if row is None:
            known = f"one of: {', '.join(names)}" if names else "the library has none yet; add one first"
            raise LibraryError(f"no athlete {name_or_id!r} in the library ({known})")
        return Athlete(*row)

    def find_athlete(self, name: str) -> Athlete | None:
        try:
            return self.athlete(name)
        except LibraryError:
            return None

    def delete_athlete(self, name_or_id: str | int | Athlete) -> int:
        """Delete an athlete with all their sessions, notes and files. Returns the sessions removed."""
        a = self.athlete(name_or_id)
        with self._write() as con:
            n = con.execute("SELECT COUNT(*) FROM sessions WHERE athlete_id = ?", (a.id,)).fetchone()[0]
            con.execute("DELETE FROM athletes WHERE id = ?", (a.id,))
        self._remove_tree(self.clips_dir / a.slug)
        return int(n)

    def _remove_tree(self, path: Path) -> None:
        """Remove a folder whose rows are gone: first out of the way (one rename), then for good."""
        if not path.exists():
            return
        trash = self.staging_dir / f"{os.getpid()}-{secrets.token_hex(6)}.part"
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, trash)
        except OSError:
            trash = path
        shutil.rmtree(trash, ignore_errors=True)

    # ------------------------------------------------------------------ sessions
    def _session_from_row(self, r: Sequence[Any]) -> Session:
        return Session(id=r[0], athlete_id=r[1], athlete=r[2], date=r[3], drill=r[4], clip=r[5], clip_hash=r[6],
                       dir=self.path / r[7], clip_file=r[8], score=r[9], reps=r[10], created_at=r[11])

    def sessions(self, athlete: str | int | Athlete | None = None, *, drill: str | None = None,
                 newest_first: bool = False) -> list[Session]:
        """Sessions (all, or one athlete's; optionally those that include ``drill``), oldest first."""
        where, args = [], []
        if athlete is not None:
            where.append("s.athlete_id = ?")
            args.append(self.athlete(athlete).id)
        if drill is not None:
            where.append("(s.drill = ? OR s.id IN (SELECT session_id FROM session_segments WHERE drill = ?))")
            args += [drill, drill]
        order = "DESC" if newest_first else "ASC"
        q = (f"SELECT {_SESSION_COLS} FROM sessions s JOIN athletes a ON a.id = s.athlete_id "
             f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY s.date {order}, s.id {order}")
        with self._read() as con:
            rows = con.execute(q, args).fetchall()
        return [self._session_from_row(r) for r in rows]

    def session(self, session_id: int | str) -> Session:
        try:
            sid = int(session_id)
        except (TypeError, ValueError):
            raise LibraryError(f"session id {session_id!r} is not a number; see 'formcheck library list'") from None
        with self._read() as con:
            row = con.execute(f"SELECT {_SESSION_COLS} FROM sessions s JOIN athletes a ON a.id = s.athlete_id "
                              "WHERE s.id = ?", (sid,)).fetchone()
        if row is None:
            raise LibraryError(f"no session {sid} in the library; see 'formcheck library list'")
        return self._session_from_row(row)

    def find_clip(self, athlete: str | int | Athlete, digest: str) -> Session | None:
        """The athlete's session of the clip with content hash ``digest``, if imported."""
        a = self.athlete(athlete)
        with self._read() as con:
            row = con.execute(f"SELECT {_SESSION_COLS} FROM sessions s JOIN athletes a ON a.id = s.athlete_id "
                              "WHERE s.athlete_id = ? AND s.clip_hash = ?", (a.id, digest)).fetchone()
        return None if row is None else self._session_from_row(row)

    def known_hashes(self, athlete: str | int | Athlete) -> set[str]:
        a = self.athlete(athlete)
        with self._read() as con:
            return {r[0] for r in con.execute("SELECT clip_hash FROM sessions WHERE athlete_id = ?", (a.id,))}

    def report(self, session: Session | int) -> dict[str, Any]:
        """The session's report.json as a dict."""
        s = session if isinstance(session, Session) else self.session(session)
        try:
            return json.loads(s.report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise LibraryError(f"the report of session {s.id} cannot be read ({e}); delete the session and "
                               "import the clip again") from None

    def add_session(self, athlete: str | int | Athlete, clip: str | os.PathLike, report: Any, *,
                    date: str | _dt.date | None = None, digest: str | None = None) -> Session:
        """Save an analysed clip for ``athlete`` (all or nothing). ``report``: a Report or its dict.

        ``date`` defaults to the clip file's modification day. An already-imported clip (same
        content) of the same athlete is not saved again: its existing session is returned.
        """
        clip = Path(clip)
        if not clip.is_file():
            raise LibraryError(f"{clip} not found; give the path of a video file")
        a = self.athlete(athlete)
        digest = digest or clip_hash(clip)
        existing = self.find_clip(a, digest)
        if existing is not None:
            return existing
        day = parse_date(date) or _dt.date.fromtimestamp(clip.stat().st_mtime)
        stage = stage_analysis(self.path, clip, report)
        return self.commit_staged(a, stage, clip_name=clip.name, digest=digest, date=day)[0]

    def commit_staged(self, athlete: str | int | Athlete, stage: str | os.PathLike, *, clip_name: str,
                      digest: str, date: str | _dt.date) -> tuple[Session, bool]:
        """Turn a staging folder (from :func:`stage_analysis`) into a session, atomically.

        Returns ``(session, created)``; ``created`` is False when the athlete already has that clip
        (the staging folder is then discarded). On any failure the staging folder is removed and
        no row is left.
        """
        stage = Path(stage)
        final: Path | None = None
        placing = False
        try:
            report = json.loads((stage / "report.json").read_text(encoding="utf-8"))
            clip_files = [p.name for p in stage.iterdir() if p.name.startswith("clip.")]
            if len(clip_files) != 1:
                raise LibraryError(f"staging folder {stage} holds {len(clip_files)} clips; expected one")
            day = parse_date(date)
            if day is None:
                raise LibraryError("a session needs a date (YYYY-MM-DD)")
            a = self.athlete(athlete)
            drill = (report.get("drill") or {}).get("name") or "unknown"
            score = report.get("score")
            reps = len(report.get("reps") or []) or sum(
                len((s.get("report") or {}).get("reps") or []) for s in report.get("segments") or [])
            with self._write() as con:
                row = con.execute("SELECT id FROM sessions WHERE athlete_id = ? AND clip_hash = ?",
                                  (a.id, digest)).fetchone()
                if row is not None:
                    sid, created = row[0], False
                else:
                    cur = con.execute(
                        "INSERT INTO sessions (athlete_id, date, drill, clip, clip_hash, dir, clip_file, score, reps, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (a.id, day.isoformat(), drill, clip_name, digest, f"pending-{stage.name}", clip_files[0],
                         score, reps, _now()))
                    sid, created = int(cur.lastrowid), True
                    rel = f"{CLIPS_DIR}/{a.slug}/{sid}"
                    con.execute("UPDATE sessions SET dir = ? WHERE id = ?", (rel, sid))
                    _insert_report_rows(con, sid, report)
                    final = self.path / rel
                    if final.exists():  # left by a writer killed before its commit (we hold the lock)
                        shutil.rmtree(final, ignore_errors=True)
                    placing = True  # from here a failure may leave the folder (partly) in place
                    place_files(stage, final)
        except BaseException:
            if placing and final is not None:
                shutil.rmtree(final, ignore_errors=True)
            raise
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)
        return self.session(sid), created

    def delete_session(self, session_id: int | str) -> Session:
        s = self.session(session_id)
        with self._write() as con:
            con.execute("DELETE FROM sessions WHERE id = ?", (s.id,))
        self._remove_tree(s.dir)
        return s

    def set_session_date(self, session_id: int | str, date: str | _dt.date) -> Session:
        s = self.session(session_id)
        day = parse_date(date)
        with self._write() as con:
            con.execute("UPDATE sessions SET date = ? WHERE id = ?", (day.isoformat(), s.id))
        return self.session(s.id)

    # ------------------------------------------------------------------ notes
    def add_note(self, session_id: int | str, text: str, *, cue_id: str | None = None) -> Note:
        """A coach's note on a session, or on one of its cues (``cue_id`` must be a cue of the session)."""
        s = self.session(session_id)
        text = (text or "").strip()
        if not text:
            raise LibraryError("the note is empty; write what you want to remember about the clip")
        if len(text) > MAX_NOTE_CHARS:
            raise LibraryError(f"the note is {len(text)} characters long; keep it under {MAX_NOTE_CHARS}")
        cue_id = (cue_id or "").strip() or None
        with self._write() as con:
            if cue_id is not None:
                cues = [r[0] for r in con.execute("SELECT DISTINCT cue_id FROM session_cues WHERE session_id = ?",
                                                  (s.id,))]
                if cue_id not in cues:
                    listed = ", ".join(c for c in cues if c) or "it has no cues"
                    raise LibraryError(f"session {s.id} has no cue {cue_id!r} ({listed}); leave out --cue to note "
                                       "the whole clip")
            cur = con.execute("INSERT INTO notes (session_id, cue_id, text, created_at) VALUES (?, ?, ?, ?)",
                              (s.id, cue_id, text, _now()))
            nid = int(cur.lastrowid)
            row = con.execute("SELECT id, session_id, cue_id, text, created_at FROM notes WHERE id = ?",
                              (nid,)).fetchone()
        return Note(*row)

    def notes(self, session_id: int | str | None = None, *, athlete: str | int | Athlete | None = None
              ) -> list[Note]:
        """Notes of a session, or of all an athlete's sessions, oldest first."""
        with self._read() as con:
            if session_id is not None:
                rows = con.execute("SELECT id, session_id, cue_id, text, created_at FROM notes WHERE session_id = ? "
                                   "ORDER BY id", (int(session_id),)).fetchall()
            elif athlete is not None:
                aid = self.athlete(athlete).id
                rows = con.execute("SELECT n.id, n.session_id, n.cue_id, n.text, n.created_at FROM notes n "
                                   "JOIN sessions s ON s.id = n.session_id WHERE s.athlete_id = ? ORDER BY n.id",
                                   (aid,)).fetchall()
            else:
                rows = con.execute("SELECT id, session_id, cue_id, text, created_at FROM notes ORDER BY id").fetchall()
        return [Note(*r) for r in rows]

    def delete_note(self, note_id: int) -> None:
        with self._write() as con:
            if con.execute("DELETE FROM notes WHERE id = ?", (int(note_id),)).rowcount == 0:
                raise LibraryError(f"no note {note_id} in the library")

    # ------------------------------------------------------------------ analysis rows
    def metric_rows(self, athlete: str | int | Athlete, drill: str | None = None) -> list[dict[str, Any]]:
        """Per session and metric (oldest first): session_id, date, drill, segment, metric, value, left,
        right, unit, target_lo, target_hi, score."""
        aid = self.athlete(athlete).id
        q = ("SELECT m.session_id, s.date, m.drill, m.segment, m.metric, m.value, m.left_value, m.right_value, "
             "m.unit, m.target_lo, m.target_hi, m.score FROM session_metrics m JOIN sessions s ON s.id = m.session_id "
             "WHERE s.athlete_id = ?" + (" AND m.drill = ?" if drill else "") +
             " ORDER BY s.date, s.id, m.segment")
        keys = ("session_id", "date", "drill", "segment", "metric", "value", "left", "right", "unit", "target_lo",
                "target_hi", "score")
        with self._read() as con:
            rows = con.execute(q, (aid, drill) if drill else (aid,)).fetchall()
        return [dict(zip(keys, r)) for r in rows]

    def segment_rows(self, athlete: str | int | Athlete, drill: str | None = None) -> list[dict[str, Any]]:
        """Per session and drill segment (oldest first): session_id, date, drill, segment, score."""
        aid = self.athlete(athlete).id
        q = ("SELECT g.session_id, s.date, g.drill, g.segment, g.score FROM session_segments g "
             "JOIN sessions s ON s.id = g.session_id WHERE s.athlete_id = ?" + (" AND g.drill = ?" if drill else "")
             + " ORDER BY s.date, s.id, g.segment")
        with self._read() as con:
            rows = con.execute(q, (aid, drill) if drill else (aid,)).fetchall()
        return [dict(zip(("session_id", "date", "drill", "segment", "score"), r)) for r in rows]

    def cue_rows(self, athlete: str | int | Athlete, drill: str | None = None,
                 session_id: int | None = None) -> list[dict[str, Any]]:
        """Cues per session (oldest session first, then rank): session_id, date, drill, cue_id, metric,
        severity, text."""
        aid = self.athlete(athlete).id
        q = ("SELECT c.session_id, s.date, c.drill, c.cue_id, c.metric, c.severity, c.text FROM session_cues c "
             "JOIN sessions s ON s.id = c.session_id WHERE s.athlete_id = ?")
        args: list[Any] = [aid]
        if drill:
            q += " AND c.drill = ?"
            args.append(drill)
        if session_id is not None:
            q += " AND c.session_id = ?"
            args.append(int(session_id))
        q += " ORDER BY s.date, s.id, c.rank"
        with self._read() as con:
            rows = con.execute(q, args).fetchall()
        return [dict(zip(("session_id", "date", "drill", "cue_id", "metric", "severity", "text"), r)) for r in rows]

    def drills(self, athlete: str | int | Athlete) -> list[str]:
        """The drills found in an athlete's sessions (segments of warm-ups included), by name."""
        aid = self.athlete(athlete).id
        with self._read() as con:
            rows = con.execute("SELECT DISTINCT g.drill FROM session_segments g JOIN sessions s ON s.id = g.session_id "
                               "WHERE s.athlete_id = ? ORDER BY g.drill", (aid,)).fetchall()
        return [r[0] for r in rows]
