"""The YAML reader of policy and baseline files against hostile input, and fuzzing of both readers:
nothing but InputError may come out, and every error is one line naming the file."""

from __future__ import annotations

import os
import string
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.baseline import load_baseline, parse_baseline
from scanner.errors import InputError
from scanner.policy import load_policy, parse_policy
from scanner.user_yaml import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse_yaml, read_yaml
from tests.helpers import REPO, SUB

BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
# Fuzzing stays in the suite's time budget: examples are few and each is small. Fuzz longer locally
# with e.g. BCDR_SCAN_FUZZ_EXAMPLES=5000.
FUZZ = settings(max_examples=int(os.environ.get("BCDR_SCAN_FUZZ_EXAMPLES", "150")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def refusal(text: str, text_keys: frozenset[str] = frozenset()) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml", text_keys)
    assert caught.value.source == "f.yaml"
    assert "\n" not in str(caught.value)
    return caught.value


def test_billion_laughs_fails_fast_without_expanding():
    assert len(BILLION_LAUGHS) < 1024
    error = refusal(BILLION_LAUGHS)
    assert error.message == f"more than {MAX_NODES:,} values once aliases are expanded"
    assert error.field == "line 6"  # the first level past the bound: 9**6 values


def test_aliases_within_the_bound_still_work():
    document = parse_yaml("base: &b {strategy: redeploy, rpo: 1d}\nzone: {<<: *b, rpo: 7d}\nagain: *b\n", "f")
    assert document["zone"] == {"strategy": "redeploy", "rpo": "7d"}
    assert document["again"] == {"strategy": "redeploy", "rpo": "1d"}


def test_a_recursive_alias_is_refused():
    assert refusal("a: &a [1, *a]\n").message == "recursive alias *a"


@pytest.mark.parametrize("text", ["[" * 100_000, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)),
                                  "- " * 500 + "x\n"])
def test_deep_nesting_is_refused_not_a_recursion_error(text):
    assert refusal(text).message == f"nested deeper than {MAX_DEPTH} levels"


def test_nesting_up_to_the_bound_is_read():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(text, "f") is not None


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: 1\nb: 2\na: 3\n", "line 3", "duplicate key 'a' (first given on line 1)"),
    ("{a: 1, a: 2}\n", "line 1", "duplicate key 'a' (first given on line 1)"),
    ("- expires: 2026-01-01\n  owner: me\n  expires: 2099-01-01\n", "line 3", "duplicate key 'expires'"),
])
def test_duplicate_keys_are_refused_with_their_line(text, line, message):
    error = refusal(text)
    assert error.field == line and error.message.startswith(message)


@pytest.mark.parametrize(("text", "expected"), [
    ("expires: 2027-02-30\n", {"expires": "2027-02-30"}),
    ("expires: 2027-06-30\n", {"expires": "2027-06-30"}),
    ("at: 2027-06-30T10:00:00Z\n", {"at": "2027-06-30T10:00:00Z"}),
    ("key: =\n", {"key": "="}),
])
def test_dates_stay_text(text, expected):
    assert parse_yaml(text, "f") == expected


@pytest.mark.parametrize("text", ["x: " + "9" * 5000 + "\n", "x: !!int " + "9" * 5000 + "\n",
                                  "x: !!timestamp 2027-02-30\n", "x: !!float abc\n"])
def test_values_python_cannot_hold_are_refused_at_their_line(text):
    error = refusal(text)
    assert error.field == "line 1" and error.message.startswith("cannot read this value")


@pytest.mark.parametrize("text", ["a: \x00\n", "a: 1\nb: \x1b[31m\n", "a: [1\n", "!!python/object:os.system x\n",
                                  "a: 1\n---\nb: 2\n", "*undefined\n"])
def test_malformed_yaml_is_one_line_with_the_line_number(text):
    error = refusal(text)
    assert error.field.startswith("line ") and error.message.startswith("not valid YAML")


