"""The pose pipeline: estimator basics, real clips (slow), and the pose cache."""

import numpy as np
import pytest

from formcheck.landmarks import Landmark
from formcheck.pose import pipeline
from formcheck.pose.cache import PoseCache, cache_key, clip_fingerprint
from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.models import resolve_model
from formcheck.pose.pipeline import PoseSettings, detect_candidates, extract_pose
from formcheck.pose.tracking import track_athlete
from formcheck.sequence import PoseSequence

L = Landmark


def hip_mid(xy):
    return (xy[..., L.LEFT_HIP, :] + xy[..., L.RIGHT_HIP, :]) / 2


def torso_len(xy):
    shoulders = (xy[..., L.LEFT_SHOULDER, :] + xy[..., L.RIGHT_SHOULDER, :]) / 2
    return np.linalg.norm(shoulders - hip_mid(xy), axis=-1)


# ----------------------------------------------------------------------------- estimator
def test_estimator_finds_nobody_in_a_blank_image_and_refuses_work_after_close():
    blank = np.full((240, 320, 3), 128, np.uint8)
    with PoseEstimator("full") as est:
        assert est.detect(blank, 0.0) == []
        # two frames in the same millisecond still get strictly increasing timestamps
        assert est.timestamp_ms(0.0004) == 1
        est.detect(blank, 0.0004)
        assert est.timestamp_ms(0.0001) == 2 and est.timestamp_ms(0.5) == 500
    assert est.closed
    with pytest.raises(RuntimeError, match="closed"):
        est.detect(blank, 1.0)


def test_estimator_checks_its_arguments():
    with pytest.raises(ValueError, match="unknown mode 'stream'"):
        PoseEstimator(mode="stream")
    with pytest.raises(ValueError, match="num_poses"):
        PoseEstimator(num_poses=0)
    with PoseEstimator(mode="image") as est, pytest.raises(ValueError, match="RGB uint8"):
        est.detect(np.zeros((10, 10), np.uint8))


# ----------------------------------------------------------------------------- real clips
@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("poses")


@pytest.fixture(scope="module")
def single_runs(pose2sim, cache_dir):
    """The single-person clips (ground truth for the athlete), estimated once, cached in a temp folder."""
    runs = {}

    def get(cam):
        if cam not in runs:
            runs[cam] = extract_pose(pose2sim / f"singleperson_cam0{cam}.mp4", cache=PoseCache(cache_dir))
        return runs[cam]

    return get


@pytest.mark.slow
def test_single_person_clip_has_a_pose_in_95_percent_of_frames(single_runs):
    r = single_runs(1)
    seq = r.sequence
    assert not r.cached and len(seq) == r.video.frames == 100
    assert seq.coverage >= 0.95
    assert seq.frame_size == (r.video.width, r.video.height) == (1080, 1920)
    # landmarks are in pixels of the full upright frame, although inference ran on a smaller one
    hips = hip_mid(seq.xy[seq.detected])
    assert np.all((hips > 0) & (hips < (1080, 1920)))
    assert np.median(torso_len(seq.xy[seq.detected])) > 150  # the athlete is ~1/3 of 1920 px tall
    assert seq.meta["model"] == "full" and seq.meta["model_sha256"] == resolve_model("full").sha256
    assert seq.meta["source"].endswith("singleperson_cam01.mp4") and seq.meta["settings"]["athlete"] == "auto"


@pytest.mark.slow
@pytest.mark.parametrize("cam", [1, 2, 3, 4])
def test_multiperson_clip_tracks_the_athlete_on_the_force_plate(pose2sim, single_runs, cam):
    # The single-person clip of the same camera is the same take without the second person, frame
    # for frame, so its hip positions say where the athlete is.
    truth = single_runs(cam).sequence
    assert truth.coverage >= 0.95
    gt_hip, gt_torso = hip_mid(truth.xy), torso_len(truth.xy)

    # the pipeline's own steps (extract_pose = these + the cache), keeping every person found
    settings = PoseSettings()
    det = detect_candidates(pose2sim / f"multiperson_cam0{cam}.mp4", resolve_model("full"), settings)
    seq = track_athlete(det.candidates, det.t_s, det.video.width, det.video.height, athlete=settings.athlete,
                        settings=settings.tracking)
    assert len(seq) == len(truth)
    hip = hip_mid(seq.xy)
    for i, cands in enumerate(det.candidates):
        dist = [float(np.linalg.norm(hip_mid(c.xy) - gt_hip[i]) / gt_torso[i]) for c in cands]
        if seq.detected[i]:
            mine = float(np.linalg.norm(hip[i] - gt_hip[i]) / gt_torso[i])
            # of everyone the model found in this frame, the tracked pose is the one nearest the athlete,
            assert mine <= min(dist) + 1e-9, f"frame {i}: tracked someone else"
            # and its hips lie on the athlete's body (within one torso length of the athlete's hips)
            assert mine < 1.0, f"frame {i}: tracked hips {mine:.2f} torso lengths from the athlete's"
        else:
            # a frame is left empty only when the model did not find the athlete there
            assert min(dist, default=np.inf) > 0.5, f"frame {i}: the athlete was found but not kept"

    # no identity switch: between consecutive frames the hips move less than half a torso length
    # (the other person is never nearer than ~1.1 torso lengths) and the size changes by < 25%
    both = seq.detected[1:] & seq.detected[:-1]
    step = np.linalg.norm(np.diff(hip, axis=0), axis=1)[both] / gt_torso[1:][both]
    size = torso_len(seq.xy)
    ratio = np.abs(np.log(size[1:][both] / size[:-1][both]))
    assert step.max() < 0.5 and ratio.max() < np.log(1.25)
    assert seq.coverage >= 0.8


