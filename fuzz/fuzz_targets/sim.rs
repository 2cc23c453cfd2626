//! Any commands to the simulated BOLT, well framed or not, at any times: it answers each request
//! that wants an answer with a frame that decodes, never panics, and its state stays physical
//! (a heading below 360°, the ball inside the arena).
#![no_main]

use libfuzzer_sys::fuzz_target;
use moss::device::{packet, sim};

/// One command: device, command, target, payload, then milliseconds until the next; or raw
/// bytes as the radio might deliver them.
type Command = (u8, u8, Option<u8>, Vec<u8>, u16, Option<Vec<u8>>);

fuzz_target!(|commands: Vec<Command>| {
    let mut bolt = sim::SimBolt::new();
    let mut now = 0.0;
    for (seq, (device, command, target, data, wait_ms, raw)) in commands.into_iter().enumerate() {
        let framed = match raw {
            Some(bytes) => bytes,
            None => packet::Packet::request(device, command, seq as u8, target, data).encode(),
        };
        now += f64::from(wait_ms) / 1000.0;
        let answer = bolt.receive(&framed, now);
        for decoded in packet::Decoder::new().push(&answer) {
            assert!(decoded.is_ok(), "the simulator sent a frame that does not decode: {decoded:?}");
        }
        let state = &bolt.state;
        assert!(state.heading < 360, "heading {}", state.heading);
        let limit = sim::ARENA_HALF_WIDTH_CM;
        assert!(state.x.abs() <= limit && state.y.abs() <= limit, "outside the arena: {}, {}", state.x, state.y);
    }
});
