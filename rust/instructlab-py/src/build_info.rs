//! Binding of `instructlab_core::build_info`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// How the native core was built: version, compiler, profile, target.
#[pyfunction]
pub fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = instructlab_core::build_info::build_info();
    let dict = PyDict::new(py);
    dict.set_item("version", info.version)?;
    dict.set_item("rustc", info.rustc)?;
    dict.set_item("profile", info.profile)?;
    dict.set_item("target", info.target)?;
    dict.set_item("opt_level", info.opt_level)?;
    dict.set_item("debug_assertions", info.debug_assertions)?;
    Ok(dict)
}