# ----------------------------------------------------------------------------- cache
def _no_inference(*args, **kwargs):
    raise AssertionError("pose estimation ran although the result was cached")


@pytest.mark.slow
def test_second_run_comes_from_the_cache_and_a_changed_setting_misses(pose2sim, single_runs, cache_dir,
                                                                      monkeypatch):
    clip = pose2sim / "singleperson_cam01.mp4"
    first = single_runs(1)
    monkeypatch.setattr(pipeline, "detect_candidates", _no_inference)
    again = extract_pose(clip, cache=PoseCache(cache_dir))
    assert again.cached and not first.cached
    np.testing.assert_array_equal(again.sequence.xy, first.sequence.xy)
    np.testing.assert_array_equal(again.sequence.detected, first.sequence.detected)
    assert again.sequence.meta["cache_key"] == first.sequence.meta["cache_key"]
    assert again.summary()["cached"] is True and again.summary()["frames"] == 100

    for changed in ({"athlete": "left"}, {"num_poses": 2}):
        with pytest.raises(AssertionError, match="pose estimation ran"):
            extract_pose(clip, cache=PoseCache(cache_dir), **changed)
    with pytest.raises(AssertionError, match="pose estimation ran"):
        extract_pose(clip, cache=PoseCache(cache_dir), use_cache=False)


def _seq(n=4):
    return PoseSequence(xy=np.ones((n, 33, 2)), visibility=np.ones((n, 33)), t_s=np.arange(n) / 30, width=10,
                        height=20, meta={"source": "x"})


def test_cache_round_trip_and_corrupt_entries_are_dropped(tmp_path):
    cache = PoseCache(tmp_path)
    assert cache.load("k1") is None
    cache.store("k1", _seq())
    got = cache.load("k1")
    assert got is not None and len(got) == 4 and got.meta["cache_key"] == "k1"
    assert [p.name for p in tmp_path.iterdir()] == ["k1.npz"]  # nothing half-written beside it

    cache.path("k1").write_bytes(b"\x00garbage")
    assert cache.load("k1") is None and not cache.path("k1").exists()
    cache.store("k1", _seq())
    assert cache.load("k1") is not None  # rewritten
    # an entry stored under another key (renamed file) is not trusted
    cache.path("k1").rename(cache.path("k2"))
    assert cache.load("k2") is None


def test_cache_key_depends_on_content_model_and_settings(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    a.write_bytes(b"x" * 1000)
    b.write_bytes(b"x" * 999 + b"y")
    fa, fb = clip_fingerprint(a), clip_fingerprint(b)
    assert fa != fb and fa == clip_fingerprint(a)
    s1, s2 = PoseSettings().to_json(), PoseSettings(athlete="right").to_json()
    keys = {cache_key(fa, "m1", s1), cache_key(fb, "m1", s1), cache_key(fa, "m2", s1), cache_key(fa, "m1", s2)}
    assert len(keys) == 4


def test_big_files_are_fingerprinted_by_samples(tmp_path, monkeypatch):
    from formcheck.pose import cache as cache_mod

    monkeypatch.setattr(cache_mod, "FULL_HASH_MAX_BYTES", 1 << 20)
    monkeypatch.setattr(cache_mod, "_EDGE_BYTES", 64 << 10)
    monkeypatch.setattr(cache_mod, "_SAMPLE_BYTES", 4 << 10)
    data = bytearray(np.random.default_rng(0).integers(0, 256, 3 << 20, dtype=np.uint8).tobytes())
    f = tmp_path / "big.mp4"
    f.write_bytes(data)
    base = clip_fingerprint(f)
    for offset in (10, len(data) - 10):  # an edit in the head or the tail changes the key
        changed = bytearray(data)
        changed[offset] ^= 0xFF
        f.write_bytes(changed)
        assert clip_fingerprint(f) != base
    f.write_bytes(data + b"\x00")  # so does any change of length
    assert clip_fingerprint(f) != base
