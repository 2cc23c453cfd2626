//! Sphero API v2 packet codec: framing, escaping, checksums and a streaming
//! decoder for the byte stream on the BLE API characteristic.
//!
//! Layout before escaping: `SOP FLAGS [TID] [SID] DID CID SEQ [ERR] DATA… CHK EOP`.
#![forbid(unsafe_code)]

use std::fmt;

/// Start of packet. Never escaped, so it always marks a new frame.
pub const SOP: u8 = 0x8D;
/// End of packet.
pub const EOP: u8 = 0xD8;
/// Escape marker: the byte after it is the original XOR 0x88.
pub const ESC: u8 = 0xAB;
/// SEQ of async notifications; `SeqCounter` never produces it.
pub const ASYNC_SEQ: u8 = 0xFF;
/// Source id spherov2 puts on targeted requests.
pub const HOST_SOURCE: u8 = 0x01;
/// Target of the primary processor (power, front/back LEDs).
pub const TARGET_PRIMARY: u8 = 0x11;
/// Target of the secondary processor (driving, sensors, LED matrix).
pub const TARGET_SECONDARY: u8 = 0x12;
/// Largest BLE write with the default ATT MTU (23 - 3).
pub const BLE_CHUNK: usize = 20;
/// Cap on an unescaped frame, so a lost EOP cannot grow the buffer forever.
pub const MAX_FRAME_LEN: usize = 4096;

/// FLAGS bits.
pub mod flag {
    pub const IS_RESPONSE: u8 = 0x01; // an ERR byte follows SEQ
    pub const REQUESTS_RESPONSE: u8 = 0x02;
    pub const ERROR_ONLY: u8 = 0x04; // with REQUESTS_RESPONSE: reply only on failure
    pub const IS_ACTIVITY: u8 = 0x08; // resets the robot's sleep timer
    pub const HAS_TARGET: u8 = 0x10;
    pub const HAS_SOURCE: u8 = 0x20;
    pub const EXTENDED: u8 = 0x80; // another flags byte follows; unused on BOLT
}

/// ERR byte of a response. Codes outside 0..=10 are kept as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Success,
    BadDeviceId,
    BadCommandId,
    NotYetImplemented,
    Restricted,
    BadDataLength,
    Failed,
    BadParameter,
    Busy,
    BadTargetId,
    TargetUnavailable,
    Unknown(u8),
}

/// Known codes in wire order (index = ERR value), so numbers and texts
/// cannot drift apart.
const KNOWN_ERRORS: [(ErrorCode, &str); 11] = [
    (ErrorCode::Success, "success"),
    (ErrorCode::BadDeviceId, "bad device id"),
    (ErrorCode::BadCommandId, "bad command id"),
    (ErrorCode::NotYetImplemented, "command not yet implemented"),
    (ErrorCode::Restricted, "command is restricted"),
    (ErrorCode::BadDataLength, "bad data length"),
    (ErrorCode::Failed, "command failed"),
    (ErrorCode::BadParameter, "bad parameter value"),
    (ErrorCode::Busy, "busy"),
    (ErrorCode::BadTargetId, "bad target id"),
    (ErrorCode::TargetUnavailable, "target unavailable"),
];

impl From<u8> for ErrorCode {
    fn from(value: u8) -> Self {
        KNOWN_ERRORS.get(usize::from(value)).map_or(ErrorCode::Unknown(value), |&(code, _)| code)
    }
}

impl From<ErrorCode> for u8 {
    fn from(code: ErrorCode) -> u8 {
        match code {
            ErrorCode::Unknown(value) => value,
            known => (0..).zip(KNOWN_ERRORS).find(|(_, (c, _))| *c == known).map_or(0, |(v, _)| v),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match KNOWN_ERRORS.iter().find(|(code, _)| code == self) {
            Some((_, msg)) => f.write_str(msg),
            None => write!(f, "unknown error code {:#04x}", u8::from(*self)),
        }
    }
}

/// One API v2 packet, unescaped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packet {
    /// Raw FLAGS. `encode` recomputes the response/target/source bits from the
    /// `Option` fields and clears the extended bit, so framing stays consistent.
    pub flags: u8,
    pub target: Option<u8>,
    pub source: Option<u8>,
    pub device: u8,
    pub command: u8,
    pub seq: u8,
    /// Present exactly when the packet is a response.
    pub error: Option<ErrorCode>,
    pub data: Vec<u8>,
}

