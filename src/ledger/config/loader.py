"""One loader for the configuration files: the policy, the fund and the chart of accounts (TOML).

Each file's module declares what the file holds as frozen msgspec Structs (``claims.policy``,
``funds.config``, ``books.chart``) and a *build* function, which decodes the file with
``Source.decode`` and then checks the rules that span several keys (a rule version naming an unknown
peril, a group needing more documents than it lists) with ``Source.fail``. Every refusal is a
``ConfigError`` naming the file, the key as a dotted path (``perils[3].account``,
``rule_versions[0].heads.medical.limit``) and the rule it breaks.

Value rules msgspec has no constraint for are marked in the annotations and applied to the raw TOML
value before msgspec decodes it: ``Money`` (a decimal string in yuan with at most two places, read
as integer fen; a TOML number is refused, so no float ever touches an amount), ``Percent``, ``Share``
and ``NO_REPEATS``. Declare no ``float`` or bare ``Decimal`` field: msgspec would take a TOML float.

``load`` keeps what a build function made of a file and hands the same immutable object out again
while the file's bytes are unchanged: each file is decoded and checked once, an edited one anew.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeGuard, TypeVar, cast

import msgspec

from ledger.core.money import MAX_FEN, Fen, format_amount

__all__ = [
    "CONFIG_DIR",
    "NO_REPEATS",
    "ConfigError",
    "ConfigStruct",
    "Money",
    "Percent",
    "Share",
    "Source",
    "Text",
    "Texts",
    "load",
]

CONFIG_DIR = Path(__file__).resolve().parent
"""The directory of the shipped files: ``policy.toml``, ``fund.toml``, ``accounts.toml``."""

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration file breaks a rule; the message names the file, the key and the rule.

    Args:
        file: the file.
        key: the dotted path of the key at fault (``perils[3].account``), ``""`` for the whole file.
        rule: the rule it breaks, e.g. ``must not be negative, got '-1.00'``.
    """

    def __init__(self, file: Path, key: str, rule: str) -> None:
        self.file = file
        self.key = key
        self.rule = rule
        super().__init__(f"{file}: {key}: {rule}" if key else f"{file}: {rule}")


