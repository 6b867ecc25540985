//! Sentence embeddings without torch: a BERT-family encoder read from a sentence-transformers
//! folder (`config.json`, `model.safetensors`, `tokenizer.json`, pooling settings), run in
//! `f32` on the CPU, pooled (mean or CLS) and normalised to unit length.
//!
//! Chosen by measurement over candle, onnxruntime and numpy (figures in
//! `python/instructlab/rag/embed.py`): `matrixmultiply` brings AVX-512/FMA matrix products for
//! 3.4 s of compile CPU (candle took 601 s), and unpadded sequences batched through one set of
//! products, batches in parallel, beat sentence-transformers on the reference machine.

pub mod bert;
pub mod kernels;
pub mod safetensors;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use crate::{Error, Interrupt, Result};
use bert::{Bert, BertConfig};

/// Tokens per batch: enough rows for the matrix products to run at full speed, small enough
/// for the batches to spread over the cores.
pub const BATCH_TOKENS: usize = 2048;

/// How token vectors become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The mean of every token's vector.
    Mean,
    /// The first token's (`[CLS]`) vector.
    Cls,
}

/// A sentence-transformers model, loaded.
pub struct SentenceEncoder {
    bert: Bert,
    /// Truncates to `max_tokens` and adds the special tokens, as the model was trained.
    tokenizer: Tokenizer,
    /// Counts tokens of any length, without special tokens (for chunking).
    counter: Tokenizer,
    pooling: Pooling,
    max_tokens: usize,
    folder: PathBuf,
}

impl std::fmt::Debug for SentenceEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEncoder")
            .field("folder", &self.folder)
            .field("pooling", &self.pooling)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn read_json(path: &Path) -> Result<Option<serde_json::Value>> {
    if !path.is_file() {
        return Ok(None);
    }
    serde_json::from_str(&read_text(path)?)
        .map(Some)
        .map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: format!("not valid JSON: {e}"),
        })
}

/// The pooling a sentence-transformers folder asks for (its `modules.json` names the pooling
/// module's folder); mean pooling when the folder says nothing.
fn pooling_of(folder: &Path) -> Result<Pooling> {
    let mut dir = folder.join("1_Pooling");
    if let Some(modules) = read_json(&folder.join("modules.json"))? {
        let pooling_dir = modules.as_array().into_iter().flatten().find_map(|m| {
            let kind = m.get("type")?.as_str()?;
            kind.ends_with("Pooling")
                .then(|| m.get("path")?.as_str().map(str::to_owned))?
        });
        if let Some(path) = pooling_dir {
            dir = folder.join(path);
        }
    }
    let Some(config) = read_json(&dir.join("config.json"))? else {
        return Ok(Pooling::Mean);
    };
    let flag = |key: &str| config.get(key).and_then(serde_json::Value::as_bool) == Some(true);
    if flag("pooling_mode_cls_token") {
        Ok(Pooling::Cls)
    } else if flag("pooling_mode_mean_tokens") || config.get("pooling_mode").is_none() {
        Ok(Pooling::Mean)
    } else {
        match config.get("pooling_mode").and_then(|v| v.as_str()) {
            Some("cls") => Ok(Pooling::Cls),
            Some("mean") => Ok(Pooling::Mean),
            other => Err(Error::Io {
                path: dir.join("config.json").display().to_string(),
                message: format!("pooling {other:?} is not supported (mean or cls)"),
            }),
        }
    }
}

impl SentenceEncoder {
    /// Loads the model in `folder`.
    pub fn load(folder: &Path) -> Result<Self> {
        let config_path = folder.join("config.json");
        let config = BertConfig::from_json(
            &read_text(&config_path)?,
            &config_path.display().to_string(),
        )?;
        let weights_path = folder.join("model.safetensors");
        let tensors = safetensors::read(&weights_path)?;
        let bert = Bert::new(config, tensors, &weights_path)?;
        let tokenizer_path = folder.join("tokenizer.json");
        let counter = Tokenizer::from_file(&tokenizer_path).map_err(|e| Error::Tokenizer {
            source_name: tokenizer_path.display().to_string(),
            message: format!("not a usable tokenizer.json: {e}"),
        })?;
        let mut counter = counter;
        let tokenizer_error = |e: tokenizers::Error| Error::Tokenizer {
            source_name: tokenizer_path.display().to_string(),
            message: e.to_string(),
        };
        counter.with_truncation(None).map_err(tokenizer_error)?;
        counter.with_padding(None);
        let configured = read_json(&folder.join("sentence_bert_config.json"))?
            .and_then(|c| c.get("max_seq_length")?.as_u64())
            .and_then(|v| usize::try_from(v).ok());
        let max_tokens = configured.map_or(bert.config.max_tokens(), |m| {
            m.min(bert.config.max_tokens())
        });
        let mut tokenizer = counter.clone();
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(tokenizer_error)?;
        Ok(Self {
            bert,
            tokenizer,
            counter,
            pooling: pooling_of(folder)?,
            max_tokens,
            folder: folder.to_path_buf(),
        })
    }