impl Packet {
    /// A bare packet: no flags, ids or error. The other constructors build on it.
    pub fn new(device: u8, command: u8, seq: u8, data: Vec<u8>) -> Self {
        Packet { device, command, seq, data, ..Packet::default() }
    }

    /// A request the spherov2 way: flags 0x3A with the target and source 0x01,
    /// or 0x0A without a target.
    pub fn request(device: u8, command: u8, seq: u8, target: Option<u8>, data: Vec<u8>) -> Self {
        let mut packet = Packet::new(device, command, seq, data);
        packet.target = target;
        packet.source = target.map(|_| HOST_SOURCE);
        packet.flags = flag::REQUESTS_RESPONSE | flag::IS_ACTIVITY;
        packet.flags = packet.wire_flags();
        packet
    }

    /// The reply to `request`: same DID/CID/SEQ, TID and SID swapped,
    /// request-only bits cleared, activity bit kept.
    pub fn response_to(request: &Packet, error: ErrorCode, data: Vec<u8>) -> Self {
        let mut packet = Packet::new(request.device, request.command, request.seq, data);
        packet.target = request.source;
        packet.source = request.target;
        packet.error = Some(error);
        packet.flags = request.flags & !(flag::REQUESTS_RESPONSE | flag::ERROR_ONLY);
        packet.flags = packet.wire_flags();
        packet
    }

    /// An unsolicited packet from the robot (collision, sensor data…). Which
    /// TID/SID a real BOLT sets on these is unknown, so none are.
    pub fn notification(device: u8, command: u8, data: Vec<u8>) -> Self {
        Packet::new(device, command, ASYNC_SEQ, data)
    }

    pub fn is_response(&self) -> bool {
        self.error.is_some()
    }

    /// Async packets are non-responses with SEQ 0xFF.
    pub fn is_async(&self) -> bool {
        !self.is_response() && self.seq == ASYNC_SEQ
    }

    /// Whether `self` replies to `request`: clients match on (DID, CID, SEQ).
    pub fn answers(&self, request: &Packet) -> bool {
        let key = |p: &Packet| (p.device, p.command, p.seq);
        self.is_response() && key(self) == key(request)
    }

    /// Whether a receiver should reply given the outcome: only packets asking
    /// for a response get one, and the error-only bit drops it on success.
    pub fn wants_reply(&self, outcome: ErrorCode) -> bool {
        !self.is_response()
            && self.flags & flag::REQUESTS_RESPONSE != 0
            && (self.flags & flag::ERROR_ONLY == 0 || outcome != ErrorCode::Success)
    }

    /// FLAGS as they go on the wire, derived from which fields are present.
    fn wire_flags(&self) -> u8 {
        let bit = |present: bool, bit: u8| if present { bit } else { 0 };
        let derived = flag::IS_RESPONSE | flag::HAS_TARGET | flag::HAS_SOURCE | flag::EXTENDED;
        (self.flags & !derived)
            | bit(self.error.is_some(), flag::IS_RESPONSE)
            | bit(self.target.is_some(), flag::HAS_TARGET)
            | bit(self.source.is_some(), flag::HAS_SOURCE)
    }

    /// Framed bytes SOP..EOP, checksummed and escaped, ready for `chunks`.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = vec![self.wire_flags()];
        body.extend(self.target.into_iter().chain(self.source));
        body.extend([self.device, self.command, self.seq]);
        body.extend(self.error.map(u8::from));
        body.extend_from_slice(&self.data);
        body.push(checksum(&body));

        let mut out = Vec::with_capacity(body.len() * 2 + 2);
        out.push(SOP);
        for byte in body {
            match byte {
                SOP | EOP | ESC => out.extend([ESC, byte ^ 0x88]),
                _ => out.push(byte),
            }
        }
        out.push(EOP);
        out
    }
}

