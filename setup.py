"""Builds the grader into C extension modules with mypyc; the rest of the package is described in
pyproject.toml.

The grader (bot.domain.GRADER_MODULES) compiled runs less than half the instructions per answer
of the pure Python one, and grades exactly the same. Its build never fails an install: with
K8SQ_PURE_PYTHON=1, without mypy, without a C compiler or on any compile error, the package
installs with the pure Python grader and the build says so in one line. A build that compiles
records the digest of the sources beside the extension modules (bot.domain.BUILD_RECORD), and
bot.domain runs them only while the sources still have it.

mypy type-checks the grader to compile it, so it needs the project's dependencies installed: in
an isolated build (`pip install .`) that is the build requirements (pyproject.toml); `make install`
installs the dependencies first, then compiles in place with `setup.py build_ext --inplace`.
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
from bot import domain  # noqa: E402  (what to compile, and the digest bot.domain checks)

PACKAGE = domain.__name__
PACKAGE_DIR = os.path.join(*PACKAGE.split("."))
SOURCES = [os.path.join(PACKAGE_DIR, f"{name}.py") for name in domain.GRADER_MODULES]
# The extension modules mypyc builds: the group's shared library, and one per module.
EXTENSIONS = [f"{PACKAGE}.{name}" for name in (domain.GRADER_LIBRARY, *domain.GRADER_MODULES)]


def say(line: str) -> None:
    print(f"k8sq: {line}", file=sys.stderr, flush=True)


class BuildGrader(build_ext):
    """Compiles the grader, or leaves it pure Python, saying why.

    mypy runs only here, when extensions are built, not every time setuptools reads this file
    (pip reads it three times per install): the extension modules are declared with no sources,
    and given mypyc's when the build runs.
    """

    def run(self) -> None:
        # A running bot keeps its compiled modules mapped: unlink them, never write over them.
        self._remove_compiled()
        if os.environ.get("K8SQ_PURE_PYTHON") == "1":
            self._stay_pure("K8SQ_PURE_PYTHON=1")
            return
        try:
            from mypyc.build import mypycify
        except ImportError:
            self._stay_pure("mypy is not installed")
            return
        say(f"compiling the grader with mypyc ({', '.join(domain.GRADER_MODULES)})")
        try:
            compiled = mypycify(
                # Its own mypy cache: `make typecheck` checks with other options.
                [f"--cache-dir={os.path.join(self.build_temp, 'mypy_cache')}", *SOURCES],
                group_name=f"{PACKAGE}.{domain.GRADER_GROUP}",
                target_dir=os.path.join(self.build_temp, "mypyc"),
            )
        except SystemExit as error:  # how mypyc stops on a type error, printed above
            self._stay_pure(f"mypyc failed ({error.code if isinstance(error.code, str) else 1})")
            return
        except Exception as error:
            self._stay_pure(f"mypyc failed ({error})")
            return
        by_name = {ext.name: ext for ext in compiled}
        if set(by_name) != set(EXTENSIONS):
            self._stay_pure(f"mypyc built {sorted(by_name)}, not {EXTENSIONS}")
            return
        for ext in self.extensions:
            vars(ext).update({k: v for k, v in vars(by_name[ext.name]).items() if k[0] != "_"})
        try:
            super().run()
        except Exception as error:  # no compiler, or a compile error
            self._remove_compiled()
            self._stay_pure(f"the C build failed ({error})")
            return
        for directory in self._output_dirs():
            with open(os.path.join(directory, domain.BUILD_RECORD), "w", encoding="utf-8") as f:
                f.write(domain.sources_digest(PACKAGE_DIR) + "\n")
        say("the grader is compiled")

    def _stay_pure(self, why: str) -> None:
        self.extensions = []
        say(f"{why}: the grader is not compiled, it runs as pure Python")

    def _output_dirs(self) -> list[str]:
        """Where the extension modules go: the build directory, and the sources when in place."""
        dirs = [os.path.join(self.build_lib, PACKAGE_DIR)]
        if self.inplace or self.editable_mode:
            dirs.append(self.get_finalized_command("build_py").get_package_dir(PACKAGE))
        return dirs

    def _remove_compiled(self) -> None:
        for directory in self._output_dirs():
            for name in (domain.BUILD_RECORD, *(self.get_ext_filename(e) for e in EXTENSIONS)):
                path = os.path.join(directory, os.path.basename(name))
                if os.path.exists(path):
                    os.unlink(path)


setup(
    ext_modules=[Extension(name, sources=[]) for name in EXTENSIONS],
    cmdclass={"build_ext": BuildGrader},
)
