"""The sender page in a real browser: headless Chromium driven by Selenium.

    scripts/browser-test.sh BASE_URL OUT_DIR [--quick] [--name NAME]

(the wrapper makes the venv with Selenium and runs this with it). BASE_URL is where
the API is mounted (http://127.0.0.1:18080, or http://127.0.0.1:18702/drop behind
Apache). Registers links, opens the link /register returns as a browser does, types
and sends messages, and opens what arrives with libsodium (PyNaCl's SealedBox), so a
box made by the page is proved to open with crypto_box_seal_open. Also checks: the
page's headers (CSP, referrer, caching, no cookies), its size, the page's BLAKE2b
against libsodium's crypto_generichash, the limit the page enforces and the server's
413 behind it, the 429 message, the 404 page, the page without JavaScript, and that
no CSP violation or script error happened (an inline script injected at the end must
be refused, which proves the check itself works). Screenshots of every state go to
OUT_DIR. --quick (the Apache deployment test) keeps to sending, the 404 page, headers
and the CSP.

Prints one PASS or FAIL line per check (prefixed with NAME) and a closing
"browser: N passed, M failed"; exits 1 if any failed. Needs Debian's chromium,
chromium-driver and python3-nacl. HTTP calls use the standard library only.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.public import PublicKey, SealedBox
from nacl.signing import SigningKey
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 15
# What the issue allows everything the page loads to weigh, uncompressed.
PAGE_BUDGET = 60 * 1024
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
DESKTOP = (1280, 900)
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
# Installed before any script of the page runs (and not subject to its CSP): every
# CSP violation and every script error the page meets is kept for the test to read.
WATCHER = """
window.__sealdropEvents = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__sealdropEvents.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
});
window.addEventListener('error', function (e) {
  var target = e.target && (e.target.src || e.target.href);
  window.__sealdropEvents.push('error: ' + (e.message || ('failed to load ' + target)));
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.__sealdropEvents.push('unhandled rejection: ' + e.reason);
});
"""


def b64(data):
    return base64.b64encode(data).decode("ascii")


def fingerprint(key_bytes):
    """The README's fingerprint: SHA-256 of the X25519 key, first 10 bytes, hex in fours."""
    hex_digits = hashlib.sha256(key_bytes).digest()[:10].hex()
    return " ".join(hex_digits[i:i + 4] for i in range(0, len(hex_digits), 4))


# ------------------------------------------------------------------ HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(method, url, body=None, headers=None):
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = dict(headers or {})
    if data is not None:
        headers["Content-Type"] = "application/json"
    call = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(call, timeout=TIMEOUT) as answer:
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


class Recipient:
    """A link's owner: registers, fetches with its fetch token, opens with its X25519 key."""

    def __init__(self, base_url, name):
        self.base_url = base_url
        self.signing_key = SigningKey.generate()
        self.name = name
        answer = request("POST", base_url + "/register",
                         {"public_key": b64(bytes(self.signing_key.verify_key)), "display_name": name})
        assert answer.status == 201, f"register answered {answer.status}: {answer.body[:200]!r}"
        registered = answer.json()
        self.link = registered["link"]
        self.link_token = registered["link_token"]
        self.fetch_token = registered["fetch_token"]
        self.x25519 = bytes(self.signing_key.verify_key.to_curve25519_public_key())

    def call(self, path, body):
        return request("POST", self.base_url + path, body, {"Authorization": f"Bearer {self.fetch_token}"})

    def messages(self):
        answer = self.call("/fetch", {"link_token": self.link_token, "include_seen": True, "limit": 200})
        assert answer.status == 200, f"fetch answered {answer.status}: {answer.body[:200]!r}"
        return answer.json()["data"]

    def open(self, message):
        """crypto_box_seal_open, through PyNaCl and the system's libsodium."""
        box = SealedBox(self.signing_key.to_curve25519_private_key())
        return box.decrypt(base64.b64decode(message["encrypted_message"])).decode("utf-8")

    def fill_mailbox(self):
        """Sends small sealed boxes over one kept-alive connection until the server
        answers 429; returns that answer's Retry-After."""
        parts = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        sealed = b64(SealedBox(PublicKey(self.x25519)).encrypt(b"filler"))
        body = json.dumps({"link_token": self.link_token, "encrypted_message": sealed})
        try:
            for _ in range(20000):
                connection.request("POST", parts.path + "/send", body, {"Content-Type": "application/json"})
                answer = connection.getresponse()
                answer.read()
                if answer.status == 429:
                    return answer.getheader("Retry-After")
                assert answer.status == 201, f"filling the mailbox: /send answered {answer.status}"
        finally:
            connection.close()
        raise AssertionError("the mailbox never filled up")


