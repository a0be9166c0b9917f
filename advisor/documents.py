"""The one reader of documents (profiles, request bodies): JSON or YAML, bounded in every way.

The command line reads files and the HTTP API reads request bodies; both go through here, so a
document that one front end refuses the other refuses too, with the same message. What a hostile
or mistaken document could do, and what stops it:

- **size**: at most ``max_bytes`` are read (``max_bytes + 1`` to learn that it is over), from any
  kind of file -- ``/dev/zero``, a pipe, ``/dev/stdin`` -- and a pipe that stays silent is given
  up after ``timeout`` seconds instead of hanging;
- **aliases** (YAML ``&a``/``*a``): a few hundred bytes of nested aliases expand to billions of
  values (the "billion laughs"); no profile needs them, so they are refused before construction;
- **nesting**: at most :data:`MAX_DEPTH` levels, checked before the (recursive) constructors run;
- **integers**: at most :data:`MAX_INT_DIGITS` digits, in any base (YAML's hex, octal, binary
  and base-60 integers are not capped by Python's 4,300-digit ``int()`` limit, and a huge one
  fails later, wherever it is printed).

Every refusal is a :class:`DocumentError` (an :class:`~advisor.errors.InputError`), one line;
:class:`DocumentTooLarge` lets the HTTP API answer 413 rather than 400.
"""

from __future__ import annotations

import json
import os
import re
import select
import stat
import time
from pathlib import Path
from typing import Any

import orjson
import yaml

from advisor.errors import InputError
from advisor.validation import excerpt
from advisor.yaml_data import SafeLoader

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "PIPE_TIMEOUT", "DocumentError",
           "DocumentTooLarge", "read_document", "read_bytes", "read_limited", "decode_document"]

MAX_DOCUMENT_BYTES = 1_000_000  # bytes in a file the CLI reads (the API's cap is its own setting)
MAX_DEPTH = 32                  # levels of nesting: a profile needs 4
MAX_INT_DIGITS = 30             # digits of an integer, any base: seeds need 19
PIPE_TIMEOUT = 10.0             # seconds a pipe may stay silent before it is given up

_YamlLoader = SafeLoader  # libyaml when present (advisor/yaml_data.py)
_INT_LIMIT = 10 ** MAX_INT_DIGITS
_OPENERS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSERS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
#: a plain YAML scalar that the resolver may turn into a (possibly huge) integer
_NUMERIC = re.compile(r"[-+]?[0-9][0-9a-fA-FxXoObB_:]*")


class DocumentError(InputError):
    """A document that cannot be read or decoded (a 400 over HTTP, exit 2 on the CLI)."""


class DocumentTooLarge(DocumentError):
    """A document over the size cap (a 413 over HTTP)."""


