"""`moss` properties as JSON values and back, exactly.

JSON's own values (None, bool, str, 64-bit int, finite float, list, dict with str keys) are stored
as they are; every other storable value is a tagged object `{"$moss": TAG, ...}`, one tag per type
(docs/context-format.md lists them). Types are matched exactly: a subclass of a stored type that
moss does not know is refused, never stored as its base.

Decoding never imports a module that a context file names: a class in a `class` field is found only
in a module already imported, and a stored value that needs one that is not is reported as
unrestorable. Moss's own tags for standard-library types (a date, a Decimal) import their module
(`datetime`, `decimal`, ...) when the run has not.
"""
from __future__ import annotations

import os
import sys
import types
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from collections.abc import Callable

TAG = "$moss"
MAX_DEPTH = 90
"""JSON nesting deeper than this is refused, so that the context file stays within what the
binary's JSON reader accepts (128 levels, counted from the file's top)."""

INT_RANGE = (-(2**63), 2**64)
"""Ints JSON numbers carry exactly (i64 and u64); others are stored as decimal strings."""


class Unstorable(Exception):
    """The value has no exact JSON form; the message names the offending part and why."""


class Unrestorable(Exception):
    """The stored JSON cannot be turned back into a value in this run."""


def is_storable_default(value: object) -> bool:
    """Whether a class-level value of a `Moss` subclass is a context property (by its type only)."""
    cls = type(value)
    return (value is None or cls is bool or _tag_ref(cls) in _ENCODERS or is_enum(value)
            or is_pydantic_model(cls) or is_dataclass(cls))


def encode(value: object, where: str = "the value", depth: int = 0) -> object:
    """The JSON form of `value`; raises Unstorable naming the offending part (`where`)."""
    if depth > MAX_DEPTH:
        raise Unstorable(f"{where} is nested more than {MAX_DEPTH} levels deep")
    cls = type(value)
    if value is None or cls is bool:
        return value
    if is_enum(value):
        return {TAG: "enum", "class": _findable(cls, where), "value": encode(value.value, f"{where}.value", depth + 2)}
    encoder = _ENCODERS.get(_tag_ref(cls))
    if encoder is not None:
        return encoder(value, where, depth)
    if is_pydantic_model(cls):
        return _encode_model(value, where, depth)
    if is_dataclass(cls):
        fields = sys.modules["dataclasses"].fields(value)
        data = {f.name: encode(getattr(value, f.name), f"{where}.{f.name}", depth + 2) for f in fields}
        return {TAG: "dataclass", "class": _findable(cls, where), "data": data}
    if any(base.__module__.startswith("pydantic") and base.__name__.startswith("Secret") for base in cls.__mro__):
        raise Unstorable(
            f"{where} is a {cls.__name__}: moss never writes secrets to the context file; keep it out of "
            "`moss` (in an injected object or the environment), or store a plain str if it may be written in clear"
        )
    name = f"{cls.__module__}.{cls.__qualname__}"
    base = next((b for b in (int, float, str, bytes, list, tuple, dict, set) if isinstance(value, b)), None)
    if base is not None:
        raise Unstorable(
            f"{where} is a {name}, a subclass of {base.__name__} that would not come back as itself; "
            f"store {base.__name__}(...) of it instead"
        )
    raise Unstorable(f"{where} holds a {name}, which has no JSON form")


def decode(stored: object, where: str = "the value", notes: list[str] | None = None) -> object:
    """The value stored as `stored`; raises Unrestorable. What changed on the way (fields a class
    gained or lost since the save) is appended to `notes`."""
    notes = [] if notes is None else notes
    if isinstance(stored, list):
        return [decode(item, f"{where}[{i}]", notes) for i, item in enumerate(stored)]
    if not isinstance(stored, dict):
        return stored
    tag = stored.get(TAG)
    if tag is None:
        return _decode_items(stored, where, notes)
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None:
        raise Unrestorable(f"unknown tag {TAG}={tag!r} (written by a newer moss?)")
    try:
        return decoder(stored, where, notes)
    except KeyError as e:
        raise Unrestorable(f"its stored {tag} has no {e.args[0]!r} field (was the file edited by hand?)") from None
    except (TypeError, ValueError, OverflowError) as e:
        raise Unrestorable(f"its stored {tag} is malformed ({type(e).__name__}: {e})") from None


