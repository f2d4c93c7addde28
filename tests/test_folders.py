"""A folder that cannot be written (no permission, no space, a path that is a file) gives one message
naming the folder and the reason, and leaves nothing half-written (issue 16)."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from compendium import io
from compendium.errors import CompendiumError

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NEEDS_NON_ROOT = pytest.mark.skipif(
    AS_ROOT or os.name != "posix",
    reason="running as root (or not on POSIX): root may write into any folder, so a folder "
    "without write permission cannot be made here; the path-is-a-file cases still run",
)


def tree(folder) -> list[str]:
    """Every path below ``folder``, relative, sorted (to show that nothing was written)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def read_only(tmp_path):
    """A folder without write permission (restored afterwards so pytest can remove it)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    yield folder
    folder.chmod(stat.S_IRWXU)


def test_a_path_that_is_a_file_is_named_with_the_reason(tmp_path):
    file = tmp_path / "taken"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(io.FolderError) as raised:
        io.writable_folder(file, "the runs folder")
    assert str(raised.value) == f"cannot write the runs folder {file}: it is a file, not a folder"
    with pytest.raises(io.FolderError) as raised:
        io.writable_folder(file / "a" / "b", "the export folder")
    assert str(raised.value) == f"cannot write the export folder {file / 'a' / 'b'}: {file} is a file, not a folder"
    assert isinstance(raised.value, CompendiumError) and isinstance(raised.value, OSError)
    assert tree(tmp_path) == ["taken"] and file.read_text(encoding="utf-8") == "x"


def test_writing_into_a_path_under_a_file_fails_whole(tmp_path):
    file = tmp_path / "taken"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(io.FolderError, match="is a file, not a folder"):
        io.write_text_atomic(file / "tables" / "t.csv", "a\n")
    assert tree(tmp_path) == ["taken"]


@NEEDS_NON_ROOT
def test_a_folder_without_permission_is_named_with_the_reason(read_only):
    target = read_only / "runs" / "deep"
    with pytest.raises(io.FolderError) as raised:
        io.writable_folder(target, "the runs folder")
    assert str(raised.value) == f"cannot write the runs folder {target}: {os.strerror(errno.EACCES)}"
    with pytest.raises(io.FolderError, match="Permission denied"):
        io.write_text_atomic(read_only / "t.csv", "a\n")
    assert tree(read_only) == []


def test_a_folder_made_for_a_check_that_then_fails_is_removed_again(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(io.tempfile, "mkstemp", full)
    with pytest.raises(io.FolderError) as raised:
        io.writable_folder(tmp_path / "new" / "runs", "the runs folder")
    assert str(raised.value).endswith(f": {os.strerror(errno.ENOSPC)}")
    assert tree(tmp_path) == []  # the two folders it made are gone


def test_no_space_while_writing_leaves_no_file_behind(tmp_path, monkeypatch):
    class FullDisk:
        def __init__(self, fd, mode):
            os.close(fd)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    (tmp_path / "tables").mkdir()
    old = tmp_path / "tables" / "t.csv"
    old.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(io.os, "fdopen", FullDisk)
    with pytest.raises(io.FolderError) as raised:
        io.write_text_atomic(old, "new\n")
    assert str(raised.value) == f"cannot write folder {old.parent}: {os.strerror(errno.ENOSPC)}"
    assert tree(tmp_path) == ["tables", "tables/t.csv"] and old.read_text(encoding="utf-8") == "old\n"


def test_a_publisher_checks_its_export_folder_before_exporting_anything(tmp_path):
    from compendium.book.publish import Publisher

    file = tmp_path / "taken"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(io.FolderError) as raised:
        Publisher(file)
    assert str(raised.value) == f"cannot write the export folder {file}: it is a file, not a folder"
    assert Publisher(tmp_path / "exports").output_dir == tmp_path / "exports"
    assert tree(tmp_path) == ["exports", "taken"]


@NEEDS_NON_ROOT
def test_a_publisher_with_an_export_folder_without_permission_says_so(read_only):
    from compendium.book.publish import Publisher

    with pytest.raises(io.FolderError, match=f"cannot write the export folder {read_only / 'run'}: Permission denied"):
        Publisher(read_only / "run")
    assert tree(read_only) == []
