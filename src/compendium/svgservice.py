"""Static SVG of a chart, from one vl-convert shared by every chapter kernel of a build.

vl-convert starts a JavaScript engine on its first use in a process, about 0.3 s of CPU before the
first chart; a build that executes seven chapters in seven kernels would start it seven times.
While the build executes chapters (``book.prefill_cache``), one server process renders every
chapter's charts instead: the kernels send it each spec through ``multiprocessing.connection`` at
the address given in ``COMPENDIUM_SVG_SERVER``. The server runs the same vl-convert with the same
arguments, so the SVG is byte for byte the one the kernel would have made.

Anywhere else (a rerun, a notebook opened by hand), if the server cannot be reached, or if it could
not render the spec, the kernel renders the chart itself, and any error is vl-convert's own.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.connection import AuthenticationError, Client, Listener
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

ADDRESS_ENV = "COMPENDIUM_SVG_SERVER"
AUTHKEY_ENV = "COMPENDIUM_SVG_SERVER_KEY"
# vl-convert ships several Vega-Lite versions; pick the one Altair writes specs for.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
READY_TIMEOUT = 30  # seconds to wait for the server to listen before the build goes on without it
ANSWER_TIMEOUT = 120  # seconds a kernel waits for its chart before rendering it itself
_WARM_UP = {"data": {"values": [{}]}, "mark": "point"}


# An id the SVG defines or refers to: id="x", url(#x), href="#x" (and xlink:href="#x").
_ID_USE = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')


def render_svg(spec: Mapping[str, Any]) -> str:
    """Return the chart's static SVG, rendered by vl-convert in this process."""
    return canonical_ids(vlc.vegalite_to_svg(dict(spec), vl_version=VL_VERSION))


def canonical_ids(svg: str) -> str:
    """Return the SVG with its own ids (gradients, clip paths) numbered from 0 in order of appearance.

    vl-convert numbers them across every chart one process renders, so without this the same
    chart's SVG would depend on what the process drew before it."""
    defined = list(dict.fromkeys(m[2] for m in _ID_USE.finditer(svg) if m[1].endswith('id="')))
    if not defined:
        return svg
    counts: dict[str, int] = {}
    mapping = {}
    for old in defined:
        stem = re.sub(r"\d+$", "", old) or "id"
        mapping[old] = f"{stem}{counts.setdefault(stem, 0)}"
        counts[stem] += 1
    return _ID_USE.sub(lambda m: m[1] + mapping.get(m[2], m[2]), svg)


def chart_svg(spec: Mapping[str, Any]) -> str:
    """Return the chart's static SVG: from the build's server when one is set, else rendered here."""
    address = os.environ.get(ADDRESS_ENV)
    if address:
        try:
            with Client(address, family="AF_UNIX", authkey=bytes.fromhex(os.environ[AUTHKEY_ENV])) as conn:
                conn.send(dict(spec))
                kind, value = conn.recv() if conn.poll(ANSWER_TIMEOUT) else ("timeout", "")
            if kind == "svg":
                return value
        except (OSError, EOFError, KeyError, ValueError, AuthenticationError):
            pass  # no server after all: render here
    return render_svg(spec)


def serve(address: str, authkey: bytes, ready) -> None:
    """Answer each connection's spec with ("svg", text) or ("error", message), until terminated."""
    with Listener(address, family="AF_UNIX", authkey=authkey, backlog=64) as listener:
        ready.set()
        render_svg(_WARM_UP)  # start the engine now rather than on the first chart
        while True:
            try:
                conn = listener.accept()
            except (OSError, EOFError, AuthenticationError):
                continue  # a client that gave up or had the wrong key
            with conn:
                try:
                    spec = conn.recv()
                    try:
                        answer = ("svg", render_svg(spec))
                    except Exception as exc:  # noqa: BLE001 - the client renders again and raises it itself
                        answer = ("error", f"{type(exc).__name__}: {exc}")
                    conn.send(answer)
                except (OSError, EOFError):
                    continue


@contextmanager
def svg_server(context=None) -> Iterator[str | None]:
    """Run a server for the duration of the block, with its address in this process's environment
    (kernels started in the block inherit it); yield the address, or None if it failed to start.

    ``context`` is a multiprocessing context that starts a fresh interpreter or forks a clean one
    (spawn or forkserver, the default spawn): never plain fork, because a process that has used
    vl-convert cannot fork a working copy of it."""
    context = context or multiprocessing.get_context("spawn")
    folder = tempfile.mkdtemp(prefix="compendium-svg-")  # private to this user (mode 0700)
    address = str(Path(folder) / "socket")
    authkey = secrets.token_bytes(32)
    ready = context.Event()
    process = context.Process(target=serve, args=(address, authkey, ready), name="compendium-svg", daemon=True)
    saved = {k: os.environ.get(k) for k in (ADDRESS_ENV, AUTHKEY_ENV)}
    try:
        process.start()
        started = ready.wait(READY_TIMEOUT)
        if started:
            os.environ[ADDRESS_ENV] = address
            os.environ[AUTHKEY_ENV] = authkey.hex()
        yield address if started else None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        process.terminate()
        process.join(5)
        shutil.rmtree(folder, ignore_errors=True)