class ConfigStruct(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An immutable value of a configuration file; decoding refuses a key it does not declare.

    Subclasses repeat ``frozen=True`` so that type checkers see it too.
    """


# --------------------------------------------------------------------------------------------------
# Value rules


@dataclass(frozen=True, slots=True)
class _ValueRule:
    """Annotation metadata: ``check`` takes the raw TOML value and returns what msgspec decodes, or
    raises ``ValueError`` stating the rule."""

    check: Callable[[object], object]


def _money(value: object) -> Fen:
    example = 'a decimal string in yuan such as "100000.00"'
    if not isinstance(value, str):
        raise ValueError(f"must be {example}, never a TOML number, got {_show(value)}")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"must be {example}, got {value!r}") from None
    fen = amount.scaleb(2)
    if not amount.is_finite() or fen != fen.to_integral_value():
        raise ValueError(f"must be {example} with at most 2 decimal places, got {value!r}")
    if fen < 0:
        raise ValueError(f"must not be negative, got {value!r}")
    if fen > MAX_FEN:
        raise ValueError(f"must be at most {format_amount(MAX_FEN)}, got {value!r}")
    return int(fen)


def _percent(value: object) -> Decimal:
    example = 'an integer or a decimal string such as "12.5"'
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"must be {example}, got {_show(value)}")
    try:
        percent = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"must be {example}, got {value!r}") from None
    if not percent.is_finite() or percent < 0:
        raise ValueError(f"must be a finite percentage >= 0, got {value!r}")
    return percent


def _share(value: object) -> Decimal:
    percent = _percent(value)
    if not Decimal(0) < percent <= Decimal(100):
        raise ValueError(f"must be > 0 and <= 100, got {value!r}")
    return percent


def _no_repeats(value: object) -> object:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str) and item in value[:index]:
                raise ValueError(f"lists {item!r} twice")
    return value


NO_REPEATS = _ValueRule(_no_repeats)
"""Annotation metadata for an array of strings that must not list a value twice."""

Money = Annotated[Fen, _ValueRule(_money)]
"""An amount: a decimal string in yuan with at most two places (``"100000.00"``), read as fen."""

Percent = Annotated[Decimal, _ValueRule(_percent)]
"""A percentage >= 0: an integer or a decimal string (``90``, ``"12.5"``), never a TOML float."""

Share = Annotated[Decimal, _ValueRule(_share)]
"""A percentage above 0 and at most 100, written like a ``Percent``."""

Text = Annotated[str, msgspec.Meta(pattern=r"\S")]
"""A string that is neither empty nor blank."""

Texts = Annotated[tuple[Text, ...], NO_REPEATS]
"""An array of ``Text`` that lists no value twice."""


# --------------------------------------------------------------------------------------------------
# Decoding


class Source:
    """One configuration file being read: decodes its parts and reports what breaks a rule.

    Args:
        path: the file, named in every error.
        data: its parsed TOML.
    """

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, key: str, rule: str) -> NoReturn:
        """Refuse the file.

        Args:
            key: the dotted path of the key at fault, e.g. ``rule_versions[0].perils.flood``.
            rule: the rule it breaks.

        Raises:
            ConfigError: always.
        """
        raise ConfigError(self.path, key, rule)

    def decode(self, schema: type[T], data: object = None, *, key: str = "") -> T:
        """Decode the whole file, or ``data`` found at ``key``, into ``schema``.

        Args:
            schema: the Struct (or other msgspec type) the data must be.
            data: a part of the file; ``None`` for the whole file.
            key: the dotted path of ``data`` in the file, prefixed to every key an error names.

        Raises:
            ConfigError: naming the key and the rule the value breaks.
        """
        prepared = self._apply_value_rules(self.data if data is None else data, schema, key)
        try:
            return msgspec.convert(prepared, schema, builtin_types=(dt.datetime, dt.date), str_keys=True)
        except msgspec.ValidationError as error:
            where, rule = _explain(str(error), prepared, schema)
            self.fail(_join(key, where), rule)

    def _apply_value_rules(self, value: object, schema: object, key: str) -> object:
        """Return ``value`` with every ``_ValueRule`` of ``schema`` applied, down to the leaves."""
        schema, rules = _unwrap(schema)
        for rule in rules:
            try:
                value = rule.check(value)
            except ValueError as error:
                self.fail(key, str(error))
        if isinstance(value, dict):
            if _is_struct(schema):
                fields = {f.encode_name: f.type for f in msgspec.structs.fields(schema)}
                return {
                    k: self._apply_value_rules(v, fields[k], _join(key, _part(k))) if k in fields else v
                    for k, v in value.items()
                }
            if typing.get_origin(schema) in (dict, Mapping):
                item = typing.get_args(schema)[1]
                return {k: self._apply_value_rules(v, item, _join(key, _part(k))) for k, v in value.items()}
        if isinstance(value, list) and typing.get_origin(schema) in (tuple, list, frozenset):
            item = typing.get_args(schema)[0]
            return [self._apply_value_rules(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
        return value


def _unwrap(schema: object) -> tuple[object, list[_ValueRule]]:
    """Return ``schema`` without ``Annotated`` and ``| None`` layers, and the value rules found on the way."""
    rules: list[_ValueRule] = []
    while True:
        origin = typing.get_origin(schema)
        if origin is Annotated:
            rules += [m for m in getattr(schema, "__metadata__", ()) if isinstance(m, _ValueRule)]
            schema = typing.get_args(schema)[0]
        elif origin in (types.UnionType, typing.Union):
            arms = [arm for arm in typing.get_args(schema) if arm is not type(None)]
            if len(arms) != 1:
                return schema, rules
            schema = arms[0]
        else:
            return schema, rules


def _join(key: str, tail: str) -> str:
    if not key or not tail:
        return key or tail
    return key + tail if tail.startswith("[") else f"{key}.{tail}"


def _part(name: object) -> str:
    """A table key as it is written in a dotted path: bare when TOML allows, quoted otherwise."""
    text = str(name)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else f'"{text}"'


def _show(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


# --------------------------------------------------------------------------------------------------
# Explaining msgspec's errors

_ERROR = re.compile(
    r"(?P<message>.*?)(?: - at `key` in `(?P<key_of>\$[^`]*)`| - at `(?P<at>\$[^`]*)`)?", re.S
)
_STEP = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+|\.\.\.)\]")
_MISSING = object()
_KINDS = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "date": "a TOML date such as 2026-01-01",
    "datetime": "a TOML date-time",
    "array": "an array",
    "object": "a table",
    "decimal": "a decimal",
    "float": "a number",
}


def _explain(error: str, data: object, schema: object) -> tuple[str, str]:
    """Turn a msgspec validation message into the dotted key at fault and the rule it breaks.

    msgspec names a key in a table of tables ``[...]``; the key is found again by decoding each entry
    of that table on its own.
    """
    match = _ERROR.fullmatch(error)
    assert match is not None  # the pattern matches any text
    message = match["message"]
    where, value, schema = _locate(match["key_of"] or match["at"] or "$", data, schema)
    if match["key_of"]:  # the table key itself is wrong: only enum keys can be
        schema = typing.get_args(schema)[0] if typing.get_args(schema) else schema
        bad = re.search(r"'(.*)'", message)
        where = _join(where, _part(bad[1] if bad else "?"))
    if found := re.fullmatch(r"Object missing required field `(.+)`", message):
        return _join(where, _part(found[1])), "is required"
    if found := re.fullmatch(r"Object contains unknown field `(.+)`", message):
        allowed = [f.encode_name for f in msgspec.structs.fields(schema)] if _is_struct(schema) else []
        return _join(where, _part(found[1])), "unknown key; allowed here: " + ", ".join(allowed)
    if (found := re.fullmatch(r"Invalid enum value (.+)", message)) and _is_enum(schema):
        enum = cast(type[Enum], schema)
        noun = re.sub(r"(?<!^)(?=[A-Z])", " ", enum.__name__).lower()
        choices = ", ".join(str(member.value) for member in enum)
        return where, f"unknown {noun} {found[1]}; one of {choices}"
    if found := re.fullmatch(r"Expected `(?P<kind>[^`]+)`(?P<bound>[^,]*)(?:, got `[^`]+`)?", message):
        got = "" if value is _MISSING else f", got {_show(value)}"
        return where, f"must be {_describe(found['kind'], found['bound'].strip())}{got}"
    return where, message


def _describe(kind: str, bound: str) -> str:
    """``int``, ``>= 0`` -> ``an integer >= 0``; ``str``, ``of length >= 1`` -> ``a non-empty string``."""
    names = [_KINDS.get(part, part) for part in kind.split(" | ") if part != "null"]
    text = " or ".join(names)
    if bound in ("of length >= 1", r"matching regex '\\S'"):
        return text.replace("a string", "a non-empty string").replace("an array", "a non-empty array")
    return f"{text} {bound}".strip()


def _locate(path: str, data: object, schema: object) -> tuple[str, object, object]:
    """Follow a msgspec error path (``$.perils[3].heads[...]``) through ``data`` and ``schema``.

    Returns:
        The dotted key (table keys filled in), the raw value there (``_MISSING`` if none) and the
        schema there, without ``Annotated`` and ``| None`` layers.
    """
    where, value = "", data
    schema = _unwrap(schema)[0]
    for step in _STEP.finditer(path.removeprefix("$")):
        name, index = step["name"], step["index"]
        if name is not None:
            fields = (
                {f.encode_name: f.type for f in msgspec.structs.fields(schema)} if _is_struct(schema) else {}
            )
            schema = fields.get(name, Any)
            value = value.get(name, _MISSING) if isinstance(value, dict) else _MISSING
            where = _join(where, _part(name))
        elif index == "...":
            item = typing.get_args(schema)[1] if len(typing.get_args(schema)) == 2 else Any
            entries = value.items() if isinstance(value, dict) else ()
            table_key, value = next(((k, v) for k, v in entries if _refused(v, item)), ("?", _MISSING))
            schema = item
            where = _join(where, _part(table_key))
        else:
            args = typing.get_args(schema)
            schema = args[0] if args else Any
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else _MISSING
            where = _join(where, f"[{index}]")
        schema = _unwrap(schema)[0]
    return where, value, schema


def _refused(value: object, schema: object) -> bool:
    try:
        msgspec.convert(value, schema, builtin_types=(dt.datetime, dt.date), str_keys=True)
    except msgspec.ValidationError:
        return True
    return False


def _is_struct(schema: object) -> TypeGuard[type[msgspec.Struct]]:
    return isinstance(schema, type) and issubclass(schema, msgspec.Struct)


def _is_enum(schema: object) -> bool:
    return isinstance(schema, type) and issubclass(schema, Enum)


# --------------------------------------------------------------------------------------------------
# Loading and caching


@dataclass(frozen=True, slots=True)
class _Loaded:
    content: bytes
    value: object


_loaded: dict[tuple[Callable[[Source], object], Path], _Loaded] = {}


def load(path: Path, build: Callable[[Source], T]) -> T:
    """Return what ``build`` makes of the TOML file at ``path``; the same object while the file is unchanged.

    Args:
        path: the file.
        build: decodes and checks a ``Source`` into the configuration object (immutable, as it is
            shared by every caller).

    Raises:
        ConfigError: the file is missing, unreadable or not TOML, or ``build`` refused it.
    """
    resolved = path.resolve()
    try:
        content = resolved.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except OSError as error:
        raise ConfigError(path, "", f"cannot be read: {error.strerror or error}") from None
    cached = _loaded.get((build, resolved))
    if cached is not None and cached.content == content:
        return cast(T, cached.value)
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(path, "", f"not valid TOML: {error}") from None
    value = build(Source(path, data))
    _loaded[build, resolved] = _Loaded(content, value)
    return value
