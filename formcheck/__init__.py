"""formcheck: check running-drill form from video."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("formcheck")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"

from formcheck.errors import FormcheckError
from formcheck.landmarks import Landmark
from formcheck.sequence import PoseSequence

__all__ = ["FormcheckError", "Landmark", "PoseSequence", "__version__"]
