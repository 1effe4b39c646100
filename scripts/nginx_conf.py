#!/usr/bin/python3
"""Renders the dev nginx template (deploy/nginx/dev.conf.in, the one scripts/stack.sh
uses for SealDrop) for several responders: every setting identical, with the one
`server` block repeated once per port. Used by the benchmark's ceiling responders
and by the Galera cluster stack (scripts/cluster.sh).

    nginx_conf.py TEMPLATE RUN_DIR PORT:SOCKET[,SOCKET...] [...] > nginx.conf

A port given several sockets passes its requests to an `upstream` of them, which
nginx spreads round-robin.
"""
import os
import re
import sys


def render(template: str, run_dir: str, servers: list[tuple[str, list[str]]]) -> str:
    user_line = "user root;" if os.geteuid() == 0 else ""
    lines = []
    # Placeholders are replaced outside comment lines only, as stack.sh does.
    for line in template.splitlines(keepends=True):
        if not line.lstrip().startswith("#"):
            line = line.replace("@RUN_DIR@", run_dir).replace("@USER_LINE@", user_line)
        lines.append(line)
    text = "".join(lines)

    start = re.search(r"^(\s*)server \{", text, re.M)
    if not start:
        sys.exit("nginx_conf: no server block in the template")
    depth, end = 0, None
    for i in range(start.end() - 1, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                end = i + 1
                break
    if end is None:
        sys.exit("nginx_conf: unbalanced server block")
    block = text[start.start():end]
    socket_ref = f"unix:{run_dir}/sealdrop.sock"
    if "@HTTP_PORT@" not in block or socket_ref not in block:
        sys.exit("nginx_conf: the server block no longer has @HTTP_PORT@ and the sealdrop.sock fastcgi_pass")
    upstreams, copies = [], []
    for port, sockets in servers:
        target = f"unix:{sockets[0]}"
        if len(sockets) > 1:
            target = f"sealdrop_{port}"
            members = "".join(f"        server unix:{s};\n" for s in sockets)
            upstreams.append(f"    upstream {target} {{\n{members}    }}\n\n")
        copies.append(block.replace("@HTTP_PORT@", port).replace(socket_ref, target))
    return text[:start.start()] + "".join(upstreams) + "\n\n".join(copies) + text[end:]


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    template_path, run_dir = sys.argv[1], sys.argv[2]
    servers = []
    for arg in sys.argv[3:]:
        port, sockets = arg.split(":", 1)
        servers.append((port, sockets.split(",")))
    with open(template_path, encoding="utf-8") as f:
        sys.stdout.write(render(f.read(), run_dir, servers))


if __name__ == "__main__":
    main()
