//! Binding of `instructlab_core::filter`: quality filters with a reason per dropped row.

use instructlab_core::filter::{filter_rows, FilterConfig, Reason};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::args::{describe, int};
use crate::arrow::text_column;
use crate::errors::invalid;
use crate::interrupt::detach_interruptible;

/// The reason names by code: index 0 is `None` (kept).
#[pyfunction]
pub fn filter_reasons() -> Vec<Option<&'static str>> {
    std::iter::once(None)
        .chain(Reason::ALL.iter().map(|r| Some(r.name())))
        .collect()
}

/// A count setting: `None` (off) or a non-negative integer, named `key` in messages.
fn count(slot: &mut Option<usize>, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    *slot = if value.is_none() {
        None
    } else {
        Some(int(value, key, 0..=usize::MAX)?)
    };
    Ok(())
}

/// Fractions of a text (of its lines, words, characters): from 0 to 1.
const FRACTION: (f64, f64) = (0.0, 1.0);
/// Lengths and ratios that may exceed 1 (symbols per word, characters per word).
const NON_NEGATIVE: (f64, f64) = (0.0, f64::INFINITY);

/// A number setting: `None` (off) or a number within `range`, named `key` in messages.
fn number(
    slot: &mut Option<f64>,
    key: &str,
    value: &Bound<'_, PyAny>,
    range: (f64, f64),
) -> PyResult<()> {
    *slot = if value.is_none() {
        None
    } else {
        Some(bounded(key, value, range)?)
    };
    Ok(())
}

fn bounded(key: &str, value: &Bound<'_, PyAny>, (low, high): (f64, f64)) -> PyResult<f64> {
    let number = value.extract::<f64>().map_err(|_| {
        invalid(
            key,
            format!("expected a number or None, got {}", describe(value)),
        )
    })?;
    if number.is_nan() || number < low || number > high {
        let allowed = if high.is_finite() {
            format!("from {low} to {high}")
        } else {
            format!("at least {low}")
        };
        return Err(invalid(key, format!("must be {allowed}, got {number}")).into());
    }
    Ok(number)
}

/// An n-gram setting: `None` (off) or a list of `(n, fraction)` pairs, named `key` in messages.
fn ngram_fractions(key: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, f64)>> {
    if value.is_none() {
        return Ok(Vec::new());
    }
    let shape = || {
        invalid(
            key,
            format!(
                "expected a list of (n, fraction) pairs or None, got {}",
                describe(value)
            ),
        )
    };
    // Lists or tuples alike: `--set top_ngrams=[[2, 0.2]]` arrives as JSON lists.
    let pairs: Vec<Vec<Bound<'_, PyAny>>> = value.extract().map_err(|_| shape())?;
    pairs
        .into_iter()
        .map(|pair| match pair.as_slice() {
            [n, fraction] => Ok((
                int(n, key, 1..=usize::MAX)?,
                bounded(key, fraction, FRACTION)?,
            )),
            _ => Err(shape().into()),
        })
        .collect()
}

