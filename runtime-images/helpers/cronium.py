"""Cronium runtime helpers for Python scripts.

``import cronium`` works in every Cronium job: the runner puts this file's directory on
``PYTHONPATH``. The helpers read and write JSON files in the job's workspace (its path is in
``CRONIUM_WORKSPACE``): ``in/`` is written by the runner before the script starts (read only),
``out/`` is read back by the runner after the script ends. No network and no token are
needed, so they work the same in a container and over SSH. Standard library only, Python 3.9+.

    import cronium

    data = cronium.input()                      # the run's input (None when there is none)
    ctx = cronium.context()                     # {"jobId": ..., "attempt": ..., ...}
    seen = cronium.get_variable("seen") or 0    # alias: getVariable
    cronium.set_variable("seen", seen + 1)      # alias: setVariable
    cronium.output({"ok": True})
    cronium.condition(True)

Every error is a ``cronium.CroniumError`` whose message names the function.
Documentation: docs/helpers/python.md.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from typing import Any, Dict, Optional

__all__ = [
    "CroniumError",
    "input",
    "output",
    "get_variable",
    "getVariable",
    "set_variable",
    "setVariable",
    "context",
    "condition",
    "VARIABLE_KEY",
    "MAX_OUTPUT_BYTES",
    "MAX_OUT_BYTES",
]

#: Keys a script may set (the same rule the control plane applies).
VARIABLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
#: Most bytes ``out/output.json`` may hold.
MAX_OUTPUT_BYTES = 256 * 1024
#: Most bytes ``out/`` may hold in all.
MAX_OUT_BYTES = 1024 * 1024

_ENV = "CRONIUM_WORKSPACE"
_OUT_FILES = ("output.json", "condition.json", "variables.json")


class CroniumError(RuntimeError):
    """A helper could not do what it was asked; the message says which one and why."""


class _NotSerialisable(Exception):
    pass


def _workspace() -> str:
    path = os.environ.get(_ENV, "")
    if not path:
        raise CroniumError("cronium: CRONIUM_WORKSPACE is not set (is this script running under Cronium?)")
    return path


def _read_json(fn: str, rel: str, missing: Any = None, required: bool = True) -> Any:
    path = os.path.join(_workspace(), rel)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        if required:
            raise CroniumError(f"cronium.{fn}: {rel} does not exist in the workspace ({_workspace()})") from None
        return missing
    except OSError as err:
        raise CroniumError(f"cronium.{fn}: cannot read {rel}: {err.strerror or err}") from None
    try:
        return json.loads(text)
    except ValueError as err:
        raise CroniumError(f"cronium.{fn}: {rel} is not valid JSON: {err}") from None


def _read_object(fn: str, rel: str) -> Dict[str, Any]:
    value = _read_json(fn, rel, missing={}, required=False)
    if not isinstance(value, dict):
        raise CroniumError(f"cronium.{fn}: {rel} does not hold a JSON object")
    return value


def _reject(value: Any) -> Any:
    raise _NotSerialisable(type(value).__name__)


def _to_json(fn: str, value: Any) -> str:
    """Compact JSON text of ``value``, or a CroniumError that says why it has none."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_reject)
    except _NotSerialisable as err:
        kind = str(err)
    except RecursionError:
        kind = "nested too deeply"
    except ValueError as err:
        message = str(err)
        if "ircular" in message:
            kind = "circular reference"
        elif "float" in message:
            kind = "float NaN or infinity (JSON has neither)"
        else:
            kind = message
    except TypeError as err:  # e.g. a dict key that is not str, int, float, bool or None
        kind = str(err)
    raise CroniumError(f"cronium.{fn}: value is not JSON-serialisable: {kind}")


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _write(fn: str, name: str, text: str) -> None:
    """Writes ``text`` and a newline to ``out/<name>`` atomically (temporary file, then rename)."""
    out = os.path.join(_workspace(), "out")
    data = (text + "\n").encode("utf-8")
    if name == "output.json" and len(data) > MAX_OUTPUT_BYTES:
        raise CroniumError(
            f"cronium.{fn}: the output is {len(data)} bytes as JSON; the limit is {MAX_OUTPUT_BYTES} (256 KiB)"
        )
    total = len(data) + sum(_size(os.path.join(out, f)) for f in _OUT_FILES if f != name)
    if total > MAX_OUT_BYTES:
        raise CroniumError(f"cronium.{fn}: out/ would hold {total} bytes; the limit is {MAX_OUT_BYTES} (1 MiB)")
    if not os.path.isdir(out):
        raise CroniumError(f"cronium.{fn}: the workspace has no out/ directory ({out})")
    tmp: Optional[str] = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(out, name))
        tmp = None
    except OSError as err:
        raise CroniumError(f"cronium.{fn}: cannot write out/{name}: {err.strerror or err}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _check_key(fn: str, key: Any) -> str:
    if not isinstance(key, str) or not VARIABLE_KEY.fullmatch(key):
        raise CroniumError(
            f"cronium.{fn}: invalid variable key {key!r}: it must match ^[A-Za-z_][A-Za-z0-9_.-]{{0,127}}$"
        )
    return key


def input() -> Any:  # noqa: A001 - the API's name in every language
    """The run's input: the parsed JSON of ``in/input.json`` (``None`` when the run has none)."""
    return _read_json("input", "in/input.json")


def context() -> Dict[str, Any]:
    """What the script may know about its run (``in/context.json``): jobId, tenant, eventId,
    eventName, attempt, workflowRunId, workflowStep, scheduledAt."""
    value = _read_json("context", "in/context.json")
    if not isinstance(value, dict):
        raise CroniumError("cronium.context: in/context.json does not hold a JSON object")
    return value


def output(value: Any) -> None:
    """Sets the run's output (any JSON-serialisable value) in ``out/output.json``."""
    _write("output", "output.json", _to_json("output", value))


def get_variable(key: str) -> Any:
    """A variable's value: what this run set (``out/variables.json``) or else what it started
    with (``in/variables.json``); ``None`` when it is set in neither."""
    _check_key("getVariable", key)
    own = _read_object("getVariable", "out/variables.json")
    if key in own:
        return own[key]
    return _read_object("getVariable", "in/variables.json").get(key)


def set_variable(key: str, value: Any) -> None:
    """Sets a variable (any JSON-serialisable value): merged into ``out/variables.json``, which the
    control plane stores when the run ends."""
    _check_key("setVariable", key)
    _to_json("setVariable", value)  # the value alone first, so the error is about it
    merged = _read_object("setVariable", "out/variables.json")
    merged[key] = value
    _write("setVariable", "variables.json", _to_json("setVariable", merged))


def condition(value: bool) -> None:
    """Sets the run's condition (``True`` or ``False``), which workflow edges can branch on."""
    if not isinstance(value, bool):
        raise CroniumError(f"cronium.condition: expected True or False, got {type(value).__name__}: {value!r}")
    _write("condition", "condition.json", "true" if value else "false")


getVariable = get_variable
setVariable = set_variable
