"""Building the book: the one build that the Makefile, the tests, the benchmark and CI all use.

myst-nb executes a book's notebooks one after another. Here the chapters whose outputs are not yet
in the execution cache are first executed several at once, each in an ordinary kernel driven by
nbclient from a thread, and stored in that same cache under the key myst-nb will look for; then
Jupyter Book builds the HTML and reads them from the cache. Threads and kernel subprocesses only:
the same on Linux, macOS and Windows, and a script without a main guard works.

A build that does not finish (Ctrl-C, a killed process, a failed chapter or Sphinx step) never
breaks the next one. A build that succeeds leaves ``_build/.compendium-build-ok``; a build that
finds it missing first removes cache records whose notebook was not completely written and lets
Sphinx read every page afresh (its saved state may be half-written, or may hide a warning it
reported last time), keeping every chapter that was executed. A chapter that fails stops the build
before Sphinx, and the build ends with one line naming it and the command that shows its log;
every log of the last build is in ``_build/logs/``.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from compendium import paths
from compendium.book.bundle import write_vega_bundle

EXECUTION_TIMEOUT = 600  # seconds per cell, as execute.timeout in _config.yml
# A kernel spends part of its time waiting on messages, so a few more than the cores keep them busy.
DEFAULT_JOBS = (os.cpu_count() or 1) + 1

OK_MARK = ".compendium-build-ok"  # in _build/: the last build finished and succeeded
PREFILL_STAMP = "compendium-prefill.stamp"  # in the cache folder: every chapter was cached for this state
LOGS = "logs"  # in _build/: <chapter>.log for each chapter that failed, book.log for the jupyter-book step
BOOK_STEP = "book"
# What a build folder that cannot be written reports midway (no space, no permission, read-only)
UNWRITABLE = {errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC)}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Sphinx's "path:line: WARNING: message" lines (the kernels' "[IPKernelApp] WARNING |" lines are not)
SPHINX_PROBLEM = re.compile(r"^(?:(?P<file>[^\s:][^:]*?)(?::\d+)?: )?(?:WARNING|ERROR|CRITICAL|SEVERE): ", re.M)

REPOSITORY_ENV = "COMPENDIUM_REPOSITORY_URL"
BINDERHUB_URL = "https://mybinder.org"


def launch_config(root: Path, repository_url: str, out: Path) -> Path:
    """Write ``root``/_config.yml plus a repository link and a Binder launch button to ``out``; return it.

    The repository is only known where the book is published (CI sets COMPENDIUM_REPOSITORY_URL);
    Binder builds the environment from requirements.txt at the repository's root."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": repository_url, "branch": "main"}
    config["html"] = {**config.get("html", {}), "use_repository_button": True}
    config["launch_buttons"] = {**config.get("launch_buttons", {}), "binderhub_url": BINDERHUB_URL,
                                "notebook_interface": "jupyterlab"}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return out


def build_command(root: Path = paths.ROOT, path_output: Path | None = None) -> list[str]:
    """Return the jupyter-book command that builds the HTML book with warnings as errors
    (with a Binder button when COMPENDIUM_REPOSITORY_URL names the published repository)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "--warningiserror", "--nitpick", "--keep-going"]
    repository = os.environ.get(REPOSITORY_ENV, "").strip()
    if repository:
        config = launch_config(root, repository, (path_output or root) / "_build" / "_config.launch.yml")
        command += ["--config", str(config)]
    return command + (["--path-output", str(path_output)] if path_output else [])


def build_dir(root: Path = paths.ROOT, path_output: Path | None = None) -> Path:
    """Return the _build folder of a build."""
    return (path_output or root) / "_build"


def cache_dir(root: Path, path_output: Path | None = None) -> Path:
    """Return the jupyter-cache folder the build uses."""
    return build_dir(root, path_output) / ".jupyter_cache"


def logs_dir(root: Path = paths.ROOT, path_output: Path | None = None) -> Path:
    """Return the folder that holds the last build's logs."""
    return build_dir(root, path_output) / LOGS


def log_command(name: str, root: Path = paths.ROOT, path_output: Path | None = None) -> str:
    """Return the command that prints the last build's log ``name`` (a chapter, or ``book``; "" for all)."""
    folder = build_dir(root, path_output)
    where = "" if folder.resolve() == paths.BUILD_DIR.resolve() else f" --build-dir {folder}"
    return f"python -m compendium log{' ' + name if name else ''}{where}"


