"""A build that does not finish never breaks the next one (issue 16).

Each fault is made for real in a copy of the project: `python -m compendium build` runs there as a
user runs it, in its own process group, and gets a real SIGINT (Ctrl-C) or SIGKILL, or a chapter
that fails; the next build must succeed without anyone cleaning anything, no kernel may be left
running, and no socket file may be left in the project.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from compendium import paths
from compendium.book import build
from compendium.book.kernels import SOCKET_FOLDER_PREFIX, TCP_NOTICE, ipc_available

COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", "runs", ".git", "tests", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".hypothesis")
POSIX_ONLY = pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs POSIX signals and /proc to find kernels")
BROKEN_CELL = '\n```{code-cell} ipython3\nraise ValueError("broken on purpose by the test")\n```\n'


# -- a real build in a copy of the project ------------------------------------------------------


class Build:
    """`python -m compendium build` in ``root``, as its own process group, its output collected line by line."""

    def __init__(self, root: Path):
        env = dict(os.environ, PYTHONPATH=str(root / "src"))
        env.pop(build.REPOSITORY_ENV, None)

        def own_group_with_default_ctrl_c():
            os.setsid()
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell that started us may ignore it

        self.process = subprocess.Popen(
            [sys.executable, "-m", "compendium", "build"], cwd=root, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace", preexec_fn=own_group_with_default_ctrl_c,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, count: int = 1, timeout: float = 600) -> None:
        """Wait until ``text`` has appeared in ``count`` lines (fail if the build ends first)."""
        deadline = time.monotonic() + timeout
        while sum(text in line for line in list(self.lines)) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.finish()
                pytest.fail(f"the build ended (or took too long) before {count} line(s) with {text!r}:\n{self.output[-4000:]}")
            time.sleep(0.05)

    def send(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def finish(self, timeout: float = 900) -> int:
        code = self.process.wait(timeout)
        self.reader.join(10)
        return code


def build_to_the_end(root: Path) -> Build:
    done = Build(root)
    done.finish()
    return done


def kernels_in(root: Path) -> list[int]:
    """Return the pids of kernel processes whose working folder is inside ``root``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(proc / "cwd"))
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline and cwd.is_relative_to(root):
            found.append(int(proc.name))
    return found


def no_kernel_left(root: Path, within: float = 10) -> None:
    """Fail unless every kernel of a build in ``root`` has ended within ``within`` seconds."""
    deadline = time.monotonic() + within
    while kernels_in(root) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernels_in(root) == [], "kernels left running"


def sockets_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if stat.S_ISSOCK(p.lstat().st_mode) or "kernel-ipc" in p.name]


def executed(output: str) -> set[str]:
    """Return the chapters a build executed ahead of Sphinx."""
    return set(re.findall(r"^executed (\S+)\.md in ", output, flags=re.M))


