"""Validation of a value against a schema of a few keywords (a union of many constants, say)
done directly, with the verdict jsonschema's validator gives, and without building a validator
and an error for every member of the union that does not match.

Only ``type``, ``enum``, ``const``, ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``$ref`` and (when
formats are not checked) ``format`` are evaluated; anything else in the dialect (``pattern``,
``properties``, ``$dynamicRef``...) makes ``verdict`` answer None, and the caller asks the
validator. Each step follows what jsonschema 4 does (``validators.py``: ``iter_errors``,
``descend``, ``evolve``, ``_validate_reference``): which keywords a schema beside a ``$ref``
contributes, which validator class a referenced schema is read with, and which base its own
references resolve against. A subschema with its own ``$schema`` or id is left to the validator.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .values import member, same

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing._core import Resolver

# Deeper than this (a $ref cycle, say): left to the validator.
_DEPTH = 32
_EVALUATED = ("type", "enum", "const", "allOf", "anyOf", "oneOf", "not", "$ref", "format")


@cache
def _rules(cls: type[Validator]) -> tuple[frozenset[str], bool] | None:
    """The keywords of ``cls`` evaluated here (those whose implementation is jsonschema's own,
    checked by identity) and whether a ``$ref`` hides its siblings; None for a class not known."""
    from jsonschema import validators as v

    classes: dict[Any, bool] = {
        v.Draft4Validator: True, v.Draft6Validator: True, v.Draft7Validator: True,
        v.Draft201909Validator: False, v.Draft202012Validator: False,
    }  # fmt: skip
    ignores_siblings = classes.get(cls)
    if ignores_siblings is None:
        return None
    reference = v.Draft202012Validator.VALIDATORS
    own = frozenset(
        k for k in _EVALUATED if k in cls.VALIDATORS and cls.VALIDATORS[k] is reference[k]
    )
    return own, ignores_siblings


def verdict(
    schema: Any, instance: Any, cls: type[Validator], resolver: Resolver[Any], *, formats: bool
) -> bool | None:
    """Whether ``instance`` is valid, as ``cls(schema, _resolver=resolver)`` would say, or None."""
    if not _plain(instance):
        return None
    return _valid(schema, instance, cls, cls, resolver, formats, 0, sub=False)


def _plain(value: Any) -> bool:
    """Holds no NaN: jsonschema's ``equal`` takes a NaN as equal to itself (the same object),
    ``same`` and ``values.key`` as JSON does not; without one they agree."""
    if isinstance(value, float):
        return value == value
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return True


# A schema's keywords as a validator reads them, worked out once per (schema, classes, place):
# (schema, steps) where steps are (keyword, value, extra), or None when left to the validator.
_Plan = tuple[tuple[str, Any, Any], ...] | None
_plans: dict[tuple[int, Any, Any, bool], tuple[Any, _Plan]] = {}


def _plan(
    schema: dict[str, Any], applying: type[Validator], cls: type[Validator], sub: bool
) -> _Plan:
    key = (id(schema), applying, cls, sub)
    known = _plans.get(key)
    if known is not None and known[0] is schema:
        return known[1]
    plan = _make_plan(schema, applying, cls, sub)
    if len(_plans) > 100_000:
        _plans.clear()
    _plans[key] = (schema, plan)
    return plan


def _make_plan(
    schema: dict[str, Any], applying: type[Validator], cls: type[Validator], sub: bool
) -> _Plan:
    # A subschema is read by ``descend`` (or ``evolve(schema=...).is_valid``): with no $schema
    # and no id of its own, by the same class from the same base.
    if sub and ("$schema" in schema or "$id" in schema or "id" in schema):
        return None
    picking, rules = _rules(applying), _rules(cls)
    if picking is None or rules is None:
        return None
    evaluated, _ = rules
    known = cls.VALIDATORS
    if picking[1] and schema.get("$ref") is not None:
        keywords: Any = (("$ref", schema["$ref"]),)
    else:
        keywords = schema.items()
    steps = []
    for k, value in keywords:
        if k not in known:
            continue
        if k not in evaluated:
            return None
        extra = None
        if k == "type":
            value = [value] if isinstance(value, str) else value
        elif k == "enum" or k in _UNIONS:
            if not isinstance(value, list):
                return None
            if k != "enum":
                extra = _constants(value, cls)
        elif k == "$ref" and not isinstance(value, str):
            return None
        steps.append((k, value, extra))
    return tuple(steps)


_UNIONS = ("allOf", "anyOf", "oneOf")


def _constants(members: list[Any], cls: type[Validator]) -> tuple[dict[Any, list[int]], list[int]]:
    """The members of a union that are a ``const`` (with a ``type``, or annotations beside it),
    by their value's key, and the positions of the others: a value need only be tried against
    the constants it equals."""
    from .values import key

    by_value: dict[Any, list[int]] = {}
    others = []
    for i, m in enumerate(members):
        plan = _plan(m, cls, cls, True) if isinstance(m, dict) else None
        consts = [v for k, v, _ in plan or () if k == "const"]
        types = [n for k, v, _ in plan or () if k == "type" for n in v]
        if (
            plan is not None
            and len(consts) == 1
            and all(k in ("const", "type") for k, _, _ in plan)
            and _plain(consts[0])
            and _known_types(types, cls)
        ):
            by_value.setdefault(key(consts[0]), []).append(i)
            continue
        others.append(i)
    return by_value, others


def _known_types(names: list[Any], cls: type[Validator]) -> bool:
    """Whether every name is a type ``cls`` knows (a member the union skips must be one the
    validator would judge without raising)."""
    try:
        for n in names:
            cls.TYPE_CHECKER.is_type(None, n)
    except Exception:
        return False
    return True


def _valid(
    schema: Any,
    instance: Any,
    applying: type[Validator],
    cls: type[Validator],
    resolver: Resolver[Any],
    formats: bool,
    depth: int,
    *,
    sub: bool,
) -> bool | None:
    """``applying``: the class that picks the keywords of ``schema`` (whose ``descend`` runs);
    ``cls``: the class whose keyword implementations judge them."""
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict) or depth > _DEPTH:
        return None
    plan = _plan(schema, applying, cls, sub)
    if plan is None:
        return None
    for k, value, extra in plan:
        if k == "type":
            try:  # an unknown type name raises in the validator: left to it
                ok = any(cls.TYPE_CHECKER.is_type(instance, n) for n in value)
            except Exception:
                return None
        elif k == "enum":
            ok = member(instance, value)
        elif k == "const":
            ok = same(instance, value)
        elif k == "format":
            if formats:
                return None
            ok = True  # without a format checker, format asserts nothing
        elif k == "$ref":
            found = _ref(value, instance, cls, resolver, formats, depth)
            if found is None:
                return None
            ok = found
        elif k == "not":
            inner = _valid(value, instance, cls, cls, resolver, formats, depth + 1, sub=True)
            if inner is None:
                return None
            ok = not inner
        else:  # allOf, anyOf, oneOf
            from .values import key

            by_value, others = extra
            tried = [*by_value.get(key(instance), ()), *others]
            passed = 0
            for i in tried:
                found = _valid(value[i], instance, cls, cls, resolver, formats, depth + 1, sub=True)
                if found is None:
                    return None
                passed += found
            if k == "allOf":
                ok = passed == len(value)
            else:
                ok = passed >= 1 if k == "anyOf" else passed == 1
        if not ok:
            return False
    return True


def _ref(
    ref: str,
    instance: Any,
    cls: type[Validator],
    resolver: Resolver[Any],
    formats: bool,
    depth: int,
) -> bool | None:
    """A ``$ref``, as ``_validate_reference`` follows it: looked up from the current base; the
    target read by the class its own ``$schema`` names (else the current one), its keywords
    picked by the current class, its references resolved from where it was found."""
    from jsonschema.validators import validator_for
    from referencing.exceptions import Unresolvable

    try:
        resolved = resolver.lookup(ref)
    except Unresolvable:
        return None  # the validator raises: left to it
    target = resolved.contents
    try:
        reading = validator_for(target, default=cls)
    except Exception:
        return None
    return _valid(target, instance, cls, reading, resolved.resolver, formats, depth + 1, sub=False)


class _Unsupported(Exception):
    """A keyword the light validator does not carry (it reads the validator's own state)."""


# Keywords whose jsonschema implementation reads more of the validator than ``_Light`` has.
_UNSUPPORTED = frozenset(
    {"$dynamicRef", "$recursiveRef", "unevaluatedItems", "unevaluatedProperties"}
)
_LIGHT_CLASSES: dict[Any, bool] = {}


def light_verdict(
    schema: Any, instance: Any, cls: type[Validator], resolver: Resolver[Any], *, formats: bool
) -> bool | None:
    """Whether ``instance`` is valid, as ``cls(schema, _resolver=resolver)`` would say it, by
    jsonschema's own keyword functions driven without its validator objects; None when a
    keyword needs more (the caller then asks the validator, which also raises what it raises)."""
    if _rules(cls) is None:
        return None
    checker = cls.FORMAT_CHECKER if formats else None
    try:
        return _Light(schema, cls, cls, resolver, checker).is_valid(instance)
    except Exception:  # _Unsupported, or what the validator would raise: left to it
        return None


_keywords_of: dict[tuple[int, Any, Any], tuple[Any, list[tuple[Any, str, Any]]]] = {}
_lookups: dict[tuple[int, str, str], tuple[Any, Any]] = {}


class _Light:
    """What jsonschema's keyword functions use of a validator (``is_type``, ``descend``,
    ``evolve(schema=...).is_valid``, ``_validate_reference``, ``format_checker``), as
    ``validators.create`` defines it, in a plain object: a keyword list worked out once per
    schema, no attrs instance per step, no error details."""

    __slots__ = ("_resolver", "_validators", "cls", "format_checker", "schema")

    def __init__(
        self,
        schema: Any,
        applying: type[Validator],
        cls: type[Validator],
        resolver: Resolver[Any],
        format_checker: Any,
    ) -> None:
        self.schema = schema
        self.cls = cls
        self._resolver = resolver
        self.format_checker = format_checker
        self._validators = _keyword_list(schema, applying, cls)

    def is_type(self, instance: Any, type: str) -> bool:
        return bool(self.cls.TYPE_CHECKER.is_type(instance, type))  # raises as is_type does

    def evolve(self, *, schema: Any) -> _Light:
        from jsonschema.validators import validator_for

        new = validator_for(schema, default=self.cls)
        return _Light(schema, new, new, self._resolver, self.format_checker)

    def is_valid(self, instance: Any) -> bool:
        return next(self.iter_errors(instance), None) is None

    def iter_errors(self, instance: Any) -> Any:
        if self.schema is True:
            return
        if self.schema is False:
            yield _failed()
            return
        for function, _keyword, value in self._validators:
            yield from function(self, value, instance, self.schema) or ()

    def descend(
        self,
        instance: Any,
        schema: Any,
        path: Any = None,
        schema_path: Any = None,
        resolver: Any = None,
    ) -> Any:
        from jsonschema.validators import validator_for

        if schema is True:
            return
        if schema is False:
            yield _failed()
            return
        if resolver is None:
            resolver = self._resolver
            if isinstance(schema, dict) and ("$id" in schema or "id" in schema):
                resolver = resolver.in_subresource(_specification(self.cls).create_resource(schema))
        evolved = _Light(schema, self.cls, validator_for(schema, default=self.cls), resolver,
                         self.format_checker)  # fmt: skip
        for function, _keyword, value in evolved._validators:
            yield from function(evolved, value, instance, schema) or ()

    def _validate_reference(self, ref: str, instance: Any) -> Any:
        # A $ref's target depends only on the base URI and the registry (the dynamic scope a
        # lookup also records is read by $dynamicRef, which this validator leaves alone).
        resolver: Any = self._resolver
        registry = resolver._registry
        key = (id(registry), resolver._base_uri, ref)
        known = _lookups.get(key)
        if known is not None and known[0] is registry:
            resolved = known[1]
        else:
            resolved = resolver.lookup(ref)  # Unresolvable: the validator raises it
            if len(_lookups) > 100_000:
                _lookups.clear()
            _lookups[key] = (registry, resolved)
        return self.descend(instance, resolved.contents, resolver=resolved.resolver)


def _keyword_list(schema: Any, applying: type[Validator], cls: type[Validator]) -> list[Any]:
    """(function, keyword, value) for ``schema``: the keywords ``applying`` picks (a ``$ref``
    hides its siblings before 2019-09) that ``cls`` implements, in order."""
    if schema is True or schema is False:
        return []
    key = (id(schema), applying, cls)
    known = _keywords_of.get(key)
    if known is not None and known[0] is schema:
        return known[1]
    rules = _rules(applying)
    if rules is None or _rules(cls) is None:
        raise _Unsupported(applying)
    if rules[1] and schema.get("$ref") is not None:
        pairs: Any = [("$ref", schema["$ref"])]
    else:
        pairs = schema.items()
    found = []
    for k, v in pairs:
        function = cls.VALIDATORS.get(k)
        if function is None:
            continue
        function = _faster().get(function, function)
        if k in _UNSUPPORTED:
            raise _Unsupported(k)
        found.append((function, k, v))
    if len(_keywords_of) > 100_000:
        _keywords_of.clear()
    _keywords_of[key] = (schema, found)
    return found


def _properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``properties``, going through the instance's names where it has fewer than
    the schema declares (a linter's rules declare hundreds): the same errors, in another order,
    which a verdict does not read."""
    if not validator.is_type(instance, "object"):
        return
    if len(instance) >= len(properties):
        names: Any = properties
    else:
        names = [name for name in instance if name in properties]
    for name in names:
        if name in instance:
            yield from validator.descend(
                instance[name], properties[name], path=name, schema_path=name
            )


def _holds(validator: Any, instance: Any, subschema: Any) -> bool:
    return next(iter(validator.descend(instance, subschema)), None) is None


def _any_of(validator: Any, members: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``anyOf``, stopping at a member's first error rather than listing them all."""
    if not any(_holds(validator, instance, member) for member in members):
        yield _failed()


def _one_of(validator: Any, members: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``oneOf``, likewise: the first member that holds is found as it finds it,
    and the others are asked as it asks them."""
    rest = iter(members)
    # None holds, or (the rest asked after the first that does) a second one holds too.
    one = any(_holds(validator, instance, member) for member in rest)
    if not one or any(validator.evolve(schema=each).is_valid(instance) for each in rest):
        yield _failed()


def _type(validator: Any, types: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``type``, without the message (the instance's repr, for each value that
    misses: a whole instance, where a union's member expects another type)."""
    if not any(validator.is_type(instance, each) for each in _utils().ensure_list(types)):
        yield _failed()


def _enum(validator: Any, values: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's ``enum``, likewise without the message (the repr of every value)."""
    equal = _utils().equal
    if all(not equal(each, instance) for each in values):
        yield _failed()


@cache
def _utils() -> Any:
    """jsonschema's helpers its keyword functions use, imported once (not on every call: these
    run for every value a witness candidate holds)."""
    from jsonschema import _utils

    return _utils


@cache
def _faster() -> dict[Any, Any]:
    """Keyword functions replaced where a verdict needs less than jsonschema's error details."""
    from jsonschema import _keywords

    return {
        _keywords.properties: _properties,
        _keywords.anyOf: _any_of,
        _keywords.oneOf: _one_of,
        _keywords.type: _type,
        _keywords.enum: _enum,
    }


@cache
def _specification(cls: type[Validator]) -> Any:
    """The referencing specification ``cls`` reads subschemas with (``validators.create``)."""
    from referencing import Specification
    from referencing.jsonschema import specification_with

    of: Any = cls  # ID_OF: how validators.create names the dialect
    return specification_with(
        dialect_id=of.ID_OF(cls.META_SCHEMA) or "urn:unknown-dialect",
        default=Specification.OPAQUE,
    )


@cache
def _failed() -> Any:
    """The error the light validator's own keywords yield: a verdict reads only that there is
    one, so one serves for all."""
    from jsonschema.exceptions import ValidationError

    return ValidationError("not valid")
