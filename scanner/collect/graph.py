"""Discovery through Azure Resource Graph: in which subscriptions, and of which collected types,
resources exist. ARM then reads only those (subscription, type) lists and what hangs below them,
exactly as an ARM-discovered scan does; an empty subscription costs no ARM request at all.

Graph answers only *where*; every document still comes from ARM. That keeps `--discovery graph`
and `--discovery arm` documents identical (Graph's copy of a resource is partial for several
types, e.g. no `geoReplicationStats`, no blob service properties) and limits what Graph's
eventual consistency can change: a resource created minutes ago may not be indexed yet, so its
(subscription, type) list may be skipped.

REST: `POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01`, at most 1,000
subscriptions per request, pages of at most 1,000 rows linked by `$skipToken`
(https://learn.microsoft.com/rest/api/azureresourcegraph/resourcegraph/resources/resources,
https://learn.microsoft.com/azure/governance/resource-graph/concepts/work-with-data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scanner.collect.arm import arm_post
from scanner.collect.bounds import MalformedPayload, PageLimit, current_read

GRAPH_API = "2024-04-01"
GRAPH_URL = f"/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API}"
MAX_SUBSCRIPTIONS = 1000  # per request (the API's limit)
PAGE_ROWS = 1000  # $top: the most rows a page may hold


def where_query(types: Iterable[str]) -> str:
    """The one query sent: the distinct (subscription, type) pairs of the collected types."""
    names = ", ".join(f"'{t.lower()}'" for t in sorted({t.lower() for t in types}))
    return (f"resources | where type in~ ({names}) | distinct subscriptionId, type "
            "| order by subscriptionId asc, type asc")


class GraphIncomplete(Exception):
    """Resource Graph did not answer the whole query (truncated, malformed, failed)."""


@dataclass
class GraphAnswer:
    found: dict[str, set[str]] = field(default_factory=dict)  # subscription -> lower-case types present
    pages: int = 0


def discover(client: Any, subscriptions: list[str], types: Iterable[str], answer: GraphAnswer) -> None:
    """Every page of the query over `subscriptions` (at most MAX_SUBSCRIPTIONS), into `answer`.
    Raises GraphIncomplete, or the HTTP error, when any part of the answer is missing."""
    query = where_query(types)
    wanted = {s.lower() for s in subscriptions}
    token: str | None = None
    seen: set[str] = set()
    while True:
        options: dict[str, Any] = {"$top": PAGE_ROWS, "resultFormat": "objectArray"}
        if token:
            options["$skipToken"] = token
        page = arm_post(client, GRAPH_URL, {"subscriptions": subscriptions, "query": query, "options": options})
        answer.pages += 1
        token = _take_page(page, wanted, answer)
        if token is None:
            return
        if token in seen:
            raise PageLimit("Resource Graph's $skipToken leads back to a page already read (a loop)")
        seen.add(token)
        read = current_read()
        if read is not None and len(seen) >= read.max_pages:
            raise PageLimit(f"the Resource Graph answer has more than {read.max_pages} pages")


def _take_page(page: Any, wanted: set[str], answer: GraphAnswer) -> str | None:
    """Check a page before believing it; keep its rows; its `$skipToken`, if any."""
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise MalformedPayload("a Resource Graph answer without a 'data' array")
    token = page.get("$skipToken")
    if token is not None and not (isinstance(token, str) and 0 < len(token) <= 4096):
        raise MalformedPayload("a Resource Graph answer whose $skipToken is not a string")
    if str(page.get("resultTruncated", "false")).lower() != "false" and not token:
        raise GraphIncomplete("Resource Graph truncated its answer and gave no $skipToken to read the rest")
    for row in page["data"]:
        sub = _subscription_of(row)
        if sub is None or not isinstance(row.get("type"), str):
            raise MalformedPayload("a Resource Graph row without a subscription and a type")
        if sub not in wanted:
            raise MalformedPayload("a Resource Graph row for a subscription not asked for")
        answer.found.setdefault(sub, set()).add(row["type"].lower())
    return token or None


def _subscription_of(row: Any) -> str | None:
    """The row's `subscriptionId` column, or the subscription its resource `id` names."""
    if not isinstance(row, dict):
        return None
    if isinstance(row.get("subscriptionId"), str):
        return row["subscriptionId"].lower()
    parts = row.get("id").split("/") if isinstance(row.get("id"), str) else []
    return parts[2].lower() if len(parts) > 2 and parts[0] == "" and parts[1].lower() == "subscriptions" else None
