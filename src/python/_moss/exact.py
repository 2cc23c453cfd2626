"""The save-time check that a property comes back exactly as it is.

Every property is decoded back from its JSON form and compared with the live value, type by type
and recursively (where `==` says too little: `1 == True`, `0.0 == -0.0`, dataclasses with
`eq=False`, aware datetimes in other zones). A value that would come back different (a validator
that changes what it is given, a class that cannot be found again) is refused by name.
"""
from __future__ import annotations

import sys

from _moss import tracebacks, values


def encode_exactly(value: object, where: str) -> object:
    """The JSON form of `value`, checked to decode back to an equal value of the same types;
    raises values.Unstorable naming the part that would not."""
    try:
        stored = values.encode(value, where)
    except values.Unstorable:
        raise
    except Exception as e:  # a dataclass field never set, a model attribute that raises, ...
        raise values.Unstorable(
            f"{where} could not be read to be stored ({type(e).__name__}: {tracebacks.safe_str(e)})") from None
    try:
        back = values.decode(stored, where)
    except Exception as e:
        raise values.Unstorable(f"{where} could not be restored from its stored form ({tracebacks.safe_str(e)})") from None
    try:
        found = difference(value, back, where)
    except Exception as e:  # a comparison that raises says as little as one that differs
        found = f"{where} cannot be compared with its restored copy ({type(e).__name__}: {tracebacks.safe_str(e)})"
    if found is not None:
        raise values.Unstorable(found)
    return stored


def difference(live: object, back: object, where: str) -> str | None:
    """How `back` differs from `live` (naming the part), or None when it is the same."""
    if type(live) is not type(back):
        return f"{where} would come back as a {_type_name(back)}, not a {_type_name(live)}"
    cls = type(live)
    for kind, compare in _COMPARISONS:
        if kind(live):
            return compare(live, back, where)
    if cls is float:
        return None if repr(live) == repr(back) else _changed(live, back, where)
    return None if live == back else _changed(live, back, where)


def _sequence(live: object, back: object, where: str) -> str | None:
    if len(live) != len(back):
        return f"{where} would come back with {len(back)} items instead of {len(live)}"
    if getattr(live, "maxlen", None) != getattr(back, "maxlen", None):
        return f"{where} would come back with maxlen {back.maxlen} instead of {live.maxlen}"
    return _first(difference(a, b, f"{where}[{i}]") for i, (a, b) in enumerate(zip(live, back)))


def _mapping(live: dict, back: dict, where: str) -> str | None:
    if list(live) != list(back) or [type(key) for key in live] != [type(key) for key in back]:
        return f"{where} would come back with the keys {_short(list(back))} instead of {_short(list(live))}"
    if getattr(live, "default_factory", None) is not getattr(back, "default_factory", None):
        return f"{where} would come back with the default_factory {back.default_factory!r}"
    return _first(difference(live[key], back[key], f"{where}[{key!r}]") for key in live)


def _set(live: object, back: object, where: str) -> str | None:
    return None if _typed(live) == _typed(back) else _changed(live, back, where)


def _typed(items: object) -> set:
    """Items with their types, since `{1} == {True}`."""
    return {(type(item), item) for item in items}


def _fields(names: object) -> object:
    def compare(live: object, back: object, where: str) -> str | None:
        found = _first(difference(getattr(live, n), getattr(back, n), f"{where}.{n}") for n in names(live))
        private = getattr(live, "__pydantic_private__", None)
        if found is None and private != getattr(back, "__pydantic_private__", None):
            return f"{where} would come back without its private attributes {private!r}"
        fields_set = getattr(live, "model_fields_set", None)
        if found is None and fields_set != getattr(back, "model_fields_set", None):
            return f"{where} would come back with other fields set than {sorted(fields_set)!r}"
        return found
    return compare


def _time(live: object, back: object, where: str) -> str | None:
    """Datetimes and times: equal, and in the same zone (type and name) with the same fold."""
    return None if _zoned(live) == _zoned(back) else _changed(live, back, where)


def _zoned(moment: object) -> tuple:
    return moment.isoformat(), type(moment.tzinfo), moment.tzname(), moment.fold


def _model_fields(model: object) -> list[str]:
    cls = type(model)
    names = list(getattr(cls, "model_fields", None) or cls.__fields__)
    return names + list(getattr(model, "__pydantic_extra__", None) or {})


def _dataclass_fields(instance: object) -> list[str]:
    return [field.name for field in sys.modules["dataclasses"].fields(instance)]


def _is(class_ref: str) -> object:
    return lambda value: values.class_ref(type(value)) == class_ref


def _identical(live: object, back: object, where: str) -> str | None:
    return None if live is back else _changed(live, back, where)


def _same_text(live: object, back: object, where: str) -> str | None:
    return None if str(live) == str(back) else _changed(live, back, where)


_COMPARISONS = [
    (values.is_enum, _identical),
    (lambda value: type(value) in (list, tuple) or _is("collections:deque")(value), _sequence),
    (lambda value: isinstance(value, dict), _mapping),
    (lambda value: type(value) in (set, frozenset), _set),
    (lambda value: _is("datetime:datetime")(value) or _is("datetime:time")(value), _time),
    (_is("decimal:Decimal"), _same_text),
    (lambda value: values.is_pydantic_model(type(value)), _fields(_model_fields)),
    (lambda value: values.is_dataclass(type(value)), _fields(_dataclass_fields)),
]
"""Kinds whose sameness `==` does not say, with how to compare them; the first kind that matches wins."""


def _first(found: object) -> str | None:
    return next((difference for difference in found if difference is not None), None)


def _changed(live: object, back: object, where: str) -> str:
    return f"{where} would come back as {_short(back)} instead of {_short(live)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: object) -> str:
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
