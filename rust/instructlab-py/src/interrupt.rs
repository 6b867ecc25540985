//! The one helper every long call goes through: run the work without the GIL on a worker
//! thread while this thread watches for Ctrl-C.

use std::sync::mpsc;
use std::time::Duration;

use instructlab_core::{Error, Interrupt};
use pyo3::prelude::*;

use crate::errors::NativeError;

/// How often the waiting thread looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` with the GIL released. The calling (main) thread polls `check_signals`; on
/// Ctrl-C it triggers the [`Interrupt`] the work polls, waits for it to stop, and raises
/// `KeyboardInterrupt`. Core errors become `instructlab.errors` exceptions.
pub fn detach_interruptible<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Interrupt) -> Result<T, Error> + Send,
{
    let interrupt = Interrupt::new();
    let (outcome, signal) = py.detach(|| {
        std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel::<()>();
            let interrupt = &interrupt;
            let handle = scope.spawn(move || {
                let result = work(interrupt);
                // The receiver only disappears if the waiting thread is gone; nothing to tell.
                let _ = done_tx.send(());
                result
            });
            let mut signal: Option<PyErr> = None;
            loop {
                match done_rx.recv_timeout(POLL) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if signal.is_none() {
                            if let Err(err) = Python::attach(check_signals) {
                                interrupt.trigger();
                                signal = Some(err);
                            }
                        }
                    }
                }
            }
            (handle.join(), signal)
        })
    });
    if let Some(err) = signal {
        return Err(err);
    }
    match outcome {
        Ok(result) => result.map_err(|e| NativeError(e).into()),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn check_signals(py: Python<'_>) -> PyResult<()> {
    py.check_signals()
}
