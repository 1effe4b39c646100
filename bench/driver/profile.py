#!/usr/bin/python3
"""Profiles SealDrop's /send path under load (`make bench-profile`): wrk drives
POST /send with 100-byte sealed boxes at BENCH_CONNECTIONS while perf samples
(cpu-clock: this machine's virtual CPUs expose no hardware counters)
  1. the whole machine, to see which process the CPU goes to;
  2. the responder alone, with call graphs, to see where its own time goes.
Writes bench/results/profile-send.txt (Swift names demangled)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import cpu  # noqa: E402
import database  # noqa: E402
import fixtures  # noqa: E402
import measure  # noqa: E402
import scenarios  # noqa: E402
import wrk  # noqa: E402
from settings import Settings  # noqa: E402
from wrk import LUA_DIR, Load  # noqa: E402


def demangle(text: str) -> str:
    tool = shutil.which("swift-demangle")
    if not tool:
        return text
    return subprocess.run([tool, "--simplified"], input=text, capture_output=True, text=True).stdout or text


def report(data: Path, *options: str) -> str:
    out = subprocess.run(["perf", "report", "-i", str(data), "--stdio", *options],
                         capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.strip() and not l.startswith("# ") and l != "#"]
    # perf pads every row to its longest (mangled) name and adds empty srcline columns.
    return "\n".join(re.sub(r"(\s+-)*\s*$", "", l) for l in demangle("\n".join(lines)).splitlines())


def per_send_costs(settings: Settings, seconds: int) -> str:
    """The same load against SealDrop's /send and the C naive send: MariaDB's
    counters and each process's CPU, per request."""
    sides = [("SealDrop", settings.port), ("C naive send", settings.ceiling_send_port)]
    columns = {}
    for name, port in sides:
        database.clear_messages(settings, "bench-send")
        database.settle(settings)
        procs = cpu.processes(settings, port)
        status, ticks = database.status(settings), cpu.snapshot(procs)
        result = wrk.run(settings, Load(port, "/send", "send.lua", ("100",)), seconds, f"profile-costs-{port}")
        after_status, after_ticks = database.status(settings), cpu.snapshot(procs)
        n = max(1, result["requests"])
        column = dict(database.per_request(status, after_status, n))
        column.update({f"cpu ms: {k}": v for k, v in cpu.per_request(ticks, after_ticks, n).items()})
        column["requests/s"] = result["rps"]
        column["non-2xx"] = result["non2xx"]
        columns[name] = column
    keys = list(next(iter(columns.values())).keys())
    lines = [f"{'per request':<28}" + "".join(f"{name:>16}" for name in columns)]
    for key in keys:
        lines.append(f"{key:<28}" + "".join(f"{columns[name][key]:>16.3f}" for name in columns))
    return "\n".join(lines)


def main() -> None:
    settings = Settings()
    seconds = settings.profile_seconds
    responder = measure.pid_of(settings.responder_pid_file)
    # Under its supervisor the work is in the worker processes; the master only waits.
    pids = ",".join(str(p) for p in (cpu.children(responder) or [responder]))
    print("profile: making fixtures", flush=True)
    fixtures.make(settings)
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), "BENCH_DATA_DIR": str(settings.data_dir),
           "BENCH_WRK_THREADS": "2"}
    command = ["wrk", "-t2", f"-c{settings.connections}", f"-d{2 * seconds + 6}s", "--latency",
               "-s", str(LUA_DIR / "send.lua"), f"{settings.base_url}/send", "--", "100"]
    out_dir = settings.results_dir
    print(f"profile: MariaDB work per send, SealDrop and the C naive send, {seconds} s each", flush=True)
    costs = per_send_costs(settings, seconds)
    database.clear_messages(settings, "bench-send")
    database.settle(settings)
    with tempfile.TemporaryDirectory() as tmp:
        system_data, process_data = Path(tmp) / "system.data", Path(tmp) / "process.data"
        load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        time.sleep(2)
        print(f"profile: sampling the whole machine for {seconds} s", flush=True)
        subprocess.run(["perf", "record", "-a", "-e", "cpu-clock", "-F", "499", "-o", str(system_data),
                        "--", "sleep", str(seconds)], check=True, capture_output=True)
        print(f"profile: sampling the responder (pids {pids}) with call graphs for {seconds} s", flush=True)
        subprocess.run(["perf", "record", "-p", pids, "-e", "cpu-clock", "-F", "1999", "--call-graph", "dwarf,16384",
                        "-o", str(process_data), "--", "sleep", str(seconds)], check=True, capture_output=True)
        wrk_out, _ = load.communicate()
        sections = [
            ("MariaDB counters (SHOW GLOBAL STATUS) and CPU per request, same load on both", costs),
            ("Load during profiling (wrk, POST /send 100 B)", wrk_out.strip()),
            ("Whole machine: CPU by process", report(system_data, "--sort", "comm", "--percent-limit", "0.5")),
            ("Whole machine: CPU by process and library", report(system_data, "--sort", "comm,dso", "--percent-limit", "1")),
            ("Responder: self time by library", report(process_data, "--no-children", "--sort", "dso", "-g", "none",
                                                       "--percent-limit", "0.5")),
            ("Responder: self time by function (top)", report(process_data, "--no-children", "--sort", "dso,symbol",
                                                              "-g", "none", "--percent-limit", "0.4")),
            ("Responder: inclusive time by function (children included)",
             report(process_data, "--children", "--sort", "symbol", "-g", "none", "--percent-limit", "2.5")),
        ]
    side = scenarios.side_names(settings)[0]
    text = [f"# perf profile of SealDrop's POST /send (100-byte sealed boxes over {settings.send_links:,} links)",
            f"# {side} (the stack's responder, `make bench`'s side A)",
            f"# {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {settings.connections} connections, "
            f"{settings.threads} responder threads, cpu-clock sampling, {seconds} s per profile", ""]
    for title, body in sections:
        text += [f"## {title}", "", body, ""]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "profile-send.txt"
    path.write_text("\n".join(text))
    print(f"profile: wrote {path}")


if __name__ == "__main__":
    main()
