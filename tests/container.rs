//! moss's `ghostos_container`: the reference's whole public API (beyond what the reference's own
//! tests in tests/reference.rs exercise), and how `moss exec` fills `Moss` type hints with it.

mod common;

use common::{Sandbox, assert_exit, stderr, stdout};

/// Runs a Python program with `moss python`; it must print `ok` and nothing else.
fn assert_python_ok(sandbox: &Sandbox, program: &str) {
    let file = sandbox.write("check.py", program);
    let out = sandbox.moss().arg("python").arg(&file).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "ok\n", "{}", stderr(&out));
}

#[test]
fn every_name_of_the_reference_api_is_exported() {
    assert_python_ok(
        &Sandbox::new(),
        r#"
import ghostos_container
reference = ["Container", "IoCContainer", "Provider", "Factory", "Bootstrapper", "BootstrapProvider",
             "FactoryType", "INSTANCE", "ABSTRACT", "ProviderAdapter", "provide", "Contracts",
             "get_caller_info", "get_container", "set_container"]
assert ghostos_container.__file__.startswith("<moss>/"), ghostos_container.__file__
assert sorted(ghostos_container.__all__) == sorted(reference), ghostos_container.__all__
missing = [name for name in reference if not hasattr(ghostos_container, name)]
assert not missing, missing
print("ok")
"#,
    );
}

#[test]
fn lookups_errors_and_shutdown_behave_as_the_reference_documents() {
    assert_python_ok(
        &Sandbox::new(),
        r#"
from abc import ABC, abstractmethod
from ghostos_container import (Container, IoCContainer, Provider, ProviderAdapter, provide, Contracts,
                               get_caller_info, get_container, set_container)

class Clock(ABC):
    @abstractmethod
    def now(self) -> str: ...

class Noon(Clock):
    def now(self) -> str:
        return "noon"

parent = Container(name="parent")
child = Container(parent, name="child")
assert isinstance(child, IoCContainer) and child.parent is parent and child.bloodline == ["parent", "child"]

# force_fetch of nothing bound: NotImplementedError; fetch gives None.
assert child.fetch(Clock) is None
try:
    child.force_fetch(Clock)
    raise AssertionError("force_fetch of an unbound contract must raise")
except NotImplementedError as e:
    assert "Clock" in str(e), e

# strict: the value must be an instance of the contract.
parent.set(Clock, "not a clock")
assert child.fetch(Clock) == "not a clock"
try:
    child.fetch(Clock, strict=True)
    raise AssertionError("strict fetch of a wrong value must raise")
except TypeError as e:
    assert "Clock" in str(e), e

# register drops the value held for its contract; get_bound shows the provider; rebind remakes.
provider = provide(Clock)(lambda container: Noon())
assert isinstance(provider, ProviderAdapter) and isinstance(provider, Provider)
parent.register(provider)
assert parent.get_bound(Clock) is provider and child.get_provider(Clock) is provider
first = parent.force_fetch(Clock, strict=True)
assert first.now() == "noon" and parent.fetch(Clock) is first
parent.rebind(Clock)
assert parent.fetch(Clock) is not first

# register_maker: a factory taking no argument, not a singleton unless asked.
parent.register_maker(int, lambda: 7)
assert parent.get(int) == 7 and int in list(parent.contracts())
assert set(child.contracts()) >= {Clock, int}
assert [p.contract() for p in parent.providers()] == [Clock, int]

# aliases follow their contract when nothing else is bound to them.
class Aliased(Provider[Noon]):
    def singleton(self):
        return False
    def aliases(self):
        return [Clock, "noon"]
    def factory(self, con):
        return Noon()
parent.register(Aliased())
assert parent.bound("noon") and isinstance(parent.get("noon"), Noon)
assert parent.get_provider(Clock) is provider and parent.fetch(Clock) is parent.fetch(Clock), \
    "an alias never replaces a bound contract"

# A provider naming no contract says how to name one.
class Nameless(Provider):
    def factory(self, con):
        return 1
try:
    Nameless().contract()
    raise AssertionError("a provider without a contract must raise")
except AttributeError as e:
    assert "Provider[SomeType]" in str(e), e
try:
    parent.register(object())
    raise AssertionError("registering a non-provider must raise")
except TypeError as e:
    assert "not a provider" in str(e), e

# Contracts.validate names what is missing; join keeps each contract once.
Contracts([Clock, int]).validate(child)
try:
    Contracts([Clock, bytes]).validate(child)
    raise AssertionError("validate must refuse an unbound contract")
except NotImplementedError as e:
    assert "bytes" in str(e), e
assert Contracts([Clock, int]).join(Contracts([int, str])).contracts == [Clock, int, str]

# get_caller_info: "file:line" of the caller.
import inspect
info, line = get_caller_info(1, with_full_file=False), inspect.currentframe().f_lineno
assert info == f"check.py:{line}", info
assert get_caller_info().endswith(f"/check.py:{line + 2}")

# The process-wide container can be replaced.
replacement = Container(name="global")
set_container(replacement)
assert get_container() is replacement

# shutdown runs callbacks, then joins, shuts children down, and the container is unusable after.
calls = []
parent.add_shutdown(lambda: calls.append("shutdown"))
parent.add_join(lambda: calls.append("join"))
parent.shutdown()
assert calls == ["shutdown", "join"], calls
for used in (parent, child):
    try:
        used.get(Clock)
        raise AssertionError("a shut down container must refuse to be used")
    except RuntimeError as e:
        assert "destroyed" in str(e), e
parent.shutdown()  # a second shutdown does nothing

failing = Container()
failing.add_shutdown(lambda: 1 / 0)
try:
    failing.shutdown()
    raise AssertionError("a failing shutdown callback must be reported")
except RuntimeError as e:
    assert "ZeroDivisionError" in str(e), e
print("ok")
"#,
    );
}

