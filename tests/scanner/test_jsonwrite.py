"""The fast JSON writer writes exactly what `json.dumps(indent=2)` writes, whatever the document: every value
where orjson would differ (text beyond ASCII, DEL, NaN, small floats, enums, non-str keys, huge integers,
lone surrogates) included."""

import enum
import json
import math
import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.jsonwrite import indented_json
from scanner.reporters.json_report import jsonable


class Colour(enum.Enum):
    RED = "red"


class Level(enum.StrEnum):
    HIGH = "high"


class Rank(enum.IntEnum):
    FIRST = 1


def expected(document) -> bytes:
    return (json.dumps(document, indent=2, default=jsonable) + "\n").encode("ascii")


ODD_TEXT = ["é", "\u202e", "\u2028", "\x7f", "\x00\x1f", "\ud800", "\U0001f600", "<&>", '"\\', "1e-07", ""]
scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8) | st.sampled_from(ODD_TEXT)
           | st.sampled_from([Colour.RED, Level.HIGH, Rank.FIRST, uuid.UUID(int=7), datetime(2026, 1, 2, tzinfo=UTC),
                              date(2026, 1, 2), timedelta(hours=4), {3, 1}, frozenset({"b"})]))
keys = st.text(max_size=6) | st.sampled_from(ODD_TEXT) | st.integers(-5, 5) | st.sampled_from([Level.HIGH, True, None])
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                         | st.dictionaries(keys, inner, max_size=5), max_leaves=30)


@settings(max_examples=400, deadline=None, database=None)
@given(document=documents)
def test_the_fast_writer_writes_what_json_dumps_writes(document):
    assert indented_json(document, jsonable) == expected(document)


def test_values_orjson_writes_differently_are_still_written_as_json_dumps_does():
    for value in (math.nan, -math.inf, 1e-7, 5e-324, 1e16, Colour.RED, uuid.UUID(int=1), 2**64, -(2**63) - 1,
                  "\ud800 lone", "é \U0001f600 \x7f", {1: "int key"}, {Level.HIGH: "str subclass key"},
                  [[[[[]]]]] * 3, {"a": {"b": [1.5, None, True]}}):
        document = {"evidence": {"observed": value}}
        assert indented_json(document, jsonable) == expected(document), value


def test_nesting_orjson_refuses_and_a_cycle_fail_or_succeed_as_in_json_dumps():
    deep: list = []
    for _ in range(300):  # orjson stops at 254 levels; json.dumps goes on
        deep = [deep]
    assert indented_json(deep, jsonable) == expected(deep)
    cycle: dict = {}
    cycle["self"] = cycle
    try:
        expected(cycle)
    except ValueError as exc:
        message = str(exc)
    try:
        indented_json(cycle, jsonable)
    except ValueError as exc:
        assert str(exc) == message
    else:
        raise AssertionError("a cycle must be refused as json.dumps refuses it")


def test_a_report_shaped_document_is_written_by_orjson(mocker):
    document = {"findings": [{"check_id": "STG-001", "resource": {"name": "stsalesraw", "location": None},
                              "evidence": {"observed": ["Standard_LRS"], "days": 7, "lag": 1.5,
                                           "when": date(2026, 1, 2)},
                              "message": "Zürich ‮ 😀"}] * 3}
    stdlib = mocker.spy(json, "dumps")
    text = indented_json(document, jsonable)
    assert stdlib.call_count == 0
    assert text == expected(document)


def test_a_value_default_refuses_is_refused_as_json_dumps_refuses_it():
    def strict(value):
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    for writer in (lambda d: json.dumps(d, indent=2, default=strict), lambda d: indented_json(d, strict)):
        try:
            writer({"observed": {1, 2}})
        except TypeError as exc:
            assert str(exc) == "Object of type set is not JSON serializable"
        else:
            raise AssertionError("a value default refuses must not be written")
