"""Chapter kernels forked from the warm fork server behave as ordinary kernels do."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_cache.executors.utils import single_nb_execution

from compendium import kernels, paths
from compendium.book import EXECUTION_TIMEOUT, chapter_notebook
from compendium.params import toc_chapters

pytestmark = pytest.mark.skipif(not kernels.forking_available(), reason="no fork server on this platform")


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb: nbformat.NotebookNode, forked: bool, cwd=paths.ROOT / "chapters") -> nbformat.NotebookNode:
    """Execute ``nb`` in place in a forked kernel or, with forking switched off, an ordinary one."""
    os.environ[kernels.SWITCH_ENV] = "1" if forked else "0"
    try:
        result = single_nb_execution(nb, cwd=str(cwd), timeout=EXECUTION_TIMEOUT, allow_errors=False,
                                     kernel_manager_class=kernels.ForkingKernelManager)
    finally:
        os.environ.pop(kernels.SWITCH_ENV, None)
    assert result.err is None, result.exc_string
    return nb


def value(nb: nbformat.NotebookNode, cell: int):
    """The Python value a cell's result printed as its repr."""
    return ast.literal_eval(nb.cells[cell].outputs[0]["data"]["text/plain"])


PROBE = (
    "import os, sys",
    "os.getpid(), os.getppid(), os.getcwd() == os.path.realpath(sys.path[0])",
    "sorted(k for k in globals() if not k.startswith('_'))",
    "'compendium.warm' in sys.modules",
)


def test_forked_kernel_is_its_own_process_with_a_fresh_namespace():
    forked = execute(notebook(*PROBE), forked=True)
    ordinary = execute(notebook(*PROBE), forked=False)
    pid, parent, cwd_on_path = value(forked, 1)
    assert pid != os.getpid() and parent != os.getpid()  # forked by the fork server, not by this process
    assert cwd_on_path  # the chapter's folder comes first on sys.path, as with `python -m ipykernel_launcher`
    assert value(forked, 3) is True  # started warm
    ordinary_pid, ordinary_parent, _ = value(ordinary, 1)
    assert ordinary_parent == os.getpid() and value(ordinary, 3) is False
    assert value(forked, 2) == value(ordinary, 2)  # the same names, and nothing left by the warm-up


def test_forked_kernels_share_no_state():
    execute(notebook("import compendium.theme as t", "t.INK = 'changed'; leftover = 1"), forked=True)
    later = execute(notebook("import compendium.theme as t", "t.INK, 'leftover' in globals()"), forked=True)
    assert value(later, 1) == ("#1f2933", False)


def test_kernel_process_is_gone_after_the_notebook(tmp_path):
    nb = execute(notebook("import os", "os.getpid()"), forked=True)
    pid = value(nb, 1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"kernel {pid} still runs after its notebook finished")


def test_interrupt_reaches_a_forked_kernel():
    async def interrupted_reply() -> dict:
        km = kernels.ForkingKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(paths.ROOT))
        assert isinstance(km.provisioner.process, kernels.ForkedProcess)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            await km.interrupt_kernel()
            while True:
                reply = await kc.get_shell_msg(timeout=20)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    start = time.monotonic()
    content = asyncio.run(interrupted_reply())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("chapter", ["peace-security", "methods"])
def test_chapter_outputs_are_the_same_as_from_an_ordinary_kernel(chapter):
    source = toc_chapters(paths.ROOT)[chapter]
    outputs = []
    for forked in (True, False):
        nb = execute(chapter_notebook(source, paths.ROOT), forked=forked, cwd=source.parent)
        outputs.append([cell.get("outputs", []) for cell in nb.cells])
    assert outputs[0] == outputs[1]


def chapter_imports() -> set[str]:
    """Every compendium module a chapter's code imports."""
    import jupytext

    modules = set()
    for source in toc_chapters(paths.ROOT).values():
        for cell in jupytext.read(source).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("compendium"):
                    if node.module == "compendium":
                        modules |= {f"compendium.{alias.name}" for alias in node.names}
                    else:
                        modules.add(node.module)
                elif isinstance(node, ast.Import):
                    modules |= {a.name for a in node.names if a.name.startswith("compendium")}
    return modules


def test_warm_up_imports_every_module_a_chapter_imports_and_validates_the_data():
    probe = (
        "import json, sys, compendium.warm\n"
        "from compendium import data\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'validated': data._checked_cached.cache_info().currsize}))"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout)
    needed = chapter_imports()
    assert len(needed) >= 10  # the parse found the chapters' imports
    assert needed <= set(out["modules"]), sorted(needed - set(out["modules"]))
    assert {"ipykernel.kernelapp", "pandas", "altair"} <= set(out["modules"])
    assert out["validated"] == 1


@pytest.mark.parametrize("setting, expected", [("0", False), ("off", False), ("1", True), ("", True)])
def test_forking_can_be_switched_off(monkeypatch, setting, expected):
    monkeypatch.setenv(kernels.SWITCH_ENV, setting)
    assert kernels.forking_available() is expected


def test_a_kernel_forked_after_the_code_changed_imports_it_afresh():
    probe = (
        "import sys, compendium.warm\n"
        "from compendium.kernels import forget_changed_code\n"
        "unchanged = forget_changed_code(compendium.warm.IMPORTED_CODE)\n"
        "changed = forget_changed_code(())\n"
        "print(unchanged, changed, any(n.split('.')[0] == 'compendium' for n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "True", "False"]


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to see a process's files")
def test_a_forked_kernel_writes_its_stderr_where_the_manager_says(tmp_path):
    log_path = tmp_path / "kernel.log"

    async def open_files() -> set[str]:
        with log_path.open("w") as log:
            km = kernels.ForkingKernelManager(kernel_name="python3")
            await km.start_kernel(cwd=str(paths.ROOT), stderr=log)  # what the runner passes
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=60)
                fds = Path(f"/proc/{km.provisioner.pid}/fd")
                return {os.path.realpath(fd) for fd in fds.iterdir()}
            finally:
                kc.stop_channels()
                await km.shutdown_kernel(now=True)

    assert str(log_path.resolve()) in asyncio.run(open_files())
