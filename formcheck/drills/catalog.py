"""The built-in drills, as data.

Every number says where it comes from. Most are coaching convention -- the shapes coaches ask
for in running-drill sessions (the Mach-style A-drills: "knee to hip height", "toes up",
"tall posture", "opposite arm, opposite knee") -- turned into angles from the image. They are
judgement, not measured population norms; the thresholds are set so that a visibly faulty rep
is flagged and ordinary rep-to-rep variation is not. Where a published study informs a number
it is named.

Angles follow :mod:`formcheck.measure`: ``knee_lift_deg`` is the thigh against the downward
vertical (90 = thigh horizontal = knee at hip height), ``toe_up_deg`` the knee-ankle-toe angle at
peak lift (about 110 with the foot relaxed, 90 or less with the toes pulled up), leans positive
forward.
"""

from __future__ import annotations

from dataclasses import replace

from formcheck.drills.registry import (
    COACHING_CONVENTION,
    CueSpec,
    DriftSpec,
    DrillSpec,
    MetricTarget,
    register_drill,
)

CC = COACHING_CONVENTION

# ---------------------------------------------------------------------------- shared sources
SRC_KNEE_HIP_HEIGHT = f"{CC}: knee to hip height, thigh about horizontal (90 deg) at peak lift (Mach A-drills)"
SRC_TOES_UP = f"{CC}: ankle dorsiflexed ('toes up') at peak lift; a relaxed foot reads ~110 deg, pointed ~130+"
SRC_TALL = f"{CC}: tall posture, trunk within a few degrees of vertical"
SRC_ARMS = f"{CC}: contralateral arm action, opposite arm with opposite knee (phase 0, same side 180)"
SRC_HEAD = f"{CC}: head still relative to the shoulders, eyes forward"
SRC_SYMMETRY = f"{CC}: sides within ~10% of each other"
SRC_CADENCE_FAST = f"{CC}: quick turnover, about 160 steps per minute or more"
SRC_CADENCE_RUN = ("Heiderscheit et al. 2011, Med Sci Sports Exerc 43(2):296-302 (higher step rate shortens "
                   f"overstride); band: {CC}")
SRC_KNEE_TRACKING = (f"{CC}: knee in line with hip and foot seen from the front; frontal-plane projection "
                     "angles above ~10 deg are read as the knee caving in (cf. single-leg squat screening)")
SRC_DRIFT = f"{CC}: form should hold from the first reps to the last"

# ---------------------------------------------------------------------------- shared targets
def knee_lift(low: float = 80, high: float = 110, minor: float = 75, major: float = 65,
              weight: float = 2.0, source: str = SRC_KNEE_HIP_HEIGHT) -> MetricTarget:
    return MetricTarget("knee_lift_deg", low, high, minor_low=minor, major_low=major, weight=weight, source=source)


TOE_UP = MetricTarget("toe_up_deg", 60, 100, minor_high=110, major_high=125, weight=0.7, source=SRC_TOES_UP)
TRUNK_TALL = MetricTarget("trunk_lean_deg", -5, 10, minor_low=-10, major_low=-20, minor_high=15, major_high=25,
                          weight=0.7, source=SRC_TALL)
ARM_PHASE = MetricTarget("arm_leg_phase_deg", 0, 30, minor_high=45, major_high=90, weight=0.8, source=SRC_ARMS)
HEAD_STILL = MetricTarget("head_bob_pct", 0, 6, minor_high=9, major_high=15, weight=0.5, source=SRC_HEAD)
SYMMETRY = MetricTarget("symmetry_pct", 0, 10, minor_high=15, major_high=25, weight=0.5, source=SRC_SYMMETRY)
KNEE_TRACKING = MetricTarget("knee_tracking_deg", 0, 10, minor_high=12, major_high=20, weight=1.0,
                             source=SRC_KNEE_TRACKING)

