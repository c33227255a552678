"""The coach workspace: athletes, their analysed clips over weeks, comparisons and progress.

- :mod:`~formcheck.library.store`: :class:`Library`, the SQLite-backed store (atomic saves, WAL,
  versioned schema) in a data folder (``--data DIR``, ``$FORMCHECK_DATA`` or
  ``~/.local/share/formcheck``).
- :mod:`~formcheck.library.importer`: :func:`import_clips` / :func:`import_folder`, parallel and
  resumable.
- :mod:`~formcheck.library.compare`: two clips side by side, aligned rep by rep.
- :mod:`~formcheck.library.progress`: metrics over weeks, target bands, persistent faults.
- :mod:`~formcheck.library.export`: an athlete's history as CSV and a self-contained HTML page.

:func:`persistent_faults` is what the warm-up planner asks for (``formcheck plan --athlete``).
"""

from __future__ import annotations

import os
from typing import Any

from formcheck.library.progress import FaultSettings, PersistentFault, find_persistent_faults
from formcheck.library.store import (
    DB_NAME,
    Athlete,
    Library,
    LibraryError,
    Note,
    Session,
    default_data_dir,
    resolve_data_dir,
)

__all__ = [
    "Athlete",
    "FaultSettings",
    "Library",
    "LibraryError",
    "Note",
    "PersistentFault",
    "Session",
    "default_data_dir",
    "import_clips",
    "import_folder",
    "persistent_faults",
    "resolve_data_dir",
]


def persistent_faults(athlete: str, data_dir: str | os.PathLike | None = None, *,
                      settings: FaultSettings = FaultSettings()) -> list[PersistentFault]:
    """The faults ``athlete`` keeps showing: the same major cue in at least 2 of the last 3 sessions
    of a drill (see :class:`FaultSettings`). Each has ``drill``, ``metric`` and ``cue_id``.

    An athlete (or a library) that does not exist has none; nothing is created.
    """
    path = resolve_data_dir(data_dir)
    if not (path / DB_NAME).is_file():
        return []
    lib = Library(path, create=False, clean=False)
    a = lib.find_athlete(athlete)
    if a is None:
        return []
    return find_persistent_faults(lib.segment_rows(a), lib.cue_rows(a), settings)


def __getattr__(name: str) -> Any:  # the importer pulls in the analysis; load it only when asked
    if name in ("import_clips", "import_folder", "import_path"):
        from formcheck.library import importer

        return getattr(importer, name)
    raise AttributeError(f"module 'formcheck.library' has no attribute {name!r}")
