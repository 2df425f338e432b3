"""Many leadbook commands, each in a process of its own, for the price of one Python start-up.

A test that needs a fresh process per command (what a command imports, several processes at
once on one book) starts one Python, which imports ``leadbook.cli`` (and ``preload``, if any)
and forks a child per command: each child is a process as `leadbook ARGS` would be once its
entry point is loaded, with its own connections, stdout and stderr. Sequential children run one
after the other; ``together`` ones wait for one another and start at the same instant, closer
together than processes started one by one (which Python's start-up staggers by tens of
milliseconds). Children may wait for a ``cue`` file before they run, and one command may be
run again and again ``until`` a file appears.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PARENT = r"""
import importlib, json, os, sys, tempfile
from leadbook.cli import main

spec = json.loads(sys.argv[1])
for name in spec["preload"]:
    importlib.import_module(name)
run = main
exec(spec["prelude"])  # may define run(argv), which wraps main

import time
GIVE_UP = time.monotonic() + 300  # a test that failed before its cue leaves no process behind

def wait_for(path):
    while not os.path.exists(path):
        if time.monotonic() > GIVE_UP:
            os._exit(98)
        time.sleep(0.01)

def child(argv, out, err, go):
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    if go is not None:
        os.read(go, 1)  # until the parent has forked every child
    if spec["cue"]:
        wait_for(spec["cue"])
    code = 0
    try:
        run(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    loaded = [m for m in spec["watch"] if m in sys.modules]
    os.write(1, ("\n" + json.dumps(loaded) + "\n").encode())
    os._exit(code)

found = []
go, release = os.pipe() if spec["together"] else (None, None)
sys.stdout.flush()
sys.stderr.flush()
started = []
commands = spec["commands"]
while commands:
    argv = commands[0]
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    last = spec["until"] is None or os.path.exists(spec["until"]) or time.monotonic() > GIVE_UP
    pid = os.fork()
    if pid == 0:
        child(argv, out, err, go)
    started.append([pid, out, err])
    if not spec["together"]:
        started[-1][0] = os.waitpid(pid, 0)
    if spec["until"] is None or last:
        commands = commands[1:]
if spec["together"]:
    os.write(release, b"x" * len(started))
    for one in started:
        one[0] = os.waitpid(one[0], 0)
for (_pid, status), out, err in started:
    out.seek(0)
    err.seek(0)
    body, _, loaded = out.read().decode().rstrip("\n").rpartition("\n")
    found.append(
        {
            "code": os.waitstatus_to_exitcode(status),
            "stdout": body,
            "stderr": err.read().decode(),
            "loaded": json.loads(loaded) if loaded.startswith("[") else None,
        }
    )
print(json.dumps(found))
"""


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    loaded: list[str] | None  # which of ``watch`` the process had imported when it ended


def start_forked(
    commands: list[list[str]],
    env: dict[str, str],
    *,
    together: bool = False,
    preload: tuple[str, ...] = (),
    watch: tuple[str, ...] = (),
    cue: Path | None = None,
    until: Path | None = None,
    prelude: str = "",
) -> subprocess.Popen[str]:
    """Start running each of ``commands`` (leadbook's arguments) in a child of one loaded
    Python; :func:`finish_forked` waits for them. ``until``: the one command, again and again
    until that file exists (and once more after)."""
    assert until is None or len(commands) == 1
    spec: dict[str, Any] = {
        "commands": commands,
        "together": together,
        "preload": list(preload),
        "watch": list(watch),
        "cue": str(cue) if cue else None,
        "until": str(until) if until else None,
        "prelude": prelude,
    }
    return subprocess.Popen(
        [sys.executable, "-c", _PARENT, json.dumps(spec)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_forked(parent: subprocess.Popen[str]) -> list[Ran]:
    out, err = parent.communicate(timeout=300)
    assert parent.returncode == 0, err
    return [Ran(**r) for r in json.loads(out)]


def run_forked(commands: list[list[str]], env: dict[str, str], **how: Any) -> list[Ran]:
    """Run each of ``commands`` in a child of one loaded Python (see :func:`start_forked`)."""
    return finish_forked(start_forked(commands, env, **how))
