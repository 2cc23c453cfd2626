"""Drive a Sphero BOLT robot ball: roll, spin and light its 8x8 LED matrix."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Ball", "Move", "LedMatrix", "Animation", "RollFunc"]


@dataclass
class RollFunc:
    """A roll steered by code: `code` runs every frame (about every 10 ms) for `duration`
    seconds. It may read and assign `heading` (degrees), `speed` (0-255) and read `t`, the
    seconds since the roll started."""

    heading: int = 0
    speed: int = 100
    duration: float = 1.0
    code: str = ""


@dataclass
class Animation:
    """Frames for the LED matrix. Each frame is 8 rows of 8 palette indexes; `palette` holds
    6-digit hex colours (index = colour id, at most 16)."""

    fps: int = 1
    """frames per second, 1-30"""
    transition: bool = False
    """fade between frames"""
    palette: list[str] = field(default_factory=lambda: ["000000", "ff0000", "00ff00", "0000ff", "ffffff"])
    loop: bool = True
    duration: float = 0
    """seconds before the matrix is cleared; 0 keeps it playing"""
    frames: list[list[list[int]]] = field(default_factory=list)


class Move(ABC):
    """A sequence of movements. Every method returns the move itself, so calls chain:
    `ball.new_move(True).roll(0, 100, 1).spin(360, 1)`."""

    @abstractmethod
    def roll(self, heading: int, speed: int, duration: float) -> Move:
        """Roll toward `heading` (degrees, 0 = straight ahead after aiming) at `speed` (0-255;
        negative rolls backward) for `duration` seconds, then stop."""

    @abstractmethod
    def spin(self, angle: int, duration: float) -> Move:
        """Turn by `angle` degrees (negative: the other way) over `duration` seconds."""

    @abstractmethod
    def set_waddle(self, waddle: bool) -> Move:
        """Make the following rolls waddle (wobble left and right) or stop waddling."""

    @abstractmethod
    def roll_by_func(self, fn: RollFunc) -> Move:
        """Roll as `fn.code` steers, for `fn.duration` seconds."""

    @abstractmethod
    def stop_roll(self, heading: int | None = None) -> Move:
        """Stop, facing `heading` if given."""

    @abstractmethod
    def reset_aim(self) -> Move:
        """Make the direction the ball faces now heading 0."""

    @abstractmethod
    def set_compass_direction(self, direction: int = 0) -> Move:
        """Face `direction` degrees from magnetic north."""

    @abstractmethod
    def on_collision(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        """When the ball hits something: stop, then run `callback` if given: a move, or a function
        that fills the move it is given (`lambda m: m.spin(180, 1)`), called right away."""

    @abstractmethod
    def on_freefall(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        """When the ball falls: stop, then run `callback` if given: a move, or a function
        that fills the move it is given (`lambda m: m.spin(180, 1)`), called right away."""

    @abstractmethod
    def on_landing(self, callback: Move | Callable[[Move], None] | None = None) -> Move:
        """When the ball lands after a fall: stop, then run `callback` if given: a move, or a function
        that fills the move it is given (`lambda m: m.spin(180, 1)`), called right away."""


class Ball(ABC):
    """Your robot body: a Sphero BOLT ball that rolls on the floor."""

    @abstractmethod
    def new_move(self, run: bool = False, animation: Animation | None = None) -> Move:
        """A new move. With `run=True` each step runs as soon as it is added; otherwise build it
        and pass it to `run` or `save_move`. `animation` plays on the matrix while it runs."""

    @abstractmethod
    def run(self, move: Move, stop_at_first: bool = True) -> None:
        """Run a move built with `new_move()`; `stop_at_first` stops the ball before starting."""

    @abstractmethod
    def save_move(self, name: str, description: str, move: Move, animation: Animation | None = None) -> None:
        """Remember `move` under `name`, to run again in later turns. `animation` (or else the one
        the move was made with) is kept with it and plays whenever it runs again."""

    @abstractmethod
    def read_move(self, name: str) -> tuple[Move, str]:
        """A saved move and the description it was saved with."""

    @abstractmethod
    def delete_move(self, name: str) -> None:
        """Forget a saved move."""

    @abstractmethod
    def run_move(self, name: str) -> None:
        """Run a saved move."""

    @abstractmethod
    def set_matrix_rotation(self, rotation: int) -> None:
        """Rotate what the LED matrix shows by 0, 90, 180 or 270 degrees."""


class LedMatrix(ABC):
    """The ball's 8x8 LED matrix, its face. Colours are 6-digit hex strings such as 'ff0000'."""

    @abstractmethod
    def play_animation(self, animation: Animation) -> None:
        """Play an animation."""

    @abstractmethod
    def pause_animation(self) -> None:
        """Pause the animation playing."""

    @abstractmethod
    def resume_animation(self) -> None:
        """Resume a paused animation."""

    @abstractmethod
    def clear_matrix(self) -> None:
        """Turn every LED off and stop any animation."""

    @abstractmethod
    def scroll_matrix_text(self, text: str, color: str = "ffffff", fps: int = 1, wait: bool = True) -> None:
        """Scroll `text` (ASCII, at most 25 characters) across the matrix at `fps` (1-30)
        characters per second; with `wait`, return when it has scrolled once."""

    @abstractmethod
    def set_matrix_character(self, character: str, color: str) -> None:
        """Show one character."""
