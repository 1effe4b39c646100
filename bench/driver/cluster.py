#!/usr/bin/python3
"""The measuring half of `make bench-cluster` (bench/cluster.sh starts both sides
first): one MariaDB server against a 3-node Galera cluster, through nginx, with the
fixtures and wrk scripts of `make bench`. Each scenario gets an unrecorded warm-up
per side, then BENCH_RUNS runs per side, the sides alternating (and swapping order
every run) so a busy moment on the shared machine hits both; medians are reported.
Also measured: the conflicts the cluster's nodes met (their wsrep status), and what
wsrep_sync_wait costs one read on a node, idle and while another node takes sends.
Writes bench/results/cluster.{json,md}."""
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import database  # noqa: E402
import fixtures  # noqa: E402
import wrk  # noqa: E402
from settings import REPO, Settings  # noqa: E402
from wrk import Load  # noqa: E402

CLUSTER_DIR = Path(os.environ["CLUSTER_DIR"])
BASE = int(os.environ["CLUSTER_PORT_BASE"])


def log(text: str) -> None:
    print(f"bench-cluster: {text}", flush=True)


def side(name: str) -> Settings:
    """A side's port and the run directory its database is administered from (the
    variant shares the cluster's nodes, data and fixtures)."""
    settings = Settings()
    if name == "one":
        settings.port, settings.run_dir = int(os.environ["BENCH_ONE_PORT"]), Path(os.environ["BENCH_ONE_DIR"])
    else:
        settings.port = BASE + 4 if name == "variant" else BASE
        settings.run_dir = Path(os.environ["BENCH_CLUSTER_DATA"])
    return settings


def retrying(action) -> None:
    """Runs a database chore again while a node aborts it for a conflict with
    requests the previous run left in flight."""
    for attempt in range(10):
        try:
            action()
            return
        except SystemExit as error:
            if "1213" not in str(error) or attempt == 9:
                raise
            time.sleep(0.5)


def scenarios(settings: Settings) -> list[tuple[str, str, Load, str, object, int]]:
    """(name, title, load, metric, before each run, connections)."""
    port, connections = settings.port, settings.connections
    clear_sends = lambda: database.clear_messages(settings, "bench-send")  # noqa: E731
    return [
        ("send_100", "POST /send, 100-byte sealed box", Load(port, "/send", "send.lua", ("100",)), "rps",
         clear_sends, connections),
        # One request at a time: what a send's commit costs, without queueing.
        ("send_100_serial", "POST /send, 100-byte sealed box, 1 connection",
         Load(port, "/send", "send.lua", ("100",), threads=1), "rps", clear_sends, 1),
        ("fetch_10", "POST /fetch (bearer), 10 waiting", Load(port, "/fetch", "fetch.lua", ("10",)), "rps", None,
         connections),
        ("fetch_challenge", "challenge_request + signed /fetch, 10 waiting",
         Load(port, "/fetch", "challenge.lua", ("challenge",), threads=connections), "ops_per_s",
         lambda: database.clear_challenges(settings), connections),
    ]


def conflicts() -> int:
    """Transactions the cluster's nodes aborted for a conflict with another node."""
    total = 0
    for node in (1, 2, 3):
        out = subprocess.run([str(REPO / "scripts/cluster.sh"), "sql", str(node),
                              "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')"],
                             capture_output=True, text=True, env={**os.environ}).stdout
        total += sum(int(line.split("\t")[1]) for line in out.splitlines() if "\t" in line)
    return total


