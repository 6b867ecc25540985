//! Binding of `instructlab_core::pack`: the training-data engine.
//!
//! Numeric results cross as little-endian `bytes` (read them with `numpy.frombuffer`), so the
//! binding needs no numpy at build or import time.

// PyO3 extracts these arguments as owned values; borrowing them would mean converting twice.
#![allow(clippy::needless_pass_by_value)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use instructlab_core::pack::engine::Engine;
use instructlab_core::pack::gguf;
use instructlab_core::pack::labels::SampleOptions;
use instructlab_core::pack::plan::{self, PlanOptions};
use instructlab_core::pack::template::ChatTemplate;
use instructlab_core::pack::tokenize::TextTokenizer;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::NativeError;

fn le_bytes<'py, T: Copy, const N: usize>(
    py: Python<'py>,
    values: &[T],
    to: impl Fn(T) -> [u8; N],
) -> Bound<'py, PyBytes> {
    let mut raw: Vec<u8> = Vec::with_capacity(values.len() * N);
    for &v in values {
        raw.extend_from_slice(&to(v));
    }
    PyBytes::new(py, &raw)
}

fn read_le<T, const N: usize>(raw: &[u8], from: impl Fn([u8; N]) -> T) -> Vec<T> {
    raw.chunks_exact(N)
        .map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            from(a)
        })
        .collect()
}

/// A chat template, a tokenizer and sample settings: turns JSONL records into masked samples.
#[pyclass(module = "instructlab._native", frozen)]
pub struct PackEngine {
    engine: Engine,
}

#[pymethods]
impl PackEngine {
    #[new]
    #[pyo3(signature = (tokenizer_json, chat_template, special_tokens, max_seq_len, min_seq_len = 2, end_of_turn = None, source_name = "tokenizer.json"))]
    fn new(
        tokenizer_json: &str,
        chat_template: &str,
        special_tokens: BTreeMap<String, String>,
        max_seq_len: usize,
        min_seq_len: usize,
        end_of_turn: Option<String>,
        source_name: &str,
    ) -> PyResult<Self> {
        let tokenizer =
            TextTokenizer::from_json(tokenizer_json, source_name).map_err(NativeError)?;
        let template = ChatTemplate::new(chat_template, &special_tokens).map_err(NativeError)?;
        let options = SampleOptions {
            max_seq_len,
            min_seq_len,
            end_of_turn,
            eos_token: special_tokens.get("eos_token").cloned(),
        };
        Ok(Self {
            engine: Engine::new(template, tokenizer, options),
        })
    }

    /// Renders a conversation (a JSON list of messages) as the chat template does.
    #[pyo3(signature = (messages_json, add_generation_prompt = false))]
    fn render(
        &self,
        py: Python<'_>,
        messages_json: &str,
        add_generation_prompt: bool,
    ) -> PyResult<String> {
        let messages: serde_json::Value = serde_json::from_str(messages_json).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("messages are not valid JSON: {e}"))
        })?;
        py.detach(|| {
            self.engine
                .template
                .render(&messages, add_generation_prompt, None)
        })
        .map_err(|e| NativeError(e).into())
    }

    /// Token ids of `text`, without added special tokens.
    fn encode(&self, py: Python<'_>, text: &str) -> PyResult<Vec<u32>> {
        py.detach(|| self.engine.tokenizer.encode(text))
            .map(|e| e.ids)
            .map_err(|e| NativeError(e).into())
    }

    /// Seconds spent so far, summed over threads: `(in the tokenizer, on whole records)`.
    fn timings(&self) -> (f64, f64) {
        let t = &self.engine.times;
        let secs = |a: &std::sync::atomic::AtomicU64| {
            Duration::from_nanos(a.load(Ordering::Relaxed)).as_secs_f64()
        };
        (secs(&t.tokenize_ns), secs(&t.total_ns))
    }

    /// Processes JSONL lines in parallel. Returns a dict: `input_ids` (u32), `labels` (i32),
    /// `offsets` (u64, one more than samples), `record_index` (u32), `learned` (u32) as bytes;
    /// `record_id` (list of str); `dropped` (list of (record index, reason, detail)).
    fn process<'py>(&self, py: Python<'py>, lines: Vec<String>) -> PyResult<Bound<'py, PyDict>> {
        let batch = py.detach(|| self.engine.process(&lines));
        let out = PyDict::new(py);
        out.set_item(
            "input_ids",
            le_bytes(py, &batch.input_ids, u32::to_le_bytes),
        )?;
        out.set_item("labels", le_bytes(py, &batch.labels, i32::to_le_bytes))?;
        out.set_item("offsets", le_bytes(py, &batch.offsets, u64::to_le_bytes))?;
        out.set_item(
            "record_index",
            le_bytes(py, &batch.record_index, u32::to_le_bytes),
        )?;
        out.set_item("learned", le_bytes(py, &batch.learned, u32::to_le_bytes))?;
        out.set_item("record_id", batch.record_id)?;
        let dropped: Vec<(u32, &str, String)> = batch
            .dropped
            .iter()
            .map(|(i, r)| (*i, r.name(), r.detail()))
            .collect();
        out.set_item("dropped", dropped)?;
        Ok(out)
    }
}

