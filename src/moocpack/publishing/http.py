"""HTTP for publishing: every call has a time-out, failed connections and server errors are
retried with back-off, TLS is always verified, secrets go only over HTTPS (loopback excepted)
and only to the origin the person named, and no secret ever reaches a message."""

from __future__ import annotations

import ipaddress
import time
from time import monotonic  # bound here: a body's deadline is its own clock
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus, urljoin, urlsplit

if TYPE_CHECKING:
    import requests


class PublishError(Exception):
    """Publishing stopped. `done` says what had already happened on the server, so that the
    person can tell what state the LMS is in."""

    def __init__(self, message: str, done: list[str] | None = None, code: str = ""):
        super().__init__(message)
        self.done = list(done or [])
        self.code = code


RETRY_STATUS = frozenset(range(500, 600))
# No LMS answer publishing reads is more than a few kB: a larger body is read no further, so that a
# hostile or broken server cannot fill the memory. Nor may a body trickle in forever.
MAX_ANSWER = 16 * 1024 * 1024
REDIRECT_STATUS = frozenset((301, 302, 303, 307, 308))
MAX_REDIRECTS = 5


def origin(url: str) -> str:
    """scheme://host:port, the unit a browser (and moocpack) trusts: the default port written out,
    the host in lower case, so that two spellings of one site compare equal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme, 0)
    except ValueError:
        port = 0
    host = (parts.hostname or "").lower()
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def is_loopback(host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure(url: str, option: str) -> str:
    """The address a secret may be sent to: https, or http on this machine (a local test site).
    Anything else is refused before the secret is read or anything is built."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise PublishError(f"{option} {url!r} is not a web address ({exc})", code="bad-url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(f"{option} {url!r} is not a web address (https://…)", code="bad-url")
    if parts.username or parts.password:
        raise PublishError(
            f"{option} must not carry a user name or password; secrets come from the environment or a file",
            code="bad-url",
        )
    if scheme == "http" and not is_loopback(parts.hostname):
        raise PublishError(
            f"{option} {url} is plain http: the secret would cross the network in clear text; use "
            "https:// (plain http is accepted only for localhost, 127.0.0.0/8 and ::1)",
            code="insecure-url",
        )
    return url.strip()


