//! A real BOLT over Bluetooth LE, through btleplug (BlueZ on Linux): finding it, connecting,
//! the unlock write, notifications, and chunked, paced writes. Every failure is a sentence
//! naming the cause and the fix, for exit 5.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use btleplug::api::{Central, CentralEvent, Characteristic, Manager as _, Peripheral as _, ScanFilter, WriteType};
use btleplug::platform::{Adapter, Manager, Peripheral};
use futures_util::StreamExt;
use uuid::Uuid;

use crate::device::packet::BLE_CHUNK;
use crate::error::Problem;

const API_SERVICE: Uuid = Uuid::from_u128(0x00010001_574f_4f20_5370_6865726f2121);
const API_CHARACTERISTIC: Uuid = Uuid::from_u128(0x00010002_574f_4f20_5370_6865726f2121);
const UNLOCK_CHARACTERISTIC: Uuid = Uuid::from_u128(0x00020005_574f_4f20_5370_6865726f2121);
const UNLOCK: &[u8] = b"usetheforce...band";
/// A BOLT drops commands that come faster than this.
const PACE: Duration = Duration::from_millis(75);

/// Which robot to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The first `SB-…` found.
    First,
    Name(String),
    Address(String),
}

impl Selector {
    fn matches(&self, name: Option<&str>, address: &str) -> bool {
        let is_bolt = name.is_some_and(|n| n.starts_with("SB-"));
        match self {
            Selector::First => is_bolt,
            Selector::Name(wanted) => name.is_some_and(|n| n.eq_ignore_ascii_case(wanted)),
            Selector::Address(wanted) => address.eq_ignore_ascii_case(wanted),
        }
    }

    fn describe(&self) -> String {
        match self {
            Selector::First => "a Sphero BOLT (SB-…)".into(),
            Selector::Name(name) => format!("the BOLT named {name}"),
            Selector::Address(address) => format!("the BOLT at {address}"),
        }
    }
}

pub struct Found {
    pub name: String,
    pub address: String,
    pub rssi: Option<i16>,
}

pub struct BleBolt {
    runtime: tokio::runtime::Runtime,
    peripheral: Peripheral,
    api: Characteristic,
    incoming: mpsc::Receiver<Vec<u8>>,
    last_write: Option<Instant>,
    pub name: String,
}

fn runtime() -> Result<tokio::runtime::Runtime, Problem> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Problem::new(format!("cannot start the Bluetooth runtime: {e}")))
}

/// The first Bluetooth adapter, or why there is none.
async fn adapter() -> Result<Adapter, Problem> {
    let manager = Manager::new().await.map_err(explain)?;
    let adapters = manager.adapters().await.map_err(explain)?;
    adapters.into_iter().next().ok_or_else(no_adapter)
}

/// The BOLTs advertising within `timeout`.
pub fn scan(timeout: Duration) -> Result<Vec<Found>, Problem> {
    let rt = runtime()?;
    rt.block_on(async {
        let adapter = adapter().await?;
        adapter.start_scan(ScanFilter { services: vec![API_SERVICE] }).await.map_err(explain)?;
        tokio::time::sleep(timeout).await;
        let mut found = Vec::new();
        for peripheral in adapter.peripherals().await.map_err(explain)? {
            let Ok(Some(properties)) = peripheral.properties().await else { continue };
            if let Some(name) = properties.local_name.filter(|n| n.starts_with("SB-")) {
                found.push(Found { name, address: properties.address.to_string(), rssi: properties.rssi });
            }
        }
        let _ = adapter.stop_scan().await;
        found.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(found)
    })
}

