"""HTTP for publishing: every call has a time-out, failed connections and server errors are
retried with back-off, TLS is always verified, and no secret ever reaches a message."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests


class PublishError(Exception):
    """Publishing stopped. `done` says what had already happened on the server, so that the
    person can tell what state the LMS is in."""

    def __init__(self, message: str, done: list[str] | None = None):
        super().__init__(message)
        self.done = list(done or [])


RETRY_STATUS = frozenset(range(500, 600))


@dataclass
class Http:
    """A requests session with moocpack's rules.

    `retries` more attempts follow a connection error or a 5xx answer, after 0.5, 1, 2, 4 … s.
    A call that starts work on the server (`once=True`: a restore, an import) is retried only
    when the connection failed before the request was sent: after a 5xx or a read time-out the
    work may have run, and running it twice is the LMS's decision, not ours.
    """

    secrets: tuple[str, ...] = ()
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
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "****")
        return text

    def request(self, method: str, url: str, *, once: bool = False, timeout: float | None = None,
                **kwargs) -> requests.Response:
        requests = _requests()
        attempt = 0
        while True:
            rewind(kwargs)
            try:
                response = self.session.request(
                    method, url, timeout=(self.connect_timeout, timeout or self.timeout),
                    verify=self.ca_bundle if self.ca_bundle else True, **kwargs)
            except requests.exceptions.SSLError as exc:
                raise PublishError(self.hide(
                    f"TLS certificate of {host(url)} not accepted ({reason(exc)}); if the site uses a private "
                    "certificate authority, give its certificate with --ca-bundle")) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                before_sending = isinstance(exc, requests.exceptions.ConnectTimeout) or not isinstance(
                    exc, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError))
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
            return response


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
    inner = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    return text.split(": ", 1)[-1] if text.startswith("<") else text


def _version() -> str:
    from .. import __version__
    return __version__
