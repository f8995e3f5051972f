"""Read one topic file: parse its YAML once, and collect its problems with their lines.

The parse keeps the YAML nodes as well as the data built from them, so every problem found later,
by the schema or by the checks, can name the line it is on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.question_bank.locations import (
    AnchorCycle,
    Loc,
    duplicate_keys,
    format_loc,
    key_node,
    line_of,
    node_at,
)
from bot.question_bank.messages import message_for
from bot.question_bank.problems import Problem
from bot.question_bank.schema import model_for


class FileLoader:
    """One topic file being validated: its YAML nodes, for lines, and the problems found so far."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self.problems: list[Problem] = []
        self.root: yaml.Node | None = None

    def add(
        self,
        loc: Loc,
        message: str,
        *,
        question_id: str | None = None,
        key: bool = False,
        line: int | None = None,
    ) -> None:
        """A problem at `loc`, on the line of its node (of its key, with `key`) unless given."""
        if line is None:
            node = key_node(self.root, loc) if key else node_at(self.root, loc)[0]
            line = line_of(node)
        self.problems.append(Problem(self.display, question_id, format_loc(loc), message, line))

    def add_validation(
        self, exc: ValidationError, prefix: Loc, owner: type[BaseModel], question_id: str | None
    ) -> None:
        """Every error pydantic found under `prefix`; an unknown key lists its owner's keys."""
        for error in exc.errors():
            loc: Loc = tuple(error["loc"])
            full = (*prefix, *loc)
            model = model_for(full[:-1], owner) if error["type"] == "extra_forbidden" else owner
            self.add(
                full,
                message_for(error, model),
                question_id=question_id,
                key=error["type"] == "extra_forbidden",
            )

    def read(self) -> Any:
        """The file's data, or None (and a problem) when it cannot be read, parsed or built."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.add((), f"not UTF-8 text (byte {exc.start})")
            return None
        except OSError as exc:
            self.add((), f"cannot read: {exc.strerror or exc}")
            return None
        # One parse gives both the nodes (for line numbers) and the data built from them.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            self.root = loader.get_single_node()
            data = loader.construct_document(self.root) if self.root is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            detail = f"{context}: {problem}" if context else str(problem)
            self.add((), f"YAML syntax error: {detail}", line=line)
            return None
        finally:
            loader.dispose()
        try:
            duplicates = list(duplicate_keys(self.root))
        except AnchorCycle as cycle:
            self.add((), "a YAML anchor is used inside itself", line=line_of(cycle.node))
            return None
        for loc, key in duplicates:
            self.add(loc, "key written twice (YAML would keep only the last)", line=line_of(key))
        return data
