"""Numba's on-disk cache of the core's kernels, kept in step with their sources.

Numba checks a cached kernel against its own source file only. A kernel that inlines or calls
a compiled function of another module — the look-ahead's chains (:mod:`~sim.core.dynamics.chains`)
call the incident formulas of :mod:`~sim.core.dynamics.incidents`, many kernels call the sums of
:mod:`~sim.core.dynamics.state` — would go on running the old code after that module is
edited. :func:`drop_stale_kernels` runs once a process, when :mod:`sim.core` is imported and
before any kernel is loaded: if the core's sources differ from those its cache was compiled
from, it deletes the cache files, and the kernels compile afresh.

A fresh checkout has no cache to drop; an install whose folders are read-only (numba then caches
elsewhere, and nobody edits its sources) and a cache moved by ``NUMBA_CACHE_DIR`` are left alone.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The core layer's folder: its sources, and numba's cache in their ``__pycache__`` folders.
CORE = Path(__file__).resolve().parent

#: The file (in ``CORE/__pycache__``) holding the digest of the sources the cache is from.
STAMP = "kernels.sources.sha256"


def sources_digest(root: Path = CORE) -> str:
    """SHA-256 of every Python source under ``root``, names and contents, in sorted order."""
    hasher = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        hasher.update(path.relative_to(root).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def drop_stale_kernels(root: Path = CORE) -> bool:
    """Delete numba's cache files under ``root`` when its sources changed since the last check.

    Returns:
        Whether the cache was dropped (the sources differ from the stamp's, or there is none).
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    stamp = root / "__pycache__" / STAMP
    digest = sources_digest(root)
    try:
        if stamp.read_text(encoding="ascii") == digest:
            return False
    except (OSError, UnicodeDecodeError):
        pass  # no stamp yet, or unreadable: drop and stamp
    try:
        for cached in root.rglob("__pycache__/*.nb[ic]"):
            cached.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        partial = stamp.with_name(f"{STAMP}.{os.getpid()}.tmp")
        partial.write_text(digest, encoding="ascii")
        os.replace(partial, stamp)  # atomic: a concurrent process reads one stamp or the other
    except OSError:
        return False
    return True
