//! Cache hints for memory a thread is about to write again.

/// Asks the processor to fetch `len` bytes from `ptr` in a writable state
/// ahead of time. Memory another core read last (a delivered message's
/// buffers) otherwise costs an ownership transfer at each first write.
/// A hint only: it never faults and changes no memory.
#[inline]
pub fn prepare_for_write(ptr: *const u8, len: usize) {
    const LINE: usize = 64;
    let mut offset = 0;
    while offset < len {
        prefetch_line_for_write(ptr.wrapping_add(offset));
        offset += LINE;
    }
}

#[inline(always)]
fn prefetch_line_for_write(ptr: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHW is a hint: it cannot fault, whatever the address,
    // and writes nothing; processors without it (Intel before Broadwell)
    // execute this encoding as a NOP.
    unsafe {
        std::arch::asm!("prefetchw [{0}]", in(reg) ptr, options(nostack, preserves_flags, readonly));
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ptr;
}