def measure(sides: dict[str, Settings]) -> list[dict]:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    out = []
    per_side = {name: scenarios(settings) for name, settings in sides.items()}
    for index, (name, title, _, metric, _, connections) in enumerate(next(iter(per_side.values()))):
        log(f"scenario {name}: {title}")
        results: dict[str, list[dict]] = {s: [] for s in sides}
        order = list(sides)
        for s in order:
            _, _, load, _, before, _ = per_side[s][index]
            if before:
                retrying(before)
            wrk.run(sides[s], load, max(1, sides[s].duration // 5), f"cluster-{name}-{s}-warmup", connections)
        for rep in range(runs):
            for s in (order if rep % 2 == 0 else list(reversed(order))):
                _, _, load, _, before, _ = per_side[s][index]
                if before:
                    retrying(before)
                on_cluster = s != "one"
                aborted = conflicts() if on_cluster else 0
                result = wrk.run(sides[s], load, sides[s].duration, f"cluster-{name}-{s}-{rep + 1}", connections)
                if on_cluster:
                    result["conflicts"] = conflicts() - aborted
                results[s].append(result)
                log(f"  {name} {s} run {rep + 1}: {result.get(metric, result['rps'])}/s, "
                    f"p99 {result.get('op_p99_ms' if metric == 'ops_per_s' else 'p99_ms')} ms, "
                    f"non-2xx {result['non2xx']}, socket errors {result['socket_errors']}")
        entry = {"name": name, "title": title, "metric": metric}
        for s, rs in results.items():
            p99 = "op_p99_ms" if metric == "ops_per_s" else "p99_ms"
            p50 = "op_p50_ms" if metric == "ops_per_s" else "p50_ms"
            entry[s] = {"rate": statistics.median(r.get(metric, 0) for r in rs),
                        "p50_ms": statistics.median(r.get(p50, 0) for r in rs),
                        "p99_ms": statistics.median(r.get(p99, 0) for r in rs),
                        "non2xx": sum(r["non2xx"] for r in rs), "socket_errors": sum(r["socket_errors"] for r in rs),
                        "requests": sum(r["requests"] for r in rs), "runs": rs}
            if s != "one":
                entry[s]["conflicts_per_1000"] = round(
                    1000 * sum(r["conflicts"] for r in rs) / max(1, entry[s]["requests"]), 2)
        out.append(entry)
    return out


def statement_micros(node: int, sync_wait: int, link_token: str, count: int = 2000) -> float:
    """Microseconds per SELECT of a link's messages on node `node`, through one
    client session, with wsrep_sync_wait set as given."""
    cnf = Path(os.readlink(CLUSTER_DIR / "nodes") if (CLUSTER_DIR / "nodes").is_symlink() else CLUSTER_DIR / "nodes")
    select = f"SELECT id FROM messages WHERE link_token = '{link_token}' ORDER BY id DESC LIMIT 50;\n"
    script = f"SET SESSION wsrep_sync_wait = {sync_wait};\n" + select * count
    started = time.monotonic()
    subprocess.run(["mariadb", f"--defaults-file={cnf / f'node{node}' / 'my.cnf'}", "--batch", "sealdrop"],
                   input=script, capture_output=True, text=True, check=True)
    return (time.monotonic() - started) * 1e6 / count


def sync_wait_cost(cluster: Settings) -> dict:
    """A read's cost of waiting for the node to catch up, idle and while node 1 takes sends."""
    link = database.sql(cluster, "SELECT link_token FROM clients WHERE display_name = 'bench-fetch10' LIMIT 1").strip()
    out = {}
    for label, busy in (("idle", False), ("sends through the cluster", True)):
        load = None
        if busy:
            load = threading.Thread(target=lambda: wrk.run(cluster, Load(cluster.port, "/send", "send.lua", ("100",)),
                                                           12, "cluster-syncwait-load"))
            load.start()
            time.sleep(2)
        samples = {0: [], 3: []}
        for _ in range(3):
            for wait in (0, 3):
                samples[wait].append(statement_micros(2, wait, link))
        if load:
            load.join()
        off, on = statistics.median(samples[0]), statistics.median(samples[3])
        out[label] = {"without_us": round(off, 1), "with_us": round(on, 1), "cost_us": round(on - off, 1)}
        log(f"wsrep_sync_wait, {label}: {off:.0f} us per read without, {on:.0f} us with")
    return out


def report(result: dict) -> str:
    lines = [f"# One node vs 3-node Galera cluster ({result['generated_at']})", "",
             f"{result['machine']}; {result['settings']}", "",
             "| scenario | side | per second | p50 ms | p99 ms | vs one node | conflicts per 1000 |",
             "|---|---|---|---|---|---|---|"]
    for s in result["scenarios"]:
        one = s.get("one")
        for name in ("one", "cluster", "variant"):
            v = s.get(name)
            if not v:
                continue
            ratio = f"{v['rate'] / one['rate']:.2f}x" if one and one["rate"] else "-"
            lines.append(f"| {s['title']} | {name} | {v['rate']:.0f} | {v['p50_ms']:.1f} | {v['p99_ms']:.1f} | {ratio} | "
                         f"{v.get('conflicts_per_1000', '-')} |")
    if "sync_wait" in result:
        lines += ["", "wsrep_sync_wait per read (SELECT of a link's messages, one session on node 2):", ""]
        for label, v in result["sync_wait"].items():
            lines.append(f"- {label}: {v['without_us']} us without, {v['with_us']} us with (+{v['cost_us']} us)")
    lines.append("")
    for name in ("one", "cluster", "variant"):
        bad = sum(s[name]["non2xx"] + s[name]["socket_errors"] for s in result["scenarios"] if name in s)
        if any(name in s for s in result["scenarios"]):
            lines.append(f"non-2xx answers and socket errors, {name}: {bad}")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    started = time.time()
    sides = {name: side(name) for name in os.environ.get("BENCH_SIDES", "one,cluster").split(",")}
    for name, settings in sides.items():
        if name != "variant":
            log(f"fixtures on {name} (port {settings.port})")
            fixtures.make(settings)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {"generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": f"{cpu}, {os.cpu_count()} cores, commit {commit}, load before {os.getloadavg()[0]:.1f}",
              "settings": (f"sides {', '.join(sides)}; {os.environ.get('BENCH_DURATION', '10')} s x {os.environ.get('BENCH_RUNS', '3')} runs per side, "
                           f"{next(iter(sides.values())).connections} connections, 6 responder threads per side"),
              "scenarios": measure(sides)}
    if "cluster" in sides:
        result["sync_wait"] = sync_wait_cost(sides["cluster"])
    result["elapsed_s"] = round(time.time() - started)
    results = Path(os.environ["BENCH_RESULTS_DIR"])
    results.mkdir(parents=True, exist_ok=True)
    (results / "cluster.json").write_text(json.dumps(result, indent=1) + "\n")
    (results / "cluster.md").write_text(report(result))
    print(report(result))
    log(f"wrote {results / 'cluster.md'} and cluster.json ({result['elapsed_s']} s)")


if __name__ == "__main__":
    main()
