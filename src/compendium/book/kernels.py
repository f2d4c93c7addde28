"""The kernels that execute chapters, for the build and for reruns.

Where the platform has them (Linux, macOS), a kernel talks to us over IPC sockets: files in a
temporary folder of our own, outside the project, removed when the kernels stop. Over IPC the
kernel has no cause to print "Kernel is running over TCP without encryption", which it otherwise
prints for every chapter. Elsewhere (Windows) it runs over TCP and exactly that one notice is
dropped from its stderr; every other line it writes there passes through.

Jupyter starts each kernel in a session of its own, so a Ctrl-C in the terminal never reaches it:
``Kernels.stop_all`` stops every kernel started through it, and a kernel whose parent dies without
stopping it (a killed build) exits by itself within about a second (ipykernel's parent poller).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

# The notice ipykernel logs at start-up when its transport is TCP without CurveZMQ keys.
TCP_NOTICE = "Kernel is running over TCP without encryption."
# The temporary folders that hold the IPC sockets: <prefix><pid of the process that started the kernels>-<random>
SOCKET_FOLDER_PREFIX = "compendium-kernels-"


def remove_stale_socket_folders() -> None:
    """Remove the socket folders that processes no longer running left behind (a killed build)."""
    if os.name != "posix":
        return  # IPC sockets are used on POSIX only (and os.kill(pid, 0) would end a process on Windows)
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_FOLDER_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_FOLDER_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # running, or not ours to check


def ipc_available() -> bool:
    """Return whether kernels can use the IPC transport here (POSIX with a libzmq that has it)."""
    import zmq

    return os.name == "posix" and bool(zmq.has("ipc"))


def forward_without_notice(stream: IO[bytes], target: IO[str] | None) -> None:
    """Copy ``stream`` line by line to ``target`` (default: this process's stderr), leaving out the TCP notice."""
    with stream:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            if TCP_NOTICE in line:
                continue
            out = target if target is not None else sys.stderr
            try:
                out.write(line)
                out.flush()
            except (OSError, ValueError):  # a closed log: the rest of the kernel's stderr has nowhere to go
                pass


class Kernels:
    """Start kernels over IPC (or TCP without the notice) and keep track of them; a context manager.

    ``manager_class(stderr)`` is the ``kernel_manager_class`` to give nbclient or papermill;
    ``stderr`` is an open text file for the kernel's own stderr (None: this process's stderr).
    Leaving the context stops every kernel still running and removes the socket folder.
    """

    def __init__(self, transport: str | None = None):
        self.transport = transport or ("ipc" if ipc_available() else "tcp")
        self.folder: Path | None = None
        self._managers: list = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self.closed = False  # set by stop_all: a kernel that starts afterwards is stopped at once

    def __enter__(self) -> Kernels:
        if self.transport == "ipc":
            remove_stale_socket_folders()
            # short and outside the project: a socket path must stay under about 100 characters
            self.folder = Path(tempfile.mkdtemp(prefix=f"{SOCKET_FOLDER_PREFIX}{os.getpid()}-"))
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def manager_class(self, stderr: IO[str] | None = None) -> type:
        """Return an AsyncKernelManager class whose kernels use this set's transport and are tracked."""
        from jupyter_client.manager import AsyncKernelManager

        owner = self

        class ChapterKernelManager(AsyncKernelManager):
            def __init__(self, **kw):
                if owner.transport == "ipc":
                    kw.setdefault("transport", "ipc")
                    # one prefix per kernel: socket names are chosen by which files exist, which
                    # two kernels starting at once in one folder could both see as free
                    kw.setdefault("ip", str(owner.folder / f"k{next(owner._numbers)}"))
                super().__init__(**kw)

            async def start_kernel(self, **kw):
                if owner.transport == "tcp":
                    kw["stderr"] = subprocess.PIPE
                elif stderr is not None:
                    kw.setdefault("stderr", stderr)
                with owner._lock:
                    if owner.closed:
                        raise RuntimeError("the kernels are being stopped")
                    owner._managers.append(self)
                result = await super().start_kernel(**kw)
                process = getattr(self.provisioner, "process", None)
                if owner.closed:  # stop_all ran while this kernel was starting
                    owner.stop_all()
                if owner.transport == "tcp" and process is not None and process.stderr is not None:
                    threading.Thread(target=forward_without_notice, args=(process.stderr, stderr), daemon=True).start()
                return result

        return ChapterKernelManager

    def pids(self) -> list[int]:
        """Return the process ids of the kernels started through this set that are still running."""
        with self._lock:
            managers = list(self._managers)
        processes = [getattr(m.provisioner, "process", None) for m in managers if m.provisioner is not None]
        return [p.pid for p in processes if p is not None and p.poll() is None]

    def stop_all(self) -> None:
        """Kill every kernel of this set that is still running (their clients then fail at once);
        a kernel that starts afterwards is killed as soon as it has started."""
        with self._lock:
            self.closed = True
            managers = list(self._managers)
        for manager in managers:
            process = getattr(manager.provisioner, "process", None) if manager.provisioner is not None else None
            if process is not None and process.poll() is None:
                try:
                    process.kill()
                    process.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
