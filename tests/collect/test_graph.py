"""Resource Graph answers are checked before they are believed (scanner.collect.graph)."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.collect.bounds import MalformedPayload
from scanner.collect.graph import GraphAnswer, GraphIncomplete, _take_page
from tests.helpers import example_body

SUB = "cfbbd179-59d2-4052-aa06-9270a38aa9d6"


@pytest.mark.parametrize("example", ["ResourcesBasicQuery.json", "ResourcesMgBasicQuery.json",
                                     "ResourcesNextPageQuery.json"])
def test_microsofts_example_answers_parse(example: str) -> None:
    body = example_body(f"resourcegraph/{example}")
    answer = GraphAnswer()
    token = _take_page(body, {row["id"].split("/")[2].lower() for row in body["data"]}, answer)
    assert token == body.get("$skipToken")
    assert {t for types in answer.found.values() for t in types} == {row["type"].lower() for row in body["data"]}


def test_a_row_naming_no_subscription_is_malformed() -> None:
    body = example_body("resourcegraph/ResourcesPropertiesQuery.json")  # an aggregate: no id, no subscription
    with pytest.raises(MalformedPayload, match="without a subscription"):
        _take_page(body, {SUB}, GraphAnswer())


def page(**fields: Any) -> dict[str, Any]:
    return {"data": [{"subscriptionId": SUB, "type": "microsoft.storage/storageaccounts"}], "count": 1, **fields}


def test_a_truncated_answer_without_a_skip_token_is_never_taken_as_complete() -> None:
    with pytest.raises(GraphIncomplete, match="truncated"):
        _take_page(page(resultTruncated="true"), {SUB}, GraphAnswer())
    assert _take_page(page(resultTruncated="true", **{"$skipToken": "next"}), {SUB}, GraphAnswer()) == "next"


@pytest.mark.parametrize("body, reason", [
    ({"data": {}}, "without a 'data' array"),
    ([], "without a 'data' array"),
    (page(**{"$skipToken": 7}), "not a string"),
    ({"data": [{"subscriptionId": "another", "type": "t"}]}, "not asked for"),
    ({"data": [{"subscriptionId": SUB}]}, "without a subscription and a type"),
])
def test_a_malformed_answer_is_refused(body: Any, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        _take_page(body, {SUB}, GraphAnswer())
