//! A simulated BOLT: it decodes the bytes a real one would receive and answers with real
//! response packets, keeping the state a model's code can change: heading, speed, position,
//! aim, stabilisation, battery, the 8×8 matrix and saved animations.

use std::collections::HashMap;

use crate::device::packet::{Decoder, ErrorCode, Packet, TARGET_PRIMARY, TARGET_SECONDARY};

/// The simulated floor is a square arena this many centimetres from the start to each wall;
/// rolling into a wall stops the ball and raises a collision, as a real one does.
pub const ARENA_HALF_WIDTH_CM: f64 = 150.0;
/// Speed 255 moves a BOLT about 2 m/s; the simulator takes it as linear below that.
const CM_PER_SECOND_AT_FULL_SPEED: f64 = 200.0;

pub type Rgb = [u8; 3];

#[derive(Debug, Clone)]
pub struct SimState {
    /// Degrees, 0..360, relative to the aim.
    pub heading: u16,
    pub speed: u8,
    pub reverse: bool,
    /// Centimetres from where the run started; y is straight ahead at heading 0.
    pub x: f64,
    pub y: f64,
    pub stabilized: bool,
    pub battery_percent: u8,
    pub matrix: [[Rgb; 8]; 8],
    pub scrolling: Option<String>,
    /// The character shown with its colour (the simulator keeps no font to draw it).
    pub character: Option<(char, Rgb)>,
    /// Positions at each change of motion, for drawing the path travelled.
    pub path: Vec<(f64, f64)>,
}

pub struct SimBolt {
    pub state: SimState,
    decoder: Decoder,
    frames: HashMap<u16, Vec<u8>>,
    animations: HashMap<u8, Vec<u8>>,
    /// Seconds since the run started when position was last integrated.
    moved_at: f64,
    /// Notifications raised since the last answer, sent with the next one.
    pending: Vec<Packet>,
    /// Sensor streaming: the interval in seconds, the mask, and when the last sample went out.
    streaming: Option<(f64, u32, f64)>,
    /// A scenario: the ball is dropped at this time (seconds since the start) and falls for
    /// FALL_SECONDS before it lands.
    pub drop_at: Option<f64>,
}

/// How long a dropped simulated ball falls.
const FALL_SECONDS: f64 = 0.45;
/// The standard streaming mask bit of "accel one", the magnitude of acceleration in g.
const ACCEL_ONE: u32 = 0x0000_0200;

impl Default for SimBolt {
    fn default() -> Self {
        Self::new()
    }
}

impl SimBolt {
    pub fn new() -> Self {
        SimBolt {
            state: SimState {
                heading: 0,
                speed: 0,
                reverse: false,
                x: 0.0,
                y: 0.0,
                stabilized: true,
                battery_percent: 87,
                matrix: [[[0; 3]; 8]; 8],
                scrolling: None,
                character: None,
                path: vec![(0.0, 0.0)],
            },
            decoder: Decoder::new(),
            frames: HashMap::new(),
            animations: HashMap::new(),
            moved_at: 0.0,
            pending: Vec::new(),
            streaming: None,
            drop_at: None,
        }
    }

    /// Feeds bytes as written to the API characteristic at `now` seconds; returns the framed
    /// bytes the robot sends back.
    pub fn receive(&mut self, bytes: &[u8], now: f64) -> Vec<u8> {
        let mut out = Vec::new();
        for packet in self.decoder.push(bytes).into_iter().flatten() {
            let (error, data) = self.handle(&packet, now);
            if packet.wants_reply(error) {
                out.extend(Packet::response_to(&packet, error, data).encode());
            }
        }
        out.extend(self.tick(now));
        out
    }

    /// Lets time pass up to `now`; returns the framed notifications the robot raised meanwhile.
    pub fn tick(&mut self, now: f64) -> Vec<u8> {
        self.advance(now);
        self.stream(now);
        self.pending.drain(..).flat_map(|notification| notification.encode()).collect()
    }

