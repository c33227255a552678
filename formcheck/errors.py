"""Errors a user can act on.

Every ``FormcheckError`` carries a one-line message that says what is wrong and what to
do about it. The CLI prints it and exits with code 2; the app shows it as a message.
"""


class FormcheckError(Exception):
    """A problem with the input or the setup that the user can fix."""

    exit_code = 2


class VideoError(FormcheckError):
    """The file is not a readable video (not a video, empty, truncated, unknown codec)."""


class ClipTooShortError(FormcheckError):
    """The clip is too short to analyse."""


class NoPersonError(FormcheckError):
    """No person was found in the clip (or in too few frames)."""


class ModelError(FormcheckError):
    """The pose model is missing, corrupt, or cannot be fetched."""


class ViewError(FormcheckError):
    """The camera angle does not allow the requested analysis."""
