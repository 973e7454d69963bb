"""`run --http` beyond localhost (SPEC section 6): TLS with a certificate made here by openssl and checked by the
client, renewal picked up without a restart, users and tokens with scopes (401, 403), rate limits (429), a cap on
stream clients (503), stalled clients dropped while others are served, response headers (CSP, nosniff, CORS), and no
secret in the logs or in /metrics. Passwords are hashed here with the `bcrypt` package, independently of areaflow.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import bcrypt
import pytest

from conftest import run_cli
from live_harness import LiveRun, run_args

HTTP_RE = re.compile(r"http listening on (https?)://[^:]+:(\d+)/")

BASE = """name: secure
input: {format: ndjson, time: {field: ts}, lat: lat, lon: lon}
areas: [{name: gh5, geohash: 5}]
windows: [{name: 1m, tumbling: 1m}]
features: {events: count}
output: {format: csv, flush_every: 200ms}
"""

PASSWORD = "correct horse battery staple"
TOKEN = "scraper-token-0123456789abcdef"


def make_cert(directory, name: str, cn: str) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
         "-keyout", str(directory / f"{name}.key"), "-out", str(directory / f"{name}.crt"),
         "-subj", f"/CN={cn}", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)


def users_file(directory) -> None:
    h = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=10)).decode()
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    (directory / "users.yaml").write_text(
        "users:\n"
        f"  - {{name: analyst, bcrypt: \"{h}\", scopes: [read]}}\n"
        f"  - {{name: ops, bcrypt: \"{h}\", scopes: [read, metrics]}}\n"
        "tokens:\n"
        f"  - {{name: scraper, sha256: \"{digest}\", scopes: [metrics]}}\n")


def start(tmp_path, http_block: str) -> tuple[LiveRun, str, int]:
    (tmp_path / "c.yaml").write_text(BASE + http_block)
    run = LiveRun(run_args(tmp_path / "c.yaml", tmp_path / "out", ["tcp://127.0.0.1:0"], "--http", "127.0.0.1:0"))
    i = run.expect(HTTP_RE, 60)
    m = HTTP_RE.search(run.lines[i])
    return run, m.group(1), int(m.group(2))


def stop(run: LiveRun) -> None:
    if run.alive():
        run.send(signal.SIGTERM)
        run.wait(30)
    run.kill()


def request(url: str, headers: dict | None = None, context=None, method: str = "GET", data: bytes | None = None):
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=20, context=context) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def served_certificate(port: int, cafile) -> bytes:
    ctx = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.getpeercert(binary_form=True)


def test_tls_users_scopes_renewal_and_no_secret_in_logs(tmp_path):
    make_cert(tmp_path, "server", "areaflow-one")
    users_file(tmp_path)
    run, scheme, port = start(tmp_path, "http: {tls: {cert: server.crt, key: server.key}, users_file: users.yaml}\n")
    try:
        assert scheme == "https"
        base = f"https://localhost:{port}"
        verified = ssl.create_default_context(cafile=str(tmp_path / "server.crt"))

        # A client that checks the certificate against it succeeds; one that trusts only the system CAs fails.
        status, _, body = request(base + "/healthz", context=verified)
        assert status == 200 and body == b"ok\n"
        with pytest.raises(urllib.error.URLError) as e:
            request(base + "/healthz", context=ssl.create_default_context())
        assert "CERTIFICATE_VERIFY_FAILED" in str(e.value)

        # Plain HTTP to the TLS port fails cleanly (the connection is closed), and the server goes on.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine)):
            conn.request("GET", "/healthz")
            conn.getresponse()
        conn.close()
        assert request(base + "/healthz", context=verified)[0] == 200

        # Credentials and scopes.
        status, headers, body = request(base + "/v1/meta", context=verified)
        assert status == 401 and json.loads(body)["error"] == "credentials required"
        challenges = headers.get_all("WWW-Authenticate")
        assert any(c.startswith("Basic realm=") for c in challenges) and any(c.startswith("Bearer") for c in challenges)
        assert request(base + "/v1/meta", basic("analyst", "wrong"), verified)[0] == 401
        assert request(base + "/v1/meta", basic("nobody", PASSWORD), verified)[0] == 401
        assert request(base + "/v1/meta", {"Authorization": "Bearer not-the-token"}, verified)[0] == 401
        status, _, body = request(base + "/v1/meta", basic("analyst", PASSWORD), verified)
        assert status == 200 and json.loads(body)["windows"], body
        assert request(base + "/", basic("analyst", PASSWORD), verified)[0] == 200
        status, _, body = request(base + "/metrics", basic("analyst", PASSWORD), verified)
        assert status == 403 and b"metrics scope" in body
        assert request(base + "/v1/meta", {"Authorization": f"Bearer {TOKEN}"}, verified)[0] == 403
        status, _, metrics = request(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"}, verified)
        assert status == 200
        text = metrics.decode()
        failures = {m.group(1): float(m.group(2)) for m in
                    re.finditer(r'areaflow_http_auth_failures_total\{reason="(\w+)"\} (\S+)', text)}
        assert failures.get("missing", 0) >= 1 and failures.get("invalid", 0) >= 3 and failures.get("forbidden", 0) >= 2
        assert request(base + "/metrics", basic("ops", PASSWORD), verified)[0] == 200

        # Renewal: a new certificate renamed into place is served from the next connection, same process.
        first = served_certificate(port, tmp_path / "server.crt")
        make_cert(tmp_path, "renewed", "areaflow-two")
        (tmp_path / "renewed.key").rename(tmp_path / "server.key")
        (tmp_path / "renewed.crt").rename(tmp_path / "server.crt")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if served_certificate(port, tmp_path / "server.crt") != first:
                    break
            except ssl.SSLError:
                pass  # the old certificate, which the new CA file no longer trusts
            time.sleep(0.2)
        else:
            raise AssertionError("the renewed certificate was not served within 20 s:\n" + "\n".join(run.lines[-20:]))
        assert run.alive()
        assert request(base + "/healthz", context=ssl.create_default_context(cafile=str(tmp_path / "server.crt")))[0] == 200
        run.expect("TLS certificate reloaded", 5)
        for text_seen in ["\n".join(run.lines), metrics.decode()]:
            assert PASSWORD not in text_seen and TOKEN not in text_seen
            assert base64.b64encode(f"analyst:{PASSWORD}".encode()).decode() not in text_seen
    finally:
        stop(run)
    assert PASSWORD not in "\n".join(run.lines) and TOKEN not in "\n".join(run.lines)


def test_limits_answer_429_and_503_and_drop_stalled_clients_while_serving_others(tmp_path):
    run, _, port = start(tmp_path, "http:\n  cors: [https://dash.example.org]\n"
                                   "  limits: {rate: 5, burst: 5, sse_clients: 2, idle_timeout: 2s, max_headers: 20}\n")
    base = f"http://127.0.0.1:{port}"
    try:
        # A stalled client: half a request header, then nothing. Opened first, dropped after the idle timeout.
        stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
        stalled.sendall(b"GET /v1/meta HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        opened = time.monotonic()

        # Two stream clients take the two slots; a third is told to come back.
        streams = []
        for _ in range(2):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(4096).startswith(b"HTTP/1.1 200"), "stream not accepted"
            streams.append(s)
        status, headers, body = request(base + "/v1/stream")
        assert status == 503 and int(headers["Retry-After"]) >= 1 and b"stream clients" in body

        # Rate: a burst of 5, then 429 with Retry-After; /healthz is never limited.
        time.sleep(1.2)  # refill what the stream requests took
        answers = [request(base + "/v1/meta")[0] for _ in range(12)]
        assert answers.count(200) >= 5 and 429 in answers, answers
        status, headers, body = request(base + "/v1/meta")
        if status == 429:
            assert int(headers["Retry-After"]) >= 1 and b"too many requests" in body
        assert all(request(base + "/healthz")[0] == 200 for _ in range(10))

        # The stalled client is closed after about the idle timeout; the others were served meanwhile.
        stalled.settimeout(10)
        assert stalled.recv(4096) == b"", "the stalled client got an answer instead of being dropped"
        assert 1.5 <= time.monotonic() - opened <= 8
        time.sleep(1.2)
        assert request(base + "/v1/meta")[0] == 200

        # Too many header fields, and a request body: refused, not served.
        crowded = {f"X-H{i}": "1" for i in range(40)}
        try:
            assert request(base + "/v1/meta", crowded)[0] in (400, 431)
        except (urllib.error.URLError, http.client.RemoteDisconnected, ConnectionResetError):
            pass  # the server may close the connection instead
        time.sleep(0.5)
        assert request(base + "/v1/meta", method="POST", data=b"x" * 100)[0] in (413, 404, 405)
        assert request(base + "/v1/aggregates?window=1m&scheme=gh5", method="GET", data=b"{}")[0] == 413

        # Headers: CSP on the map (scripts by hash only), nosniff everywhere, CORS only for the configured origin.
        time.sleep(1.2)
        status, headers, _ = request(base + "/")
        csp = headers["Content-Security-Policy"]
        assert status == 200 and "script-src 'sha256-" in csp and "unsafe-inline" not in csp
        assert "default-src 'none'" in csp and "connect-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
        status, headers, _ = request(base + "/v1/meta", {"Origin": "https://dash.example.org"})
        assert headers["Access-Control-Allow-Origin"] == "https://dash.example.org"
        assert headers["X-Content-Type-Options"] == "nosniff"
        status, headers, _ = request(base + "/v1/meta", {"Origin": "https://evil.example.org"})
        assert headers["Access-Control-Allow-Origin"] is None
        status, headers, _ = request(base + "/v1/meta", {"Origin": "https://dash.example.org",
                                                         "Access-Control-Request-Method": "GET"}, method="OPTIONS")
        assert status == 204 and "Authorization" in headers["Access-Control-Allow-Headers"]
        for s in streams:
            s.close()
    finally:
        stop(run)


def test_unusable_certificate_or_users_file_is_a_config_error(tmp_path):
    make_cert(tmp_path, "server", "x")
    (tmp_path / "in.ndjson").write_text("")
    (tmp_path / "bad.yaml").write_text("users:\n  - {name: a, bcrypt: plain-text, scopes: [read]}\n")
    (tmp_path / "scope.yaml").write_text("tokens:\n  - {name: t, sha256: \"" + "0" * 64 + "\", scopes: [admin]}\n")
    cases = [
        ("http: {tls: {cert: missing.crt, key: server.key}}", "http.tls: cannot read the certificate"),
        ("http: {tls: {cert: server.crt, key: server.crt}}", "http.tls: cannot read the private key"),
        ("http: {users_file: nowhere.yaml}", "http.users_file: cannot read"),
        ("http: {users_file: bad.yaml}", "'bcrypt' must be a bcrypt hash"),
        ("http: {users_file: scope.yaml}", "unknown scope 'admin'"),
        ("http: {cors: [dash.example.org]}", "is not an origin"),
        ("http: {limits: {rate: 0}}", "http.limits.rate"),
    ]
    for block, message in cases:
        (tmp_path / "c.yaml").write_text(BASE + block + "\n")
        for args in (["check", "--config", str(tmp_path / "c.yaml")],
                     run_args(tmp_path / "c.yaml", tmp_path / "out", [tmp_path / "in.ndjson"], "--http",
                              "127.0.0.1:0", "--once")):
            p = run_cli([str(a) for a in args], timeout=60)
            err = p.stderr.decode()
            assert p.returncode == 2 and message in err, (block, args[0], err)


def test_users_command_makes_entries_the_server_accepts(tmp_path):
    p = run_cli(["users", "hash", "--name", "analyst", "--scopes", "read", "--cost", "10"], stdin=PASSWORD.encode())
    assert p.returncode == 0, p.stderr
    entry = p.stdout.decode()
    h = re.search(r'bcrypt: "([^"]+)"', entry).group(1)
    assert bcrypt.checkpw(PASSWORD.encode(), h.encode())
    p = run_cli(["users", "token", "--name", "scraper"])
    token = re.search(r"token \(shown once; give it to the client\): (\w+)", p.stderr.decode()).group(1)
    digest = re.search(r'sha256: "(\w+)"', p.stdout.decode()).group(1)
    assert hashlib.sha256(token.encode()).hexdigest() == digest
    (tmp_path / "users.yaml").write_text("users:\n" + entry + "tokens:\n" + p.stdout.decode())
    run, _, port = start(tmp_path, "http: {users_file: users.yaml}\n")
    try:
        base = f"http://127.0.0.1:{port}"
        assert request(base + "/v1/meta", basic("analyst", PASSWORD))[0] == 200
        assert request(base + "/metrics", {"Authorization": f"Bearer {token}"})[0] == 200
        # A revoked token: the file rewritten without it is read again without a restart.
        (tmp_path / "users.new").write_text("users:\n" + entry)
        (tmp_path / "users.new").rename(tmp_path / "users.yaml")
        run.expect("users file reloaded", 20)
        assert request(base + "/metrics", {"Authorization": f"Bearer {token}"})[0] == 401
    finally:
        stop(run)
