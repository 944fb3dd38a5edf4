"""Server answers read as untrusted input.

An LMS, a proxy in front of it or a server that only pretends to be one can answer anything: a
list where an object belongs, a missing key, a number as text. Every value publishing acts on is
taken through `need`, so that a wrong shape stops the publish with a message naming the call and
the value (exit 2, with what was already done), never with a traceback.
"""

from __future__ import annotations

from .http import PublishError

_REQUIRED = object()
_NAMES = {dict: "an object", list: "a list", str: "text", int: "a whole number", bool: "true or false"}


class AnswerError(PublishError):
    def __init__(self, message: str):
        super().__init__(message, code="unexpected-answer")


def describe(value) -> str:
    if value is None:
        return "null"
    for kind, name in _NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


def need(value, kind: type, call: str, where: str = "the answer"):
    """`value` if it is of `kind` (an int is not a bool, nor a bool an int), else AnswerError."""
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is int and isinstance(value, str) and value.strip().isdigit():
        return int(value)  # PHP sends some numbers as text
    if not ok:
        raise AnswerError(
            f"{call}: {where} is {describe(value)} where the LMS sends {_NAMES.get(kind, kind.__name__)}; "
            "is the address the site you meant, and its moocpack plugin up to date?"
        )
    return value


def field(answer, key: str, kind: type, call: str, default=_REQUIRED):
    """answer[key] checked to be of `kind`; `default` when it is absent (or null) and one is given."""
    need(answer, dict, call)
    value = answer.get(key)
    if value is None:
        if default is not _REQUIRED:
            return default
        raise AnswerError(
            f"{call}: the answer has no '{key}'; is the address the site you meant, and its moocpack plugin up to date?"
        )
    return need(value, kind, call, f"'{key}'")
