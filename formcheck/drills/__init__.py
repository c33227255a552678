"""Drills: registered by name, each one's targets, thresholds and coach cues as data.

>>> from formcheck.drills import get_drill, list_drills
>>> get_drill("a-skip").main_metric
'knee_lift_deg'
"""

from formcheck.drills.registry import (
    COACHING_CONVENTION,
    METRICS,
    REP_EVENTS,
    CueSpec,
    DriftSpec,
    DrillSpec,
    MetricInfo,
    MetricTarget,
    UnknownDrillError,
    get_drill,
    list_drills,
    measurable_in,
    register_drill,
)

__all__ = [
    "COACHING_CONVENTION",
    "METRICS",
    "REP_EVENTS",
    "CueSpec",
    "DriftSpec",
    "DrillSpec",
    "MetricInfo",
    "MetricTarget",
    "UnknownDrillError",
    "get_drill",
    "list_drills",
    "measurable_in",
    "register_drill",
]