    /// Length of the vectors.
    pub fn dimension(&self) -> usize {
        self.bert.config.hidden_size
    }

    /// Tokens the model reads per text (special tokens included); longer texts are cut.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The pooling in use.
    pub fn pooling(&self) -> Pooling {
        self.pooling
    }

    /// Tokens in each text, without special tokens and without truncation.
    pub fn count_tokens(&self, texts: &[&str]) -> Result<Vec<usize>> {
        texts
            .par_iter()
            .map(|text| {
                self.counter
                    .encode(*text, false)
                    .map(|e| e.get_ids().len())
                    .map_err(|e| Error::Tokenizer {
                        source_name: "tokenizer.json".into(),
                        message: e.to_string(),
                    })
            })
            .collect()
    }

    /// One unit vector per text (`texts.len() × dimension`, row-major). Texts are tokenised in
    /// parallel, sorted by length and run in batches of about [`BATCH_TOKENS`] tokens, the
    /// batches in parallel; `done` is told as batches finish; `stop` is polled between them.
    pub fn encode(
        &self,
        texts: &[&str],
        stop: &Interrupt,
        done: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<f32>> {
        let d = self.dimension();
        let ids: Vec<Vec<u32>> = texts
            .par_iter()
            .map(|text| {
                self.tokenizer
                    .encode(*text, true)
                    .map(|e| e.get_ids()[..e.get_ids().len().min(self.max_tokens)].to_vec())
                    .map_err(|e| Error::Tokenizer {
                        source_name: "tokenizer.json".into(),
                        message: e.to_string(),
                    })
            })
            .collect::<Result<_>>()?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut tokens = 0;
        for i in order {
            if batches.is_empty() || tokens + ids[i].len() > BATCH_TOKENS {
                batches.push(Vec::new());
                tokens = 0;
            }
            tokens += ids[i].len();
            if let Some(last) = batches.last_mut() {
                last.push(i);
            }
        }
        let pooled: Vec<Vec<(usize, Vec<f32>)>> = batches
            .par_iter()
            .map(|batch| -> Result<Vec<(usize, Vec<f32>)>> {
                stop.check()?;
                let seqs: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
                let out = self.embed_batch(&seqs);
                done(batch.len());
                Ok(batch.iter().copied().zip(out).collect())
            })
            .collect::<Result<_>>()?;
        let mut out = vec![0.0f32; texts.len() * d];
        for (i, row) in pooled.into_iter().flatten() {
            out[i * d..(i + 1) * d].copy_from_slice(&row);
        }
        Ok(out)
    }

    /// The pooled, normalised vectors of a batch of token id sequences.
    fn embed_batch(&self, seqs: &[&[u32]]) -> Vec<Vec<f32>> {
        let d = self.dimension();
        let runnable: Vec<&[u32]> = seqs.iter().copied().filter(|s| !s.is_empty()).collect();
        let hidden = self.bert.forward(&runnable);
        let mut at = 0;
        seqs.iter()
            .map(|ids| {
                let mut row = vec![0.0f32; d];
                if ids.is_empty() {
                    return row;
                }
                let t = ids.len().min(self.bert.config.max_tokens());
                let states = &hidden[at * d..(at + t) * d];
                at += t;
                match self.pooling {
                    Pooling::Cls => row.copy_from_slice(&states[..d]),
                    Pooling::Mean => {
                        for token in states.chunks_exact(d) {
                            for (r, v) in row.iter_mut().zip(token) {
                                *r += v;
                            }
                        }
                        #[allow(clippy::cast_precision_loss)]
                        let n = t as f32;
                        for r in &mut row {
                            *r /= n;
                        }
                    }
                }
                kernels::normalize(&mut row);
                row
            })
            .collect()
    }
}
