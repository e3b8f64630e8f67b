#!/usr/bin/env python3
"""Schemathesis against a live relay, from its own OpenAPI document.

Starts the relay on 127.0.0.1 with a temporary SQLite database, a demo site and an admin,
signs in, creates a read-write API key, and runs `st run URL/api/openapi.json` with the key as
the bearer token, as another system would. Fails on any finding; stops the relay on every way
out.

What no key may do (sign in or out, the operators, `/api/me`, the keys and the webhooks: 403
for a key) runs next with an admin's session, so that those operations are really exercised.
Signing out (`POST /api/logout`) ends the session it is called with, so it runs last, in a
run of its own with a session of its own: every operation is tested, with every check. (The
session's run cannot end its own session otherwise: an admin cannot disable themselves, and a
password is changed only with the current one.)

Usage: schemathesis.py RELAY ST
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "allow_header_conformance",
    ]
)
# Bounded for a slow machine: examples per operation, a fixed seed.
MAX_EXAMPLES = "50"
SEED = "20261207"
EMAIL = "admin@shop.example"
PASSWORD = "a long enough password"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base, relay, deadline_seconds=30):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if relay.poll() is not None:
            sys.exit(f"the relay exited with {relay.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    sys.exit("the relay did not answer /healthz in time")


def sign_in(base):
    body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/login", body, {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def create_key(base, session):
    body = json.dumps({"name": "schemathesis", "scope": "read-write"}).encode()
    request = urllib.request.Request(
        f"{base}/api/keys",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {session}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["key"]


# The paths no API key may use: their operations run with an admin's session.
IN_PERSON = r"^/api/(login|logout|me|operators|keys|webhooks)(/.*)?$"


def schemathesis(st, base, token, selection, report):
    command = [
        st,
        "run",
        f"{base}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        report,
        *selection,
    ]
    print("+", " ".join(c if not c.startswith("Authorization") else "Authorization: …" for c in command), flush=True)
    # Run from the reports' folder: schemathesis and hypothesis keep caches in the current one.
    return subprocess.run(command, cwd=os.path.dirname(report)).returncode


def main():
    # A SIGTERM (make or CI giving up) unwinds like an error: the relay is stopped either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    relay_binary, st = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    reports = os.path.abspath(os.path.join(os.path.dirname(st), "..", "reports"))
    os.makedirs(reports, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="beseda-api-") as directory:
        db = os.path.join(directory, "api.db")
        subprocess.run(
            [relay_binary, "site", "add", "demo", "--title", "Horská bunda", "--db", db],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [relay_binary, "operator", "add", "--email", EMAIL, "--name", "Admin", "--admin", "--db", db],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(os.path.join(reports, "relay.log"), "w")
        relay = subprocess.Popen(
            [relay_binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", db],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base, relay)
            # Both sessions first: the fuzzing of `POST /api/login` soon meets its rate limit.
            session, last_session = sign_in(base), sign_in(base)
            key = create_key(base, session)
            by_key = schemathesis(
                st,
                base,
                key,
                ["--exclude-path-regex", IN_PERSON],
                os.path.join(reports, "junit-key.xml"),
            )
            in_person = schemathesis(
                st,
                base,
                session,
                ["--include-path-regex", IN_PERSON, "--exclude-path", "/api/logout"],
                os.path.join(reports, "junit-session.xml"),
            )
            logout = schemathesis(
                st,
                base,
                last_session,
                ["--include-path", "/api/logout"],
                os.path.join(reports, "junit-logout.xml"),
            )
        finally:
            relay.terminate()
            try:
                relay.wait(timeout=10)
            except subprocess.TimeoutExpired:
                relay.kill()
                relay.wait()
            log.close()
    if by_key or in_person or logout:
        sys.exit(
            f"schemathesis found problems (exit codes {by_key}, {in_person}, {logout}); "
            f"relay log in {reports}"
        )
    print("schemathesis: no findings")


if __name__ == "__main__":
    main()
