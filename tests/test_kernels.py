"""Kernels for the build and reruns: IPC sockets outside the project (or TCP without the one notice),
and every kernel stopped at once when a build is interrupted (issue 16)."""

from __future__ import annotations

import io
import os
import threading
import time

import nbformat
import pytest

from compendium.book.kernels import TCP_NOTICE, Kernels, forward_without_notice, ipc_available

NOTICE_LINE = (f"[IPKernelApp] WARNING | {TCP_NOTICE} All communication (including code and outputs) is sent "
               "in plain text and is susceptible to eavesdropping.\n")


def test_only_the_tcp_notice_is_dropped_from_a_kernels_stderr():
    read, write = os.pipe()
    with os.fdopen(write, "wb") as pipe:
        pipe.write(b"[IPKernelApp] WARNING | a real warning\n" + NOTICE_LINE.encode() + b"last line\n")
    target = io.StringIO()
    forward_without_notice(os.fdopen(read, "rb"), target)
    assert target.getvalue() == "[IPKernelApp] WARNING | a real warning\nlast line\n"


def tiny_notebook(*cells: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, kernels: Kernels, cwd, log, **kw):
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(cwd)}},
                            kernel_manager_class=kernels.manager_class(stderr=log), **kw)
    return client.execute()


@pytest.mark.chapters
@pytest.mark.skipif(not ipc_available(), reason="IPC sockets are POSIX only; elsewhere kernels use TCP")
def test_kernels_talk_over_ipc_sockets_in_a_folder_of_their_own(tmp_path):
    cwd, log_path = tmp_path / "chapter", tmp_path / "kernel.log"
    cwd.mkdir()
    seen = {}
    with log_path.open("w", encoding="utf-8") as log, Kernels() as kernels:
        assert kernels.transport == "ipc" and kernels.folder.is_dir() and not kernels.folder.is_relative_to(tmp_path)
        nb = tiny_notebook(f"import os\nprint(sorted(os.listdir({str(kernels.folder)!r})))", "print(6 * 7)")
        execute(nb, kernels, cwd, log)
        seen["folder"] = kernels.folder
    # the kernel's five channels are sockets in that folder
    assert nb.cells[0].outputs[0]["text"] == str([f"k1-{n}" for n in range(1, 6)]) + "\n"
    assert nb.cells[1].outputs[0]["text"] == "42\n"
    assert TCP_NOTICE not in log_path.read_text(encoding="utf-8")
    assert not seen["folder"].exists()  # the sockets' folder goes with the kernels
    assert list(cwd.iterdir()) == []  # nothing next to the chapter


@pytest.mark.chapters
def test_over_tcp_the_notice_alone_is_dropped(tmp_path):
    log_path = tmp_path / "kernel.log"
    with log_path.open("w", encoding="utf-8") as log, Kernels(transport="tcp") as kernels:
        nb = tiny_notebook("print(6 * 7)")
        # at INFO the kernel logs a line just before the notice: it must come through
        execute(nb, kernels, tmp_path, log, extra_arguments=["--IPKernelApp.log_level=INFO"])
        time.sleep(0.5)  # the kernel's stderr is forwarded by a thread until the kernel exits
    text = log_path.read_text(encoding="utf-8")
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert "Starting the kernel at pid" in text and TCP_NOTICE not in text


@pytest.mark.chapters
def test_stop_all_ends_a_running_chapter_at_once(tmp_path):
    errors = []
    with Kernels() as kernels:
        def run():
            try:
                execute(tiny_notebook("import time\ntime.sleep(120)"), kernels, tmp_path, None)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while not kernels.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        pids = kernels.pids()
        assert pids
        time.sleep(1)
        start = time.monotonic()
        kernels.stop_all()
        thread.join(30)
        assert not thread.is_alive() and time.monotonic() - start < 30
        assert errors  # the chapter failed; it did not run on for two minutes
        assert kernels.pids() == []
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
