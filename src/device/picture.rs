//! Seeing the simulated BOLT without a robot: its LED matrix and status line on a terminal as
//! they change, and a PNG of the final matrix next to the path it travelled.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::device::sim::{Rgb, SimState};

const LED: usize = 20;
const GAP: usize = 16;
const ARENA: usize = 256;
const WIDTH: usize = 8 * LED + GAP + ARENA;
const HEIGHT: usize = ARENA;
const BACKGROUND: Rgb = [24, 24, 28];
/// An LED that is off, drawn dim so the grid stays visible.
const DARK_LED: Rgb = [48, 48, 54];

/// The matrix (left) and the arena seen from above with the path (right), as a PNG.
pub fn write_png(state: &SimState, arena_half_width_cm: f64, path: &Path) -> std::io::Result<()> {
    let mut pixels = vec![BACKGROUND; WIDTH * HEIGHT];
    let top = (HEIGHT - 8 * LED) / 2;
    for (row, leds) in state.matrix.iter().enumerate() {
        for (column, colour) in leds.iter().enumerate() {
            let colour = if *colour == [0; 3] { DARK_LED } else { *colour };
            for y in 2..LED - 2 {
                for x in 2..LED - 2 {
                    pixels[(top + row * LED + y) * WIDTH + column * LED + x] = colour;
                }
            }
        }
    }
    let left = 8 * LED + GAP;
    for i in 0..ARENA {
        for (x, y) in [(left + i, 0), (left + i, ARENA - 1), (left, i), (left + ARENA - 1, i)] {
            pixels[y * WIDTH + x] = [120, 120, 130];
        }
    }
    let to_pixel = |(x, y): (f64, f64)| {
        let scale = (ARENA - 1) as f64 / (2.0 * arena_half_width_cm);
        let px = ((x + arena_half_width_cm) * scale).round().clamp(0.0, (ARENA - 1) as f64) as i64;
        let py = ((arena_half_width_cm - y) * scale).round().clamp(0.0, (ARENA - 1) as f64) as i64;
        (left as i64 + px, py)
    };
    let mut points: Vec<(i64, i64)> = state.path.iter().copied().map(to_pixel).collect();
    points.push(to_pixel((state.x, state.y)));
    for pair in points.windows(2) {
        line(&mut pixels, pair[0], pair[1], [240, 240, 240]);
    }
    for (point, colour) in [(points[0], [60, 200, 90]), (*points.last().expect("a point"), [230, 70, 60])] {
        for dy in -3..=3 {
            for dx in -3..=3 {
                let (x, y) = (point.0 + dx, point.1 + dy);
                if (0..WIDTH as i64).contains(&x) && (0..HEIGHT as i64).contains(&y) {
                    pixels[y as usize * WIDTH + x as usize] = colour;
                }
            }
        }
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, WIDTH as u32, HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(&pixels.concat()).map_err(std::io::Error::other)?;
    Ok(())
}

fn line(pixels: &mut [Rgb], (mut x0, mut y0): (i64, i64), (x1, y1): (i64, i64), colour: Rgb) {
    let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
    let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
    let mut error = dx + dy;
    loop {
        if (0..WIDTH as i64).contains(&x0) && (0..HEIGHT as i64).contains(&y0) {
            pixels[y0 as usize * WIDTH + x0 as usize] = colour;
        }
        if (x0, y0) == (x1, y1) {
            break;
        }
        let doubled = 2 * error;
        if doubled >= dy {
            error += dy;
            x0 += sx;
        }
        if doubled <= dx {
            error += dx;
            y0 += sy;
        }
    }
}

/// The matrix as 8 rows of colour blocks and a status line, redrawn in place on stderr.
pub struct LiveView {
    drawn_at: Option<Instant>,
}

/// Redraws no more often than this: the eye needs no more, and the terminal stays responsive.
const REDRAW: Duration = Duration::from_millis(50);

impl LiveView {
    pub fn new() -> Self {
        LiveView { drawn_at: None }
    }

    /// Draws the state, unless it was drawn moments ago and `force` is false.
    pub fn draw(&mut self, name: &str, state: &SimState, force: bool) {
        if !force && self.drawn_at.is_some_and(|at| at.elapsed() < REDRAW) {
            return;
        }
        let mut out = String::new();
        if self.drawn_at.is_some() {
            out.push_str("\x1b[9A");
        }
        for leds in &state.matrix {
            for [r, g, b] in leds.iter().map(|c| if *c == [0; 3] { DARK_LED } else { *c }) {
                out.push_str(&format!("\x1b[48;2;{r};{g};{b}m  \x1b[0m"));
            }
            out.push_str("\x1b[K\n");
        }
        let shown = match (&state.character, &state.scrolling) {
            (Some((ch, _)), _) => format!(", showing '{ch}'"),
            (None, Some(text)) => format!(", scrolling \"{text}\""),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{name}: heading {:>3}°, speed {:>3}, at ({:.1}, {:.1}) cm{shown}\x1b[K\n",
            state.heading, state.speed, state.x, state.y
        ));
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
        self.drawn_at = Some(Instant::now());
    }
}
