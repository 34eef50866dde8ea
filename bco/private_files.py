"""Only BCO's own user may read its data: the data directory 0700, every file in it 0600.

The store, the read models (with names and phone numbers), SQLite's -wal and -shm files, the
rebuild files and the locks are created in many places, some by SQLite
itself. Rather than chase each one, the process's umask is set to 0077 once, when the
application opens its data, so that everything created afterwards is private whatever umask
the process started with; files left readable by an older version are tightened then too.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from bco.config import Settings

PRIVATE_UMASK = 0o077
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def keep_private(settings: Settings) -> None:
    """Set the umask, create the data directory 0700 and tighten what is already in it."""
    os.umask(PRIVATE_UMASK)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _tighten(settings.data_dir, DIRECTORY_MODE)
    for entry in settings.data_dir.iterdir():
        if entry.is_file() and not entry.is_symlink():
            _tighten(entry, FILE_MODE)
    for secret in (settings.key_file, settings.secret_key_file):
        if secret.is_file() and not secret.is_symlink():
            _tighten(secret, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Take away group and other access; a file owned by someone else is left to its owner."""
    with contextlib.suppress(PermissionError, FileNotFoundError):
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)
