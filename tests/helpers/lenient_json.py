"""A lenient JSON reader for the mangled examples in the Rayvision spec documents.

The spec documents were converted from PDF, which damaged their JSON examples.
This module reads such text anyway and counts every *repair* it had to make, so
callers can tell clean examples from patched ones.

Lexical repairs (made while tokenizing):

* a ``//`` comment is dropped;
* a string broken across lines is joined (a line that ended in whitespace is
  joined with one space, otherwise the lines are glued together);
* a string with no closing quote before a line that starts with ``"key":``,
  ``}`` or ``]`` is closed at the end of its line;
* a string with an invalid escape such as ``\\V`` keeps the backslash;
* ``True`` / ``False`` / ``None`` are read as JSON literals.

Structural repairs (made while parsing):

* a trailing comma before a closer;
* a closer of the wrong kind (``}`` where ``]`` belongs, or the reverse);
* a missing comma between two values / members;
* an unquoted object key;
* a missing closer, detected when an object meets ``, {`` where a key belongs or
  an array meets ``, "key":``;
* a doubled opener ``{ {`` (the inner brace is ignored);
* a container still open at the end of the text (one repair per container).

An example split over several fragments (page breaks) is read with
:func:`loads_fragments`: the converter appended spurious closing brackets to the
end of fragments, so every combination of "drop the last *d* closers of fragment
*i*" (for every fragment but the last) is tried and the combination needing the
fewest repairs wins.  Each dropped closer also counts as a repair.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LenientJSONError", "Parsed", "loads", "loads_fragments"]

MAX_COMBINATIONS = 20_000


class LenientJSONError(ValueError):
    """The text is too damaged to be read even leniently."""


@dataclass(frozen=True)
class Parsed:
    value: Any
    repairs: int  # total, including the dropped closers
    drops: tuple[int, ...]  # closers dropped from the end of each fragment but the last

    @property
    def dropped(self) -> int:
        return sum(self.drops)


@dataclass(frozen=True)
class _Token:
    kind: str  # one of "{}[]:," or "str", "num", "lit", "ident"
    value: Any
    pos: int


_PUNCTUATION = frozenset("{}[]:,")
_CLOSERS = frozenset("}]")
_VALUE_START = frozenset({"{", "[", "str", "num", "lit"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_PY_LITERALS: dict[str, Any] = {"True": True, "False": False, "None": None}
# A line that cannot be the continuation of a broken string.
_STRING_STOPPER = re.compile(r'\s*(?:"[^"\n]*"\s*:|[}\]])')
# The closing quote(s) of a broken string at the end of a continuation line.
_STRING_TAIL = re.compile(r'"+(?=[ \t]*[,}\]]?[ \t]*$)')
_ESCAPE = re.compile(r'\\(["\\/bfnrt]|u[0-9a-fA-F]{4})')
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] == "u":
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, code)


def _decode_lenient(raw: str) -> str:
    """Decode JSON escapes; an unknown escape keeps its backslash."""
    return _ESCAPE.sub(_unescape, raw)


def _join_lines(pieces: list[str]) -> str:
    out = pieces[0]
    for piece in pieces[1:]:
        separator = " " if out != out.rstrip() else ""
        out = out.rstrip() + separator + piece.lstrip()
    return out


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.repairs = 0
        self.tokens: list[_Token] = []

    def _line_end(self, i: int) -> int:
        end = self.text.find("\n", i)
        return len(self.text) if end < 0 else end

    def _next_nonblank_line(self, eol: int) -> tuple[int, str] | None:
        i = eol
        while i < len(self.text):
            start = i + 1
            end = self._line_end(start)
            line = self.text[start:end]
            if line.strip():
                return start, line
            i = end
        return None

    def _string(self, i: int) -> tuple[str, int]:
        """Read the string whose opening quote is at ``i``; return (value, next index)."""
        text, j = self.text, i + 1
        while j < len(text) and text[j] != "\n":
            if text[j] == "\\" and j + 1 < len(text) and text[j + 1] != "\n":
                j += 2
                continue
            if text[j] == '"':
                try:
                    return json.loads(text[i : j + 1], strict=False), j + 1
                except json.JSONDecodeError:
                    self.repairs += 1
                    return _decode_lenient(text[i + 1 : j]), j + 1
            j += 1
        # The string is broken across lines (or never closed).
        self.repairs += 1
        pieces = [text[i + 1 : j]]
        eol = j
        while True:
            following = self._next_nonblank_line(eol)
            if following is None or _STRING_STOPPER.match(following[1]):
                if len(pieces) > 1 and (tail := _STRING_TAIL.search(pieces[-1])):
                    line_start = eol - len(pieces[-1])
                    pieces[-1] = pieces[-1][: tail.start()].removesuffix("\\")  # a stray \" closer
                    return _decode_lenient(_join_lines(pieces)), line_start + tail.end()
                return _decode_lenient(_join_lines(pieces).rstrip()), eol
            start, line = following
            pieces.append(line)
            eol = start + len(line)

    def run(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
            elif char in _PUNCTUATION:
                self.tokens.append(_Token(char, char, i))
                i += 1
            elif text.startswith("//", i):
                self.repairs += 1
                i = self._line_end(i)
            elif char == '"':
                value, end = self._string(i)
                self.tokens.append(_Token("str", value, i))
                i = end
            elif number := _NUMBER.match(text, i):
                literal = number.group()
                value = json.loads(literal)
                self.tokens.append(_Token("num", value, i))
                i = number.end()
            elif word := _WORD.match(text, i):
                name = word.group()
                if name in _LITERALS:
                    self.tokens.append(_Token("lit", _LITERALS[name], i))
                elif name in _PY_LITERALS:
                    self.repairs += 1
                    self.tokens.append(_Token("lit", _PY_LITERALS[name], i))
                else:
                    self.tokens.append(_Token("ident", name, i))
                i = word.end()
            else:
                raise LenientJSONError(f"unexpected character {char!r} at offset {i}")
        return self.tokens


class _Parser:
    def __init__(self, tokens: Sequence[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.repairs = 0

    def _kind(self, ahead: int = 0) -> str | None:
        k = self.i + ahead
        return self.tokens[k].kind if k < len(self.tokens) else None

    def _fail(self, what: str) -> LenientJSONError:
        if self.i < len(self.tokens):
            token = self.tokens[self.i]
            return LenientJSONError(f"{what}: got {token.kind!r} at offset {token.pos}")
        return LenientJSONError(f"{what}: got end of text")

    def document(self) -> Any:
        value = self._value()
        if self.i != len(self.tokens):
            raise self._fail("text after the end of the value")
        return value

    def _value(self) -> Any:
        kind = self._kind()
        if kind not in _VALUE_START:
            raise self._fail("expected a value")
        token = self.tokens[self.i]
        self.i += 1
        if kind == "{":
            return self._object()
        if kind == "[":
            return self._array()
        return token.value

    def _close(self, expected: str, after_comma: bool) -> None:
        """Consume the closer at ``self.i`` (which may be the wrong kind)."""
        if self.tokens[self.i].kind != expected:
            self.repairs += 1
        if after_comma:
            self.repairs += 1
        self.i += 1

    def _object(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while self._kind() == "{":  # "{ {": ignore the doubled opener
            self.repairs += 1
            self.i += 1
        after_comma = False
        while True:
            kind = self._kind()
            if kind is None:
                self.repairs += 1
                return result
            if kind in _CLOSERS:
                self._close("}", after_comma)
                return result
            if after_comma and kind in ("{", "["):  # the object was never closed
                self.repairs += 1
                self.i -= 1  # hand the comma back to the enclosing array
                return result
            if kind not in ("str", "ident"):
                raise self._fail("expected an object key")
            if kind == "ident":
                self.repairs += 1
            key = self.tokens[self.i].value
            self.i += 1
            if self._kind() != ":":
                raise self._fail(f"expected ':' after key {key!r}")
            self.i += 1
            result[key] = self._value()
            after_comma = False
            kind = self._kind()
            if kind == ",":
                self.i += 1
                after_comma = True
            elif kind in ("str", "ident"):
                self.repairs += 1  # missing comma
            elif kind is not None and kind not in _CLOSERS:
                raise self._fail("expected ',' or '}'")

    def _array(self) -> list[Any]:
        result: list[Any] = []
        after_comma = False
        while True:
            kind = self._kind()
            if kind is None:
                self.repairs += 1
                return result
            if kind in _CLOSERS:
                self._close("]", after_comma)
                return result
            if after_comma and kind == "str" and self._kind(1) == ":":  # the array was never closed
                self.repairs += 1
                self.i -= 1  # hand the comma back to the enclosing object
                return result
            result.append(self._value())
            after_comma = False
            kind = self._kind()
            if kind == ",":
                self.i += 1
                after_comma = True
            elif kind in _VALUE_START:
                self.repairs += 1  # missing comma
            elif kind is not None and kind not in _CLOSERS:
                raise self._fail("expected ',' or ']'")


def _tokenize(text: str) -> tuple[list[_Token], int]:
    lexer = _Lexer(text)
    return lexer.run(), lexer.repairs


def loads(text: str) -> Parsed:
    """Leniently parse one piece of JSON text."""
    return loads_fragments([text])


def _trailing_closers(tokens: Sequence[_Token], bounds: Sequence[int], fragment: int) -> list[int]:
    """Indices of the closers that end ``fragment`` (its maximal run of final closers)."""
    indices = [k for k, t in enumerate(tokens) if bisect_right(bounds, t.pos) - 1 == fragment]
    run: list[int] = []
    for k in reversed(indices):
        if tokens[k].kind not in _CLOSERS:
            break
        run.append(k)
    return run  # last closer first


def loads_fragments(fragments: Sequence[str]) -> Parsed:
    """Parse an example split over ``fragments``, dropping spurious closers at fragment ends.

    Raises :class:`LenientJSONError` if no combination of drops yields a value.
    """
    if not fragments:
        raise LenientJSONError("no text")
    bounds, offset = [], 0
    for fragment in fragments:
        bounds.append(offset)
        offset += len(fragment) + 1
    tokens, lexical_repairs = _tokenize("\n".join(fragments))
    closer_runs = [_trailing_closers(tokens, bounds, f) for f in range(len(fragments) - 1)]
    choices = [range(len(run) + 1) for run in closer_runs]
    if math.prod(len(c) for c in choices) > MAX_COMBINATIONS:
        raise LenientJSONError(f"more than {MAX_COMBINATIONS} combinations of closers to drop")
    # On equal repairs, prefer the reading with fewer structural repairs (i.e. trust the drops).
    best: tuple[tuple[int, int], Any, tuple[int, ...]] | None = None
    errors: list[LenientJSONError] = []
    for drops in itertools.product(*choices):
        skip = {k for run, d in zip(closer_runs, drops, strict=True) for k in run[:d]}
        parser = _Parser([t for k, t in enumerate(tokens) if k not in skip])
        try:
            value = parser.document()
        except LenientJSONError as exc:
            errors.append(exc)
            continue
        cost = (lexical_repairs + parser.repairs + len(skip), parser.repairs)
        if best is None or cost < best[0]:
            best = (cost, value, drops)
    if best is None:
        raise errors[0]
    return Parsed(value=best[1], repairs=best[0][0], drops=best[2])
