"""Load with wrk (C, event loop): bounded runs over rotating URLs and headers.

A Lua script, written per scenario, holds the scenario's requests (path and headers) and
gives wrk the next one: ``random`` draws from the list, ``each_once`` walks it so that no
two requests of the run (whatever thread or connection sends them) ask for the same URL,
as long as the list is longer than the run (``wrapped`` says when it was not). Every
answer's status is counted, so an answer other than the expected one is an error, as in
the Python generator (``loadgen.py``), which stays as the fallback when wrk is missing.

Only 127.0.0.1 is ever targeted; every run is bounded by ``-d`` and ``--timeout``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

LUA = r"""
local requests = dofile(%(data)s)
local mode = %(mode)s
local nthreads = %(threads)d
local seed = %(seed)d
local threads = {}
local counter = 0
statuses = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = tid
  math.randomseed(seed + tid)
end

function request()
  local r
  if mode == "each_once" then
    r = requests[(counter %% #requests) + 1]
    counter = counter + nthreads
  else
    r = requests[math.random(#requests)]
  end
  return wrk.format("GET", r[1], r[2])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests_)
  local parts = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      table.insert(parts, string.format('["%%d", %%d]', status, n))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "statuses": [%%s], ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, "mean": %%f}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def available() -> str | None:
    return shutil.which("wrk")


def ensure_installed() -> tuple[str | None, str]:
    """(path to wrk or None, what happened). Installs the Debian package when root."""
    if path := available():
        return path, "wrk found"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        result = subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-q", "wrk"],  # noqa: S607
            capture_output=True,
            text=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if (path := available()) is not None:
            return path, "wrk installed (apt-get install wrk)"
        return None, f"apt-get install wrk failed ({result.returncode})"
    return None, "wrk not installed and not running as root"


def run(
    *,
    port: int,
    requests: list[tuple[str, dict[str, str]]],
    expect: int = 200,
    mode: str = "random",
    threads: int = 2,
    connections: int = 16,
    duration: float = 10,
    timeout: float = 30,
    seed: int = 0,
) -> dict:
    """One bounded wrk run against 127.0.0.1:port; figures shaped like loadgen's."""
    workdir = Path(tempfile.mkdtemp(prefix="kb-wrk-"))
    try:
        data = workdir / "requests.lua"
        lines = ["return {"]
        for path, headers in requests:
            pairs = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
            lines.append(f"  {{{lua_string(path)}, {{{pairs}}}}},")
        lines.append("}")
        data.write_text("\n".join(lines) + "\n")
        script = workdir / "scenario.lua"
        script.write_text(
            LUA
            % {
                "data": lua_string(str(data)),
                "mode": lua_string(mode),
                "threads": threads,
                "seed": seed,
            }
        )
        command = [
            available() or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={max(1, round(timeout))}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ]
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=duration + timeout + 30
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {result.stdout}{result.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    statuses: dict[str, int] = {}
    for status, n in raw["statuses"]:
        statuses[status] = statuses.get(status, 0) + n
    for kind in ("connect", "read", "write", "timeout"):
        if raw[kind]:
            statuses["TimeoutError" if kind == "timeout" else f"socket {kind}"] = raw[kind]
    good = statuses.get(str(expect), 0)
    answered = sum(n for k, n in statuses.items() if k.isdigit())
    elapsed = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "errors": raw["requests"] - good + raw["timeout"] + raw["connect"],
        "statuses": statuses,
        "elapsed": round(elapsed, 2),
        "rps": round(good / elapsed, 2) if elapsed else 0.0,
        "mean_ms": round(raw["mean"] / 1000, 2),
        "p50_ms": round(raw["p50"] / 1000, 2),
        "p95_ms": round(raw["p95"] / 1000, 2),
        "p99_ms": round(raw["p99"] / 1000, 2),
        "max_ms": round(raw["max"] / 1000, 2),
        "answered": answered,
        "distinct_urls": len(requests),
        "wrapped": mode == "each_once" and raw["requests"] > len(requests),
        "load_generator": "wrk",
    }
