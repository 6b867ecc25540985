//! Text kernels shared by dedup, filters and decontamination: normalisation, shingling and a
//! fast, platform-independent 64-bit hash.

pub mod hash;
pub mod normalize;
pub mod shingle;

pub use hash::{hash_bytes, hash_u64s};
pub use normalize::Normalize;
pub use shingle::{jaccard, Shingle, Shingler};
