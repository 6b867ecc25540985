//! Retrieval kernels: BM25 over chunk texts and exact search over unit vectors, both returning
//! the best `k` ids with their scores, best first.

pub mod bm25;
pub mod topk;
pub mod vectors;

pub use bm25::Bm25Index;
pub use vectors::VectorIndex;
