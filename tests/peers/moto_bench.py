"""moto for the benchmarks: one in-process moto backend served over plain HTTP on a free loopback
port and, optionally, over TLS on a fixed port with a certificate for the AWS host names (signed by
a throw-away CA it writes out), so that a client that cannot be pointed at an endpoint
(amazon-ecr-credential-helper) reaches the same peer through a hosts file in a private mount
namespace.

Patches and controls, for the token benchmarks:
- GetAuthorizationToken returns `expiresAt` = now + N seconds (12 hours by default; moto itself
  always answers 2015-01-01, already expired, so no cache could ever be warm): the patch of the
  project's launcher, `moto_server.patch_ecr`, with its call log.
- `GET /__bench/calls` -> {"GetAuthorizationToken": n}; `POST /__bench/reset` zeroes it;
  `POST /__bench/expiry?seconds=N` changes the lifetime of the tokens handed out next.

Prints one JSON line {"http_port", "tls_port", "ca"} when both listeners accept connections and
serves until its stdin closes (so it never outlives the process that started it).

Usage: moto_bench.py [--tls-port PORT --cert-dir DIR --tls-hosts h1,h2,...]
"""

import argparse
import datetime
import json
import os
import sys
import tempfile
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

# The project's moto launcher owns the GetAuthorizationToken patch (12 h tokens, a call log).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from moto_server import patch_ecr  # noqa: E402

CALL_LOG = os.path.join(tempfile.mkdtemp(prefix="pullpass-moto-bench-"), "calls.log")
LOCK = threading.Lock()


def set_lifetime(seconds):
    patch_ecr(False, seconds, CALL_LOG)


def calls():
    try:
        with open(CALL_LOG, encoding="utf-8") as log:
            return sum(1 for _ in log)
    except FileNotFoundError:
        return 0


set_lifetime(12 * 3600)


def with_controls(app):
    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/__bench/"):
            return app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        body = None
        with LOCK:
            if path == "/__bench/calls" and method == "GET":
                body = {"GetAuthorizationToken": calls()}
            elif path == "/__bench/reset" and method == "POST":
                open(CALL_LOG, "w", encoding="utf-8").close()
                body = {"ok": True}
            elif path == "/__bench/expiry" and method == "POST":
                query = dict(
                    part.split("=", 1)
                    for part in environ.get("QUERY_STRING", "").split("&")
                    if "=" in part
                )
                seconds = int(query.get("seconds", str(12 * 3600)))
                set_lifetime(seconds)
                body = {"expiry": seconds}
        status = "200 OK"
        if body is None:
            status, body = "404 Not Found", {"error": "unknown bench control"}
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tls-port", type=int)
    parser.add_argument("--cert-dir")
    parser.add_argument("--tls-hosts", default="")
    args = parser.parse_args()

    app = with_controls(DomainDispatcherApplication(create_backend_app))
    servers = [make_server("127.0.0.1", 0, app, threaded=True)]
    ready = {"http_port": servers[0].server_address[1], "tls_port": None, "ca": None}
    if args.tls_port:
        hosts = [h for h in args.tls_hosts.split(",") if h]
        if not hosts or not args.cert_dir:
            parser.error("--tls-port needs --cert-dir and --tls-hosts")
        paths = write_certificates(args.cert_dir, hosts)
        servers.append(
            make_server(
                "127.0.0.1",
                args.tls_port,
                app,
                threaded=True,
                ssl_context=(paths["server.pem"], paths["server.key"]),
            )
        )
        ready["tls_port"] = servers[1].server_address[1]
        ready["ca"] = paths["ca.pem"]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps(ready), flush=True)
    # Serve until the parent closes our stdin (or dies).
    sys.stdin.read()
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
