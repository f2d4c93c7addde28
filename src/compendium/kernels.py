"""Chapter kernels forked from a warm parent, so a build pays the start-up of Python once.

Each chapter still runs in its own new IPython kernel process, started from a clean namespace and
spoken to over the Jupyter protocol by nbclient, exactly as myst-nb would run it. The only
difference is how the process comes to be: instead of a fresh interpreter that imports ipykernel,
pandas, Altair, frictionless and this package again (about a second of CPU per chapter), it is
forked from a stdlib ``multiprocessing`` fork server that imported them once and validated the
data tables once (``data.load_tables`` keeps that result while no data file changes, as it does
within any one kernel). Nothing a chapter computes is shared: the fork server never runs
chapter code, and each kernel starts from its own copy of that warmed-up process.

Where forking is unavailable (Windows) or switched off with ``COMPENDIUM_FORK_KERNELS=0``, and for
any kernel that is not this interpreter's ipykernel, kernels start the usual way.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.reduction
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

SWITCH_ENV = "COMPENDIUM_FORK_KERNELS"
# What a chapter imports, imported once in the fork server (modules that fail to import are skipped).
PRELOAD = ["compendium.warm"]


def forking_available() -> bool:
    """Return True when kernels can be forked here: a fork server exists and the switch is not off."""
    switched_off = os.environ.get(SWITCH_ENV, "1").strip().lower() in ("0", "false", "no", "off")
    return not switched_off and "forkserver" in multiprocessing.get_all_start_methods()


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def process_context():
    """Return the multiprocessing context for the build's helper processes: the warm fork server
    where forking is available, else spawn (a fresh interpreter)."""
    return _context() if forking_available() else multiprocessing.get_context("spawn")


def start_fork_server() -> None:
    """Start the warm fork server now, so it warms up while other work goes on (no-op if running)."""
    if forking_available():
        from multiprocessing import forkserver

        _context()
        forkserver.ensure_running()


def code_signature() -> tuple:
    """Return (file, mtime, size) of every module of this package: what a warm-up imported."""
    package = Path(__file__).parent
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(package.glob("*.py")))


def forget_changed_code(imported: tuple) -> bool:
    """If this package's code changed since ``imported`` was taken, drop its modules so that the
    kernel imports them afresh; return whether it did. (A fork server lives as long as the process
    that started it, and someone may edit ``src/`` between two builds in one session.)"""
    if imported == code_signature():
        return False
    for name in [n for n in sys.modules if n == __package__ or n.startswith(__package__ + ".")]:
        del sys.modules[name]
    return True


def _is_own_ipykernel(cmd: list[str]) -> bool:
    return len(cmd) >= 3 and Path(cmd[0]).resolve() == Path(sys.executable).resolve() and cmd[1:3] == ["-m", "ipykernel_launcher"]


class InheritedFd:
    """A file descriptor handed to the forked kernel (multiprocessing duplicates it into the child)."""

    def __init__(self, fd: int):
        self.fd = fd

    def __reduce__(self):
        return _inherit_fd, (multiprocessing.reduction.DupFd(self.fd),)


def _inherit_fd(dup) -> int:
    return dup.detach()


def _run_kernel(argv: list[str], cwd: str, env: dict[str, str], stderr_fd: int | None = None) -> None:
    """Become an IPython kernel with the given command-line arguments (runs in the forked process)."""
    os.setsid()  # its own process group, as jupyter_client gives every kernel
    if stderr_fd is not None:  # as Popen(stderr=file) gives it
        os.dup2(stderr_fd, 2)
        os.close(stderr_fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[0] = cwd  # as `python -m ipykernel_launcher` started in cwd would have it
    signal.signal(signal.SIGINT, signal.default_int_handler)
    warm = sys.modules.get(f"{__package__}.warm")
    if warm is not None:
        forget_changed_code(warm.IMPORTED_CODE)
    from ipykernel import kernelapp

    # the parent the kernel watches: if the fork server goes, so does the kernel (ipykernel's own poller)
    kernelapp.launch_new_instance([*argv, f"--IPKernelApp.parent_handle={os.getppid()}"])


class ForkedProcess:
    """The handle jupyter_client's provisioner keeps for a kernel process (the parts of Popen it uses)."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.process.BaseProcess):
        self._process = process
        self.pid = process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self._process.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, but this interpreter's ipykernel is forked from the fork server."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if not (forking_available() and _is_own_ipykernel(cmd)):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        stderr = kwargs.get("stderr")
        stderr_fd = InheritedFd(stderr.fileno()) if hasattr(stderr, "fileno") else None
        process = _context().Process(target=_run_kernel, args=(cmd[3:], cwd, env, stderr_fd), name="compendium-kernel")
        try:
            process.start()
        except (OSError, RuntimeError) as exc:
            self.log.warning("could not fork a kernel (%s); starting it the usual way", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(process)
        self.pid = process.pid
        self.pgid = process.pid  # the kernel's first act is setsid()
        self.cwd = cwd
        return self.connection_info


class ForkingKernelManager(AsyncKernelManager):
    """An async kernel manager whose kernels come from the warm fork server (see the module docstring)."""

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
