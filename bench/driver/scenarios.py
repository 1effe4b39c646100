"""The scenarios of issues 6 and 13 and how each is run: every side `runs` times,
sides interleaved (and their order alternated) so drift on a shared machine hits
both, medians reported, the ratio first side / baseline taken from those medians.
Before every run InnoDB's purge is let catch up, so no run pays for an earlier one.

Two SealDrop sides run at once (bench/run.sh), same build, same processes and
threads, same nginx template, same MariaDB, both trusting nginx's X-Forwarded-For,
and every request comes from a random one of BENCH_ADDRESSES client addresses:
  limits on   the stack's responder (settings.port): the shipped default limits
  limits off  a second responder (settings.off_port): flood limits off or out of reach
Issue 13's scenarios compare them; issue 6's run on the limits-on side."""
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
    sealdrop_name: str = ""          # what the first side runs (its limits)


def side_names(settings: Settings) -> tuple[str, str]:
    """The two SealDrop sides, named with their limits and client addresses."""
    clients = f"{settings.addresses // 1000}k addresses" if settings.xff else "one address"
    return f"SealDrop, default limits, {clients}", f"SealDrop, limits off, {clients}"


def build(settings: Settings) -> list[Scenario]:
    s, ch, cs, off = settings.port, settings.ceiling_health_port, settings.ceiling_send_port, settings.off_port
    on_name, off_name = side_names(settings)
    limits_scenarios = {"link_info", "fetch_limits", "send_limits"}
    if not off and limits_scenarios & set(settings.scenarios):
        raise SystemExit("bench: the limits-on vs limits-off scenarios need the limits-off SealDrop (BENCH_OFF_PORT)")
    one = settings.one_process_port
    if not one and {"layout_health", "layout_send"} & set(settings.scenarios):
        raise SystemExit("bench: layout_health and layout_send need BENCH_LAYOUTS=1 (the one-process SealDrop)")
    per = settings.threads // max(1, settings.processes)
    layout_name, one_name = f"{on_name}, {settings.processes}×{per}", f"{on_name}, 1×{settings.threads}"

    def clear(group: str) -> Callable[[], None]:
        return lambda: database.clear_messages(settings, group)

    per_connection = settings.connections  # one wrk thread per connection

    def challenge_scenario(name: str, title: str, mode: str, target: float, note: str) -> Scenario:
        """challenge.lua in `mode` against its bearer mode: whole fetches, every run
        starting with no challenges outstanding."""
        return Scenario(name, title,
                        Load(s, "/fetch", "challenge.lua", (mode,), threads=per_connection),
                        Load(s, "/fetch", "challenge.lua", ("bearer",), threads=per_connection),
                        f"{on_name}: bearer /fetch, same driver", target, metric="ops_per_s",
                        sealdrop_name=f"{on_name}: {mode} /fetch",
                        before_each=lambda: database.clear_challenges(settings), note=note)

    spread = (f"{settings.send_links:,} links in turn, each request from a random one of "
              f"{settings.addresses:,} client addresses")
    table = [
        Scenario("link_info", "GET /l/{link_token} (JSON), default limits vs limits off",
                 Load(s, "/l/", "link_info.lua"), Load(off, "/l/", "link_info.lua"), off_name, 0.95,
                 sealdrop_name=on_name,
                 note=f"{spread}. With limits on, every request counts against its address's 300 a minute."),
        Scenario("fetch_limits", "POST /fetch (bearer), 10 waiting, default limits vs limits off",
                 Load(s, "/fetch", "fetch.lua", ("10",)), Load(off, "/fetch", "fetch.lua", ("10",)), off_name, 0.95,
                 sealdrop_name=on_name,
                 note=(f"64 links with 10 unseen 100-byte messages each (limit 200, so all come back), each request "
                       f"from a random one of {settings.addresses:,} client addresses.")),
        Scenario("send_limits", "POST /send 100 B, default limits vs limits off",
                 Load(s, "/send", "send.lua", ("100",)), Load(off, "/send", "send.lua", ("100",)), off_name, 0.95,
                 sealdrop_name=on_name, before_each=clear("bench-send"),
                 note=(f"{spread}; their messages (and mailbox counters) are cleared before every run of either "
                       "side. A link takes 60 sends a minute and 1000 messages by default: at 6,000/s for 10 s "
                       f"each link gets about {6000 * settings.duration // settings.send_links + 1}, so the "
                       "limits are checked on every send but should refuse none (non-2xx would show it).")),
        Scenario("health", "GET /health", Load(s, "/health", "health.lua"),
                 Load(ch, "/health", "health.lua"), "C libfcgi, fixed JSON", 0.9, sealdrop_name=on_name,
                 note=("SealDrop's /health trusts a connection that ran a statement within the last second and whose "
                       "socket is open (else it pings MariaDB); the ceiling answers from memory.")),
        Scenario("send_100", "POST /send, 100-byte sealed box", Load(s, "/send", "send.lua", ("100",)),
                 Load(cs, "/send", "send.lua", ("100",)), "C naive send (2 round trips)", 1.0,
                 sealdrop_name=on_name, before_each=clear("bench-send"),
                 note=f"{spread}; their messages are deleted, and InnoDB purge let finish, before every run of either side."),
        Scenario("send_16k", "POST /send, 16 KiB sealed box", Load(s, "/send", "send.lua", ("16k",)),
                 Load(cs, "/send", "send.lua", ("16k",)), "C naive send (2 round trips)", 1.0,
                 sealdrop_name=on_name, before_each=clear("bench-send"),
                 note=("The first 1,024 send links in turn (a 16 KiB box is 22 KB stored: 8 MiB holds about 380), "
                       "each request from a random client address; messages deleted before every run of either side.")),
        challenge_scenario("fetch_challenge", "challenge + signed /fetch, 10 waiting", "challenge", 0.45,
                           "Whole fetches per second: challenge_request + sign + fetch against one bearer fetch, "
                           "both by wrk with one thread per connection, each owning one of the 64 fetch-10 links, "
                           "both on the default-limits side (refusals would show as non-2xx and in the "
                           "challenge_/fetch_ status counts)."),
        challenge_scenario("fetch_chained", "chained challenge + signed /fetch (next_challenge), 10 waiting", "chained",
                           0.8,
                           "Whole fetches per second, as above, but each fetch asks for next_challenge and signs the "
                           "one the previous fetch returned: one request per fetch, as a polling client makes."),
        Scenario("register", "POST /register", Load(s, "/register", "register.lua"), sealdrop_name=on_name,
                 note=("Every request stores a new link (same valid Ed25519 key), from a random client address "
                       "(20 registrations an hour each by default).")),
        Scenario("fetch_200", "POST /fetch (bearer), 200 waiting", Load(s, "/fetch", "fetch.lua", ("200",)),
                 sealdrop_name=on_name,
                 note="16 links with 200 unseen 100-byte messages each; limit 200, so all come back."),
        Scenario("mixed", "mixed: 80% send, 15% fetch, 5% ack", Load(off, "/", "mixed.lua"),
                 sealdrop_name=off_name, before_each=clear("bench-mixed"),
                 note=("64 links at random; acks acknowledge ids an earlier fetch returned for that link. On the "
                       "limits-off side: some 4,000 sends a second to 64 links is far beyond 60 a minute each.")),
        Scenario("layout_health", "GET /health, processes × threads", Load(s, "/health", "health.lua"),
                 Load(one, "/health", "health.lua"), one_name, None, sealdrop_name=layout_name,
                 note=(f"The stack's SealDrop ({settings.processes} processes × {per} threads) against a third, "
                       f"also default limits, as one process of {settings.threads} threads (BENCH_LAYOUTS=1).")),
        Scenario("layout_send", "POST /send 100 B, processes × threads", Load(s, "/send", "send.lua", ("100",)),
                 Load(one, "/send", "send.lua", ("100",)), one_name, None, sealdrop_name=layout_name,
                 before_each=clear("bench-send"),
                 note=f"As layout_health, for /send over the {settings.send_links:,} send links."),
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
        # What the scripts counted (statuses by request kind, e.g. challenge_429), summed.
        "counts": {k: sum(r.get("counts", {}).get(k, 0) for r in runs)
                   for k in sorted({k for r in runs for k in r.get("counts", {})})},
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
        "sealdrop_name": scenario.sealdrop_name or "SealDrop",
        "sealdrop": summarise(results["sealdrop"], scenario.metric),
    }
    if scenario.baseline:
        out["baseline"] = summarise(results["baseline"], scenario.metric)
        base = out["baseline"]["rate"]
        # A side with no completed operations (every answer an error) has no rate.
        rate = out["sealdrop"]["rate"]
        out["ratio"] = round(rate / base, 3) if base and rate is not None else None
        out["ratios_per_run"] = [
            round(a.get(scenario.metric, 0) / b[scenario.metric], 3) if b.get(scenario.metric) else None
            for a, b in zip(results["sealdrop"], results["baseline"])]
    return out