def plain(value: object) -> object:
    """A return value in the shape JSON can take: models and dataclasses as their fields."""
    cls = type(value)
    if is_pydantic_model(cls):
        return value.model_dump(mode="json") if hasattr(value, "model_dump") else value.dict()
    if is_dataclass(cls):
        return sys.modules["dataclasses"].asdict(value)
    return value


def class_ref(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _tag_ref(cls: type) -> str:
    """`class_ref` of a class moss may store by tag, naming pathlib's classes by their public module.

    Python 3.13 defines them in `pathlib._local`; `pathlib:PosixPath` is their name on every
    version, so a context written on one Python reads alike on another."""
    if cls.__module__ == "pathlib._local":
        return f"pathlib:{cls.__qualname__}"
    return class_ref(cls)


def find_class(ref: str) -> type:
    """The class named `module:Qualname`, from modules already imported only.

    Looked up in namespaces directly, so no module `__getattr__` (which may import) runs."""
    module_name, _, qualname = ref.partition(":")
    module = sys.modules.get(module_name)
    if module is None:
        raise Unrestorable(
            f"its class {ref} lives in module {module_name!r}, which the MOSS file does not import "
            "(moss never imports a module because a context file names it)"
        )
    found: object = module
    for part in qualname.split("."):
        found = vars(found).get(part) if isinstance(found, (type, types.ModuleType)) else None
        if found is None:
            raise Unrestorable(f"its class {ref} no longer exists")
    if not isinstance(found, type):
        raise Unrestorable(f"{ref} is not a class")
    return found


# ---------------------------------------------------------------- JSON's own values and containers


def _encode_str(value: str, where: str, depth: int) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Unstorable(f"{where} is a str with unpaired surrogates, which JSON files cannot hold") from None
    return value


def _encode_int(value: int, where: str, depth: int) -> object:
    if INT_RANGE[0] <= value < INT_RANGE[1]:
        return value
    try:
        return {TAG: "int", "value": str(value)}
    except ValueError as e:
        raise Unstorable(f"{where} is an int too long to write out ({e})") from None


def _encode_float(value: float, where: str, depth: int) -> float:
    if value != value or value in (float("inf"), float("-inf")):
        raise Unstorable(f"{where} is {value}, which JSON cannot hold")
    return value


def _encode_list(value: list, where: str, depth: int) -> list:
    return [encode(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]


def _encode_items(value: dict, where: str, depth: int) -> dict | list:
    """A mapping's items: a JSON object when every key is a str, else a list of [key, value] pairs
    (keys stored like any value, so `1`, `(1, 2)` or an enum member stay what they are)."""
    if all(type(key) is str for key in value):
        return {_encode_str(key, where, depth): encode(item, f"{where}[{key!r}]", depth + 1)
                for key, item in value.items()}
    return [[encode(key, f"{where} (key {key!r})", depth + 2), encode(item, f"{where}[{key!r}]", depth + 2)]
            for key, item in value.items()]


def _encode_dict(value: dict, where: str, depth: int) -> dict:
    data = _encode_items(value, where, depth + 1)
    return {TAG: "dict", "data": data} if isinstance(data, list) or TAG in data else data


def _decode_items(data: dict | list, where: str, notes: list[str]) -> dict:
    if isinstance(data, list):
        return {decode(key, f"{where} (a key)", notes): decode(item, f"{where}[{key!r}]", notes) for key, item in data}
    return {key: decode(item, f"{where}[{key!r}]", notes) for key, item in data.items()}


def _encode_sequence(tag: str) -> Callable:
    def encode_sequence(value: object, where: str, depth: int) -> dict:
        items = [encode(item, f"{where}[{i}]", depth + 2) for i, item in enumerate(value)]
        if tag in ("set", "frozenset"):
            # Set order varies between runs (str hashes are salted); sorted, saving is repeatable.
            import json

            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return {TAG: tag, "items": items}
    return encode_sequence


def _encode_mapping(tag: str) -> Callable:
    def encode_mapping(value: dict, where: str, depth: int) -> dict:
        return {TAG: tag, "data": _encode_items(value, where, depth + 2)}
    return encode_mapping


def _encode_defaultdict(value: dict, where: str, depth: int) -> dict:
    factory = value.default_factory
    if factory is not None and not (isinstance(factory, type) and _found_again(factory)):
        raise Unstorable(
            f"{where} is a defaultdict whose default_factory {factory!r} is not a class moss can find again "
            "by name; use a class such as list, int or one defined in the MOSS file"
        )
    data = _encode_items(value, where, depth + 2)
    return {TAG: "defaultdict", "factory": factory and class_ref(factory), "data": data}


def _encode_deque(value: object, where: str, depth: int) -> dict:
    return {**_encode_sequence("deque")(value, where, depth), "maxlen": value.maxlen}


def _from_base64(text: str) -> bytes:
    import base64  # only a stored bytes value needs it

    return base64.b64decode(text, validate=True)


def _encode_bytes(value: bytes, where: str, depth: int) -> dict:
    import binascii  # an extension module to load: only runs that store bytes pay for it

    return {TAG: type(value).__name__, "base64": binascii.b2a_base64(value, newline=False).decode("ascii")}


# ---------------------------------------------------------------- times, numbers, names


def _encode_datetime(value: object, where: str, depth: int) -> dict:
    """A datetime or time: its naive ISO form, its tzinfo (itself stored exactly) and fold."""
    stored = {TAG: type(value).__name__, "iso": value.replace(tzinfo=None, fold=0).isoformat(),
              "tzinfo": encode(value.tzinfo, f"{where}.tzinfo", depth + 2)}
    return {**stored, "fold": 1} if value.fold else stored


def _encode_timedelta(value: object, where: str, depth: int) -> dict:
    return {TAG: "timedelta", "days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}


def _encode_timezone(value: object, where: str, depth: int) -> dict:
    offset = encode(value.utcoffset(None), f"{where}.offset", depth + 2)
    return {TAG: "timezone", "offset": offset, "name": value.tzname(None)}


def _encode_zoneinfo(value: object, where: str, depth: int) -> dict:
    if value.key is None:
        raise Unstorable(f"{where} is a ZoneInfo read from a file, which has no key to store it by")
    return {TAG: "ZoneInfo", "key": value.key}


def _encode_text(tag: str) -> Callable:
    def encode_text(value: object, where: str, depth: int) -> dict:
        return {TAG: tag, "value": str(value)}
    return encode_text


def _encode_path(value: object, where: str, depth: int) -> dict:
    return {TAG: "path", "class": _tag_ref(type(value)), "value": str(value)}


_ENCODERS: dict[str, Callable] = {
    "builtins:str": _encode_str,
    "builtins:int": _encode_int,
    "builtins:float": _encode_float,
    "builtins:list": _encode_list,
    "builtins:dict": _encode_dict,
    "builtins:tuple": _encode_sequence("tuple"),
    "builtins:set": _encode_sequence("set"),
    "builtins:frozenset": _encode_sequence("frozenset"),
    "builtins:bytes": _encode_bytes,
    "builtins:bytearray": _encode_bytes,
    "collections:defaultdict": _encode_defaultdict,
    "collections:Counter": _encode_mapping("Counter"),
    "collections:OrderedDict": _encode_mapping("OrderedDict"),
    "collections:deque": _encode_deque,
    "datetime:datetime": _encode_datetime,
    "datetime:date": _encode_text("date"),
    "datetime:time": _encode_datetime,
    "datetime:timedelta": _encode_timedelta,
    "datetime:timezone": _encode_timezone,
    "zoneinfo:ZoneInfo": _encode_zoneinfo,
    "decimal:Decimal": _encode_text("Decimal"),
    "uuid:UUID": _encode_text("UUID"),
    **{f"pathlib:{name}": _encode_path for name in ("PurePosixPath", "PureWindowsPath", "PosixPath", "WindowsPath")},
}


# ---------------------------------------------------------------- decoding tags

TAGGED_MODULES = frozenset({"collections", "datetime", "decimal", "pathlib", "uuid", "zoneinfo"})
"""The standard-library modules whose classes moss's own tags stand for."""


def _tagged_class(ref: str) -> type:
    """A standard-library class that one of moss's own tags stands for (`datetime:date`).

    Its module is imported if this run has not yet: the code that stored a date may have
    imported `datetime` itself, and the module is named by moss's tag table, never by the file.
    """
    module = ref.partition(":")[0]
    if module not in TAGGED_MODULES:
        raise Unrestorable(f"{ref} is not a class moss stores by tag")
    if module not in sys.modules:
        __import__(module)
    return find_class(ref)



def _decode_datetime(stored: dict, where: str, notes: list[str]) -> object:
    naive = _tagged_class(f"datetime:{stored[TAG]}").fromisoformat(stored["iso"])
    return naive.replace(tzinfo=decode(stored["tzinfo"], f"{where}.tzinfo", notes), fold=stored.get("fold", 0))


def _decode_timezone(stored: dict, where: str, notes: list[str]) -> object:
    timezone = _tagged_class("datetime:timezone")
    offset = decode(stored["offset"], f"{where}.offset", notes)
    zone = timezone(offset)  # timezone.utc itself for a zero offset
    return zone if zone.tzname(None) == stored["name"] else timezone(offset, stored["name"])


def _decode_zoneinfo(stored: dict, where: str, notes: list[str]) -> object:
    """The zone from the system's time zone database; ZoneInfo would import the `tzdata` package
    for a zone missing there, and a context file never makes moss import anything."""
    zone_class, key = _tagged_class("zoneinfo:ZoneInfo"), stored["key"]
    roots = sys.modules["zoneinfo"].TZPATH
    if "tzdata" not in sys.modules and not any(os.path.isfile(os.path.join(root, key)) for root in roots):
        raise Unrestorable(f"the time zone {key!r} is not in this system's time zone database")
    return zone_class(key)


def _decode_defaultdict(stored: dict, where: str, notes: list[str]) -> object:
    factory = stored["factory"] and find_class(stored["factory"])
    return _tagged_class("collections:defaultdict")(factory, _decode_items(stored["data"], where, notes))


def _decode_sequence(stored: dict, where: str, notes: list[str]) -> object:
    items = [decode(item, f"{where}[{i}]", notes) for i, item in enumerate(stored["items"])]
    if stored[TAG] == "deque":
        return _tagged_class("collections:deque")(items, stored["maxlen"])
    return find_class(f"builtins:{stored[TAG]}")(items)


def _decode_enum(stored: dict, where: str, notes: list[str]) -> object:
    cls = find_class(stored["class"])
    if not (isinstance(cls, type) and issubclass(cls, sys.modules["enum"].Enum)):
        raise Unrestorable(f"{stored['class']} is no longer an enum")
    try:
        return cls(decode(stored["value"], f"{where}.value", notes))
    except ValueError:
        raise Unrestorable(f"{stored['class']} has no member of value {stored['value']!r} any more") from None


def _decode_path(stored: dict, where: str, notes: list[str]) -> object:
    if not stored["class"].startswith("pathlib:"):
        raise Unrestorable(f"{stored['class']} is not a pathlib class")
    return _tagged_class(stored["class"])(stored["value"])


def _decode_dataclass(stored: dict, where: str, notes: list[str]) -> object:
    """Fields the class gained since the save get their defaults; fields it lost are dropped.
    Both are noted; a gained field without a default makes the value unrestorable."""
    dataclasses = sys.modules["dataclasses"]
    cls = find_class(stored["class"])
    if not is_dataclass(cls):
        raise Unrestorable(f"{stored['class']} is no longer a dataclass")
    data = _decode_items(stored["data"], where, notes)
    fields = dataclasses.fields(cls)
    unfilled = [f"`{f.name}`" for f in fields if f.name not in data and _default(f) is dataclasses.MISSING]
    if unfilled:
        raise Unrestorable(f"{cls.__qualname__} has gained {', '.join(unfilled)} since the save, with no default")
    instance = cls.__new__(cls)
    gained = []
    for f in fields:
        if f.name not in data:
            gained.append(f"`{f.name}`")
        object.__setattr__(instance, f.name, data.pop(f.name) if f.name in data else _default(f)())  # frozen ones too
    if gained:
        notes.append(f"{where}: {cls.__qualname__} has gained {', '.join(gained)} since the save; the default was used")
    if data:
        lost = ", ".join(f"`{name}`" for name in data)
        notes.append(f"{where}: {cls.__qualname__} no longer has {lost}; the stored value was dropped")
    return instance


def _by_mapping(ref: str) -> Callable:
    """A decoder making the class `ref` from the stored items."""
    return lambda stored, where, notes: _tagged_class(ref)(_decode_items(stored["data"], where, notes))


def _by_text(ref: str, key: str = "value") -> Callable:
    """A decoder calling the class `ref` on the stored text."""
    return lambda stored, where, notes: _tagged_class(ref)(stored[key])


def _default(field: object) -> Callable | object:
    """What makes a dataclass field's default (called with no argument), or MISSING."""
    dataclasses = sys.modules["dataclasses"]
    if field.default is not dataclasses.MISSING:
        return lambda: field.default
    return field.default_factory


_DECODERS: dict[str, Callable] = {
    "dict": lambda stored, where, notes: _decode_items(stored["data"], where, notes),
    "int": lambda stored, where, notes: int(stored["value"]),
    "tuple": _decode_sequence,
    "set": _decode_sequence,
    "frozenset": _decode_sequence,
    "deque": _decode_sequence,
    "bytes": lambda stored, where, notes: _from_base64(stored["base64"]),
    "bytearray": lambda stored, where, notes: bytearray(_from_base64(stored["base64"])),
    "defaultdict": _decode_defaultdict,
    "Counter": _by_mapping("collections:Counter"),
    "OrderedDict": _by_mapping("collections:OrderedDict"),
    "enum": _decode_enum,
    "datetime": _decode_datetime,
    "date": lambda stored, where, notes: _tagged_class("datetime:date").fromisoformat(stored["value"]),
    "time": _decode_datetime,
    "timedelta": lambda stored, where, notes: _tagged_class("datetime:timedelta")(
        days=stored["days"], seconds=stored["seconds"], microseconds=stored["microseconds"]),
    "timezone": _decode_timezone,
    "ZoneInfo": _decode_zoneinfo,
    "Decimal": _by_text("decimal:Decimal"),
    "UUID": _by_text("uuid:UUID"),
    "path": _decode_path,
    "dataclass": _decode_dataclass,
    "pydantic": lambda stored, where, notes: _decode_model(stored, where, notes),
}


# ---------------------------------------------------------------- pydantic models


def _encode_model(value: object, where: str, depth: int) -> dict:
    """A model's fields by field name (whatever their aliases), encoded one by one so nested
    types stay exact; computed fields are left out, extra fields (extra="allow") kept, and the
    fields never set (`exclude_unset` leaves them out) named under "unset"."""
    cls = type(value)
    names = list(getattr(cls, "model_fields", None) or cls.__fields__)
    data = {name: encode(getattr(value, name), f"{where}.{name}", depth + 2) for name in names}
    for name, item in (getattr(value, "__pydantic_extra__", None) or {}).items():
        data[name] = encode(item, f"{where}.{name}", depth + 2)
    stored = {TAG: "pydantic", "class": _findable(cls, where), "data": data}
    unset = [name for name in names if name not in getattr(value, "model_fields_set", names)]
    return {**stored, "unset": unset} if unset else stored


def _decode_model(stored: dict, where: str, notes: list[str]) -> object:
    cls = find_class(stored["class"])
    if not is_pydantic_model(cls):
        raise Unrestorable(f"{stored['class']} is no longer a pydantic model")
    data = _decode_items(stored["data"], where, notes)
    try:
        model = _validate_by_name(cls, data)
    except ValueError as e:  # pydantic's ValidationError
        raise Unrestorable(f"its data no longer validates as {cls.__qualname__}: {e}") from None
    if stored.get("unset"):
        object.__setattr__(model, "__pydantic_fields_set__", model.model_fields_set - set(stored["unset"]))
    return model


def _validate_by_name(cls: type, data: dict) -> object:
    pydantic = sys.modules["pydantic"]
    if tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) >= (2, 11):
        return cls.model_validate(data, by_name=True)
    # Older pydantic validates by alias only (unless populate_by_name): hand it the aliases.
    if hasattr(cls, "model_validate"):
        aliases = {name: _validation_alias(field) or name for name, field in cls.model_fields.items()}
        return cls.model_validate({aliases.get(name, name): item for name, item in data.items()})
    return cls.parse_obj({cls.__fields__[name].alias if name in cls.__fields__ else name: item
                          for name, item in data.items()})


def _validation_alias(field: object) -> str | None:
    alias = field.validation_alias
    if isinstance(alias, str):
        return alias
    choices = getattr(alias, "choices", None)
    if choices and isinstance(choices[0], str):
        return choices[0]
    return field.alias


# ---------------------------------------------------------------- kinds of classes


CODE_DEFINED: tuple[str, frozenset[str]] = ("", frozenset())
"""The MOSS module's name and the top-level names the run's code bound in it: a class among them
exists only while that code runs, so a value of it could not be restored next run."""


def _findable(cls: type, where: str) -> str:
    """The class's reference, once it is known to lead back to the class itself."""
    module, names = CODE_DEFINED
    if cls.__module__ == module and cls.__qualname__.partition(".")[0] in names:
        raise Unstorable(
            f"{where} is a {cls.__qualname__}, a class the code itself defines, which does not exist when the "
            f"next run restores it; define {cls.__qualname__} in the MOSS file, or store plain values (a dict)"
        )
    if not _found_again(cls):
        raise Unstorable(
            f"{where} is a {cls.__qualname__}, a class moss cannot find again by name "
            f"({class_ref(cls)}); define it at the top level of the MOSS file or of a module it imports"
        )
    return class_ref(cls)


def _found_again(cls: type) -> bool:
    try:
        return find_class(class_ref(cls)) is cls
    except Unrestorable:
        return False


def is_enum(value: object) -> bool:
    """Whether `value` is an enum member (of Enum, IntEnum, StrEnum, Flag, ...)."""
    enum = sys.modules.get("enum")
    return enum is not None and isinstance(value, enum.Enum)


def is_pydantic_model(cls: type) -> bool:
    """Whether `cls` is a pydantic model class (never imports pydantic to find out)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)


def is_dataclass(cls: type) -> bool:
    """Whether `cls` is a dataclass class."""
    return isinstance(cls, type) and hasattr(cls, "__dataclass_fields__")