/// Checksum of unescaped FLAGS..DATA: the inverted byte sum, so a good
/// frame's FLAGS..CHK sums to 0xFF.
pub fn checksum(bytes: &[u8]) -> u8 {
    !bytes.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))
}

/// Splits a framed packet into BLE writes of at most `size` bytes (0 counts
/// as 1 rather than panicking).
pub fn chunks(framed: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    framed.chunks(size.max(1))
}

/// Request sequence numbers 0..=254, wrapping to 0: 255 marks async packets.
#[derive(Debug, Clone, Default)]
pub struct SeqCounter {
    next: u8,
}

impl SeqCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the number to use now and advances.
    pub fn next_seq(&mut self) -> u8 {
        let seq = self.next;
        self.next = (seq + 1) % ASYNC_SEQ; // seq <= 254, so no overflow
        seq
    }
}

/// Why the decoder dropped a frame. Decoding resumes at the next SOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A new SOP arrived before the previous frame's EOP.
    Unterminated,
    /// ESC followed by something other than 0x23, 0x05 or 0x50.
    BadEscape(u8),
    /// Fewer unescaped bytes than FLAGS, DID, CID, SEQ and CHK.
    TooShort(usize),
    BadChecksum {
        expected: u8,
        found: u8,
    },
    /// FLAGS announce TID/SID/ERR bytes the frame does not hold.
    Truncated,
    /// Extended flags: their layout is undocumented.
    ExtendedFlags,
    /// No EOP within `MAX_FRAME_LEN` bytes.
    TooLong,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unterminated => f.write_str("frame cut off by a new start-of-packet"),
            Self::BadEscape(b) => write!(f, "invalid escape sequence 0xab {b:#04x}"),
            Self::TooShort(n) => write!(f, "frame too short ({n} bytes)"),
            Self::BadChecksum { expected, found } => {
                write!(f, "checksum {found:#04x}, expected {expected:#04x}")
            }
            Self::Truncated => f.write_str("frame ends inside its header"),
            Self::ExtendedFlags => f.write_str("extended flags are not supported"),
            Self::TooLong => write!(f, "frame longer than {MAX_FRAME_LEN} bytes"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Streaming receiver. BLE notifications split and join packets arbitrarily,
/// so bytes go in as they arrive and whole packets come out.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    in_frame: bool,
    escaped: bool,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds received bytes; returns every frame they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Packet, FrameError>> {
        bytes.iter().filter_map(|&b| self.feed(b)).collect()
    }

    fn feed(&mut self, byte: u8) -> Option<Result<Packet, FrameError>> {
        match byte {
            SOP => {
                // A raw SOP never occurs inside a frame, so always resync on it.
                let cut = self.in_frame && (self.escaped || !self.buf.is_empty());
                self.reset(true);
                cut.then_some(Err(FrameError::Unterminated))
            }
            _ if !self.in_frame => None, // junk between frames
            _ if self.escaped => match byte {
                0x23 | 0x05 | 0x50 => {
                    self.escaped = false;
                    self.store(byte ^ 0x88)
                }
                _ => self.finish(Err(FrameError::BadEscape(byte))),
            },
            ESC => {
                self.escaped = true;
                None
            }
            EOP => self.finish(parse(&self.buf)),
            _ => self.store(byte),
        }
    }

    fn store(&mut self, byte: u8) -> Option<Result<Packet, FrameError>> {
        if self.buf.len() >= MAX_FRAME_LEN {
            return self.finish(Err(FrameError::TooLong));
        }
        self.buf.push(byte);
        None
    }

    /// Ends the frame; bytes up to the next SOP are then ignored.
    fn finish(&mut self, result: Result<Packet, FrameError>) -> Option<Result<Packet, FrameError>> {
        self.reset(false);
        Some(result)
    }

    fn reset(&mut self, in_frame: bool) {
        self.buf.clear();
        self.in_frame = in_frame;
        self.escaped = false;
    }
}

