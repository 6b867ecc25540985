//! The pure-Rust core of instructlab.
//!
//! Nothing here knows about Python: the `instructlab-py` crate converts inputs into the owned
//! types used here, runs the work without the GIL and converts the results back. Every fallible
//! function returns the one [`Error`] enum.

pub mod build_info;
pub mod error;
pub mod pack;
pub mod taxonomy;
pub mod yaml;

pub mod decontam;
pub mod dedup;
pub mod embed;
pub mod filter;
pub mod interrupt;
pub mod rag;
pub mod text;

pub use error::{Error, Location, Result};
pub use interrupt::Interrupt;
