//! `--device`: the robot a run drives, served from the parent process.
//!
//! The generated code runs in a child; its `Ball` and `LedMatrix` calls arrive here over a
//! socket as (device, command, target, data). This side numbers, frames and sends the packets,
//! matches the responses, keeps async notifications for the child to poll, writes the trace, and
//! stops the robot when the child is gone, however it ended.

pub(crate) mod ble;
pub mod packet;
pub(crate) mod picture;
pub mod sim;
pub(crate) mod spec;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::device::ble::BleBolt;
use crate::device::packet::{BLE_CHUNK, Decoder, ErrorCode, Packet, SeqCounter, TARGET_SECONDARY};
use crate::device::picture::LiveView;
use crate::device::sim::{ARENA_HALF_WIDTH_CM, SimBolt, SimState};
pub use crate::device::spec::{Device, DeviceSpec};
use crate::error::Problem;
use crate::json_lines;
use crate::run::supervisor::Companion;

/// How long finding and connecting to a real robot may take before the run gives up (exit 5).
pub const CONNECT_DEADLINE: Duration = Duration::from_secs(15);
/// How long to wait for a real robot's answer, and how often to ask again.
const ANSWER_WAIT: Duration = Duration::from_secs(1);
const ATTEMPTS: usize = 3;

/// A connection to a robot that answers over the air: writes go out, notifications come back
/// split and joined arbitrarily. The Bluetooth transport is one; tests use others.
pub trait Link: Send {
    /// Writes one framed packet.
    fn write(&mut self, framed: &[u8]) -> Result<(), Problem>;
    /// Bytes the robot sent, waiting up to `timeout` for the first of them.
    fn read(&mut self, timeout: Duration) -> Vec<u8>;
    fn close(self: Box<Self>);
}

impl Link for BleBolt {
    fn write(&mut self, framed: &[u8]) -> Result<(), Problem> {
        BleBolt::write(self, framed)
    }

    fn read(&mut self, timeout: Duration) -> Vec<u8> {
        BleBolt::read(self, timeout)
    }

    fn close(self: Box<Self>) {
        self.disconnect();
    }
}

/// The robot behind the host: the in-process simulator, or one over a link (connected once the
/// run starts).
enum Robot {
    Sim(Box<SimBolt>),
    Remote(Box<dyn Link>),
    Unreachable(Problem),
}

/// One request from the child, one JSON object per line. `at` is the driver's simulated time,
/// sent only to the simulated BOLT (see `Reply::Clock`).
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    Call {
        device: u8,
        command: u8,
        target: Option<u8>,
        data: Vec<u8>,
        #[serde(default)]
        at: Option<f64>,
    },
    Events {
        #[serde(default)]
        at: Option<f64>,
    },
    /// Which clock the robot lives by.
    Clock,
}

/// The answer to a request.
#[derive(Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "lowercase")]
pub enum Reply {
    Done {
        error: u8,
        message: String,
        data: Vec<u8>,
    },
    Events {
        events: Vec<(u8, u8, Vec<u8>)>,
    },
    Failed {
        message: String,
    },
    /// The simulated BOLT runs on simulated time: the driver's waits, added up and sent as `at`,
    /// so a run drives the same path every time however busy the machine. A real one runs on
    /// the host's clock.
    Clock {
        simulated: bool,
    },
}

/// What the parent knows of the device after the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceReport {
    pub name: String,
    /// The last heading and speed commanded (for the simulator, its state).
    pub heading: u16,
    pub speed: u8,
    /// Where the simulated ball is, in cm from the start (unknown for a real one).
    pub x_cm: Option<f64>,
    pub y_cm: Option<f64>,
    pub packets_sent: usize,
    pub errors: Vec<String>,
    /// Why a real robot could not be reached: the run then fails with exit 5.
    #[serde(default, with = "crate::error::problem_text", skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<Problem>,
}

/// What a run records of its device besides driving it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outputs {
    pub trace: Option<PathBuf>,
    /// A PNG of the simulated matrix and path, written when the run ends.
    pub png: Option<PathBuf>,
    /// Show the simulated matrix and status on the terminal as they change.
    pub live: bool,
}

impl Outputs {
    /// Refuses, before anything runs, an output file whose folder does not exist: that is the
    /// caller's mistake, not the robot's, and must not cost a run.
    pub fn check(&self) -> Result<(), Problem> {
        for (flag, path) in [("--device-trace", &self.trace), ("--device-png", &self.png)] {
            let Some(path) = path else { continue };
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            if !folder.is_dir() {
                return Err(Problem::hinted(
                    format!("{flag} {}: the folder {} does not exist", path.display(), folder.display()),
                    "create it first, or write the file elsewhere",
                ));
            }
        }
        Ok(())
    }
}

