//! Any bytes from the radio, in any chunking: the decoder yields packets or frame errors, never
//! panics, and every packet it yields encodes back to a frame it decodes again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moss::device::packet;

fuzz_target!(|input: (u8, Vec<u8>)| {
    let (chunk, bytes) = input;
    let mut decoder = packet::Decoder::new();
    let mut packets = Vec::new();
    for piece in bytes.chunks(usize::from(chunk.max(1))) {
        packets.extend(decoder.push(piece).into_iter().flatten());
    }
    for decoded in packets {
        let again: Vec<_> = packet::Decoder::new().push(&decoded.encode()).into_iter().collect();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].as_ref().ok(), Some(&decoded));
    }
});
