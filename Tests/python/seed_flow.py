#!/usr/bin/python3
"""The flow of the seed's "Testing" section, as a PyNaCl client would run it.

    /usr/bin/python3 Tests/python/seed_flow.py [BASE_URL]

BASE_URL comes from the first argument, else $SEALDROP_TEST_BASE_URL, else
$BASE_URL, else http://127.0.0.1:8080. Needs Debian's python3-nacl and
python3-requests. Exits 1 with one clear message at the first mismatch and prints a
one-line summary when everything matched.
"""

import base64
import os
import secrets
import sys

import requests
from nacl.public import PublicKey, SealedBox
from nacl.signing import SigningKey

TIMEOUT = 15


class FlowError(Exception):
    """A response that is not what the seed says it should be."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def call(base_url, method, path, step, expected, body=None, token=None):
    """Sends one request; returns the JSON body if the status is `expected`."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    try:
        response = requests.request(method, base_url + path, json=body, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise FlowError(f"{step}: {method} {path} failed: {error}") from None
    if response.status_code != expected:
        # Error bodies are the server's {"error": ...} sentences, which carry no secrets.
        raise FlowError(f"{step}: {method} {path} answered {response.status_code}, expected {expected}: "
                        f"{response.text[:300]}")
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        raise FlowError(f"{step}: Content-Type is {response.headers.get('Content-Type')!r}, not application/json")
    try:
        return response.json()
    except ValueError:
        raise FlowError(f"{step}: the body is not JSON: {response.text[:300]}") from None


def check(condition, message):
    if not condition:
        raise FlowError(message)


def field(document, name, kind, step):
    check(isinstance(document, dict) and name in document, f"{step}: no '{name}' in the response")
    value = document[name]
    # bool is an int in Python; a JSON true must not pass for an id.
    matches = isinstance(value, bool) if kind is bool else isinstance(value, kind) and not isinstance(value, bool)
    check(matches, f"{step}: '{name}' is {type(value).__name__}, expected {kind.__name__}")
    return value


def find_message(messages, message_id):
    return next((m for m in messages if isinstance(m, dict) and m.get("id") == message_id), None)


def run(base_url):
    signing_key = SigningKey.generate()
    verify_key = signing_key.verify_key
    display_name = f"Seed flow {secrets.token_hex(4)}"

    # 1. Register the recipient's Ed25519 key.
    step = "register"
    registered = call(base_url, "POST", "/register", step, 201,
                      {"public_key": b64(bytes(verify_key)), "display_name": display_name})
    link_token = field(registered, "link_token", str, step)
    fetch_token = field(registered, "fetch_token", str, step)
    field(registered, "client_id", int, step)
    link = field(registered, "link", str, step)
    check(link_token.startswith("link_"), f"{step}: link_token does not start with 'link_'")
    check(link.endswith("/l/" + link_token), f"{step}: link {link!r} does not end with /l/<link_token>")

    # 2. What a sender learns from the link: the recipient's X25519 key.
    step = "link info"
    info = call(base_url, "GET", "/l/" + link_token, step, 200)
    check(info.get("link_token") == link_token, f"{step}: link_token differs")
    check(info.get("display_name") == display_name, f"{step}: display_name is {info.get('display_name')!r}")
    check(info.get("public_key") == b64(bytes(verify_key)), f"{step}: public_key differs from the registered one")
    encryption_key_b64 = field(info, "encryption_public_key", str, step)
    expected_x25519 = b64(bytes(verify_key.to_curve25519_public_key()))
    check(encryption_key_b64 == expected_x25519,
          f"{step}: encryption_public_key is not the X25519 form of the Ed25519 key")

    # 3. An anonymous sender seals a message to that key and sends it.
    step = "send"
    plaintext = f"Hello from the seed flow {secrets.token_hex(8)} ✓"
    sealed = SealedBox(PublicKey(base64.b64decode(encryption_key_b64))).encrypt(plaintext.encode("utf-8"))
    metadata = {"sender_nick": "Bob"}
    sent = call(base_url, "POST", "/send", step, 201,
                {"link_token": link_token, "encrypted_message": b64(sealed), "metadata": metadata})
    message_id = field(sent, "id", int, step)

    # 4. Challenge-response: sign the challenge string's UTF-8 bytes.
    step = "challenge_request"
    challenge = field(call(base_url, "POST", "/challenge_request", step, 200, {"link_token": link_token}),
                      "challenge", str, step)
    signature = b64(signing_key.sign(challenge.encode("utf-8")).signature)
    signed = {"link_token": link_token, "challenge": challenge, "challenge_signature": signature}

    step = "fetch (signed challenge)"
    messages = field(call(base_url, "POST", "/fetch", step, 200, signed), "data", list, step)
    message = find_message(messages, message_id)
    check(message is not None, f"{step}: message {message_id} is not in the response")
    check(message.get("seen") is False, f"{step}: seen is {message.get('seen')!r}, expected false")
    check(message.get("metadata") == metadata, f"{step}: metadata is {message.get('metadata')!r}")
    opened = SealedBox(signing_key.to_curve25519_private_key()).decrypt(
        base64.b64decode(field(message, "encrypted_message", str, step)))
    check(opened.decode("utf-8") == plaintext, f"{step}: the decrypted message differs from what was sent")

    # A challenge authenticates exactly one request.
    call(base_url, "POST", "/fetch", "fetch (replayed challenge)", 401, signed)

    # 5. Fetch-token authentication.
    step = "fetch (bearer)"
    messages = field(call(base_url, "POST", "/fetch", step, 200, {"link_token": link_token}, token=fetch_token),
                     "data", list, step)
    check(find_message(messages, message_id) is not None, f"{step}: message {message_id} is not in the response")

    # 6. Acknowledge, then it is gone unless include_seen.
    step = "ack"
    acked = call(base_url, "POST", "/ack", step, 200, {"link_token": link_token, "message_ids": [message_id]},
                 token=fetch_token)
    check(acked.get("count") == 1, f"{step}: count is {acked.get('count')!r}, expected 1")

    step = "fetch after ack"
    messages = field(call(base_url, "POST", "/fetch", step, 200, {"link_token": link_token}, token=fetch_token),
                     "data", list, step)
    check(find_message(messages, message_id) is None, f"{step}: the acknowledged message is still returned")

    step = "fetch with include_seen"
    messages = field(call(base_url, "POST", "/fetch", step, 200,
                          {"link_token": link_token, "include_seen": True}, token=fetch_token), "data", list, step)
    message = find_message(messages, message_id)
    check(message is not None, f"{step}: the acknowledged message is missing")
    check(message.get("seen") is True, f"{step}: seen is {message.get('seen')!r}, expected true")

    # 7. A wrong fetch token is refused.
    wrong = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode("ascii").rstrip("=")
    error = call(base_url, "POST", "/fetch", "fetch (wrong token)", 401, {"link_token": link_token}, token=wrong)
    check(isinstance(error.get("error"), str), "fetch (wrong token): no 'error' sentence in the 401 body")


def main():
    base_url = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SEALDROP_TEST_BASE_URL")
                or os.environ.get("BASE_URL") or "http://127.0.0.1:8080").rstrip("/")
    try:
        run(base_url)
    except FlowError as error:
        print(f"seed flow FAILED against {base_url}: {error}", file=sys.stderr)
        return 1
    print(f"seed flow passed against {base_url}: register, link info, seal, send, challenge, signed fetch, "
          "decrypt, replay refused, bearer fetch, ack, include_seen, wrong token 401")
    return 0


if __name__ == "__main__":
    sys.exit(main())
