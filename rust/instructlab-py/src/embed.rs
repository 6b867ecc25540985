//! Binding of `instructlab_core::embed`: the torch-free sentence encoder.

use std::path::PathBuf;

use instructlab_core::embed::{Pooling, SentenceEncoder as CoreEncoder};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::bytes::to_bytes;
use crate::interrupt::{detach_interruptible, detach_streaming};

/// A sentence-transformers model folder, loaded for encoding.
#[pyclass(module = "instructlab._native", frozen)]
pub struct SentenceEncoder {
    inner: CoreEncoder,
}

#[pymethods]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
impl SentenceEncoder {
    /// Loads `config.json`, `model.safetensors`, `tokenizer.json` and the pooling settings.
    #[new]
    fn new(py: Python<'_>, folder: PathBuf) -> PyResult<Self> {
        let inner = detach_interruptible(py, |_| CoreEncoder::load(&folder))?;
        Ok(Self { inner })
    }

    /// Length of the vectors.
    #[getter]
    fn dimension(&self) -> usize {
        self.inner.dimension()
    }

    /// Tokens the model reads per text (longer texts are cut).
    #[getter]
    fn max_tokens(&self) -> usize {
        self.inner.max_tokens()
    }

    /// `"mean"` or `"cls"`.
    #[getter]
    fn pooling(&self) -> &'static str {
        match self.inner.pooling() {
            Pooling::Mean => "mean",
            Pooling::Cls => "cls",
        }
    }

    /// Tokens in each text, without special tokens or truncation.
    fn count_tokens(&self, py: Python<'_>, texts: Vec<String>) -> PyResult<Vec<usize>> {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        detach_interruptible(py, |_| self.inner.count_tokens(&refs))
    }

    /// Unit vectors of `texts` as little-endian `float32` bytes (`len(texts) × dimension`);
    /// `progress(n)` is called as texts finish.
    #[pyo3(signature = (texts, progress = None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = detach_streaming(
            py,
            |stop, outbox| self.inner.encode(&refs, stop, &|n| outbox.send(n)),
            |n: usize| {
                if let Some(callback) = &progress {
                    callback.call1((n,))?;
                }
                Ok(())
            },
        )?;
        to_bytes(py, &vectors)
    }
}
