#!/usr/bin/python3
"""The measuring half of `make bench` (bench/run.sh starts the stack and the
ceilings first): fixtures, every scenario, footprint, targets; writes
bench/results/latest.json for report.py."""
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import fixtures  # noqa: E402
import measure  # noqa: E402
import scenarios  # noqa: E402
from settings import REPO, Settings  # noqa: E402

MB = 1024  # KiB per MiB: RSS targets are in MiB


def log(text: str) -> None:
    print(text, flush=True)


def machine() -> dict:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "load_average_before": os.getloadavg(), "commit": commit + ("+changes" if dirty else ""),
            "tools": measure.tool_versions()}


def targets(result: dict, settings: Settings) -> list[dict]:
    by_name = {s["name"]: s for s in result["scenarios"]}
    out = []

    def ratio_target(name: str, label: str, goal: float) -> None:
        s = by_name.get(name)
        value = s.get("ratio") if s else None
        entry = {"target": label, "goal": f">= {goal}x", "value": None if value is None else f"{value:.2f}x",
                 "met": None if value is None else value >= goal}
        if s and s.get("baseline"):
            entry["sides"] = f"{s['sealdrop_name']} ÷ {s['baseline_name']}"
            entry["non2xx"] = [s["sealdrop"]["non2xx"] + s["sealdrop"]["socket_errors"],
                               s["baseline"]["non2xx"] + s["baseline"]["socket_errors"]]
        out.append(entry)

    # Issue 13: what the default limits cost, and issue 6's ratios on the limits-on side.
    ratio_target("link_info", "GET /l/{link_token}, default limits on ÷ off", 0.95)
    ratio_target("fetch_limits", "bearer /fetch, default limits on ÷ off", 0.95)
    ratio_target("send_limits", "/send 100 B, default limits on ÷ off", 0.95)
    ratio_target("fetch_challenge", "seed-flow challenge /fetch (2 requests) ÷ bearer /fetch", 0.45)
    ratio_target("fetch_chained", "chained challenge /fetch (next_challenge, 1 request) ÷ bearer /fetch", 0.8)
    ratio_target("send_100", "/send 100 B ÷ C naive send", 1.0)
    ratio_target("health", "/health ÷ C libfcgi health", 0.9)
    ratio_target("send_16k", "/send 16 KiB ÷ C naive send", 1.0)
    rss = result["rss"]
    out.append({"target": "RSS idle", "goal": "<= 20 MiB", "value": f"{rss['idle_kb'] / MB:.1f} MiB",
                "met": rss["idle_kb"] <= 20 * MB})
    long = result.get("long_run")
    if long:
        enough = long["requests"] >= 1_000_000
        out.append({"target": f"RSS growth over {long['requests']:,} requests", "goal": "<= 5 MiB per 1M requests",
                    "value": f"{long['growth_kb'] / MB:+.1f} MiB" + ("" if enough else " (fewer than 1M requests)"),
                    "met": long["growth_kb"] <= 5 * MB if enough else None})
    cgi = result.get("cgi")
    if cgi:
        out.append({"target": "CGI-mode request (median)", "goal": "<= 15 ms", "value": f"{cgi['median_ms']:.1f} ms",
                    "met": cgi["median_ms"] <= 15})
    bad = sum(s[side]["non2xx"] + s[side]["socket_errors"]
              for s in result["scenarios"] for side in ("sealdrop", "baseline") if side in s)
    if long:
        bad += long["non2xx"] + long["socket_errors"]
    out.append({"target": "unintended non-2xx / socket errors", "goal": "0", "value": str(bad), "met": bad == 0})
    return out


def main() -> None:
    settings = Settings()
    started = time.time()
    result = {"generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "settings": {"threads": settings.threads, "connections": settings.connections,
                           "duration_s": settings.duration, "runs": settings.runs,
                           "long_requests": settings.long_requests, "cgi_runs": settings.cgi_runs,
                           "scenarios": settings.scenarios, "send_links": settings.send_links,
                           "addresses": settings.addresses if settings.xff else 0,
                           "processes": settings.processes,
                           "sides": dict(zip(("limits_on", "limits_off"), scenarios.side_names(settings)))},
              "machine": machine()}
    responder = measure.pid_of(settings.responder_pid_file)
    time.sleep(1)
    rss = {}
    rss["idle_kb"], rss["idle_detail"] = measure.memory(responder)
    ceilings = {}
    for name in ("health", "send"):
        ceilings[f"{name}_idle_kb"] = measure.rss_kb(measure.pid_of(settings.run_dir / "ceiling" / f"{name}.pid"))
    logs = {"limits_on": settings.run_dir / "sealdrop.log", "limits_off": settings.off_dir / "sealdrop.log"}
    log_start = {side: measure.log_offset(path) for side, path in logs.items()}
    log(f"bench: responder pid {responder}, idle RSS {rss['idle_kb']} KiB; making fixtures")
    made = time.monotonic()
    fixtures.make(settings)
    log(f"bench: fixtures made in {time.monotonic() - made:.0f} s")
    result["mailboxes_before"] = fixtures.check_mailboxes(settings)

    result["scenarios"] = []
    for scenario in scenarios.build(settings):
        log(f"bench: scenario {scenario.name}: {scenario.title}")
        result["scenarios"].append(scenarios.run(settings, scenario, log))
    result["mailboxes_after"] = fixtures.check_mailboxes(settings)
    time.sleep(2)
    rss["after_runs_kb"], rss["after_runs_detail"] = measure.memory(responder)
    for name in ("health", "send"):
        ceilings[f"{name}_after_kb"] = measure.rss_kb(measure.pid_of(settings.run_dir / "ceiling" / f"{name}.pid"))
    rss["ceilings"] = ceilings
    if settings.long_requests > 0:
        log(f"bench: long run of {settings.long_requests:,} requests (RSS growth)")
        result["long_run"] = measure.long_run(settings, log)
        rss["after_long_run_kb"], rss["after_long_run_detail"] = measure.memory(responder)
    result["rss"] = rss
    log("bench: CGI-mode start-up (hyperfine)")
    result["cgi"] = measure.cgi_startup(settings)
    result["binary"] = measure.binary_size(settings)
    result["responder_log"] = {side: measure.log_summary(path, log_start[side]) for side, path in logs.items()
                               if path.exists()}
    result["targets"] = targets(result, settings)
    result["elapsed_s"] = round(time.time() - started)
    result["machine"]["load_average_after"] = os.getloadavg()

    settings.results_dir.mkdir(parents=True, exist_ok=True)
    path = settings.results_dir / "latest.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(path)
    log(f"bench: wrote {path} ({result['elapsed_s']} s)")


if __name__ == "__main__":
    main()
