"""The MediaPipe Pose Landmarker model files: where they are, whether they are the official ones.

Variants are registered by name in :data:`VARIANTS` (``lite``, ``full``, ``heavy``), each with
its official URL and SHA-256. :func:`resolve_model` turns a name (or a path to a ``.task``
file) into a :class:`ResolvedModel`, looking in this order:

1. ``$FORMCHECK_MODELS_DIR`` (if set), then the project's bundled ``models/`` folder
   (``full`` is committed there);
2. the user cache: ``$FORMCHECK_CACHE/models`` (default ``~/.cache/formcheck/models``);
3. otherwise the official URL: downloaded to a temporary file in the cache, hash-checked, then
   renamed into place. Offline, a :class:`~formcheck.errors.ModelError` says which file to
   download from where and where to put it.

Every load checks the SHA-256 of a registered variant and refuses a file that does not
match. The check is remembered in-process by (path, size, mtime), so it is computed once per
file. A path to a ``.task`` file is accepted as it is: no official hash is known for it.

This module does not import mediapipe.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import formcheck
from formcheck.errors import ModelError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelVariant:
    """One registered pose model: its name, file name, official URL and SHA-256."""

    name: str
    filename: str
    url: str
    sha256: str
    description: str


def _variant(name: str, sha256: str, description: str) -> ModelVariant:
    filename = f"pose_landmarker_{name}.task"
    url = (
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
        f"pose_landmarker_{name}/float16/latest/{filename}"
    )
    return ModelVariant(name, filename, url, sha256, description)


#: Registered variants by name. ``full`` is bundled with the project.
VARIANTS: dict[str, ModelVariant] = {
    v.name: v
    for v in (
        _variant("lite", "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a", "fastest, least accurate"),
        _variant("full", "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad", "default; bundled"),
        _variant("heavy", "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b", "most accurate, slowest"),
    )
}

DEFAULT_MODEL = "full"
DOWNLOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ResolvedModel:
    """A model file ready to load.

    ``variant`` is None for a user-supplied ``.task`` path; then ``verified`` is False because no
    official hash is known, and ``sha256`` is the file's own hash (used in cache keys and meta).
    """

    name: str
    path: Path
    sha256: str
    variant: ModelVariant | None
    verified: bool


@dataclass(frozen=True)
class ModelStatus:
    """What ``formcheck models`` reports for one variant."""

    name: str
    path: Path
    present: bool
    verified: bool | None  # None when the file is absent
    size_bytes: int | None
    url: str
    sha256: str
    description: str


# ----------------------------------------------------------------------------- places
def bundled_dirs() -> list[Path]:
    """Folders searched first: ``$FORMCHECK_MODELS_DIR`` (if set), then the project's ``models/``."""
    dirs = []
    env = os.environ.get("FORMCHECK_MODELS_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(Path(formcheck.__file__).resolve().parents[1] / "models")
    return dirs


def cache_root() -> Path:
    """The user cache root: ``$FORMCHECK_CACHE`` or ``~/.cache/formcheck``."""
    env = os.environ.get("FORMCHECK_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "formcheck"


def models_cache_dir() -> Path:
    return cache_root() / "models"


def search_paths(variant: ModelVariant) -> list[Path]:
    """Where a variant's file is looked for, in order."""
    return [d / variant.filename for d in (*bundled_dirs(), models_cache_dir())]


def get_variant(name: str) -> ModelVariant:
    try:
        return VARIANTS[name]
    except KeyError:
        valid = ", ".join(VARIANTS)
        raise ModelError(f"unknown model {name!r}: use one of {valid}, or a path to a .task file") from None


# ----------------------------------------------------------------------------- hashing
_hash_memo: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file, remembered in-process by (path, size, mtime) so it is computed once."""
    p = Path(path).resolve()
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns)
    with _hash_lock:
        if key in _hash_memo:
            return _hash_memo[key]
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    digest = h.hexdigest()
    with _hash_lock:
        _hash_memo[key] = digest
    return digest


def _mismatch(variant: ModelVariant, path: Path, actual: str) -> ModelError:
    return ModelError(
        f"model file {path} is corrupt or not the official {variant.name} model "
        f"(sha256 {actual[:12]}…, expected {variant.sha256[:12]}…); delete it and run again, "
        f"or place the official file from {variant.url} at {path}"
    )


def verify(variant: ModelVariant, path: Path) -> ResolvedModel:
    """Check ``path`` against the variant's official hash; ModelError if it differs."""
    actual = file_sha256(path)
    if actual != variant.sha256:
        raise _mismatch(variant, path, actual)
    return ResolvedModel(variant.name, path, actual, variant, True)


# ----------------------------------------------------------------------------- download
Fetch = Callable[[str, BinaryIO, float], None]


def urllib_fetch(url: str, out: BinaryIO, timeout_s: float) -> None:
    """Copy ``url`` into the open file ``out`` (raises OSError / URLError when unreachable)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 (fixed official URLs)
        while chunk := resp.read(_CHUNK):
            out.write(chunk)


def download(variant: ModelVariant, *, dest_dir: Path | None = None, fetch: Fetch | None = None,
             timeout_s: float = DOWNLOAD_TIMEOUT_S) -> ResolvedModel:
    """Fetch a variant from its official URL into the cache; hash-checked before it is renamed in."""
    dest_dir = models_cache_dir() if dest_dir is None else Path(dest_dir)
    dest = dest_dir / variant.filename
    fetch = urllib_fetch if fetch is None else fetch
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{variant.filename}.", suffix=".part")
    except OSError as exc:
        raise ModelError(f"cannot write to the model cache {dest_dir} ({exc.strerror or exc}); "
                         f"set FORMCHECK_CACHE to a writable folder") from None
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                fetch(variant.url, fh, timeout_s)
        except (OSError, urllib.error.URLError, TimeoutError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ModelError(
                f"the {variant.name} model is not installed and could not be downloaded ({reason}); "
                f"download {variant.url} and put it at {dest}"
            ) from None
        h = hashlib.sha256()
        with open(tmp, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
        actual = h.hexdigest()
        if actual != variant.sha256:
            raise ModelError(
                f"the downloaded {variant.name} model does not match its official hash "
                f"(sha256 {actual[:12]}…, expected {variant.sha256[:12]}…); nothing was kept: "
                f"run again, or download {variant.url} yourself and put it at {dest}"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return verify(variant, dest)


# ----------------------------------------------------------------------------- resolve
def resolve_model(model: str | os.PathLike = DEFAULT_MODEL, *, allow_download: bool = True,
                  fetch: Fetch | None = None) -> ResolvedModel:
    """A registered variant's verified file (downloading it if needed), or a user's ``.task`` path."""
    text = os.fspath(model)
    if text in VARIANTS:
        variant = VARIANTS[text]
        for candidate in search_paths(variant):
            if candidate.is_file():
                return verify(variant, candidate)
        if not allow_download:
            raise ModelError(
                f"the {variant.name} model is not installed; download {variant.url} "
                f"and put it at {models_cache_dir() / variant.filename}"
            )
        return download(variant, fetch=fetch)
    path = Path(text).expanduser()
    looks_like_path = path.suffix == ".task" or os.sep in text or (os.altsep or os.sep) in text
    if not looks_like_path:
        get_variant(text)  # raises, listing the valid names
    if not path.is_file():
        raise ModelError(f"model file {path} not found: give a .task file or one of {', '.join(VARIANTS)}")
    resolved = path.resolve()
    try:
        digest = file_sha256(resolved)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path} ({exc.strerror or exc})") from None
    for variant in VARIANTS.values():  # a copy of an official file is recognised as such
        if digest == variant.sha256:
            return ResolvedModel(variant.name, resolved, digest, variant, True)
    return ResolvedModel(path.stem, resolved, digest, None, False)


def model_status() -> list[ModelStatus]:
    """Each registered variant: where it is (or would be stored), present, hash ok, size, URL."""
    rows = []
    for variant in VARIANTS.values():
        found = next((p for p in search_paths(variant) if p.is_file()), None)
        path = found or models_cache_dir() / variant.filename
        verified = size = None
        if found is not None:
            size = found.stat().st_size
            try:
                verified = file_sha256(found) == variant.sha256
            except OSError:
                verified = False
        rows.append(ModelStatus(variant.name, path, found is not None, verified, size, variant.url,
                                variant.sha256, variant.description))
    return rows
