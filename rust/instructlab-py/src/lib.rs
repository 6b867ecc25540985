//! `instructlab._native`: the PyO3 face of `instructlab-core`.
//!
//! One file per core module. Each function copies its Python input into owned Rust data,
//! releases the GIL for the work, and converts the result back; errors cross in `errors.rs`.

mod build_info;
mod errors;
mod taxonomy;
mod yaml;

use pyo3::prelude::*;

/// The extension module, imported as `instructlab._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(build_info::build_info, m)?)?;
    m.add_function(wrap_pyfunction!(yaml::load_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(yaml::load_yaml_located, m)?)?;
    m.add_function(wrap_pyfunction!(taxonomy::check_taxonomy, m)?)?;
    m.add_function(wrap_pyfunction!(taxonomy::changed_files, m)?)?;
    m.add_function(wrap_pyfunction!(taxonomy::lint_yaml, m)?)?;
    Ok(())
}