# ------------------------------------------------------------------ checks


class Checks:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def run(self, what, function, *arguments):
        try:
            detail = function(*arguments)
        except (AssertionError, WebDriverException, OSError, ValueError, KeyError) as error:
            self.failed += 1
            text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            print(f"FAIL: {self.name}: {what}: {text}", flush=True)
            return False
        self.passed += 1
        print(f"PASS: {self.name}: {what}" + (f" ({detail})" if detail else ""), flush=True)
        return True


class Browser:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--disable-extensions", "--disable-background-networking", "--lang=en-GB",
                         f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
            options.add_argument(argument)
        # Chromium refuses to run as root with its sandbox (CI runs as root).
        if os.geteuid() == 0:
            options.add_argument("--no-sandbox")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(TIMEOUT)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCHER})
        self.events = []
        self.console = []

    def close(self):
        self.driver.quit()

    def open(self, url):
        self.collect()
        self.driver.get(url)

    def collect(self):
        """Keeps the watcher's events and the console's errors of the current page."""
        try:
            self.events += self.driver.execute_script("return window.__sealdropEvents || []")
        except WebDriverException:
            pass
        for entry in self.driver.get_log("browser"):
            # Chromium logs every non-2xx answer as an error; those are expected here.
            if entry["level"] == "SEVERE" and "the server responded with a status of" not in entry["message"]:
                self.console.append(entry["message"])

    def ready(self):
        """Waits until the page's script has enabled the message box."""
        WebDriverWait(self.driver, TIMEOUT).until(lambda d: d.find_element(By.ID, "message").is_enabled())

    def text(self, element_id):
        return self.driver.find_element(By.ID, element_id).text

    def wait_text(self, element_id, pattern):
        WebDriverWait(self.driver, TIMEOUT).until(lambda d: re.search(pattern, d.find_element(By.ID, element_id).text))
        return self.text(element_id)

    def set_message(self, text):
        """Puts a long text in the box at once (typing 17,000 keys takes minutes), as
        a paste does, and tells the page."""
        self.driver.execute_script(
            "var box = document.getElementById('message'); box.value = arguments[0];"
            "box.dispatchEvent(new Event('input', {bubbles: true}));", text)

    def phone(self, on):
        if on:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def screenshot(self, name):
        os.makedirs(self.out_dir, exist_ok=True)
        path = os.path.join(self.out_dir, name + ".png")
        self.driver.save_screenshot(path)
        return path


# ------------------------------------------------------------------ the checks themselves


def check_json(recipient):
    answer = request("GET", recipient.link)
    assert answer.status == 200, f"status {answer.status}"
    assert answer.header("Content-Type").startswith("application/json"), answer.header("Content-Type")
    assert "accept" in answer.header("Vary").lower(), f"Vary is {answer.header('Vary')!r}"
    info = answer.json()
    assert info["encryption_public_key"] == b64(recipient.x25519), "another key"
    assert info["encryption_key_fingerprint"] == fingerprint(recipient.x25519), \
        f"fingerprint {info['encryption_key_fingerprint']!r}, expected {fingerprint(recipient.x25519)!r}"
    return info["encryption_key_fingerprint"]


