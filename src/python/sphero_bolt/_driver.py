"""The BOLT behind `Ball` and `LedMatrix`: each call becomes Sphero API packets that the moss
binary sends to the device chosen with `--device` (a simulated or a real BOLT)."""
from __future__ import annotations

import dataclasses
import struct
import time
from collections.abc import Callable

import _moss_native as native
from ghostos_container import Container, Provider
from ghostos_moss.abcd import Injection, MossRuntime
from sphero_bolt import Animation, Ball, LedMatrix, Move, RollFunc

PRIMARY, SECONDARY = 0x11, 0x12
DRIVE, USER_IO, SENSOR = 0x16, 0x1A, 0x18
PACE = 0.075
"""Seconds between packets: a BOLT drops commands that come faster."""
KEEP_ALIVE = 0.8
"""A rolling BOLT stops unless the drive command is repeated this often."""
WADDLE_DEGREES, WADDLE_PERIOD = 20, 0.2
STREAM_INTERVAL_MS = 150
ACCEL_ONE = 0x00000200
"""Streaming mask bit of the acceleration's magnitude in g: all freefall and landing need."""
FREEFALL_BELOW, FREEFALL_FOR, LANDING_ABOVE = 0.5, 0.2, 1.1


def rgb(color: str) -> bytes:
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {color!r} is not a 6-digit hex string such as 'ff0000'")
    return bytes.fromhex(text)


class Clock:
    """Time as the robot lives it.

    The simulated BOLT runs on simulated time: it moves on by exactly what the driver waits, so
    a run drives the same path every time, however busy the machine. A real BOLT lives in real
    time, and the host stamps its packets itself.
    """

    def __init__(self) -> None:
        self._simulated: bool | None = None
        self._waited = 0.0

    def simulated(self) -> bool:
        if self._simulated is None:
            self._simulated = native.device_simulated()
        return self._simulated

    def now(self) -> float:
        return self._waited if self.simulated() else time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        # Rounded to the microsecond, so that sums of steps land exactly where a duration ends.
        self._waited = round(self._waited + seconds, 6)

    def stamp(self) -> float | None:
        """What to send with a request: the simulated time, or None for a real BOLT."""
        return self._waited if self.simulated() else None


