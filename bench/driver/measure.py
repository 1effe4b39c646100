"""Footprint measurements: the responder's RSS, a CGI-mode request's time
(hyperfine), the binary's size, and RSS over a long run."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import database
from cpu import children
import wrk
from settings import Settings
from wrk import Load


def pid_of(pid_file: Path) -> int:
    pid = int(pid_file.read_text().split()[0])
    os.kill(pid, 0)
    return pid


def rss_kb(pid: int) -> int:
    """VmRSS of a live process, in KiB (/proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"bench: no VmRSS for pid {pid}")


def memory(responder: int) -> tuple[int, dict]:
    """VmRSS (KiB) and its detail of the process whose memory counts: with
    `serve --processes N`, the largest of the supervisor's workers (each must stay
    within the RSS target); otherwise the responder itself."""
    workers = children(responder)
    pid = max(workers, key=rss_kb) if workers else responder
    return rss_kb(pid), rss_detail(pid)


def rss_detail(pid: int) -> dict:
    """VmRSS and its anonymous/file-backed parts (shared libraries count in RssFile)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM", "Threads"):
            fields[name] = int(value.split()[0])
    return fields


def binary_size(settings: Settings) -> dict:
    binary = settings.sealdrop_bin
    with tempfile.TemporaryDirectory() as tmp:
        stripped = Path(tmp) / "sealdrop"
        subprocess.run(["strip", "-o", str(stripped), str(binary)], check=True)
        stripped_size = stripped.stat().st_size
    libs = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    swift_libs = sorted({l.split()[0] for l in libs.splitlines() if "libswift" in l or "libdispatch" in l})
    return {"path": str(binary), "bytes": binary.stat().st_size, "stripped_bytes": stripped_size,
            "dynamic_swift_libraries": swift_libs}


def cgi_startup(settings: Settings) -> dict:
    """One GET /health in plain CGI mode, as a web server without FastCGI runs it:
    the binary with no arguments, CGI variables and SEALDROP_CONFIG in the
    environment, stdin not a socket. Timed by hyperfine without a shell."""
    env = {**os.environ, "REQUEST_METHOD": "GET", "DOCUMENT_URI": "/health", "REQUEST_URI": "/health",
           "SCRIPT_NAME": "", "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
           "SEALDROP_CONFIG": str(settings.config_file)}
    probe = subprocess.run([str(settings.sealdrop_bin)], env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
    first_line = probe.stdout.split(b"\r\n", 1)[0].decode(errors="replace")
    if probe.returncode != 0 or not first_line.startswith("Status: 200"):
        raise SystemExit(f"bench: CGI-mode /health did not answer 200: exit {probe.returncode}, {first_line!r}, "
                         f"{probe.stderr[-300:]!r}")
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "--shell=none", "--warmup", "5", "--runs", str(settings.cgi_runs),
                        "--export-json", export.name, str(settings.sealdrop_bin)],
                       env=env, check=True, capture_output=True)
        data = json.load(open(export.name))["results"][0]
    times = sorted(data["times"])
    return {"runs": len(times), "status_line": first_line, "mean_ms": round(data["mean"] * 1000, 2),
            "median_ms": round(data["median"] * 1000, 2), "min_ms": round(data["min"] * 1000, 2),
            "max_ms": round(data["max"] * 1000, 2), "stddev_ms": round((data["stddev"] or 0) * 1000, 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))] * 1000, 2)}


def long_run(settings: Settings, log=print) -> dict:
    """BENCH_LONG_REQUESTS requests of bench/lua/long.lua (health, fetch, send, link
    info, register; each wrk thread stops after its share), sampling the
    responder's RSS (its largest worker's, under a supervisor) every two seconds."""
    pid = pid_of(settings.responder_pid_file)
    database.clear_messages(settings, "bench-send")
    database.settle(settings)
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.wait(2.0):
            try:
                samples.append((round(time.monotonic() - started, 1), memory(pid)[0]))
            except (OSError, SystemExit):
                return
    before = memory(pid)[0]
    samples.append((0.0, before))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # A cap on time only in case it never gets there; each thread stops at its share.
    cap = max(60, settings.long_requests // 100)
    load = Load(settings.port, "/", "long.lua", extra_env={"BENCH_STOP_AFTER": str(settings.long_requests)})
    result = wrk.run(settings, load, cap, "long-run")
    stop.set()
    sampler.join()
    time.sleep(1)
    after = memory(pid)[0]
    samples.append((round(time.monotonic() - started, 1), after))
    log(f"bench:   long run: {result['requests']} requests in {result['seconds']} s, RSS {before} -> {after} KiB")
    return {"requested": settings.long_requests, "requests": result["requests"], "seconds": result["seconds"],
            "rps": result["rps"], "non2xx": result["non2xx"], "socket_errors": result["socket_errors"],
            "rss_before_kb": before, "rss_after_kb": after, "rss_max_kb": max(kb for _, kb in samples),
            "growth_kb": after - before, "samples": samples, "counts": result["counts"]}


def log_offset(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def log_summary(path: Path, offset: int) -> dict:
    """What a responder logged (to `path`) since `offset`: non-2xx answers by route
    and status, and its error lines by message (they carry no secrets)."""
    non2xx: dict[str, int] = {}
    errors: dict[str, int] = {}
    with open(path, "rb") as log:
        log.seek(offset)
        for raw in log:
            parts = raw.decode(errors="replace").rstrip("\n").split(" ", 2)
            if len(parts) < 3:
                continue
            rest = parts[2]
            if rest.startswith("error: "):
                message = rest[len("error: "):][:120]
                errors[message] = errors.get(message, 0) + 1
                continue
            fields = rest.split()
            if len(fields) >= 3 and fields[2].isdigit() and not fields[2].startswith("2"):
                key = f"{fields[0]} {fields[1]} {fields[2]}"
                non2xx[key] = non2xx.get(key, 0) + 1
    return {"non2xx": non2xx, "errors": errors}


def tool_versions() -> dict:
    def first_line(command: list[str]) -> str:
        if not shutil.which(command[0]):
            return "missing"
        out = subprocess.run(command, capture_output=True, text=True)
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"
    return {"wrk": first_line(["wrk", "--version"]), "hyperfine": first_line(["hyperfine", "--version"]),
            "nginx": first_line(["nginx", "-v"]), "mariadb": first_line(["mariadbd", "--version"]),
            "swift": first_line(["swift", "--version"])}
