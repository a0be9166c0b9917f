"""The one document reader (advisor/documents.py): every bound holds, from any kind of file.

The same reader decodes the command line's files and the API's bodies, so these tests pin what
both refuse; tests/test_hardening_cli.py and tests/test_hostile_server.py check each front end
answers the refusal the way it should (exit 2 and one line; a 4xx problem).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from advisor.documents import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    DocumentError,
    DocumentTooLarge,
    decode_document,
    read_document,
)
from advisor.validation import excerpt

# a few hundred bytes that would expand to a billion values
LAUGHS = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n".encode()
    for i in range(8))


@pytest.mark.parametrize(("raw", "kind", "message"), [
    # the billion laughs: refused before anything expands
    (LAUGHS, "yaml", "anchors and aliases"),
    # one anchor alone is refused too (no profile needs one)
    (b"pmo: &p {exists: true}\n", "yaml", "anchors and aliases"),
    # deep nesting, YAML and JSON: refused before the recursive constructors run
    (b"[" * 100 + b"]" * 100, "yaml", f"nested more than {MAX_DEPTH} levels"),
    (b"[" * 10_000, "yaml", "maximum nesting depth"),  # libyaml's own bound, a bit further
    (b"[" * 10_000 + b"]" * 10_000, "json", f"nested more than {MAX_DEPTH} levels"),
    # a bracket inside a string is not nesting: this one only fails to parse
    (b'{"a": "' + b"[" * 100 + b'"', "json", "not valid JSON"),
    # integers over the digit cap in every base YAML knows, and in JSON
    (b"pmo: {exists: " + b"9" * 5000 + b"}", "yaml", "more than 30 digits"),
    (b"pmo: {exists: 0x" + b"f" * 5000 + b"}", "yaml", "more than 30 digits"),
    (b"pmo: {exists: 0b" + b"1" * 5000 + b"}", "yaml", "more than 30 digits"),
    (b"seed: " + b"1:" * 2000 + b"1", "yaml", "more than 30 digits"),
    (b'{"seed": ' + b"9" * 5000 + b"}", "json", "more than 30 digits"),
    # NaN and Infinity are not JSON
    (b'{"x": NaN}', "json", "NaN is not a JSON number"),
    # not text
    (b"\xff\xfe", "yaml", "not valid UTF-8"),
    # nothing at all
    (b"  \n", "yaml", "is empty"),
])
def test_the_reader_refuses_what_a_document_must_not_do(raw: bytes, kind: str,
                                                         message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        decode_document(raw, kind)


def test_a_huge_hex_integer_short_enough_to_parse_is_still_refused_by_value() -> None:
    """A 30-digit hex number is over 30 decimal digits: the value check catches it."""
    with pytest.raises(DocumentError, match="more than 30 digits"):
        decode_document(b"seed: 0x" + b"f" * MAX_INT_DIGITS, "yaml")


def test_a_document_over_the_cap_is_too_large() -> None:
    with pytest.raises(DocumentTooLarge, match="larger than 100 bytes"):
        decode_document(b"#" * 101, "yaml", max_bytes=100)


def test_a_normal_profile_reads_the_same_as_json_and_yaml() -> None:
    yaml_doc = decode_document(b"pmo: {exists: true, age_months: 12}\nsigns: [a]\n", "yaml")
    json_doc = decode_document(b'{"pmo": {"exists": true, "age_months": 12}, "signs": ["a"]}',
                               "json")
    assert yaml_doc == json_doc == {"pmo": {"exists": True, "age_months": 12}, "signs": ["a"]}


def test_dev_zero_is_read_only_up_to_the_cap() -> None:
    """In CPU seconds, which the machine's load does not inflate: reading on past the cap
    would never end (or take seconds of CPU per gigabyte)."""
    started = time.process_time()
    with pytest.raises(DocumentTooLarge, match="/dev/zero is larger than 1000 bytes"):
        read_document("/dev/zero", max_bytes=1000)
    assert time.process_time() - started < 1


def test_a_silent_pipe_is_given_up_after_the_timeout(tmp_path: Path) -> None:
    """It waits the timeout, then gives up: the bug was a reader blocked for good on a pipe
    nobody writes to. The upper bound is generous (a loaded machine wakes the reader late)."""
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(DocumentError, match="sent nothing for 0.3 s"):
        read_document(fifo, timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 10


def test_a_pipe_over_the_cap_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    written: list[int] = []

    def writer() -> None:
        try:
            with open(fifo, "wb") as out:
                for _ in range(100):  # 10 MB if anyone read it all
                    written.append(out.write(b"#" * 100_000))
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=writer)
    thread.start()
    with pytest.raises(DocumentTooLarge):
        read_document(fifo, max_bytes=1000, timeout=5)
    thread.join(timeout=10)
    assert sum(written) < 10_000_000


@pytest.mark.parametrize(("path", "message"), [
    ("/nonexistent/profile.yaml", "no such file"),  # missing
    ("/tmp", "is a directory"),                     # a directory
    ("/dev/null", "is empty"),                      # nothing in it
])
def test_a_file_that_is_no_document_is_one_clear_error(path: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        read_document(path)


@pytest.mark.parametrize(("value", "shown"), [
    ("x" * 100, "x" * 40 + "..."),      # long: cut
    ("a\nb\x1b[31m", "a\\nb\\x1b[31m"),   # control characters: escaped, one line, no colours
    ("\u0663", "\\u0663"),              # other scripts' digits: visible as what they are
])
def test_error_messages_echo_a_short_escaped_excerpt(value: str, shown: str) -> None:
    assert excerpt(value) == shown


@pytest.mark.parametrize("text", [
    '{"pmo": {"exists": true, "age_months": 18}, "indicators": {"influence": 3.5}}',
    '{"seed": 1234567890123456789, "big": -123456789012345678901234567890}',  # past 64 bits
    '{"a": [1, 1.0, -0, -0.0, 1e5, 1E-7, 2.5e+3, 123456789012345678]}',
    '{"name": "Fil\\u00e9 \\ud83d\\ude00 \u00e9", "a": "x", "a": "last wins"}',
    '{"n": 1e400}', '"\\ud800"', '[]', 'null',          # only json reads these: json's reading
    '{"name": "\u00e9\u0663", "seed": 98765432109876543210}',  # past 64 bits after non-ASCII
])
def test_json_bodies_read_the_same_through_orjson_as_through_json(text: str) -> None:
    """The fast reader (orjson) gives what json gives, to the type (1 is not 1.0); an integer
    past 64 bits (orjson: a float) or anything orjson refuses is read by json itself."""
    expected = json.loads(text)
    got = decode_document(text.encode(), "json", source="t")
    assert repr(got) == repr(expected)


def test_a_json_integer_past_the_digit_bound_is_still_refused() -> None:
    with pytest.raises(DocumentError, match="digits"):
        decode_document(b'{"a": ' + b"9" * 31 + b"}", "json", source="t")
