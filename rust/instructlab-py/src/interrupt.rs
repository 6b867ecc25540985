//! The one way the binding releases the GIL: the work runs on a worker thread without it, while
//! the calling thread waits, converts what the work streams back, and watches for Ctrl-C.

use std::convert::Infallible;
use std::sync::mpsc;
use std::time::Duration;

use instructlab_core::{Error, Interrupt};
use pyo3::prelude::*;

use crate::errors::NativeError;

/// How often the waiting thread looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// Where the work sends messages for the waiting thread; usable from many threads at once.
pub struct Outbox<M> {
    tx: mpsc::Sender<M>,
}

impl<M: Send> Outbox<M> {
    /// Hands `message` to the waiting thread.
    pub fn send(&self, message: M) {
        // A send fails only when the waiting thread has stopped listening (Ctrl-C, or a message
        // it could not convert); it has then triggered the interrupt the work polls, so there
        // is nothing to tell.
        let _ = self.tx.send(message);
    }
}

/// Runs `work` with the GIL released, on a worker thread; `work` polls the [`Interrupt`] it is
/// given. The calling thread waits without the GIL and looks for Ctrl-C every [`POLL`]; on
/// Ctrl-C it triggers the interrupt, waits for the work to stop and raises `KeyboardInterrupt`.
/// Core errors become `instructlab.errors` exceptions.
pub fn detach_interruptible<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Interrupt) -> Result<T, Error> + Send,
{
    detach_streaming(
        py,
        |interrupt, _: &Outbox<Infallible>| work(interrupt),
        |never| match never {},
    )
}

/// [`detach_interruptible`] for work that streams results back: each message the work sends to
/// its [`Outbox`] is handed to `receive` on the calling thread, with the GIL held, as soon as it
/// arrives (so results are converted while the work goes on). Ctrl-C is looked for between
/// messages. Ctrl-C, or an error from `receive`, triggers the interrupt and becomes this call's
/// error; either way the worker is joined before this returns.
pub fn detach_streaming<T, M, F, R>(py: Python<'_>, work: F, mut receive: R) -> PyResult<T>
where
    T: Send,
    M: Send,
    F: FnOnce(&Interrupt, &Outbox<M>) -> Result<T, Error> + Send,
    R: FnMut(M) -> PyResult<()>,
{
    let interrupt = Interrupt::new();
    let (tx, mut rx) = mpsc::channel::<M>();
    let (outcome, failure) = std::thread::scope(|scope| {
        let interrupt = &interrupt;
        let worker = scope.spawn(move || {
            let outbox = Outbox { tx };
            work(interrupt, &outbox)
            // `outbox` drops here, which tells the waiting thread that nothing more will come.
        });
        let failure = loop {
            // The receiver goes into the detached closure and back out: only the waiting thread
            // ever touches it, but `&Receiver` is not `Send`.
            let (back, next) = py.detach(move || {
                let next = rx.recv_timeout(POLL);
                (rx, next)
            });
            rx = back;
            match next {
                Ok(message) => {
                    if let Err(err) = receive(message) {
                        break Some(err);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(err) = py.check_signals() {
                        break Some(err);
                    }
                }
                // The work has returned and every message it sent has been received.
                Err(mpsc::RecvTimeoutError::Disconnected) => break None,
            }
        };
        if failure.is_some() {
            interrupt.trigger();
        }
        drop(rx);
        (py.detach(|| worker.join()), failure)
    });
    if let Some(err) = failure {
        return Err(err);
    }
    match outcome {
        Ok(result) => result.map_err(|e| NativeError(e).into()),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
