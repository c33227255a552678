"""Write outputs so that a failure or a kill leaves either the whole file or nothing.

``atomic_path(dest)`` yields a temporary path beside ``dest``; on success it is renamed onto
``dest``, on any error it is removed. ``staged_outputs(paths)`` does the same for several
files that belong together: all of them appear, or none.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike) -> Iterator[Path]:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part" + dest.suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _umask_permissions(tmp_path)
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_outputs(dests: Sequence[str | os.PathLike | None]) -> Iterator[list[Path | None]]:
    """Temporary paths for several outputs; all are moved into place only if the block succeeds."""
    stack = contextlib.ExitStack()
    with stack:
        tmps: list[Path | None] = []
        for d in dests:
            tmps.append(None if d is None else stack.enter_context(_deferred(Path(d))))
        yield tmps
        for d, t in zip(dests, tmps):
            if d is not None and t is not None and t.exists():
                _umask_permissions(t)
                os.replace(t, d)


@contextlib.contextmanager
def _deferred(dest: Path) -> Iterator[Path]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part" + dest.suffix)
    os.close(fd)
    os.unlink(tmp)  # the writer creates it; a missing temp means "not written"
    tmp_path = Path(tmp)
    try:
        yield tmp_path
    finally:
        tmp_path.unlink(missing_ok=True)


def _umask_permissions(path: Path) -> None:
    """Give a finished temp file the permissions a plain ``open()`` would (mkstemp makes it 0600)."""
    if path.is_file():
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(path, 0o666 & ~mask)


def swap_in_dir(src: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Move the finished folder ``src`` onto ``dest``, replacing an existing ``dest`` only now."""
    import shutil

    src, dest = Path(src), Path(dest)
    old: Path | None = None
    if dest.exists():
        if not dest.is_dir():
            raise IsADirectoryError(f"{dest} exists and is not a folder")
        old = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".old"))
        os.replace(dest, old / dest.name)
    try:
        os.replace(src, dest)
    except BaseException:
        if old is not None:
            os.replace(old / dest.name, dest)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return dest