    /// Moves the ball along its heading up to `now`.
    pub fn advance(&mut self, now: f64) {
        let dt = (now - self.moved_at).max(0.0);
        self.moved_at = now;
        if self.state.speed == 0 || !self.state.stabilized {
            return;
        }
        let distance = f64::from(self.state.speed) / 255.0 * CM_PER_SECOND_AT_FULL_SPEED * dt;
        let direction = if self.state.reverse { -1.0 } else { 1.0 };
        let radians = f64::from(self.state.heading).to_radians();
        let (x, y) =
            (self.state.x + direction * distance * radians.sin(), self.state.y + direction * distance * radians.cos());
        let limit = ARENA_HALF_WIDTH_CM;
        self.state.x = x.clamp(-limit, limit);
        self.state.y = y.clamp(-limit, limit);
        if x.abs() > limit || y.abs() > limit {
            self.state.speed = 0;
            self.state.path.push((self.state.x, self.state.y));
            // Collision data: x, y, z acceleration (1/4096 g) and the axes hit (bit 0 X, bit 1 Y).
            let axes = u8::from(x.abs() > limit) | (u8::from(y.abs() > limit) << 1);
            let mut data = Vec::new();
            for g in [(x.abs() > limit) as i16 * 4096, (y.abs() > limit) as i16 * 4096, 0] {
                data.extend(g.to_be_bytes());
            }
            data.push(axes);
            self.pending.push(Packet::notification(0x18, 0x12, data));
        }
    }

    /// Sensor samples due by `now`: one f32 per mask bit, highest bit first; only "accel one"
    /// is simulated (1 g at rest, 0 g while falling, a 3 g spike on landing), the rest read 0.
    fn stream(&mut self, now: f64) {
        let Some((interval, mask, mut last)) = self.streaming else { return };
        while last + interval <= now {
            last += interval;
            let magnitude = match self.drop_at.map(|at| last - at) {
                Some(t) if (0.0..FALL_SECONDS).contains(&t) => 0.0f32,
                Some(t) if (FALL_SECONDS..FALL_SECONDS + interval).contains(&t) => 3.0,
                _ => 1.0,
            };
            let data = (0..32)
                .rev()
                .filter(|bit| mask >> bit & 1 == 1)
                .flat_map(|bit| (if 1 << bit == ACCEL_ONE { magnitude } else { 0.0 }).to_be_bytes())
                .collect();
            self.pending.push(Packet::notification(0x18, 0x02, data));
        }
        self.streaming = Some((interval, mask, last));
    }

    fn handle(&mut self, packet: &Packet, now: f64) -> (ErrorCode, Vec<u8>) {
        self.advance(now);
        let data = packet.data.as_slice();
        if packet.target != wanted_target(packet) {
            // A real BOLT ignores drive and matrix commands not addressed to the secondary
            // processor (and LED commands not addressed to the primary); answering "bad
            // target" makes that mistake visible.
            return (ErrorCode::BadTargetId, Vec::new());
        }
        let s = &mut self.state;
        match (packet.device, packet.command, data) {
            // Wake and sleep: the simulated BOLT is always ready to take commands.
            (0x13, 0x0D | 0x01, []) => {}
            (0x13, 0x03, []) => {
                return (ErrorCode::Success, (370 + u16::from(s.battery_percent) / 2).to_be_bytes().to_vec());
            }
            (0x13, 0x10, []) => return (ErrorCode::Success, vec![s.battery_percent]),
            // The main application version of the secondary processor, as a simulated 4.2.44.
            (0x11, 0x00, []) => return (ErrorCode::Success, vec![0, 4, 0, 2, 0, 44]),
            (0x16, 0x07, [speed, hi, lo, flags]) => {
                let heading = u16::from_be_bytes([*hi, *lo]);
                if heading >= 360 {
                    return (ErrorCode::BadParameter, Vec::new());
                }
                let moving = s.speed != *speed || s.heading != heading;
                (s.speed, s.heading, s.reverse) = (*speed, heading, flags & 0x01 != 0);
                if moving {
                    s.path.push((s.x, s.y));
                }
            }
            (0x16, 0x06, []) => s.heading = 0,
            (0x16, 0x0C, [on]) => s.stabilized = *on != 0,
            (0x16, 0x01, [_, _, _, _]) => {}
            (0x1A, 0x2F, [r, g, b]) => s.matrix = [[[*r, *g, *b]; 8]; 8],
            (0x1A, 0x38, []) => {
                s.matrix = [[[0; 3]; 8]; 8];
                s.scrolling = None;
                s.character = None;
            }
            (0x1A, 0x2D, [x, y, r, g, b]) if *x < 8 && *y < 8 => s.matrix[*y as usize][*x as usize] = [*r, *g, *b],
            (0x1A, 0x3E, [x1, y1, x2, y2, r, g, b]) if x1 <= x2 && y1 <= y2 && *x2 < 8 && *y2 < 8 => {
                for row in &mut s.matrix[*y1 as usize..=*y2 as usize] {
                    row[*x1 as usize..=*x2 as usize].fill([*r, *g, *b]);
                }
            }
            (0x1A, 0x42, [r, g, b, ch]) if ch.is_ascii() => {
                s.character = Some((char::from(*ch), [*r, *g, *b]));
                s.scrolling = None;
            }
            (0x1A, 0x3B, [_, _, _, _, _, text @ .., 0]) if text.len() <= 25 => {
                s.scrolling = Some(String::from_utf8_lossy(text).into_owned());
            }
            // Rotation, pause and resume change how a real matrix moves, not the still picture
            // the simulator keeps; their arguments are still checked as a real BOLT checks them.
            (0x1A, 0x3A, [rotation]) if *rotation < 4 => {}
            (0x1A, 0x36 | 0x37, []) => {}
            (0x1A, 0x30, [hi, lo, planes @ ..]) if planes.len() == 32 => {
                self.frames.insert(u16::from_be_bytes([*hi, *lo]), planes.to_vec());
            }
            (0x1A, 0x31, [id, _fps, _transition, colours, rest @ ..]) if animation_fits(*colours, rest) => {
                self.animations.insert(*id, data.to_vec());
            }
            (0x1A, 0x43, [id, _]) | (0x1A, 0x32, [id]) => return self.play(*id),
            (0x1A, 0x35, []) => {
                self.frames.clear();
                self.animations.clear();
            }
            (0x1A, 0x1C, [_mask, ..]) => {}
            (0x18, 0x00, [hi, lo, _count, m0, m1, m2, m3]) => {
                let interval = f64::from(u16::from_be_bytes([*hi, *lo])) / 1000.0;
                let mask = u32::from_be_bytes([*m0, *m1, *m2, *m3]);
                self.streaming = (interval > 0.0 && mask != 0).then_some((interval, mask, now));
            }
            (0x18, 0x0C, [_, _, _, _]) => {}
            (0x18, 0x11 | 0x14, _) => {}
            (0x11 | 0x13 | 0x16 | 0x18 | 0x1A, _, _) => return (ErrorCode::BadDataLength, Vec::new()),
            _ => return (ErrorCode::BadDeviceId, Vec::new()),
        }
        (ErrorCode::Success, Vec::new())
    }

