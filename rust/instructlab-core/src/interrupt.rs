//! A flag that long-running kernels poll so that Ctrl-C (or any caller) can stop them.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::{Error, Result};

/// Set from outside (the binding's signal watcher, a test) and polled by the kernels between
/// chunks of work; once set, the kernel returns [`Error::Interrupted`].
#[derive(Debug, Default)]
pub struct Interrupt {
    flag: AtomicBool,
}

impl Interrupt {
    /// A flag that is not set.
    pub const fn new() -> Self {
        Self {
            flag: AtomicBool::new(false),
        }
    }

    /// Asks the work to stop at its next check.
    pub fn trigger(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    /// Whether [`Interrupt::trigger`] was called.
    pub fn is_triggered(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// `Err(Error::Interrupted)` once triggered, `Ok(())` before.
    pub fn check(&self) -> Result<()> {
        if self.is_triggered() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}
