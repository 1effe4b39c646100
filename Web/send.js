// SealDrop's sender page: seals the message in the page with crypto_box_seal's
// format, so the recipient's app opens it with libsodium's crypto_box_seal_open,
// and sends only the sealed box. nacl (tweetnacl, from Debian's node-tweetnacl)
// gives X25519 and XSalsa20-Poly1305; BLAKE2b, which tweetnacl lacks, is here.
"use strict";

(function () {
  // ------------------------------------------------------------ BLAKE2b (RFC 7693)
  // BigInt keeps the 64-bit words readable; the page hashes 64 bytes once per message.

  const MASK = (1n << 64n) - 1n;
  const IV = [
    0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
    0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
  ];
  const SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
  ];
  const BLOCK = 128;

  function rotr(x, n) {
    return ((x >> n) | (x << (64n - n))) & MASK;
  }

  // The compression function F: folds one 128-byte block into h.
  function compress(h, block, counter, last) {
    const m = [];
    for (let i = 0; i < 16; i++) {
      let word = 0n;
      for (let b = 7; b >= 0; b--) word = (word << 8n) | BigInt(block[i * 8 + b]);
      m.push(word);
    }
    const v = h.concat(IV);
    v[12] ^= counter & MASK;
    v[13] ^= counter >> 64n;
    if (last) v[14] ^= MASK;
    function g(a, b, c, d, x, y) {
      v[a] = (v[a] + v[b] + x) & MASK;
      v[d] = rotr(v[d] ^ v[a], 32n);
      v[c] = (v[c] + v[d]) & MASK;
      v[b] = rotr(v[b] ^ v[c], 24n);
      v[a] = (v[a] + v[b] + y) & MASK;
      v[d] = rotr(v[d] ^ v[a], 16n);
      v[c] = (v[c] + v[d]) & MASK;
      v[b] = rotr(v[b] ^ v[c], 63n);
    }
    for (let round = 0; round < 12; round++) {
      const s = SIGMA[round % 10];
      g(0, 4, 8, 12, m[s[0]], m[s[1]]);
      g(1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(2, 6, 10, 14, m[s[4]], m[s[5]]);
      g(3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(0, 5, 10, 15, m[s[8]], m[s[9]]);
      g(1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(2, 7, 8, 13, m[s[12]], m[s[13]]);
      g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
  }

  // BLAKE2b of input (Uint8Array) with outLength bytes of output and an optional
  // key: libsodium's crypto_generichash(out, outLength, input, key).
  function blake2b(input, outLength, key) {
    key = key || new Uint8Array(0);
    if (!(outLength >= 1 && outLength <= 64) || key.length > 64) throw new RangeError("blake2b: bad length");
    const h = IV.slice();
    h[0] ^= 0x01010000n ^ (BigInt(key.length) << 8n) ^ BigInt(outLength);
    // A key is hashed as a first block of its own, padded with zeros.
    const data = key.length ? concat(padded(key, BLOCK), input) : input;
    const blocks = Math.max(1, Math.ceil(data.length / BLOCK));
    for (let i = 0; i < blocks; i++) {
      const last = i === blocks - 1;
      const block = padded(data.subarray(i * BLOCK, (i + 1) * BLOCK), BLOCK);
      compress(h, block, BigInt(last ? data.length : (i + 1) * BLOCK), last);
    }
    const out = new Uint8Array(outLength);
    for (let i = 0; i < outLength; i++) out[i] = Number((h[i >> 3] >> BigInt(8 * (i & 7))) & 0xffn);
    return out;
  }

  function padded(bytes, length) {
    const out = new Uint8Array(length);
    out.set(bytes);
    return out;
  }

  function concat(a, b) {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }

  // ------------------------------------------------------------ the sealed box

  // crypto_box_seal: a fresh X25519 key pair, nonce = BLAKE2b-192(ephemeral pk ‖
  // recipient pk), out = ephemeral pk ‖ crypto_box(message). The ephemeral secret
  // key is wiped once used: nobody, the sender included, can open the box later.
  function seal(message, recipientKey) {
    const ephemeral = nacl.box.keyPair();
    const nonce = blake2b(concat(ephemeral.publicKey, recipientKey), nacl.box.nonceLength);
    const box = nacl.box(message, nonce, recipientKey, ephemeral.secretKey);
    ephemeral.secretKey.fill(0);
    return concat(ephemeral.publicKey, box);
  }

  // The overhead crypto_box_seal adds: ephemeral key and MAC.
  const SEAL_OVERHEAD = 32 + 16;

  function toBase64(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function fromBase64(text) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  // For the tests, which check BLAKE2b against libsodium's and open sealed boxes.
  window.SealDrop = Object.freeze({ blake2b, seal });

  // ------------------------------------------------------------ the page

  const page = document.getElementById("sender");
  if (!page || typeof nacl === "undefined") return;

  const form = document.getElementById("compose");
  const box = document.getElementById("message");
  const button = document.getElementById("send");
  const count = document.getElementById("count");
  const problem = document.getElementById("problem");
  const status = document.getElementById("status");
  const name = document.getElementById("name").textContent;
  const encoder = new TextEncoder();
  let recipientKey;
  try {
    recipientKey = fromBase64(page.dataset.key || "");
  } catch (error) {
    recipientKey = new Uint8Array(0);
  }
  if (recipientKey.length !== nacl.box.publicKeyLength) {
    say(problem, "This link has no usable encryption key, so nothing can be sent to it. Ask its owner for a new link.");
    return;
  }

  // Read at every check, not once: the limit is the server's, given in the page.
  function maxMessageBytes() {
    return Number(page.dataset.maxMessageBytes) - SEAL_OVERHEAD;
  }

  function say(element, text) {
    element.textContent = text;
  }

  function number(n) {
    return n.toLocaleString("en");
  }

  // "in 10 minutes (at 14:32)" for a Retry-After of seconds or an HTTP date.
  function whenAgain(retryAfter) {
    let seconds = Number(retryAfter);
    if (!Number.isFinite(seconds)) seconds = (Date.parse(retryAfter) - Date.now()) / 1000;
    if (!Number.isFinite(seconds) || seconds <= 0) return "in a moment";
    seconds = Math.ceil(seconds);
    let span;
    if (seconds < 90) span = seconds + (seconds === 1 ? " second" : " seconds");
    else if (seconds < 90 * 60) span = Math.round(seconds / 60) + " minutes";
    else span = Math.round(seconds / 3600) + " hours";
    const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return "in " + span + " (at " + at + ")";
  }

  // Counts the UTF-8 bytes against the limit; true when the message fits.
  function checkSize() {
    const used = encoder.encode(box.value).length;
    const max = maxMessageBytes();
    const over = used > max;
    say(count, number(used) + " / " + number(max) + " bytes");
    count.classList.toggle("over", over);
    box.setAttribute("aria-invalid", over ? "true" : "false");
    if (over) {
      showProblem("This message is too long: " + number(used) + " bytes, and at most " + number(max) +
        " can be sent. Shorten it by " + number(used - max) + (used - max === 1 ? " byte." : " bytes."), "size");
    } else if (problemKind === "size") {
      showProblem("", "");
    }
    return !over;
  }

  // What the alert says now: "size" (cleared once the message fits), "send", or "".
  let problemKind = "";

  function showProblem(text, kind) {
    problemKind = kind;
    if (text) say(status, "");
    // Unchanged text is not set again, so a screen reader does not repeat it at every key.
    if (problem.textContent !== text) say(problem, text);
  }

  async function send() {
    say(status, "");
    if (!box.value.trim()) {
      showProblem("Write a message first.", "send");
      box.focus();
      return;
    }
    if (!checkSize()) {
      box.focus();
      return;
    }
    showProblem("", "");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    say(button, "Sending…");
    const sealed = seal(encoder.encode(box.value), recipientKey);
    const body = JSON.stringify({ link_token: page.dataset.linkToken, encrypted_message: toBase64(sealed) });
    let response;
    try {
      response = await fetch(page.dataset.sendUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: body,
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      response = null;
    }
    button.disabled = false;
    form.removeAttribute("aria-busy");
    say(button, "Send");
    if (response === null) {
      showProblem("The message was not sent: the server could not be reached. Check your connection and try " +
        "again; your text is still here.", "send");
      return;
    }
    if (response.ok) {
      box.value = "";
      checkSize();
      const at = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      say(status, "Sent at " + at + ". Only " + name + " can read it.");
      box.focus();
      return;
    }
    let reason = "";
    try {
      reason = String((await response.json()).error || "");
    } catch (error) {
      reason = "";
    }
    const because = reason ? reason.replace(/[.\s]*$/, "") + ". " : "";
    switch (response.status) {
      case 429:
      case 503:
        showProblem("The message was not sent. " + because + "Try again " +
          whenAgain(response.headers.get("Retry-After")) + "; your text is still here.", "send");
        break;
      case 413:
        showProblem("The message was not sent: the server refused it as too large. " + because +
          "Shorten it and send again.", "send");
        break;
      case 404:
        showProblem("The message was not sent: this link no longer exists. Its owner may have removed it.", "send");
        break;
      default:
        showProblem("The message was not sent (error " + response.status + "). " + because +
          "Try again later; your text is still here.", "send");
    }
    box.focus();
  }

  // One send at a time: the button is disabled while one is on its way.
  function trySend() {
    if (!button.disabled) send();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    trySend();
  });
  // Ctrl+Enter (or ⌘+Enter) sends from the message box.
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      trySend();
    }
  });
  box.addEventListener("input", checkSize);
  box.disabled = false;
  button.disabled = false;
  checkSize();
})();
