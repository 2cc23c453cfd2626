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
/// Escape marker: the byte after it is the original XOR `0x88`.
pub const ESC: u8 = 0xAB;
const ESC_XOR: u8 = 0x88;
/// SEQ of async notifications; the request counter never produces it.
pub const ASYNC_SEQ: u8 = 0xFF;
/// Source id spherov2 puts on targeted requests.
pub const HOST_SOURCE: u8 = 0x01;
/// Target id of the primary processor (power, front/back LEDs).
pub const TARGET_PRIMARY: u8 = 0x11;
/// Target id of the secondary processor (driving, sensors, LED matrix).
pub const TARGET_SECONDARY: u8 = 0x12;
/// Largest BLE write with the default ATT MTU (23 - 3).
pub const BLE_CHUNK: usize = 20;
/// Cap on an unescaped frame, so a lost EOP cannot grow the buffer forever.
pub const MAX_FRAME_LEN: usize = 4096;
/// FLAGS, DID, CID, SEQ and CHK: the least a frame can hold.
const MIN_FRAME_LEN: usize = 5;

/// FLAGS bits.
pub mod flag {
    /// The packet is a reply; an ERR byte follows SEQ.
    pub const IS_RESPONSE: u8 = 0x01;
    /// The sender wants a reply.
    pub const REQUESTS_RESPONSE: u8 = 0x02;
    /// Together with `REQUESTS_RESPONSE`: reply only on failure.
    pub const ERROR_ONLY: u8 = 0x04;
    /// Resets the robot's inactivity (sleep) timer.
    pub const IS_ACTIVITY: u8 = 0x08;
    /// A TID byte is present.
    pub const HAS_TARGET: u8 = 0x10;
    /// A SID byte is present.
    pub const HAS_SOURCE: u8 = 0x20;
    /// Another flags byte follows; no BOLT library uses it.
    pub const EXTENDED: u8 = 0x80;
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

/// Known codes with their messages; the index is the wire value, so numbers
/// and texts cannot drift apart.
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

impl ErrorCode {
    /// True only for code 0.
    pub fn is_success(self) -> bool {
        self == ErrorCode::Success
    }

    fn known(self) -> Option<(u8, &'static str)> {
        (0u8..)
            .zip(KNOWN_ERRORS)
            .find_map(|(value, (code, msg))| (code == self).then_some((value, msg)))
    }
}

impl From<u8> for ErrorCode {
    fn from(value: u8) -> Self {
        KNOWN_ERRORS
            .get(usize::from(value))
            .map_or(ErrorCode::Unknown(value), |&(code, _)| code)
    }
}

impl From<ErrorCode> for u8 {
    fn from(code: ErrorCode) -> u8 {
        match code {
            ErrorCode::Unknown(value) => value,
            known => known.known().map_or(0, |(value, _)| value),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known() {
            Some((_, msg)) => f.write_str(msg),
            None => write!(f, "unknown error code {:#04x}", u8::from(*self)),
        }
    }
}

/// One API v2 packet, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Raw FLAGS. `encode` recomputes the response, target and source bits
    /// from `error`, `target` and `source` and clears the extended bit, so a
    /// packet can never be framed inconsistently.
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
    /// A request the way spherov2 sends it: flags `0x3A` with the target and
    /// source `0x01`, or `0x0A` without a target.
    pub fn request(device: u8, command: u8, seq: u8, target: Option<u8>, data: Vec<u8>) -> Self {
        let mut packet = Packet {
            flags: flag::REQUESTS_RESPONSE | flag::IS_ACTIVITY,
            target,
            source: target.map(|_| HOST_SOURCE),
            device,
            command,
            seq,
            error: None,
            data,
        };
        packet.flags = packet.wire_flags();
        packet
    }

