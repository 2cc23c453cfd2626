"""`PyContext`: the state of a MOSS runtime that persists between runs (module, code, properties).

A plain class with the fields and the methods of the reference's pydantic model (`model_dump`,
`model_dump_json`, `model_validate`, `model_copy`), usable as a field of pydantic models; it is
not a `BaseModel` itself, so that importing `ghostos_moss` never imports pydantic, which would
cost every run a tenth of a second or more. Properties are kept as `EntityMeta`
({"type": ..., "content": ...}); restoring one never imports a module: a class named by a
property is looked up in the module given to `get_prop` or in modules already imported.
`json` and `copy` are imported where they are used: a run that never stores a list pays for neither.
Public home: `ghostos_moss.pycontext`.
"""
from __future__ import annotations

import sys
from types import FunctionType, ModuleType

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing them would cost every run more than its code
    from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Type, TypedDict

    class EntityMeta(TypedDict):
        type: str
        content: str

__all__ = ["PyContext", "EntityMeta"]


def __getattr__(name: str) -> object:
    """`EntityMeta`, the TypedDict of a stored value ({"type": ..., "content": ...}: `type` names
    it, "int", "dict", "pkg.mod:Class", ...; `content` holds it as text). Made from `typing` when
    first asked for; this module builds the same dicts itself, without it."""
    if name != "EntityMeta":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from typing import TypedDict

    # The class TYPE_CHECKING declares above, made at run time (mypy reads that one).
    globals()[name] = TypedDict("EntityMeta", {"type": str, "content": str})  # type: ignore[operator]
    return globals()[name]


def _meta(kind: str, content: str) -> EntityMeta:
    """An EntityMeta."""
    return {"type": kind, "content": content}


_PLAIN: Dict[str, Callable[[str], Any]] = {"bool": lambda s: s == "True", "int": int, "float": float, "str": str}


def to_entity_meta(value: Any) -> EntityMeta:
    """`value` as an EntityMeta; TypeError for a value that cannot be stored exactly."""
    if value is None:
        return _meta("None", "")
    if isinstance(value, bool) or type(value) in (int, float, str):
        return _meta(type(value).__name__, repr(value) if type(value) is float else str(value))
    if type(value) in (list, dict):
        import json

        return _meta(type(value).__name__, json.dumps(value, allow_nan=False))
    if hasattr(value, "__to_entity_meta__"):
        meta: EntityMeta = value.__to_entity_meta__()
        return meta
    base_model = _base_model()
    if base_model is not None and isinstance(value, base_model):
        return _meta(_path_of(type(value)), value.model_dump_json(exclude_defaults=True))
    if isinstance(value, FunctionType):
        return _meta(_path_of(value), "")
    raise TypeError(f"a {type(value).__name__} cannot be a PyContext property: store data (bool, int, float, "
                    "str, list, dict, None) or a pydantic model")


def from_entity_meta(meta: EntityMeta, module: Optional[ModuleType] = None) -> Any:
    """The value an EntityMeta holds. A class or function it names is found in `module` or in an
    already imported module; LookupError otherwise (nothing is imported for it)."""
    kind, content = meta["type"], meta["content"]
    if kind == "None":
        return None
    if kind in _PLAIN:
        return _PLAIN[kind](content)
    if kind in ("list", "dict"):
        import json

        return json.loads(content)
    found = _lookup(kind, module)
    if hasattr(found, "__from_entity_meta__"):
        return found.__from_entity_meta__(meta)
    if isinstance(found, FunctionType):
        return found
    base_model = _base_model()
    if base_model is not None and isinstance(found, type) and issubclass(found, base_model):
        # The checks narrow `found` to `type`, which has no pydantic methods.
        model: Any = found
        return model.model_validate_json(content)
    raise TypeError(f"the stored type {kind!r} is neither a pydantic model, a function nor a class with "
                    "__from_entity_meta__")


def _base_model() -> Optional[Type[Any]]:
    """pydantic's BaseModel when pydantic is loaded; a model can exist only then."""
    pydantic = sys.modules.get("pydantic")
    return getattr(pydantic, "BaseModel", None)


def _path_of(value: Any) -> str:
    return f"{value.__module__}:{value.__qualname__}"


def _lookup(path: str, module: Optional[ModuleType]) -> Any:
    modulename, _, qualname = path.partition(":")
    if module is not None and module.__name__ == modulename:
        found: Any = module
    elif modulename in sys.modules:
        found = sys.modules[modulename]
    else:
        raise LookupError(f"the stored value's type {path!r} is in module {modulename!r}, which is not imported: "
                          "import it (or pass the module to get_prop) before reading the property")
    for part in qualname.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise LookupError(f"module {modulename!r} has no {qualname!r}: the stored value cannot be restored")
    return found


