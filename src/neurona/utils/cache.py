"""neurona's cache folder: fetched datasets, compiled kernels and measured thread counts."""

import os
import sys
from pathlib import Path

CACHE_DIR_VARIABLE = "NEURONA_CACHE_DIR"


def cache_dir():
    """NEURONA_CACHE_DIR, else the platform's user cache folder + neurona."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "neurona"
