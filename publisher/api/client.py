"""The OneAll HTTP client: Basic auth, the request/response envelopes, API errors as messages."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils

from .. import __version__
from ..errors import ApiError, FatalApiError, OutcomeUnknown, PublisherError
from ..redact import key_forms, mask_all
from ..rules import is_loopback
from .retry import RETRY_STATUSES, RetryPolicy, retry_after

USER_AGENT = f"publisher/{__version__}"  # the version people report
# The API documents 500 and 504 as failures that may have happened after the work was done.
_UNKNOWN_OUTCOME = {500, 504}
_MEANING = {429: "too many requests", 502: "the API is having technical problems or in maintenance", 503: "the API is overloaded"}


DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def api_url_from(environ: Mapping[str, str]) -> str:
    """The API base URL from ONEALL_API_URL or ONEALL_SUBDOMAIN."""
    url = environ.get("ONEALL_API_URL", "").strip()
    subdomain = environ.get("ONEALL_SUBDOMAIN", "").strip()
    if not url and not subdomain:
        raise PublisherError("set ONEALL_SUBDOMAIN (or ONEALL_API_URL) to say which OneAll site to use")
    if not url:
        if not DNS_LABEL.fullmatch(subdomain):
            raise PublisherError(
                "ONEALL_SUBDOMAIN is not a site name: letters, digits and hyphens (a DNS label, "
                "at most 63), as in the site's address SUBDOMAIN.api.oneall.com"
            )
        url = f"https://{subdomain}.api.oneall.com"
    parts = urlsplit(url)
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise PublisherError("ONEALL_API_URL must be a base URL, without ? or #")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublisherError("ONEALL_API_URL must be an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PublisherError("ONEALL_API_URL may use plain http:// only for a loopback address; use https://")
    if parts.username or parts.password:
        raise PublisherError("ONEALL_API_URL must not contain credentials; use ONEALL_PUBLIC_KEY and ONEALL_PRIVATE_KEY")
    return url.rstrip("/")


def _network_settings(base_url: str, environ: Mapping[str, str]) -> tuple[dict[str, str], str | bool]:
    """The proxy and the CA bundle for the API as requests reads them from the environment
    (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), for https only: plain http
    goes to a loopback sandbox, and a proxy would see the keys in the clear."""
    if not base_url.startswith("https://"):
        return {}, True
    proxies = requests.utils.get_environ_proxies(base_url)  # honours NO_PROXY
    bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or ""
    if bundle and not os.path.exists(bundle):
        variable = "REQUESTS_CA_BUNDLE" if environ.get("REQUESTS_CA_BUNDLE") else "CURL_CA_BUNDLE"
        raise PublisherError(f"{variable}={bundle!r}: no such file or directory (a CA bundle in PEM form)")
    return {"https": proxies["https"]} if "https" in proxies else {}, bundle or True


def _nest(keys: tuple[str, ...], body: dict[str, Any]) -> dict[str, Any]:
    for key in reversed(keys):
        body = {key: body}
    return body


class Client:
    """One OneAll site. Methods return `result.data` or raise an `ApiError`."""

    def __init__(
        self,
        base_url: str,
        public_key: str,
        private_key: str,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        on_wait: Callable[[str], None] = lambda message: None,
        network: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.proxies, self.verify = _network_settings(self.base_url, network or {})
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.on_wait = on_wait
        self._auth = (public_key, private_key)
        self._secrets = key_forms(public_key, private_key)  # masked in every message
        self._local = threading.local()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], **options: Any) -> Client:
        public, private = environ.get("ONEALL_PUBLIC_KEY", ""), environ.get("ONEALL_PRIVATE_KEY", "")
        if not public or not private:
            raise PublisherError("set ONEALL_PUBLIC_KEY and ONEALL_PRIVATE_KEY (the API keys of your OneAll site)")
        return cls(api_url_from(environ), public, private, network=environ, **options)

    def push(self, token: str, path: str, object_key: tuple[str, ...], body: dict[str, Any]) -> dict[str, Any]:
        resource = f"/push/identities/{token}/{path}"
        return self._request("POST", resource, {"request": {"push": _nest(object_key, body)}})

    def update(self, token: str, path: str, object_key: tuple[str, ...], body: dict[str, Any]) -> dict[str, Any]:
        resource = f"/update/identities/{token}/{path}"
        return self._request("PUT", resource, {"request": {"update": _nest(object_key, body)}})

    def pull(self, token: str, path: str) -> dict[str, Any]:
        return self._request("GET", f"/pull/identities/{token}/{path}", None)

    def delete(self, token: str, path: str) -> dict[str, Any]:
        return self._request("DELETE", f"/update/identities/{token}/{path}", None)

    def _request(self, method: str, resource: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        shown = f"{method} {mask_all(resource)}"
        data = None if payload is None else json.dumps(payload).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        policy = self.retry
        waited = 0.0
        for attempt in range(policy.max_attempts):
            last = attempt == policy.max_attempts - 1
            try:
                response = self._send(shown, method, resource, data, headers)
            except FatalApiError as error:
                if error.sent or last or attempt + 1 >= policy.max_connect_attempts:
                    raise
                wait, why = policy.backoff(attempt), error.message
            else:
                if response.status_code not in RETRY_STATUSES:
                    return self._result(shown, response)
                asked = retry_after(response.headers.get("Retry-After"))
                status = response.status_code
                why = f"{shown}: the API answered {status} ({_MEANING[status]})"
                if last:
                    raise ApiError(f"{why} {policy.max_attempts} times; giving up", status=status, sent=False)
                wait = asked if asked is not None else policy.backoff(attempt)
                if asked is not None and waited + asked > policy.max_total_wait:
                    raise ApiError(
                        f"{why} and asks to wait {asked:.0f} s (Retry-After), more than publisher waits in all "
                        f"({policy.max_total_wait:g} s); try again later",
                        status=status,
                        sent=False,
                    )
            if waited + wait > policy.max_total_wait:
                raise ApiError(f"{why}; gave up after waiting {waited:.1f} s in all", sent=False)
            self.on_wait(f"{why}; retrying in {wait:.1f} s")
            policy.sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, shown: str, method: str, resource: str, data: bytes | None, headers: dict[str, str]) -> requests.Response:
        try:
            return self._session().request(method, self.base_url + resource, data=data, headers=headers, timeout=self.timeout)
        except (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError) as error:
            raise FatalApiError(f"cannot reach the OneAll API at {self.base_url}: {_reason(error)}", sent=False) from None
        except requests.exceptions.ProxyError as error:
            # The tunnel through the proxy failed: nothing reached the API.
            # The proxy's address is not shown: it may hold a password.
            raise FatalApiError(f"cannot reach the OneAll API at {self.base_url} through the proxy of HTTPS_PROXY: "
                                f"{_reason(error)}", sent=False) from None  # fmt: skip
        except requests.exceptions.ReadTimeout:
            raise OutcomeUnknown(f"{shown}: no answer within {self.timeout:g} s; the API may have carried it out") from None
        except requests.exceptions.ConnectionError as error:
            if _never_connected(error):
                raise FatalApiError(f"cannot reach the OneAll API at {self.base_url}: {_reason(error)}", sent=False) from None
            raise OutcomeUnknown(f"{shown}: the connection was lost after sending; the API may have carried it out") from None
        except requests.exceptions.RequestException as error:
            raise ApiError(f"{shown}: {_reason(error)}", sent=False) from None

    def _session(self) -> requests.Session:
        """One session per thread: apply sends from several threads at once."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self._auth
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            # Not the environment's settings wholesale (.netrc, a proxy for plain http): only
            # what _network_settings chose.
            session.trust_env = False
            session.proxies, session.verify = dict(self.proxies), self.verify
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def _result(self, shown: str, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        info = mask_all(_info(envelope), self._secrets)
        if status == 401:
            raise FatalApiError(
                f"the OneAll API refused the credentials (401): check ONEALL_PUBLIC_KEY and ONEALL_PRIVATE_KEY"
                f" for {self.base_url}",
                status=status,
            )
        if status in _UNKNOWN_OUTCOME:
            raise OutcomeUnknown(
                f"{shown}: the API answered {status} ({info or 'no details'}); it may have carried it out", status=status
            )
        if status >= 400 or not 200 <= status < 300:
            raise ApiError(
                f"{shown}: the API refused it with {status}: {info or mask_all(str(response.reason), self._secrets)}",
                status=status,
            )
        if not isinstance(envelope, dict):
            raise OutcomeUnknown(f"{shown}: the API answered {status} with a body that is not the JSON envelope", status=status)
        result = (envelope.get("response") or {}).get("result") or {}
        data = result.get("data") if isinstance(result, dict) else None
        return data if isinstance(data, dict) else {}


def _info(envelope: Any) -> str:
    try:
        return mask_all(str(envelope["response"]["request"]["status"]["info"]))
    except (KeyError, TypeError):
        return ""


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    """True when the failure happened while connecting, so the request was never sent."""
    text = repr(error.args[0] if error.args else error)
    return any(
        marker in text for marker in ("NewConnectionError", "Connection refused", "NameResolutionError", "Failed to resolve")
    )


def _reason(error: Exception) -> str:
    text = str(error)
    for marker in ("Connection refused", "timed out", "Name or service not known", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return mask_all(text.split("(Caused by")[-1].strip(" )") or type(error).__name__)
