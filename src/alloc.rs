//! The global allocator of the `rudder` binary and of the benchmarks: mimalloc, called the
//! way its size classes allow.
//!
//! Rendering allocates and frees many small values; mimalloc serves them in a fraction of
//! the time glibc's malloc takes (see docs/render-performance.md). It is built without
//! transparent huge pages (the `no_thp` feature) and keeps its default 1 s purge delay, so a
//! short render never hands pages back only to fault them in again.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// Every mimalloc block is a whole number of machine words from a word-aligned start, so a
/// plain `mi_malloc` already satisfies alignments up to a word.
const WORD_ALIGN: usize = std::mem::size_of::<usize>();

/// mimalloc as a [`GlobalAlloc`]: word-aligned requests (nearly all of them) take the plain
/// `mi_malloc`/`mi_realloc` paths, larger alignments the aligned ones. The `mimalloc`
/// crate's allocator sends every request through the aligned entry points, which check the
/// alignment of each block they hand out (~3 % of a render's instructions).
pub struct Allocator;

// SAFETY: every method forwards to mimalloc with a size and an alignment it honours:
// word-aligned layouts use the plain entry points, whose blocks are always word aligned;
// the rest use the aligned ones. Blocks from either are freed by `mi_free`.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl comment.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the alignment is kept.
        unsafe {
            if layout.align() <= WORD_ALIGN {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every small size and word-or-smaller alignment come back aligned, keep
    /// their contents through `realloc`, and zeroed blocks are zero.
    #[test]
    fn blocks_are_aligned_and_keep_contents() {
        let a = Allocator;
        for size in 1..=600usize {
            for align in [1usize, 2, 4, 8, 16, 32, 64] {
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: non-zero size; every block is freed with the allocator.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    std::ptr::write_bytes(p, 0xA5, size);
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "realloc size {size} align {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xA5));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).expect("valid"));
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0);
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
