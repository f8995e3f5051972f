"""The pure core: questions, rubrics, grading, ranking and selection. Imports no adapter.

The grader's modules (GRADER_MODULES) are also built into C extension modules with mypyc, beside
their sources (setup.py, run by `make install`), and Python prefers an extension module to a .py
file. So that no stale build ever runs, this package loads them all from their .py files instead
when the build compiled nothing, when the sources changed since it did (saying so once, with the
fix), when the compiled modules are missing or do not load, or when K8SQ_PURE_PYTHON=1. It is all
or nothing: the compiled modules call each other natively. COMPILED says which grader runs.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from importlib.util import spec_from_file_location
from types import ModuleType

GRADER_MODULES = ("lexicon", "text", "sentences", "typos", "matching", "grading")
# mypyc compiles them as one group: a shared library with their code (GRADER_LIBRARY), and
# for each module a small extension module that initializes it from that library.
GRADER_GROUP = "grader"
GRADER_LIBRARY = f"{GRADER_GROUP}__mypyc"
# Written by the build beside the extension modules: the digest of the sources it compiled.
BUILD_RECORD = "compiled_grader.sha256"

_HERE = os.path.dirname(os.path.abspath(__file__))


def sources_digest(directory: str) -> str:
    """The digest of the grader's sources in `directory`, as the build records it."""
    digest = hashlib.sha256()
    for name in GRADER_MODULES:
        with open(os.path.join(directory, f"{name}.py"), "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


def _pure_python_reason() -> str | None:
    """Why the .py files must run: None if the compiled grader is current and loads, else a
    warning to print, empty when running pure Python is what the build or the user asked for."""
    if os.environ.get("K8SQ_PURE_PYTHON") == "1":
        return ""
    try:
        with open(os.path.join(_HERE, BUILD_RECORD), encoding="utf-8") as record:
            built_from = record.read().strip()
    except FileNotFoundError:
        return ""  # the build compiled nothing
    if built_from != sources_digest(_HERE):
        return "the grader's sources changed since it was compiled"
    present = set(os.listdir(_HERE))
    suffix = EXTENSION_SUFFIXES[0]  # this interpreter's own tag, the one the build used
    if any(f"{name}{suffix}" not in present for name in (*GRADER_MODULES, GRADER_LIBRARY)):
        return "the compiled grader is incomplete"
    try:
        importlib.import_module(f"{__name__}.{GRADER_LIBRARY}")
    except ImportError as error:
        return f"the compiled grader does not load ({error})"
    return None


class _PurePythonGrader:
    """Finds the grader's modules as their .py files, never as the extension modules beside them;
    first in sys.meta_path."""

    def __init__(self, warning: str) -> None:
        self._warning = warning

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in GRADER_MODULES:
            return None
        if self._warning:
            print(
                f"k8sq: {self._warning}: running the pure Python grader"
                " (`make install` compiles it again)",
                file=sys.stderr,
            )
            self._warning = ""
        return spec_from_file_location(fullname, os.path.join(_HERE, f"{name}.py"))


_reason = _pure_python_reason()
COMPILED = _reason is None
if _reason is not None:
    sys.meta_path.insert(0, _PurePythonGrader(_reason))
