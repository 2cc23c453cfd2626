//! A run's output and report, read from their pipes as they come.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How often a waiting thread looks for an interrupt or an order to stop.
pub(crate) const WAKE_UP: Duration = Duration::from_millis(50);

/// Output kept within a limit: everything up to half of it, then the most recent bytes.
#[derive(Default)]
pub struct Kept {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
    limit: Option<usize>,
}

impl Kept {
    fn push(&mut self, bytes: &[u8]) {
        let Some(limit) = self.limit else {
            self.head.extend_from_slice(bytes);
            return;
        };
        let room = (limit / 2).saturating_sub(self.head.len());
        let (first, rest) = bytes.split_at(room.min(bytes.len()));
        self.head.extend_from_slice(first);
        self.tail.extend(rest);
        let over = self.tail.len().saturating_sub(limit - limit / 2);
        self.tail.drain(..over);
        self.dropped += over as u64;
    }

    /// Everything read so far, of output kept without a limit.
    pub fn unlimited(&self) -> &[u8] {
        &self.head
    }

    pub fn into_bytes(self) -> Vec<u8> {
        let mut bytes = self.head;
        if self.dropped > 0 {
            bytes.extend(
                format!(
                    "\n[moss: {} bytes of output dropped here; --max-output keeps the first and last {} bytes]\n",
                    self.dropped,
                    self.limit.unwrap_or(0) / 2
                )
                .bytes(),
            );
        }
        bytes.extend(self.tail);
        bytes
    }
}

/// Reads `fd` to its end on a thread, keeping what `limit` allows and copying everything to
/// `tee` as it comes; the thread calls `done` as it ends, and ends early once told to `stop` (a
/// process the code left may hold the pipe open forever).
pub fn capture(
    fd: OwnedFd,
    mut tee: Option<Box<dyn Write + Send>>,
    limit: Option<usize>,
    stop: Arc<AtomicBool>,
    done: impl FnOnce() + Send + 'static,
) -> (Arc<Mutex<Kept>>, thread::JoinHandle<()>) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let buffer = Arc::new(Mutex::new(Kept { limit, ..Kept::default() }));
    let sink = Arc::clone(&buffer);
    let reader = thread::spawn(move || {
        let mut file = File::from(fd);
        let mut chunk = [0u8; 8192];
        let nap = PollTimeout::try_from(WAKE_UP.as_millis() as i32).unwrap_or(PollTimeout::MAX);
        while !stop.load(Ordering::SeqCst) {
            let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
            if matches!(poll(&mut fds, nap), Ok(0) | Err(nix::errno::Errno::EINTR)) {
                continue;
            }
            match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    sink.lock().unwrap().push(&chunk[..n]);
                    if let Some(out) = tee.as_mut() {
                        // A closed reader of our own output (`| head`) must not stop the capture.
                        if out.write_all(&chunk[..n]).and_then(|_| out.flush()).is_err() {
                            tee = None;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        done();
    });
    (buffer, reader)
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn output_over_the_limit_keeps_head_and_tail_and_says_how_much_was_dropped() {
        let mut kept = Kept { limit: Some(10), ..Kept::default() };
        for chunk in [&b"abc"[..], b"defgh", b"ijklmnop", b"qrst"] {
            kept.push(chunk);
        }
        let text = String::from_utf8(kept.into_bytes()).unwrap();
        assert!(text.starts_with("abcde\n[moss: 10 bytes of output dropped here"), "{text}");
        assert!(text.ends_with("]\npqrst"), "{text}");
    }

    #[test]
    fn output_within_the_limit_is_kept_whole() {
        let mut kept = Kept { limit: Some(100), ..Kept::default() };
        kept.push(b"hello");
        assert_eq!(kept.into_bytes(), b"hello");
    }
}
