"""Writing files so that a failure never leaves a half-written file behind.

A folder that cannot be created or written (no permission, no space, a path that is a file) raises
``FolderError``: one message naming the folder and the reason, which the command line prints
without a traceback.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from compendium.errors import CompendiumError


class FolderError(CompendiumError, OSError):
    """A folder that cannot be created or written; the message names it and says why."""

    def __init__(self, folder: Path | str, error: OSError | str, what: str = "folder"):
        self.folder = Path(folder)
        self.reason = error if isinstance(error, str) else _reason(self.folder, error)
        super().__init__(f"cannot write {what} {self.folder}: {self.reason}")


def _reason(folder: Path, error: OSError) -> str:
    """Return why ``folder`` cannot be written: a file in its place or on its path, or the system's reason."""
    for path in (folder, *folder.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                return f"{path} is a file, not a folder" if path != folder else "it is a file, not a folder"
            break
    return error.strerror or str(error)


def writable_folder(folder: Path | str, what: str = "folder") -> Path:
    """Create ``folder`` (and any missing parents), check that a file can be written in it; return it.

    Raise ``FolderError`` if it cannot be; the folders made here are then removed again, so a
    failure leaves nothing behind."""
    folder = Path(folder)
    made: list[Path] = []
    try:
        missing, path = [], folder
        while not (path.exists() or path.is_symlink()) and path != path.parent:
            missing.append(path)
            path = path.parent
        for path in reversed(missing):
            path.mkdir()
            made.append(path)
        if not folder.is_dir():
            raise NotADirectoryError(20, "Not a directory", str(folder))
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        for path in reversed(made):
            try:
                path.rmdir()
            except OSError:
                pass
        raise FolderError(folder, exc, what) from exc
    return folder


def write_text_atomic(path: Path | str, text: str) -> Path:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` via a temporary file and rename; return the path.

    Raise ``FolderError`` (naming the folder and the reason) if its folder cannot be made or written."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and rename; return the path.

    Raise ``FolderError`` (naming the folder and the reason) if its folder cannot be made or written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FolderError(path.parent, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600 files; give the result the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise FolderError(path.parent, exc) from exc
        raise
    return path


def write_csv_atomic(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` as UTF-8 CSV (LF line ends, no index) to ``path`` atomically."""
    return write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))