class Bolt:
    """Commands of the Sphero API v2 that the agent API needs."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.heading = 0
        self.speed = 0
        self.frames = 0
        self.animations = 0
        self.used = False

    def drive(self, speed: int, heading: int, reverse: bool = False) -> None:
        speed = max(-255, min(255, int(speed)))
        if speed < 0:
            speed, reverse = -speed, not reverse
        heading = int(heading) % 360
        self.call(DRIVE, 0x07, bytes([speed, heading >> 8, heading & 0xFF, 1 if reverse else 0]))
        self.heading, self.speed, self.used = heading, speed, True

    def reset_yaw(self) -> None:
        self.call(DRIVE, 0x06, b"")
        self.heading = 0

    def matrix(self, command: int, data: bytes = b"") -> None:
        self.call(USER_IO, command, data)

    def call(self, device: int, command: int, data: bytes) -> bytes:
        """One command to the secondary processor, which runs motion, sensors and the matrix."""
        return native.device_call(device, command, SECONDARY, data, self.clock.stamp())

    def events(self) -> list[tuple[int, int, bytes]]:
        return native.device_events(self.clock.stamp())


class BoltMove(Move):
    """Steps recorded in order; with `run`, each step also runs as it is added."""

    def __init__(self, ball: BoltBall, run: bool, animation: Animation | None = None) -> None:
        self._ball = ball
        self._run = run
        self.animation = animation
        self.steps: list[tuple[str, list]] = []

    def _add(self, name: str, *args: object) -> BoltMove:
        self.steps.append((name, list(args)))
        if self._run:
            self._ball.perform(name, list(args))
        return self

    def roll(self, heading: int, speed: int, duration: float) -> Move:
        return self._add("roll", heading, speed, duration)

    def spin(self, angle: int, duration: float) -> Move:
        return self._add("spin", angle, duration)

    def set_waddle(self, waddle: bool) -> Move:
        return self._add("set_waddle", bool(waddle))

    def roll_by_func(self, fn: RollFunc) -> Move:
        return self._add("roll_by_func", fn.heading, fn.speed, fn.duration, fn.code)

    def stop_roll(self, heading: int | None = None) -> Move:
        return self._add("stop_roll", heading)

    def reset_aim(self) -> Move:
        return self._add("reset_aim")

    def set_compass_direction(self, direction: int = 0) -> Move:
        return self._add("set_compass_direction", direction)

    def on_collision(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        return self._on("collision", callback)

    def on_freefall(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        return self._on("freefall", callback)

    def on_landing(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        return self._on("landing", callback)

    def _on(self, event: str, callback: Move | Callable[[Move], None] | None) -> Move:
        if callback is None:
            steps: list = []
        elif isinstance(callback, BoltMove):
            steps = callback.steps
        elif callable(callback):
            # GhostOS's form: the callback fills the move that runs when the event comes.
            filled = BoltMove(self._ball, run=False)
            callback(filled)
            steps = filled.steps
        else:
            raise TypeError(
                f"on_{event}() takes a move made by new_move(), or a function that fills the move it is "
                f"given (such as `lambda m: m.spin(180, 1)`), not a {type(callback).__name__}")
        return self._add("on", event, steps)


class FallDetector:
    """Freefall and landing from the streamed acceleration magnitude: a smoothed value below
    0.5 g for more than 0.2 s is a fall, the next one above 1.1 g the landing."""

    def __init__(self) -> None:
        self.smoothed = 1.0
        self.low_since: float | None = None
        self.falling = False

    def sample(self, g: float, now: float) -> str | None:
        self.smoothed = (self.smoothed + 3 * g) / 4
        if self.falling:
            if abs(self.smoothed) > LANDING_ABOVE:
                self.falling = False
                return "landing"
            return None
        if abs(self.smoothed) < FREEFALL_BELOW:
            self.low_since = now if self.low_since is None else self.low_since
            if now - self.low_since > FREEFALL_FOR:
                self.falling, self.low_since = True, None
                return "freefall"
        else:
            self.low_since = None
        return None


class BoltBall(Ball, Injection):
    """`Ball` on the device moss was given."""

    def __init__(self, bolt: Bolt) -> None:
        self.bolt = bolt
        self.waddle = False
        self.handlers: dict[str, list] = {}
        self.saved: dict = {}
        self.falls: FallDetector | None = None

    def on_inject(self, runtime: MossRuntime, property_name: str) -> BoltBall:
        # Saved moves live in the context, as a property of `moss`, so they survive the run.
        self.saved = runtime.moss().__dict__.setdefault("saved_moves", {})
        return self

    def on_destroy(self) -> None:
        if self.bolt.used:
            self.bolt.drive(0, self.bolt.heading)

    def new_move(self, run: bool = False, animation: Animation | None = None) -> Move:
        if animation is not None and run:
            BoltMatrix(self.bolt).play_animation(animation)
        return BoltMove(self, run, animation)

    def run(self, move: Move, stop_at_first: bool = True) -> None:
        if not isinstance(move, BoltMove):
            raise TypeError("run() takes a move made by new_move()")
        if stop_at_first:
            self.bolt.drive(0, self.bolt.heading)
        if move.animation is not None:
            BoltMatrix(self.bolt).play_animation(move.animation)
        for name, args in move.steps:
            self.perform(name, args)

    def save_move(self, name: str, description: str, move: Move, animation: Animation | None = None) -> None:
        if not isinstance(move, BoltMove):
            raise TypeError("save_move() takes a move made by new_move()")
        shown = animation if animation is not None else move.animation
        if shown is not None and not isinstance(shown, Animation):
            raise TypeError(f"save_move()'s animation must be an Animation, not a {type(shown).__name__}")
        self.saved[name] = {
            "description": description,
            "steps": [[n, a] for n, a in move.steps],
            "animation": None if shown is None else dataclasses.asdict(shown),
        }

    def read_move(self, name: str) -> tuple[Move, str]:
        entry = self._saved(name)
        saved_animation = entry.get("animation")
        animation = None if saved_animation is None else Animation(**saved_animation)
        move = BoltMove(self, run=False, animation=animation)
        move.steps = [(n, list(a)) for n, a in entry["steps"]]
        return move, entry["description"]

    def delete_move(self, name: str) -> None:
        self._saved(name)
        del self.saved[name]

    def run_move(self, name: str) -> None:
        self.run(self.read_move(name)[0])

    def set_matrix_rotation(self, rotation: int) -> None:
        if rotation % 90 != 0:
            raise ValueError("rotation must be 0, 90, 180 or 270")
        self.bolt.matrix(0x3A, bytes([(rotation // 90) % 4]))

    def _saved(self, name: str) -> dict:
        if name not in self.saved:
            known = ", ".join(sorted(self.saved)) or "none"
            raise KeyError(f"no saved move named {name!r} (saved moves: {known})")
        return self.saved[name]

    def perform(self, name: str, args: list) -> None:
        """Run one step of a move."""
        bolt = self.bolt
        if name == "roll":
            heading, speed, duration = args
            if self._hold(lambda t: (heading, speed), duration):
                bolt.drive(0, heading + (180 if speed < 0 else 0))
        elif name == "spin":
            angle, duration = args
            start, total = bolt.heading, max(float(duration), 0.45 * abs(angle) / 360)
            began = bolt.clock.now()
            while True:
                done = min((bolt.clock.now() - began) / total, 1.0) if total > 0 else 1.0
                bolt.drive(bolt.speed, start + round(angle * done))
                if done >= 1.0 or not self._pause(PACE):
                    break
        elif name == "set_waddle":
            self.waddle = args[0]
        elif name == "roll_by_func":
            heading, speed, duration, code = args
            state = {"heading": heading, "speed": speed, "t": 0.0}
            compiled = compile(code or "pass", "<RollFunc.code>", "exec")

            def steer(t: float) -> tuple[int, int]:
                state["t"] = t
                exec(compiled, {}, state)
                return state["heading"], state["speed"]

            if self._hold(steer, duration):
                bolt.drive(0, state["heading"])
        elif name == "stop_roll":
            bolt.drive(0, bolt.heading if args[0] is None else args[0])
        elif name == "reset_aim":
            bolt.reset_yaw()
        elif name == "set_compass_direction":
            # Compass zero is taken as heading 0: calibrating a real compass needs the robot.
            bolt.drive(bolt.speed, args[0])
        elif name == "on":
            event, steps = args
            self.handlers[event] = steps
            if event in ("freefall", "landing") and self.falls is None:
                self.falls = FallDetector()
                interval = STREAM_INTERVAL_MS.to_bytes(2, "big")
                self.bolt.call(SENSOR, 0x00, interval + b"\x00" + ACCEL_ONE.to_bytes(4, "big"))
        else:
            raise ValueError(f"unknown move step {name!r}")

    def _hold(self, steer: Callable[[float], tuple[int, int]], duration: float) -> bool:
        """Drive as `steer(t)` says for `duration` seconds, re-sending drive often enough that
        the robot keeps rolling and at most once per PACE. False when an event cut it short."""
        clock = self.bolt.clock
        began = clock.now()
        last_sent, last = 0.0, None
        while (t := clock.now() - began) < duration:
            heading, speed = steer(t)
            if self.waddle:
                heading += WADDLE_DEGREES if int(t / WADDLE_PERIOD) % 2 else -WADDLE_DEGREES
            wanted = (int(heading) % 360, int(speed))
            if wanted != last or t - last_sent >= KEEP_ALIVE:
                self.bolt.drive(wanted[1], wanted[0])
                last, last_sent = wanted, t
                pause = PACE
            else:
                pause = 0.01
            if not self._pause(pause):
                return False
        return True

    def _pause(self, seconds: float) -> bool:
        """Wait, then handle the robot's events: an event with a handler stops the ball and runs
        the handler's steps instead of the rest of the current step. False when that happened."""
        self.bolt.clock.sleep(seconds)
        for device, command, data in self.bolt.events():
            event = None
            if (device, command) == (SENSOR, 0x12):
                event = "collision"
            elif (device, command) == (SENSOR, 0x02) and self.falls is not None and len(data) >= 4:
                event = self.falls.sample(struct.unpack(">f", bytes(data[:4]))[0], self.bolt.clock.now())
            if event and event in self.handlers:
                self.bolt.drive(0, self.bolt.heading)
                for name, args in self.handlers.pop(event):
                    self.perform(name, args)
                return False
        return True