/// Plans packing for sample `lengths` (u32 little-endian bytes). Returns a dict of bytes arrays
/// (`samples` u32, `starts` u64, `step`/`micro`/`rank` u32, `tokens` u64) and `stats` (a dict).
#[pyfunction]
#[pyo3(signature = (lengths, token_budget, ranks, effective_batch_size, seed = None, regroup = true))]
pub fn plan_packing<'py>(
    py: Python<'py>,
    lengths: &[u8],
    token_budget: u64,
    ranks: usize,
    effective_batch_size: usize,
    seed: Option<u64>,
    regroup: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let lengths: Vec<u32> = read_le(lengths, u32::from_le_bytes);
    let options = PlanOptions {
        token_budget,
        ranks,
        effective_batch_size,
        seed,
        regroup,
    };
    let p = py
        .detach(|| plan::plan(&lengths, &options))
        .map_err(NativeError)?;
    let out = PyDict::new(py);
    out.set_item("samples", le_bytes(py, &p.samples, u32::to_le_bytes))?;
    out.set_item("starts", le_bytes(py, &p.starts, u64::to_le_bytes))?;
    out.set_item("step", le_bytes(py, &p.step, u32::to_le_bytes))?;
    out.set_item("micro", le_bytes(py, &p.micro, u32::to_le_bytes))?;
    out.set_item("rank", le_bytes(py, &p.rank, u32::to_le_bytes))?;
    out.set_item("tokens", le_bytes(py, &p.tokens, u64::to_le_bytes))?;
    let s = &p.stats;
    let stats = PyDict::new(py);
    stats.set_item("steps", s.steps)?;
    stats.set_item("last_step_samples", s.last_step_samples)?;
    stats.set_item("micro_batches", s.micro_batches)?;
    stats.set_item("max_micro_steps", s.max_micro_steps)?;
    stats.set_item("tokens", s.tokens)?;
    stats.set_item("fill", s.fill)?;
    stats.set_item("fill_bound", s.fill_bound)?;
    stats.set_item("steps_over_bound", s.steps_over_bound)?;
    stats.set_item("regrouped", s.regrouped)?;
    stats.set_item("rank_imbalance", s.rank_imbalance)?;
    stats.set_item("worst_rank_imbalance", s.worst_rank_imbalance)?;
    stats.set_item("lockstep_fill", s.lockstep_fill)?;
    out.set_item("stats", stats)?;
    Ok(out)
}

/// Lays out one packed micro-batch padding-free. `input_ids` (u32), `labels` (i32) and `offsets`
/// (u64) are bytes as `PackEngine.process` returns them; returns `input_ids`, `labels`,
/// `position_ids` and `cu_seqlens` as lists.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn flatten_packed(
    py: Python<'_>,
    input_ids: &[u8],
    labels: &[u8],
    offsets: &[u8],
    samples: Vec<u32>,
) -> PyResult<(Vec<u32>, Vec<i32>, Vec<u32>, Vec<u32>)> {
    let ids: Vec<u32> = read_le(input_ids, u32::from_le_bytes);
    let labels: Vec<i32> = read_le(labels, i32::from_le_bytes);
    let offsets: Vec<u64> = read_le(offsets, u64::from_le_bytes);
    let flat = py
        .detach(|| plan::flatten(&ids, &labels, &offsets, &samples))
        .map_err(NativeError)?;
    Ok((
        flat.input_ids,
        flat.labels,
        flat.position_ids,
        flat.cu_seqlens,
    ))
}

/// Rebuilds the tokenizer of a GGUF file: `(tokenizer.json text, chat template or None,
/// {special token name: text})`.
#[pyfunction]
pub fn gguf_tokenizer(
    py: Python<'_>,
    path: PathBuf,
) -> PyResult<(String, Option<String>, BTreeMap<String, String>)> {
    let tok = py
        .detach(|| gguf::tokenizer_from_gguf(&path))
        .map_err(NativeError)?;
    Ok((tok.tokenizer_json, tok.chat_template, tok.special_tokens))
}
