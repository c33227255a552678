"""A one-line progress bar on stderr: frames done/total, frames per second, time left.

``ProgressBar`` is a callable ``bar(done, total)`` (the shape pipelines accept as
``progress=``). It draws only when its stream is a terminal, unless ``force=True``; redraws at
most every ``min_interval_s``; ``close()`` ends the line. Nothing else in formcheck writes to
the terminal while it is running, so the carriage-return redraw stays on one line.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    def __init__(self, label: str = "", *, stream: TextIO | None = None, force: bool | None = None,
                 width: int = 24, min_interval_s: float = 0.1, unit: str = "frames") -> None:
        self.stream = sys.stderr if stream is None else stream
        if force is None:
            isatty = getattr(self.stream, "isatty", None)
            force = bool(isatty and isatty())
        self.enabled = bool(force)
        self.label = label
        self.width = width
        self.min_interval_s = min_interval_s
        self.unit = unit
        self._start: float | None = None
        self._last_draw = -float("inf")
        self._drawn = False
        self._last: tuple[int, int] = (0, 0)

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._start is None:
            self._start = now
        self._last = (done, total)
        if not self.enabled:
            return
        if done < total and now - self._last_draw < self.min_interval_s:
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(done, total, now - self._start))
        self.stream.flush()
        self._drawn = True

    def render(self, done: int, total: int, elapsed_s: float) -> str:
        """The bar's text for ``done`` of ``total`` after ``elapsed_s`` seconds."""
        total = max(total, done, 1)
        frac = done / total
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        rate = done / elapsed_s if elapsed_s > 0 else 0.0
        eta = _clock((total - done) / rate) if rate > 0 else "?"
        head = f"{self.label} " if self.label else ""
        return f"{head}[{bar}] {done}/{total} {self.unit}  {rate:5.1f} {self.unit}/s  ETA {eta} "

    def close(self) -> None:
        """End the bar's line (only if something was drawn)."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
