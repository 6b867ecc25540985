//! Binding of `instructlab_core::dedup`: exact and near-duplicate removal.

use std::path::PathBuf;

use instructlab_core::dedup::{
    exact_dedup as core_exact, near_dedup as core_near, NearDedupParams,
};
use instructlab_core::text::Shingle;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::arrow::text_columns;
use crate::interrupt::detach_interruptible;
use crate::text::parse_normalize;

fn u32_bytes<'py>(py: Python<'py>, values: &[u32]) -> Bound<'py, PyBytes> {
    let mut bytes = Vec::with_capacity(values.len() * 4);
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    PyBytes::new(py, &bytes)
}

/// Exact duplicates over one or more text columns. Returns each row's cluster id (the index of
/// the first equal row) as little-endian `uint32` bytes.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (columns, normalize = "default"))]
pub fn exact_dedup<'py>(
    py: Python<'py>,
    columns: Vec<Bound<'py, PyAny>>,
    normalize: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let normalize = parse_normalize(normalize)?;
    let cols = text_columns(&columns, "columns")?;
    let first = cols.with(|c| detach_interruptible(py, |stop| core_exact(c, &normalize, stop)))?;
    Ok(u32_bytes(py, &first.first))
}

/// Near duplicates of one text column (MinHash + LSH, verified). Returns the cluster ids as
/// little-endian `uint32` bytes and a dict of counters.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (
    column, threshold = 0.8, num_perm = 128, ngram = 5, shingle = "words",
    normalize = "default", bands = None, seed = 1, memory_budget = 1_073_741_824, spill_dir = None,
))]
#[allow(clippy::too_many_arguments)] // mirrors the Python keyword arguments one to one
pub fn near_dedup<'py>(
    py: Python<'py>,
    column: Bound<'py, PyAny>,
    threshold: f64,
    num_perm: usize,
    ngram: usize,
    shingle: &str,
    normalize: &str,
    bands: Option<(usize, usize)>,
    seed: u64,
    memory_budget: usize,
    spill_dir: Option<PathBuf>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let shingle = match shingle {
        "words" => Shingle::Words(ngram),
        "chars" => Shingle::Chars(ngram),
        other => {
            return Err(PyValueError::new_err(format!(
                "shingle: {other:?} is not 'words' or 'chars'"
            )))
        }
    };
    let params = NearDedupParams {
        threshold,
        num_perm,
        shingle,
        normalize: parse_normalize(normalize)?,
        bands,
        seed,
        memory_budget,
        spill_dir,
        ..NearDedupParams::default()
    };
    let cols = text_columns(&[column], "column")?;
    let result = cols.with(|c| detach_interruptible(py, |stop| core_near(c[0], &params, stop)))?;
    let stats = PyDict::new(py);
    stats.set_item("bands", result.stats.bands)?;
    stats.set_item("rows", result.stats.rows)?;
    stats.set_item("candidate_pairs", result.stats.candidate_pairs)?;
    stats.set_item("verified_pairs", result.stats.verified_pairs)?;
    stats.set_item("spilled_bytes", result.stats.spilled_bytes)?;
    Ok((u32_bytes(py, &result.cluster), stats))
}