# ---------------------------------------------------------------------------- shared cues
CUE_KNEE_HIP = CueSpec("knee-height", "knee_lift_deg", "low", "Drive the knee to hip height, toes up")
CUE_TOES_UP = CueSpec("toes-up", "toe_up_deg", "high", "Toes up: pull the foot up as the knee rises")
CUE_LEAN_BACK = CueSpec("lean-back", "trunk_lean_deg", "low", "Stay tall: hips under you, don't lean back")
CUE_BEND_FORWARD = CueSpec("bend-forward", "trunk_lean_deg", "high", "Stay tall: chest up, don't fold at the waist")
CUE_ARMS = CueSpec("arms", "arm_leg_phase_deg", "high", "Opposite arm with opposite knee")
CUE_HEAD = CueSpec("head", "head_bob_pct", "high", "Keep your head still, eyes forward")
CUE_KNEE_TRACKING = CueSpec("knee-tracking", "knee_tracking_deg", "high",
                            "Keep the knee in line over the foot; don't let it cave in")


def symmetry_cue(text: str) -> CueSpec:
    return CueSpec("asymmetry", "symmetry_pct", "high", text)


TALL_CUES = (CUE_LEAN_BACK, CUE_BEND_FORWARD)

# ---------------------------------------------------------------------------- drills
A_SKIP = register_drill(DrillSpec(
    name="a-skip",
    title="A-skip",
    description="Skipping rhythm with a high knee drive: the knee comes up to hip height with the toes pulled "
                "up, then the foot claws down under the hip; tall posture, opposite arm with opposite knee.",
    rep_event="lift",
    main_metric="knee_lift_deg",
    targets=(knee_lift(), TOE_UP, TRUNK_TALL, ARM_PHASE, HEAD_STILL, SYMMETRY),
    cues=(CUE_KNEE_HIP, CUE_TOES_UP, *TALL_CUES, CUE_ARMS, CUE_HEAD, CUE_KNEE_TRACKING,
          symmetry_cue("Match your legs: drive the {side} knee as high as the other")),
    front_targets=(KNEE_TRACKING,),
    info_metrics=("cadence_spm",),
    drift=DriftSpec(8, 15, "Keep the knee drive high to the last rep; shorten the set if it drops",
                    source=SRC_DRIFT),
    aliases=("a-skips", "askip"),
))

HIGH_KNEES = register_drill(DrillSpec(
    name="high-knees",
    title="High knees",
    description="Running in place or moving slowly forward with fast, high knee lifts: knee to hip height, "
                "quick light contacts under the hips, tall posture, arms driving.",
    rep_event="lift",
    main_metric="knee_lift_deg",
    targets=(
        knee_lift(),
        MetricTarget("cadence_spm", 160, None, minor_low=150, major_low=130, weight=1.0, source=SRC_CADENCE_FAST),
        TOE_UP, TRUNK_TALL, ARM_PHASE, HEAD_STILL, SYMMETRY,
    ),
    cues=(CUE_KNEE_HIP, CueSpec("quick-feet", "cadence_spm", "low", "Quicker feet: fast, light contacts"),
          CUE_TOES_UP, *TALL_CUES, CUE_ARMS, CUE_HEAD, CUE_KNEE_TRACKING,
          symmetry_cue("Match your legs: lift the {side} knee as high as the other")),
    front_targets=(KNEE_TRACKING,),
    drift=DriftSpec(8, 15, "Keep the knees high to the end; stop the set when they drop", source=SRC_DRIFT),
    aliases=("high-knee", "highknees"),
))

MARCH = register_drill(DrillSpec(
    name="march",
    title="A-march",
    description="Walking version of the A-skip: slow and controlled, knee to hip height with the toes up, "
                "stand tall on the support leg, opposite arm with opposite knee.",
    rep_event="lift",
    main_metric="knee_lift_deg",
    targets=(knee_lift(), TOE_UP, TRUNK_TALL, ARM_PHASE, HEAD_STILL, SYMMETRY),
    cues=(CUE_KNEE_HIP, CUE_TOES_UP, *TALL_CUES, CUE_ARMS, CUE_HEAD, CUE_KNEE_TRACKING,
          symmetry_cue("Match your legs: bring the {side} knee as high as the other")),
    front_targets=(KNEE_TRACKING,),
    info_metrics=("cadence_spm",),
    drift=DriftSpec(8, 15, "Keep every knee lift to hip height, first to last", source=SRC_DRIFT),
    aliases=("a-march", "marching"),
))

