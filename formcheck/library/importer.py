"""Import clips into the library: one clip or a whole folder, analysed in parallel, resumable.

:func:`import_clips` identifies each clip by the SHA-256 of its bytes. A clip the athlete already
has (or a second copy in the same batch) is skipped, so running an interrupted import again
finishes the rest without redoing or duplicating anything. The other clips are analysed in a pool
of processes (``workers``, default: every core), each with its own MediaPipe instance; a worker
writes the session's files into a staging folder and the importing process commits each one as
it arrives (:meth:`formcheck.library.store.Library.commit_staged`), so every clip finished before
an interruption or a kill is kept whole. A clip that cannot be analysed is reported with its
one-line reason and the rest go on.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.library.store import Library, LibraryError, Session, clip_hash, parse_date, stage_analysis

__all__ = ["VIDEO_EXTENSIONS", "Analyzer", "ImportInterrupted", "ImportItem", "ImportResult", "find_clips",
           "import_clips", "import_folder", "import_path"]

#: File name endings taken as clips when importing a folder.
VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")

Analyzer = Callable[..., Any]
"""``analyzer(path, drill, *, model, use_cache) -> Report``; :func:`formcheck.analyze.analyze_video` by default."""

IMPORTED, SKIPPED, FAILED = "imported", "skipped", "failed"


@dataclass(frozen=True)
class ImportItem:
    """What became of one clip: ``status`` is imported, skipped or failed; ``message`` says why."""

    path: Path
    status: str
    session: Session | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "status": self.status,
                "session": None if self.session is None else self.session.to_dict(), "message": self.message}


@dataclass(frozen=True)
class ImportResult:
    athlete: str
    items: tuple[ImportItem, ...]
    workers: int = 1
    seconds: float = 0.0
    interrupted: bool = False

    def _with(self, status: str) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if i.status == status)

    @property
    def imported(self) -> tuple[ImportItem, ...]:
        return self._with(IMPORTED)

    @property
    def skipped(self) -> tuple[ImportItem, ...]:
        return self._with(SKIPPED)

    @property
    def failed(self) -> tuple[ImportItem, ...]:
        return self._with(FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {"athlete": self.athlete, "workers": self.workers, "seconds": round(self.seconds, 2),
                "interrupted": self.interrupted, "imported": len(self.imported), "skipped": len(self.skipped),
                "failed": len(self.failed), "clips": [i.to_dict() for i in self.items]}

    def summary(self) -> str:
        text = (f"{self.athlete}: {len(self.imported)} imported, {len(self.skipped)} skipped, "
                f"{len(self.failed)} failed ({self.seconds:.1f} s, {self.workers} worker"
                f"{'' if self.workers == 1 else 's'})")
        return text + ("; interrupted: run the same import again to finish" if self.interrupted else "")


def find_clips(folder: str | os.PathLike) -> list[Path]:
    """The clips directly in ``folder`` (by extension, hidden files left out), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LibraryError(f"{folder} is not a folder; give a folder of clips or a clip")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in VIDEO_EXTENSIONS)


@dataclass(frozen=True)
class _Job:
    index: int
    path: str
    digest: str
    date: str
    drill: str
    model: str
    use_cache: bool
    data_dir: str
    analyzer: Analyzer | None = field(default=None, compare=False)


def _default_analyzer() -> Analyzer:
    from formcheck import analyze

    return analyze.analyze_video


def _run_job(job: _Job) -> str:
    """Analyse one clip and stage its files (runs in a worker process). Returns the staging folder."""
    analyzer = job.analyzer or _default_analyzer()
    report = analyzer(job.path, job.drill, model=job.model, use_cache=job.use_cache)
    return str(stage_analysis(job.data_dir, job.path, report))


