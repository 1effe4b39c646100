#!/usr/bin/python3
"""Turns bench/results/latest.json into latest.md (tables) and latest.png (the
chart: ratios against targets, throughput, latency, RSS over the long run).

    report.py bench/results/latest.json
"""
import json
import sys
from pathlib import Path

MB = 1024
SHORT = {"link_info": "GET /l/… on vs off", "fetch_limits": "/fetch bearer on vs off",
         "send_limits": "/send 100 B on vs off", "layout_health": "GET /health, layouts",
         "layout_send": "/send 100 B, layouts",
         "health": "GET /health", "register": "POST /register", "send_100": "/send 100 B",
         "send_16k": "/send 16 KiB", "fetch_10": "/fetch bearer, 10 waiting",
         "fetch_200": "/fetch bearer, 200 waiting", "fetch_challenge": "/fetch challenge vs bearer",
         "fetch_chained": "/fetch chained challenge vs bearer",
         "mixed": "mixed 80/15/5"}


def fmt_rate(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def met_mark(met) -> str:
    return {True: "✅ met", False: "❌ not met", None: "— n/a"}[met]


def side_cells(side: dict | None) -> list[str]:
    if not side:
        return ["", "", "", "", ""]
    return [fmt_rate(side["rate"]), fmt_ms(side["p50_ms"]), fmt_ms(side["p99_ms"]),
            f"{side['non2xx']:,}", f"{side['socket_errors']:,}"]


def first_name(sc: dict) -> str:
    return sc.get("sealdrop_name") or "SealDrop"


def markdown(data: dict) -> str:
    s, m = data["settings"], data["machine"]
    out = [f"# SealDrop benchmark — {data['generated_at']}", ""]
    out.append(f"Commit `{m['commit']}` · {m['cpu']}, {m['cores']} cores, Linux {m['kernel']} · "
               f"load average before {m['load_average_before'][0]:.2f}, "
               f"after {m.get('load_average_after', [0])[0]:.2f} (the machine is shared).")
    out.append(f"Each side: {s['runs']} runs × {s['duration_s']} s, {s['connections']} connections, "
               f"median reported; responder and ceilings with {s['threads']} worker threads on a unix socket "
               f"behind nginx (no upstream keepalive), one private MariaDB. Measuring took {data['elapsed_s']} s.")
    sides = s.get("sides")
    if sides:
        processes = s.get("processes", 2)
        clients = (f"every request from a random one of {s['addresses']:,} client addresses in X-Forwarded-For "
                   "(one in ten an IPv6 /64), which both SealDrop sides believe (SEALDROP_TRUSTED_PROXIES=127.0.0.1)"
                   if s.get("addresses") else "every request from 127.0.0.1 (no X-Forwarded-For)")
        out += ["", "Sides (same build, both `serve --processes "
                f"{processes} --threads {s['threads'] // max(1, processes)}`, same nginx template, same MariaDB):", "",
                f"- **{sides['limits_on']}**: the shipped defaults, no limit variable set (60 sends a minute and "
                "1000 messages / 8 MiB per link, 300 requests a minute and 20 registrations an hour per address; "
                "per-address counts folded into the database about once a second).",
                f"- **{sides['limits_off']}**: SEALDROP_LINK_SENDS_PER_MINUTE=0, ADDRESS_REQUESTS_PER_MINUTE=0, "
                "ADDRESS_REGISTRATIONS_PER_HOUR=0, ADDRESS_PERMISSION_REQUESTS_PER_DAY=0, mailbox 10M messages / "
                "1 TiB (what the bench ran before issue 13).",
                f"- Load: {clients}; /send spread over {s.get('send_links', 0):,} links."]
    out += ["", "## Targets", "",
            "Ratios: side A ÷ side B, medians of interleaved runs; errors = non-2xx + socket errors of each side.", "",
            "| target | side A ÷ side B | goal | measured | errors A / B | |", "|---|---|---|---|---|---|"]
    for t in data["targets"]:
        errors = f"{t['non2xx'][0]:,} / {t['non2xx'][1]:,}" if t.get("non2xx") else ""
        out.append(f"| {t['target']} | {t.get('sides', '')} | {t['goal']} | {t['value'] or '—'} | {errors} "
                   f"| {met_mark(t['met'])} |")
    met = sum(1 for t in data["targets"] if t["met"])
    out += ["", f"**{met} of {len(data['targets'])} targets met.**", ""]

    out += ["## Scenarios", "",
            "Rates are requests/s, except challenge vs bearer: whole fetches/s (a challenge fetch is two "
            "requests, a chained one one) with the latency of a whole fetch. non-2xx and socket errors are summed "
            "over all runs of the side. Ratio = side A ÷ side B, from the medians.", "",
            "| scenario | side A | /s | p50 ms | p99 ms | non-2xx | sock err | side B | /s | p50 ms | p99 ms "
            "| non-2xx | sock err | ratio A÷B | target |",
            "|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|"]
    for sc in data["scenarios"]:
        ratio = "—" if sc.get("ratio") is None else f"**{sc['ratio']:.2f}×**"
        target = "" if sc.get("target") is None else f"≥ {sc['target']}×"
        out.append("| " + " | ".join([sc["title"], first_name(sc), *side_cells(sc["sealdrop"]),
                                       sc.get("baseline_name") or "", *side_cells(sc.get("baseline")), ratio,
                                       target]) + " |")
    counted = [(sc, side) for sc in data["scenarios"] for side in ("sealdrop", "baseline")
               if any(k.split("_")[-1].isdigit() for k in sc.get(side, {}).get("counts", {}))]
    if counted:
        out += ["", "Statuses the scripts counted, by request kind (all runs):", ""]
        for sc, side in counted:
            name = first_name(sc) if side == "sealdrop" else sc.get("baseline_name")
            counts = sc[side]["counts"]
            text = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k.split("_")[-1].isdigit())
            out.append(f"- {sc['name']}, {name}: {text}")
    out += ["", "Per run (side A / side B, in run order):", ""]
    for sc in data["scenarios"]:
        key = sc["metric"]
        line = ", ".join(fmt_rate(r.get(key)) for r in sc["sealdrop"]["runs"])
        if sc.get("baseline"):
            line += " / " + ", ".join(fmt_rate(r.get(key)) for r in sc["baseline"]["runs"])
            line += f" — ratios {sc['ratios_per_run']}"
        crashes = sum(len(r.get("wrk_crashes_retried", [])) for side in ("sealdrop", "baseline")
                      for r in sc.get(side, {}).get("runs", []))
        if crashes:
            line += f" (wrk crashed {crashes}× and was re-run)"
        out.append(f"- {sc['name']}: {line}")

    out += ["", "CPU time per request (ms, median over runs; from /proc utime+stime of each process, so it "
            "counts CPU actually used, not time spent waiting):", "",
            "| scenario | side | responder | nginx | mariadbd | total |", "|---|---|--:|--:|--:|--:|"]
    for sc in data["scenarios"]:
        for side, label in (("sealdrop", first_name(sc)), ("baseline", sc.get("baseline_name") or "")):
            c = sc.get(side, {}).get("cpu_ms_per_request")
            if c:
                out.append(f"| {SHORT.get(sc['name'], sc['name'])} | {label} | {c.get('responder', 0):.3f} | "
                           f"{c.get('nginx', 0):.3f} | {c.get('mariadbd', 0):.3f} | {c.get('total', 0):.3f} |")

    out += ["", "MariaDB work per request (median over runs; change of `SHOW GLOBAL STATUS` counters ÷ requests: "
            "statements, index lookups, index rows stepped through, rows written, lock waits, deadlocks):", "",
            "| scenario | side | statements | read_key | read_next | write | lock waits | deadlocks |",
            "|---|---|--:|--:|--:|--:|--:|--:|"]
    for sc in data["scenarios"]:
        for side, label in (("sealdrop", first_name(sc)), ("baseline", sc.get("baseline_name") or "")):
            d = sc.get(side, {}).get("db_per_request")
            if d:
                out.append(f"| {SHORT.get(sc['name'], sc['name'])} | {label} | {d.get('Questions', 0):.2f} | "
                           f"{d.get('Handler_read_key', 0):.2f} | {d.get('Handler_read_next', 0):.2f} | "
                           f"{d.get('Handler_write', 0):.2f} | {d.get('Innodb_row_lock_waits', 0):.4f} | "
                           f"{d.get('Innodb_deadlocks', 0):.4f} |")

    rss = data["rss"]
    out += ["", "## Footprint", "",
            f"- **RSS idle** (fresh responder, DB connections open): {rss['idle_kb'] / MB:.1f} MiB VmRSS "
            f"({rss['idle_detail']['RssAnon'] / MB:.1f} MiB anonymous, {rss['idle_detail']['RssFile'] / MB:.1f} MiB "
            f"file-backed: binary and shared libraries).",
            f"- **RSS after the scenarios**: {rss['after_runs_kb'] / MB:.1f} MiB "
            f"({rss['after_runs_detail']['RssAnon'] / MB:.1f} MiB anonymous).",
            f"- Ceilings for comparison: health {rss['ceilings']['health_after_kb'] / MB:.1f} MiB, "
            f"send {rss['ceilings']['send_after_kb'] / MB:.1f} MiB after the runs."]
    long = data.get("long_run")
    if long:
        out.append(f"- **Long run**: {long['requests']:,} requests (asked: {long['requested']:,}; 30% /health, "
                   f"30% bearer /fetch, 25% /send, 10% GET /l/…, 5% /register) in "
                   f"{long['seconds']:.0f} s ({long['rps']:,.0f}/s, {long['non2xx'] + long['socket_errors']} errors); "
                   f"RSS {long['rss_before_kb'] / MB:.2f} → {long['rss_after_kb'] / MB:.2f} MiB "
                   f"(growth {long['growth_kb'] / MB:+.2f} MiB, peak {long['rss_max_kb'] / MB:.2f} MiB).")
    cgi = data["cgi"]
    out.append(f"- **CGI-mode GET /health** ({cgi['runs']} runs, hyperfine, no shell; binary run with CGI "
               f"variables and SEALDROP_CONFIG, connects to MariaDB, answers, exits): median {cgi['median_ms']:.1f} ms, "
               f"mean {cgi['mean_ms']:.1f} ± {cgi['stddev_ms']:.1f} ms, p90 {cgi['p90_ms']:.1f} ms, "
               f"max {cgi['max_ms']:.1f} ms.")
    b = data["binary"]
    out.append(f"- **Binary**: {b['bytes'] / 1e6:.2f} MB as built (`swift build -c release`, with debug info), "
               f"{b['stripped_bytes'] / 1e6:.2f} MB stripped; links the Swift runtime dynamically "
               f"({len(b['dynamic_swift_libraries'])} libraries from the toolchain).")

    logged = data.get("responder_log", {})
    if "non2xx" in logged or "errors" in logged:  # before issue 13: one responder
        logged = {"limits_off": logged}
    names = (data["settings"].get("sides") or {})
    if any(l.get("non2xx") or l.get("errors") for l in logged.values()):
        out += ["", "## Errors the responders logged", "",
                "From their logs over the whole run (fixtures and warm-ups included, so counts can exceed the "
                "tables'):", ""]
        for side, log in logged.items():
            if not (log.get("non2xx") or log.get("errors")):
                continue
            out.append(f"- **{names.get(side, side)}**:")
            for key, n in sorted(log.get("non2xx", {}).items(), key=lambda kv: -kv[1]):
                out.append(f"  - {n:,} × `{key}`")
            for key, n in sorted(log.get("errors", {}).items(), key=lambda kv: -kv[1]):
                out.append(f"  - {n:,} × error: `{key}`")
    out += ["", "## What each scenario does", ""]
    for sc in data["scenarios"]:
        versus = f" ÷ {sc['baseline_name']}" if sc.get("baseline_name") else " (no baseline)"
        out.append(f"- **{sc['title']}** ({first_name(sc)}{versus}) — {sc['note']}")
    out += ["", "Raw wrk output of every run is kept in the bench run directory (`.run/bench/raw/`).", ""]
    return "\n".join(out)


