"""The data every scenario needs, made through SealDrop's own API before any
measuring: links registered with real Ed25519 keys, real sealed boxes (PyNaCl)
for each link, mailboxes pre-filled to 10 and 200 unseen messages. Written as
Lua tables under <run dir>/data for the wrk scripts.

Made through the limits-off SealDrop when it runs (settings.fixture_port): thousands
of registrations from one address, and mailboxes pre-filled with 200 messages, are
beyond the default limits. Registrations go over 8 connections at once.

Groups of links (their display_name, so SQL can clear one group's messages):
  bench-send    BENCH_SEND_LINKS (8192) links: /send 100 B (every side), 16 KiB (the
                first 1024), GET /l/{link_token}; the long run's sends and link infos
  bench-fetch10  64 links x 10 unseen: bearer /fetch, and challenge vs bearer
  bench-fetch200 16 links x 200 unseen: bearer /fetch
  bench-mixed    64 links: the mixed run and the long RSS run
"""
import base64
import http.client
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from nacl.public import SealedBox
from nacl.signing import SigningKey

import database
from settings import Settings

SEAL_OVERHEAD = 48  # crypto_box_SEALBYTES: a sealed box is 48 bytes longer than its plaintext
GROUPS = {"bench-send": 8192, "bench-fetch10": 64, "bench-fetch200": 16, "bench-mixed": 64}
SEND_16K_LINKS = 1024  # 16 KiB boxes for the first of the send links (22 KB of Lua each)
REGISTER_CONNECTIONS = 8


@dataclass
class Link:
    group: str
    key: SigningKey
    token: str
    fetch_token: str

    def sealed_box(self, size: int) -> str:
        """Base64 of a real sealed box of `size` bytes for this link's X25519 key."""
        box = SealedBox(self.key.verify_key.to_curve25519_public_key()).encrypt(os.urandom(size - SEAL_OVERHEAD))
        assert len(box) == size
        return base64.b64encode(box).decode()

    @property
    def secret_hex(self) -> str:
        # libsodium's 64-byte Ed25519 secret key: seed then public key.
        return (bytes(self.key) + bytes(self.key.verify_key)).hex()


class Client:
    """One keep-alive HTTP connection to the bench nginx."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
        self.connection.request("POST", path, json.dumps(body),
                                {"Content-Type": "application/json", **(headers or {})})
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def close(self) -> None:
        self.connection.close()


def register(client: Client, group: str) -> Link:
    key = SigningKey.generate()
    status, body = client.post("/register", {
        "public_key": base64.b64encode(bytes(key.verify_key)).decode(), "display_name": group})
    if status != 201:
        raise SystemExit(f"bench: /register answered {status}: {body}")
    return Link(group, key, body["link_token"], body["fetch_token"])


def register_many(settings: Settings, group: str, n: int) -> list[Link]:
    """n links of `group`, registered over REGISTER_CONNECTIONS connections at once."""
    def some(count: int) -> list[Link]:
        client = Client(settings.fixture_port)
        try:
            return [register(client, group) for _ in range(count)]
        finally:
            client.close()
    shares = [n // REGISTER_CONNECTIONS + (1 if i < n % REGISTER_CONNECTIONS else 0)
              for i in range(REGISTER_CONNECTIONS)]
    with ThreadPoolExecutor(REGISTER_CONNECTIONS) as pool:
        return [link for part in pool.map(some, [s for s in shares if s]) for link in part]


def send(client: Client, link: Link, box: str, metadata: dict | None = None) -> None:
    body = {"link_token": link.token, "encrypted_message": box}
    if metadata is not None:
        body["metadata"] = metadata
    status, answer = client.post("/send", body)
    if status != 201:
        raise SystemExit(f"bench: pre-filling /send answered {status}: {answer}")


def lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def write_lua(settings: Settings, name: str, rows: list) -> None:
    def value(v):
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return lua_string(v)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    text = "return {\n" + "".join(f"  {value(row)},\n" for row in rows) + "}\n"
    (settings.data_dir / f"{name}.lua").write_text(text)


def prefill(settings: Settings, links: list[Link], per_link: int) -> None:
    """Sends per_link 100-byte sealed boxes to each link, one at a time: concurrent
    sends can fail (see notes/bench-report.md), and the fixtures must not."""
    client = Client(settings.fixture_port)
    for link in links:
        box = link.sealed_box(100)
        for _ in range(per_link):
            send(client, link, box)
    client.close()


def make(settings: Settings) -> dict[str, list[Link]]:
    """Resets the database and makes every group; returns the links by group."""
    database.reset(settings)
    groups = {**GROUPS, "bench-send": settings.send_links}
    links = {group: register_many(settings, group, n) for group, n in groups.items()}

    send_links = links["bench-send"]
    write_lua(settings, "send-100", [json.dumps({"link_token": l.token, "encrypted_message": l.sealed_box(100)})
                                     for l in send_links])
    write_lua(settings, "send-16k", [json.dumps({"link_token": l.token, "encrypted_message": l.sealed_box(16384)})
                                     for l in send_links[:SEND_16K_LINKS]])
    write_lua(settings, "links", [l.token for l in send_links])
    register_body = json.dumps({"public_key": base64.b64encode(bytes(SigningKey.generate().verify_key)).decode(),
                                "display_name": "bench-register"})
    (settings.data_dir / "register.lua").write_text(f"return {lua_string(register_body)}\n")
    for group, name in (("bench-fetch10", "fetch-10"), ("bench-fetch200", "fetch-200")):
        write_lua(settings, name, [{"token": l.token, "fetch_token": l.fetch_token, "secret_hex": l.secret_hex}
                                   for l in links[group]])
    write_lua(settings, "mixed", [{
        "token": l.token, "fetch_token": l.fetch_token,
        "send_body": json.dumps({"link_token": l.token, "encrypted_message": l.sealed_box(100),
                                 "metadata": {"k": i + 1}}, separators=(",", ":"))}
        for i, l in enumerate(links["bench-mixed"])])

    prefill(settings, links["bench-fetch10"], 10)
    prefill(settings, links["bench-fetch200"], 200)
    return links


def check_mailboxes(settings: Settings) -> dict[str, int]:
    """Unseen messages of the fetch groups, which the fetch scenarios rely on."""
    out = {}
    for group in ("bench-fetch10", "bench-fetch200"):
        out[group] = database.count(settings, (
            "SELECT COUNT(*) FROM messages m JOIN clients c ON c.link_token = m.link_token "
            f"WHERE c.display_name = '{group}' AND m.seen = FALSE"))
    return out