#[test]
fn make_and_call_fill_parameters_by_annotation() {
    assert_python_ok(
        &Sandbox::new(),
        r#"
from __future__ import annotations
from ghostos_container import Container

class Engine:
    def __init__(self, power: int = 100):
        self.power = power

class Car:
    def __init__(self, engine: Engine, name: str = "car", *, wheels: int = 4):
        self.engine, self.name, self.wheels = engine, name, wheels

class Loop:
    def __init__(self, again: Loop):
        self.again = again

container = Container()
car = container.make(Car)
assert (car.engine.power, car.name, car.wheels) == (100, "car", 4)

container.set(Engine, Engine(300))
car = container.make(Car, Engine(5), "given", wheels=3)
assert (car.engine.power, car.name, car.wheels) == (5, "given", 3), "given arguments win"
assert container.make(Car).engine.power == 300, "bound values are injected"
container.set(Car, car)
assert container.make(Car) is car, "a bound value is the one made"

def drive(car: Car, speed: int) -> str:
    return f"{car.name} at {speed} with {car.engine.power}"
assert container.call(drive, speed=80) == "given at 80 with 5"
try:
    container.call(drive)
    raise AssertionError("a parameter nothing fills is Python's own TypeError")
except TypeError as e:
    assert "speed" in str(e), e
try:
    container.make(Loop)
    raise AssertionError("a constructor needing itself must be refused")
except RuntimeError as e:
    assert "Loop -> Loop" in str(e), e
print("ok")
"#,
    );
}

#[test]
fn a_configured_provider_that_is_not_a_singleton_makes_its_value_with_the_moss_files_bindings() {
    // The host's providers are inherited by the container of the run when they are not
    // singletons, as the reference's child containers inherit them: the factory then sees what
    // `__moss_compile__` bound.
    let sandbox = Sandbox::new();
    sandbox.write("moss.toml", "python-path = ['lib']\nproviders = ['services:providers']\n");
    sandbox.write(
        "lib/services.py",
        "from ghostos_container import Provider\n\n\
         class Units:\n    def __init__(self, name: str) -> None:\n        self.name = name\n\n\
         class Thermometer:\n    def __init__(self, units: Units) -> None:\n        self.units = units\n\n\
         class ThermometerProvider(Provider[Thermometer]):\n    def singleton(self) -> bool:\n        return False\n\n\
         \x20   def factory(self, con):\n        return Thermometer(con.force_fetch(Units))\n\n\
         def providers():\n    return [ThermometerProvider()]\n",
    );
    sandbox.write(
        "agent.py",
        "from ghostos_moss import Moss as Parent\nfrom services import Thermometer, Units\n\n\
         class Moss(Parent):\n    thermometer: Thermometer\n\n\
         def __moss_compile__(compiler):\n    compiler.bind(Units, Units('celsius'))\n",
    );
    sandbox.write("gen.py", "def main(moss):\n    return moss.thermometer.units.name\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], "celsius", "{result}");
}

#[test]
fn a_moss_exec_run_bootstraps_the_providers_its_file_registers_and_shuts_its_containers_down() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        r#"from ghostos_container import BootstrapProvider, Container
from ghostos_moss import Moss as Parent


class Clock:
    started = False


class Moss(Parent):
    clock: Clock


# <moss-hide>
class ClockProvider(BootstrapProvider):
    def singleton(self):
        return True

    def contract(self):
        return Clock

    def factory(self, container):
        return Clock()

    def bootstrap(self, container: Container) -> None:
        container.force_fetch(Clock).started = True
        container.add_shutdown(lambda: open("shut.txt", "w").write("down"))


def __moss_compile__(compiler):
    compiler.register(ClockProvider())
# </moss-hide>
"#,
    );
    sandbox.write("gen.py", "def main(moss):\n    return moss.clock.started\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], true, "the provider was bootstrapped before the code ran: {result}");
    assert_eq!(result["warnings"], serde_json::json!([]), "{result}");
    assert!(
        !result["stderr"].as_str().unwrap().contains("Warning"),
        "no warning of an unbootstrapped container: {result}"
    );
    assert_eq!(std::fs::read_to_string(sandbox.path("shut.txt")).unwrap(), "down", "the container was shut down");
}

#[test]
fn a_moss_hint_naming_a_factory_type_is_made_by_the_class_itself() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "agent.py",
        r#"from ghostos_container import FactoryType
from ghostos_moss import Moss as Parent


class Counter(FactoryType):
    def __init__(self) -> None:
        self.count = 41

    @classmethod
    def singleton(cls) -> bool:
        return True

    @classmethod
    def factory(cls, container) -> "Counter":
        return cls()


class Moss(Parent):
    counter: Counter
"#,
    );
    sandbox.write("gen.py", "def main(moss):\n    moss.counter.count += 1\n    return moss.counter.count\n");
    let (out, result) = sandbox.exec_json("agent.py", "gen.py", &["--no-context"]);
    assert_exit(&out, 0);
    assert_eq!(result["returns"], 42, "{result}");
}