def chapter_notebook(source: Path, root: Path):
    """Return the chapter as myst-nb will read it: MyST text with its inputs digest in its kernelspec."""
    from myst_nb.core.read import read_myst_markdown_notebook

    from compendium.book.cachekey import chapter_digest, with_digest

    text = with_digest(source.read_text(encoding="utf-8"), chapter_digest(source, root))
    return read_myst_markdown_notebook(text, add_source_map=True, path=str(source))


def uncached_chapters(root: Path, cache) -> list[tuple[Path, object]]:
    """Return (source, notebook) for every chapter whose outputs the cache does not hold."""
    from compendium.book.params import toc_chapters

    todo = []
    for source in toc_chapters(root).values():
        notebook = chapter_notebook(source, root)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((source, notebook))
    return todo


def prefill_state(root: Path) -> str:
    """Return a digest of everything the chapters' cache keys depend on: each chapter and its inputs."""
    from compendium.book.cachekey import chapter_digest
    from compendium.book.params import toc_chapters

    h = hashlib.sha256()
    for source in toc_chapters(root).values():
        h.update(source.read_bytes())
        h.update(chapter_digest(source, root).encode())
    return h.hexdigest()


# --- what a build that did not finish leaves behind ----------------------------------------------


def repair_cache(folder: Path) -> int:
    """Remove the cache records whose notebook is missing or not completely written (a process
    stopped between jupyter-cache's record and its file); return how many. A cache that cannot be
    opened at all is removed whole, so its chapters are executed again."""
    if not (folder / "global.db").exists():
        return 0
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbCacheRecord

    try:
        cache = get_cache(str(folder))
        records = cache.list_cache_records()
    except Exception:  # noqa: BLE001 - an unreadable database: start the cache afresh
        shutil.rmtree(folder, ignore_errors=True)
        return 1
    broken = []
    for record in records:
        path = cache._get_notebook_path_cache(record.hashkey)
        try:
            nbformat.reads(path.read_text(encoding="utf-8"), nbformat.NO_CONVERT)
        except Exception:  # noqa: BLE001 - missing, cut short or not a notebook
            broken.append(record.pk)
            shutil.rmtree(path.parent, ignore_errors=True)
    if broken:
        NbCacheRecord.remove_records(broken, cache.db)
    return len(broken)


def recover(root: Path, path_output: Path | None, say) -> None:
    """Make the build folder of a build that did not finish safe to build on: mend the execution
    cache, forget the prefill stamp, and drop Sphinx's saved state (kept chapters stay executed)."""
    folder = build_dir(root, path_output)
    cache = cache_dir(root, path_output)
    doctrees = folder / ".doctrees"
    if not cache.exists() and not doctrees.exists():
        return  # a first build, or one stopped before it executed anything
    say("the last build did not finish: checking the execution cache; every page is read again")
    removed = repair_cache(cache)
    if removed:
        say(f"removed {removed} cache record(s) that were not completely written")
    (cache / PREFILL_STAMP).unlink(missing_ok=True)
    shutil.rmtree(doctrees, ignore_errors=True)


# --- executing the chapters ahead of the build ----------------------------------------------------


@dataclass
class ChapterFailure:
    """A chapter that failed while executed ahead of the build: what went wrong and where its log is."""

    chapter: str
    summary: str
    log: Path