    /// The reply to `request`: same DID/CID/SEQ, TID and SID swapped, the
    /// request-only bits cleared and the activity bit kept.
    pub fn response_to(request: &Packet, error: ErrorCode, data: Vec<u8>) -> Self {
        let mut packet = Packet {
            flags: request.flags & !(flag::REQUESTS_RESPONSE | flag::ERROR_ONLY),
            target: request.source,
            source: request.target,
            device: request.device,
            command: request.command,
            seq: request.seq,
            error: Some(error),
            data,
        };
        packet.flags = packet.wire_flags();
        packet
    }

    /// An unsolicited notification from the robot (collision, sensor data…).
    /// Which TID/SID a real BOLT puts on these is unknown, so none are set.
    pub fn notification(device: u8, command: u8, data: Vec<u8>) -> Self {
        Packet { flags: 0, target: None, source: None, device, command, seq: ASYNC_SEQ, error: None, data }
    }

    pub fn is_response(&self) -> bool {
        self.error.is_some()
    }

    /// Async packets are non-responses with SEQ 0xFF.
    pub fn is_async(&self) -> bool {
        !self.is_response() && self.seq == ASYNC_SEQ
    }

    /// Whether `self` is the reply to `request`; clients match on (DID, CID, SEQ).
    pub fn answers(&self, request: &Packet) -> bool {
        self.is_response()
            && (self.device, self.command, self.seq) == (request.device, request.command, request.seq)
    }

    /// Whether a receiver should reply, given the command's outcome: only
    /// packets asking for a response get one, and the error-only bit drops it
    /// on success.
    pub fn wants_reply(&self, outcome: ErrorCode) -> bool {
        !self.is_response()
            && self.flags & flag::REQUESTS_RESPONSE != 0
            && (self.flags & flag::ERROR_ONLY == 0 || !outcome.is_success())
    }

    /// FLAGS as they go on the wire, derived from which fields are present.
    fn wire_flags(&self) -> u8 {
        let mut flags =
            self.flags & !(flag::IS_RESPONSE | flag::HAS_TARGET | flag::HAS_SOURCE | flag::EXTENDED);
        for (present, bit) in [
            (self.error.is_some(), flag::IS_RESPONSE),
            (self.target.is_some(), flag::HAS_TARGET),
            (self.source.is_some(), flag::HAS_SOURCE),
        ] {
            if present {
                flags |= bit;
            }
        }
        flags
    }

    /// Framed bytes SOP..EOP, checksummed and escaped, ready for `chunks`.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(8 + self.data.len());
        body.push(self.wire_flags());
        body.extend(self.target);
        body.extend(self.source);
        body.extend([self.device, self.command, self.seq]);
        body.extend(self.error.map(u8::from));
        body.extend_from_slice(&self.data);
        body.push(checksum(&body));

        let mut out = Vec::with_capacity(body.len() + body.len() / 4 + 2);
        out.push(SOP);
        for byte in body {
            if matches!(byte, SOP | EOP | ESC) {
                out.extend([ESC, byte ^ ESC_XOR]);
            } else {
                out.push(byte);
            }
        }
        out.push(EOP);
        out
    }
}

/// Checksum of unescaped FLAGS..DATA: one's complement of the byte sum, so
/// a good frame's FLAGS..CHK sums to 0xFF.
pub fn checksum(bytes: &[u8]) -> u8 {
    !bytes.iter().fold(0u8, |sum, &b| sum.wrapping_add(b))
}

/// Splits a framed packet into BLE writes of at most `size` bytes. A size of
/// 0 is treated as 1 rather than panicking.
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

    /// Returns the next number to use and advances.
    pub fn next_seq(&mut self) -> u8 {
        let seq = self.next;
        self.next = (seq + 1) % ASYNC_SEQ; // seq <= 254, so no overflow
        seq
    }
}

