"""Building the book: the one build that the Makefile, the tests, the benchmark and CI all use.

myst-nb executes a book's notebooks one after another. Here, while Sphinx starts up, the chapters
whose outputs are not yet in the execution cache are executed several at once, each in its own
kernel (forked warm, see ``kernels``), and stored in that same cache under the key myst-nb will
look for; Sphinx waits for them (``sphinx_ext``) and then reads them from the cache. A chapter
that fails here is left out of the cache, so the build executes it again and reports its error
as usual.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import paths
from .bundle import write_vega_bundle

EXECUTION_TIMEOUT = 600  # seconds per cell, as execute.timeout in _config.yml
# A chapter's kernel spends part of its time waiting (messages, the shared renderer), so two per
# core keep the cores busy: on two cores a clean build took 7.8 s with 2 at once, 6.8-7.2 s with
# 3, 4 or 7.
DEFAULT_JOBS = 2 * (os.cpu_count() or 1)


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
    """Return the chapter as myst-nb will read it: MyST text with the inputs digest in its kernelspec."""
    from myst_nb.core.read import read_myst_markdown_notebook

    from .sphinx_ext import inputs_digest, with_inputs_digest

    text = with_inputs_digest(source.read_text(encoding="utf-8"), inputs_digest(root))
    return read_myst_markdown_notebook(text, add_source_map=True, path=str(source))


def uncached_chapters(root: Path, cache) -> list[tuple[Path, object]]:
    """Return (source, notebook) for every chapter whose outputs the cache does not hold."""
    from .params import toc_chapters

    todo = []
    for source in toc_chapters(root).values():
        notebook = chapter_notebook(source, root)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((source, notebook))
    return todo


def prefill_state(root: Path) -> str:
    """Return a digest of everything a chapter's cache key depends on: the inputs and every chapter file."""
    from .params import toc_chapters
    from .sphinx_ext import inputs_digest

    h = hashlib.sha256(inputs_digest(root).encode())
    for source in toc_chapters(root).values():
        h.update(source.read_bytes())
    return h.hexdigest()


def prefill_cache(root: Path = paths.ROOT, path_output: Path | None = None, jobs: int = DEFAULT_JOBS) -> int:
    """Execute the uncached chapters ``jobs`` at a time into the build's cache; return how many ran.

    Each chapter runs in its own kernel, forked from a warm fork server where that is possible
    (``kernels``), and the kernels share one chart renderer (``svgservice``)."""
    folder = cache_dir(root, path_output)
    stamp = folder / "compendium-prefill.stamp"
    state = prefill_state(root)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == state:
        return 0  # nothing the cache key depends on changed since every chapter was cached
    from . import kernels
    from .svgservice import svg_server

    kernels.start_fork_server()  # it warms up while the cache is checked
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    cache = get_cache(str(folder))
    todo = uncached_chapters(root, cache)

    def execute(item) -> tuple[Path, object, object]:
        source, notebook = item
        start = time.perf_counter()
        result = single_nb_execution(notebook, cwd=str(source.parent), timeout=EXECUTION_TIMEOUT, allow_errors=False,
                                     kernel_manager_class=kernels.ForkingKernelManager)
        print(f"executed {source.name} in {time.perf_counter() - start:.1f} s"
              + (f" (failed: {type(result.err).__name__}; the build will report it)" if result.err else ""),
              file=sys.stderr, flush=True)
        return source, notebook, result

    failed = 0
    if todo:
        with svg_server(kernels.process_context()), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
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
    with ``prefilled`` set to the number of chapters executed ahead of the build.

    Sphinx starts at once, alongside the chapters' execution, and waits for it to finish
    (``sphinx_ext``) before it reads any page: its own start-up overlaps the kernels'."""
    # Jupyter Book adds every script in _static/ to every page; the bundle must exist first.
    write_vega_bundle(root / "_static")
    output = subprocess.PIPE if capture else None
    command = build_command(root, path_output)
    if jobs <= 1:  # myst-nb executes the chapters itself, one after another
        result = subprocess.run(command, cwd=root, text=True, stdout=output, stderr=output, check=False)
        result.prefilled = 0
        return result
    from .sphinx_ext import WAIT_ENV

    wait_read, wait_write = os.pipe()
    process = subprocess.Popen(command, cwd=root, text=True, stdout=output, stderr=output,
                               env={**os.environ, WAIT_ENV: str(wait_read)}, pass_fds=(wait_read,))
    os.close(wait_read)
    try:
        prefilled = prefill_cache(root, path_output, jobs)
        os.write(wait_write, b"1")  # the chapters are in the cache: Sphinx may read them
    except BaseException:
        process.kill()
        process.communicate()
        raise
    finally:
        os.close(wait_write)
    stdout, stderr = process.communicate()
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    result.prefilled = prefilled
    return result
