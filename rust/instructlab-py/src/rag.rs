//! Binding of `instructlab_core::rag`: BM25 and exact vector search.

use instructlab_core::rag::{Bm25Index as CoreBm25, VectorIndex as CoreVectors};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::bytes::{from_bytes, to_bytes};
use crate::errors::invalid;
use crate::interrupt::detach_interruptible;

/// The integer arguments of this module, each checked by name.
mod arg {
    use pyo3::prelude::*;

    use crate::args::int;

    /// Results wanted; 0 is refused by name.
    pub fn k(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "k", 1..=usize::MAX)
    }

    /// Values per vector.
    pub fn dimension(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "dimension", 1..=65_536)
    }
}

/// Ids (`uint32` bytes) and scores (`float32` bytes) of a result list.
fn pack<'py>(
    py: Python<'py>,
    hits: &[(u32, f32)],
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let ids: Vec<u32> = hits.iter().map(|h| h.0).collect();
    let scores: Vec<f32> = hits.iter().map(|h| h.1).collect();
    Ok((to_bytes(py, &ids)?, to_bytes(py, &scores)?))
}

/// A BM25 index over chunk texts (ids are positions in `texts`).
#[pyclass(module = "instructlab._native", frozen)]
pub struct Bm25Index {
    inner: CoreBm25,
}

#[pymethods]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
impl Bm25Index {
    /// Indexes `texts`.
    #[new]
    #[pyo3(signature = (texts, k1 = 1.2, b = 0.75))]
    fn new(py: Python<'_>, texts: Vec<String>, k1: f32, b: f32) -> PyResult<Self> {
        if !(k1.is_finite() && k1 >= 0.0) {
            return Err(invalid("k1", format!("expected a number >= 0, got {k1}")).into());
        }
        if !(0.0..=1.0).contains(&b) {
            return Err(invalid("b", format!("expected a number from 0 to 1, got {b}")).into());
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let inner = detach_interruptible(py, |_| Ok(CoreBm25::new(&refs, k1, b)))?;
        Ok(Self { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The `k` best ids and scores for `query` (only texts sharing a term with it).
    fn search<'py>(
        &self,
        py: Python<'py>,
        query: &str,
        #[pyo3(from_py_with = arg::k)] k: usize,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let hits = py.detach(|| self.inner.search(query, k));
        pack(py, &hits)
    }
}

/// Unit vectors (little-endian `float32` bytes, rows of `dimension`) held for exact search.
#[pyclass(module = "instructlab._native", frozen)]
pub struct VectorIndex {
    inner: CoreVectors,
}

#[pymethods]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
impl VectorIndex {
    /// Holds a copy of `vectors`.
    #[new]
    fn new(
        py: Python<'_>,
        vectors: &[u8],
        #[pyo3(from_py_with = arg::dimension)] dimension: usize,
    ) -> PyResult<Self> {
        let data = from_bytes::<f32>("vectors", vectors)?;
        let inner = detach_interruptible(py, |_| CoreVectors::new(dimension, data))?;
        Ok(Self { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Values per vector.
    #[getter]
    fn dimension(&self) -> usize {
        self.inner.dimension()
    }

    /// The `k` ids most similar to `query` (`float32` bytes) and their cosine similarities.
    fn search<'py>(
        &self,
        py: Python<'py>,
        query: &[u8],
        #[pyo3(from_py_with = arg::k)] k: usize,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let query = from_bytes::<f32>("query", query)?;
        let hits = detach_interruptible(py, |_| self.inner.search(&query, k))?;
        pack(py, &hits)
    }
}
