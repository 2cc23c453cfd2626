"""GhostOS's providers hook: a MOSS file's `__matrix_providers__()` (`__shell_providers__()` in
older GhostOS) returns providers for the container its agent runs in."""
from __future__ import annotations

import types

HOOKS = ("__matrix_providers__", "__shell_providers__")


def register_module_providers(host: object, module: types.ModuleType) -> None:
    """Register in `host` (the run's container, parent of the runtime's) what the file's
    providers hooks return, a list or any iterable, then bootstrap the providers that have
    `bootstrap(container)`, as GhostOS does when its matrix starts.

    Providers of the BOLT are registered only when the run has one (`--device`): without it,
    what they would fill stays a missing binding, whose hint says to pass `--device`.
    """
    providers = [provider for name in HOOKS if name in module.__dict__ for provider in _called(module, name)]
    if not providers:
        return
    from sphero_bolt import _driver

    usable = [p for p in providers if _driver.attached() is not None or not isinstance(p, _driver.DeviceProvider)]
    host.register(*usable)  # type: ignore[attr-defined]
    from ghostos_container import Bootstrapper

    host.bootstrap()  # type: ignore[attr-defined]
    for provider in usable:
        # A provider written against another copy of ghostos_container is bootstrapped by its method.
        bootstrap = getattr(provider, "bootstrap", None)
        if callable(bootstrap) and not isinstance(provider, Bootstrapper):
            bootstrap(host)


def _called(module: types.ModuleType, name: str) -> list:
    hook = module.__dict__[name]
    if not callable(hook):
        raise TypeError(f"{name} must be a function that returns providers, not a {type(hook).__name__}")
    made = hook()
    try:
        providers = list(made)
    except TypeError:
        raise TypeError(f"{name}() must return providers (a list, or yield them), not {made!r}") from None
    for provider in providers:
        if not all(callable(getattr(provider, method, None)) for method in ("contract", "factory")):
            raise TypeError(
                f"{name}() returned {provider!r}, which is not a provider: a provider has contract() and "
                "factory(container)")
    return providers