_DEFAULTS: Dict[str, Any] = dict(module=None, code=None, properties={}, execute_code=None, executed=False)


class PyContext:
    """The module a runtime compiles, code that replaces its source, stored `moss` properties,
    and the code last executed."""

    __module__ = "ghostos_moss.pycontext"

    module: Optional[str]
    """The module to compile."""
    code: Optional[str]
    """Source used instead of the module's own."""
    properties: Dict[str, EntityMeta]
    """Stored `moss` properties."""
    execute_code: Optional[str]
    """The code executed last."""
    executed: bool
    """Whether `execute_code` has run."""

    def set_prop(self, name: str, value: Any) -> None:
        """Store `value` under `name` (see `allow_prop` for what can be stored)."""
        self.properties[name] = to_entity_meta(value)

    def get_prop(self, name: str, module: Optional[ModuleType] = None) -> Any:
        """The value stored under `name`, or None; classes are looked up in `module` first."""
        meta = self.properties.get(name)
        return None if meta is None else from_entity_meta(meta, module)

    @staticmethod
    def allow_prop(value: Any) -> bool:
        """Whether `value` can be stored as a property."""
        base_model = _base_model()
        allowed = (bool, str, int, float, list, dict) + ((base_model,) if base_model is not None else ())
        return isinstance(value, allowed) or hasattr(value, "__to_entity_meta__")

    def iter_props(self, module: Optional[ModuleType] = None) -> Iterable[Tuple[str, Any]]:
        """(name, value) of each stored property."""
        for name in list(self.properties):
            yield name, self.get_prop(name, module)

    def join(self, ctx: "PyContext") -> "PyContext":
        """A new PyContext: a copy of this one, its unset module/code/execute_code taken from `ctx`,
        and `ctx`'s properties added over same-named ones. Neither side changes."""
        from copy import deepcopy

        joined = deepcopy(self)
        if joined.module is None:
            joined.module = ctx.module
        if joined.code is None:
            joined.code = ctx.code
        if joined.execute_code is None:
            joined.execute_code = ctx.execute_code
            joined.executed = ctx.executed
        joined.properties.update(deepcopy(ctx.properties))
        return joined

    def __init__(self, module: Optional[str] = None, code: Optional[str] = None,
                 properties: Optional[Dict[str, EntityMeta]] = None, execute_code: Optional[str] = None,
                 executed: bool = False) -> None:
        for name, value in (("module", module), ("code", code), ("execute_code", execute_code)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"PyContext.{name} must be a str or None, not {type(value).__name__}")
        if properties is not None and not isinstance(properties, dict):
            raise TypeError(f"PyContext.properties must be a dict, not {type(properties).__name__}")
        self.module = module
        self.code = code
        self.properties = dict(properties or {})
        self.execute_code = execute_code
        self.executed = bool(executed)

    def model_dump(self, exclude_defaults: bool = False, **_: Any) -> dict[str, Any]:
        """The fields as a dict (those at their default left out when asked)."""
        from copy import deepcopy

        fields = dict(module=self.module, code=self.code, properties=deepcopy(self.properties),
                      execute_code=self.execute_code, executed=self.executed)
        return {k: v for k, v in fields.items() if not (exclude_defaults and v == _DEFAULTS[k])}

    def model_dump_json(self, exclude_defaults: bool = False, **_: Any) -> str:
        """The fields as JSON."""
        import json

        return json.dumps(self.model_dump(exclude_defaults=exclude_defaults))

    @classmethod
    def model_validate(cls, data: Any) -> "PyContext":
        """A PyContext from another one or from a dict of its fields."""
        return data if isinstance(data, cls) else cls(**dict(data))

    @classmethod
    def model_validate_json(cls, text: str) -> "PyContext":
        """A PyContext from the JSON `model_dump_json` wrote."""
        import json

        return cls(**json.loads(text))

    def model_copy(self, deep: bool = False) -> "PyContext":
        """A copy; with `deep`, its properties are copied too."""
        return PyContext(**(self.model_dump() if deep else dict(vars(self))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PyContext) and self.model_dump() == other.model_dump()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.model_dump(exclude_defaults=True).items())
        return f"PyContext({fields})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Lets a pydantic model hold a PyContext field, validated from a PyContext or a dict of
        its fields and dumped as that dict."""
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls.model_validate, serialization=core_schema.plain_serializer_function_ser_schema(PyContext.model_dump))
