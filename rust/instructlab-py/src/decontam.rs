//! Binding of `instructlab_core::decontam`.

use instructlab_core::decontam::{decontaminate as core_decontaminate, DecontamParams};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::arrow::text_columns;
use crate::interrupt::detach_interruptible;
use crate::text::parse_normalize;

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
    ngram: usize,
    threshold: f64,
    normalize: &str,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let params = DecontamParams {
        ngram,
        threshold,
        normalize: parse_normalize(normalize)?,
    };
    let rows = text_columns(&columns, "columns")?;
    let refs = text_columns(&[references], "references")?;
    let result = rows.with(|c| {
        refs.with(|r| detach_interruptible(py, |stop| core_decontaminate(c, r[0], &params, stop)))
    })?;
    let overlap: Vec<u8> = result
        .overlap
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let matched: Vec<u8> = result
        .matched
        .iter()
        .flat_map(|m| m.to_le_bytes())
        .collect();
    Ok((PyBytes::new(py, &overlap), PyBytes::new(py, &matched)))
}