@dataclass
class Http:
    """A requests session with moocpack's rules.

    `retries` more attempts follow a connection error or a 5xx answer, after 0.5, 1, 2, 4 … s.
    A call that starts work on the server (`once=True`: a restore, an import) is retried only
    when the connection failed before the request was sent: after a 5xx or a read time-out the
    work may have run, and running it twice is the LMS's decision, not ours.
    """

    secrets: list[str] = field(default_factory=list)  # shared with whoever prints: a secret learnt later joins it
    ca_bundle: str | None = None
    timeout: float = 60.0
    connect_timeout: float = 10.0
    retries: int = 4
    backoff: float = 0.5
    session: requests.Session = field(default_factory=lambda: _requests().Session())

    def __post_init__(self):
        self.session.headers["User-Agent"] = f"moocpack/{_version()}"
        if self.ca_bundle is not None and not Path(self.ca_bundle).is_file():
            raise PublishError(f"the CA bundle {self.ca_bundle} is not a file")

    @staticmethod
    def pause(seconds: float) -> None:
        time.sleep(seconds)

    def hide(self, text: str) -> str:
        return hide(text, self.secrets)

    def request(
        self, method: str, url: str, *, once: bool = False, timeout: float | None = None, **kwargs
    ) -> requests.Response:
        requests = _requests()
        attempt = hops = 0
        while True:
            rewind(kwargs)
            try:
                # Redirects are followed here, not by requests: a redirect to another origin would
                # otherwise receive the POST body (Moodle's token) or the upload.
                response = self.session.request(
                    method,
                    url,
                    timeout=(self.connect_timeout, timeout or self.timeout),
                    verify=self.ca_bundle if self.ca_bundle else True,
                    allow_redirects=False,
                    stream=True,
                    **kwargs,
                )
                self._read_body(response, url, 2 * (timeout or self.timeout))
            except requests.exceptions.SSLError as exc:
                raise PublishError(
                    self.hide(
                        f"TLS certificate of {host(url)} not accepted ({reason(exc)}); if the site uses a private "
                        "certificate authority, give its certificate with --ca-bundle"
                    )
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                before_sending = isinstance(exc, requests.exceptions.ConnectTimeout) or not isinstance(
                    exc, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError)
                )
                if attempt < self.retries and (before_sending or not once):
                    attempt += 1
                    self.pause(self.backoff * 2 ** (attempt - 1))
                    continue
                what = "no answer in time from" if isinstance(exc, requests.exceptions.Timeout) else "cannot reach"
                raise PublishError(self.hide(f"{what} {host(url)} ({reason(exc)})")) from None
            except requests.exceptions.InvalidURL as exc:
                raise PublishError(self.hide(f"not a valid address: {url} ({exc})")) from None
            if response.status_code in RETRY_STATUS and attempt < self.retries and not once:
                attempt += 1
                self.pause(self.backoff * 2 ** (attempt - 1))
                continue
            if response.status_code in REDIRECT_STATUS and response.headers.get("Location"):
                target = urljoin(url, response.headers["Location"])
                same_site(url, target, self.secrets, "redirected")
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise PublishError(
                        self.hide(f"{host(url)} redirected more than {MAX_REDIRECTS} times"), code="redirect"
                    )
                if response.status_code == 303 or (response.status_code in (301, 302) and method != "GET"):
                    # What browsers and requests do: the next request is a GET, without the body.
                    method = "GET"
                    for key in ("data", "files", "json"):
                        kwargs.pop(key, None)
                url = target
                continue
            return response

    def _read_body(self, response, url: str, allowed: float) -> None:
        """The body, at most MAX_ANSWER bytes and `allowed` seconds in all (each read has its own
        time-out too), kept where requests keeps it."""
        deadline = monotonic() + allowed
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_ANSWER:
                    raise PublishError(
                        self.hide(
                            f"{host(url)} answered with more than {MAX_ANSWER // 2**20} MiB; "
                            "no LMS answer is that large"
                        ),
                        code="unexpected-answer",
                    )
                if monotonic() > deadline:
                    raise PublishError(
                        self.hide(f"{host(url)} took more than {allowed:.0f} s to send its answer"),
                        code="unexpected-answer",
                    )
                chunks.append(chunk)
        finally:
            response.close()
        response._content = b"".join(chunks)


def json_of(response):
    """The answer's JSON; ValueError for anything else, a document nested deeper than the parser
    goes (a JSON bomb) included."""
    try:
        return response.json()
    except RecursionError:
        raise ValueError("nested too deeply") from None


def same_site(named: str, target: str, secrets, verb: str) -> None:
    """Stop before a credential-bearing request goes to an origin the person did not name."""
    if origin(target) != origin(named):
        raise PublishError(
            hide(
                f"{host(named)} {verb} to {host(target)}, another origin; moocpack sends credentials only to the "
                f"site you named ({host(named)}). If the site has moved, give its new address",
                secrets,
            ),
            code="other-origin",
        )


def hide(text: str, secrets) -> str:
    """`text` with every secret masked, also as a URL or form would carry it."""
    text = str(text)
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "****")
    return text


def hide_all(value, secrets):
    """Every string in a JSON-like value masked (keys too): what --json prints."""
    if isinstance(value, str):
        return hide(value, secrets)
    if isinstance(value, dict):
        return {hide_all(k, secrets): hide_all(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [hide_all(v, secrets) for v in value]
    return value


def _requests():
    """requests, imported when something is published: every other command starts without it
    (a tenth of a second)."""
    import requests

    return requests


def rewind(kwargs: dict) -> None:
    """A retried upload must send the file from its start again."""
    for value in (kwargs.get("files") or {}).values():
        handle = value[1] if isinstance(value, tuple) else value
        if hasattr(handle, "seek"):
            handle.seek(0)


def host(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


def reason(exc: Exception) -> str:
    """The innermost cause of a requests error, without the repr noise of urllib3's wrappers."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    return text.split(": ", 1)[-1] if text.startswith("<") else text


def _version() -> str:
    from .. import __version__

    return __version__