@contextlib.contextmanager
def _main_script_hidden(analyzer: Analyzer | None) -> Iterator[None]:
    """Keep spawned workers from running the parent's main script.

    A spawned process first runs the parent's ``__main__`` file (to find functions pickled from
    it). Under Streamlit that file is the page being shown, which the workers have no business
    running; they need only formcheck. Unless the analyser itself lives in ``__main__``, the
    script's path is hidden while the workers start.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if (main is None or path is None or getattr(main, "__spec__", None) is not None
            or getattr(analyzer, "__module__", None) == "__main__"):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _check_drill(drill: str) -> str:
    drill = (drill or "auto").strip().lower()
    if drill != "auto":
        from formcheck.drills import get_drill

        get_drill(drill)  # an unknown name fails before any work, listing the drills
    return drill


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, FormcheckError):
        return str(exc)
    return f"analysis failed ({type(exc).__name__}: {exc})"


def import_clips(library: Library, paths: Iterable[str | os.PathLike], athlete: str, *, drill: str = "auto",
                 date: str | _dt.date | None = None, workers: int | None = None, model: str = "full",
                 use_cache: bool = True, analyzer: Analyzer | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 on_item: Callable[[ImportItem], None] | None = None, create_athlete: bool = True) -> ImportResult:
    """Analyse ``paths`` and save each as a session of ``athlete`` (created if new, unless told not to).

    ``date``: the day of every clip (default: each file's modification day). ``workers``: processes
    analysing at once (default: the number of cores; 1 analyses in this process). ``analyzer``
    replaces :func:`formcheck.analyze.analyze_video` (it must be picklable for ``workers > 1``).
    ``progress(done, total)`` counts clips; ``on_item`` hears of each clip as it is settled.
    """
    import time

    t0 = time.perf_counter()
    drill = _check_drill(drill)
    day = parse_date(date)
    a = library.add_athlete(athlete, exist_ok=True) if create_athlete else library.athlete(athlete)
    paths = [Path(p) for p in paths]
    total = len(paths)
    items: dict[int, ImportItem] = {}
    done = 0

    def settle(index: int, item: ImportItem) -> None:
        nonlocal done
        items[index] = item
        done += 1
        if on_item is not None:
            on_item(item)
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    known = library.known_hashes(a)
    seen: dict[str, Path] = {}
    jobs: list[_Job] = []
    for i, p in enumerate(paths):
        if not p.is_file():
            settle(i, ImportItem(p, FAILED, message=f"{p} not found; give the path of a video file"))
            continue
        try:
            digest = clip_hash(p)
        except OSError as e:
            settle(i, ImportItem(p, FAILED, message=f"{p} cannot be read ({e.strerror})"))
            continue
        if digest in known:
            s = library.find_clip(a, digest)
            settle(i, ImportItem(p, SKIPPED, s, f"already imported as session {s.id if s else '?'}"))
            continue
        if digest in seen:
            settle(i, ImportItem(p, SKIPPED, message=f"same clip as {seen[digest].name}"))
            continue
        seen[digest] = p
        clip_day = day or _dt.date.fromtimestamp(p.stat().st_mtime)
        jobs.append(_Job(i, str(p), digest, clip_day.isoformat(), drill, model, use_cache, str(library.path),
                         analyzer))

    n_workers = max(1, min(int(workers or os.cpu_count() or 1), len(jobs) or 1))
    interrupted = False

    def commit(job: _Job, stage: str) -> None:
        session, created = library.commit_staged(a, stage, clip_name=Path(job.path).name, digest=job.digest,
                                                 date=job.date)
        status, msg = (IMPORTED, f"session {session.id}") if created else (
            SKIPPED, f"already imported as session {session.id}")
        settle(job.index, ImportItem(Path(job.path), status, session, msg))

    try:
        if n_workers == 1:
            for job in jobs:
                try:
                    stage = _run_job(job)
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # one bad clip does not stop the others
                    settle(job.index, ImportItem(Path(job.path), FAILED, message=_error_text(exc)))
                    continue
                commit(job, stage)
        else:
            ctx = multiprocessing.get_context("spawn")  # a fresh interpreter (and MediaPipe) per worker
            pool = cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx)
            try:
                with _main_script_hidden(analyzer):  # the workers start during the first submits
                    futures = {pool.submit(_run_job, job): job for job in jobs}
                for fut in cf.as_completed(futures):
                    job = futures[fut]
                    try:
                        stage = fut.result()
                    except cf.process.BrokenProcessPool as exc:
                        settle(job.index, ImportItem(Path(job.path), FAILED,
                                                     message=f"the analysing process died ({exc})"))
                        continue
                    except BaseException as exc:
                        settle(job.index, ImportItem(Path(job.path), FAILED, message=_error_text(exc)))
                        continue
                    commit(job, stage)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            else:
                pool.shutdown(wait=True)
    except KeyboardInterrupt:
        interrupted = True

    ordered = tuple(items[i] for i in sorted(items))
    result = ImportResult(a.name, ordered, workers=n_workers, seconds=time.perf_counter() - t0,
                          interrupted=interrupted)
    if interrupted:
        raise ImportInterrupted(result)
    return result


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during an import; ``result`` holds what was finished (kept) before it."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(result.summary())
        self.result = result


def import_folder(library: Library, folder: str | os.PathLike, athlete: str, **kwargs: Any) -> ImportResult:
    """:func:`import_clips` of every clip in ``folder`` (see :func:`find_clips`)."""
    _check_drill(kwargs.get("drill", "auto"))  # a bad option is reported before the folder is looked at
    parse_date(kwargs.get("date"))
    clips = find_clips(folder)
    if not clips:
        raise LibraryError(f"no clips in {folder} (looked for {', '.join(VIDEO_EXTENSIONS)})")
    return import_clips(library, clips, athlete, **kwargs)


def import_path(library: Library, path: str | os.PathLike, athlete: str, **kwargs: Any) -> ImportResult:
    """Import a clip, or every clip of a folder."""
    path = Path(path)
    if path.is_dir():
        return import_folder(library, path, athlete, **kwargs)
    if not path.exists():
        raise LibraryError(f"{path} not found; give a clip or a folder of clips")
    return import_clips(library, [path], athlete, **kwargs)

