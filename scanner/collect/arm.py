"""Reading ARM through an SDK client's pipeline: raw JSON documents, paging, and errors turned
into what a read gap records.

Every request, SDK operation or generic GET, goes through the same pipeline (credential,
read-only guard, throttle, retries, logging). The documents kept are the JSON exactly as ARM
sent it: the new SDK models are mappings over the wire JSON (`as_dict()`), the msrest models of
the locks SDK are not, so their pages are read raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from azure.core.exceptions import (
    ClientAuthenticationError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat

from scanner.collect.bounds import RETRY_AFTER_CAP, BoundReached, MalformedPayload, RequestDeadline
from scanner.collect.pipeline import ReadOnlyViolation, certificate_failure, retry_after

__all__ = ["MalformedPayload", "arm_get", "arm_list", "describe", "is_transient", "raw_pages", "sdk_items", "to_json"]
_MAX_ERROR = 400


def to_json(item: Any) -> dict[str, Any]:
    """The wire JSON of an SDK model (or a dict from a raw read)."""
    if isinstance(item, Mapping) and not hasattr(item, "as_dict"):
        return dict(item)
    as_dict = getattr(item, "as_dict", None)
    if callable(as_dict) and hasattr(item, "_data"):  # azure-mgmt `_utils/model_base.Model`
        return as_dict()
    raise MalformedPayload(f"cannot read {type(item).__name__} as raw JSON")


def sdk_items(pager: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for item in pager:
        yield to_json(item)


def raw_pages(operation: Callable[..., Iterable[Any]], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Run a paged SDK operation and return the items of its pages as ARM sent them.

    The SDK drives the paging (nextLink, api-version); a response hook keeps each successful
    page's body, because the msrest models of older SDKs would reformat values.
    """
    pages: list[Any] = []

    def keep(response: Any) -> None:
        http = response.http_response
        if http.status_code == 200:
            pages.append(_parse(http.text()))

    count = sum(1 for _ in operation(*args, raw_response_hook=keep, **kwargs))
    items: list[Any] = []
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise MalformedPayload("a list response without a 'value' array")
        items.extend(page["value"])
    if len(items) != count:
        raise MalformedPayload(f"the pages held {len(items)} items, the SDK read {count}")
    return items


def arm_get(client: Any, url: str) -> Any:
    """GET one URL (absolute, or a path joined to the client's endpoint) and return its JSON."""
    response = client.send_request(HttpRequest("GET", url))
    if response.status_code != 200:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return _parse(response.text())


def arm_post(client: Any, url: str, body: Any) -> Any:
    """POST a JSON body (a Resource Graph query: the read-only policy refuses any other POST) and
    return the answer's JSON."""
    response = client.send_request(HttpRequest("POST", url, json=body))
    if response.status_code != 200:
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return _parse(response.text())


def arm_list(client: Any, path: str, api_version: str) -> Iterator[dict[str, Any]]:
    """Every item of an ARM list, following `nextLink` until ARM gives none. The pipeline checks
    each page and bounds the paging (pages, loops, deadline) for the read in progress
    (`scanner.collect.bounds.reading`), as it does for the SDK pagers."""
    url: str | None = f"{path}?api-version={api_version}"
    while url:
        body = arm_get(client, url)
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            raise MalformedPayload("a list response without a 'value' array")
        yield from body["value"]
        next_link = body.get("nextLink")
        url = _with_api_version(next_link, api_version) if isinstance(next_link, str) and next_link else None


def describe(exc: BaseException, retry_after_cap: float = RETRY_AFTER_CAP) -> tuple[str, int | None]:
    """A one-line reason and the HTTP status (if any) for a read that failed for good."""
    if isinstance(exc, BoundReached | RequestDeadline):
        return _clip(_first_line(str(exc))), None
    if isinstance(exc, DecodeError):
        status = getattr(exc.response, "status_code", None)
        return _clip(f"malformed JSON in the response (HTTP {status})"), None
    if isinstance(exc, ClientAuthenticationError) and exc.response is None:
        return _clip(f"authentication failed: {_first_line(exc.message)}"), None
    if isinstance(exc, HttpResponseError):
        return _clip(_http_error(exc, retry_after_cap)), exc.status_code
    if isinstance(exc, ServiceRequestError):
        return _clip(f"cannot reach ARM: {_first_line(str(exc))}"), None
    if isinstance(exc, ServiceResponseError):
        return _clip(f"no complete response from ARM: {_first_line(str(exc))}"), None
    if isinstance(exc, ReadOnlyViolation):
        return _clip(str(exc)), None
    if isinstance(exc, (MalformedPayload, DeserializationError, json.JSONDecodeError, UnicodeDecodeError,
                        RecursionError)):
        return _clip(f"malformed payload: {_first_line(str(exc)) or type(exc).__name__}"), None
    return _clip(f"internal error: {type(exc).__name__}: {_first_line(str(exc))}"), None


def _http_error(exc: HttpResponseError, retry_after_cap: float) -> str:
    status = exc.status_code
    # The SDK copies the error body's `code` and `message` as the server wrote them: any JSON value.
    code = _first_line(_as_text(getattr(exc.error, "code", None) if exc.error else None))
    message = _first_line(_as_text(getattr(exc.error, "message", None) if exc.error else None))
    text = f"HTTP {status}" + (f" {code}" if code else "") + f": {message or _first_line(_as_text(exc.reason))}"
    if status in (408, 429) or (status or 0) >= 500:
        headers = getattr(exc.response, "headers", None)
        wait = retry_after(headers) if headers is not None else None
        if wait is not None and wait > retry_after_cap:
            text += f" (Retry-After {wait:.0f} s is beyond the {retry_after_cap:g} s cap: not waited for)"
        else:
            text += " (retries exhausted)"
    return text


def is_transient(exc: BaseException) -> bool:
    """Whether a failed read may succeed when tried again later: throttling (also a Retry-After
    beyond the cap), server errors, timeouts and dropped connections; not a refusal, a malformed
    answer or a bound."""
    if isinstance(exc, BoundReached | RequestDeadline):
        return exc.transient
    if isinstance(exc, DecodeError):
        return False
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        return exc.status_code in (408, 429) or exc.status_code >= 500
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return not certificate_failure(exc)
    return False


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedPayload(f"invalid JSON ({exc.msg} at character {exc.pos})") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting deeper than Python recurses
        raise MalformedPayload(f"unreadable JSON ({type(exc).__name__})") from None


def _with_api_version(url: str, api_version: str) -> str:
    # The link is used as ARM wrote it (its skip token is opaque); only a missing api-version is added.
    query = urlsplit(url).query
    if any(k.lower() == "api-version" for k, _ in parse_qsl(query, keep_blank_values=True)):
        return url
    return f"{url}{'&' if query else '?'}api-version={api_version}"


def _as_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)[:_MAX_ERROR]


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"