def check_page_http(recipient):
    """The page's headers, its files' headers, and the weight of it all."""
    answer = request("GET", recipient.link, headers={"Accept": BROWSER_ACCEPT})
    assert answer.status == 200, f"status {answer.status}"
    assert answer.header("Content-Type") == "text/html; charset=utf-8", answer.header("Content-Type")
    policy = answer.header("Content-Security-Policy") or ""
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    for directive, sources in {"default-src": ["'none'"], "script-src": ["'self'"], "style-src": ["'self'"],
                               "connect-src": ["'self'"], "frame-ancestors": ["'none'"],
                               "form-action": ["'none'"]}.items():
        assert directives.get(directive) == sources, f"CSP {directive} is {directives.get(directive)}: {policy}"
    assert answer.header("Referrer-Policy") == "no-referrer", answer.header("Referrer-Policy")
    assert "accept" in (answer.header("Vary") or "").lower(), f"Vary is {answer.header('Vary')!r}"
    assert answer.header("Set-Cookie") is None, "the page sets a cookie"
    assert "no-store" in answer.header("Cache-Control"), answer.header("Cache-Control")
    html = answer.body.decode("utf-8")
    assert " style=" not in html, "an inline style"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page loads nothing"
    total = len(answer.body)
    for asset in assets:
        assert not re.match(r"^[a-z]+:|^//|^/", asset), f"{asset} is not a relative URL"
        assert re.search(r"\.[0-9a-f]{16}\.(js|css)$", asset), f"{asset} has no content hash in its name"
        loaded = request("GET", urllib.parse.urljoin(recipient.link, asset))
        assert loaded.status == 200, f"{asset}: status {loaded.status}"
        assert "immutable" in loaded.header("Cache-Control") and "max-age=31536000" in loaded.header("Cache-Control"), \
            f"{asset}: Cache-Control {loaded.header('Cache-Control')}"
        expected_type = "text/javascript" if asset.endswith(".js") else "text/css"
        assert loaded.header("Content-Type").startswith(expected_type), f"{asset}: {loaded.header('Content-Type')}"
        assert loaded.header("X-Content-Type-Options") == "nosniff", f"{asset}: no nosniff"
        total += len(loaded.body)
    assert total < PAGE_BUDGET, f"the page and its files weigh {total} bytes, over {PAGE_BUDGET}"
    return f"{len(assets)} files, {total} bytes in all"


def check_page_shows(browser, recipient):
    browser.open(recipient.link)
    browser.ready()
    name = browser.text("name")
    assert name == recipient.name, f"the page names {name!r}, not {recipient.name!r}"
    shown = browser.text("fingerprint")
    assert shown == fingerprint(recipient.x25519), f"fingerprint {shown!r}"
    driver = browser.driver
    assert driver.execute_script("return document.cookie") == "", "a cookie"
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(recipient.link))
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    foreign = [url for url in loaded if not url.startswith(origin + "/")]
    assert not foreign, f"third-party resources: {foreign}"
    # Keyboard and screen readers: a labelled box, live regions, a language.
    assert driver.execute_script("return document.getElementById('message').labels.length") == 1, "no label"
    assert driver.find_element(By.ID, "problem").get_attribute("role") == "alert"
    assert driver.find_element(By.ID, "status").get_attribute("role") == "status"
    assert driver.execute_script("return document.documentElement.lang") == "en"
    return f"{name!r}, fingerprint {shown}"


def send_by_click(browser, recipient, text):
    before = len(recipient.messages())
    box = browser.driver.find_element(By.ID, "message")
    box.clear()
    box.send_keys(text)
    browser.driver.find_element(By.ID, "send").click()
    status = browser.wait_text("status", r"^Sent")
    return expect_delivered(recipient, before, text, status)


