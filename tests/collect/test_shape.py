"""What a collected document must be before it is kept, and the scrubbing on its way in."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scanner.collect.bounds import MalformedPayload
from scanner.collect.shape import MAX_DEPTH, describe_drops, resource_problem, scrub

SUB = "/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e01"
VAULT = {"id": f"{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "name": "kv",
         "type": "Microsoft.KeyVault/vaults", "tags": {"a": "b"}, "properties": {"x": [1, {"y": "z"}]}}
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJl"


def test_scrub_removes_the_token_and_anything_shaped_like_a_jwt_from_values_and_keys() -> None:
    doc = {**VAULT, "name": "kv-s3cret-token", "tags": {"owner": f"Bearer {JWT}", "s3cret-token": "k"},
           "properties": {"list": ["ok", {"deep": "x s3cret-token y"}], "n": 3, "flag": True, "none": None}}
    original = copy.deepcopy(doc)
    clean, changed = scrub(doc, ("s3cret-token",))
    assert clean == {**VAULT, "name": "kv-<redacted>", "tags": {"owner": "Bearer <redacted-jwt>", "<redacted>": "k"},
                     "properties": {"list": ["ok", {"deep": "x <redacted> y"}], "n": 3, "flag": True, "none": None}}
    assert changed == 4
    assert doc == original  # a copy: what the collector iterates is left alone


def test_scrub_leaves_a_clean_document_equal_and_counts_nothing() -> None:
    assert scrub(VAULT, ("s3cret",)) == (VAULT, 0)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_numbers_json_cannot_carry_are_malformed(value: float) -> None:
    with pytest.raises(MalformedPayload, match="NaN or Infinity"):
        scrub({**VAULT, "properties": {"n": [value]}}, ())


def test_nesting_beyond_the_limit_is_malformed_and_just_below_it_is_kept() -> None:
    def nested(depth: int) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for _ in range(depth):
            doc = {"x": doc}
        return doc

    assert scrub(nested(MAX_DEPTH - 1), ())[1] == 0
    with pytest.raises(MalformedPayload, match="nested deeper"):
        scrub(nested(MAX_DEPTH + 1), ())


@pytest.mark.parametrize(("doc", "scope", "problem"), [
    (VAULT, SUB, None),
    (VAULT, f"{SUB}/", None),
    ({**VAULT, "id": VAULT["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")}, SUB, None),  # ids ignore case
    ({k: v for k, v in VAULT.items() if k != "id"}, SUB, "malformed"),
    ({**VAULT, "id": "kv"}, SUB, "malformed"),
    ({**VAULT, "tags": ["a"]}, SUB, "malformed"),
    ("not a document", SUB, "malformed"),
    (VAULT, "/subscriptions/00000000-0000-0000-0000-000000000000", "foreign_scope"),
    (VAULT, f"{SUB}0", "foreign_scope"),  # a prefix of the id is not its parent
    ({**VAULT, "type": "Microsoft.KeyVault/managedHSMs"}, SUB, "wrong_type"),
])
def test_a_resource_must_have_a_valid_id_inside_the_scope_and_type_asked_for(doc: Any, scope: str,
                                                                            problem: str | None) -> None:
    assert resource_problem(doc, "Microsoft.KeyVault/vaults", scope) == problem


def test_drops_are_described_by_reason() -> None:
    assert describe_drops({"malformed": 1, "duplicate_id": 2}, "locks") == (
        "malformed payload: 3 document(s) of locks dropped (1 malformed or without a valid id, "
        "2 repeating an id already listed)")
