"""The compiled grader: bot.domain runs it only while it is built from the sources as they are,
falls back to the .py files otherwise, and it grades exactly as the pure Python grader does.

The fallback is tested in a copy of the package run by a subprocess. Where no compiled build
exists, the copy gets stand-ins that do not load, so that a fallback that let Python pick the
extension modules would fail there too.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import bot.domain
from bench.grading import SHORT_CHARS, make_answers
from bot.domain.grading import grade
from bot.question_bank import load_bank

REPO_ROOT = Path(__file__).resolve().parents[2]
SUFFIX = EXTENSION_SUFFIXES[0]
COMPILED_NAMES = (bot.domain.GRADER_LIBRARY, *bot.domain.GRADER_MODULES)
# Imports the grader and says which one runs, and from where.
PROBE = (
    "import json, bot.domain, bot.domain.grading as g;"
    " print(json.dumps([bot.domain.COMPILED, bot.domain.__file__, g.__file__]))"
)


def _run(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "K8SQ_PURE_PYTHON"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A copy of the package as a build that compiled leaves it: the extension modules (the real
    ones, or stand-ins) and the record of the sources they were built from."""
    domain = tmp_path / "bot" / "domain"
    shutil.copytree(
        REPO_ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in COMPILED_NAMES:
        module = domain / f"{name}{SUFFIX}"
        if not module.exists():
            module.write_bytes(b"not a shared library")
    digest = bot.domain.sources_digest(str(domain))
    (domain / bot.domain.BUILD_RECORD).write_text(digest + "\n", encoding="utf-8")
    return tmp_path


def _probe(root: Path, **env: str) -> tuple[bool, str, str]:
    """Which grader the copy at `root` runs, the grading module's file, and what it printed."""
    done = _run(PROBE, root, **env)
    compiled, package, grading = json.loads(done.stdout)
    assert Path(package).parent == root / "bot" / "domain"  # the copy, not the installed package
    return compiled, Path(grading).name, done.stderr


def test_an_edited_source_runs_the_pure_python_grader_and_says_how_to_rebuild(
    built: Path,
) -> None:
    grading = built / "bot" / "domain" / "grading.py"
    grading.write_text(grading.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    compiled, module, stderr = _probe(built)
    assert (compiled, module) == (False, "grading.py")
    assert stderr.count("\n") == 1, stderr
    assert "changed since it was compiled" in stderr and "make install" in stderr


def test_k8sq_pure_python_runs_the_pure_python_grader_silently(built: Path) -> None:
    assert _probe(built, K8SQ_PURE_PYTHON="1") == (False, "grading.py", "")


def test_a_library_that_does_not_load_runs_the_pure_python_grader(built: Path) -> None:
    (built / "bot" / "domain" / f"{bot.domain.GRADER_LIBRARY}{SUFFIX}").write_bytes(b"truncated")
    compiled, module, stderr = _probe(built)
    assert (compiled, module) == (False, "grading.py")
    assert "does not load" in stderr and stderr.count("\n") == 1, stderr


def test_a_missing_extension_module_runs_the_pure_python_grader(built: Path) -> None:
    (built / "bot" / "domain" / f"typos{SUFFIX}").unlink()
    compiled, module, stderr = _probe(built)
    assert (compiled, module) == (False, "grading.py")
    assert "incomplete" in stderr, stderr


def test_no_build_record_runs_the_pure_python_grader_silently(built: Path) -> None:
    (built / "bot" / "domain" / bot.domain.BUILD_RECORD).unlink()
    assert _probe(built) == (False, "grading.py", "")


def test_the_compiled_grader_runs() -> None:
    """Where a compiler exists, `make install` compiled the grader: a build that failed quietly
    fails here (always under CI)."""
    import bot.domain.grading

    if os.environ.get("CI") != "true":
        if os.environ.get("K8SQ_PURE_PYTHON") == "1":
            pytest.skip("K8SQ_PURE_PYTHON=1: the pure Python grader runs")
        compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
        if shutil.which(compiler) is None:
            pytest.skip(f"no C compiler ({compiler}): the grader runs as pure Python")
    assert bot.domain.COMPILED, "the grader is not compiled: `make install` says why"
    assert bot.domain.grading.__file__.endswith(SUFFIX)


def bank_grades() -> list[str]:
    """Every example answer of the bank, and short answers made from them, graded."""
    rng = random.Random(20240601)
    grades = []
    for question in load_bank().questions:
        answers = [e.answer for e in question.examples]
        answers += make_answers(question, SHORT_CHARS, rng)
        grades += [repr(grade(answer, question)) for answer in answers]
    return grades


def test_the_pure_python_grader_grades_as_the_grader_that_runs() -> None:
    code = (
        "import json; from tests.unit.test_compiled_grader import bank_grades;"
        " print(json.dumps(bank_grades()))"
    )
    pure = json.loads(_run(code, REPO_ROOT, K8SQ_PURE_PYTHON="1").stdout)
    here = bank_grades()
    assert len(here) > 500
    differ = [(p, h) for p, h in zip(pure, here, strict=True) if p != h]
    assert not differ, f"{len(differ)} of {len(here)} grades differ; the first: {differ[0]}"