/// Parses one unescaped frame, FLAGS..CHK.
fn parse(frame: &[u8]) -> Result<Packet, FrameError> {
    let (&found, body) = match frame.split_last() {
        Some(parts) if frame.len() >= 5 => parts, // FLAGS DID CID SEQ CHK
        _ => return Err(FrameError::TooShort(frame.len())),
    };
    let expected = checksum(body);
    if expected != found {
        return Err(FrameError::BadChecksum { expected, found });
    }

    let mut rest = body;
    let mut take = || {
        let (&b, tail) = rest.split_first().ok_or(FrameError::Truncated)?;
        rest = tail;
        Ok(b)
    };
    let flags = take()?;
    if flags & flag::EXTENDED != 0 {
        return Err(FrameError::ExtendedFlags);
    }
    let has = |bit: u8| flags & bit != 0;
    let target = has(flag::HAS_TARGET).then(&mut take).transpose()?;
    let source = has(flag::HAS_SOURCE).then(&mut take).transpose()?;
    let (device, command, seq) = (take()?, take()?, take()?);
    let error = has(flag::IS_RESPONSE).then(&mut take).transpose()?;
    let mut packet = Packet::new(device, command, seq, rest.to_vec());
    (packet.flags, packet.target, packet.source) = (flags, target, source);
    packet.error = error.map(ErrorCode::from);
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// `label FLAGS TID SID DID CID SEQ [ERR] DATA… = WIRE`, `--` for an absent id.
    /// Sources: sphero-bolt.md §4, sphero-bolt-facts.md §2.9, §2.10 (T1–T12), §3.9.
    const VECTORS: &str = "
        wake    0A -- -- 13 0D 00          = 8d0a130d00d5d8
        battery 0A -- -- 13 03 01          = 8d0a130301ded8
        drive   3A 12 01 16 07 02 C8005A00 = 8d3a1201160702c8005a0071d8
        yaw     3A 12 01 16 06 03          = 8d3a120116060393d8
        char    3A 12 01 1A 42 04 00FF0041 = 8d3a12011a420400ff004112d8
        scroll  3A 12 01 1A 3B 05 FF000005 00 484900 = 8d3a12011a3b05ff00000500484900c3d8
        fill    3A 12 01 1A 2F 06 000000   = 8d3a12011a2f0600000063d8
        pause   3A 12 01 1A 36 07          = 8d3a12011a36075bd8
        resume  3A 12 01 1A 37 08          = 8d3a12011a370859d8
        T1      0A -- -- 13 0D 00          = 8D 0A 13 0D 00 D5 D8
        T2      1A 12 -- 16 07 33 6400B400 = 8D 1A 12 16 07 33 64 00 B4 00 6B D8
        T3      0A -- -- 16 07 33 6400B400 = 8D 0A 16 07 33 64 00 B4 00 AB 05 D8
        T4      3A 12 01 16 07 01 6400B400 = 8D 3A 12 01 16 07 01 64 00 B4 00 7C D8
        T5      0A -- -- 13 03 07          = 8D 0A 13 03 07 AB 50 D8
        T6      3A 12 01 16 01 25 01640264 = 8D 3A 12 01 16 01 25 01 64 02 64 AB 23 D8
        T7      0A -- -- 23 42 01 1516     = 8D 0A 23 42 01 15 16 64 D8
        T8      0A -- -- 23 42 01 AB8D     = 8D 0A 23 42 01 AB 23 AB 05 57 D8
        T9      1A FE -- 23 42 01 AB8D     = 8D 1A FE 23 42 01 AB 23 AB 05 49 D8
        T10     2A -- FE 23 42 01 AB8D     = 8D 2A FE 23 42 01 AB 23 AB 05 39 D8
        T12     3E 11 01 13 0D 00          = 8D 3E 11 01 13 0D 00 8F D8
        reply   39 01 12 16 07 01 00       = 8D 39 01 12 16 07 01 00 95 D8
        leds    3A 11 01 1A 1C 10 07FF0000 = 8D 3A 11 01 1A 1C 10 07 FF 00 00 67 D8
        anim    3A 12 01 1A 31 10 00010105 000000FF000000FF000000FFFFFFFF 00010000 = \
            8D3A12011A311000010105000000FF000000FF000000FFFFFFFF0001000055D8";

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
        let pair = |p: &[u8]| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap();
        digits.chunks(2).map(pair).collect()
    }

    fn vector(label: &str) -> (Packet, Vec<u8>) {
        let is_labelled = |line: &&str| line.split_whitespace().next() == Some(label);
        let (fields, wire) = VECTORS.lines().find(is_labelled).unwrap().split_once('=').unwrap();
        let mut tokens = fields.split_whitespace().skip(1);
        let mut byte = || u8::from_str_radix(tokens.next().unwrap(), 16).ok();
        let (flags, target, source) = (byte().unwrap(), byte(), byte());
        let mut packet = Packet::new(byte().unwrap(), byte().unwrap(), byte().unwrap(), vec![]);
        (packet.flags, packet.target, packet.source) = (flags, target, source);
        packet.error = (flags & 1 != 0).then(|| ErrorCode::from(byte().unwrap()));
        packet.data = hex(&tokens.collect::<String>());
        (packet, hex(wire))
    }

    #[test]
    fn test_vectors() {
        for label in VECTORS.lines().filter_map(|l| l.split_whitespace().next()) {
            let (packet, wire) = vector(label);
            assert_eq!(packet.encode(), wire, "{label}: encode");
            let decoded = Decoder::new().push(&wire);
            assert_eq!(decoded, [Ok(packet.clone())], "{label}: decode");
            // spherov2-style requests must also come out of the constructor.
            if matches!(packet.flags, 0x0A | 0x3A) {
                let p = &packet;
                let request = Packet::request(p.device, p.command, p.seq, p.target, p.data.clone());
                assert_eq!(request, packet, "{label}: request");
            }
        }
        assert_eq!(checksum(&hex("1A 03 23 42 01 15 16")), 0x51); // T11
    }

    #[test]
    fn replies_and_notifications() {
        let (drive, reply) = (vector("T4").0, vector("reply").0);
        let built = Packet::response_to(&drive, ErrorCode::Success, vec![]);
        assert_eq!(built, reply);
        assert!(reply.is_response() && reply.answers(&drive) && !reply.is_async());
        assert!(drive.wants_reply(ErrorCode::Success) && !reply.wants_reply(ErrorCode::Failed));
        let mut quiet = drive.clone();
        quiet.flags |= flag::ERROR_ONLY;
        assert!(!quiet.wants_reply(ErrorCode::Success) && quiet.wants_reply(ErrorCode::Busy));
        let collision = Packet::notification(0x18, 0x12, vec![0xD8; 16]);
        assert!(collision.is_async() && !collision.wants_reply(ErrorCode::Success));
        assert_eq!(Decoder::new().push(&collision.encode()), [Ok(collision)]);
    }

    #[test]
    fn error_codes() {
        assert_eq!(ErrorCode::from(7), ErrorCode::BadParameter);
        assert_eq!(ErrorCode::from(10).to_string(), "target unavailable");
        assert_eq!(ErrorCode::from(0x42), ErrorCode::Unknown(0x42));
        assert_eq!(ErrorCode::from(0x42).to_string(), "unknown error code 0x42");
        assert!((0..=255).all(|b: u8| u8::from(ErrorCode::from(b)) == b));
    }

    #[test]
    fn chunking_and_sequence() {
        let wire = vector("anim").1;
        let sizes: Vec<usize> = chunks(&wire, BLE_CHUNK).map(<[u8]>::len).collect();
        assert_eq!((sizes, chunks(&wire, 0).count()), (vec![20, 12], 32));
        let mut seq = SeqCounter::new();
        let numbers: Vec<u8> = (0..256).map(|_| seq.next_seq()).collect();
        assert_eq!(numbers, (0..=254).chain([0]).collect::<Vec<u8>>());
    }

    #[test]
    fn decoder_streams_and_resyncs() {
        use FrameError::*;
        let (battery, wire) = vector("T5");
        let mut d = Decoder::new();
        let one_by_one: Vec<_> = wire.iter().flat_map(|b| d.push(&[*b])).collect();
        assert_eq!(one_by_one, [Ok(battery.clone())]);
        assert_eq!(d.push(&[&wire[..], &wire].concat()).len(), 2);
        // Each bad frame is reported and the packet right after it still decodes.
        let bad_sum = BadChecksum { expected: 0xD5, found: 0xD4 };
        let cases = [
            ("00 D8 AB 05", None), // junk outside a frame is dropped silently
            ("8D 0A 13 0D 00 D4 D8", Some(bad_sum)),
            ("8D 0A AB 11 13 D8", Some(BadEscape(0x11))),
            ("8D AB D8", Some(BadEscape(EOP))),
            ("8D 0A 13", Some(Unterminated)),
            ("8D 0A 13 D8", Some(TooShort(2))),
            ("8D 39 01 12 16 9D D8", Some(Truncated)),
            ("8D 8A 13 0D 00 55 D8", Some(ExtendedFlags)),
        ];
        for (junk, error) in cases {
            let mut expected = Vec::from_iter(error.map(Err));
            expected.push(Ok(battery.clone()));
            let decoded = d.push(&[hex(junk), wire.clone()].concat());
            assert_eq!(decoded, expected, "{junk}");
        }
        let long = [&[SOP][..], &[0; MAX_FRAME_LEN + 1]].concat();
        assert_eq!(d.push(&long), [Err(TooLong)]);
        assert_eq!(TooShort(2).to_string(), "frame too short (2 bytes)");
    }

    /// Bytes biased towards the ones framing cares about.
    fn wire_byte() -> impl Strategy<Value = u8> {
        let special = prop::sample::select(vec![SOP, EOP, ESC, 0x23, 0x05, 0x50]);
        prop_oneof![3 => any::<u8>(), 2 => special]
    }

    prop_compose! {
        fn arb_packet()(
            free in any::<u8>(),
            [target, source, error] in prop::array::uniform3(prop::option::of(wire_byte())),
            (device, command, seq) in (wire_byte(), wire_byte(), wire_byte()),
            data in vec(wire_byte(), 0..=64),
        ) -> Packet {
            // Bits 1-3 and 6 are free; the others must agree with the Option fields.
            let bit = |present: bool, bit: u8| if present { bit } else { 0 };
            let flags = (free & 0x4E) | bit(error.is_some(), 0x01)
                | bit(target.is_some(), 0x10) | bit(source.is_some(), 0x20);
            let error = error.map(ErrorCode::from);
            Packet { flags, target, source, device, command, seq, error, data }
        }
    }

    /// Feeds `bytes` in pieces whose sizes cycle through `sizes`.
    fn feed_chunked(mut rest: &[u8], sizes: &[usize]) -> Vec<Result<Packet, FrameError>> {
        let (mut d, mut out) = (Decoder::new(), Vec::new());
        for &n in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (head, tail) = rest.split_at(n.min(rest.len()));
            out.extend(d.push(head));
            rest = tail;
        }
        out
    }

    proptest! {
        #[test]
        fn round_trip(packet in arb_packet(), sizes in vec(1usize..24, 1..8)) {
            prop_assert_eq!(feed_chunked(&packet.encode(), &sizes), vec![Ok(packet)]);
        }

        #[test]
        fn framing_bytes_only_at_ends(packet in arb_packet()) {
            let wire = packet.encode();
            prop_assert_eq!((wire[0], wire[wire.len() - 1]), (SOP, EOP));
            prop_assert!(wire[1..wire.len() - 1].iter().all(|&b| b != SOP && b != EOP));
        }

        #[test]
        fn decoder_never_panics(
            bytes in vec(wire_byte(), 0..512),
            sizes in vec(1usize..32, 1..16),
        ) {
            // Chunking must not change what comes out either.
            prop_assert_eq!(feed_chunked(&bytes, &sizes), Decoder::new().push(&bytes));
        }

        #[test]
        fn decoder_resyncs_after_junk(junk in vec(wire_byte(), 0..64), packet in arb_packet()) {
            let mut d = Decoder::new();
            d.push(&junk);
            prop_assert_eq!(d.push(&packet.encode()).pop(), Some(Ok(packet)));
        }
    }
}