def chart(data: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(15, 12))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.1, 3, 3], hspace=0.35, wspace=0.45,
                            left=0.16, right=0.97, top=0.93, bottom=0.05)
    axes = [[fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])],
            [fig.add_subplot(grid[2, 0]), fig.add_subplot(grid[2, 1])]]
    met = sum(1 for t in data["targets"] if t["met"])
    fig.suptitle(f"SealDrop benchmark {data['generated_at'][:16]} · commit {data['machine']['commit']} · "
                 f"{met}/{len(data['targets'])} targets met", fontsize=14, fontweight="bold")
    green, red, grey, blue = "#2e9e4f", "#d64541", "#9aa0a6", "#3b6fb6"

    # (0) Every target, green when met, red when not, grey when not measured.
    ax = fig.add_subplot(grid[0, :])
    ax.axis("off")
    rows = len(data["targets"])
    for i, t in enumerate(data["targets"]):
        color = {True: green, False: red, None: grey}[t["met"]]
        mark = {True: "MET", False: "NOT MET", None: "n/a"}[t["met"]]
        ax.text(-0.1, 1 - i / rows, f"{mark:>7}  {t['target']:<70} {t['value'] or '—':<36} goal {t['goal']}",
                color=color, fontsize=9, va="top", family="monospace", transform=ax.transAxes)

    # (1) Ratios against their targets.
    ax = axes[0][0]
    rated = [sc for sc in data["scenarios"] if sc.get("ratio") is not None and sc.get("target") is not None]
    names = [SHORT.get(sc["name"], sc["name"]) for sc in rated]
    ratios = [sc["ratio"] for sc in rated]
    colors = [green if sc["ratio"] >= sc["target"] else red for sc in rated]
    y = range(len(rated))
    ax.barh(list(y), ratios, color=colors)
    for i, sc in enumerate(rated):
        ax.plot([sc["target"]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
        ax.text(max(sc["ratio"], sc["target"]) + 0.03, i, f"{sc['ratio']:.2f}× (target {sc['target']}×)",
                va="center")
    ax.set_yticks(list(y), names)
    ax.invert_yaxis()
    ax.set_xlim(0, max(ratios + [1.2]) * 1.5)
    ax.set_title("side A ÷ side B, same run (black bar: target)")

    # (2) Throughput of every scenario.
    ax = axes[0][1]
    titles = [SHORT.get(sc["name"], sc["name"]) for sc in data["scenarios"]]
    y = list(range(len(titles)))
    seal = [sc["sealdrop"]["rate"] or 0 for sc in data["scenarios"]]
    base = [sc["baseline"]["rate"] if sc.get("baseline") else 0 for sc in data["scenarios"]]
    ax.barh([i - 0.2 for i in y], seal, height=0.4, color=blue, label="side A (SealDrop: default limits; mixed: off)")
    ax.barh([i + 0.2 for i in y], base, height=0.4, color=grey, label="side B (limits off / C ceiling / bearer / 1 process)")
    for i, (a, b) in enumerate(zip(seal, base)):
        ax.text(a, i - 0.2, f" {a:,.0f}", va="center", fontsize=8)
        if b:
            ax.text(b, i + 0.2, f" {b:,.0f}", va="center", fontsize=8)
    ax.set_yticks(y, titles)
    ax.invert_yaxis()
    ax.set_xlim(0, max(seal + base) * 1.45)
    ax.set_title("Throughput, median (req/s; challenge row: fetches/s)")
    ax.legend(loc="lower right", fontsize=8)

    # (3) Latency p50 / p99 of SealDrop per scenario.
    ax = axes[1][0]
    p50 = [sc["sealdrop"]["p50_ms"] or 0 for sc in data["scenarios"]]
    p99 = [sc["sealdrop"]["p99_ms"] or 0 for sc in data["scenarios"]]
    ax.barh([i - 0.2 for i in y], p50, height=0.4, color=blue, label="p50")
    ax.barh([i + 0.2 for i in y], p99, height=0.4, color="#f0a030", label="p99")
    for i, (a, b) in enumerate(zip(p50, p99)):
        ax.text(b, i + 0.2, f" {b:.1f}", va="center", fontsize=8)
        ax.text(a, i - 0.2, f" {a:.1f}", va="center", fontsize=8)
    ax.set_yticks(y, titles)
    ax.invert_yaxis()
    ax.set_xlim(0, max(p99 + [1]) * 1.3)
    ax.set_title(f"SealDrop latency (side A) at {data['settings']['connections']} connections (ms)")
    ax.legend(loc="upper right", fontsize=8)

    # (4) RSS over the long run.
    ax = axes[1][1]
    long = data.get("long_run")
    rss = data["rss"]
    if long:
        xs = [t for t, _ in long["samples"]]
        ys = [kb / MB for _, kb in long["samples"]]
        ax.plot(xs, ys, color=blue, label="responder VmRSS")
        ax.axhline(long["rss_before_kb"] / MB + 5, color=red, linestyle="--", label="start + 5 MiB (growth target)")
        ax.set_xlabel(f"seconds ({long['requests']:,} requests: health, fetch, send, link info, register)")
    ax.axhline(20, color="black", linestyle=":", label="20 MiB (idle target)")
    ax.axhline(rss["idle_kb"] / MB, color=green, linestyle="-.", label=f"idle {rss['idle_kb'] / MB:.1f} MiB")
    ax.set_ylim(0, 26)
    ax.set_ylabel("MiB")
    cgi, b = data["cgi"], data["binary"]
    ax.set_title(f"Responder RSS, long run · CGI {cgi['median_ms']:.1f} ms · "
                 f"binary {b['stripped_bytes'] / 1e6:.1f} MB stripped")
    ax.legend(loc="lower right", fontsize=8)

    fig.savefig(path, dpi=90)


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json")
    data = json.loads(source.read_text())
    md = source.with_suffix(".md")
    text = markdown(data)
    # The analysis of targets not met is written by hand from named runs (it needs
    # runs with other settings, and profiles); it is kept beside the results and
    # carried into the report, which says which commit it was written for.
    analysis = source.parent / "analysis.md"
    if analysis.exists():
        text = text.rstrip("\n") + "\n\n" + analysis.read_text()
    md.write_text(text)
    chart(data, source.with_suffix(".png"))
    print(f"report: wrote {md} and {source.with_suffix('.png')}")


if __name__ == "__main__":
    main()
