#!/usr/bin/python3
"""What systemd does with sealdrop.socket + sealdrop.service, for a test without systemd.

    /usr/bin/python3 Tests/deploy/socket_holder.py SOCKET MODE GROUP -- COMMAND...

Creates the listening unix socket SOCKET (file mode MODE, octal; group GROUP, or "-"
to keep it) like a socket unit with Accept=no, and runs COMMAND with it on fd 0 like
a service with StandardInput=socket. The socket stays open for the holder's whole
life, so connections made while COMMAND is not running wait in its backlog.

  SIGHUP   restart COMMAND as `systemctl restart` does: SIGTERM, wait for it to
           exit, start it again
  SIGTERM  stop COMMAND (SIGTERM), then exit with its status
  COMMAND exits non-zero by itself: started again (Restart=on-failure)

Prints one line per event on stdout: "started PID", "exited PID STATUS".
"""

import grp
import os
import signal
import socket
import subprocess
import sys
import threading

BACKLOG = 1024  # sealdrop.socket's Backlog=


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    path, mode, group, command = sys.argv[1], int(sys.argv[2], 8), sys.argv[3], sys.argv[5:]

    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    if group != "-":
        os.chown(path, -1, grp.getgrnam(group).gr_gid)
    os.chmod(path, mode)
    listener.listen(BACKLOG)

    events = []
    wake = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: (events.append("restart"), wake.set()))
    signal.signal(signal.SIGTERM, lambda *_: (events.append("stop"), wake.set()))

    def start():
        child = subprocess.Popen(command, stdin=listener.fileno(), stdout=subprocess.DEVNULL,
                                 close_fds=True, cwd="/")
        print(f"started {child.pid}", flush=True)
        return child

    def stop(child):
        child.send_signal(signal.SIGTERM)
        status = child.wait()
        print(f"exited {child.pid} {status}", flush=True)
        return status

    child = start()
    while True:
        wake.wait(0.05)
        wake.clear()
        while events:
            event = events.pop(0)
            if event == "stop":
                status = stop(child)
                os.unlink(path)
                return 0 if status == 0 else 1
            stop(child)
            child = start()
        status = child.poll()
        if status is not None:
            print(f"exited {child.pid} {status}", flush=True)
            if status == 0:
                os.unlink(path)
                return 0
            wake.wait(0.5)  # RestartSec=, shortened
            child = start()


if __name__ == "__main__":
    sys.exit(main())
