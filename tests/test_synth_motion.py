"""The drill motion model: its true values, measured back from the generated pixels with a few
lines of numpy, and the body's physical invariants (rigid segments, feet on or above the floor)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.landmarks import SKELETON
from formcheck.landmarks import Landmark as L
from formcheck.synth import DRILLS, Camera, DrillParams, SynthError, defaults_for, make_clip, make_warmup, project

_CACHE: dict = {}


def clip(drill: str, camera: Camera = Camera(), **kw):
    """Default clips are reused between tests (generation is deterministic)."""
    key = (drill, camera, tuple(sorted(kw.items())))
    if key not in _CACHE:
        _CACHE[key] = make_clip(drill, camera, duration_s=4.0, **kw)
    return _CACHE[key]


# ---------------------------------------------------------------- measuring from pixels
def fwd(c) -> float:
    return 1.0 if c.camera.facing == "right" else -1.0


def seg_angle(c, a, b) -> np.ndarray:
    """Image angle of a -> b from the downward vertical, forward positive (degrees)."""
    d = c.sequence.xy[:, b] - c.sequence.xy[:, a]
    return np.degrees(np.arctan2(fwd(c) * d[:, 0], d[:, 1]))


def lean(c, base: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Image angle of base -> top from the upward vertical, forward positive (degrees)."""
    d = top - base
    return np.degrees(np.arctan2(fwd(c) * d[:, 0], -d[:, 1]))


