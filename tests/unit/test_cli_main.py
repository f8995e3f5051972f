"""The `k8sq` entry point itself: how it ends when its reader goes away."""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    line = json.dumps({"question_id": "pod-phases", "answer": "Pending Running"}) + "\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "grade", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdin.write((line * 5000).encode())
    proc.stdin.close()
    first = proc.stdout.readline()  # read one grade, then hang up like `| head -1`
    proc.stdout.close()
    stderr = proc.communicate(timeout=120)[1].decode()
    assert json.loads(first)["question_id"] == "pod-phases"
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def test_no_command_prints_usage_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "usage: k8sq" in result.stderr