/// A frame the decoder had to drop. Decoding carries on with the next SOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A new SOP arrived before the previous frame's EOP.
    Unterminated,
    /// ESC followed by something other than 0x23, 0x05 or 0x50.
    BadEscape(u8),
    /// Fewer unescaped bytes than FLAGS, DID, CID, SEQ and CHK.
    TooShort(usize),
    BadChecksum { expected: u8, found: u8 },
    /// FLAGS announce TID/SID/ERR bytes the frame does not hold.
    Truncated,
    /// Extended flags are set; their layout is undocumented.
    ExtendedFlags,
    /// No EOP within `MAX_FRAME_LEN` bytes.
    TooLong,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Unterminated => f.write_str("frame cut off by a new start-of-packet"),
            FrameError::BadEscape(b) => write!(f, "invalid escape sequence 0xab {b:#04x}"),
            FrameError::TooShort(n) => write!(f, "frame too short ({n} bytes)"),
            FrameError::BadChecksum { expected, found } => {
                write!(f, "bad checksum: expected {expected:#04x}, found {found:#04x}")
            }
            FrameError::Truncated => f.write_str("frame ends inside its header"),
            FrameError::ExtendedFlags => f.write_str("extended flags are not supported"),
            FrameError::TooLong => write!(f, "frame longer than {MAX_FRAME_LEN} bytes"),
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
                self.reset();
                self.in_frame = true;
                cut.then_some(Err(FrameError::Unterminated))
            }
            _ if !self.in_frame => None, // junk between frames
            _ if self.escaped => match byte {
                0x23 | 0x05 | 0x50 => {
                    self.escaped = false;
                    self.store(byte ^ ESC_XOR)
                }
                _ => self.finish(Err(FrameError::BadEscape(byte))),
            },
            ESC => {
                self.escaped = true;
                None
            }
            EOP => {
                let result = parse(&self.buf);
                self.finish(result)
            }
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

    /// Ends the current frame; bytes up to the next SOP are then ignored.
    fn finish(&mut self, result: Result<Packet, FrameError>) -> Option<Result<Packet, FrameError>> {
        self.reset();
        Some(result)
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.in_frame = false;
        self.escaped = false;
    }
}