BUTT_KICKS = register_drill(DrillSpec(
    name="butt-kicks",
    title="Butt kicks",
    description="Quick heel flicks to the glutes with the thigh staying near vertical (knee points down), "
                "light contacts, tall posture.",
    rep_event="flexion",
    main_metric="knee_flexion_deg",
    targets=(
        MetricTarget("knee_flexion_deg", 130, None, minor_low=120, major_low=100, weight=2.0,
                     source=f"{CC}: heel reaches the glute, knee flexed ~130 deg or more at the top"),
        MetricTarget("knee_lift_deg", 0, 30, minor_high=40, major_high=55, weight=1.0,
                     source=f"{CC}: knee points down, thigh within ~30 deg of vertical"),
        MetricTarget("cadence_spm", 160, None, minor_low=150, major_low=130, weight=0.5, source=SRC_CADENCE_FAST),
        TRUNK_TALL, ARM_PHASE, HEAD_STILL, SYMMETRY,
    ),
    cues=(
        CueSpec("heel-to-glute", "knee_flexion_deg", "low", "Heel to glute, knee points down"),
        CueSpec("knee-down", "knee_lift_deg", "high", "Keep the knee pointing down; the heel comes up under the hip"),
        CueSpec("quick-feet", "cadence_spm", "low", "Quicker feet: fast, light contacts"),
        *TALL_CUES, CUE_ARMS, CUE_HEAD, CUE_KNEE_TRACKING,
        symmetry_cue("Match your legs: bring the {side} heel as close to the glute as the other"),
    ),
    front_targets=(KNEE_TRACKING,),
    drift=DriftSpec(10, 20, "Keep the heels reaching the glutes to the last rep", source=SRC_DRIFT),
    aliases=("butt-kick", "buttkicks", "heel-flicks"),
))

SKIP = register_drill(DrillSpec(
    name="skip",
    title="Skip",
    description="Rhythmic skipping (step-hop on each leg) with a relaxed knee drive, tall posture and "
                "co-ordinated opposite arm and leg.",
    rep_event="lift",
    main_metric="knee_lift_deg",
    targets=(
        knee_lift(60, 105, 50, 40, weight=1.5,
                  source=f"{CC}: a relaxed skip lifts the thigh ~60-90 deg, less than an A-skip"),
        replace(ARM_PHASE, weight=1.2),
        TOE_UP, TRUNK_TALL, HEAD_STILL, SYMMETRY,
    ),
    cues=(
        CueSpec("knee-drive", "knee_lift_deg", "low", "Drive the knee up and forward on each skip"),
        CUE_ARMS, CUE_TOES_UP, *TALL_CUES, CUE_HEAD, CUE_KNEE_TRACKING,
        symmetry_cue("Match your legs: drive the {side} knee as high as the other"),
    ),
    front_targets=(KNEE_TRACKING,),
    info_metrics=("cadence_spm",),
    drift=DriftSpec(8, 15, "Keep the knee drive to the end of the set", source=SRC_DRIFT),
    aliases=("skips", "skipping"),
))