/// A run's robot and what to record of it, set up by whichever process supervises the run:
/// moss itself, or the warm server that runs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    pub spec: DeviceSpec,
    pub outputs: Outputs,
}

impl Setup {
    /// The companion that serves the robot to a child, and where its report arrives.
    pub fn start(self) -> Result<(Companion, mpsc::Receiver<DeviceReport>), Problem> {
        companion(&self.spec, self.outputs).map_err(|e| Problem::new(format!("cannot set up the device: {e}")))
    }
}

/// Starts serving `spec` for a child: the child's end of the socket, the serving work to run
/// in the parent, and where its report arrives when the child is gone.
pub fn companion(spec: &DeviceSpec, outputs: Outputs) -> std::io::Result<(Companion, mpsc::Receiver<DeviceReport>)> {
    let (ours, theirs) = UnixStream::pair()?;
    let trace = match &outputs.trace {
        Some(path) => Some(BufWriter::new(File::create(path).map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot write the device trace {}: {e}", path.display()))
        })?)),
        None => None,
    };
    let spec = spec.clone();
    let (tx, rx) = mpsc::channel();
    let serve = move || {
        let mut host = Host::open(&spec, trace);
        host.png = outputs.png;
        host.live = outputs.live.then(LiveView::new);
        host.serve(ours);
        let _ = tx.send(host.report());
    };
    Ok((Companion { child_end: theirs.into(), serve: Box::new(serve) }, rx))
}

struct Host {
    name: String,
    robot: Robot,
    png: Option<PathBuf>,
    live: Option<LiveView>,
    heading: u16,
    speed: u8,
    decoder: Decoder,
    seq: SeqCounter,
    started: Instant,
    /// The simulator's clock: the latest simulated time the driver sent (None for a real robot).
    simulated_now: Option<f64>,
    trace: Option<BufWriter<File>>,
    events: Vec<Packet>,
    sent: usize,
    errors: Vec<String>,
}

/// Battery and firmware of a device, for `moss device info`.
pub struct Info {
    pub name: String,
    pub battery_volts: Option<f64>,
    pub battery_percent: Option<u8>,
    pub firmware: Option<String>,
}

/// Connects to the device, asks what `moss device info` shows, and disconnects.
pub fn info(spec: &DeviceSpec) -> Result<Info, Problem> {
    let mut host = Host::open(spec, None);
    if let Robot::Unreachable(problem) = &host.robot {
        return Err(problem.clone());
    }
    let mut ask = |device: u8, command: u8, target: Option<u8>| match host.call(device, command, target, Vec::new()) {
        Reply::Done { error: 0, data, .. } => Some(data),
        _ => None,
    };
    ask(0x13, 0x0D, None);
    let battery_volts =
        ask(0x13, 0x03, None).filter(|d| d.len() == 2).map(|d| f64::from(u16::from_be_bytes([d[0], d[1]])) / 100.0);
    let battery_percent = ask(0x13, 0x10, None).and_then(|d| d.first().copied());
    let version = |d: Vec<u8>| {
        (d.len() == 6).then(|| {
            format!(
                "{}.{}.{}",
                u16::from_be_bytes([d[0], d[1]]),
                u16::from_be_bytes([d[2], d[3]]),
                u16::from_be_bytes([d[4], d[5]])
            )
        })
    };
    let firmware = ask(0x11, 0x00, Some(TARGET_SECONDARY)).and_then(version);
    let name = host.name.clone();
    host.close();
    Ok(Info { name, battery_volts, battery_percent, firmware })
}

impl Host {
    fn open(spec: &DeviceSpec, trace: Option<BufWriter<File>>) -> Host {
        let (name, robot) = match spec.device() {
            Device::Sim { name, drop_at } => {
                let mut sim = SimBolt::new();
                sim.drop_at = *drop_at;
                (name.clone(), Robot::Sim(Box::new(sim)))
            }
            Device::Bolt(selector) => match ble::connect(selector, CONNECT_DEADLINE) {
                Ok(bolt) => (bolt.name.clone(), Robot::Remote(Box::new(bolt))),
                Err(problem) => (String::new(), Robot::Unreachable(problem)),
            },
        };
        let mut host = Host::with(name, robot, trace);
        if matches!(host.robot, Robot::Sim(_)) {
            host.simulated_now = Some(0.0);
        }
        host
    }

    fn with(name: String, robot: Robot, trace: Option<BufWriter<File>>) -> Host {
        Host {
            name,
            robot,
            decoder: Decoder::new(),
            seq: SeqCounter::new(),
            started: Instant::now(),
            simulated_now: None,
            trace,
            events: Vec::new(),
            sent: 0,
            errors: Vec::new(),
            heading: 0,
            speed: 0,
            png: None,
            live: None,
        }
    }

