"""Starts moto (the AWS API emulator) in-process on a loopback port for pullpass's tests.

moto's ECR GetAuthorizationToken always answers `expiresAt` = 2015-01-01, already past, so no
token it hands out could ever be cached. This launcher replaces that one handler with a copy
that answers `now + 12 h` (what real ECR does), unless `--expired` asks for moto's original
behaviour. With `--call-log FILE` it appends one line per GetAuthorizationToken call to FILE,
so tests can count how many times the service was asked.

moto's ECR also ignores `maxResults` and `nextToken`; the launcher pages DescribeRepositories,
DescribeImages and ListImages as ECR documents it (at most `maxResults` items, default 100, and
an opaque `nextToken` while more remain), so listing code meets real pagination.

Prints `port <N>` on stdout once the server accepts connections, then serves until its stdin
closes (the test that started it exited or dropped its handle) or it gets SIGTERM/SIGINT.
"""

import argparse
import logging
import os
import signal
import sys
import threading
from base64 import b64encode
from datetime import datetime, timedelta, timezone


def patch_ecr(expired: bool, lifetime: int, call_log: str | None) -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    original = ECRResponse.get_authorization_token
    lock = threading.Lock()

    def log_call() -> None:
        if call_log:
            with lock, open(call_log, "a", encoding="utf-8") as log:
                log.write("GetAuthorizationToken\n")

    def get_authorization_token(self):  # type: ignore[no-untyped-def]
        log_call()
        if expired:
            return original(self)
        registry_ids = self._get_param("registryIds") or [self.current_account]
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=lifetime)
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
    import base64

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
                    start = int(base64.b64decode(token).decode().removeprefix("offset:"))
                except ValueError as error:
                    raise InvalidParameterException("Invalid parameter: nextToken") from error
            page = {key: items[start : start + limit]}
            if start + limit < len(items):
                page["nextToken"] = base64.b64encode(f"offset:{start + limit}".encode()).decode()
            return ActionResult(page)

        return handler

    ECRResponse.describe_repositories = paged(ECRResponse.describe_repositories, "repositories")
    ECRResponse.describe_images = paged(ECRResponse.describe_images, "imageDetails")
    ECRResponse.list_images = paged(ECRResponse.list_images, "imageIds")


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
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch_ecr(args.expired, args.token_lifetime, args.call_log)
    paginate_ecr()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"port {port}", flush=True)

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
    server.stop()
    return 0


if __name__ == "__main__":
    # Never let moto reach a real AWS account or pick up the developer's credentials.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    sys.exit(main())
