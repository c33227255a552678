"""Warm-up planner: an ordered plan of blocks before an interval session.

The guidance is data in :mod:`formcheck.plan.catalog`; :func:`make_plan` fits it to the time
available, the session ahead, the training phase, injury history, how the athlete feels, the
rotation period and any persistent faults from the coach workspace.
"""

from formcheck.plan.catalog import CAMERA_DRILLS, FEELS, INJURIES, KINDS, PHASES, SESSIONS
from formcheck.plan.planner import (
    Block,
    PersistentFault,
    Plan,
    PlanError,
    Rotation,
    as_persistent_fault,
    library_faults,
    make_plan,
    plan_to_markdown,
    plan_to_text,
    regression_for,
    reps_text,
    rotation_for,
)

__all__ = [
    "CAMERA_DRILLS", "FEELS", "INJURIES", "KINDS", "PHASES", "SESSIONS",
    "Block", "PersistentFault", "Plan", "PlanError", "Rotation", "as_persistent_fault", "library_faults",
    "make_plan", "plan_to_markdown", "plan_to_text", "regression_for", "reps_text", "rotation_for",
]
