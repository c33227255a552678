"""Model registry, hash checks and the download path (with local files standing in for the network)."""

import dataclasses
import hashlib
import json
import os
import urllib.error
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.errors import ModelError
from formcheck.pose import models
from formcheck.pose.models import VARIANTS, file_sha256, model_status, resolve_model

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_FULL = ROOT / "models" / "pose_landmarker_full.task"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test gets its own empty user cache and no models-dir override."""
    monkeypatch.setenv("FORMCHECK_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("FORMCHECK_MODELS_DIR", raising=False)


def fake_variant(monkeypatch, tmp_path, name="lite", content=b"pretend model bytes", served=None):
    """Register ``name`` with the hash of ``content``, served from a local file:// URL."""
    src = tmp_path / "server" / f"pose_landmarker_{name}.task"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(content if served is None else served)
    v = dataclasses.replace(VARIANTS[name], url=src.as_uri(), sha256=hashlib.sha256(content).hexdigest())
    monkeypatch.setitem(VARIANTS, name, v)
    return v


def test_registry_has_the_three_official_variants():
    assert list(VARIANTS) == ["lite", "full", "heavy"]
    for name, v in VARIANTS.items():
        assert v.url == ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
                         f"pose_landmarker_{name}/float16/latest/pose_landmarker_{name}.task")
        assert len(v.sha256) == 64
    assert VARIANTS["full"].sha256 == (ROOT / "models" / "SHA256SUMS").read_text().split()[0]


def test_full_resolves_to_the_bundled_file_verified():
    r = resolve_model("full")
    assert r.path == BUNDLED_FULL.resolve() and r.verified and r.variant is VARIANTS["full"]
    assert r.sha256 == hashlib.sha256(BUNDLED_FULL.read_bytes()).hexdigest()


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ModelError, match="unknown model 'medium': use one of lite, full, heavy"):
        resolve_model("medium")
    with pytest.raises(ModelError, match="not found"):
        resolve_model("no/such/model.task")


def test_models_dir_override_is_searched_first_and_checked(tmp_path, monkeypatch):
    override = tmp_path / "mine"
    override.mkdir()
    bad = override / "pose_landmarker_full.task"
    bad.write_bytes(b"not the official file")
    monkeypatch.setenv("FORMCHECK_MODELS_DIR", str(override))
    with pytest.raises(ModelError) as err:
        resolve_model("full")
    msg = str(err.value)
    assert "is corrupt or not the official" in msg and str(bad) in msg and VARIANTS["full"].url in msg
    assert "\n" not in msg


def test_a_missing_variant_is_downloaded_checked_and_cached(tmp_path, monkeypatch):
    v = fake_variant(monkeypatch, tmp_path)
    r = resolve_model("lite")
    dest = tmp_path / "cache" / "models" / v.filename
    assert r.path == dest and r.verified and dest.read_bytes() == b"pretend model bytes"
    assert [p.name for p in dest.parent.iterdir()] == [v.filename]  # no temporary file left
    # the second time it is found in the cache, not fetched
    calls = []
    assert resolve_model("lite", fetch=lambda *a: calls.append(a)).path == dest and calls == []


def test_a_download_with_the_wrong_hash_is_not_kept(tmp_path, monkeypatch):
    fake_variant(monkeypatch, tmp_path, served=b"tampered bytes")
    with pytest.raises(ModelError, match="does not match its official hash.*nothing was kept"):
        resolve_model("lite")
    folder = tmp_path / "cache" / "models"
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("failure", ["missing file", "stub"])
def test_offline_says_which_file_to_put_where(tmp_path, monkeypatch, failure):
    v = fake_variant(monkeypatch, tmp_path)
    fetch = None
    if failure == "missing file":
        (tmp_path / "server" / v.filename).unlink()  # the URL answers nothing
    else:
        def fetch(url, out, timeout_s):
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    with pytest.raises(ModelError) as err:
        resolve_model("lite", fetch=fetch)
    dest = tmp_path / "cache" / "models" / v.filename
    assert f"download {v.url} and put it at {dest}" in str(err.value)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_the_real_fetch_uses_a_timeout(monkeypatch, tmp_path):
    seen = {}

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def read(self, n):
            data, self.data = getattr(self, "data", b"abc"), b""
            return data

    def urlopen(url, timeout):
        seen["timeout"] = timeout
        return Response()

    monkeypatch.setattr(models.urllib.request, "urlopen", urlopen)
    with open(tmp_path / "out", "wb") as fh:
        models.urllib_fetch("https://example.invalid/x.task", fh, 12.5)
    assert seen["timeout"] == 12.5 and (tmp_path / "out").read_bytes() == b"abc"


def test_hash_is_computed_once_per_file_version(tmp_path, monkeypatch):
    f = tmp_path / "m.task"
    f.write_bytes(b"one")
    count = {"n": 0}
    real = hashlib.sha256

    def counting(*a):
        count["n"] += 1
        return real(*a)

    monkeypatch.setattr(models.hashlib, "sha256", counting)
    assert file_sha256(f) == file_sha256(f) == real(b"one").hexdigest()
    assert count["n"] == 1
    f.write_bytes(b"two!")  # new size and mtime: computed again
    os.utime(f, ns=(1, 1))
    assert file_sha256(f) == real(b"two!").hexdigest() and count["n"] == 2


def test_a_task_path_is_accepted_unverified_and_a_copy_of_an_official_file_recognised(tmp_path):
    custom = tmp_path / "my_pose.task"
    custom.write_bytes(b"some other model")
    r = resolve_model(str(custom))
    assert r.variant is None and not r.verified and r.name == "my_pose"
    copy = tmp_path / "copy.task"
    copy.write_bytes(BUNDLED_FULL.read_bytes())
    r = resolve_model(copy)
    assert r.variant is VARIANTS["full"] and r.verified


def test_model_status_and_the_models_command(tmp_path, monkeypatch, capsys):
    override = tmp_path / "mine"
    override.mkdir()
    (override / "pose_landmarker_lite.task").write_bytes(b"corrupt")
    monkeypatch.setenv("FORMCHECK_MODELS_DIR", str(override))
    rows = {r.name: r for r in model_status()}
    assert rows["full"].present and rows["full"].verified and rows["full"].size_bytes == BUNDLED_FULL.stat().st_size
    assert rows["lite"].present and rows["lite"].verified is False
    assert not rows["heavy"].present and rows["heavy"].verified is None
    assert rows["heavy"].path == tmp_path / "cache" / "models" / "pose_landmarker_heavy.task"

    assert main(["models", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in doc["models"]] == ["lite", "full", "heavy"]
    assert {m["name"]: m["verified"] for m in doc["models"]} == {"lite": False, "full": True, "heavy": None}
    assert ".task" in doc["custom_paths"]

    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "CORRUPT" in out and "sha256 verified" in out and VARIANTS["heavy"].url in out


def test_the_estimator_turns_an_unloadable_task_file_into_a_model_error(tmp_path):
    from formcheck.pose.estimator import PoseEstimator

    bad = tmp_path / "broken.task"
    bad.write_bytes(b"\x00" * 2048)
    with pytest.raises(ModelError, match="MediaPipe could not load the model .*broken.task"):
        PoseEstimator(str(bad))
