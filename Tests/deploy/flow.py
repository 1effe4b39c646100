#!/usr/bin/python3
"""The end-to-end flow through a front server, for the deployment tests.

    /usr/bin/python3 Tests/deploy/flow.py URL [--link-prefix PREFIX] [--ca FILE] [--name NAME]

URL is where the API is mounted (http://127.0.0.1:18481/drop). Runs the seed flow of
Tests/python/seed_flow.py (register, link info, seal, send, challenge, signed fetch,
replay refused, bearer fetch, ack) against it, then checks what depends on the front
server: the link /register returns (PREFIX/l/<token>, PREFIX defaulting to URL) and
that it answers; the Authorization header reaching the responder (bearer fetch and
rotation); bodies near 64 KiB accepted and over it refused with 413 in JSON. --ca
names the certificate to trust for https URLs.

Prints one PASS or FAIL line per check (prefixed with NAME) and exits 1 if any failed.
Needs Debian's python3-nacl and python3-requests.
"""

import argparse
import base64
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
# No __pycache__ left in Tests/python by importing seed_flow.
sys.dont_write_bytecode = True

import requests  # noqa: E402
from nacl.signing import SigningKey  # noqa: E402

import seed_flow  # noqa: E402

TIMEOUT = 15


def b64(data):
    return base64.b64encode(data).decode("ascii")


class Checks:
    def __init__(self, name):
        self.name = name
        self.failures = 0

    def run(self, what, function):
        try:
            detail = function()
        except (seed_flow.FlowError, AssertionError, requests.RequestException, ValueError, KeyError) as error:
            self.failures += 1
            print(f"FAIL: {self.name}: {what}: {error}", flush=True)
            return
        print(f"PASS: {self.name}: {what}" + (f" ({detail})" if detail else ""), flush=True)


def expect(response, status, what):
    body = response.text[:300]
    assert response.status_code == status, f"{what}: status {response.status_code}, expected {status}: {body}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"{what}: Content-Type {content_type!r}: {body}"
    return response.json()


def register(url):
    key = SigningKey.generate()
    response = requests.post(url + "/register", json={"public_key": b64(bytes(key.verify_key))}, timeout=TIMEOUT)
    return key, expect(response, 201, "register")


def check_link(url, prefix):
    _, registered = register(url)
    token = registered["link_token"]
    link = registered["link"]
    assert link == f"{prefix}/l/{token}", f"link is {link!r}, expected {prefix}/l/{token}"
    info = expect(requests.get(link, timeout=TIMEOUT), 200, "GET link")
    assert info.get("link_token") == token, "the link answers for another token"
    return link.replace(token, "<token>")


def check_bearer(url):
    _, registered = register(url)
    token, fetch_token = registered["link_token"], registered["fetch_token"]
    headers = {"Authorization": f"Bearer {fetch_token}"}
    expect(requests.post(url + "/fetch", json={"link_token": token}, headers=headers, timeout=TIMEOUT),
           200, "bearer fetch")
    expect(requests.post(url + "/fetch", json={"link_token": token}, timeout=TIMEOUT), 401, "fetch without proof")
    rotated = expect(requests.post(url + "/rotate_fetch_token", json={"link_token": token}, headers=headers,
                                   timeout=TIMEOUT), 200, "rotate_fetch_token")
    expect(requests.post(url + "/fetch", json={"link_token": token}, headers=headers, timeout=TIMEOUT),
           401, "fetch with the old token")
    expect(requests.post(url + "/fetch", json={"link_token": token},
                         headers={"Authorization": f"Bearer {rotated['fetch_token']}"}, timeout=TIMEOUT),
           200, "fetch with the new token")
    return "fetch, rotate, old token 401, new token 200"


def check_body_limits(url):
    _, registered = register(url)
    # Unknown fields are ignored, so padding makes a valid request of any size.
    near = {"link_token": registered["link_token"], "padding": "x" * (60 * 1024)}
    expect(requests.post(url + "/challenge_request", json=near, timeout=TIMEOUT), 200, "60 KiB body")
    over = {"link_token": registered["link_token"], "padding": "x" * (70 * 1024)}
    error = expect(requests.post(url + "/challenge_request", json=over, timeout=TIMEOUT), 413, "70 KiB body")
    assert isinstance(error.get("error"), str), "the 413 body has no error sentence"
    return "60 KiB 200, 70 KiB 413"


def check_unknown_route(url):
    error = expect(requests.get(url + "/no-such-endpoint", timeout=TIMEOUT), 404, "unknown route")
    assert isinstance(error.get("error"), str), "the 404 body has no error sentence"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--link-prefix")
    parser.add_argument("--ca")
    parser.add_argument("--name", default="flow")
    arguments = parser.parse_args()
    url = arguments.url.rstrip("/")
    if arguments.ca:
        # Read by requests for every call, seed_flow's included.
        os.environ["REQUESTS_CA_BUNDLE"] = arguments.ca

    checks = Checks(arguments.name)
    checks.run("seed flow (register, GET /l/, sealed send, challenge fetch, bearer fetch, ack)",
               lambda: seed_flow.run(url))
    checks.run("link from /register", lambda: check_link(url, (arguments.link_prefix or url).rstrip("/")))
    checks.run("Authorization header reaches the responder", lambda: check_bearer(url))
    checks.run("body limits", lambda: check_body_limits(url))
    checks.run("unknown route is a JSON 404", lambda: check_unknown_route(url))
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
