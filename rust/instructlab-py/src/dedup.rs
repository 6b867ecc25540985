//! Binding of `instructlab_core::dedup`: exact and near-duplicate removal.

use std::path::PathBuf;

use instructlab_core::dedup::{
    exact_dedup as core_exact, near_dedup as core_near, NearDedupParams,
};
use instructlab_core::text::Shingle;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::arrow::{text_column, text_columns};
use crate::bytes::to_bytes;
use crate::errors::invalid;
use crate::interrupt::detach_interruptible;
use crate::text::parse_normalize;

/// The integer arguments of [`near_dedup`], each checked by name.
mod arg {
    use pyo3::prelude::*;

    use crate::args::{describe, int};
    use crate::errors::invalid;

    /// Permutations: the core's limits.
    pub fn num_perm(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "num_perm", 1..=4096)
    }

    /// Words (or characters) per shingle; 0 is refused, not read as 1.
    pub fn ngram(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "ngram", 1..=usize::MAX)
    }

    /// The seed of the permutations: any `u64`.
    pub fn seed(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
        int(obj, "seed", 0..=u64::MAX)
    }

    /// Bytes of band keys held before spilling (0: spill everything).
    pub fn memory_budget(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "memory_budget", 0..=usize::MAX)
    }

    /// `(bands, rows)` or `None`; whether they fit `num_perm` is the core's check.
    pub fn bands(obj: &Bound<'_, PyAny>) -> PyResult<Option<(usize, usize)>> {
        if obj.is_none() {
            return Ok(None);
        }
        let Ok((bands, rows)) = obj.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() else {
            let got = describe(obj);
            return Err(invalid(
                "bands",
                format!("expected (bands, rows) or None, got {got}"),
            )
            .into());
        };
        let bands = int(&bands, "bands", 1..=usize::MAX)?;
        let rows = int(&rows, "bands", 1..=usize::MAX)?;
        Ok(Some((bands, rows)))
    }
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
    to_bytes(py, &first.first)
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
    #[pyo3(from_py_with = arg::num_perm)] num_perm: usize,
    #[pyo3(from_py_with = arg::ngram)] ngram: usize,
    shingle: &str,
    normalize: &str,
    #[pyo3(from_py_with = arg::bands)] bands: Option<(usize, usize)>,
    #[pyo3(from_py_with = arg::seed)] seed: u64,
    #[pyo3(from_py_with = arg::memory_budget)] memory_budget: usize,
    spill_dir: Option<PathBuf>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
    let shingle = match shingle {
        "words" => Shingle::Words(ngram),
        "chars" => Shingle::Chars(ngram),
        other => {
            return Err(invalid("shingle", format!("'{other}' is not 'words' or 'chars'")).into())
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
    let cols = text_column(&column, "column")?;
    let result = cols.with(|c| detach_interruptible(py, |stop| core_near(c[0], &params, stop)))?;
    let stats = PyDict::new(py);
    stats.set_item("bands", result.stats.bands)?;
    stats.set_item("rows", result.stats.rows)?;
    stats.set_item("candidate_pairs", result.stats.candidate_pairs)?;
    stats.set_item("verified_pairs", result.stats.verified_pairs)?;
    stats.set_item("spilled_bytes", result.stats.spilled_bytes)?;
    Ok((to_bytes(py, &result.cluster)?, stats))
}