/// Builds a configuration from a preset and overrides (`None` switches a check off).
fn config(preset: &str, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<FilterConfig> {
    let mut c = match preset {
        "default" | "sdg" => FilterConfig::default(),
        "gopher" => FilterConfig::gopher(),
        other => {
            return Err(invalid("preset", format!("'{other}' is not 'default' or 'gopher'")).into())
        }
    };
    let Some(overrides) = overrides else {
        return Ok(c);
    };
    for (key, value) in overrides.iter() {
        let Ok(key) = key.extract::<String>() else {
            let got = describe(&key);
            return Err(invalid(
                "overrides",
                format!("a setting name must be a string, got {got}"),
            )
            .into());
        };
        let (k, v) = (key.as_str(), &value);
        match k {
            "min_chars" => count(&mut c.min_chars, k, v)?,
            "max_chars" => count(&mut c.max_chars, k, v)?,
            "min_words" => count(&mut c.min_words, k, v)?,
            "max_words" => count(&mut c.max_words, k, v)?,
            "min_tokens" => count(&mut c.min_tokens, k, v)?,
            "max_tokens" => count(&mut c.max_tokens, k, v)?,
            "min_avg_word_length" => number(&mut c.min_avg_word_length, k, v, NON_NEGATIVE)?,
            "max_avg_word_length" => number(&mut c.max_avg_word_length, k, v, NON_NEGATIVE)?,
            "max_symbol_word_ratio" => number(&mut c.max_symbol_word_ratio, k, v, NON_NEGATIVE)?,
            "max_bullet_lines_ratio" => number(&mut c.max_bullet_lines_ratio, k, v, FRACTION)?,
            "max_ellipsis_lines_ratio" => number(&mut c.max_ellipsis_lines_ratio, k, v, FRACTION)?,
            "min_alpha_words_ratio" => number(&mut c.min_alpha_words_ratio, k, v, FRACTION)?,
            "min_stop_words" => count(&mut c.min_stop_words, k, v)?,
            "max_non_alnum_ratio" => number(&mut c.max_non_alnum_ratio, k, v, FRACTION)?,
            "max_duplicate_lines" => number(&mut c.max_duplicate_lines, k, v, FRACTION)?,
            "max_duplicate_paragraphs" => number(&mut c.max_duplicate_paragraphs, k, v, FRACTION)?,
            "max_duplicate_line_chars" => number(&mut c.max_duplicate_line_chars, k, v, FRACTION)?,
            "max_duplicate_paragraph_chars" => {
                number(&mut c.max_duplicate_paragraph_chars, k, v, FRACTION)?;
            }
            "top_ngrams" => c.top_ngrams = ngram_fractions(k, v)?,
            "duplicate_ngrams" => c.duplicate_ngrams = ngram_fractions(k, v)?,
            "truncated_min_words" => count(&mut c.truncated_min_words, k, v)?,
            "max_echo_similarity" => number(&mut c.max_echo_similarity, k, v, FRACTION)?,
            other => {
                let known: Vec<String> = settings(overrides.py(), &FilterConfig::default())?
                    .keys()
                    .iter()
                    .map(|k| k.to_string())
                    .collect();
                let known = known.join(", ");
                return Err(
                    invalid(other, format!("unknown filter setting; use one of {known}")).into(),
                );
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
    settings(py, &config(preset, overrides.as_ref())?)
}

/// Every setting of `c` by name: what `filter_config` returns, and the names `overrides` takes.
fn settings<'py>(py: Python<'py>, c: &FilterConfig) -> PyResult<Bound<'py, PyDict>> {
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
    d.set_item("top_ngrams", &c.top_ngrams)?;
    d.set_item("duplicate_ngrams", &c.duplicate_ngrams)?;
    d.set_item("truncated_min_words", c.truncated_min_words)?;
    d.set_item("max_echo_similarity", c.max_echo_similarity)?;
    Ok(d)
}

/// The integer arguments of [`quality_filter`], each checked by name.
mod arg {
    use pyo3::prelude::*;

    use crate::args::int_list;

    /// `None`, or one token count per row.
    pub fn token_counts(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u32>>> {
        if obj.is_none() {
            Ok(None)
        } else {
            int_list(obj, "token_counts", 0..=u32::MAX).map(Some)
        }
    }
}

/// Runs the quality filters; returns one reason code per row (0 = kept) as bytes.
#[pyfunction]
#[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over owned
#[pyo3(signature = (column, questions = None, token_counts = None, preset = "default", overrides = None))]
pub fn quality_filter<'py>(
    py: Python<'py>,
    column: Bound<'py, PyAny>,
    questions: Option<Bound<'py, PyAny>>,
    #[pyo3(from_py_with = arg::token_counts)] token_counts: Option<Vec<u32>>,
    preset: &str,
    overrides: Option<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let config = config(preset, overrides.as_ref())?;
    let texts = text_column(&column, "column")?;
    let questions = questions
        .map(|q| text_column(&q, "questions"))
        .transpose()?;
    let codes = texts.with(|t| match &questions {
        Some(questions) => questions.with(|q| {
            detach_interruptible(py, |stop| {
                filter_rows(t[0], Some(q[0]), token_counts.as_deref(), &config, stop)
            })
        }),
        None => detach_interruptible(py, |stop| {
            filter_rows(t[0], None, token_counts.as_deref(), &config, stop)
        }),
    })?;
    Ok(PyBytes::new(py, &codes))
}