def read_limited(fd: int, max_bytes: int, timeout: float = PIPE_TIMEOUT) -> bytes | None:
    """At most ``max_bytes + 1`` bytes from ``fd`` (so a caller learns the data is over the cap
    without reading it all); ``None`` when nothing arrives for ``timeout`` seconds. ``fd`` may be
    non-blocking (a pipe) or a regular file."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    while size <= max_bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        try:
            chunk = os.read(fd, max_bytes + 1 - size)
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_document(path: str | Path, what: str = "file", *, max_bytes: int = MAX_DOCUMENT_BYTES,
                  timeout: float = PIPE_TIMEOUT) -> Any:
    """Read and decode a YAML or JSON file (``.json`` as JSON, anything else as YAML)."""
    path = Path(path)
    raw = read_bytes(path, what, max_bytes=max_bytes, timeout=timeout)
    kind = "json" if path.suffix.lower() == ".json" else "yaml"
    return decode_document(raw, kind, what=what, source=str(path), max_bytes=max_bytes)


def read_bytes(path: str | Path, what: str = "file", *, max_bytes: int = MAX_DOCUMENT_BYTES,
               timeout: float = PIPE_TIMEOUT) -> bytes:
    """A file's bytes, at most ``max_bytes`` (over it: :class:`DocumentTooLarge`), from any kind
    of file, a silent pipe given up after ``timeout`` seconds (for readers of other formats:
    CSV answer sheets)."""
    path = Path(path)
    try:
        # O_NONBLOCK: opening a named pipe without a writer must not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DocumentError(f"no such file: {excerpt(str(path))}", what) from None
    except IsADirectoryError:
        raise DocumentError(f"{excerpt(str(path))} is a directory, expected a YAML or JSON file",
                            what) from None
    except OSError as exc:
        raise DocumentError(f"cannot read {excerpt(str(path))}: {exc.strerror}", what) from None
    try:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise DocumentError(f"{excerpt(str(path))} is a directory, expected a YAML or JSON "
                                "file", what)
        try:
            raw = read_limited(fd, max_bytes, timeout)
        except OSError as exc:
            raise DocumentError(f"cannot read {excerpt(str(path))}: {exc.strerror}",
                                what) from None
    finally:
        os.close(fd)
    if raw is None:
        raise DocumentError(f"{excerpt(str(path))} sent nothing for {timeout:g} s; give a file "
                            "or a pipe that is written to", what)
    if len(raw) > max_bytes:
        raise DocumentTooLarge(f"{excerpt(str(path), 120)} is larger than {max_bytes} bytes",
                               what)
    return raw


def decode_document(raw: bytes, kind: str, *, what: str = "body", source: str = "the document",
                    max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Decode JSON (``kind="json"``) or YAML bytes within every bound, or raise DocumentError."""
    name = excerpt(source, 120)
    if len(raw) > max_bytes:
        raise DocumentTooLarge(f"{name} is larger than {max_bytes} bytes", what)
    if not raw.strip():
        raise DocumentError(f"{name} is empty", what)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{name} is not valid UTF-8", what) from None
    try:
        data = _decode_json(text) if kind == "json" else _decode_yaml(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{name} is not valid JSON: {exc}", what) from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name} is not valid YAML: {excerpt(' '.join(str(exc).split()), 200)}",
                            what) from None
    except _Refused as exc:
        raise DocumentError(f"{name}: {exc}", what) from None
    except RecursionError:
        raise DocumentError(f"{name}: nested more than {MAX_DEPTH} levels deep", what) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer longer than Python converts
        raise DocumentError(f"{name} cannot be read: {excerpt(str(exc), 120)}", what) from None
    if kind != "json":   # JSON's integers were bounded as they were parsed (_decode_json)
        _check_values(data, what)
    return data


class _Refused(ValueError):
    """Something the bounds refuse (the message says what)."""


#: 19 digits in a row: orjson would read an integer that long (past 64 bits) as a float. Found
#: by mapping every ASCII digit to 0 (bytes.translate) and looking for nineteen zeros: about 1 us
#: for a profile where ``re.search(r"\d{19}")`` took 36 us, more than orjson's whole decode
#: (issue 13). JSON numbers are ASCII; other scripts' digits only occur inside strings, which
#: both readers read alike.
_ZERO_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def _has_long_digits(text: str) -> bool:
    return _LONG_DIGITS in text.encode("ascii", "replace").translate(_ZERO_DIGITS)


def _decode_json(text: str) -> Any:
    """JSON within the bounds. orjson reads it (about 4x faster: every API body comes here)
    unless the text may hold an integer past 64 bits, which json reads (and bounds) exactly; a
    text orjson refuses is read by json too, so its messages (and its reading of ``1e400`` or a
    lone surrogate) are what they always were."""
    _check_json_depth(text)
    if not _has_long_digits(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise _Refused(f"an integer has more than {MAX_INT_DIGITS} digits")
        return int(digits)

    def constant(name: str) -> Any:
        raise _Refused(f"{name} is not a JSON number")

    return json.loads(text, parse_int=integer, parse_constant=constant)


def _check_json_depth(text: str) -> None:
    """Brackets outside strings, counted before the (recursive) decoder sees them. A text with
    no more opening brackets in all (strings included) than the bound cannot nest deeper, so
    the character walk is skipped for it (most documents: a profile opens about 20)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
        elif char in "]}":
            depth -= 1


def _decode_yaml(text: str) -> Any:
    depth = 0
    for event in yaml.parse(text, Loader=_YamlLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("YAML anchors and aliases (&name, *name) are not accepted")
        if isinstance(event, _OPENERS):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, _CLOSERS):
            depth -= 1
        elif (isinstance(event, yaml.ScalarEvent) and event.implicit[0]
              and len(event.value) > MAX_INT_DIGITS and _NUMERIC.fullmatch(event.value)):
            raise _Refused(f"a number has more than {MAX_INT_DIGITS} digits: "
                           f"{excerpt(event.value)}")
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader


def _check_values(data: Any, what: str) -> None:
    """Integers within :data:`MAX_INT_DIGITS` digits wherever they are (iterative: the depth is
    already bounded, but no recursion is needed)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not -_INT_LIMIT < item < _INT_LIMIT:
                raise DocumentError(f"an integer has more than {MAX_INT_DIGITS} digits", what)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)

