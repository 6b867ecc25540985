//! Binding of `instructlab_core::decontam`.

use instructlab_core::decontam::{decontaminate as core_decontaminate, DecontamParams};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::arrow::{text_column, text_columns};
use crate::bytes::to_bytes;
use crate::interrupt::detach_interruptible;
use crate::text::parse_normalize;

/// The integer arguments of [`decontaminate`], each checked by name.
mod arg {
    use pyo3::prelude::*;

    use crate::args::int;

    /// Words per n-gram; 0 is refused by name.
    pub fn ngram(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "ngram", 1..=usize::MAX)
    }
}

/// Compares training rows (their `columns` pooled) with `references`. Returns the overlap
/// fraction per row (little-endian `float32` bytes) and the first matching reference per row
/// (little-endian `int64` bytes, -1 for none).
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (columns, references, ngram = 13, threshold = 0.0, normalize = "aggressive"))]
pub fn decontaminate<'py>(
    py: Python<'py>,
    columns: Vec<Bound<'py, PyAny>>,
    references: Bound<'py, PyAny>,
    #[pyo3(from_py_with = arg::ngram)] ngram: usize,
    threshold: f64,
    normalize: &str,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let params = DecontamParams {
        ngram,
        threshold,
        normalize: parse_normalize(normalize)?,
    };
    let rows = text_columns(&columns, "columns")?;
    let refs = text_column(&references, "references")?;
    let result = rows.with(|c| {
        refs.with(|r| detach_interruptible(py, |stop| core_decontaminate(c, r[0], &params, stop)))
    })?;
    Ok((
        to_bytes(py, &result.overlap)?,
        to_bytes(py, &result.matched)?,
    ))
}
