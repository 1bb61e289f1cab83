"""The one moto launcher: the AWS API peer of pullpass's tests and benchmarks, on loopback.

Starts moto (the AWS API emulator) in-process, over plain HTTP on `--port` (0: a free one) and,
with `--tls-port`, also over TLS with a certificate for `--tls-hosts` signed by a throw-away CA
it writes to `--cert-dir` (the token benchmark reaches it there under the real AWS host names,
through a hosts file in a private mount namespace, for clients that cannot be pointed at an
endpoint such as amazon-ecr-credential-helper). Both listeners serve the same backend.

What it changes in moto, and why:
- GetAuthorizationToken: moto always answers `expiresAt` = 2015-01-01, already past, so no token
  it hands out could ever be cached. Tokens here expire `--token-lifetime` seconds ahead (12 h,
  as ECR) unless `--expired` keeps moto's answer. Every call is counted (and, with `--call-log
  FILE`, appended to FILE as one line).
- DescribeRepositories, DescribeImages, ListImages: moto ignores `maxResults` and `nextToken`;
  they are paged as ECR documents it (at most `maxResults` items, default 100, and an opaque
  `nextToken` while more remain), so listing code meets real pagination.

Controls (plain HTTP, on either listener):
- `GET /__pullpass/calls` -> {"GetAuthorizationToken": n}; `POST /__pullpass/reset` zeroes it;
- `POST /__pullpass/expiry?seconds=N` sets the lifetime of the tokens handed out next.

Prints one JSON line {"port", "tls_port", "ca"} once every listener accepts connections, then
serves until its stdin closes (the process that started it exited or dropped its handle) or it
gets SIGTERM/SIGINT. `tests/peers/moto_launch.rs` starts and stops it for Rust callers.
"""

import argparse
import datetime
import json
import logging
import os
import signal
import sys
import threading
from base64 import b64decode, b64encode

LOCK = threading.Lock()


class Tokens:
    """The GetAuthorizationToken patch's settings and its call counter."""

    def __init__(self, expired: bool, lifetime: int, call_log: str | None) -> None:
        self.expired = expired
        self.lifetime = lifetime
        self.call_log = call_log
        self.calls = 0

    def record(self) -> None:
        with LOCK:
            self.calls += 1
            if self.call_log:
                with open(self.call_log, "a", encoding="utf-8") as log:
                    log.write("GetAuthorizationToken\n")


def patch_ecr(tokens: Tokens) -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    original = ECRResponse.get_authorization_token

    def get_authorization_token(self):  # type: ignore[no-untyped-def]
        tokens.record()
        if tokens.expired:
            return original(self)
        registry_ids = self._get_param("registryIds") or [self.current_account]
        expires_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=tokens.lifetime
        )
        data = []
        for registry_id in registry_ids:
            password = f"{registry_id}-auth-token"
            data.append(
                {
                    "authorizationToken": b64encode(f"AWS:{password}".encode()).decode(),
                    "expiresAt": expires_at,
                    "proxyEndpoint": f"https://{registry_id}.dkr.ecr.{self.region}.amazonaws.com",
                }
            )
        return ActionResult({"authorizationData": data})

    ECRResponse.get_authorization_token = get_authorization_token


def paginate_ecr() -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.exceptions import InvalidParameterException
    from moto.ecr.responses import ECRResponse

    def paged(method, key):  # type: ignore[no-untyped-def]
        def handler(self):  # type: ignore[no-untyped-def]
            result = method(self)
            items = list(result.result.get(key, []))
            if self._get_param("imageIds"):
                return result  # lookups by ID are not paginated
            limit = int(self._get_param("maxResults") or 100)
            token = self._get_param("nextToken")
            start = 0
            if token:
                try:
                    start = int(b64decode(token).decode().removeprefix("offset:"))
                except ValueError as error:
                    raise InvalidParameterException("Invalid parameter: nextToken") from error
            page = {key: items[start : start + limit]}
            if start + limit < len(items):
                page["nextToken"] = b64encode(f"offset:{start + limit}".encode()).decode()
            return ActionResult(page)

        return handler

    ECRResponse.describe_repositories = paged(ECRResponse.describe_repositories, "repositories")
    ECRResponse.describe_images = paged(ECRResponse.describe_images, "imageDetails")
    ECRResponse.list_images = paged(ECRResponse.list_images, "imageIds")


def with_controls(app, tokens: Tokens):  # type: ignore[no-untyped-def]
    def wrapped(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/__pullpass/"):
            return app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        body = None
        if path == "/__pullpass/calls" and method == "GET":
            with LOCK:
                body = {"GetAuthorizationToken": tokens.calls}
        elif path == "/__pullpass/reset" and method == "POST":
            with LOCK:
                tokens.calls = 0
            body = {"ok": True}
        elif path == "/__pullpass/expiry" and method == "POST":
            query = dict(
                part.split("=", 1)
                for part in environ.get("QUERY_STRING", "").split("&")
                if "=" in part
            )
            with LOCK:
                tokens.lifetime = int(query.get("seconds", str(12 * 3600)))
            body = {"expiry": tokens.lifetime}
        status = "200 OK"
        if body is None:
            status, body = "404 Not Found", {"error": "unknown control"}
        data = json.dumps(body).encode()
        # An explicit length: no chunked encoding for the simple clients that read this.
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        start_response(status, headers)
        return [data]

    return wrapped


def write_certificates(cert_dir, hosts):
    """A CA and a server certificate for `hosts`, both valid for two days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pullpass bench test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    os.makedirs(cert_dir, exist_ok=True)
    paths = {name: os.path.join(cert_dir, name) for name in ("ca.pem", "server.pem", "server.key")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.key"], "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--expired",
        action="store_true",
        help="keep moto's original GetAuthorizationToken (expiresAt 2015-01-01)",
    )
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=12 * 3600,
        help="seconds until a token expires (default 12 h, as ECR)",
    )
    parser.add_argument("--call-log", help="append a line per GetAuthorizationToken call")
    parser.add_argument("--tls-port", type=int, help="also serve TLS on this port")
    parser.add_argument("--cert-dir", help="where the TLS listener's CA and certificate go")
    parser.add_argument("--tls-hosts", default="", help="host names of the TLS certificate")
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tokens = Tokens(args.expired, args.token_lifetime, args.call_log)
    patch_ecr(tokens)
    paginate_ecr()
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = with_controls(DomainDispatcherApplication(create_backend_app), tokens)

    def serve(port, ssl_context=None):  # type: ignore[no-untyped-def]
        return make_server(
            args.host,
            port,
            app,
            threaded=True,
            request_handler=MotoRequestHandler,
            ssl_context=ssl_context,
        )

    servers = [serve(args.port)]
    ready = {"port": servers[0].server_address[1], "tls_port": None, "ca": None}
    if args.tls_port:
        hosts = [h for h in args.tls_hosts.split(",") if h]
        if not hosts or not args.cert_dir:
            parser.error("--tls-port needs --cert-dir and --tls-hosts")
        paths = write_certificates(args.cert_dir, hosts)
        servers.append(serve(args.tls_port, (paths["server.pem"], paths["server.key"])))
        ready["tls_port"] = servers[1].server_address[1]
        ready["ca"] = paths["ca.pem"]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps(ready), flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait()
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    # Never let moto reach a real AWS account or pick up the developer's credentials.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    sys.exit(main())