/// Finds and connects to the robot within `deadline`, unlocks it and subscribes to its answers.
pub fn connect(selector: &Selector, deadline: Duration) -> Result<BleBolt, Problem> {
    let rt = runtime()?;
    let started = Instant::now();
    let (peripheral, name, api, incoming) = rt.block_on(async {
        let adapter = adapter().await?;
        let mut events = adapter.events().await.map_err(explain)?;
        adapter.start_scan(ScanFilter { services: vec![API_SERVICE] }).await.map_err(explain)?;
        let found = tokio::time::timeout(deadline, async {
            loop {
                for peripheral in adapter.peripherals().await.map_err(explain)? {
                    if let Ok(Some(p)) = peripheral.properties().await
                        && selector.matches(p.local_name.as_deref(), &p.address.to_string())
                    {
                        return Ok::<_, Problem>((peripheral, p.local_name.unwrap_or_default()));
                    }
                }
                if let Some(CentralEvent::DeviceDiscovered(_)) = events.next().await {}
            }
        })
        .await;
        let _ = adapter.stop_scan().await;
        let (peripheral, name) = found.map_err(|_| {
            Problem::hinted(
                format!("{} was not found within {} s", selector.describe(), deadline.as_secs()),
                "switch it on and bring it near; `moss device scan` lists the BOLTs in range",
            )
        })??;
        let left = deadline.saturating_sub(started.elapsed()).max(Duration::from_secs(1));
        peripheral
            .connect_with_timeout(left)
            .await
            .map_err(|e| explain(e).after(&format!("cannot connect to {name}")))?;
        peripheral.discover_services().await.map_err(explain)?;
        let characteristics = peripheral.characteristics();
        let find = |uuid: Uuid| characteristics.iter().find(|c| c.uuid == uuid).cloned();
        let (Some(api), Some(unlock)) = (find(API_CHARACTERISTIC), find(UNLOCK_CHARACTERISTIC)) else {
            return Err(Problem::new(format!(
                "{name} does not offer the Sphero API v2 characteristics; is it a BOLT?"
            )));
        };
        // Subscribe before the first write, so that no early answer is lost.
        let mut notifications = peripheral.notifications().await.map_err(explain)?;
        peripheral.write(&unlock, UNLOCK, WriteType::WithResponse).await.map_err(explain)?;
        peripheral.subscribe(&api).await.map_err(explain)?;
        let (tx, rx) = mpsc::channel();
        tokio::spawn(async move {
            while let Some(value) = notifications.next().await {
                if value.uuid == API_CHARACTERISTIC && tx.send(value.value).is_err() {
                    break;
                }
            }
        });
        Ok::<_, Problem>((peripheral, name, api, rx))
    })?;
    Ok(BleBolt { runtime: rt, peripheral, api, incoming, last_write: None, name })
}

impl BleBolt {
    /// Writes one framed packet in 20-byte chunks, no sooner than PACE after the previous one.
    pub fn write(&mut self, framed: &[u8]) -> Result<(), Problem> {
        if let Some(wait) = self.last_write.map(|at| PACE.saturating_sub(at.elapsed())) {
            std::thread::sleep(wait);
        }
        self.last_write = Some(Instant::now());
        let (peripheral, api) = (&self.peripheral, &self.api);
        self.runtime.block_on(async {
            for chunk in framed.chunks(BLE_CHUNK) {
                peripheral
                    .write(api, chunk, WriteType::WithResponse)
                    .await
                    .map_err(|e| explain(e).after(&format!("the connection to {} was lost", self.name)))?;
            }
            Ok(())
        })
    }

    /// Bytes the robot sent, waiting up to `timeout` for the first of them.
    pub fn read(&mut self, timeout: Duration) -> Vec<u8> {
        // The notification task runs on this thread's runtime: let it run while waiting.
        let incoming = &self.incoming;
        self.runtime.block_on(async {
            let until = Instant::now() + timeout;
            let mut bytes = Vec::new();
            loop {
                while let Ok(chunk) = incoming.try_recv() {
                    bytes.extend(chunk);
                }
                if !bytes.is_empty() || Instant::now() >= until {
                    return bytes;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    }

    pub fn disconnect(self) {
        let _ = self.runtime.block_on(self.peripheral.disconnect());
    }
}

/// A btleplug error as the cause a user can act on.
fn explain(error: btleplug::Error) -> Problem {
    let text = error.to_string();
    if text.contains("system_bus_socket") {
        Problem::hinted(
            "the system D-Bus is not running, so BlueZ cannot be reached",
            "start dbus and bluetoothd (for example `systemctl start bluetooth`), or use --device sim",
        )
    } else if text.contains("org.bluez") {
        Problem::hinted(
            "BlueZ (bluetoothd) is not running",
            "install and start it (`apt-get install bluez`, `systemctl start bluetooth`), or use --device sim",
        )
    } else if matches!(error, btleplug::Error::NoAdapterAvailable) {
        no_adapter()
    } else if matches!(error, btleplug::Error::PermissionDenied) {
        Problem::hinted(
            "permission to use Bluetooth was denied",
            "add yourself to the `bluetooth` group, or run as a user BlueZ allows",
        )
    } else {
        Problem::new(text)
    }
}

fn no_adapter() -> Problem {
    Problem::hinted("no Bluetooth adapter was found", "plug one in, or check `bluetoothctl list`")
}