STRIDES = register_drill(DrillSpec(
    name="strides",
    title="Strides",
    description="Relaxed accelerations to ~80-90% of top speed: slight forward lean from the ankles with the "
                "body in one line, quick light contacts under the hips, relaxed arms and a still head.",
    rep_event="step",
    main_metric="contact_offset_frac",
    targets=(
        MetricTarget("contact_offset_frac", -0.05, 0.25, minor_high=0.30, major_high=0.40, weight=1.5,
                     source=("Heiderscheit et al. 2011 (overstride = foot landing far ahead of the centre of mass); "
                             f"band: {CC}, foot lands close under the hips")),
        MetricTarget("hip_hinge_deg", -5, 8, minor_low=-10, major_low=-18, minor_high=12, major_high=20, weight=1.5,
                     source=f"{CC}: lean comes from the ankles, the hips stay in line (hinge ~0)"),
        MetricTarget("body_lean_deg", 4, 12, minor_low=1, major_low=-4, minor_high=16, major_high=22, weight=1.0,
                     source=f"{CC}: ~5-10 deg forward lean from the ankles"),
        MetricTarget("cadence_spm", 160, None, minor_low=155, major_low=140, weight=0.5, source=SRC_CADENCE_RUN),
        ARM_PHASE, HEAD_STILL,
    ),
    cues=(
        CueSpec("overstride", "contact_offset_frac", "high", "Quick, light contacts under your hips"),
        CueSpec("hinge", "hip_hinge_deg", "high", "Lean from the ankles, not the hips"),
        CueSpec("sit-back", "hip_hinge_deg", "low", "Hips forward: run tall, don't sit back"),
        CueSpec("lean-more", "body_lean_deg", "low", "Fall forward slightly from the ankles, body in one line"),
        CueSpec("lean-less", "body_lean_deg", "high", "Run tall: less lean, stay over your feet"),
        CueSpec("cadence", "cadence_spm", "low", "Quicker, shorter steps"),
        CUE_ARMS, CUE_HEAD, CUE_KNEE_TRACKING,
    ),
    front_targets=(KNEE_TRACKING,),
    info_metrics=("knee_lift_deg", "trunk_lean_deg"),
    drift=DriftSpec(0.05, 0.10, "Keep landing under your hips as you speed up and tire", source=SRC_DRIFT),
    aliases=("stride", "accelerations"),
))

CALF_RAISES = register_drill(DrillSpec(
    name="calf-raises",
    title="Calf raises",
    description="Standing calf raises: rise tall onto the balls of the feet, pause, lower under control; "
                "body in one line, no forward sway.",
    rep_event="raise",
    main_metric="heel_rise_frac",
    targets=(
        MetricTarget("heel_rise_frac", 0.25, None, minor_low=0.20, major_low=0.12, weight=2.0,
                     source=f"{CC}: full rise onto the balls of the feet, heel up by a quarter of the foot "
                            "length or more"),
        MetricTarget("trunk_lean_deg", -5, 12, minor_low=-10, major_low=-18, minor_high=16, major_high=24, weight=0.8,
                     source=f"{CC}: body straight over the balls of the feet; rising shifts it slightly forward"),
    ),
    cues=(
        CueSpec("rise-tall", "heel_rise_frac", "low", "Rise tall onto the balls of your feet"),
        CueSpec("lean-back", "trunk_lean_deg", "low", "Stay tall: hips under your shoulders"),
        CueSpec("bend-forward", "trunk_lean_deg", "high", "Rise straight up: chest up, don't tip forward"),
    ),
    info_metrics=("reps",),
    drift=DriftSpec(0.05, 0.10, "Keep rising all the way up to the last rep", source=SRC_DRIFT),
    min_reps=5,
    aliases=("calf-raise", "heel-raises", "calf"),
))

SINGLE_LEG_BALANCE = register_drill(DrillSpec(
    name="single-leg-balance",
    title="Single-leg balance",
    description="Standing on one leg: tall and still over the standing foot, hips level, free leg and arms "
                "controlled.",
    rep_event="hold",
    main_metric="sway_frac",
    targets=(
        MetricTarget("sway_frac", 0, 0.02, minor_high=0.03, major_high=0.05, weight=2.0,
                     source=f"{CC}: hips move less than ~2% of leg length (a couple of cm) while standing"),
        MetricTarget("trunk_lean_deg", -5, 8, minor_low=-10, major_low=-18, minor_high=12, major_high=20, weight=1.0,
                     source=SRC_TALL),
    ),
    cues=(
        CueSpec("still", "sway_frac", "high", "Stay tall and still over the standing foot"),
        CueSpec("lean-back", "trunk_lean_deg", "low", "Stand tall: hips under your shoulders"),
        CueSpec("bend-forward", "trunk_lean_deg", "high", "Stand tall: chest up over the standing foot"),
        CUE_KNEE_TRACKING,
    ),
    front_targets=(KNEE_TRACKING,),
    info_metrics=("hold_s",),
    min_reps=1,
    aliases=("balance", "single-leg-stance", "slb"),
))
