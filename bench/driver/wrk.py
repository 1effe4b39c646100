"""Runs wrk with one of the bench/lua scripts and reads the line its done()
prints (bench/lua/report.lua)."""
import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from settings import BENCH, Settings

LUA_DIR = BENCH / "lua"


@dataclass
class Load:
    """What one side of a scenario sends: a script (with arguments) at a port."""
    port: int
    path: str
    script: str
    args: tuple[str, ...] = ()
    threads: int = 2          # wrk threads; the challenge scenario uses one per connection
    extra_env: dict = field(default_factory=dict)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


def run(settings: Settings, load: Load, duration: float, label: str, connections: int | None = None) -> dict:
    """One wrk run; returns the parsed result with rates and latencies in ms."""
    connections = connections or settings.connections
    threads = min(load.threads, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency",
               "--timeout", "5s", "-s", str(LUA_DIR / load.script), load.url()]
    if load.args:
        command += ["--", *load.args]
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), "BENCH_DATA_DIR": str(settings.data_dir),
           "BENCH_WRK_THREADS": str(threads), "BENCH_ADDRESSES": str(settings.addresses),
           "BENCH_XFF": "1" if settings.xff else "0", **load.extra_env}
    settings.raw_dir.mkdir(parents=True, exist_ok=True)
    raw = settings.raw_dir / f"{label}.txt"
    crashes = []
    # Should wrk die of a signal, the run measured nothing: it is run again (and noted).
    for _ in range(3):
        returncode, stdout, stderr = _wrk(command, env, threads)
        raw.write_text(" ".join(command) + "\n\n" + stdout + stderr)
        if returncode >= 0:
            break
        crashes.append(-returncode)
    result = parse(stdout, returncode, raw)
    if crashes:
        result["wrk_crashes_retried"] = crashes
    return result


def _wrk(command: list[str], env: dict, threads: int) -> tuple[int, str, str]:
    """Runs wrk; with BENCH_STOP_AFTER set, interrupts it (SIGINT: wrk then reports)
    once every thread has done its share of the requests (bench/lua/report.lua)."""
    if "BENCH_STOP_AFTER" not in env:
        completed = subprocess.run(command, capture_output=True, text=True, env=env)
        return completed.returncode, completed.stdout, completed.stderr
    with tempfile.TemporaryDirectory() as stop_dir:
        env = {**env, "BENCH_STOP_DIR": stop_dir}
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
            while process.poll() is None:
                if len(os.listdir(stop_dir)) >= threads:
                    process.send_signal(signal.SIGINT)
                    break
                time.sleep(0.5)
            stdout, stderr = process.communicate()
            return process.returncode, stdout, stderr


def parse(output: str, returncode: int, raw: Path) -> dict:
    line = next((l for l in output.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if returncode != 0 or line is None:
        raise SystemExit(f"bench: wrk failed (exit {returncode}); output in {raw}")
    data = json.loads(line[len("BENCH_RESULT "):])
    seconds = data["duration_us"] / 1e6
    errors = data["errors"]
    counts = data["counts"]
    result = {
        "requests": data["requests"],
        "seconds": round(seconds, 3),
        "rps": round(data["requests"] / seconds, 1),
        "p50_ms": data["latency_us"]["p50"] / 1000,
        "p99_ms": data["latency_us"]["p99"] / 1000,
        "non2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "errors": errors,
        "counts": counts,
        "raw": str(raw),
    }
    op = data["op_latency_us"]
    if op["n"]:
        # Scenarios that time whole operations (a fetch made of two requests).
        result["ops"] = counts.get("fetches", op["n"])
        result["ops_per_s"] = round(result["ops"] / seconds, 1)
        result["op_p50_ms"] = op["p50"] / 1000
        result["op_p99_ms"] = op["p99"] / 1000
    return result