/// Parses one unescaped frame (FLAGS..CHK, without SOP/EOP).
fn parse(frame: &[u8]) -> Result<Packet, FrameError> {
    let (&found, body) = match frame.split_last() {
        Some(parts) if frame.len() >= MIN_FRAME_LEN => parts,
        _ => return Err(FrameError::TooShort(frame.len())),
    };
    let expected = checksum(body);
    if expected != found {
        return Err(FrameError::BadChecksum { expected, found });
    }

    let mut rest = body;
    let mut take = || match rest.split_first() {
        Some((&b, tail)) => {
            rest = tail;
            Ok(b)
        }
        None => Err(FrameError::Truncated),
    };
    let flags = take()?;
    if flags & flag::EXTENDED != 0 {
        return Err(FrameError::ExtendedFlags);
    }
    let target = (flags & flag::HAS_TARGET != 0).then(&mut take).transpose()?;
    let source = (flags & flag::HAS_SOURCE != 0).then(&mut take).transpose()?;
    let device = take()?;
    let command = take()?;
    let seq = take()?;
    let error = (flags & flag::IS_RESPONSE != 0).then(&mut take).transpose()?.map(ErrorCode::from);
    Ok(Packet { flags, target, source, device, command, seq, error, data: rest.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
        let pair = |p: &[u8]| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap();
        digits.chunks(2).map(pair).collect()
    }

    /// Encodes to exactly `wire`, and `wire` decodes back to the packet.
    fn check(packet: &Packet, wire: &str) {
        let bytes = hex(wire);
        assert_eq!(packet.encode(), bytes, "encoding {packet:?}");
        assert_eq!(Decoder::new().push(&bytes), vec![Ok(packet.clone())], "decoding {wire}");
    }

    fn raw(flags: u8, target: Option<u8>, source: Option<u8>, cid: u8, data: &[u8]) -> Packet {
        let data = data.to_vec();
        Packet { flags, target, source, device: 0x23, command: cid, seq: 1, error: None, data }
    }

    #[test]
    fn spec_section_4_vectors() {
        let sec = Some(TARGET_SECONDARY);
        let cases = [
            (0x13, 0x0D, 0, None, vec![], "8d0a130d00d5d8"),
            (0x13, 0x03, 1, None, vec![], "8d0a130301ded8"),
            (0x16, 0x07, 2, sec, vec![200, 0, 90, 0], "8d3a1201160702c8005a0071d8"),
            (0x16, 0x06, 3, sec, vec![], "8d3a120116060393d8"),
            (0x1A, 0x42, 4, sec, vec![0, 0xFF, 0, b'A'], "8d3a12011a420400ff004112d8"),
            (0x1A, 0x3B, 5, sec, vec![0xFF, 0, 0, 5, 0, b'H', b'I', 0], "8d3a12011a3b05ff00000500484900c3d8"),
            (0x1A, 0x2F, 6, sec, vec![0, 0, 0], "8d3a12011a2f0600000063d8"),
            (0x1A, 0x36, 7, sec, vec![], "8d3a12011a36075bd8"),
            (0x1A, 0x37, 8, sec, vec![], "8d3a12011a370859d8"),
        ];
        for (did, cid, seq, target, data, wire) in cases {
            check(&Packet::request(did, cid, seq, target, data), wire);
        }
    }

    #[test]
    fn facts_vectors_t1_to_t12() {
        let drive = vec![0x64, 0x00, 0xB4, 0x00];
        check(&Packet::request(0x13, 0x0D, 0, None, vec![]), "8D 0A 13 0D 00 D5 D8"); // T1
        let t2 = Packet { target: Some(0x12), ..Packet::request(0x16, 0x07, 0x33, None, drive.clone()) };
        check(&Packet { flags: 0x1A, ..t2 }, "8D 1A 12 16 07 33 64 00 B4 00 6B D8");
        check(&Packet::request(0x16, 0x07, 0x33, None, drive.clone()), "8D 0A 16 07 33 64 00 B4 00 AB 05 D8");
        check(&Packet::request(0x16, 0x07, 1, Some(0x12), drive), "8D 3A 12 01 16 07 01 64 00 B4 00 7C D8");
        check(&Packet::request(0x13, 0x03, 7, None, vec![]), "8D 0A 13 03 07 AB 50 D8"); // T5
        let motors = Packet::request(0x16, 0x01, 0x25, Some(0x12), vec![1, 100, 2, 100]);
        check(&motors, "8D 3A 12 01 16 01 25 01 64 02 64 AB 23 D8"); // T6
        check(&raw(0x0A, None, None, 0x42, &[0x15, 0x16]), "8D 0A 23 42 01 15 16 64 D8"); // T7
        check(&raw(0x0A, None, None, 0x42, &[0xAB, 0x8D]), "8D 0A 23 42 01 AB 23 AB 05 57 D8");
        check(&raw(0x1A, Some(0xFE), None, 0x42, &[0xAB, 0x8D]), "8D 1A FE 23 42 01 AB 23 AB 05 49 D8");
        check(&raw(0x2A, None, Some(0xFE), 0x42, &[0xAB, 0x8D]), "8D 2A FE 23 42 01 AB 23 AB 05 39 D8");
        assert_eq!(checksum(&[0x1A, 0x03, 0x23, 0x42, 0x01, 0x15, 0x16]), 0x51); // T11
        let t12 = Packet { flags: 0x3E, ..Packet::request(0x13, 0x0D, 0, Some(0x11), vec![]) };
        check(&t12, "8D 3E 11 01 13 0D 00 8F D8");
    }

    #[test]
    fn facts_section_3_9_vectors() {
        let (p, s) = (Some(TARGET_PRIMARY), Some(TARGET_SECONDARY));
        let cases: [(u8, u8, Option<u8>, &str, &str); 12] = [
            (0x16, 0x06, s, "", "8D 3A 12 01 16 06 10 86 D8"),
            (0x16, 0x0C, s, "01", "8D 3A 12 01 16 0C 10 01 7F D8"),
            (0x16, 0x07, s, "C8 01 0E 01", "8D 3A 12 01 16 07 10 C8 01 0E 01 AD D8"),
            (0x13, 0x10, None, "", "8D 0A 13 10 10 C2 D8"),
            (0x10, 0x00, None, "", "8D 0A 10 00 10 D5 D8"),
            (0x1A, 0x2D, s, "03 04 00 00 FF", "8D 3A 12 01 1A 2D 10 03 04 00 00 FF 55 D8"),
            (0x1A, 0x3B, s, "FF FF FF 0A 00 48 69 00", "8D 3A 12 01 1A 3B 10 FF FF FF 0A 00 48 69 00 95 D8"),
            (0x1A, 0x38, s, "", "8D 3A 12 01 1A 38 10 50 D8"),
            (0x1A, 0x43, s, "00 01", "8D 3A 12 01 1A 43 10 00 01 44 D8"),
            (0x1A, 0x1C, p, "07 FF 00 00", "8D 3A 11 01 1A 1C 10 07 FF 00 00 67 D8"),
            (0x18, 0x11, s, "01 5A 82 5A 82 01", "8D 3A 12 01 18 11 10 01 5A 82 5A 82 01 BF D8"),
            (0x18, 0x00, s, "00 96 00 03 C7 E2 7A", "8D 3A 12 01 18 00 10 00 96 00 03 C7 E2 7A CE D8"),
        ];
        for (did, cid, target, data, wire) in cases {
            check(&Packet::request(did, cid, 0x10, target, hex(data)), wire);
        }
    }

    #[test]
    fn synthetic_success_reply() {
        let drive = Packet::request(0x16, 0x07, 1, Some(0x12), vec![0x64, 0x00, 0xB4, 0x00]);
        assert!(drive.wants_reply(ErrorCode::Success));
        let reply = Packet::response_to(&drive, ErrorCode::Success, vec![]);
        check(&reply, "8D 39 01 12 16 07 01 00 95 D8");
        assert!(reply.is_response() && reply.answers(&drive) && !reply.is_async());
        assert!(!reply.wants_reply(ErrorCode::Failed));
    }

    #[test]
    fn notifications_and_error_only() {
        let collision = Packet::notification(0x18, 0x12, vec![0xD8; 16]);
        assert!(collision.is_async() && !collision.wants_reply(ErrorCode::Success));
        assert_eq!(Decoder::new().push(&collision.encode()), vec![Ok(collision)]);
        let quiet = Packet { flags: 0x0E, ..Packet::request(0x13, 0x0D, 0, None, vec![]) };
        assert!(!quiet.wants_reply(ErrorCode::Success) && quiet.wants_reply(ErrorCode::Busy));
    }

    #[test]
    fn error_codes() {
        assert_eq!(ErrorCode::from(7), ErrorCode::BadParameter);
        assert_eq!(ErrorCode::from(10).to_string(), "target unavailable");
        assert_eq!(ErrorCode::from(0x42), ErrorCode::Unknown(0x42));
        assert_eq!(ErrorCode::Unknown(0x42).to_string(), "unknown error code 0x42");
        assert!((0..=255).all(|b: u8| u8::from(ErrorCode::from(b)) == b));
    }

    #[test]
    fn chunking_and_sequence() {
        let animation = hex("8D 3A 12 01 1A 31 10 00 01 01 05 00 00 00 FF 00 00 00 FF 00 00 00 FF FF FF FF 00 01 00 00 55 D8");
        assert_eq!(Decoder::new().push(&animation).len(), 1);
        let parts: Vec<&[u8]> = chunks(&animation, BLE_CHUNK).collect();
        assert_eq!(parts.iter().map(|c| c.len()).collect::<Vec<_>>(), [20, 12]);
        assert_eq!(parts.concat(), animation);
        assert_eq!(chunks(&animation, 0).count(), animation.len());
        let mut seq = SeqCounter::new();
        let first: Vec<u8> = (0..256).map(|_| seq.next_seq()).collect();
        assert_eq!(first[..255], (0..=254).collect::<Vec<u8>>()[..]);
        assert_eq!(first[255], 0);
    }

    #[test]
    fn decoder_streams_and_resyncs() {
        let (wake, battery) = (hex("8D 0A 13 0D 00 D5 D8"), hex("8D 0A 13 03 07 AB 50 D8"));
        let wake_packet = Packet::request(0x13, 0x0D, 0, None, vec![]);
        let mut d = Decoder::new();
        let one_by_one: Vec<_> = battery.iter().flat_map(|b| d.push(&[*b])).collect();
        assert_eq!(one_by_one, vec![Ok(Packet::request(0x13, 0x03, 7, None, vec![]))]);
        assert_eq!(d.push(&[wake.clone(), battery.clone()].concat()).len(), 2);
        assert_eq!(d.push(&[&[0x00, 0xD8, 0xAB, 0x05][..], &wake].concat()), vec![Ok(wake_packet.clone())]);

        let mut bad_sum = hex("8D 3A 12 01 16 07 01 64 00 B4 00 7D D8");
        bad_sum.extend(&wake);
        let expect = [Err(FrameError::BadChecksum { expected: 0x7C, found: 0x7D }), Ok(wake_packet.clone())];
        assert_eq!(d.push(&bad_sum), expect);
        let bad_escape = [&[0x8D, 0x0A, 0xAB, 0x11, 0x13, 0xD8][..], &wake].concat();
        assert_eq!(d.push(&bad_escape), [Err(FrameError::BadEscape(0x11)), Ok(wake_packet.clone())]);
        let cut = [&[0x8D, 0x0A, 0x13][..], &wake].concat();
        assert_eq!(d.push(&cut), [Err(FrameError::Unterminated), Ok(wake_packet)]);
        assert_eq!(d.push(&hex("8D 0A 13 D8")), [Err(FrameError::TooShort(2))]);
        assert_eq!(d.push(&hex("8D 39 01 12 16 97 D8")), [Err(FrameError::Truncated)]);
        assert_eq!(d.push(&hex("8D 8A 13 0D 00 55 D8")), [Err(FrameError::ExtendedFlags)]);
        let mut long = vec![SOP; 2];
        long.resize(MAX_FRAME_LEN + 10, 0);
        assert_eq!(d.push(&long), [Err(FrameError::TooLong)]);
        assert!(FrameError::BadEscape(0x11).to_string().contains("0x11"));
    }

    /// Bytes biased towards the ones framing cares about.
    fn wire_byte() -> impl Strategy<Value = u8> {
        prop_oneof![3 => any::<u8>(), 2 => prop::sample::select(vec![SOP, EOP, ESC, 0x23, 0x05, 0x50])]
    }

    prop_compose! {
        fn arb_packet()(
            free in any::<u8>(),
            target in prop::option::of(wire_byte()),
            source in prop::option::of(wire_byte()),
            (device, command, seq) in (wire_byte(), wire_byte(), wire_byte()),
            error in prop::option::of(wire_byte()),
            data in vec(wire_byte(), 0..=64),
        ) -> Packet {
            // Bits 1-3 and 6 are free; the others must match the Option fields.
            let flags = (free & 0x4E)
                | if error.is_some() { flag::IS_RESPONSE } else { 0 }
                | if target.is_some() { flag::HAS_TARGET } else { 0 }
                | if source.is_some() { flag::HAS_SOURCE } else { 0 };
            let error = error.map(ErrorCode::from);
            Packet { flags, target, source, device, command, seq, error, data }
        }
    }

    /// Feeds `bytes` in pieces whose sizes cycle through `sizes`.
    fn feed_chunked(bytes: &[u8], sizes: &[usize]) -> Vec<Result<Packet, FrameError>> {
        let mut d = Decoder::new();
        let mut rest = bytes;
        let mut out = Vec::new();
        for &n in sizes.iter().cycle().take_while(|_| !rest.is_empty()) {
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
        fn decoder_never_panics(bytes in vec(wire_byte(), 0..512), sizes in vec(1usize..32, 1..16)) {
            // Chunking must not change what comes out.
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
