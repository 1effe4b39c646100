"""CPU time each process of a side spends per request: the responder under
test, nginx (master and workers) and mariadbd, read from /proc/PID/stat
(utime + stime) before and after a run. Tells where a request's cost lies."""
import os
from pathlib import Path

from settings import Settings

TICKS = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def processes(settings: Settings, port: int) -> dict[str, list[int]]:
    """The processes behind a port: its responder, its nginx, the shared MariaDB."""
    ceiling = settings.run_dir / "ceiling"
    responder, nginx = {
        settings.port: (settings.run_dir / "sealdrop.pid", settings.run_dir / "nginx.pid"),
        settings.ceiling_health_port: (ceiling / "health.pid", ceiling / "nginx.pid"),
        settings.ceiling_send_port: (ceiling / "send.pid", ceiling / "nginx.pid"),
        settings.off_port: (settings.off_dir / "sealdrop.pid", settings.off_dir / "nginx.pid"),
        settings.one_process_port: (settings.one_process_dir / "sealdrop.pid", settings.one_process_dir / "nginx.pid"),
    }[port]
    out = {}
    for name, path in (("responder", responder), ("nginx", nginx), ("mariadbd", settings.run_dir / "mysqld.pid")):
        pid = _pid(path)
        if pid:
            # nginx's workers, and SealDrop's under its supervisor, are its children.
            out[name] = [pid] + (children(pid) if name in ("nginx", "responder") else [])
    return out


def snapshot(procs: dict[str, list[int]]) -> dict[str, int]:
    return {name: sum(_ticks(p) for p in pids) for name, pids in procs.items()}


def per_request(before: dict[str, int], after: dict[str, int], requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request, by process, and their total."""
    if requests <= 0:
        return {}
    out = {name: round((after[name] - before[name]) * 1000 / TICKS / requests, 3) for name in before}
    out["total"] = round(sum(out.values()), 3)
    return out
