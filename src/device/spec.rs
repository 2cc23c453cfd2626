//! `--device SPEC`: which robot a run drives. The words are parsed here and nowhere else, wherever
//! they were written (the flag, `MOSS_DEVICE`, the configuration's `device`, a journaled or pinned
//! run); each of those places only says, when they are no device, where they were written.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::device::ble::Selector;
use crate::error::Problem;

/// A device spec as it was written, with the robot it names. It travels (to a test worker, a
/// warm server, the run journal) as the words written, so that what a run records is what the
/// user typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSpec {
    written: String,
    device: Device,
}

/// The robot a spec names.
#[derive(Debug, Clone, PartialEq)]
pub enum Device {
    /// The simulator; `drop_at` drops the ball that many seconds into the run.
    Sim {
        name: String,
        drop_at: Option<f64>,
    },
    Bolt(Selector),
}

/// Why words are no device spec: what is wrong, and the forms that are right.
#[derive(Debug, Clone, PartialEq)]
pub struct NotADevice {
    pub problem: String,
    pub fix: &'static str,
}

impl From<NotADevice> for Problem {
    fn from(e: NotADevice) -> Problem {
        Problem::hinted(e.problem, e.fix)
    }
}

const FORMS: &str =
    "use sim, sim:NAME, sim?drop=SECONDS, bolt, a BOLT's name (SB-1A2B) or its address (AA:BB:CC:DD:EE:FF)";

impl DeviceSpec {
    /// `sim`, `sim:NAME`, `bolt` (the first BOLT found), `SB-1A2B` (by name) or
    /// `AA:BB:CC:DD:EE:FF` (by address). A simulator takes the scenario `?drop=SECS`.
    pub fn parse(written: &str) -> Result<DeviceSpec, NotADevice> {
        Ok(DeviceSpec { written: written.to_owned(), device: device(written)? })
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// A real BOLT becomes the simulator `sim`: for running again what once drove a robot, where
    /// none may be driven.
    pub fn simulated(&self) -> DeviceSpec {
        match self.device {
            Device::Sim { .. } => self.clone(),
            Device::Bolt(_) => DeviceSpec::parse("sim").expect("`sim` is a device"),
        }
    }
}

fn device(spec: &str) -> Result<Device, NotADevice> {
    if let Some((sim, scenario)) = spec.split_once('?') {
        let drop_at = scenario
            .strip_prefix("drop=")
            .and_then(|secs| secs.parse::<f64>().ok())
            .filter(|secs| secs.is_finite() && *secs >= 0.0)
            .ok_or_else(|| NotADevice {
                problem: format!("`{scenario}` is not a simulator scenario"),
                fix: "the one scenario is ?drop=SECONDS, such as sim?drop=1.5",
            })?;
        return match device(sim)? {
            Device::Sim { name, .. } => Ok(Device::Sim { name, drop_at: Some(drop_at) }),
            Device::Bolt(_) => Err(NotADevice {
                problem: format!("`{spec}`: only the simulator takes a scenario"),
                fix: "drop the ?... part, or use sim?drop=SECONDS",
            }),
        };
    }
    let is_address = spec.split(':').count() == 6
        && spec.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    match spec.split_once(':') {
        _ if spec == "sim" => Ok(Device::Sim { name: "SB-0000".into(), drop_at: None }),
        _ if spec == "bolt" => Ok(Device::Bolt(Selector::First)),
        _ if spec.to_ascii_uppercase().starts_with("SB-") => {
            Ok(Device::Bolt(Selector::Name(spec.to_ascii_uppercase())))
        }
        _ if is_address => Ok(Device::Bolt(Selector::Address(spec.to_ascii_uppercase()))),
        Some(("sim", name)) if !name.is_empty() => Ok(Device::Sim { name: name.into(), drop_at: None }),
        _ => Err(NotADevice { problem: format!("`{spec}` is not a device"), fix: FORMS }),
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl Serialize for DeviceSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.written)
    }
}

impl<'de> Deserialize<'de> for DeviceSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = String::deserialize(deserializer)?;
        DeviceSpec::parse(&written).map_err(|e| serde::de::Error::custom(e.problem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_keeps_the_words_written_and_names_its_robot() {
        let spec = DeviceSpec::parse("sb-1a2b").unwrap();
        assert_eq!(spec.to_string(), "sb-1a2b");
        assert_eq!(spec.device(), &Device::Bolt(Selector::Name("SB-1A2B".into())));
        let sim = DeviceSpec::parse("sim:X?drop=0.5").unwrap();
        assert_eq!(sim.device(), &Device::Sim { name: "X".into(), drop_at: Some(0.5) });
        assert_eq!(serde_json::to_value(&sim).unwrap(), "sim:X?drop=0.5");
        assert_eq!(serde_json::from_value::<DeviceSpec>("sim:X?drop=0.5".into()).unwrap(), sim);
    }

    #[test]
    fn words_that_are_no_device_say_which_forms_are() {
        for bad in ["toaster", "sim:", "bolt?drop=1", "sim?drop=-1", "sim?fast"] {
            let error = DeviceSpec::parse(bad).unwrap_err();
            assert!(!error.fix.is_empty(), "{bad}");
            assert!(serde_json::from_value::<DeviceSpec>(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_real_bolt_runs_again_on_the_simulator() {
        assert_eq!(DeviceSpec::parse("AA:BB:CC:DD:EE:FF").unwrap().simulated().as_str(), "sim");
        assert_eq!(DeviceSpec::parse("sim:X").unwrap().simulated().as_str(), "sim:X");
    }
}
