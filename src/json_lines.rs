//! JSON lines: the one framing of moss's messages between processes (a warm client and its
//! server, a run's child and the device served from its parent) and of the records it appends
//! (the run journal, the device trace). Each is one JSON text and a newline.

use std::io::{self, BufRead, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// `message` as one line: its JSON text and a newline.
pub fn encode<T: Serialize>(message: &T) -> io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(message).map_err(io::Error::other)?;
    line.push(b'\n');
    Ok(line)
}

/// Writes `message` as one line, in one write.
pub fn write<T: Serialize>(writer: &mut impl Write, message: &T) -> io::Result<()> {
    writer.write_all(&encode(message)?)
}

/// Reads one line's message: `UnexpectedEof` when the other side closed before sending one,
/// `InvalidData` when the line is not the JSON of a `T`.
pub fn read<T: DeserializeOwned>(reader: &mut impl BufRead) -> io::Result<T> {
    let mut line = Vec::new();
    if reader.read_until(b'\n', &mut line)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the other side closed the connection"));
    }
    serde_json::from_slice(&line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
