"""Building the book: the one build that the Makefile, the tests, the benchmark and CI all use.

myst-nb executes a book's notebooks one after another. Here the chapters whose outputs are not yet
in the execution cache are first executed several at once, each in an ordinary kernel driven by
nbclient from a thread, and stored in that same cache under the key myst-nb will look for; then
Jupyter Book builds the HTML and reads them from the cache. A chapter that fails here is left out of
the cache, so the build executes it again and reports its error as usual. Threads and kernel
subprocesses only: the same on Linux, macOS and Windows, and a script without a main guard works.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from compendium import paths
from compendium.book.bundle import write_vega_bundle

EXECUTION_TIMEOUT = 600  # seconds per cell, as execute.timeout in _config.yml
# A kernel spends part of its time waiting on messages, so a few more than the cores keep them busy.
DEFAULT_JOBS = (os.cpu_count() or 1) + 1


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


def cache_dir(root: Path, path_output: Path | None = None) -> Path:
    """Return the jupyter-cache folder the build uses."""
    return (path_output or root) / "_build" / ".jupyter_cache"


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


def prefill_cache(root: Path = paths.ROOT, path_output: Path | None = None, jobs: int = DEFAULT_JOBS) -> int:
    """Execute the uncached chapters ``jobs`` at a time into the build's cache; return how many ran."""
    folder = cache_dir(root, path_output)
    stamp = folder / "compendium-prefill.stamp"
    state = prefill_state(root)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == state:
        return 0  # nothing the cache keys depend on changed since every chapter was cached
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    cache = get_cache(str(folder))
    todo = uncached_chapters(root, cache)

    def execute(item) -> tuple[Path, object, object]:
        source, notebook = item
        start = time.perf_counter()
        result = single_nb_execution(notebook, cwd=str(source.parent), timeout=EXECUTION_TIMEOUT, allow_errors=False)
        print(f"executed {source.name} in {time.perf_counter() - start:.1f} s"
              + (f" (failed: {type(result.err).__name__}; the build will report it)" if result.err else ""),
              file=sys.stderr, flush=True)
        return source, notebook, result

    failed = 0
    if todo:
        print(f"executing {len(todo)} chapter(s), {max(1, jobs)} at a time ...", file=sys.stderr, flush=True)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for source, notebook, result in pool.map(execute, todo):
                if result.err is None:
                    # the same record myst-nb writes after executing a notebook itself
                    cache.cache_notebook_bundle(
                        CacheBundleIn(notebook, str(source), data={"execution_seconds": result.time}),
                        check_validity=False,
                        overwrite=True,
                    )
                else:
                    failed += 1
    if not failed:
        stamp.write_text(state, encoding="utf-8")
    return len(todo)


def build_book(root: Path = paths.ROOT, capture: bool = False, path_output: Path | None = None,
               jobs: int = DEFAULT_JOBS) -> subprocess.CompletedProcess:
    """Build the book under ``root`` (or ``path_output``)/_build/html; return the finished process,
    with ``prefilled`` set to the number of chapters executed ahead of the build."""
    # Jupyter Book adds every script in _static/ to every page; the bundle must exist first.
    write_vega_bundle(root / "_static")
    prefilled = prefill_cache(root, path_output, jobs) if jobs > 1 else 0  # jobs 1: myst-nb executes them
    output = subprocess.PIPE if capture else None
    command = build_command(root, path_output)
    result = subprocess.run(command, cwd=root, text=True, stdout=output, stderr=output, check=False)
    result.prefilled = prefilled
    return result