def failing_cell(notebook, source: Path | None = None) -> str:
    """Return where an executed notebook failed: "code cell N, line L: first line" for its first code
    cell with an error output (L, the line of the cell's fence in ``source``, when it can be found)."""
    from compendium.book.cachekey import _CODE_CELL

    code = [c for c in notebook.cells if c.get("cell_type") == "code"]
    for index, cell in enumerate(code, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            where = f"code cell {index}"
            if source is not None and source.is_file():
                text = source.read_text(encoding="utf-8")
                fences = list(_CODE_CELL.finditer(text))
                if len(fences) == len(code):
                    where += f", line {text[: fences[index - 1].start()].count(chr(10)) + 1}"
            lines = [line for line in cell.get("source", "").splitlines() if line.strip()]
            return where + (f": {lines[0].strip()}" if lines else "")
    return ""


def chapter_failure(source: Path, notebook, error: BaseException, text: str, logs: Path) -> ChapterFailure:
    """Write the chapter's log (the error, the cell and the kernel's traceback) and return the failure."""
    from nbclient.exceptions import CellExecutionError

    name = getattr(error, "ename", None) or type(error).__name__
    value = getattr(error, "evalue", None)
    if value is None:
        lines = str(error).strip().splitlines()
        value = lines[-1] if lines else ""
    cell = failing_cell(notebook, source) if notebook is not None else ""
    summary = f"{name}: {value}" + (f" ({cell})" if cell else "")
    # a failing cell's own message holds the cell and the kernel's traceback; anything else, ours
    detail = str(error) if isinstance(error, CellExecutionError) else text
    log = logs / f"{source.stem}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"chapter {source} failed: {summary}\n\n{ANSI.sub('', detail).strip()}\n", encoding="utf-8")
    return ChapterFailure(source.stem, summary, log)


def prefill_cache(root: Path = paths.ROOT, path_output: Path | None = None, jobs: int = DEFAULT_JOBS,
                  failures: list[ChapterFailure] | None = None, say=None) -> int:
    """Execute the uncached chapters ``jobs`` at a time into the build's cache; return how many ran.

    A chapter that fails is left out of the cache and added to ``failures`` with its log. On
    Ctrl-C the chapters not yet started are dropped, the running kernels are stopped at once, and
    the chapters that finished stay cached."""
    say = say or _stderr
    failures = [] if failures is None else failures
    folder = cache_dir(root, path_output)
    stamp = folder / PREFILL_STAMP
    state = prefill_state(root)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == state:
        return 0  # nothing the cache keys depend on changed since every chapter was cached
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient

    from compendium.book.kernels import Kernels

    cache = get_cache(str(folder))
    todo = uncached_chapters(root, cache)
    if todo:
        say(f"executing {len(todo)} chapter(s), {max(1, jobs)} at a time ...")
    with Kernels() as kernels:
        manager = kernels.manager_class()

        def execute(item):
            """Execute one chapter in place, as jupyter-cache's executor does; return what happened."""
            source, notebook = item
            start = time.perf_counter()
            client = NotebookClient(notebook, timeout=EXECUTION_TIMEOUT, allow_errors=False, record_timing=False,
                                    resources={"metadata": {"path": str(source.parent)}},
                                    kernel_manager_class=manager)
            error, text = None, ""
            try:
                client.execute()
            except Exception as exc:  # noqa: BLE001 - a failing cell, a timeout, a kernel that died
                error, text = exc, traceback.format_exc()
            finally:
                # nbclient leaves this hook registered when a kernel dies while starting; it would fail at exit
                atexit.unregister(client._cleanup_kernel)
            return source, notebook, error, text, time.perf_counter() - start

        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        try:
            pending = {pool.submit(execute, item) for item in todo}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    source, notebook, error, text, seconds = future.result()
                    if error is None:
                        # the same record myst-nb writes after executing a notebook itself; a Ctrl-C
                        # waits until both the record and its notebook file are written
                        with _deferred_interrupt():
                            cache.cache_notebook_bundle(
                                CacheBundleIn(notebook, str(source), data={"execution_seconds": seconds}),
                                check_validity=False,
                                overwrite=True,
                            )
                        say(f"executed {source.name} in {seconds:.1f} s")
                    else:
                        failure = chapter_failure(source, notebook, error, text, logs_dir(root, path_output))
                        failures.append(failure)
                        say(f"chapter {source.name} failed after {seconds:.1f} s: {failure.summary}")
        except BaseException:
            kernels.stop_all()  # nothing new starts, and every running chapter fails at once
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    if not failures:
        stamp.write_text(state, encoding="utf-8")
    return len(todo)


# --- the build --------------------------------------------------------------------------------------


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextmanager
def _deferred_interrupt():
    """Hold a Ctrl-C (or SIGTERM) until the block has finished, then raise KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    names = [name for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)]
    previous = {}
    for name in names:
        number = getattr(signal, name)
        if signal.getsignal(number) not in (signal.SIG_IGN, None):
            previous[number] = signal.signal(number, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            raise KeyboardInterrupt


@contextmanager
def _terminate_as_interrupt():
    """While building, a SIGTERM stops the build as Ctrl-C does (kernels stopped, state kept)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_book_step(command: list[str], root: Path, log: Path, capture: bool) -> tuple[int, str]:
    """Run jupyter-book, its output copied line by line to ``log`` and (unless ``capture``) to stdout;
    return its exit status and its whole output."""
    env = dict(os.environ)
    if not capture and sys.stdout.isatty():
        env.setdefault("FORCE_COLOR", "1")  # Sphinx colours only a terminal, and it now writes to a pipe
    lines: list[str] = []
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out, subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, encoding="utf-8", errors="replace", bufsize=1,
    ) as process:
        try:
            for line in process.stdout:
                lines.append(line)
                out.write(ANSI.sub("", line))
                if not capture:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            process.wait()
        except BaseException:
            try:
                process.wait(timeout=2)  # a Ctrl-C reached jupyter-book too: let it stop by itself
            except subprocess.TimeoutExpired:
                process.kill()
            raise
    return process.returncode, "".join(lines)


