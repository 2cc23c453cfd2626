//! A process's state and parent read from `/proc/PID/stat` without allocating, so that a signal
//! handler may ask: who sent the server a signal (`warm_signals`), which processes a dying run
//! must still kill (`leftovers`).

/// The number `digits` spell, if they are all digits.
pub fn parse_pid(digits: &[u8]) -> Option<nix::libc::pid_t> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |pid, digit| pid * 10 + nix::libc::pid_t::from(digit - b'0')))
}

/// A process's state and parent, from `/proc/PID/stat`. Async-signal-safe.
pub fn state_and_parent(pid: nix::libc::pid_t) -> Option<(u8, nix::libc::pid_t)> {
    use nix::libc;
    let mut path = *b"/proc/\0\0\0\0\0\0\0\0\0\0/stat\0";
    let mut digits = [0u8; 10];
    let mut count = 0;
    let mut rest = pid;
    loop {
        digits[count] = b'0' + (rest % 10) as u8;
        count += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut end = 6;
    for digit in digits[..count].iter().rev() {
        path[end] = *digit;
        end += 1;
    }
    path[end..end + 6].copy_from_slice(b"/stat\0");
    let mut stat = [0u8; 512];
    // SAFETY: open, read and close on buffers of this frame; the path ends in NUL.
    let read = unsafe {
        let fd = libc::open(path.as_ptr().cast(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let read = libc::read(fd, stat.as_mut_ptr().cast(), stat.len());
        libc::close(fd);
        read
    };
    let stat = stat.get(..usize::try_from(read).ok()?)?;
    // `pid (comm) state ppid ...`; comm may itself hold parentheses: the last one ends it.
    let after = stat.iter().rposition(|&b| b == b')')? + 2;
    let state = *stat.get(after)?;
    let parent = stat.get(after + 2..)?.split(|&b| b == b' ').next()?;
    Some((state, parse_pid(parent)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_and_parent_of_a_process_are_read_from_proc() {
        // SAFETY: getpid and getppid cannot fail.
        let (us, ours) = unsafe { (nix::libc::getpid(), nix::libc::getppid()) };
        let (state, parent) = state_and_parent(us).expect("this process is in /proc");
        assert_eq!(parent, ours);
        assert!(b"RSD".contains(&state), "alive: {}", state as char);
        assert_eq!(state_and_parent(i32::MAX), None);
        assert_eq!((parse_pid(b"1234"), parse_pid(b"12a"), parse_pid(b"")), (Some(1234), None, None));
    }
}
