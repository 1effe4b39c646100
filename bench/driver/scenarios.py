"""The scenarios of issue 6 and how each is run: every side `runs` times, sides
interleaved (and their order alternated) so drift on a shared machine hits both,
medians reported, the ratio SealDrop / baseline taken from those medians. Before
every run InnoDB's purge is let catch up, so no run pays for an earlier one."""
import statistics
import sys
from dataclasses import dataclass
from typing import Callable

import cpu
import database
import wrk
from settings import Settings
from wrk import Load


@dataclass
class Scenario:
    name: str
    title: str
    sealdrop: Load
    baseline: Load | None = None
    baseline_name: str = ""
    target: float | None = None      # SealDrop / baseline must reach this
    metric: str = "rps"              # "rps", or "ops_per_s" for whole fetches
    before_each: Callable[[], None] | None = None
    note: str = ""


def build(settings: Settings) -> list[Scenario]:
    s, ch, cs = settings.port, settings.ceiling_health_port, settings.ceiling_send_port

    def clear(group: str) -> Callable[[], None]:
        return lambda: database.clear_messages(settings, group)

    per_connection = settings.connections  # one wrk thread per connection

    def challenge_scenario(name: str, title: str, mode: str, note: str) -> Scenario:
        """challenge.lua in `mode` against its bearer mode: whole fetches, every run
        starting with no challenges outstanding."""
        return Scenario(name, title,
                        Load(s, "/fetch", "challenge.lua", (mode,), threads=per_connection),
                        Load(s, "/fetch", "challenge.lua", ("bearer",), threads=per_connection),
                        "bearer /fetch, same driver", 0.6, metric="ops_per_s",
                        before_each=lambda: database.clear_challenges(settings), note=note)

    table = [
        Scenario("health", "GET /health", Load(s, "/health", "health.lua"),
                 Load(ch, "/health", "health.lua"), "C libfcgi, fixed JSON", 0.9,
                 note=("SealDrop's /health trusts a connection that ran a statement within the last second and whose "
                       "socket is open (else it pings MariaDB); the ceiling answers from memory.")),
        Scenario("register", "POST /register", Load(s, "/register", "register.lua"),
                 note="Every request stores a new link (same valid Ed25519 key)."),
        Scenario("send_100", "POST /send, 100-byte sealed box", Load(s, "/send", "send.lua", ("100",)),
                 Load(cs, "/send", "send.lua", ("100",)), "C naive send (2 round trips)", 1.0,
                 before_each=clear("bench-send"),
                 note="256 links in turn; their messages are deleted, and InnoDB purge let finish, before every run of either side."),
        Scenario("send_16k", "POST /send, 16 KiB sealed box", Load(s, "/send", "send.lua", ("16k",)),
                 Load(cs, "/send", "send.lua", ("16k",)), "C naive send (2 round trips)", 1.0,
                 before_each=clear("bench-send"),
                 note="256 links in turn; their messages are deleted, and InnoDB purge let finish, before every run of either side."),
        Scenario("fetch_10", "POST /fetch (bearer), 10 waiting", Load(s, "/fetch", "fetch.lua", ("10",)),
                 note="64 links with 10 unseen 100-byte messages each; limit 200, so all come back."),
        Scenario("fetch_200", "POST /fetch (bearer), 200 waiting", Load(s, "/fetch", "fetch.lua", ("200",)),
                 note="16 links with 200 unseen 100-byte messages each; limit 200, so all come back."),
        challenge_scenario("fetch_challenge", "challenge + signed /fetch, 10 waiting", "challenge",
                           "Whole fetches per second: challenge_request + sign + fetch against one bearer fetch, "
                           "both by wrk with one thread per connection, each owning one of the 64 fetch-10 links."),
        challenge_scenario("fetch_chained", "chained challenge + signed /fetch (next_challenge), 10 waiting", "chained",
                           "Whole fetches per second, as above, but each fetch asks for next_challenge and signs the "
                           "one the previous fetch returned: one request per fetch, as a polling client makes."),
        Scenario("mixed", "mixed: 80% send, 15% fetch, 5% ack", Load(s, "/", "mixed.lua"),
                 before_each=clear("bench-mixed"),
                 note="64 links at random; acks acknowledge ids an earlier fetch returned for that link."),
    ]
    return [sc for sc in table if sc.name in settings.scenarios]


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 3) if values else None


def summarise(runs: list[dict], metric: str) -> dict:
    out = {
        "runs": runs,
        "rate": _median(runs, metric),
        "rps": _median(runs, "rps"),
        "p50_ms": _median(runs, "op_p50_ms" if metric == "ops_per_s" else "p50_ms"),
        "p99_ms": _median(runs, "op_p99_ms" if metric == "ops_per_s" else "p99_ms"),
        "request_p50_ms": _median(runs, "p50_ms"),
        "request_p99_ms": _median(runs, "p99_ms"),
        "non2xx": sum(r["non2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }
    for field in ("cpu_ms_per_request", "db_per_request"):
        keys = runs[0].get(field, {}).keys()
        out[field] = {k: _median([r[field] for r in runs], k) for k in keys}
    return out


def run(settings: Settings, scenario: Scenario, log=print) -> dict:
    sides = [("sealdrop", scenario.sealdrop)]
    if scenario.baseline:
        sides.append(("baseline", scenario.baseline))
    # A short unrecorded warm-up of each side: connections, caches, buffer pool.
    for name, load in sides:
        if scenario.before_each:
            scenario.before_each()
        wrk.run(settings, load, max(1, settings.duration // 5), f"{scenario.name}-{name}-warmup")
    results = {name: [] for name, _ in sides}
    for rep in range(settings.runs):
        order = sides if rep % 2 == 0 else list(reversed(sides))
        for name, load in order:
            if scenario.before_each:
                scenario.before_each()
            waited = database.settle(settings)
            procs = cpu.processes(settings, load.port)
            before, db_before = cpu.snapshot(procs), database.status(settings)
            result = wrk.run(settings, load, settings.duration, f"{scenario.name}-{name}-{rep + 1}")
            result["cpu_ms_per_request"] = cpu.per_request(before, cpu.snapshot(procs), result["requests"])
            result["db_per_request"] = database.per_request(db_before, database.status(settings), result["requests"])
            result["purge_wait_s"] = waited
            results[name].append(result)
            log(f"bench:   {scenario.name} {name} run {rep + 1}: {result.get(scenario.metric, result['rps'])}/s, "
                f"p99 {result['p99_ms']} ms, non-2xx {result['non2xx']}, socket errors {result['socket_errors']}")
            sys.stdout.flush()
    out = {
        "name": scenario.name, "title": scenario.title, "metric": scenario.metric, "note": scenario.note,
        "baseline_name": scenario.baseline_name, "target": scenario.target,
        "sealdrop": summarise(results["sealdrop"], scenario.metric),
    }
    if scenario.baseline:
        out["baseline"] = summarise(results["baseline"], scenario.metric)
        base = out["baseline"]["rate"]
        out["ratio"] = round(out["sealdrop"]["rate"] / base, 3) if base else None
        out["ratios_per_run"] = [
            round(a.get(scenario.metric, 0) / b[scenario.metric], 3) if b.get(scenario.metric) else None
            for a, b in zip(results["sealdrop"], results["baseline"])]
    return out