    /// Shows the first frame of a saved animation (whose layout `animation_fits` checked when it
    /// was saved), as far as a still picture can.
    fn play(&mut self, id: u8) -> (ErrorCode, Vec<u8>) {
        let Some(saved) = self.animations.get(&id) else { return (ErrorCode::BadParameter, Vec::new()) };
        let colours = usize::from(*saved.get(3).unwrap_or(&0));
        let palette: Vec<Rgb> = saved[4..].chunks_exact(3).take(colours).map(|c| [c[0], c[1], c[2]]).collect();
        let first_frame = saved.get(4 + colours * 3 + 2..4 + colours * 3 + 4).map(|b| u16::from_be_bytes([b[0], b[1]]));
        if let Some(planes) = first_frame.and_then(|index| self.frames.get(&index)) {
            for row in 0..8 {
                for column in 0..8 {
                    let index = (0..4).fold(0usize, |acc, plane| {
                        let byte = planes[plane * 8 + (7 - row)];
                        acc | (usize::from(byte >> (7 - column) & 1) << plane)
                    });
                    self.state.matrix[row][column] = palette.get(index).copied().unwrap_or([0; 3]);
                }
            }
        }
        self.state.character = None;
        self.state.scrolling = None;
        (ErrorCode::Success, Vec::new())
    }
}

/// The processor a command must be addressed to: drive, sensor and matrix commands go to the
/// secondary one, the LED command to the primary; others go where they are sent.
fn wanted_target(packet: &Packet) -> Option<u8> {
    let needs_secondary =
        matches!(packet.device, 0x11 | 0x16 | 0x18) || (packet.device == 0x1A && packet.command != 0x1C);
    if needs_secondary {
        Some(TARGET_SECONDARY)
    } else if (packet.device, packet.command) == (0x1A, 0x1C) {
        Some(TARGET_PRIMARY)
    } else {
        packet.target
    }
}

/// Whether a save-animation payload after its id, fps, transition and colour count holds exactly
/// the palette, the frame count and that many frame indexes: a real BOLT answers anything else
/// with "bad data length", and the simulator must never read past what it was sent.
fn animation_fits(colours: u8, rest: &[u8]) -> bool {
    let palette = 3 * usize::from(colours);
    match rest.get(palette..palette + 2) {
        Some(count) => rest.len() == palette + 2 + 2 * usize::from(u16::from_be_bytes([count[0], count[1]])),
        None => false,
    }
}
