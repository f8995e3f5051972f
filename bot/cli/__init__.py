"""The `k8sq` command line: one module per group of subcommands, loaded on demand."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Each module defines `register(subparsers)`, adding its subcommands with a `func`
# default that takes the parsed arguments and returns an exit code.
COMMAND_MODULES = (
    "bot.cli.grading",
    "bot.cli.questions",
    "bot.cli.practice",
    "bot.cli.database",
    "bot.cli.slack",
    "bot.cli.health",
    "bot.cli.workspace",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="k8sq", description="Kubernetes interview practice for an ops team."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = func(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`k8sq grade --jsonl ... | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code