def send_by_keyboard(browser, recipient, text):
    """Tab to the box, type, Tab to Send, Enter: no mouse."""
    before = len(recipient.messages())
    driver = browser.driver
    browser.open(recipient.link)
    browser.ready()
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(10):
        if driver.switch_to.active_element.get_attribute("id") == "message":
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "message", "Tab never reached the message box"
    driver.switch_to.active_element.send_keys(text)
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.get_attribute("id") == "send", "Tab does not lead to Send"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    status = browser.wait_text("status", r"^Sent")
    return expect_delivered(recipient, before, text, status)


def expect_delivered(recipient, before, text, status):
    deadline = time.monotonic() + TIMEOUT
    while True:
        messages = recipient.messages()
        if len(messages) > before:
            break
        assert time.monotonic() < deadline, "no message arrived"
        time.sleep(0.2)
    newest = max(messages, key=lambda m: m["id"])
    opened = recipient.open(newest)
    assert opened == text, f"decrypted {opened!r}, sent {text!r}"
    assert newest.get("metadata") is None, f"metadata {newest.get('metadata')!r}: the page sent more than the box"
    return f"page said {status!r}; libsodium opened {len(opened.encode())} bytes"


def check_blake2b(browser):
    """The page's BLAKE2b against libsodium's crypto_generichash (PyNaCl), shaped like
    libsodium's own test (test/default/generichash.c: input and key bytes 0, 1, 2, …,
    lengths stepping through every size), plus RFC 7693's "abc" vector."""
    cases = []
    for i in range(256):
        data = bytes(range(i))
        key = bytes(range(i % 65))
        size = 16 + i % 49
        cases.append((data.hex(), key.hex(), size, blake2b(data, digest_size=size, key=key, encoder=RawEncoder).hex()))
    cases.append((b"abc".hex(), "", 64, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                                        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"))
    got = browser.driver.execute_script("""
        const hex = h => new Uint8Array(h.match(/../g) || []).map((_, i) => parseInt(h.substr(2 * i, 2), 16));
        const unhex = b => Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
        return arguments[0].map(c => unhex(SealDrop.blake2b(hex(c[0]), c[2], hex(c[1]))));
    """, [[c[0], c[1], c[2]] for c in cases])
    wrong = [i for i, (case, result) in enumerate(zip(cases, got)) if case[3] != result]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, first: case {wrong[0]}"
    return f"{len(cases)} vectors"


def check_seal_opens(browser, recipient):
    """Boxes sealed by the page's seal() open with libsodium: every length from empty
    through two XSalsa20 blocks, and a large one."""
    lengths = list(range(0, 130)) + [4096]
    sealed = browser.driver.execute_script("""
        const key = Uint8Array.from(atob(arguments[1]), c => c.charCodeAt(0));
        return arguments[0].map(n => {
          const box = SealDrop.seal(new Uint8Array(n).map((_, i) => (i * 7 + n) & 255), key);
          return btoa(String.fromCharCode.apply(null, box));
        });
    """, lengths, b64(recipient.x25519))
    box = SealedBox(recipient.signing_key.to_curve25519_private_key())
    for n, text in zip(lengths, sealed):
        opened = box.decrypt(base64.b64decode(text))
        assert opened == bytes((i * 7 + n) & 255 for i in range(n)), f"length {n} opened to other bytes"
        assert len(base64.b64decode(text)) == n + 48, f"length {n}: box of {len(base64.b64decode(text))} bytes"
    return f"{len(lengths)} boxes"


def check_too_long_refused(browser, recipient):
    browser.open(recipient.link)
    browser.ready()
    before = len(recipient.messages())
    limit = int(browser.driver.find_element(By.ID, "sender").get_attribute("data-max-message-bytes")) - 48
    browser.set_message("x" * (limit + 1))
    # Said while typing, before any attempt to send.
    warning = browser.wait_text("problem", r"too long")
    assert f"at most {limit:,}" in warning, f"the warning does not give the limit: {warning!r}"
    browser.driver.find_element(By.ID, "send").click()
    time.sleep(0.5)
    assert len(recipient.messages()) == before, "the oversized message was sent"
    assert browser.driver.find_element(By.ID, "message").get_attribute("aria-invalid") == "true"
    browser.screenshot("desktop-too-long")
    return warning


def check_server_413(browser, recipient):
    """A page that lets a message past its own check (an old page, a changed one):
    the server's 413 and its limit reach the sender."""
    browser.open(recipient.link)
    browser.ready()
    before = len(recipient.messages())
    browser.driver.execute_script("document.getElementById('sender').dataset.maxMessageBytes = '1000000'")
    browser.set_message("y" * 20000)
    browser.driver.find_element(By.ID, "send").click()
    problem = browser.wait_text("problem", r"not sent")
    assert "too large" in problem and "max 16KB" in problem, f"not the server's 413: {problem!r}"
    assert len(recipient.messages()) == before, "stored anyway"
    assert browser.driver.find_element(By.ID, "message").get_attribute("value") == "y" * 20000, "the text was lost"
    browser.screenshot("desktop-413")
    return problem


def check_429(browser, recipient):
    retry_after = recipient.fill_mailbox()
    browser.open(recipient.link)
    browser.ready()
    text = "Is there still room?"
    browser.driver.find_element(By.ID, "message").send_keys(text)
    browser.driver.find_element(By.ID, "send").click()
    problem = browser.wait_text("problem", r"not sent")
    assert "mailbox is full" in problem, f"not the server's reason: {problem!r}"
    assert re.search(r"Try again in 10 minutes \(at [^)]+\)", problem), f"no time to try again: {problem!r}"
    assert browser.driver.find_element(By.ID, "message").get_attribute("value") == text, "the text was lost"
    browser.screenshot("desktop-429")
    browser.phone(True)
    browser.screenshot("phone-429")
    browser.phone(False)
    return f"Retry-After {retry_after}: {problem!r}"


def check_404(browser, url, shot):
    answer = request("GET", url, headers={"Accept": BROWSER_ACCEPT})
    assert answer.status == 404, f"status {answer.status}"
    assert answer.header("Content-Type") == "text/html; charset=utf-8", answer.header("Content-Type")
    assert answer.header("Content-Security-Policy"), "no CSP on the 404 page"
    json_answer = request("GET", url)
    assert json_answer.status == 404 and json_answer.json().get("error"), "the JSON 404 changed"
    browser.open(url)
    heading = browser.driver.find_element(By.TAG_NAME, "h1").text
    assert heading == "This link does not work", f"heading {heading!r}"
    if shot:
        browser.screenshot(shot)
    return heading


def check_removed(browser, recipient):
    removed = recipient.call("/unregister", {"link_token": recipient.link_token})
    assert removed.status == 200, f"unregister answered {removed.status}"
    return check_404(browser, recipient.link, None)


def check_without_javascript(browser, recipient):
    driver = browser.driver
    browser.collect()
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(recipient.link)
        notice = driver.find_element(By.CSS_SELECTOR, "noscript, .notice")
        shown = driver.find_element(By.TAG_NAME, "main").text
        assert "needs JavaScript" in shown, f"the page does not say JavaScript is needed: {shown[:200]!r}"
        assert not driver.find_element(By.ID, "message").is_enabled(), "the box can be typed into without JavaScript"
        assert notice is not None
        browser.screenshot("desktop-no-javascript")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        driver.get("about:blank")
        driver.get_log("browser")
    return "says JavaScript is needed; the box stays disabled"


def check_clean(browser):
    browser.collect()
    problems = browser.events + browser.console
    assert not problems, f"{len(problems)}: {problems[:3]}"
    return "no CSP violation, no script error, no console error"


def check_csp_enforced(browser, recipient):
    """The watcher sees violations: an inline script injected into the page is refused."""
    browser.open(recipient.link)
    browser.ready()
    driver = browser.driver
    driver.execute_script("""
        const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true';
        document.body.appendChild(s);
    """)
    WebDriverWait(driver, TIMEOUT).until(lambda d: d.execute_script("return window.__sealdropEvents.length") > 0)
    events = driver.execute_script("return window.__sealdropEvents")
    assert driver.execute_script("return window.__inlineRan === undefined"), "the inline script ran"
    assert any("script-src" in event for event in events), f"events: {events}"
    driver.get("about:blank")
    driver.get_log("browser")
    return events[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("out_dir")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--name", default="browser")
    args = parser.parse_args()
    base_url = args.base_url.rstrip("/")
    checks = Checks(args.name)
    started = time.monotonic()

    try:
        alice = Recipient(base_url, "Zoë <Lindqvist> & \"Co\"")
        bob = Recipient(base_url, "Bob")
    except (AssertionError, OSError) as error:
        print(f"FAIL: {args.name}: registering test links at {base_url}: {error}")
        print(f"{args.name}: 0 passed, 1 failed")
        return 1

    checks.run("the link's JSON is unchanged, with the key's fingerprint and Vary: Accept", check_json, alice)
    checks.run("the page's headers, relative hashed files, under 60 KB", check_page_http, alice)

    try:
        browser = Browser(args.out_dir)
    except WebDriverException as error:
        print(f"FAIL: {args.name}: starting Chromium: {str(error).strip().splitlines()[0]}")
        print(f"{args.name}: {checks.passed} passed, {checks.failed + 1} failed")
        return 1
    try:
        if checks.run("the page shows the name (escaped) and the fingerprint, loads nothing foreign",
                      check_page_shows, browser, alice):
            browser.screenshot("desktop-page")
        message = "Grüße aus dem Browser — 東京 ✓ <b>not bold</b>\nsecond line"
        if checks.run("a message typed and sent with a click opens with libsodium to the same text",
                      send_by_click, browser, alice, message):
            browser.screenshot("desktop-sent")
            browser.phone(True)
            browser.screenshot("phone-sent")
            browser.phone(False)
        checks.run("a message sent with the keyboard alone (Tab, Enter) arrives",
                   send_by_keyboard, browser, alice, "Sent without a mouse " + secrets.token_hex(4))
        if not args.quick:
            checks.run("the page's BLAKE2b matches libsodium's crypto_generichash", check_blake2b, browser)
            checks.run("boxes sealed by the page open with crypto_box_seal_open", check_seal_opens, browser, alice)
            browser.open(alice.link)
            browser.ready()
            browser.phone(True)
            browser.screenshot("phone-page")
            browser.phone(False)
            checks.run("a message over the limit is refused in the page, with the limit, before sending",
                       check_too_long_refused, browser, alice)
            checks.run("a message sent past the page's check gets the server's 413, text kept",
                       check_server_413, browser, alice)
            checks.run("a full mailbox (429) says when to try again", check_429, browser, bob)
        checks.run("an unknown link is a friendly 404 page", check_404, browser,
                   base_url + "/l/link_" + "A" * 32, None if args.quick else "desktop-404")
        if not args.quick:
            if checks.run("a removed link is the same 404 page", check_removed, browser, alice):
                browser.phone(True)
                browser.open(alice.link)
                browser.screenshot("phone-404")
                browser.phone(False)
            checks.run("without JavaScript the page says what is needed", check_without_javascript, browser, bob)
        checks.run("no CSP violation and no script error on any page", check_clean, browser)
        checks.run("the CSP is enforced: an injected inline script is refused and seen", check_csp_enforced,
                   browser, bob)
    finally:
        browser.close()

    print(f"{args.name}: took {time.monotonic() - started:.1f}s; screenshots in {args.out_dir}")
    print(f"{args.name}: {checks.passed} passed, {checks.failed} failed")
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