class BoltMatrix(LedMatrix):
    """`LedMatrix` on the device moss was given."""

    def __init__(self, bolt: Bolt) -> None:
        self.bolt = bolt

    def play_animation(self, animation: Animation) -> None:
        if not 1 <= len(animation.palette) <= 16:
            raise ValueError("an animation's palette holds 1 to 16 colours")
        first = self.bolt.frames
        for frame in animation.frames:
            self.bolt.matrix(0x30, self.bolt.frames.to_bytes(2, "big") + compress(frame, len(animation.palette)))
            self.bolt.frames += 1
        anim_id = self.bolt.animations
        self.bolt.animations += 1
        palette = b"".join(rgb(c) for c in animation.palette)
        indexes = b"".join(i.to_bytes(2, "big") for i in range(first, self.bolt.frames))
        self.bolt.matrix(0x31, bytes([anim_id, max(1, min(30, animation.fps)), 1 if animation.transition else 0,
                                      len(animation.palette)]) + palette
                         + len(animation.frames).to_bytes(2, "big") + indexes)
        self.bolt.matrix(0x43, bytes([anim_id, 1 if animation.loop else 0]))
        if animation.duration > 0:
            self.bolt.clock.sleep(animation.duration)
            self.clear_matrix()

    def pause_animation(self) -> None:
        self.bolt.matrix(0x36)

    def resume_animation(self) -> None:
        self.bolt.matrix(0x37)

    def clear_matrix(self) -> None:
        self.bolt.matrix(0x38)

    def scroll_matrix_text(self, text: str, color: str = "ffffff", fps: int = 1, wait: bool = True) -> None:
        data = text.encode("ascii", "replace")[:25]
        fps = max(1, min(30, int(fps)))
        self.bolt.matrix(0x3B, rgb(color) + bytes([fps, 0]) + data + b"\x00")
        if wait:
            # One column per frame: each character is 8 columns wide, plus the matrix width.
            self.bolt.clock.sleep((len(data) * 8 + 8) / (fps * 8))

    def set_matrix_character(self, character: str, color: str) -> None:
        if len(character) != 1 or not character.isascii():
            raise ValueError("set_matrix_character() shows one ASCII character")
        self.bolt.matrix(0x42, rgb(color) + character.encode("ascii"))


