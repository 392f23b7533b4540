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
    return _valid(schema, instance, cls, cls, resolver, formats, 0)


def _valid(
    schema: Any,
    instance: Any,
    applying: type[Validator],
    cls: type[Validator],
    resolver: Resolver[Any],
    formats: bool,
    depth: int,
) -> bool | None:
    """``applying``: the class that picks the keywords of ``schema`` (whose ``descend`` runs);
    ``cls``: the class whose keyword implementations judge them."""
    if schema is True or schema is False:
        return schema
    if not isinstance(schema, dict) or depth > _DEPTH:
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
    for k, _value in keywords:
        if k in known and k not in evaluated:
            return None
    for k, value in keywords:
        if k not in known:
            continue
        if k == "type":
            names = [value] if isinstance(value, str) else value
            try:  # an unknown type name raises in the validator: left to it
                ok = any(cls.TYPE_CHECKER.is_type(instance, n) for n in names)
            except Exception:
                return None
        elif k == "enum":
            if not isinstance(value, list):
                return None
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
            inner = _sub(value, instance, cls, resolver, formats, depth)
            if inner is None:
                return None
            ok = not inner
        else:  # allOf, anyOf, oneOf
            if not isinstance(value, list):
                return None
            members = [_sub(m, instance, cls, resolver, formats, depth) for m in value]
            if None in members:
                return None
            passed = members.count(True)
            if k == "allOf":
                ok = passed == len(members)
            else:
                ok = passed >= 1 if k == "anyOf" else passed == 1
        if not ok:
            return False
    return True


def _sub(
    schema: Any,
    instance: Any,
    cls: type[Validator],
    resolver: Resolver[Any],
    formats: bool,
    depth: int,
) -> bool | None:
    """A subschema, as ``descend`` (or ``evolve(schema=...).is_valid``) reads it: with no
    ``$schema`` and no id of its own, the same class and the same base."""
    if isinstance(schema, dict) and ("$schema" in schema or "$id" in schema or "id" in schema):
        return None
    return _valid(schema, instance, cls, cls, resolver, formats, depth + 1)


def _ref(
    ref: Any,
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

    if not isinstance(ref, str):
        return None
    try:
        resolved = resolver.lookup(ref)
    except Unresolvable:
        return None  # the validator raises: left to it
    target = resolved.contents
    try:
        reading = validator_for(target, default=cls)
    except Exception:
        return None
    return _valid(target, instance, cls, reading, resolved.resolver, formats, depth + 1)
