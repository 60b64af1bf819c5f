//! `CLOCK_MONOTONIC`, which — unlike [`std::time::Instant`] — can be
//! passed between processes: the parent notes it just before it spawns a
//! row's process, the child notes its first and last delivery.

/// Nanoseconds of `CLOCK_MONOTONIC` (system-wide, so comparable across processes).
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own; CLOCK_MONOTONIC always exists on Linux.
    unsafe {
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
