"""`moss` properties as JSON values and back.

Plain JSON values are stored as they are. Other storable values are tagged objects:
`{"$moss": "tuple", "items": [...]}`, `{"$moss": "pydantic" | "dataclass", "class": "module:Qualname",
"data": {...}}`, and `{"$moss": "dict", "data": {...}}` for a dict that itself has a "$moss" key.
Decoding never imports anything: a class is found only in a module already imported.
"""
from __future__ import annotations

import sys

TAG = "$moss"
MAX_DEPTH = 50
"""Nesting deeper than this is refused: tags can double the JSON depth, which must stay within
what the binary's JSON reader accepts (128)."""


class Unstorable(Exception):
    """The value has no JSON form; the message says which part and why."""


class Unrestorable(Exception):
    """The stored JSON cannot be turned back into a value in this run."""


def is_storable_default(value: object) -> bool:
    """Whether a class-level value of a `Moss` subclass is a context property."""
    if value is None or isinstance(value, (bool, int, float, str, list, dict, tuple)):
        return True
    return _pydantic_model(type(value)) or _dataclass(type(value))


def encode(value: object, where: str = "", depth: int = 0) -> object:
    """The JSON form of `value`; raises Unstorable naming the offending part."""
    if depth > MAX_DEPTH:
        raise Unstorable(f"{where or 'the value'} is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Unstorable(f"{where or 'the value'} is a str with unpaired surrogates, which JSON files cannot hold") from None
        return value
    if isinstance(value, int):
        if -(2**63) <= value < 2**64:
            return int(value)
        raise Unstorable(f"{where or 'the value'} is an int too large for JSON ({value.bit_length()} bits)")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Unstorable(f"{where or 'the value'} is {value}, which JSON cannot hold")
        return value
    if isinstance(value, list):
        return [encode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, tuple) and type(value) is tuple:
        return {TAG: "tuple", "items": [encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]}
    if isinstance(value, dict):
        data = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Unstorable(f"{where or 'the dict'} has a key {key!r} that is not a str")
            data[key] = encode(item, f"{where}[{key!r}]", depth + 1)
        return {TAG: "dict", "data": data} if TAG in data else data
    cls = type(value)
    if _pydantic_model(cls):
        return {TAG: "pydantic", "class": class_ref(cls), "data": encode(_model_dump(value), where, depth + 1)}
    if _dataclass(cls):
        data = {
            field.name: encode(getattr(value, field.name), f"{where}.{field.name}", depth + 1)
            for field in sys.modules["dataclasses"].fields(value)
        }
        return {TAG: "dataclass", "class": class_ref(cls), "data": data}
    raise Unstorable(f"{where or 'the value'} holds a {cls.__module__}.{cls.__qualname__}, which has no JSON form")


def decode(stored: object) -> object:
    """The value stored as `stored`; raises Unrestorable."""
    if isinstance(stored, list):
        return [decode(item) for item in stored]
    if not isinstance(stored, dict):
        return stored
    tag = stored.get(TAG)
    if tag is None:
        return {key: decode(item) for key, item in stored.items()}
    if tag == "dict":
        return {key: decode(item) for key, item in stored["data"].items()}
    if tag == "tuple":
        return tuple(decode(item) for item in stored["items"])
    if tag in ("pydantic", "dataclass"):
        cls = find_class(stored.get("class", ""))
        data = decode(stored.get("data", {}))
        if tag == "pydantic":
            if not _pydantic_model(cls):
                raise Unrestorable(f"{stored['class']} is no longer a pydantic model")
            return cls.model_validate(data) if hasattr(cls, "model_validate") else cls.parse_obj(data)
        if not _dataclass(cls):
            raise Unrestorable(f"{stored['class']} is no longer a dataclass")
        instance = cls.__new__(cls)
        for name, item in data.items():
            object.__setattr__(instance, name, item)
        return instance
    raise Unrestorable(f"unknown tag {TAG}={tag!r} (written by a newer moss?)")


def plain(value: object) -> object:
    """A return value in the shape JSON can take: models and dataclasses as their fields."""
    cls = type(value)
    if _pydantic_model(cls):
        return _model_dump(value)
    if _dataclass(cls):
        return sys.modules["dataclasses"].asdict(value)
    return value


def class_ref(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def find_class(ref: str) -> type:
    """The class named `module:Qualname`, from modules already imported only."""
    module_name, _, qualname = ref.partition(":")
    module = sys.modules.get(module_name)
    if module is None:
        raise Unrestorable(
            f"its class {ref} lives in module {module_name!r}, which the MOSS file does not import "
            "(moss never imports a module because a context file names it)"
        )
    found: object = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise Unrestorable(f"its class {ref} no longer exists")
    if not isinstance(found, type):
        raise Unrestorable(f"{ref} is not a class")
    return found


def _model_dump(model: object) -> object:
    """A pydantic model's fields as JSON-ready data (pydantic 2, or 1's `.dict()`)."""
    return model.model_dump(mode="json") if hasattr(model, "model_dump") else model.dict()


def _pydantic_model(cls: type) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)


def _dataclass(cls: type) -> bool:
    return isinstance(cls, type) and hasattr(cls, "__dataclass_fields__")
