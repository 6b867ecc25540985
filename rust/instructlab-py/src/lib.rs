//! `instructlab._native`: the PyO3 face of `instructlab-core`.
//!
//! One file per core module. Each function copies its Python input into owned Rust data,
//! releases the GIL for the work, and converts the result back; errors cross in `errors.rs`.

mod build_info;
mod errors;
mod pack;
mod taxonomy;
mod yaml;

mod args;
mod arrow;
mod bytes;
mod decontam;
mod dedup;
mod embed;
mod filter;
mod interrupt;
mod rag;
mod text;

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
    m.add_function(wrap_pyfunction!(taxonomy::qna_files_at, m)?)?;
    m.add_function(wrap_pyfunction!(taxonomy::lint_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(text::normalize_text, m)?)?;
    m.add_function(wrap_pyfunction!(dedup::exact_dedup, m)?)?;
    m.add_function(wrap_pyfunction!(dedup::near_dedup, m)?)?;
    m.add_function(wrap_pyfunction!(filter::filter_reasons, m)?)?;
    m.add_function(wrap_pyfunction!(filter::filter_config, m)?)?;
    m.add_function(wrap_pyfunction!(filter::quality_filter, m)?)?;
    m.add_function(wrap_pyfunction!(decontam::decontaminate, m)?)?;
    m.add_class::<pack::PackEngine>()?;
    m.add_function(wrap_pyfunction!(pack::plan_packing, m)?)?;
    m.add_function(wrap_pyfunction!(pack::flatten_packed, m)?)?;
    m.add_function(wrap_pyfunction!(pack::gguf_tokenizer, m)?)?;
    m.add_class::<taxonomy::LeafContent>()?;
    m.add_class::<embed::SentenceEncoder>()?;
    m.add_class::<rag::Bm25Index>()?;
    m.add_class::<rag::VectorIndex>()?;
    Ok(())
}
