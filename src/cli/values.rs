//! The values of flags that clap does not parse itself: seconds, sizes and device specs.

use crate::device::DeviceSpec;
use crate::error::Problem;

pub(crate) fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds = text.parse::<f64>().map_err(|_| format!("`{text}` is not a positive number of seconds"))?;
    crate::project::config::check_timeout(seconds)
}

/// `1048576`, `512K`, `300M` or `2G` (powers of 1024).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("`{text}` is not a size; write bytes or use K, M or G (300M)")),
    };
    match digits.parse::<u64>().ok().and_then(|n| n.checked_shl(shift).filter(|v| v >> shift == n)) {
        Some(size) if size > 0 => Ok(size),
        _ => Err(format!("`{text}` is not a positive size such as 300M")),
    }
}

/// `--device SPEC`: refused as the command line's mistake (exit 2) before anything runs. The
/// command line shows the refusal as one string, so its hint rides in it on a line of its own.
pub(crate) fn parse_device(text: &str) -> Result<DeviceSpec, String> {
    DeviceSpec::parse(text).map_err(|e| Problem::from(e).to_text())
}