    fn serve(&mut self, stream: UnixStream) {
        // What a real connection does first: wake the robot.
        self.call(0x13, 0x0D, None, Vec::new());
        if let Ok(reader) = stream.try_clone() {
            let (mut reader, mut writer) = (BufReader::new(reader), stream);
            loop {
                let reply = match json_lines::read::<Request>(&mut reader) {
                    Ok(Request::Call { device, command, target, data, at }) => {
                        self.follow(at);
                        self.call(device, command, target, data)
                    }
                    Ok(Request::Events { at }) => {
                        self.follow(at);
                        let now = self.now();
                        let raised = match &mut self.robot {
                            Robot::Sim(sim) => sim.tick(now),
                            Robot::Remote(link) => link.read(Duration::ZERO),
                            Robot::Unreachable(_) => Vec::new(),
                        };
                        self.take_in(now, &raised, None);
                        Reply::Events { events: self.events.drain(..).map(|p| (p.device, p.command, p.data)).collect() }
                    }
                    Ok(Request::Clock) => Reply::Clock { simulated: matches!(self.robot, Robot::Sim(_)) },
                    Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                        Reply::Failed { message: format!("a malformed device request: {e}") }
                    }
                    Err(_) => break,
                };
                if json_lines::write(&mut writer, &reply).and_then(|_| writer.flush()).is_err() {
                    break;
                }
            }
        }
        // The child is gone, whatever happened to it: a robot is never left rolling.
        let heading = self.heading;
        self.call(0x16, 0x07, Some(TARGET_SECONDARY), vec![0, (heading >> 8) as u8, heading as u8, 0]);
        self.close();
    }

    /// Takes the driver's simulated time, for the simulator only; it never runs backwards.
    fn follow(&mut self, at: Option<f64>) {
        if let (Some(at), Robot::Sim(_)) = (at, &self.robot) {
            self.simulated_now = Some(self.simulated_now.map_or(at, |now| now.max(at)));
        }
    }

    /// Seconds since the connection: simulated for the simulator, real for a real robot.
    fn now(&self) -> f64 {
        self.simulated_now.unwrap_or_else(|| self.started.elapsed().as_secs_f64())
    }

    fn close(&mut self) {
        let now = self.now();
        if let Some(trace) = &mut self.trace {
            let _ = trace.flush();
        }
        if let Robot::Sim(sim) = &mut self.robot {
            sim.advance(now);
            if let Some(live) = &mut self.live {
                live.draw(&self.name, &sim.state, true);
            }
            if let Some(path) = &self.png
                && let Err(e) = picture::write_png(&sim.state, ARENA_HALF_WIDTH_CM, path)
            {
                self.errors.push(format!("cannot write {}: {e}", path.display()));
            }
        }
        if matches!(self.robot, Robot::Remote(_))
            && let Robot::Remote(link) = std::mem::replace(&mut self.robot, Robot::Unreachable(Problem::new("")))
        {
            link.close();
        }
    }

    fn call(&mut self, device: u8, command: u8, target: Option<u8>, data: Vec<u8>) -> Reply {
        if let Robot::Unreachable(problem) = &self.robot {
            return Reply::Failed { message: problem.message.clone() };
        }
        if (device, command, data.len()) == (0x16, 0x07, 4) {
            (self.speed, self.heading) = (data[0], u16::from_be_bytes([data[1], data[2]]));
        }
        let request = Packet::request(device, command, self.seq.next_seq(), target, data);
        let framed = request.encode();
        self.sent += 1;
        for _ in 0..ATTEMPTS {
            let now = self.now();
            self.record(now, "tx", &framed, &request);
            let answered = match &mut self.robot {
                Robot::Sim(sim) => {
                    let answer: Vec<u8> =
                        packet::chunks(&framed, BLE_CHUNK).flat_map(|chunk| sim.receive(chunk, now)).collect();
                    self.take_in(now, &answer, Some(&request))
                }
                Robot::Remote(link) => match link.write(&framed) {
                    Err(problem) => {
                        let message = problem.message.clone();
                        self.robot = Robot::Unreachable(problem);
                        return Reply::Failed { message };
                    }
                    Ok(()) => self.await_answer(&request),
                },
                Robot::Unreachable(problem) => return Reply::Failed { message: problem.message.clone() },
            };
            if let (Some(live), Robot::Sim(sim)) = (&mut self.live, &self.robot) {
                live.draw(&self.name, &sim.state, false);
            }
            if let Some(reply) = answered {
                let error = reply.error.unwrap_or(ErrorCode::Success);
                if error != ErrorCode::Success {
                    self.errors.push(format!("{device:#04x}/{command:#04x}: {error}"));
                }
                return Reply::Done { error: u8::from(error), message: error.to_string(), data: reply.data };
            }
        }
        Reply::Failed {
            message: format!("the robot did not answer command {device:#04x}/{command:#04x} after {ATTEMPTS} tries"),
        }
    }

    /// Reads from a real robot until it answers `request` or ANSWER_WAIT passes.
    fn await_answer(&mut self, request: &Packet) -> Option<Packet> {
        let until = Instant::now() + ANSWER_WAIT;
        while Instant::now() < until {
            let Robot::Remote(link) = &mut self.robot else { return None };
            let bytes = link.read(until.saturating_duration_since(Instant::now()));
            let now = self.now();
            if let Some(reply) = self.take_in(now, &bytes, Some(request)) {
                return Some(reply);
            }
        }
        None
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
        let _ = json_lines::write(trace, &line);
    }

    fn report(&mut self) -> DeviceReport {
        let unreachable = match &self.robot {
            Robot::Unreachable(problem) if !problem.message.is_empty() => Some(problem.clone()),
            _ => None,
        };
        let (mut heading, mut speed, mut position) = (self.heading, self.speed, None);
        let now = self.now();
        if let Robot::Sim(sim) = &mut self.robot {
            sim.advance(now);
            let SimState { heading: h, speed: s, x, y, .. } = sim.state;
            // To the millimetre; adding 0.0 turns a rounded -0.0 into 0.0.
            let cm = |v: f64| (v * 10.0).round() / 10.0 + 0.0;
            (heading, speed, position) = (h, s, Some((cm(x), cm(y))));
        }
        DeviceReport {
            name: self.name.clone(),
            heading,
            speed,
            x_cm: position.map(|p| p.0),
            y_cm: position.map(|p| p.1),
            packets_sent: self.sent,
            errors: std::mem::take(&mut self.errors),
            unreachable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link to a simulated robot over a lossy, choppy radio: the first `lost` writes vanish,
    /// and the answers come back one byte per read.
    struct ChoppyLink {
        sim: SimBolt,
        lost: usize,
        air: Vec<u8>,
        writes: usize,
    }

    impl Link for ChoppyLink {
        fn write(&mut self, framed: &[u8]) -> Result<(), Problem> {
            self.writes += 1;
            if self.lost > 0 {
                self.lost -= 1;
            } else {
                self.air.extend(self.sim.receive(framed, 0.0));
            }
            Ok(())
        }

        fn read(&mut self, _timeout: Duration) -> Vec<u8> {
            if self.air.is_empty() { Vec::new() } else { vec![self.air.remove(0)] }
        }

        fn close(self: Box<Self>) {}
    }

    fn host(lost: usize) -> Host {
        let link = ChoppyLink { sim: SimBolt::new(), lost, air: Vec::new(), writes: 0 };
        Host::with("SB-TEST".into(), Robot::Remote(Box::new(link)), None)
    }

    #[test]
    fn answers_reassembled_from_single_bytes_are_matched_to_their_request() {
        let mut host = host(0);
        match host.call(0x13, 0x10, None, Vec::new()) {
            Reply::Done { error: 0, data, .. } => assert_eq!(data, vec![87]),
            _ => panic!("no battery answer"),
        }
        assert!(matches!(
            host.call(0x16, 0x07, Some(TARGET_SECONDARY), vec![50, 0, 90, 0]),
            Reply::Done { error: 0, .. }
        ));
        assert_eq!((host.speed, host.heading), (50, 90));
    }

    #[test]
    fn a_lost_write_is_sent_again_with_the_same_sequence_number() {
        let mut host = host(1);
        assert!(matches!(host.call(0x13, 0x0D, None, Vec::new()), Reply::Done { error: 0, .. }));
        assert!(matches!(host.call(0x13, 0x0D, None, Vec::new()), Reply::Done { error: 0, .. }));
    }

    #[test]
    fn a_robot_that_never_answers_fails_after_every_attempt() {
        let mut host = host(usize::MAX);
        match host.call(0x13, 0x0D, None, Vec::new()) {
            Reply::Failed { message } => assert!(message.contains("after 3 tries"), "{message}"),
            _ => panic!("a silent robot must fail the call"),
        }
    }

    #[test]
    fn refused_commands_report_the_robot_error_code() {
        let mut host = host(0);
        match host.call(0x16, 0x07, None, vec![50, 0, 90, 0]) {
            Reply::Done { error, message, .. } => assert_eq!((error, message.as_str()), (9, "bad target id")),
            _ => panic!("expected a refusal"),
        }
        assert_eq!(host.report().errors.len(), 1);
    }
}
