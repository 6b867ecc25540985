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
use pyo3::types::PyDict;

use crate::bytes::{from_bytes, to_bytes};
use crate::errors::{invalid, NativeError};
use crate::interrupt::detach_interruptible;

/// The integer arguments of this file, each checked by name.
mod arg {
    use pyo3::prelude::*;

    use crate::args::{int, int_list, int_or_none};

    /// Tokens; a sample needs at least one.
    pub fn max_seq_len(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "max_seq_len", 1..=usize::MAX)
    }

    /// Tokens; 0 sets no lower bound.
    pub fn min_seq_len(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "min_seq_len", 0..=usize::MAX)
    }

    /// Tokens per micro-batch per rank.
    pub fn token_budget(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
        int(obj, "token_budget", 1..=u64::MAX)
    }

    /// The plan numbers ranks with `u32`.
    pub fn ranks(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "ranks", 1..=u32::MAX as usize)
    }

    /// Samples per optimizer step.
    pub fn effective_batch_size(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        int(obj, "effective_batch_size", 1..=usize::MAX)
    }

    /// The seed of the sample order, or `None` to keep the input order.
    pub fn seed(obj: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
        int_or_none(obj, "seed", 0..=u64::MAX)
    }

    /// Sample indices, as `PackEngine.process` numbers them.
    pub fn samples(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        int_list(obj, "samples", 0..=u32::MAX)
    }
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
        #[pyo3(from_py_with = arg::max_seq_len)] max_seq_len: usize,
        #[pyo3(from_py_with = arg::min_seq_len)] min_seq_len: usize,
        end_of_turn: Option<String>,
        source_name: &str,
    ) -> PyResult<Self> {
        if min_seq_len > max_seq_len {
            return Err(invalid(
                "min_seq_len",
                format!("{min_seq_len} is above max_seq_len ({max_seq_len}); no sample could fit"),
            )
            .into());
        }
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
        let messages: serde_json::Value = serde_json::from_str(messages_json)
            .map_err(|e| invalid("messages_json", format!("not valid JSON: {e}")))?;
        detach_interruptible(py, |_| {
            self.engine
                .template
                .render(&messages, add_generation_prompt, None)
        })
    }

    /// Token ids of `text`, without added special tokens.
    fn encode(&self, py: Python<'_>, text: &str) -> PyResult<Vec<u32>> {
        detach_interruptible(py, |_| self.engine.tokenizer.encode(text)).map(|e| e.ids)
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
        let batch = detach_interruptible(py, |_| Ok(self.engine.process(&lines)))?;
        let out = PyDict::new(py);
        out.set_item("input_ids", to_bytes(py, &batch.input_ids)?)?;
        out.set_item("labels", to_bytes(py, &batch.labels)?)?;
        out.set_item("offsets", to_bytes(py, &batch.offsets)?)?;
        out.set_item("record_index", to_bytes(py, &batch.record_index)?)?;
        out.set_item("learned", to_bytes(py, &batch.learned)?)?;
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
    #[pyo3(from_py_with = arg::token_budget)] token_budget: u64,
    #[pyo3(from_py_with = arg::ranks)] ranks: usize,
    #[pyo3(from_py_with = arg::effective_batch_size)] effective_batch_size: usize,
    #[pyo3(from_py_with = arg::seed)] seed: Option<u64>,
    regroup: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let lengths: Vec<u32> = from_bytes("lengths", lengths)?;
    let options = PlanOptions {
        token_budget,
        ranks,
        effective_batch_size,
        seed,
        regroup,
    };
    let p = detach_interruptible(py, |_| plan::plan(&lengths, &options))?;
    let out = PyDict::new(py);
    out.set_item("samples", to_bytes(py, &p.samples)?)?;
    out.set_item("starts", to_bytes(py, &p.starts)?)?;
    out.set_item("step", to_bytes(py, &p.step)?)?;
    out.set_item("micro", to_bytes(py, &p.micro)?)?;
    out.set_item("rank", to_bytes(py, &p.rank)?)?;
    out.set_item("tokens", to_bytes(py, &p.tokens)?)?;
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
    #[pyo3(from_py_with = arg::samples)] samples: Vec<u32>,
) -> PyResult<(Vec<u32>, Vec<i32>, Vec<u32>, Vec<u32>)> {
    let ids: Vec<u32> = from_bytes("input_ids", input_ids)?;
    let labels: Vec<i32> = from_bytes("labels", labels)?;
    let offsets: Vec<u64> = from_bytes("offsets", offsets)?;
    let flat = detach_interruptible(py, |_| plan::flatten(&ids, &labels, &offsets, &samples))?;
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
    let tok = detach_interruptible(py, |_| gguf::tokenizer_from_gguf(&path))?;
    Ok((tok.tokenizer_json, tok.chat_template, tok.special_tokens))
}
