"""The benchmark's settings, from the environment bench/run.sh sets up."""
import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"

# Issue 13's headline (default limits vs limits off) first, then issue 6's.
ALL_SCENARIOS = ["link_info", "fetch_limits", "send_limits", "health", "send_100", "send_16k",
                 "fetch_challenge", "fetch_chained", "register", "fetch_200", "mixed",
                 "layout_health", "layout_send"]
# Only with BENCH_LAYOUTS=1 (a one-process SealDrop beside the stack's).
LAYOUT_SCENARIOS = ["layout_health", "layout_send"]


def _int(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SystemExit(f"bench: {name} must be a whole number (got {text!r})")


@dataclass
class Settings:
    run_dir: Path = field(default_factory=lambda: Path(os.environ.get("BENCH_RUN_DIR", REPO / ".run/bench")))
    port: int = field(default_factory=lambda: _int("BENCH_HTTP_PORT", 18480))
    ceiling_health_port: int = field(default_factory=lambda: _int("BENCH_CEILING_HEALTH_PORT", 18481))
    ceiling_send_port: int = field(default_factory=lambda: _int("BENCH_CEILING_SEND_PORT", 18482))
    # The second SealDrop, flood limits off (bench/run.sh off_start); 0: none runs.
    off_port: int = field(default_factory=lambda: _int("BENCH_OFF_PORT", 0))
    # A third, limits on, as one process of all the threads (BENCH_LAYOUTS=1); 0: none.
    one_process_port: int = field(default_factory=lambda: _int("BENCH_ONE_PROCESS_PORT", 0))
    processes: int = field(default_factory=lambda: _int("BENCH_PROCESSES", 2))
    send_links: int = field(default_factory=lambda: _int("BENCH_SEND_LINKS", 8192))
    addresses: int = field(default_factory=lambda: _int("BENCH_ADDRESSES", 200_000))
    xff: bool = field(default_factory=lambda: os.environ.get("BENCH_XFF", "1") != "0")
    threads: int = field(default_factory=lambda: _int("BENCH_THREADS", 4))
    duration: int = field(default_factory=lambda: _int("BENCH_DURATION", 10))
    runs: int = field(default_factory=lambda: _int("BENCH_RUNS", 3))
    connections: int = field(default_factory=lambda: _int("BENCH_CONNECTIONS", 64))
    long_requests: int = field(default_factory=lambda: _int("BENCH_LONG_REQUESTS", 1_000_000))
    cgi_runs: int = field(default_factory=lambda: _int("BENCH_CGI_RUNS", 50))
    profile_seconds: int = field(default_factory=lambda: _int("BENCH_PROFILE_SECONDS", 15))
    scenarios: list[str] = field(default_factory=lambda: [
        s.strip() for s in os.environ.get("BENCH_SCENARIOS", "all").split(",") if s.strip()])
    sealdrop_bin: Path = field(default_factory=lambda: Path(os.environ.get("SEALDROP_BIN", "")))
    results_dir: Path = field(default_factory=lambda: Path(os.environ.get("BENCH_RESULTS_DIR", BENCH / "results")))

    def __post_init__(self) -> None:
        if self.scenarios in ([], ["all"]):
            self.scenarios = [s for s in ALL_SCENARIOS if self.one_process_port or s not in LAYOUT_SCENARIOS]
        unknown = [s for s in self.scenarios if s not in ALL_SCENARIOS]
        if unknown:
            raise SystemExit(f"bench: unknown scenario(s) {unknown}; known: {ALL_SCENARIOS}")
        if not self.sealdrop_bin.is_file():
            raise SystemExit("bench: SEALDROP_BIN must name the built sealdrop executable (bench/run.sh sets it)")
        for name in ("duration", "runs", "connections", "threads", "send_links", "addresses"):
            if getattr(self, name) < 1:
                raise SystemExit(f"bench: {name} must be at least 1")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def off_dir(self) -> Path:
        return self.run_dir / "off"

    @property
    def one_process_dir(self) -> Path:
        return self.run_dir / "one-process"

    @property
    def fixture_port(self) -> int:
        """Where fixtures are made: the limits-off side when it runs (thousands of
        registrations and pre-filled mailboxes are beyond the default limits)."""
        return self.off_port or self.port

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def raw_dir(self) -> Path:
        return self.run_dir / "raw"

    @property
    def responder_pid_file(self) -> Path:
        return self.run_dir / "sealdrop.pid"

    @property
    def config_file(self) -> Path:
        return self.run_dir / "sealdrop.env"
