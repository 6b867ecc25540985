//! Binding of `instructlab_core::text`: normalisation options and a normaliser for Python.

use instructlab_core::text::Normalize;
use pyo3::prelude::*;

use crate::errors::{invalid, NativeError};

/// Reads a normalisation spec: a preset (`raw`, `default`, `aggressive`) or `+`-joined flags
/// (`nfkc`, `lowercase`, `whitespace`, `punctuation`).
pub fn parse_normalize(spec: &str) -> Result<Normalize, NativeError> {
    match spec {
        "raw" | "none" => return Ok(Normalize::RAW),
        "default" => return Ok(Normalize::default()),
        "aggressive" => return Ok(Normalize::AGGRESSIVE),
        _ => {}
    }
    let mut n = Normalize::RAW;
    for flag in spec.split('+').map(str::trim) {
        match flag {
            "nfkc" => n.nfkc = true,
            "lowercase" => n.lowercase = true,
            "whitespace" => n.collapse_whitespace = true,
            "punctuation" => n.strip_punctuation = true,
            other => {
                let within = if other == spec {
                    String::new()
                } else {
                    format!(" in '{spec}'")
                };
                return Err(invalid(
                    "normalize",
                    format!(
                        "unknown option '{other}'{within}; use raw, default, aggressive or \
                         flags joined by + (nfkc, lowercase, whitespace, punctuation)"
                    ),
                ));
            }
        }
    }
    Ok(n)
}

/// Normalises one text the way the kernels do before comparing.
#[pyfunction]
#[pyo3(signature = (text, normalize = "default"))]
pub fn normalize_text(text: &str, normalize: &str) -> PyResult<String> {
    Ok(parse_normalize(normalize)?.apply(text).into_owned())
}