def book_failure(output: str, returncode: int) -> str:
    """Return what went wrong in the jupyter-book step, from its output."""
    problems = [m for m in SPHINX_PROBLEM.finditer(ANSI.sub("", output))]
    files = list(dict.fromkeys(Path(m["file"]).name for m in problems if m["file"]))
    if problems:
        where = f" in {', '.join(files[:3])}" + (f" and {len(files) - 3} more" if len(files) > 3 else "") if files else ""
        return f"{len(problems)} warning(s) or error(s){where}"
    return f"jupyter-book exited with status {returncode}"


def build_book(root: Path = paths.ROOT, capture: bool = False, path_output: Path | None = None,
               jobs: int = DEFAULT_JOBS) -> subprocess.CompletedProcess:
    """Build the book under ``root`` (or ``path_output``)/_build/html; return the finished process,
    with ``prefilled`` set to the number of chapters executed ahead of the build and ``failure``
    to the last line printed when the build failed (None when it succeeded).

    Our own lines go to stderr (and, with ``capture``, into the result's ``stderr``); jupyter-book's
    output goes to stdout (or into the result's ``stdout``) and to ``_build/logs/book.log``.
    On Ctrl-C (or SIGTERM) the kernels are stopped, one line says so, and KeyboardInterrupt is raised."""
    ours: list[str] = []

    def say(line: str) -> None:
        ours.append(line)
        _stderr(line)

    folder = build_dir(root, path_output)
    ok_mark = folder / OK_MARK
    step = "preparing the build folder"
    failures: list[ChapterFailure] = []
    prefilled = 0
    try:
        with _terminate_as_interrupt():
            from compendium.io import writable_folder

            writable_folder(folder, "the build folder")  # one message naming it and why, before anything else
            finished_last_time = ok_mark.exists()
            ok_mark.unlink(missing_ok=True)
            if not finished_last_time:
                recover(root, path_output, say)
            shutil.rmtree(logs_dir(root, path_output), ignore_errors=True)  # the logs describe the last build
            # Jupyter Book adds every script in _static/ to every page; the bundle must exist first.
            step = "writing the Vega bundle"
            write_vega_bundle(root / "_static")
            step = "executing the chapters"
            prefilled = prefill_cache(root, path_output, jobs, failures, say)
            if failures:
                if len(failures) == 1:
                    first = failures[0]
                    line = (f"error: the build stopped: chapter {first.chapter} failed: {first.summary};"
                            f" see its log: {log_command(first.chapter, root, path_output)}")
                else:
                    names = ", ".join(f.chapter for f in failures)
                    line = (f"error: the build stopped: {len(failures)} chapters failed ({names});"
                            f" see their logs: {log_command('', root, path_output)}")
                say(line)
                result = subprocess.CompletedProcess(["prefill"], 1, "" if capture else None,
                                                     "\n".join(ours) + "\n" if capture else None)
            else:
                step = "running jupyter-book build"
                command = build_command(root, path_output)
                returncode, output = run_book_step(command, root, logs_dir(root, path_output) / f"{BOOK_STEP}.log", capture)
                result = subprocess.CompletedProcess(command, returncode, output if capture else None, None)
                if returncode == 0:
                    ok_mark.write_text("the last build finished and succeeded\n", encoding="utf-8")
                else:
                    line = (f"error: the build failed at the jupyter-book step: {book_failure(output, returncode)};"
                            f" see its log: {log_command(BOOK_STEP, root, path_output)}")
                    say(line)
                if capture:
                    result.stderr = "\n".join(ours) + ("\n" if ours else "")
    except KeyboardInterrupt:
        say(f"interrupted while {step}; nothing to clean up: the next build keeps every chapter that finished")
        raise
    except OSError as exc:
        from compendium.io import FolderError

        if isinstance(exc, FolderError) or exc.errno not in UNWRITABLE:
            raise
        raise FolderError(folder, exc, "the build folder") from exc
    result.prefilled = prefilled
    result.failure = ours[-1] if result.returncode != 0 and ours else None
    return result
