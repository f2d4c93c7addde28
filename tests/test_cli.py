"""The command line: validate reports every problem and exits non-zero on bad data."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from compendium import paths
from compendium.cli import main
from compendium.data.tables import TABLES

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def test_validate_passes_on_the_real_data(capsys):
    assert main(["validate"]) == 0
    assert f"all {len(TABLES)} tables valid" in capsys.readouterr().out


def test_validate_lists_every_problem_and_fails(tmp_path, capsys):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    claims = copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",finding,", ",findings,"), encoding="utf-8")
    assert main(["validate", "--data-dir", str(copy)]) == 2
    err = capsys.readouterr().err
    wrong = sum(1 for line in err.splitlines() if "column 'claim_type'" in line and "'findings'" in line)
    assert wrong == paths.DATA_DIR.joinpath("claims.csv").read_text(encoding="utf-8").count(",finding,")
    assert "Traceback" not in err


def test_validate_names_a_windows_checkout_in_one_problem(tmp_path, capsys):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    raw = paths.raw_source(copy)
    raw.write_bytes(b"\xef\xbb\xbf" + raw.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["validate", "--data-dir", str(copy)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines  # the one problem and the count, not 151
    assert lines[0].startswith("raw/meeting-summary.txt: has a UTF-8 byte-order mark at its start and Windows line ends (CRLF)")
    assert lines[1] == f"error: 1 problem(s) in {copy}"


def run_command_fails_alone(args, capsys) -> str:
    """Run the CLI, check it exits 2 with one line of error and no traceback; return that line."""
    assert main(args) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_run_into_a_path_that_is_a_file_says_so_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "runs"
    target.write_text("x", encoding="utf-8")
    line = run_command_fails_alone(["run", "methods", "--runs-dir", str(target), "--no-progress"], capsys)
    assert line == f"error: cannot write the runs folder {target}: it is a file, not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["runs"] and target.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(AS_ROOT or os.name != "posix", reason="running as root (or not on POSIX): root may write into "
                    "any folder, so a folder without write permission cannot be made here")
def test_run_into_a_folder_without_permission_says_so_and_writes_nothing(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        line = run_command_fails_alone(["run", "methods", "--runs-dir", str(locked / "runs"), "--no-progress"], capsys)
        assert line == f"error: cannot write the runs folder {locked / 'runs'}: Permission denied"
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


def test_passages_into_a_path_under_a_file_says_so(tmp_path, capsys):
    file = tmp_path / "taken"
    file.write_text("x", encoding="utf-8")
    line = run_command_fails_alone(["passages", "--out", str(file / "passages.csv")], capsys)
    assert line == f"error: cannot write folder {file}: it is a file, not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_log_prints_a_log_of_the_last_build_or_says_which_there_are(tmp_path, capsys):
    logs = tmp_path / "_build" / "logs"
    logs.mkdir(parents=True)
    (logs / "methods.log").write_text("chapter methods failed: KeyError: 'x'\n", encoding="utf-8")
    assert main(["log", "methods", "--build-dir", str(tmp_path / "_build")]) == 0
    assert capsys.readouterr().out == "chapter methods failed: KeyError: 'x'\n"
    assert main(["log", "book", "--build-dir", str(tmp_path / "_build")]) == 2
    assert "has no log 'book' (logs: methods)" in capsys.readouterr().err
