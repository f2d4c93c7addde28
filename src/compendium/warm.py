"""What the fork server imports once before any chapter kernel is forked from it (see kernels.py).

The kernel itself and every module a chapter imports, then one validation of the default data
tables. Nothing here runs chapter code; a test checks that every module the chapters import is
listed.
"""

from .kernels import code_signature

IMPORTED_CODE = code_signature()  # taken first: a kernel forked later compares it with the files

from ipykernel import kernelapp  # noqa: E402, F401
from myst_nb import glue  # noqa: E402, F401

from . import (  # noqa: E402, F401
    analysis,
    charts,
    data,
    methods,
    overview,
    params,
    paths,
    present,
    publish,
    source,
    survey,
    theme,
)
from . import development, illicit, r2p, security  # noqa: E402, F401

try:
    data.load_tables()  # kept while no data file changes; a chapter's own load then costs nothing
except Exception:  # noqa: BLE001 - a broken table is reported by the chapter that loads it
    pass