def test_scalars_under_text_keys_keep_their_source_text():
    document = parse_yaml("tags: {a: true, b: 1234, c: [yes, 1.50, 0x1F], d: null}\nother: true\n", "f",
                          frozenset({"tags"}))
    assert document == {"tags": {"a": "true", "b": "1234", "c": ["yes", "1.50", "0x1F"], "d": None}, "other": True}


def test_a_shared_node_keeps_its_type_outside_text_keys():
    document = parse_yaml("flag: &f true\ntags: {a: *f}\n", "f", frozenset({"tags"}))
    assert document == {"flag": True, "tags": {"a": "true"}}


def test_files_beyond_the_size_bound_are_refused_before_parsing(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(InputError, match="larger than 1 MiB"):
        read_yaml(path, "policy")


def test_non_utf8_and_unreadable_files_are_one_line(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("owner: Jürgen\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xfc at offset 8\)"):
        read_yaml(path, "baseline")
    with pytest.raises(InputError, match="cannot read policy file"):
        read_yaml(tmp_path, "policy")


# --- fuzzing: the policy and baseline readers, from text and from structured documents -------------

YAML_ALPHABET = string.ascii_letters + string.digits + " \t\n-:[]{},&*!|>'\"#%@`?.<=~\\/_" + "\x00\x1b\u2028é"
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["hot-spare", "warm-spare", "15m", "99999999999d",
                                                           "2027-02-30", "2027-06-30", SUB, "westeuropa",
                                                           "northeurope", "*", "STG-*", "/subscriptions/x"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["version", "zones", "default_zone", "name", "strategy", "rpo", "rto",
                                     "primary_region", "secondary_region", "match", "subscriptions", "tags",
                                     "resource_groups", "partners", "requirements", "accepted_risks", "check",
                                     "resource", "justification", "owner", "expires", "min_pitr_days", "x"]),
                    inner, max_size=6)), max_leaves=30)
SAMPLE_POLICY = (REPO / "fixtures" / "policies" / "sample-policy.yaml").read_text("utf-8")
SAMPLE_BASELINE = textwrap.dedent(f"""\
    version: 1
    accepted_risks:
      - check: STG-*
        resource: /subscriptions/{SUB}/resourceGroups/rg/*
        justification: rebuilt nightly
        owner: me@contoso.com
        expires: 2027-06-30
    """)


def only_input_errors(read: Any, *args: Any) -> None:
    try:
        read(*args)
    except InputError as exc:
        assert "\n" not in str(exc)


def mutated(text: str, data: st.DataObject) -> str:
    """`text` with a random slice replaced by random YAML-ish characters."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    return text[:start] + data.draw(st.text(YAML_ALPHABET, max_size=40)) + text[end:]


@FUZZ
@given(st.text(YAML_ALPHABET, max_size=300))
def test_fuzz_random_text_read_as_policy_and_baseline(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(text, "utf-8")
    only_input_errors(load_policy, path)
    only_input_errors(load_baseline, path, ["STG-001"])


@FUZZ
@given(st.data())
def test_fuzz_mutated_real_files(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_text(mutated(SAMPLE_POLICY, data), "utf-8")
    only_input_errors(load_policy, path)
    path.write_text(mutated(SAMPLE_BASELINE, data), "utf-8")
    only_input_errors(load_baseline, path, ["STG-001"])


@FUZZ
@given(documents)
def test_fuzz_structured_documents(document):
    only_input_errors(parse_policy, document, "p.yaml")
    only_input_errors(parse_policy, {"zones": [document]}, "p.yaml")
    only_input_errors(parse_policy, {"default_zone": document}, "p.yaml")
    only_input_errors(parse_baseline, document, "b.yaml", ["STG-001"])
    only_input_errors(parse_baseline, {"accepted_risks": [document]}, "b.yaml", ["STG-001"])


@FUZZ
@given(documents)
def test_fuzz_structured_documents_through_yaml_text(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    try:
        path.write_text(yaml.safe_dump({"zones": [document], "accepted_risks": [document]}), "utf-8")
    except (yaml.YAMLError, ValueError):
        return  # a value PyYAML cannot write (an unpaired surrogate): nothing to read back
    only_input_errors(load_policy, path)
    only_input_errors(load_baseline, path)