def assert_clean_success(done: Build, root: Path) -> None:
    assert done.process.returncode == 0, done.output[-6000:]
    assert "build succeeded" in done.output
    assert "search index couldn't be loaded" not in done.output  # the fault of issue 16
    if ipc_available():
        assert TCP_NOTICE not in done.output
    assert sockets_in(root) == []
    assert (root / "_build" / build.OK_MARK).exists()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project, without a _build folder."""
    root = tmp_path_factory.mktemp("recovery") / "project"
    shutil.copytree(paths.ROOT, root, ignore=COPY_IGNORE)
    return root


def append_cell(root: Path, chapter: str, cell: str) -> Path:
    page = root / "chapters" / f"{chapter}.md"
    page.write_text(page.read_text(encoding="utf-8") + cell, encoding="utf-8")
    return page


# -- the faults -------------------------------------------------------------------------------------


@POSIX_ONLY
@pytest.mark.chapters
@pytest.mark.book
def test_ctrl_c_after_two_chapters_then_the_next_build_succeeds_and_keeps_them(project):
    shutil.rmtree(project / "_build", ignore_errors=True)
    first = Build(project)
    first.wait_for("executed ", 2)
    first.send(signal.SIGINT)
    assert first.finish(60) == 130, first.output[-4000:]
    assert first.lines[-1].startswith("interrupted while executing the chapters; nothing to clean up")
    kept = executed(first.output)
    assert len(kept) >= 2
    no_kernel_left(project)
    assert sockets_in(project) == []

    second = build_to_the_end(project)
    assert_clean_success(second, project)
    assert "the last build did not finish" in second.output
    assert not kept & executed(second.output), "chapters executed before the Ctrl-C were executed again"
    no_kernel_left(project)


@POSIX_ONLY
@pytest.mark.chapters
@pytest.mark.book
def test_ctrl_c_while_sphinx_writes_pages_then_the_next_build_succeeds(project):
    """The fault as reported: stopped while Sphinx writes, the next build failed on the search index."""
    if not (project / "_build" / build.OK_MARK).exists():
        assert_clean_success(build_to_the_end(project), project)
    for name in ("html", ".doctrees"):  # so that Sphinx reads and writes every page
        shutil.rmtree(project / "_build" / name)
    first = Build(project)
    first.wait_for("writing output", 2)
    first.send(signal.SIGINT)
    assert first.finish(60) == 130, first.output[-4000:]
    assert first.lines[-1].startswith("interrupted while running jupyter-book build")
    assert not (project / "_build" / build.OK_MARK).exists()

    second = build_to_the_end(project)
    assert_clean_success(second, project)
    assert executed(second.output) == set()  # every chapter came from the cache


@POSIX_ONLY
@pytest.mark.chapters
@pytest.mark.book
def test_a_killed_build_leaves_no_kernel_and_the_next_build_succeeds(project):
    append_cell(project, "methods", '\n```{code-cell} ipython3\nkilled_build_test = "a changed chapter executes again"\n```\n')
    first = Build(project)
    first.wait_for("executing 1 chapter(s)")
    deadline = time.monotonic() + 120
    while not kernels_in(project) and first.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kernels_in(project), "no kernel started"
    first.send(signal.SIGKILL)  # no chance to clean anything
    assert first.finish(60) == -signal.SIGKILL
    no_kernel_left(project)  # the kernel notices its parent is gone
    assert sockets_in(project) == []

    second = build_to_the_end(project)
    assert_clean_success(second, project)
    assert executed(second.output) == {"methods"}
    # the killed build's socket folder (outside the project) is removed by the next build that starts kernels
    assert list(Path(tempfile.gettempdir()).glob(f"{SOCKET_FOLDER_PREFIX}{first.process.pid}-*")) == []


@POSIX_ONLY
@pytest.mark.chapters
@pytest.mark.book
def test_a_failing_chapter_ends_the_build_with_one_line_naming_it_and_its_log(project):
    page = append_cell(project, "methods", BROKEN_CELL)
    failed = build_to_the_end(project)
    assert failed.process.returncode == 1, failed.output[-4000:]
    last = failed.lines[-1]
    assert last.startswith("error: the build stopped: chapter methods failed: ValueError: broken on purpose by the test (code cell ")
    assert last.endswith("; see its log: python -m compendium log methods")
    assert "Running Jupyter-Book" not in failed.output  # stopped before Sphinx
    no_kernel_left(project)

    log = subprocess.run([sys.executable, "-m", "compendium", "log", "methods"], cwd=project, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(project / "src")))
    assert log.returncode == 0 and 'raise ValueError("broken on purpose by the test")' in log.stdout
    assert "ValueError: broken on purpose by the test" in log.stdout

    page.write_text(page.read_text(encoding="utf-8").replace(BROKEN_CELL, ""), encoding="utf-8")
    fixed = build_to_the_end(project)
    assert_clean_success(fixed, project)


@POSIX_ONLY
@pytest.mark.chapters
@pytest.mark.book
def test_a_sphinx_warning_fails_every_build_until_it_is_fixed(project):
    """A failed Sphinx step names itself and its log; and the next build reads every page again, so
    the warning is reported again instead of the unchanged page being skipped and the build passing."""
    page = project / "chapters" / "methods.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nSee {ref}`no-such-label-anywhere`.\n", encoding="utf-8")
    for attempt in (1, 2):
        failed = build_to_the_end(project)
        assert failed.process.returncode == 1, (attempt, failed.output[-4000:])
        assert "undefined label: 'no-such-label-anywhere'" in failed.output, attempt
        assert failed.lines[-1] == ("error: the build failed at the jupyter-book step: 1 warning(s) or error(s) in "
                                    "methods.md; see its log: python -m compendium log book")
    assert "no-such-label-anywhere" in (project / "_build" / "logs" / "book.log").read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    assert_clean_success(build_to_the_end(project), project)


# -- the parts, without a build ----------------------------------------------------------------------


def test_repair_removes_a_cache_record_whose_notebook_was_not_written(tmp_path):
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    folder = tmp_path / ".jupyter_cache"
    cache = get_cache(str(folder))
    records = []
    for n in range(3):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {n}")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        records.append(cache.cache_notebook_bundle(CacheBundleIn(nb, f"chapter{n}.md"), check_validity=False))
    assert build.repair_cache(folder) == 0
    cache._get_notebook_path_cache(records[0].hashkey).unlink()  # stopped between the record and its file
    path = cache._get_notebook_path_cache(records[1].hashkey)
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")  # stopped while writing it
    assert build.repair_cache(folder) == 2
    assert [r.pk for r in get_cache(str(folder)).list_cache_records()] == [records[2].pk]


def test_book_failure_names_the_pages_with_warnings():
    output = ("/x/chapters/methods.md:154: WARNING: undefined label: 'a'\n"
              "\x1b[91m/x/chapters/survey-annex.md: WARNING: b\x1b[39;49;00m\n"
              "[IPKernelApp] WARNING | a kernel's notice is not a build warning\n")
    assert build.book_failure(output, 1) == "2 warning(s) or error(s) in methods.md, survey-annex.md"
    assert build.book_failure("Traceback ...\n", 1) == "jupyter-book exited with status 1"


def test_a_build_folder_that_is_a_file_is_one_message_and_nothing_runs(tmp_path, capsys):
    from compendium.io import FolderError

    (tmp_path / "_build").write_text("x", encoding="utf-8")
    with pytest.raises(FolderError) as raised:
        build.build_book(path_output=tmp_path)
    assert str(raised.value) == f"cannot write the build folder {tmp_path / '_build'}: it is a file, not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["_build"]
    assert capsys.readouterr().err == ""  # nothing executed, nothing else said
