"""Administration of the bench stack's private MariaDB, through the admin
account stack.sh set up (unix-socket authentication, no password)."""
import subprocess
import time

from settings import Settings


def sql(settings: Settings, statement: str, missing_ok: bool = False) -> str:
    result = subprocess.run(
        ["mariadb", f"--defaults-file={settings.run_dir / 'my.cnf'}", "--batch", "--skip-column-names",
         "sealdrop", "-e", statement],
        capture_output=True, text=True)
    if result.returncode != 0:
        # 1146: no such table, 1054: no such column (a later schema may drop them).
        if missing_ok and ("ERROR 1146" in result.stderr or "ERROR 1054" in result.stderr):
            return ""
        raise SystemExit(f"bench: SQL failed: {statement[:80]}...: {result.stderr.strip()}")
    return result.stdout


def reset(settings: Settings) -> None:
    """Empties the bench database, so every run starts from the same state."""
    sql(settings, "TRUNCATE messages; TRUNCATE rate_counters; TRUNCATE message_requests; DELETE FROM clients;")
    # Challenges may stop being stored (issue 13: stateless challenges).
    sql(settings, "TRUNCATE challenges", missing_ok=True)


def clear_messages(settings: Settings, group: str) -> None:
    """Deletes the messages of one group of bench links (display_name = group)."""
    sql(settings, "DELETE m FROM messages m JOIN clients c ON c.link_token = m.link_token "
                  f"WHERE c.display_name = '{group}'")
    # The mailbox counters on the links' rows, which the default mailbox limit reads,
    # follow: else a limits-on side would find mailboxes "full" that are empty. (The
    # send-rate bucket is left to drain by itself: spread over thousands of links,
    # no run comes near it.)
    sql(settings, f"UPDATE clients SET unseen_messages = 0, unseen_bytes = 0 WHERE display_name = '{group}'",
        missing_ok=True)


def clear_challenges(settings: Settings) -> None:
    """Forgets every challenge, so a run starts with no link near its limit of
    outstanding ones (a run cut off by wrk's clock leaves one per connection).
    Nothing to do once challenges are no longer stored."""
    sql(settings, "DELETE FROM challenges", missing_ok=True)


def count(settings: Settings, query: str) -> int:
    return int(sql(settings, query).strip() or 0)


# MariaDB's global counters whose change per request says what a request costs the server.
STATUS = ["Questions", "Com_stmt_execute", "Com_select", "Com_insert", "Com_insert_select", "Com_update",
          "Com_delete", "Com_begin", "Com_commit", "Handler_read_key", "Handler_read_next",
          "Handler_read_rnd_next", "Handler_write", "Handler_update", "Handler_commit",
          "Innodb_row_lock_waits", "Innodb_row_lock_time", "Innodb_deadlocks", "Bytes_received", "Bytes_sent"]


def status(settings: Settings) -> dict[str, int]:
    rows = sql(settings, "SHOW GLOBAL STATUS")
    values = dict(line.split("\t", 1) for line in rows.splitlines() if "\t" in line)
    out = {}
    for key in STATUS + ["Innodb_history_list_length"]:
        try:
            out[key] = int(values.get(key, 0) or 0)
        except ValueError:
            out[key] = 0
    return out


def per_request(before: dict[str, int], after: dict[str, int], requests: int) -> dict[str, float]:
    n = max(1, requests)
    return {k: round((after[k] - before[k]) / n, 3) for k in STATUS}


def settle(settings: Settings, timeout: float = 90.0) -> float:
    """Waits until InnoDB's purge has caught up with earlier runs (history list
    short), so delete-marked rows and purge work of one run do not weigh on the
    next. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if status(settings)["Innodb_history_list_length"] < 100:
            break
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)