def angle_at(a, b, c) -> np.ndarray:
    u, w = a - b, c - b
    cos = np.sum(u * w, -1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(w, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def mid(c, a, b) -> np.ndarray:
    return 0.5 * (c.sequence.xy[:, a] + c.sequence.xy[:, b])


def leg(side):
    s = side.upper()
    return L[f"{s}_HIP"], L[f"{s}_KNEE"], L[f"{s}_ANKLE"], L[f"{s}_HEEL"], L[f"{s}_FOOT_INDEX"]


def rep_windows(c):
    """(side, first frame, last frame) of each swing with a peak lift, from the true events."""
    ev = [e for e in c.events if e["kind"] in ("toe_off", "contact", "peak_lift")]
    out = []
    for e in ev:
        if e["kind"] != "peak_lift":
            continue
        before = [x for x in ev if x["side"] == e["side"] and x["kind"] == "toe_off" and x["t_s"] < e["t_s"]]
        after = [x for x in ev if x["side"] == e["side"] and x["kind"] == "contact" and x["t_s"] > e["t_s"]]
        a = before[-1]["frame"] if before else 0
        b = after[0]["frame"] if after else len(c.sequence) - 1
        out.append((e["side"], a, b))
    return out


def per_rep_max(c, series) -> list[float]:
    return [float(np.max(series[s][a:b + 1])) for s, a, b in rep_windows(c)]


def thigh(c):
    return {s: seg_angle(c, leg(s)[0], leg(s)[1]) for s in ("left", "right")}


def flexion(c):
    xy = c.sequence.xy
    return {s: 180.0 - angle_at(xy[:, leg(s)[0]], xy[:, leg(s)[1]], xy[:, leg(s)[2]]) for s in ("left", "right")}


def stance_ankle(c) -> tuple[np.ndarray, np.ndarray]:
    """The ankle of the foot on the ground (the left one when both are down) and the stance frames."""
    xy = c.sequence.xy
    left, right = c.contact[:, 0], c.contact[:, 1]
    ankle = np.where(left[:, None], xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE])
    return ankle, left | right


def leans(c) -> dict[str, float]:
    ankle, st = stance_ankle(c)
    sh = mid(c, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hip = mid(c, L.LEFT_HIP, L.RIGHT_HIP)
    trunk = lean(c, hip, sh)
    return {"body_lean_deg": float(np.median(lean(c, ankle, sh)[st])),
            "trunk_lean_deg": float(np.median(trunk[st])),
            "hip_hinge_deg": float(np.median((trunk - lean(c, ankle, hip))[st]))}


def cadence(c, kind="peak_lift") -> float:
    ts = sorted(e["t_s"] for e in c.events if e["kind"] == kind)
    return 60.0 * (len(ts) - 1) / (ts[-1] - ts[0])


def foot_low(world: np.ndarray, side: str) -> np.ndarray:
    """Height of a foot's lowest point (ankle, heel, toe), metres."""
    return world[:, list(leg(side)[2:]), 1].min(axis=1)


# ---------------------------------------------------------------- every drill
@pytest.mark.parametrize("drill", DRILLS)
def test_each_drill_generates_a_checked_sequence_with_truth(drill):
    c = clip(drill)
    seq = c.sequence
    assert len(seq) == 240 and seq.frame_size == (1280, 720)
    assert np.isfinite(seq.xy).all() and seq.coverage == 1.0 and np.all(seq.visibility == 1.0)
    np.testing.assert_allclose(np.diff(seq.t_s), 1 / 60, atol=1e-12)
    assert c.world_m.shape == (240, 33, 3) and c.params == defaults_for(drill)
    assert c.segments == [{"drill": drill, "start_s": 0.0, "end_s": pytest.approx(4.0)}]
    assert c.truth["reps"] >= 1
    # the athlete stays in frame
    assert 0 < np.nanmin(seq.xy) and np.nanmax(seq.xy[..., 0]) < 1280 and np.nanmax(seq.xy[..., 1]) < 720
    assert c.sequence.meta["floor_guard_m"] == 0.0        # default form never needed the floor guard


IN_PLACE_LIFTS = ["march", "high-knees", "skip", "butt-kicks", "single-leg-balance"]


@pytest.mark.parametrize("drill", IN_PLACE_LIFTS)
def test_knee_lift_and_flexion_per_rep_equal_the_parameters(drill):
    c = clip(drill)
    p = c.params
    lifts = per_rep_max(c, thigh(c))
    flex = per_rep_max(c, flexion(c))
    assert len(lifts) == c.truth["reps"] >= 1
    np.testing.assert_allclose(lifts, p.knee_lift_deg, atol=0.5)
    np.testing.assert_allclose(flex, p.knee_flexion_deg, atol=0.5)
    assert c.truth["knee_lift_deg"] == pytest.approx(p.knee_lift_deg, abs=1e-6)
    assert c.truth["knee_flexion_deg"] == pytest.approx(p.knee_flexion_deg, abs=1e-6)


@pytest.mark.parametrize("drill", ["march", "high-knees", "skip", "butt-kicks", "calf-raises", "single-leg-balance"])
def test_leans_measured_from_pixels_equal_params_and_truth(drill):
    c = clip(drill)
    p = c.params
    got = leans(c)
    assert got["body_lean_deg"] == pytest.approx(p.body_lean_deg, abs=0.5)
    assert got["hip_hinge_deg"] == pytest.approx(p.hip_hinge_deg, abs=0.5)
    for k, v in got.items():
        assert c.truth[k] == pytest.approx(v, abs=0.05)
    # trunk = body lean + hinge only when the hinge is zero; otherwise it lies beyond the body lean
    if abs(p.hip_hinge_deg) > 0.5:
        assert p.body_lean_deg < got["trunk_lean_deg"] < p.body_lean_deg + p.hip_hinge_deg + 0.5 * 5


def test_faulty_form_values_are_recovered_too():
    p = defaults_for("high-knees", knee_lift_deg=62.0, knee_flexion_deg=122.0, toe_up_deg=128.0, body_lean_deg=-4.0,
                     hip_hinge_deg=18.0, cadence_spm=150.0, lead_side="left")
    c = make_clip(p, Camera(facing="left"), duration_s=4.0)
    np.testing.assert_allclose(per_rep_max(c, thigh(c)), 62.0, atol=0.5)
    np.testing.assert_allclose(per_rep_max(c, flexion(c)), 122.0, atol=0.5)
    got = leans(c)
    assert got["body_lean_deg"] == pytest.approx(-4.0, abs=0.5)
    assert got["hip_hinge_deg"] == pytest.approx(18.0, abs=0.5)
    assert cadence(c) == pytest.approx(150.0, abs=0.5)
    first = min((e for e in c.events if e["kind"] == "peak_lift"), key=lambda e: e["t_s"])
    assert first["side"] == "left"


@pytest.mark.parametrize("drill", ["march", "high-knees", "a-skip", "skip", "single-leg-balance"])
def test_toes_at_peak_lift(drill):
    c = clip(drill)
    xy = c.sequence.xy
    th = thigh(c)
    vals = []
    for s, a, b in rep_windows(c):
        i = a + int(np.argmax(th[s][a:b + 1]))
        _h, knee, ankle, _heel, toe = leg(s)
        vals.append(float(angle_at(xy[i:i + 1, knee], xy[i:i + 1, ankle], xy[i:i + 1, toe])[0]))
    np.testing.assert_allclose(vals, c.params.toe_up_deg, atol=0.5)
    assert c.truth["toe_up_deg"] == pytest.approx(c.params.toe_up_deg, abs=1e-6)


@pytest.mark.parametrize("drill", ["march", "high-knees", "a-skip", "butt-kicks", "skip", "strides", "calf-raises"])
def test_cadence_from_the_events_equals_the_parameter(drill):
    c = clip(drill)
    kind = "peak_rise" if drill == "calf-raises" else "peak_lift"
    assert cadence(c, kind) == pytest.approx(c.params.cadence_spm, abs=0.5)
    assert c.truth["cadence_spm"] == pytest.approx(c.params.cadence_spm, abs=1e-6)
    # events name their frame: the nearest one
    for e in c.events:
        assert abs(c.sequence.t_s[e["frame"]] - e["t_s"]) <= 0.5 / 60 + 1e-9


def test_rhythms_tell_the_drills_apart():
    """march: one foot always down; high knees and strides: flight; a-skip: two contacts per leg
    per cycle (step and hop); calf raises: both feet always down."""
    def flight_frac(c):
        return float(np.mean(~c.contact.any(axis=1)))
    assert flight_frac(clip("march")) == 0.0
    assert np.mean(clip("march").contact.all(axis=1)) > 0.05          # double support
    assert 0.05 < flight_frac(clip("high-knees")) < 0.5
    assert flight_frac(clip("strides")) > flight_frac(clip("high-knees"))
    assert clip("calf-raises").contact.all()
    ev = clip("a-skip").events
    assert sum(e["kind"] == "hop_contact" for e in ev) >= 4
    n_lift = sum(e["kind"] == "peak_lift" and e["side"] == "left" for e in ev)
    n_contacts = sum(e["kind"] in ("contact", "hop_contact") and e["side"] == "left" for e in ev)
    assert abs(n_contacts - 2 * n_lift) <= 2


def test_feet_stay_above_the_floor_and_planted_feet_do_not_slide():
    for drill in DRILLS:
        c = clip(drill)
        w = c.world_m
        for k, s in enumerate(("left", "right")):
            low = foot_low(w, s)
            assert low.min() >= -1e-9, drill
            on = c.contact[:, k]
            assert np.all(np.abs(low[on]) < 1e-9), drill          # a foot in contact touches the floor
            assert np.all(low[~on] > -1e-9), drill
            # the point on the floor stays put through each contact (no sliding)
            toe = w[:, leg(s)[4]]
            starts = np.flatnonzero(np.diff(on.astype(int)) == 1) + 1
            for a in starts:
                b = a + int(np.argmin(on[a:])) if not on[a:].all() else len(on)
                pts = np.where((w[a:b, leg(s)[3], 1] < 1e-9)[:, None], w[a:b, leg(s)[3]], toe[a:b])
                if drill != "calf-raises":
                    assert np.ptp(pts[:, 0]) < 1e-9, drill


@pytest.mark.parametrize("drill", ["march", "calf-raises", "single-leg-balance"])
def test_always_a_foot_on_the_floor(drill):
    w = clip(drill).world_m
    lowest = np.minimum(foot_low(w, "left"), foot_low(w, "right"))
    assert np.all(lowest < 1e-9)


def test_strides_fly_travel_and_land_at_the_asked_offset():
    c = clip("strides")
    p, w = c.params, c.world_m
    lowest = np.minimum(foot_low(w, "left"), foot_low(w, "right"))
    airborne = lowest > 0.005
    assert 0.2 < airborne.mean() < 0.8
    assert c.truth["flight_s"] > 0.1
    hip_x = 0.5 * (w[:, L.LEFT_HIP, 0] + w[:, L.RIGHT_HIP, 0])
    speed = (hip_x[-1] - hip_x[0]) / (c.sequence.t_s[-1] - c.sequence.t_s[0])
    assert speed == pytest.approx(p.travel_speed_mps, rel=0.02)
    assert c.truth["contact_offset_frac"] == pytest.approx(p.contact_offset_frac, abs=1e-6)
    # from pixels, at the first frame of each contact: ahead by the offset, less up to one frame of travel
    xy = c.sequence.xy
    leg_px = np.median(np.linalg.norm(xy[:, L.LEFT_KNEE] - xy[:, L.LEFT_HIP], axis=-1)
                       + np.linalg.norm(xy[:, L.LEFT_ANKLE] - xy[:, L.LEFT_KNEE], axis=-1))
    hip = mid(c, L.LEFT_HIP, L.RIGHT_HIP)
    per_frame = p.travel_speed_mps / 60 / (0.491 * p.height_m)
    for k, s in enumerate(("left", "right")):
        onsets = np.flatnonzero(np.diff(c.contact[:, k].astype(int)) == 1) + 1
        for f in onsets:
            off = fwd(c) * (xy[f, leg(s)[2], 0] - hip[f, 0]) / leg_px
            assert p.contact_offset_frac - per_frame - 0.01 <= off <= p.contact_offset_frac + 0.01
    assert 50 <= c.truth["knee_lift_deg"] <= 70 and c.truth["knee_lift_deg"] == pytest.approx(p.knee_lift_deg)


def test_head_bob_and_arm_phase_from_pixels():
    for drill, phase in (("march", 0.0), ("high-knees", 40.0), ("skip", 180.0)):
        p = defaults_for(drill, arm_leg_phase_deg=phase, head_bob_pct=4.0)
        c = make_clip(p, duration_s=4.0)
        xy, t = c.sequence.xy, c.sequence.t_s
        head = np.mean([xy[:, lm] for lm in (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR)], axis=0)
        sh, hip = mid(c, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), mid(c, L.LEFT_HIP, L.RIGHT_HIP)
        rel = sh[:, 1] - head[:, 1]
        torso = np.median(np.linalg.norm(sh - hip, axis=-1))
        peaks = sorted(e["t_s"] for e in c.events if e["kind"] == "peak_lift" and e["side"] == p.lead_side)
        bobs = [np.ptp(rel[(t >= a) & (t < b)]) for a, b in zip(peaks[:-1], peaks[1:])]
        bob = 100 * np.median(bobs) / torso
        assert bob == pytest.approx(4.0, rel=0.03)
        assert c.truth["head_bob_pct"] == pytest.approx(bob, rel=1e-6)
        # arm vs opposite thigh, first harmonic over whole cycles
        period = 120.0 / p.cadence_spm
        n = int((t[-1] - t[0]) // period * period * 60)
        for side, other in (("left", "right"), ("right", "left")):
            arm = seg_angle(c, L[f"{side.upper()}_SHOULDER"], L[f"{side.upper()}_ELBOW"])[:n]
            th = thigh(c)[other][:n]
            basis = np.exp(-2j * np.pi * t[:n] / period)
            off = np.degrees(np.angle(np.sum((arm - arm.mean()) * basis) * np.conj(np.sum((th - th.mean()) * basis))))
            off = (off + 180) % 360 - 180
            assert abs(off) == pytest.approx(abs(phase) if abs(phase) < 180 else 180, abs=1.0)
        assert c.truth["arm_leg_phase_deg"] == pytest.approx(min(abs(phase), 180.0), abs=0.05)


def test_calf_raises_heel_rise_and_reps():
    c = clip("calf-raises")
    xy, t, p = c.sequence.xy, c.sequence.t_s, c.params
    foot_px = np.linalg.norm(xy[0, L.LEFT_FOOT_INDEX] - xy[0, L.LEFT_HEEL])
    heel_y = 0.5 * (xy[:, L.LEFT_HEEL, 1] + xy[:, L.RIGHT_HEEL, 1])
    tops = [e["t_s"] for e in c.events if e["kind"] == "peak_rise"]
    rep = 60.0 / p.cadence_spm
    assert len(tops) == c.truth["reps"] == 2             # 4 s at 30 per minute
    for tc in tops:
        w = (t >= tc - rep / 2) & (t <= tc + rep / 2)
        assert np.ptp(heel_y[w]) / foot_px == pytest.approx(p.heel_rise_frac, abs=0.005)
    assert c.truth["heel_rise_frac"] == pytest.approx(p.heel_rise_frac, abs=1e-3)


def test_balance_holds_with_the_asked_sway():
    c = make_clip("single-leg-balance", duration_s=6.0)
    p, xy, t = c.params, c.sequence.xy, c.sequence.t_s
    lifted = p.lead_side
    k = 0 if lifted == "left" else 1
    off = np.flatnonzero(~c.contact[:, k])
    hold = t[off[-1]] - t[off[0]] + 1 / 60              # frames off the floor, each 1/60 s
    assert hold == pytest.approx(p.hold_s, abs=1 / 60 + 1e-9)
    assert c.contact[:, 1 - k].all()
    assert c.truth["hold_s"] == pytest.approx(p.hold_s, abs=1e-9)
    # a clip too short for the asked hold: the hold is shortened and the truth says by how much
    short = clip("single-leg-balance")
    off_s = np.flatnonzero(~short.contact[:, k])
    assert short.truth["hold_s"] < p.hold_s
    assert short.truth["hold_s"] == pytest.approx(t[off_s[-1]] - t[off_s[0]] + 1 / 60, abs=1 / 60 + 1e-9)
    hip = mid(c, L.LEFT_HIP, L.RIGHT_HIP)[off, 0]
    leg_px = np.median(np.linalg.norm(xy[:, L.LEFT_KNEE] - xy[:, L.LEFT_HIP], axis=-1)
                       + np.linalg.norm(xy[:, L.LEFT_ANKLE] - xy[:, L.LEFT_KNEE], axis=-1))
    sway = np.sqrt(np.mean((hip - hip.mean()) ** 2)) / leg_px
    assert sway == pytest.approx(p.sway_frac, rel=0.02)
    assert c.truth["sway_frac"] == pytest.approx(p.sway_frac, rel=1e-3)


# ---------------------------------------------------------------- views and camera
def test_facing_left_is_the_mirror_of_facing_right():
    for drill in ("a-skip", "strides"):
        r = clip(drill)
        lft = clip(drill, Camera(facing="left"))
        np.testing.assert_allclose(lft.sequence.xy[..., 0], 1280 - r.sequence.xy[..., 0], atol=1e-9)
        np.testing.assert_allclose(lft.sequence.xy[..., 1], r.sequence.xy[..., 1], atol=1e-9)
        np.testing.assert_allclose(lft.sequence.z, -r.sequence.z, atol=1e-9)      # the other side is near
        np.testing.assert_array_equal(lft.world_m, r.world_m)
        assert {k: v for k, v in lft.truth.items()} == {k: v for k, v in r.truth.items()}
    # facing right: the right side is nearer the camera
    z = clip("march").sequence.z
    assert np.all(z[:, L.RIGHT_HIP] < z[:, L.LEFT_HIP])


def test_front_view_knee_tracking():
    front = Camera(view="front", facing="toward")
    for value in (0.0, 8.0):
        c = make_clip(defaults_for("high-knees", knee_tracking_deg=value), front, duration_s=3.0)
        xy = c.sequence.xy
        vals = []
        for k, s in enumerate(("left", "right")):
            hip, knee, ankle = (xy[:, lm] for lm in leg(s)[:3])
            bend = 180 - angle_at(hip, knee, ankle)
            frac = (knee[:, 1] - hip[:, 1]) / (ankle[:, 1] - hip[:, 1])
            line_x = hip[:, 0] + (ankle[:, 0] - hip[:, 0]) * frac
            inward = np.sign(640 - hip[:, 0])
            signed = np.where((knee[:, 0] - line_x) * inward >= 0, bend, -bend)
            only = c.contact[:, k] & ~c.contact[:, 1 - k]
            vals.append(signed[only])
        assert np.median(np.concatenate(vals)) == pytest.approx(value, abs=0.3)
        assert c.truth["knee_tracking_deg"] == pytest.approx(value, abs=0.05)
        assert "knee_lift_deg" not in c.truth                  # sagittal metrics need a side view
    # facing the camera: the athlete's left is on image right
    assert np.all(xy[:, L.LEFT_SHOULDER, 0] > xy[:, L.RIGHT_SHOULDER, 0])


def test_perspective_projection_agrees_on_the_midline():
    c = clip("calf-raises")            # no sideways hip motion: the hip midpoint stays on the midline
    w = c.world_m
    ortho, depth = project(w, c.camera, track_m=c.track_m)
    persp, _ = project(w, c.camera, track_m=c.track_m, perspective=True)
    np.testing.assert_allclose(ortho, c.sequence.xy, atol=1e-9)
    hip_o = 0.5 * (ortho[:, L.LEFT_HIP] + ortho[:, L.RIGHT_HIP])
    hip_p = 0.5 * (persp[:, L.LEFT_HIP] + persp[:, L.RIGHT_HIP])
    np.testing.assert_allclose(hip_p, hip_o, atol=0.5)
    # the near (right) side looks bigger in perspective
    near = np.linalg.norm(persp[:, L.RIGHT_KNEE] - persp[:, L.RIGHT_ANKLE], axis=-1)
    far = np.linalg.norm(persp[:, L.LEFT_KNEE] - persp[:, L.LEFT_ANKLE], axis=-1)
    assert np.all(near > far)
    assert np.all(depth[:, L.RIGHT_HIP] < depth[:, L.LEFT_HIP])


# ---------------------------------------------------------------- the body
def _bones():
    extra = [(L.LEFT_HEEL, L.LEFT_FOOT_INDEX), (L.LEFT_WRIST, L.LEFT_INDEX), (L.LEFT_WRIST, L.LEFT_THUMB),
             (L.NOSE, L.LEFT_EAR), (L.LEFT_EAR, L.RIGHT_EAR), (L.MOUTH_LEFT, L.RIGHT_EYE_OUTER)]
    return list(SKELETON) + extra


def test_segment_lengths_are_constant():
    worlds = [clip(d).world_m for d in DRILLS]
    worlds.append(make_warmup([("march", 3.0), ("strides", 3.0)], gap_s=2.0).world_m)
    for w in worlds:
        for a, b in _bones():
            length = np.linalg.norm(w[:, a] - w[:, b], axis=-1)
            assert np.ptp(length) < 1e-9, (a.name, b.name)
    w = worlds[0]
    thigh_m = np.linalg.norm(w[0, L.LEFT_KNEE] - w[0, L.LEFT_HIP])
    assert thigh_m == pytest.approx(0.245 * 1.75)


# ---------------------------------------------------------------- warm-ups
def test_warmup_segments_are_in_order_and_contiguous():
    parts = [("march", 4.0), (defaults_for("high-knees", knee_lift_deg=75.0), 4.0), ("calf-raises", 4.5)]
    c = make_warmup(parts, gap_s=(2.0, 4.0), seed=4)
    segs = c.segments
    assert [s["drill"] for s in segs] == ["march", "walk", "high-knees", "walk", "calf-raises"]
    assert segs[0]["start_s"] == 0.0
    for s0, s1 in zip(segs, segs[1:]):
        assert s1["start_s"] == s0["end_s"]
    for s, want in zip(segs[::2], (4.0, 4.0, 4.5)):
        assert s["end_s"] - s["start_s"] == pytest.approx(want)
    for s in segs[1::2]:
        assert 2.0 <= s["end_s"] - s["start_s"] <= 4.0
    t = c.sequence.t_s
    assert t[-1] < segs[-1]["end_s"] <= t[-1] + 1 / 60 + 1e-9
    assert [p["drill"] for p in c.truth["parts"]] == ["march", "high-knees", "calf-raises"] and c.params is None
    hk = c.truth["parts"][1]["truth"]
    assert hk["knee_lift_deg"] == pytest.approx(75.0, abs=1e-6) and hk["cadence_spm"] == pytest.approx(180.0)
    # every event lies in its own segment
    for e in c.events:
        s = segs[e["segment"]]
        assert s["start_s"] <= e["t_s"] <= s["end_s"] and e["drill"] == s["drill"]
    lowest = np.minimum(foot_low(c.world_m, "left"), foot_low(c.world_m, "right"))
    assert lowest.min() >= -1e-9
    # standing gaps
    st = make_warmup([("march", 3.0), ("skip", 3.0)], gap_kind="stand", gap_s=2.5)
    assert [s["drill"] for s in st.segments] == ["march", "stand", "skip"]
    g = st.segments[1]
    hip = st.world_m[:, L.LEFT_HIP, 0]
    steady = (st.sequence.t_s > g["start_s"] + 0.4) & (st.sequence.t_s < g["end_s"] - 0.4)
    assert np.ptp(hip[steady]) < 0.02 and st.contact[steady].all()


# ---------------------------------------------------------------- randomness and options
def test_seeds_reproduce_exactly_and_differ_between_seeds():
    kw = dict(duration_s=3.0, noise_px=2.0, missing_frac=0.1, jitter_timestamps_s=0.003)
    a = make_clip("single-leg-balance", seed=7, **kw)
    b = make_clip("single-leg-balance", seed=7, **kw)
    c = make_clip("single-leg-balance", seed=8, **kw)
    for x, y in ((a.sequence.xy, b.sequence.xy), (a.sequence.t_s, b.sequence.t_s), (a.world_m, b.world_m)):
        np.testing.assert_array_equal(x, y)
    assert a.truth == b.truth and a.events == b.events
    assert not np.array_equal(a.sequence.t_s, c.sequence.t_s)
    assert not np.array_equal(a.world_m, c.world_m)           # the sway follows the seed
    w1 = make_warmup([("march", 3.0), ("skip", 3.0)], seed=1)
    w2 = make_warmup([("march", 3.0), ("skip", 3.0)], seed=1)
    np.testing.assert_array_equal(w1.world_m, w2.world_m)
    assert w1.segments == w2.segments


def test_noise_missing_frames_and_jitter():
    base = clip("high-knees")
    c = make_clip("high-knees", duration_s=4.0, seed=3, noise_px=1.5, missing_frac=0.1,
                  jitter_timestamps_s=0.004)
    seq = c.sequence
    gone = ~seq.detected
    assert gone.sum() == 24
    assert np.isnan(seq.xy[gone]).all() and np.all(seq.visibility[gone] == 0) and np.isfinite(seq.xy[~gone]).all()
    runs = np.diff(np.flatnonzero(np.diff(np.concatenate([[0], gone.astype(int), [0]]))))[::2]
    assert runs.max() <= 8
    assert np.all(np.diff(seq.t_s) > 0)
    assert np.max(np.abs(seq.t_s - np.arange(len(seq)) / 60)) <= 0.004
    resid = (seq.xy - project(c.world_m, c.camera, track_m=c.track_m)[0])[~gone]
    assert np.std(resid) == pytest.approx(1.5, rel=0.1)
    # the motion is sampled at the jittered times, and its peaks are still caught exactly
    assert c.truth["knee_lift_deg"] == pytest.approx(base.truth["knee_lift_deg"], abs=1e-6)
    w = c.world_m
    th = np.degrees(np.arctan2(w[:, L.LEFT_KNEE, 0] - w[:, L.LEFT_HIP, 0], w[:, L.LEFT_HIP, 1] - w[:, L.LEFT_KNEE, 1]))
    assert th.max() == pytest.approx(c.params.knee_lift_deg, abs=1e-6)
    far = make_clip("march", duration_s=2.0, far_side_visibility=0.3).sequence.visibility
    assert np.all(far[:, L.LEFT_KNEE] == 0.3) and np.all(far[:, L.RIGHT_KNEE] == 1.0)


def test_bad_requests_say_what_is_valid():
    with pytest.raises(SynthError, match="unknown drill 'hops': use one of a-skip, high-knees") as e:
        defaults_for("hops")
    assert isinstance(e.value, ValueError) and isinstance(e.value, FormcheckError)
    with pytest.raises(ValueError, match="unknown DrillParams field"):
        defaults_for("march", knee_lift=80)
    with pytest.raises(ValueError, match=r"knee_lift_deg = 170.0 is out of range"):
        defaults_for("march", knee_lift_deg=170.0)
    with pytest.raises(ValueError, match="facing"):
        Camera(view="front", facing="right")
    with pytest.raises(ValueError, match="gap_kind"):
        make_warmup([("march", 3.0)], gap_kind="jog")
    with pytest.raises(ValueError, match="jitter"):
        make_clip("march", jitter_timestamps_s=0.01)
    p = DrillParams("march", **{k: v for k, v in vars(defaults_for("march")).items() if k != "drill"})
    assert p == defaults_for("march")
