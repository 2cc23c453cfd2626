//! `--device SPEC`: which robot a run drives, parsed once from the words a user types.

use crate::device::ble::Selector;

#[derive(Debug, Clone, PartialEq)]
pub enum DeviceSpec {
    /// The simulator; `drop_at` drops the ball that many seconds into the run.
    Sim {
        name: String,
        drop_at: Option<f64>,
    },
    Bolt(Selector),
}

impl DeviceSpec {
    /// `sim`, `sim:NAME`, `bolt` (the first BOLT found), `SB-1A2B` (by name) or
    /// `AA:BB:CC:DD:EE:FF` (by address). A simulator takes the scenario `?drop=SECS`.
    pub fn parse(spec: &str) -> Result<DeviceSpec, String> {
        if let Some((sim, scenario)) = spec.split_once('?') {
            let drop_at = scenario
                .strip_prefix("drop=")
                .and_then(|secs| secs.parse::<f64>().ok())
                .filter(|secs| secs.is_finite() && *secs >= 0.0)
                .ok_or_else(|| {
                    format!("`{scenario}` is not a simulator scenario\nhint: the one scenario is ?drop=SECONDS")
                })?;
            return match DeviceSpec::parse(sim)? {
                DeviceSpec::Sim { name, .. } => Ok(DeviceSpec::Sim { name, drop_at: Some(drop_at) }),
                DeviceSpec::Bolt(_) => Err(format!("`{spec}`: only the simulator takes a scenario")),
            };
        }
        let is_address = spec.split(':').count() == 6
            && spec.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
        match spec.split_once(':') {
            _ if spec == "sim" => Ok(DeviceSpec::Sim { name: "SB-0000".into(), drop_at: None }),
            _ if spec == "bolt" => Ok(DeviceSpec::Bolt(Selector::First)),
            _ if spec.to_ascii_uppercase().starts_with("SB-") => {
                Ok(DeviceSpec::Bolt(Selector::Name(spec.to_ascii_uppercase())))
            }
            _ if is_address => Ok(DeviceSpec::Bolt(Selector::Address(spec.to_ascii_uppercase()))),
            Some(("sim", name)) if !name.is_empty() => Ok(DeviceSpec::Sim { name: name.into(), drop_at: None }),
            _ => Err(format!(
                "`{spec}` is not a device\nhint: use sim, sim:NAME, bolt, a BOLT's name (SB-1A2B) or its address (AA:BB:CC:DD:EE:FF)"
            )),
        }
    }
}
