//! Binding of `instructlab_core::filter`: quality filters with a reason per dropped row.

use instructlab_core::filter::{filter_rows, FilterConfig, Reason};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::arrow::text_columns;
use crate::interrupt::detach_interruptible;

/// The reason names by code: index 0 is `None` (kept).
#[pyfunction]
pub fn filter_reasons() -> Vec<Option<&'static str>> {
    std::iter::once(None)
        .chain(Reason::ALL.iter().map(|r| Some(r.name())))
        .collect()
}

fn set_option<T: for<'a, 'py> FromPyObject<'a, 'py>>(
    slot: &mut Option<T>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    *slot = if value.is_none() {
        None
    } else {
        Some(value.extract().map_err(Into::into)?)
    };
    Ok(())
}

/// Builds a configuration from a preset and overrides (`None` switches a check off).
fn config(preset: &str, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<FilterConfig> {
    let mut c = match preset {
        "default" | "sdg" => FilterConfig::default(),
        "gopher" => FilterConfig::gopher(),
        other => {
            return Err(PyValueError::new_err(format!(
                "preset: {other:?} is not 'default' or 'gopher'"
            )))
        }
    };
    let Some(overrides) = overrides else {
        return Ok(c);
    };
    for (key, value) in overrides.iter() {
        let key: String = key.extract()?;
        let v = &value;
        match key.as_str() {
            "min_chars" => set_option(&mut c.min_chars, v)?,
            "max_chars" => set_option(&mut c.max_chars, v)?,
            "min_words" => set_option(&mut c.min_words, v)?,
            "max_words" => set_option(&mut c.max_words, v)?,
            "min_tokens" => set_option(&mut c.min_tokens, v)?,
            "max_tokens" => set_option(&mut c.max_tokens, v)?,
            "min_avg_word_length" => set_option(&mut c.min_avg_word_length, v)?,
            "max_avg_word_length" => set_option(&mut c.max_avg_word_length, v)?,
            "max_symbol_word_ratio" => set_option(&mut c.max_symbol_word_ratio, v)?,
            "max_bullet_lines_ratio" => set_option(&mut c.max_bullet_lines_ratio, v)?,
            "max_ellipsis_lines_ratio" => set_option(&mut c.max_ellipsis_lines_ratio, v)?,
            "min_alpha_words_ratio" => set_option(&mut c.min_alpha_words_ratio, v)?,
            "min_stop_words" => set_option(&mut c.min_stop_words, v)?,
            "max_non_alnum_ratio" => set_option(&mut c.max_non_alnum_ratio, v)?,
            "max_duplicate_lines" => set_option(&mut c.max_duplicate_lines, v)?,
            "max_duplicate_paragraphs" => set_option(&mut c.max_duplicate_paragraphs, v)?,
            "max_duplicate_line_chars" => set_option(&mut c.max_duplicate_line_chars, v)?,
            "max_duplicate_paragraph_chars" => {
                set_option(&mut c.max_duplicate_paragraph_chars, v)?;
            }
            "top_ngrams" => {
                c.top_ngrams = if v.is_none() {
                    Vec::new()
                } else {
                    v.extract()?
                };
            }
            "duplicate_ngrams" => {
                c.duplicate_ngrams = if v.is_none() {
                    Vec::new()
                } else {
                    v.extract()?
                };
            }
            "truncated_min_words" => set_option(&mut c.truncated_min_words, v)?,
            "max_echo_similarity" => set_option(&mut c.max_echo_similarity, v)?,
            other => {
                return Err(PyKeyError::new_err(format!(
                    "unknown filter setting {other:?}"
                )))
            }
        }
    }
    Ok(c)
}

/// The settings of a preset with overrides applied, as a dict (for reports and docs).
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (preset = "default", overrides = None))]
pub fn filter_config<'py>(
    py: Python<'py>,
    preset: &str,
    overrides: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let c = config(preset, overrides.as_ref())?;
    let d = PyDict::new(py);
    d.set_item("min_chars", c.min_chars)?;
    d.set_item("max_chars", c.max_chars)?;
    d.set_item("min_words", c.min_words)?;
    d.set_item("max_words", c.max_words)?;
    d.set_item("min_tokens", c.min_tokens)?;
    d.set_item("max_tokens", c.max_tokens)?;
    d.set_item("min_avg_word_length", c.min_avg_word_length)?;
    d.set_item("max_avg_word_length", c.max_avg_word_length)?;
    d.set_item("max_symbol_word_ratio", c.max_symbol_word_ratio)?;
    d.set_item("max_bullet_lines_ratio", c.max_bullet_lines_ratio)?;
    d.set_item("max_ellipsis_lines_ratio", c.max_ellipsis_lines_ratio)?;
    d.set_item("min_alpha_words_ratio", c.min_alpha_words_ratio)?;
    d.set_item("min_stop_words", c.min_stop_words)?;
    d.set_item("max_non_alnum_ratio", c.max_non_alnum_ratio)?;
    d.set_item("max_duplicate_lines", c.max_duplicate_lines)?;
    d.set_item("max_duplicate_paragraphs", c.max_duplicate_paragraphs)?;
    d.set_item("max_duplicate_line_chars", c.max_duplicate_line_chars)?;
    d.set_item(
        "max_duplicate_paragraph_chars",
        c.max_duplicate_paragraph_chars,
    )?;
    d.set_item("top_ngrams", c.top_ngrams)?;
    d.set_item("duplicate_ngrams", c.duplicate_ngrams)?;
    d.set_item("truncated_min_words", c.truncated_min_words)?;
    d.set_item("max_echo_similarity", c.max_echo_similarity)?;
    Ok(d)
}

/// Runs the quality filters; returns one reason code per row (0 = kept) as bytes.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (column, questions = None, token_counts = None, preset = "default", overrides = None))]
pub fn quality_filter<'py>(
    py: Python<'py>,
    column: Bound<'py, PyAny>,
    questions: Option<Bound<'py, PyAny>>,
    token_counts: Option<Vec<u32>>,
    preset: &str,
    overrides: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let config = config(preset, overrides.as_ref())?;
    let mut objects = vec![column];
    objects.extend(questions.clone());
    let cols = text_columns(&objects, "column")?;
    let has_questions = questions.is_some();
    let codes = cols.with(|c| {
        let q = if has_questions { Some(c[1]) } else { None };
        detach_interruptible(py, |stop| {
            filter_rows(c[0], q, token_counts.as_deref(), &config, stop)
        })
    })?;
    Ok(PyBytes::new(py, &codes))
}