def compress(frame: list[list[int]], colours: int) -> bytes:
    """A frame as 4 bit-planes of 8 row bytes each, rows bottom-up, column 0 the high bit."""
    if len(frame) != 8 or any(len(row) != 8 for row in frame):
        raise ValueError("an animation frame is 8 rows of 8 palette indexes")
    planes = bytearray()
    for plane in range(4):
        for row in reversed(frame):
            byte = 0
            for column, index in enumerate(row):
                if not 0 <= index < colours:
                    raise ValueError(f"palette index {index} is outside the palette of {colours} colours")
                if index >> plane & 1:
                    byte |= 0x80 >> column
            planes.append(byte)
    return bytes(planes)


_attached: Bolt | None = None


def attached() -> Bolt | None:
    """The BOLT of this run (`--device`), or None when the run has none."""
    return _attached


class DeviceProvider(Provider):
    """A provider of this run's BOLT or of what drives it. A run without `--device` has no BOLT,
    so moss leaves such a provider unregistered: what it would fill stays a missing binding, whose
    hint says to pass `--device`."""

    def device(self) -> Bolt:
        """The BOLT of this run."""
        if _attached is None:
            raise LookupError("this run has no BOLT; pass --device sim (or --device with a real one)")
        return _attached


def bind(container: Container) -> None:
    """Bind `Ball` and `LedMatrix` to this run's device."""
    global _attached
    # One BOLT per process: its clock is the device's simulated time, which only moves forward.
    _attached = _attached or Bolt()
    container.set(Ball, BoltBall(_attached))
    container.set(LedMatrix, BoltMatrix(_attached))
