"""The providers GhostOS's SpheroGPT registers for its BOLT, on the BOLT moss attaches to the
run (`--device`). A MOSS file's `__matrix_providers__()` returns them; moss registers them in
the run's container, as GhostOS registers them in its matrix's."""
from __future__ import annotations

from ghostos_container import Bootstrapper
from sphero_bolt import Ball, LedMatrix
from sphero_bolt._driver import Bolt, BoltBall, BoltMatrix, DeviceProvider

SpheroBoltRuntime = Bolt
"""The connection to the run's BOLT: its commands and its clock."""


class SpheroBoltBallAPIProvider(DeviceProvider):
    """Provides `Ball`, the body of the run's BOLT; a new one each time it is asked for."""

    def singleton(self) -> bool:
        return False

    def contract(self) -> type:
        return Ball

    def factory(self, container: object) -> Ball:
        return BoltBall(self.device())


class ShellSpheroBoltRuntimeProvider(DeviceProvider, Bootstrapper):
    """Provides `SpheroBoltRuntime`, the run's BOLT, once. `bootstrap(container)` makes it when
    the run starts, as GhostOS makes its BOLT runtime when its matrix starts; moss itself connects
    to the device before the code runs, and stops the ball when the run ends."""

    def singleton(self) -> bool:
        return True

    def inheritable(self) -> bool:
        return False

    def contract(self) -> type:
        return SpheroBoltRuntime

    def factory(self, container: object) -> Bolt:
        return self.device()

    def bootstrap(self, container: object) -> None:
        """Make the runtime in `container`, so every provider of the run shares this one."""
        container.force_fetch(SpheroBoltRuntime)  # type: ignore[attr-defined]


class SpheroBoltLedMatrixProvider(DeviceProvider):
    """Provides `LedMatrix`, the face of the run's BOLT; a new one each time it is asked for."""

    def singleton(self) -> bool:
        return False

    def contract(self) -> type:
        return LedMatrix

    def factory(self, container: object) -> LedMatrix:
        return BoltMatrix(self.device())
