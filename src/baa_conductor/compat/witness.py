"""Witnesses: instances that show a verdict. For a breaking change, an instance the writer's
schema accepts and the reader's rejects (BACKWARD: old accepts, new rejects); found by generating
instances from the writer's schema, steered towards the change's pointer, and judged by a
validator under both schemas.

The generator is small and seeded (the same witness every run): it follows ``$ref``, picks a
member of each union (for an object, every ``allOf`` member and one of each other union, merged
with the properties the schema declares beside them), fills required properties (and
``minProperties``) and sometimes others, and
draws numbers, strings and arrays within the keywords' bounds; each property value and item is
drawn again (twice at most) while its own subschema rejects it. A string under a ``pattern``, and
a property name under ``patternProperties``, is drawn from the regular expression itself
(``from_pattern``). What it cannot satisfy (a lookaround, say) it leaves to the validator, which
throws the attempt away.

Steering: the change's site is the deepest subschema on the pointer's way that both schemas have.
Values for it are found first, alone (cheaper than whole instances): a value the writer's
``enum`` or ``const`` there names, else values drawn there, until the writer's subschema there
accepts one and the reader's rejects it. Whole instances are then drawn with such a value at the
site, reached both along the pointer and along the same place in the schema's main shape (union
members and ``then``/``else`` branches left out: a branch that only lists a property's values
does not say what else the object needs); where none is found, a few whole instances are still
tried.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .schemaset import Node

ATTEMPTS = 16  # instances tried per change
LOCAL = 6  # values drawn at the change's site per instance, until one shows the change there
SITE_DRAWS = 30  # values drawn at the site in all, for one change, while none shows it
HOPELESS = 10  # values drawn at the site before giving up if the writer's takes none of them
FALLBACK = 6  # whole instances tried for a change whose site shows nothing
CHECKS = 40  # values one instance may check (and draw again) under their own subschema
_DEPTH = 12
_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_UNIONS = ("oneOf", "anyOf", "allOf")
# Marks where in the focus the change's site is: the deepest schema both sides hold on the way
# to the change (a token no pointer of a real schema holds).
SITE = "\x00site"


@dataclass
class Site:
    """Where a change sits: the writer's and the reader's subschema there, and the values
    found so far that the writer's accepts there and the reader's rejects."""

    writer: Node
    reader: Node
    found: list[Any] = field(default_factory=list)
    draws: int = 0


# The optional properties an object drawn holds at most (twice as many when not steered).
_OTHERS = 4


class Generator:
    def __init__(self, seed: int = 0, site: Site | None = None) -> None:
        self.rng = random.Random(seed)
        self.site = site
        self.checks = CHECKS

    def draw(self, node: Node, focus: list[str]) -> Any:
        """One whole instance of ``node``'s schema, steered by ``focus``."""
        self.checks = CHECKS
        return self.instance(node, focus)

    def instance(self, node: Node, focus: list[str], depth: int = 0) -> Any:
        if focus[:1] == [SITE]:
            return self._at_site(node, focus[1:], depth)
        schema = node.schema
        if not isinstance(schema, dict):
            return self._any(depth)  # true (false is never asked: nothing to draw)
        for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
            if isinstance(schema.get(keyword), str) and depth < _DEPTH:
                try:
                    target = node.resolve(keyword if keyword != "$recursiveRef" else "$ref")
                except Exception:
                    break
                if node.ref_overrides or len(schema) == 1 or self.rng.random() < 0.5:
                    return self.instance(target, focus, depth + 1)
        while focus[:1] in (["allOf"], ["anyOf"], ["oneOf"], ["then"], ["else"]) and (
            focus[0] not in schema
        ):  # a union only the reader has applies to this same value: on past it
            focus = focus[1:] if focus[0] in ("then", "else") else focus[2:]
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.rng.choice(schema["enum"])
        if (
            isinstance(schema.get("examples"), list)
            and schema["examples"]
            and self.rng.random() < 0.3
        ):
            return self.rng.choice(schema["examples"])
        unions = [k for k in _UNIONS if isinstance(schema.get(k), list) and schema[k]]
        if unions and depth < _DEPTH and self._objectish(schema):
            return self._merged(node, unions, focus, depth)
        for keyword in unions:
            members = schema[keyword]
            if depth < _DEPTH:
                index = self._focused_index(keyword, focus, len(members))
                rest, own = (focus[2:], []) if index is not None else ([], focus)
                index = self.rng.randrange(len(members)) if index is None else index
                value = self.instance(node.child(keyword, index), rest, depth + 1)
                return self._with_own(node, value, own, depth)
        branch = focus[0] if focus[:1] in (["then"], ["else"]) else None
        if branch is not None and isinstance(schema.get(branch), dict | bool) and depth < _DEPTH:
            # Steered into a branch: drawn there (the validator sorts out those that miss it).
            value = self.instance(node.child(branch), focus[1:], depth + 1)
            return self._with_own(node, value, [], depth)
        if "then" in schema and depth < _DEPTH and self.rng.random() < 0.5:
            return self._with_own(
                node, self.instance(node.child("then"), [], depth + 1), focus, depth
            )
        kind = self._type(schema, focus)
        if kind == "object":
            return self._object(node, focus, depth)
        if kind == "array":
            return self._array(node, focus, depth)
        if kind == "string":
            return self._string(schema)
        if kind in ("integer", "number"):
            return self._number(schema, kind == "integer")
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def _at_site(self, node: Node, focus: list[str], depth: int) -> Any:
        """A value for the change's site: one found before, or drawn until the writer's
        subschema there accepts it and the reader's rejects it (at most ``LOCAL`` draws)."""
        site = self.site
        if site is None:
            return self.instance(node, focus, depth)
        if site.found and (site.draws >= SITE_DRAWS or self.rng.random() < 0.5):
            return self.rng.choice(site.found)
        value = None
        for _ in range(LOCAL if site.draws < SITE_DRAWS else 1):
            site.draws += 1
            value = self.instance(node, focus, depth)
            if shows(site.writer, site.reader, value):
                if not any(_same_text(value, v) for v in site.found):
                    site.found.append(value)
                break
        return value

    def _checked(self, node: Node, focus: list[str], depth: int) -> Any:
        """A value of ``node``'s schema, drawn again (twice at most) while that subschema
        rejects it: a whole instance is only as valid as each of its parts."""
        value = self.instance(node, focus, depth)
        for _ in range(2):
            if self.checks <= 0 or not _worth_checking(node):
                break
            self.checks -= 1
            try:
                if node.is_valid(value, formats=False):
                    break
            except Exception:  # a reference only the whole document resolves
                break
            value = self.instance(node, focus, depth)
        return value

    def _objectish(self, schema: dict[str, Any]) -> bool:
        """Whether to draw an object for a schema with unions: it says so, or (its type open or
        one of several) it declares properties, mostly."""
        declared = schema.get("type")
        if declared == "object":
            return True
        if declared is not None and not (isinstance(declared, list) and "object" in declared):
            return False
        shaped = any(k in schema for k in ("properties", "required", "patternProperties"))
        return shaped and (declared is None or self.rng.random() < 0.75)

    def _merged(self, node: Node, unions: list[str], focus: list[str], depth: int) -> Any:
        """An object for a schema with unions: what every ``allOf`` member and one member of
        each other union draw, with the schema's own properties (which fill in what a member
        only requires), and the steered member's properties kept as drawn."""
        out: dict[str, Any] = {}
        steered: dict[str, Any] = {}
        own = focus
        for keyword in unions:
            members = node.schema[keyword]
            index = self._focused_index(keyword, focus, len(members))
            if index is not None:
                own = []
            chosen = [index] if index is not None else []
            if keyword == "allOf":
                chosen = list(range(len(members)))
            elif index is None:
                chosen = [self.rng.randrange(len(members))]
            for i in chosen:
                rest = focus[2:] if i == index else []
                value = self.instance(node.child(keyword, i), rest, depth + 1)
                if isinstance(value, dict):
                    out.update(value)
                    if i == index:
                        steered = value
        mine = self._object(node, own, depth, also=[n for n in out if n not in steered])
        return {**out, **mine, **steered}

    def _with_own(self, node: Node, value: Any, focus: list[str], depth: int) -> Any:
        """``value``, drawn from a member of a union (or from ``then``), with the properties the
        schema itself declares beside the union drawn too (and steered by ``focus``): a member
        that only says which properties are required gets an instance of the whole object."""
        own = ("properties", "required", "patternProperties")
        if not isinstance(value, dict) or not any(k in node.schema for k in own):
            return value
        return {**value, **self._object(node, focus, depth)}

    def _focused_index(self, keyword: str, focus: list[str], size: int) -> int | None:
        if len(focus) >= 2 and focus[0] == keyword and focus[1].isdigit() and int(focus[1]) < size:
            return int(focus[1])
        return None

    def _type(self, schema: dict[str, Any], focus: list[str]) -> str:
        declared = schema.get("type")
        if isinstance(declared, str):
            return declared
        if isinstance(declared, list) and declared:
            return str(self.rng.choice(declared))
        if focus[:1] == ["type"]:  # the type is what changed: any, not the one keywords suggest
            return self.rng.choice(_TYPES)
        if any(k in schema for k in ("properties", "required", "additionalProperties")):
            return "object"
        if any(k in schema for k in ("items", "prefixItems", "minItems")):
            return "array"
        if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
            return "string"
        if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
            return "number"
        return self.rng.choice(_TYPES)

    def _any(self, depth: int) -> Any:
        choice = self.rng.randrange(5 if depth < 3 else 4)
        return [None, True, self.rng.randint(-5, 100), "x" * self.rng.randint(0, 5), {}][choice]

    def _object(
        self, node: Node, focus: list[str], depth: int, also: list[str] | None = None
    ) -> dict[str, Any]:
        """An object of ``node``'s schema; ``also``: names drawn elsewhere (a union member that
        only requires them) to draw here where this schema declares them."""
        schema = node.schema
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = [n for n in schema.get("required") or () if isinstance(n, str)]
        extra = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        target = _token(focus[1]) if len(focus) >= 2 and focus[0] == "properties" else ""
        # A property the reader declares and the writer leaves to additionalProperties is drawn
        # too: the reader may refuse what the writer lets it hold.
        named = target in props or (target != "" and extra is not False)
        names: list[str] = list(dict.fromkeys([*required, *([target] if named else [])]))
        names += [n for n in also or () if n in props and n not in names]
        if focus[:1] != ["required"]:  # else only what must be there: a new requirement fails
            chance = 0.3 if not focus else 0.1  # steered: few others that could fail
            others = [n for n in props if n not in names and self.rng.random() < chance]
            # A schema of hundreds of properties (a linter's rules) would give dozens, each one
            # more to validate, and a witness too long to read.
            names += others[: _OTHERS if focus else 2 * _OTHERS]
        for name in names:
            if depth >= _DEPTH:
                out[name] = None
            elif name in props:
                rest = focus[2:] if name == target else []
                out[name] = self._checked(node.child("properties", name), rest, depth + 1)
            else:
                out[name] = self._additional(node, depth)
        patterns = schema.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        if focus[:1] == ["patternProperties"] and len(focus) >= 2:
            pattern = _token(focus[1])
            matching = _name_for(pattern, self.rng)
            if matching is not None and pattern in patterns:
                sub = node.child("patternProperties", pattern)
                out[matching] = self._checked(sub, focus[2:], depth + 1)
            elif matching is not None and extra is not False:  # a pattern the reader added
                out[matching] = self._additional(node, depth)
        if focus[:1] == ["additionalProperties"] and extra is not False:
            name = "x-extra"
            if isinstance(extra, dict):
                sub = node.child("additionalProperties")
                out[name] = self._checked(sub, focus[1:], depth + 1)
            else:  # absent or true: anything, which the reader may now refuse
                out[name] = self._any(depth + 1)
        self._fill(node, out, _count(schema, "minProperties", 0), depth)
        return out

    def _fill(self, node: Node, out: dict[str, Any], low: int, depth: int) -> None:
        """Properties added to ``out`` until it holds ``low``: declared ones first, then ones
        named by a pattern, then others where ``additionalProperties`` allows them."""
        schema = node.schema
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        patterns = schema.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        for name in props:
            if len(out) >= low or depth >= _DEPTH:
                return
            if name not in out:
                out[name] = self._checked(node.child("properties", name), [], depth + 1)
        for pattern in patterns:
            for _ in range(low):
                if len(out) >= low:
                    return
                name = _name_for(pattern, self.rng)
                if name is not None and name not in out:
                    sub = node.child("patternProperties", pattern)
                    out[name] = self._checked(sub, [], depth + 1)
        if schema.get("additionalProperties") is not False:
            for i in range(low - len(out)):
                out[f"x-{i}"] = self._additional(node, depth)

    def _additional(self, node: Node, depth: int) -> Any:
        """A value for a property the writer's ``properties`` does not name."""
        if isinstance(node.schema.get("additionalProperties"), dict):
            return self._checked(node.child("additionalProperties"), [], depth + 1)
        return self._any(depth + 1)

    def _array(self, node: Node, focus: list[str], depth: int) -> list[Any]:
        schema = node.schema
        low = _count(schema, "minItems", 0)
        high = _count(schema, "maxItems", low + 3)
        count = self.rng.randint(low, max(low, min(high, low + 3)))
        if focus[:1] == ["items"] and count == 0 and high > 0:
            count = 1
        items = schema.get("items")
        out = []
        for i in range(count):
            if depth >= _DEPTH:
                break
            if isinstance(items, (dict, bool)):
                rest = focus[1:] if focus[:1] == ["items"] else []
                out.append(self._checked(node.child("items"), rest, depth + 1))
            elif isinstance(items, list) and i < len(items):
                rest = focus[2:] if focus[:2] == ["items", str(i)] else []
                out.append(self._checked(node.child("items", i), rest, depth + 1))
            else:
                out.append(self._any(depth + 1))
        return out

    def _string(self, schema: dict[str, Any]) -> str:
        low = _count(schema, "minLength", 0)
        high = _count(schema, "maxLength", low + 12)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            longest = _count(schema, "maxLength", -1)  # none: as long as the pattern draws it
            for _ in range(3):
                drawn = from_pattern(pattern, self.rng)
                if (
                    drawn is not None
                    and low <= len(drawn)
                    and (longest < 0 or len(drawn) <= longest)
                ):
                    return drawn
        length = self.rng.randint(low, max(low, min(high, low + 12)))
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_."
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def _number(self, schema: dict[str, Any], integer: bool) -> int | float:
        def bound(name: str) -> float | None:
            value = schema.get(name)
            return (
                float(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else None
            )

        low = bound("minimum")
        high = bound("maximum")
        if bound("exclusiveMinimum") is not None:
            low = bound("exclusiveMinimum") + 1  # type: ignore[operator]
        if bound("exclusiveMaximum") is not None:
            high = bound("exclusiveMaximum") - 1  # type: ignore[operator]
        if (low is None or high is None) and self.rng.random() < 0.15:
            # Far beyond any small bound: a bound added where there was none (2^53 - 1, say)
            far = self.rng.choice(_FAR)
            return far if high is None and (low is not None or self.rng.random() < 0.5) else -far
        low = -100.0 if low is None else low
        high = low + 200 if high is None else high
        edge = self.rng.random()
        value = (
            low if edge < 0.25 else high if edge < 0.5 else self.rng.uniform(low, max(low, high))
        )
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            value = round(value / step) * step
        return int(value) if integer or float(value).is_integer() else value


# Numbers drawn where a side is unbounded: past 32-bit, JavaScript-safe and 64-bit integers.
_FAR = (2**31, 2**53, 2**64)


def _count(schema: dict[str, Any], keyword: str, default: int) -> int:
    value = schema.get(keyword)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _name_for(pattern: str, rng: random.Random) -> str | None:
    drawn = from_pattern(pattern, rng)
    if drawn is not None:
        return drawn

    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    for candidate in ("a", "x-a", "name", "a1", "A", "foo", "_a", "x", "1", "a-b"):
        if compiled.search(candidate):
            return candidate
    return None


# Characters drawn where a pattern allows many: readable ones first.
_READABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@ "
_MORE = 3  # repetitions drawn beyond a quantifier's minimum, at most


def from_pattern(pattern: str, rng: random.Random) -> str | None:
    """A string in which ``pattern`` finds a match (as ``pattern`` validates: ``re.search``),
    drawn with ``rng`` from the pattern's parse: a branch of each alternation, a count within
    each quantifier's bounds, a character of each class. None if the pattern does not compile
    or the drawn string does not match (a lookaround, a backreference into another branch)."""
    known = _parsed(pattern)
    if known is None:
        return None
    compiled, parsed = known
    for _ in range(4):
        try:
            drawn = _Regex(rng).emit(parsed)
        except (_Unsupported, RecursionError):
            return None
        if compiled.search(drawn):
            return drawn
    return None


@functools.lru_cache(maxsize=1024)
def _parsed(pattern: str) -> tuple[re.Pattern[str], Any] | None:
    """A pattern compiled and parsed, once per pattern (None if Python cannot read it)."""
    try:
        return re.compile(pattern), _parser().parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


# Per character class of a parsed pattern (which ``_parsed`` keeps): its readable characters.
_CLASSES: dict[int, tuple[Any, list[str]]] = {}


def _parser() -> Any:
    """The standard library's regular-expression parser (``re._parser``, ``sre_parse`` before
    3.11): its parse tree is the pattern's grammar, without a second parser to keep in step."""
    return importlib.import_module("re._parser")


def _opcodes() -> Any:
    """The names of that parse tree's nodes (``re._constants``)."""
    return importlib.import_module("re._constants")


class _Unsupported(Exception):
    pass


class _Regex:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.c: Any = _opcodes()
        self.groups: dict[int, str] = {}

    def emit(self, parsed: Any) -> str:
        return "".join(self._one(op, arg) for op, arg in parsed)

    def _one(self, op: Any, arg: Any) -> str:
        c = self.c
        if op is c.LITERAL:
            return chr(arg)
        if op is c.NOT_LITERAL:
            return self._pick(lambda ch: ord(ch) != arg)
        if op is c.ANY:
            return self._pick(lambda ch: ch != "\n")
        if op is c.IN:
            return self._in(arg)
        if op is c.BRANCH:
            return self.emit(self.rng.choice(arg[1]))
        if op is c.SUBPATTERN:
            group, _, _, inner = arg
            text = self.emit(inner)
            if group is not None:
                self.groups[group] = text
            return text
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, inner = arg
            high = min(high, low + _MORE)
            return "".join(self.emit(inner) for _ in range(self.rng.randint(low, high)))
        if op is getattr(c, "ATOMIC_GROUP", None):
            return self.emit(arg)
        if op is c.GROUPREF:
            return self.groups.get(arg, "")
        if op is c.GROUPREF_EXISTS:
            group, yes, no = arg
            return self.emit(yes) if group in self.groups else self.emit(no or [])
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return ""  # anchors hold where the string starts and ends; lookarounds are left out
        raise _Unsupported(str(op))

    def _in(self, items: list[tuple[Any, Any]]) -> str:
        c = self.c
        negated = bool(items) and items[0][0] is c.NEGATE
        members = items[1:] if negated else items

        def inside(ch: str) -> bool:
            return any(self._holds(op, arg, ch) for op, arg in members) != negated

        known = _CLASSES.get(id(items))
        if known is not None and known[0] is items:
            readable = known[1]
        else:
            readable = [ch for ch in _READABLE if inside(ch)]
            if len(_CLASSES) > 10_000:
                _CLASSES.clear()
            _CLASSES[id(items)] = (items, readable)
        if readable:
            return self.rng.choice(readable)
        for op, arg in members if not negated else ():
            if op is c.LITERAL:
                return chr(arg)
            if op is c.RANGE:
                return chr(self.rng.randint(*arg))
        return self._pick(inside, wide=True)

    def _holds(self, op: Any, arg: Any, ch: str) -> bool:
        c = self.c
        if op is c.LITERAL:
            return bool(ord(ch) == arg)
        if op is c.RANGE:
            return bool(arg[0] <= ord(ch) <= arg[1])
        if op is c.CATEGORY:
            name = str(arg).removeprefix("CATEGORY_").removeprefix("UNI_")
            negate = name.startswith("NOT_")
            name = name.removeprefix("NOT_")
            holds = {
                "DIGIT": ch.isdigit(),
                "SPACE": ch.isspace(),
                "WORD": ch.isalnum() or ch == "_",
                "LINEBREAK": ch == "\n",
            }.get(name)
            if holds is None:
                raise _Unsupported(str(arg))
            return holds != negate
        raise _Unsupported(str(op))

    def _pick(self, allowed: Any, *, wide: bool = False) -> str:
        readable = [ch for ch in _READABLE if allowed(ch)]
        if readable:
            return self.rng.choice(readable)
        for code in range(0x20, 0x3000 if wide else 0x250):
            if allowed(chr(code)):
                return chr(code)
        raise _Unsupported("no character")


def _token(token: str) -> str:
    """A JSON pointer token unescaped (RFC 6901)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    return list(pointer.split("/")[1:]) if pointer else []


def candidates(
    writer: Node,
    pointer: str,
    seed: int = 0,
    attempts: int = ATTEMPTS,
    reader: Node | None = None,
) -> Iterator[Any]:
    """Instances drawn from ``writer``'s schema, half of them steered towards ``pointer``.

    With ``reader``, the steered ones hold, where the pointer's way leaves the last schema both
    sides have (the change's site), a value drawn until the writer's subschema there accepts it
    and the reader's rejects it, or a value of the writer's ``enum`` or ``const`` there that the
    reader's rejects."""
    focus = pointer_tokens(pointer)
    site: Site | None = None
    if reader is not None:
        site, at = _site(writer, reader, focus)
        if site is not None and not site.found:
            _search(site, focus[at:], seed)
        if site is not None and site.found:
            focus = [*focus[:at], SITE, *focus[at:]]
        elif site is not None:  # nothing there shows the change: a few whole instances only
            attempts = min(attempts, FALLBACK)
            site = None
    if focus[:1] in (["definitions"], ["$defs"]) and len(focus) >= 2:
        focus = _route(writer, focus[:2]) + focus[2:] if _route(writer, focus[:2]) else []
    generator = Generator(seed, site)
    ways = [focus, _on_the_value(focus), []]
    ways = [w for i, w in enumerate(ways) if w not in ways[:i]]
    for attempt in range(attempts):
        yield generator.draw(writer, ways[attempt % len(ways)])


def _on_the_value(focus: list[str]) -> list[str]:
    """``focus`` without the union members and ``then``/``else`` branches on its way: the same
    place in the instance, reached through the schema's main shape. A member or branch alone
    rarely says all an instance there must hold (a branch that only lists a property's values);
    the main shape does, and the value found for the site still lands where the change is."""
    out: list[str] = []
    i = 0
    while i < len(focus):
        token = focus[i]
        if token in _MAPS and i + 1 < len(focus):
            out += focus[i : i + 2]
            i += 2
        elif token in _UNIONS and i + 1 < len(focus) and focus[i + 1].isdigit():
            i += 2
        elif token in ("then", "else"):
            i += 1
        else:
            out.append(token)
            i += 1
    return out


def _search(site: Site, focus: list[str], seed: int) -> None:
    """Values drawn at the site alone (cheaper than whole instances) until one shows the
    change there, ``SITE_DRAWS`` at most."""
    generator = Generator(seed)
    ways = [focus, _on_the_value(focus)]
    accepted = 0
    while site.draws < SITE_DRAWS and not site.found:
        if site.draws >= HOPELESS and not accepted:
            return  # the generator draws nothing the writer takes there: give up early
        value = generator.draw(site.writer, ways[site.draws % 2])
        site.draws += 1
        try:
            if not site.writer.is_valid(value, formats=False):
                continue
            accepted += 1
            if not site.reader.is_valid(value, formats=False):
                site.found.append(value)
        except Exception:  # a reference only the whole document resolves
            return


# Keywords that make a value drawn for a subschema worth checking against it: those the
# generator does not follow as it draws (a union's other members, conditions, names, counts).
_UNSURE = frozenset(
    {
        "oneOf", "anyOf", "allOf", "not", "if", "dependencies", "dependentRequired",
        "dependentSchemas", "propertyNames", "uniqueItems", "contains", "maxProperties",
        "unevaluatedProperties", "unevaluatedItems", "pattern", "patternProperties",
    }
)  # fmt: skip
_WORTH: dict[int, tuple[Any, bool]] = {}


def _worth_checking(node: Node) -> bool:
    """Whether ``node``'s schema (through its ``$ref``s) holds a keyword in ``_UNSURE``."""
    schema = node.schema
    known = _WORTH.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    worth = False
    for _ in range(8):
        if not isinstance(node.schema, dict):
            break
        if _UNSURE.intersection(node.schema):
            worth = True
            break
        refs = [k for k in ("$ref", "$dynamicRef") if isinstance(node.schema.get(k), str)]
        if not refs:
            break
        try:
            node = node.resolve(refs[0])
        except Exception:
            worth = True
            break
    if len(_WORTH) > 50_000:
        _WORTH.clear()
    _WORTH[id(schema)] = (schema, worth)
    return worth


# Keywords whose value is a map of schemas (a name follows in a pointer), a list of schemas (an
# index follows) or one schema: the steps a pointer takes from a schema to a subschema.
_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"}
)
_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_ONE = frozenset(
    {
        "items", "additionalProperties", "additionalItems", "not", "if", "then", "else",
        "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems",
    }
)  # fmt: skip


def _places(root: Node, focus: list[str]) -> dict[int, Node]:
    """The subschemas on ``focus``'s way from ``root`` (``$ref``s followed where the next step is
    not beside them), by how many tokens lead to each."""
    found = {0: root}
    node, i = root, 0
    while i < len(focus):
        token = focus[i]
        for _ in range(16):
            schema = node.schema
            if (
                not isinstance(schema, dict)
                or token in schema
                or not isinstance(schema.get("$ref"), str)
            ):
                break
            try:
                node = node.resolve()
            except Exception:
                return found
        schema = node.schema
        if not isinstance(schema, dict) or token not in schema:
            return found
        value = schema[token]
        step: tuple[str | int, ...]
        if token in _MAPS and isinstance(value, dict) and i + 1 < len(focus):
            step, i = (token, _token(focus[i + 1])), i + 2
        elif token in _LISTS and isinstance(value, list) and i + 1 < len(focus):
            if not focus[i + 1].isdigit():
                return found
            step, i = (token, int(focus[i + 1])), i + 2
        elif token in _ONE and isinstance(value, dict | bool):
            step, i = (token,), i + 1
        else:
            return found
        try:
            node = node.child(*step)
        except (KeyError, IndexError, TypeError):
            return found
        if not isinstance(node.schema, dict | bool):
            return found
        found[i] = node
    return found


def _site(writer: Node, reader: Node, focus: list[str]) -> tuple[Site | None, int]:
    """The change's site: the deepest subschema on the way to it that both sides have (not the
    root: a search there is the whole search), with the writer's values there the reader's
    rejects. None where there is no such place, or the writer's is ``false``."""
    if not focus:
        return None, 0
    mine, theirs = _places(writer, focus), _places(reader, focus)
    at = max(mine.keys() & theirs.keys())
    w, r = mine[at], theirs[at]
    if at == 0 or w.schema is False:
        return None, 0
    site = Site(w, r)
    for value in _cheap_values(w, r):
        if len(site.found) >= 8:
            break
        if shows(w, r, value) and not any(_same_text(value, v) for v in site.found):
            site.found.append(value)
    return site, at


def _cheap_values(writer: Node, reader: Node) -> list[Any]:
    """Values tried before any is drawn: the writer's literals, words its patterns spell out,
    and values just past the reader's bounds."""
    return [*_literals(writer), *_words(writer, reader), *_edges(reader)]


def _literals(node: Node, depth: int = 0) -> list[Any]:
    """The values a schema's ``enum`` or ``const`` names, and those of its union members'
    (``$ref``s followed): where an enum lost a value, the value itself shows it."""
    schema = node.schema
    if not isinstance(schema, dict) or depth > 4:
        return []
    out: list[Any] = []
    if "const" in schema:
        out.append(schema["const"])
    if isinstance(schema.get("enum"), list):
        out += schema["enum"][:200]
    if isinstance(schema.get("$ref"), str):
        with contextlib.suppress(Exception):  # one the checker named already
            out += _literals(node.resolve(), depth + 1)
    for keyword in ("oneOf", "anyOf"):
        members = schema.get(keyword)
        for index in range(len(members) if isinstance(members, list) else 0):
            out += _literals(node.child(keyword, index), depth + 1)
    return out


def _words(writer: Node, reader: Node) -> list[str]:
    """Strings made of the words the two sides' patterns spell out (``local`` in
    ``^(?!.*(local|meta)).*$``), alone and inside others: a pattern that now excludes a word,
    or no longer does, turns on such strings, which a lookaround keeps ``from_pattern`` from
    drawing."""
    words: list[str] = []
    for node in (writer, reader):
        pattern = node.get("pattern") if isinstance(node.schema, dict) else None
        known = _parsed(pattern) if isinstance(pattern, str) else None
        if known is not None:
            words += [w for w in _runs(known[1]) if w not in words]
    return [
        f"{a}{w}{b}" for w in words[:20] for a, b in (("", ""), ("x", ""), ("", "x"), ("x", "x"))
    ]


def _edges(reader: Node) -> list[Any]:
    """Values just past the reader's bounds (a string one longer than its ``maxLength``, a
    number past its ``maximum``): where a bound was added or tightened, the writer's schema
    may well take them, and drawn values rarely reach that far."""
    schema = reader.schema
    if not isinstance(schema, dict):
        return []
    out: list[Any] = []
    for keyword, step in (("maxLength", 1), ("minLength", -1)):
        n = schema.get(keyword)
        if isinstance(n, int) and not isinstance(n, bool) and 0 <= n + step <= 100_000:
            out.append("a" * (n + step))
    for keyword, step in (
        ("maximum", 1), ("exclusiveMaximum", 0), ("minimum", -1), ("exclusiveMinimum", 0)
    ):  # fmt: skip
        n = schema.get(keyword)
        if isinstance(n, int | float) and not isinstance(n, bool):
            out.append(n + step)
    for keyword, step in (("maxItems", 1), ("minItems", -1)):
        n = schema.get(keyword)
        if isinstance(n, int) and not isinstance(n, bool) and 0 <= n + step <= 10_000:
            out.append([None] * (n + step))
    return out


def _runs(parsed: Any) -> list[str]:
    """The runs of two or more literal characters anywhere in a parsed pattern."""
    c: Any = _opcodes()
    out: list[str] = []
    run = ""
    for op, arg in parsed:
        if op is c.LITERAL:
            run += chr(arg)
            continue
        if len(run) >= 2:
            out.append(run)
        run = ""
        if op is c.SUBPATTERN:
            out += _runs(arg[3])
        elif op is c.BRANCH:
            for branch in arg[1]:
                out += _runs(branch)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            out += _runs(arg[1])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            out += _runs(arg[2])
    if len(run) >= 2:
        out.append(run)
    return out


def shows(writer: Node, reader: Node, instance: Any) -> bool:
    """Whether ``writer`` accepts ``instance`` and ``reader`` rejects it (False where either
    cannot judge it: a pattern Python cannot compile, a reference the validator refuses)."""
    try:
        return writer.is_valid(instance, formats=False) and not reader.is_valid(
            instance, formats=False
        )
    except Exception:
        return False


def _same_text(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


_ROUTE_LIMIT = 20_000  # subschemas looked at for a way to a definition


def _route(root: Node, definition: list[str]) -> list[str]:
    """The steps an instance takes from ``root`` to where the definition ``definition`` (its
    pointer tokens) applies, through properties, items, unions and ``$ref``s: the focus the
    generator follows to reach a change inside a definition. Empty if none is found."""
    from collections import deque

    try:
        target = root.child(*(_token(t) for t in definition)).schema
    except (KeyError, IndexError, TypeError):
        return []
    seen: set[int] = set()
    queue: deque[tuple[Node, list[str]]] = deque([(root, [])])
    while queue and len(seen) < _ROUTE_LIMIT:
        node, steps = queue.popleft()
        schema = node.schema
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        if schema is target:
            return steps
        if isinstance(schema.get("$ref"), str):
            with contextlib.suppress(Exception):  # one the checker named already
                queue.append((node.resolve(), steps))
        for keyword in ("properties", "patternProperties"):
            members = schema.get(keyword)
            for name in members if isinstance(members, dict) else ():
                queue.append((node.child(keyword, name), [*steps, keyword, name]))
        for keyword in ("items", "additionalProperties"):
            if isinstance(schema.get(keyword), dict):
                queue.append((node.child(keyword), [*steps, keyword]))
        for keyword in ("oneOf", "anyOf", "allOf"):
            members = schema.get(keyword)
            for index in range(len(members) if isinstance(members, list) else 0):
                queue.append((node.child(keyword, index), [*steps, keyword, str(index)]))
    return []


def find(writer: Node, reader: Node, pointer: str, attempts: int = ATTEMPTS) -> Any:
    """An instance ``writer`` accepts and ``reader`` rejects, or ``NOT_FOUND``."""
    if len(pointer_tokens(pointer)) <= 1:
        # A change at the top: no site below it, but the writer's own values are cheap to try.
        for value in _cheap_values(writer, reader):
            if shows(writer, reader, value):
                return value
    seen: set[str] = set()
    for instance in candidates(writer, pointer, attempts=attempts, reader=reader):
        text = json.dumps(instance, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        try:
            if writer.is_valid(instance, formats=False) and not reader.is_valid(
                instance, formats=False
            ):
                return instance
        except Exception:  # a pattern Python cannot compile, a reference the validator refuses
            return NOT_FOUND
    return NOT_FOUND


NOT_FOUND: Any = object()
