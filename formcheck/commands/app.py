"""``formcheck app [--port PORT]``: open the web app (analyse a clip, or a live webcam check).

Runs ``streamlit run app.py`` from the formcheck source folder, so that its
``.streamlit/config.toml`` applies (upload limit, no usage statistics). Stop it with Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from formcheck.errors import FormcheckError

DEFAULT_PORT = 8501


def app_path() -> Path:
    """The app's entry script (``app.py`` beside the ``formcheck`` package in a source checkout)."""
    import formcheck

    root = Path(formcheck.__file__).resolve().parent.parent
    app = root / "app.py"
    if not app.is_file() or not (root / "pages").is_dir():
        raise FormcheckError(f"the web app (app.py and pages/) was not found in {root}; install formcheck from its "
                             "source folder (pip install -e .) to use 'formcheck app'")
    return app


def streamlit_command(app: Path, port: int, address: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]
    if address:
        cmd += ["--server.address", address]
    return cmd


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "app",
        help="open the web app: analyse a clip, or a live webcam check",
        description="Start formcheck's web app (Streamlit) and print its address. Upload a phone video to "
                    "analyse it, or use a webcam for a live check. Stop it with Ctrl+C.",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--address", default=None,
                   help="address to listen on (default: all; 127.0.0.1 keeps it to this computer)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    port = int(args.port)
    if not 1 <= port <= 65535:
        raise FormcheckError(f"port {port} is not valid; use a number from 1 to 65535, e.g. {DEFAULT_PORT}")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise FormcheckError("streamlit is not installed; install formcheck with its dependencies "
                             "(pip install -e .)") from None
    app = app_path()
    cmd = streamlit_command(app, port, args.address)
    print(f"formcheck app: http://localhost:{port}  (Ctrl+C to stop)", flush=True)
    proc = subprocess.Popen(cmd, cwd=app.parent, env=dict(os.environ))

    def stop(signum: int, frame: object) -> None:  # a service manager's SIGTERM stops streamlit too
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:  # stop streamlit too (a terminal's Ctrl+C reaches it already)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
