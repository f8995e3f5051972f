"""Run scheduler processes (tests/reliability/scheduler_child.py), tick them, kill them."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every wait for a child is bounded: a child that hangs fails the test, never the run.
REPLY_TIMEOUT = 60.0


class ChildFailed(AssertionError):
    pass


class SchedulerProcess:
    """One scheduler child, its stdout read by a thread into a queue."""

    def __init__(self, env: dict[str, str]) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.scheduler_child"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._expect("ready")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _expect(self, word: str) -> str:
        try:
            line = self._lines.get(timeout=REPLY_TIMEOUT)
        except queue.Empty:
            raise ChildFailed(f"no {word!r} from the scheduler child: {self.errors()}") from None
        if line is None or not line.startswith(word):
            raise ChildFailed(f"expected {word!r}, got {line!r}: {self.errors()}")
        return line[len(word) :].strip()

    def errors(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-3000:]

    def send_tick(self, now: datetime) -> None:
        """Start a tick at `now`; returns once the child has begun it."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"tick {now.isoformat()}\n")
        self.proc.stdin.flush()
        self._expect("start")

    def finish_tick(self) -> list[str]:
        """Wait for the tick started by `send_tick`; its outcomes."""
        outcomes: list[str] = json.loads(self._expect("done"))
        return outcomes

    def tick(self, now: datetime) -> list[str]:
        self.send_tick(now)
        return self.finish_tick()

    def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye, as the kernel's OOM killer or a power cut."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=REPLY_TIMEOUT)
        self._close_pipes()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            with contextlib.suppress(OSError):
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=REPLY_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        self._reader.join(timeout=REPLY_TIMEOUT)  # reads to the end once the child is gone
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._stderr.close()
