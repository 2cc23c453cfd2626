//! `moss device scan` and `moss device info`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::DeviceAction;
use crate::cli::style;
use crate::device::ble;
use crate::device::{self, DeviceSpec};
use crate::error::Problem;

pub fn run(action: &DeviceAction) -> u8 {
    let outcome = match action {
        DeviceAction::Scan { timeout } => scan(Duration::from_secs_f64(*timeout)),
        DeviceAction::Info { device } => info(device),
    };
    match outcome {
        Ok(()) => 0,
        Err(problem) => {
            style::error(&problem.message, problem.hint.as_deref());
            5
        }
    }
}

fn scan(timeout: Duration) -> Result<(), Problem> {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("a valid template"));
        spinner.set_message(format!("looking for Sphero BOLTs for {} s", timeout.as_secs_f64()));
        spinner.enable_steady_tick(Duration::from_millis(100));
        spinner
    });
    let found = ble::scan(timeout);
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let found = found?;
    if found.is_empty() {
        style::note("no BOLT found; switch one on and bring it near");
    }
    for bolt in found {
        let signal = bolt.rssi.map_or_else(|| "signal unknown".to_owned(), |rssi| format!("{rssi} dBm"));
        println!("{}  {}  {signal}", bolt.name, bolt.address);
    }
    Ok(())
}

fn info(spec: &DeviceSpec) -> Result<(), Problem> {
    let info = device::info(spec)?;
    println!("name      {}", info.name);
    match (info.battery_percent, info.battery_volts) {
        (Some(percent), Some(volts)) => println!("battery   {percent} % ({volts:.2} V)"),
        (Some(percent), None) => println!("battery   {percent} %"),
        (None, Some(volts)) => println!("battery   {volts:.2} V"),
        (None, None) => println!("battery   unknown"),
    }
    println!("firmware  {}", info.firmware.as_deref().unwrap_or("unknown"));
    Ok(())
}
