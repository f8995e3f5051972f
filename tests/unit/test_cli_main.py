"""The `k8sq` entry point itself: how it ends when its reader goes away."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    line = json.dumps({"question_id": "pod-phases", "answer": "Pending Running"}) + "\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "grade", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None
    stdin = proc.stdin

    def feed() -> None:
        # From a thread: k8sq blocks on its full stdout until we read, and we would block on
        # its full stdin. It stops reading once we hang up, so the end may not get through.
        try:
            stdin.write((line * 5000).encode())
        except BrokenPipeError:
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    first = proc.stdout.readline()  # read one grade, then hang up like `| head -1`
    proc.stdout.close()
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=120)
    writer.join(timeout=120)
    assert json.loads(first)["question_id"] == "pod-phases"
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def test_no_command_prints_usage_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "usage: k8sq" in result.stderr
