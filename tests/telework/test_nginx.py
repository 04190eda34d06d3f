"""A real nginx (Debian's `nginx` package) on loopback, in front of a small upstream, gated by the portal's
auth_request endpoint (telework/gateway.py) as docs/nginx-auth-request.conf describes.

The portal runs in pytest-django's live server; the upstream is a Python HTTP server that answers with the
headers it received; nginx runs as a subprocess with a generated configuration in a temporary directory.
Locally the test is skipped when nginx is not installed; under CI (CI=true) that fails instead."""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.webtools import log_in

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)

pytestmark = [
    # live_server flushes the database after each test; restore the migrations' positions and role groups.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EchoHandler(BaseHTTPRequestHandler):
    """The app behind the gateway: answers 200 with the headers it was given."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = json.dumps(
            {
                "path": self.path,
                "user": self.headers.get("X-Portal-User"),
                "staff": self.headers.get("X-Portal-Staff"),
                "zone": self.headers.get("X-Portal-Zone"),
                "cookie": self.headers.get("Cookie"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def nginx_conf(*, prefix: Path, port: int, portal: str, upstream: str, login_url: str) -> str:
    """The gateway part of docs/nginx-auth-request.conf, on plain HTTP with every path inside `prefix`."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix / "access.log"};
{temp}
    server {{
        listen 127.0.0.1:{port};
        location /internal-app/ {{
            auth_request /_portal_auth;
            auth_request_set $portal_user  $upstream_http_x_portal_user;
            auth_request_set $portal_staff $upstream_http_x_portal_staff;
            auth_request_set $portal_zone  $upstream_http_x_portal_zone;
            proxy_set_header X-Portal-User  $portal_user;
            proxy_set_header X-Portal-Staff $portal_staff;
            proxy_set_header X-Portal-Zone  $portal_zone;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Cookie "";
            proxy_pass http://{upstream};
            error_page 401 = @portal_login;
        }}
        location = /_portal_auth {{
            internal;
            proxy_pass http://{portal}/telework/auth/;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Cookie $http_cookie;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_no_cache 1;
            proxy_cache_bypass 1;
        }}
        location @portal_login {{
            return 302 {login_url}?next=$scheme://$http_host$request_uri;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(tmp_path, live_server, upstream):
    if NGINX is None:
        if IN_CI:
            pytest.fail("CI must provide nginx (Debian package `nginx`) for the gateway test")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = free_port()
    portal = urlsplit(live_server.url).netloc
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        nginx_conf(prefix=tmp_path, port=port, portal=portal, upstream=upstream, login_url=live_server.url + "/login/")
    )
    command = [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log"), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                log = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"nginx exited with {process.returncode}:\n{output}\n{log}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not start listening within 15 s")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def loopback_is_remote(settings):
    """nginx reaches the portal from 127.0.0.1: trust it as the proxy, and treat loopback clients as home."""
    settings.OFFICE_NETWORKS = [ipaddress.ip_network("10.20.0.0/16")]
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]


def through_nginx(port: int, path: str, *, cookie: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        sent = dict(headers or {})
        if cookie is not None:
            sent["Cookie"] = f"{django_settings.SESSION_COOKIE_NAME}={cookie}"
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def session_cookie(user, *, otp: bool) -> str:
    client = log_in(Client(), user, otp=otp)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_it_redirects_a_request_without_a_session_to_the_portal_login(city, nginx, live_server):
    status, headers, _ = through_nginx(nginx, "/internal-app/report?x=1")
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == live_server.url + "/login/"
    assert parse_qs(location.query)["next"] == [f"http://127.0.0.1:{nginx}/internal-app/report?x=1"]


def test_it_redirects_a_password_only_session_to_the_portal_login(city, nginx, live_server):
    status, headers, _ = through_nginx(nginx, "/internal-app/", cookie=session_cookie(city.applicant.user, otp=False))
    assert status == 302
    assert headers["Location"].startswith(live_server.url + "/login/")


def test_it_lets_an_otp_session_reach_the_upstream_with_the_user_header(city, nginx, loopback_is_remote):
    status, _, body = through_nginx(nginx, "/internal-app/page", cookie=session_cookie(city.applicant.user, otp=True))
    assert status == 200
    seen = json.loads(body)
    assert seen["path"] == "/internal-app/page"
    assert seen["user"] == city.applicant.user.username
    assert seen["staff"] == city.applicant.employee_number
    assert seen["zone"] == "remote"
    assert seen["cookie"] is None  # the portal's session cookie is not handed to the app


def test_it_replaces_a_forged_user_header_from_the_client(city, nginx, loopback_is_remote):
    forged = {"X-Portal-User": "100004", "X-Portal-Zone": "office", "X-Forwarded-For": "10.20.3.4"}
    cookie = session_cookie(city.applicant.user, otp=True)
    status, _, body = through_nginx(nginx, "/internal-app/", cookie=cookie, headers=forged)
    seen = json.loads(body)
    assert status == 200
    assert (seen["user"], seen["zone"]) == (city.applicant.user.username, "remote")


def test_it_cannot_be_fooled_by_a_forged_user_header_without_a_session(city, nginx):
    status, _, _ = through_nginx(nginx, "/internal-app/", headers={"X-Portal-User": "100004"})
    assert status == 302


def test_it_keeps_the_auth_subrequest_internal(city, nginx):
    status, _, _ = through_nginx(nginx, "/_portal_auth", cookie=session_cookie(city.applicant.user, otp=True))
    assert status == 404
