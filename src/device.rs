//! `--device`: the robot a run drives, served from the parent process.
//!
//! The generated code runs in a child; its `Ball` and `LedMatrix` calls arrive here over a
//! socket as (device, command, target, data). This side numbers, frames and sends the packets,
//! matches the responses, keeps async notifications for the child to poll, writes the trace, and
//! stops the robot when the child is gone, however it ended.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::packet::{self, BLE_CHUNK, Decoder, ErrorCode, Packet, SeqCounter, TARGET_SECONDARY};
use crate::sim::{SimBolt, SimState};
use crate::supervisor::Companion;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSpec {
    Sim { name: String },
}

impl DeviceSpec {
    /// `sim` or `sim:NAME`. Real BOLTs (`bolt`, `SB-1A2B`, an address) need the Bluetooth
    /// transport, which this build does not have yet.
    pub fn parse(spec: &str) -> Result<DeviceSpec, String> {
        match spec.split_once(':') {
            None if spec == "sim" => Ok(DeviceSpec::Sim { name: "SB-0000".into() }),
            Some(("sim", name)) if !name.is_empty() => Ok(DeviceSpec::Sim { name: name.into() }),
            _ => Err(format!(
                "cannot reach the device `{spec}`: this moss has no Bluetooth LE transport yet, only the simulated BOLT"
            )),
        }
    }
}

/// One request from the child, one JSON object per line.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    Call { device: u8, command: u8, target: Option<u8>, data: Vec<u8> },
    Events,
}

/// The answer to a request.
#[derive(Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "lowercase")]
pub enum Reply {
    Done { error: u8, message: String, data: Vec<u8> },
    Events { events: Vec<(u8, u8, Vec<u8>)> },
    Failed { message: String },
}

/// What the parent knows of the device after the run.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceReport {
    pub name: String,
    pub heading: u16,
    pub speed: u8,
    pub x_cm: f64,
    pub y_cm: f64,
    pub packets_sent: usize,
    pub errors: Vec<String>,
}

/// Starts serving `spec` for a child: the child's end of the socket, the serving work to run
/// in the parent, and where its report arrives when the child is gone.
pub fn companion(spec: &DeviceSpec, trace: Option<PathBuf>) -> std::io::Result<(Companion, mpsc::Receiver<DeviceReport>)> {
    let (ours, theirs) = UnixStream::pair()?;
    let trace = match trace {
        Some(path) => Some(BufWriter::new(File::create(path)?)),
        None => None,
    };
    let DeviceSpec::Sim { name } = spec.clone();
    let (tx, rx) = mpsc::channel();
    let serve = move || {
        let mut host = Host { name, sim: SimBolt::new(), decoder: Decoder::new(), seq: SeqCounter::new(), started: Instant::now(), trace, events: Vec::new(), sent: 0, errors: Vec::new() };
        host.serve(ours);
        let _ = tx.send(host.report());
    };
    Ok((Companion { child_end: theirs.into(), serve: Box::new(serve) }, rx))
}

struct Host {
    name: String,
    sim: SimBolt,
    decoder: Decoder,
    seq: SeqCounter,
    started: Instant,
    trace: Option<BufWriter<File>>,
    events: Vec<Packet>,
    sent: usize,
    errors: Vec<String>,
}

impl Host {
    fn serve(&mut self, stream: UnixStream) {
        // What a real connection does first: wake the robot.
        self.call(0x13, 0x0D, None, Vec::new());
        if let Ok(reader) = stream.try_clone() {
            let mut writer = stream;
            for line in BufReader::new(reader).lines() {
                let Ok(line) = line else { break };
                let reply = match serde_json::from_str::<Request>(&line) {
                    Ok(Request::Call { device, command, target, data }) => self.call(device, command, target, data),
                    Ok(Request::Events) => {
                        let now = self.started.elapsed().as_secs_f64();
                        let raised = self.sim.tick(now);
                        self.take_in(now, &raised, None);
                        Reply::Events { events: self.events.drain(..).map(|p| (p.device, p.command, p.data)).collect() }
                    }
                    Err(e) => Reply::Failed { message: format!("a malformed device request: {e}") },
                };
                let text = serde_json::to_string(&reply).expect("a reply serialises");
                if writeln!(writer, "{text}").and_then(|_| writer.flush()).is_err() {
                    break;
                }
            }
        }
        // The child is gone, whatever happened to it: a robot is never left rolling.
        let heading = self.sim.state.heading;
        self.call(0x16, 0x07, Some(TARGET_SECONDARY), vec![0, (heading >> 8) as u8, heading as u8, 0]);
        if let Some(trace) = &mut self.trace {
            let _ = trace.flush();
        }
    }

    fn call(&mut self, device: u8, command: u8, target: Option<u8>, data: Vec<u8>) -> Reply {
        let request = Packet::request(device, command, self.seq.next_seq(), target, data);
        let framed = request.encode();
        let now = self.started.elapsed().as_secs_f64();
        self.record(now, "tx", &framed, &request);
        self.sent += 1;
        let mut answer = Vec::new();
        for chunk in packet::chunks(&framed, BLE_CHUNK) {
            answer.extend(self.sim.receive(chunk, now));
        }
        match self.take_in(now, &answer, Some(&request)) {
            Some(reply) => {
                let error = reply.error.unwrap_or(ErrorCode::Success);
                if error != ErrorCode::Success {
                    self.errors.push(format!("{device:#04x}/{command:#04x}: {error}"));
                }
                Reply::Done { error: u8::from(error), message: error.to_string(), data: reply.data }
            }
            None => Reply::Failed { message: format!("the robot did not answer command {device:#04x}/{command:#04x}") },
        }
    }

    /// Decodes bytes from the robot: notifications are kept for the child, and the response to
    /// `request` (if any) is returned.
    fn take_in(&mut self, now: f64, bytes: &[u8], request: Option<&Packet>) -> Option<Packet> {
        let mut reply = None;
        for received in self.decoder.push(bytes) {
            match received {
                Ok(packet) => {
                    self.record(now, "rx", &packet.encode(), &packet);
                    if request.is_some_and(|r| packet.answers(r)) {
                        reply = Some(packet);
                    } else if packet.is_async() {
                        self.events.push(packet);
                    }
                }
                Err(e) => self.errors.push(format!("a malformed packet from the robot: {e}")),
            }
        }
        reply
    }

    fn record(&mut self, t: f64, dir: &str, framed: &[u8], packet: &Packet) {
        let Some(trace) = &mut self.trace else { return };
        let line = json!({
            "t": (t * 1e6).round() / 1e6,
            "dir": dir,
            "hex": hex::encode(framed),
            "did": packet.device,
            "cid": packet.command,
            "seq": packet.seq,
            "tid": packet.target,
            "sid": packet.source,
            "err": packet.error.map(u8::from),
            "data": hex::encode(&packet.data),
        });
        let _ = writeln!(trace, "{line}");
    }

    fn report(&mut self) -> DeviceReport {
        self.sim.advance(self.started.elapsed().as_secs_f64());
        let SimState { heading, speed, x, y, .. } = self.sim.state;
        DeviceReport {
            name: self.name.clone(),
            heading,
            speed,
            x_cm: (x * 10.0).round() / 10.0,
            y_cm: (y * 10.0).round() / 10.0,
            packets_sent: self.sent,
            errors: std::mem::take(&mut self.errors),
        }
    }
}
