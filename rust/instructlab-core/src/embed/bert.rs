//! A BERT-family encoder (BERT, RoBERTa, XLM-R layouts) in `f32`, one sequence at a time.
//!
//! Sequences are never padded: each runs alone at its own length, so no work is spent on pad
//! tokens and no attention mask is needed; parallelism comes from running many sequences at
//! once (see `SentenceEncoder`). The attention reads Q, K and V straight out of the fused
//! projection through strides, without copies.

use std::collections::HashMap;
use std::path::Path;

use super::kernels::{add_bias, gelu, gemm, layer_norm, softmax_rows, View};
use super::safetensors::Tensor;
use crate::{Error, Result};

/// The parts of `config.json` the encoder needs.
#[derive(Debug, Clone, PartialEq)]
pub struct BertConfig {
    /// Width of every token's vector.
    pub hidden_size: usize,
    /// Attention heads per layer.
    pub heads: usize,
    /// Transformer layers.
    pub layers: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Layer norm epsilon.
    pub layer_norm_eps: f32,
    /// Positions the model has embeddings for.
    pub max_positions: usize,
    /// The first position id (0 for BERT; `pad_token_id + 1` for RoBERTa).
    pub position_offset: usize,
}

impl BertConfig {
    /// Reads `config.json` (its text `json`, file `source` for messages).
    pub fn from_json(json: &str, source: &str) -> Result<Self> {
        let bad = |message: String| Error::Io {
            path: source.to_owned(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        let int = |key: &str| -> Result<usize> {
            value
                .get(key)
                .and_then(serde_json::Value::as_u64)
                .and_then(|v| usize::try_from(v).ok())
                .filter(|&v| v > 0)
                .ok_or_else(|| bad(format!("`{key}` is missing or not a positive integer")))
        };
        let model_type = value
            .get("model_type")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let position_offset = match model_type {
            "bert" => 0,
            "roberta" | "xlm-roberta" | "camembert" => {
                let pad = value
                    .get("pad_token_id")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(1);
                usize::try_from(pad).map_err(|_| bad("pad_token_id too large".into()))? + 1
            }
            other => {
                return Err(bad(format!(
                    "model_type '{other}' is not a BERT-family encoder (bert, roberta, xlm-roberta)"
                )))
            }
        };
        let act = value
            .get("hidden_act")
            .and_then(|v| v.as_str())
            .unwrap_or("gelu");
        if act != "gelu" {
            return Err(bad(format!(
                "hidden_act '{act}' is not supported (gelu only)"
            )));
        }
        let config = Self {
            hidden_size: int("hidden_size")?,
            heads: int("num_attention_heads")?,
            layers: int("num_hidden_layers")?,
            intermediate_size: int("intermediate_size")?,
            #[allow(clippy::cast_possible_truncation)]
            layer_norm_eps: value
                .get("layer_norm_eps")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(1e-12) as f32,
            max_positions: int("max_position_embeddings")?,
            position_offset,
        };
        if config.hidden_size % config.heads != 0 {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                config.hidden_size, config.heads
            )));
        }
        Ok(config)
    }

    /// The longest sequence the position embeddings allow.
    pub fn max_tokens(&self) -> usize {
        self.max_positions.saturating_sub(self.position_offset)
    }
}

/// One transformer layer's weights, transposed at load to `[in, out]` (PyTorch stores
/// `Linear` weights as `[out, in]`), so every product reads its right-hand matrix row by row.
#[derive(Debug)]
struct Layer {
    qkv: Vec<f32>,
    qkv_bias: Vec<f32>,
    out: Vec<f32>,
    out_bias: Vec<f32>,
    norm1: (Vec<f32>, Vec<f32>),
    up: Vec<f32>,
    up_bias: Vec<f32>,
    down: Vec<f32>,
    down_bias: Vec<f32>,
    norm2: (Vec<f32>, Vec<f32>),
}

/// A loaded encoder.
#[derive(Debug)]
pub struct Bert {
    /// Its configuration.
    pub config: BertConfig,
    words: Vec<f32>,
    vocab: usize,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

struct Weights<'a> {
    tensors: &'a mut HashMap<String, Tensor>,
    prefix: String,
    source: String,
}

impl Weights<'_> {
    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let key = format!("{}{name}", self.prefix);
        let tensor = self.tensors.remove(&key).ok_or_else(|| Error::Io {
            path: self.source.clone(),
            message: format!("the tensor `{key}` is missing: not a BERT-family encoder"),
        })?;
        if tensor.shape != shape {
            return Err(Error::Io {
                path: self.source.clone(),
                message: format!(
                    "the tensor `{key}` has shape {:?}, the config says {shape:?}",
                    tensor.shape
                ),
            });
        }
        Ok(tensor.data)
    }

    fn norm(&mut self, name: &str, width: usize) -> Result<(Vec<f32>, Vec<f32>)> {
        // Old checkpoints name the layer norm parameters gamma/beta.
        let weight = format!("{}{name}.weight", self.prefix);
        let (w, b) = if self.tensors.contains_key(&weight) {
            ("weight", "bias")
        } else {
            ("gamma", "beta")
        };
        Ok((
            self.take(&format!("{name}.{w}"), &[width])?,
            self.take(&format!("{name}.{b}"), &[width])?,
        ))
    }
}

impl Bert {
    /// Builds the encoder from `config` and the tensors of its safetensors file (`source`).
    pub fn new(
        config: BertConfig,
        mut tensors: HashMap<String, Tensor>,
        source: &Path,
    ) -> Result<Self> {
        let source = source.display().to_string();
        let prefix = tensors
            .keys()
            .find_map(|k| k.strip_suffix("embeddings.word_embeddings.weight"))
            .map(str::to_owned)
            .ok_or_else(|| Error::Io {
                path: source.clone(),
                message: "no `embeddings.word_embeddings.weight`: not a BERT-family encoder".into(),
            })?;
        let vocab = tensors[&format!("{prefix}embeddings.word_embeddings.weight")].shape[0];
        let (d, i) = (config.hidden_size, config.intermediate_size);
        let type_rows = tensors
            .get(&format!("{prefix}embeddings.token_type_embeddings.weight"))
            .map_or(1, |t| t.shape[0]);
        let mut w = Weights {
            tensors: &mut tensors,
            prefix,
            source,
        };
        let words = w.take("embeddings.word_embeddings.weight", &[vocab, d])?;
        let positions = w.take(
            "embeddings.position_embeddings.weight",
            &[config.max_positions, d],
        )?;
        let token_type = w.take("embeddings.token_type_embeddings.weight", &[type_rows, d])?;
        let embed_norm = w.norm("embeddings.LayerNorm", d)?;
        let mut layers = Vec::with_capacity(config.layers);
        for n in 0..config.layers {
            let p = format!("encoder.layer.{n}.");
            let mut qkv = w.take(&format!("{p}attention.self.query.weight"), &[d, d])?;
            qkv.extend(w.take(&format!("{p}attention.self.key.weight"), &[d, d])?);
            qkv.extend(w.take(&format!("{p}attention.self.value.weight"), &[d, d])?);
            let qkv = transpose(&qkv, 3 * d, d);
            let mut qkv_bias = w.take(&format!("{p}attention.self.query.bias"), &[d])?;
            qkv_bias.extend(w.take(&format!("{p}attention.self.key.bias"), &[d])?);
            qkv_bias.extend(w.take(&format!("{p}attention.self.value.bias"), &[d])?);
            layers.push(Layer {
                qkv,
                qkv_bias,
                out: transpose(
                    &w.take(&format!("{p}attention.output.dense.weight"), &[d, d])?,
                    d,
                    d,
                ),
                out_bias: w.take(&format!("{p}attention.output.dense.bias"), &[d])?,
                norm1: w.norm(&format!("{p}attention.output.LayerNorm"), d)?,
                up: transpose(
                    &w.take(&format!("{p}intermediate.dense.weight"), &[i, d])?,
                    i,
                    d,
                ),
                up_bias: w.take(&format!("{p}intermediate.dense.bias"), &[i])?,
                down: transpose(&w.take(&format!("{p}output.dense.weight"), &[d, i])?, d, i),
                down_bias: w.take(&format!("{p}output.dense.bias"), &[d])?,
                norm2: w.norm(&format!("{p}output.LayerNorm"), d)?,
            });
        }
        Ok(Self {
            config,
            words,
            vocab,
            positions,
            token_type,
            embed_norm,
            layers,
        })
    }

    /// The last hidden states of a batch of sequences, one after another (`Σ len × hidden`,
    /// row-major). The dense layers run once over every token of the batch; attention runs per
    /// sequence and head. Ids outside the vocabulary read as id 0; each sequence is cut to
    /// [`BertConfig::max_tokens`].
    pub fn forward(&self, batch: &[&[u32]]) -> Vec<f32> {
        let max = self.config.max_tokens();
        let lengths: Vec<usize> = batch.iter().map(|s| s.len().min(max)).collect();
        let mut x = self.embed(batch, &lengths);
        let mut work = Scratch::new(&self.config, &lengths);
        for layer in &self.layers {
            self.layer(layer, &mut x, &lengths, &mut work);
        }
        x
    }

    /// Word, position and token-type embeddings of every token, layer-normed.
    fn embed(&self, batch: &[&[u32]], lengths: &[usize]) -> Vec<f32> {
        let c = &self.config;
        let d = c.hidden_size;
        let rows: usize = lengths.iter().sum();
        let mut x = vec![0.0f32; rows * d];
        let mut at = 0;
        for (ids, &len) in batch.iter().zip(lengths) {
            for (pos, &id) in ids[..len].iter().enumerate() {
                let id = usize::try_from(id)
                    .ok()
                    .filter(|&i| i < self.vocab)
                    .unwrap_or(0);
                let word = &self.words[id * d..(id + 1) * d];
                let p = pos + c.position_offset;
                let position = &self.positions[p * d..(p + 1) * d];
                let row = &mut x[(at + pos) * d..(at + pos + 1) * d];
                for (k, v) in row.iter_mut().enumerate() {
                    *v = word[k] + position[k] + self.token_type[k];
                }
            }
            at += len;
        }
        layer_norm(
            &mut x,
            &self.embed_norm.0,
            &self.embed_norm.1,
            c.layer_norm_eps,
        );
        x
    }

    /// One transformer layer over the batch's hidden states `x`, in place.
    fn layer(&self, layer: &Layer, x: &mut [f32], lengths: &[usize], work: &mut Scratch) {
        let c = &self.config;
        let (width, inter) = (c.hidden_size, c.intermediate_size);
        let rows = work.rows;
        let Scratch {
            qkv,
            context,
            hidden,
            ..
        } = work;
        gemm(
            rows,
            width,
            3 * width,
            View::rows(x, 0, width),
            View::rows(&layer.qkv, 0, 3 * width),
            qkv,
            0,
            3 * width,
            false,
        );
        add_bias(qkv, &layer.qkv_bias);
        self.attention(qkv, context, &mut work.scores, lengths);
        // x = LayerNorm(context · Wo + bo + x): the residual is accumulated by the product.
        gemm(
            rows,
            width,
            width,
            View::rows(context, 0, width),
            View::rows(&layer.out, 0, width),
            x,
            0,
            width,
            true,
        );
        add_bias(x, &layer.out_bias);
        layer_norm(x, &layer.norm1.0, &layer.norm1.1, c.layer_norm_eps);
        gemm(
            rows,
            width,
            inter,
            View::rows(x, 0, width),
            View::rows(&layer.up, 0, inter),
            hidden,
            0,
            inter,
            false,
        );
        add_bias(hidden, &layer.up_bias);
        gelu(hidden);
        gemm(
            rows,
            inter,
            width,
            View::rows(hidden, 0, inter),
            View::rows(&layer.down, 0, width),
            x,
            0,
            width,
            true,
        );
        add_bias(x, &layer.down_bias);
        layer_norm(x, &layer.norm2.0, &layer.norm2.1, c.layer_norm_eps);
    }

    /// Self-attention of each sequence and head: `softmax(Q·Kᵀ/√d)·V` into `context`.
    fn attention(&self, qkv: &[f32], context: &mut [f32], scores: &mut [f32], lengths: &[usize]) {
        let width = self.config.hidden_size;
        let head = width / self.config.heads;
        #[allow(clippy::cast_precision_loss)]
        let scale = 1.0 / (head as f32).sqrt();
        let mut start = 0;
        for &len in lengths {
            let base = start * 3 * width;
            for h in 0..self.config.heads {
                let queries = View::rows(qkv, base + h * head, 3 * width);
                let keys = View::transposed(qkv, base + width + h * head, 3 * width);
                gemm(len, head, len, queries, keys, scores, 0, len, false);
                softmax_rows(&mut scores[..len * len], len, scale);
                let values = View::rows(qkv, base + 2 * width + h * head, 3 * width);
                let weights = View::rows(scores, 0, len);
                gemm(
                    len,
                    len,
                    head,
                    weights,
                    values,
                    context,
                    start * width + h * head,
                    width,
                    false,
                );
            }
            start += len;
        }
    }
}

/// Buffers one batch reuses across layers.
struct Scratch {
    rows: usize,
    qkv: Vec<f32>,
    scores: Vec<f32>,
    context: Vec<f32>,
    hidden: Vec<f32>,
}

impl Scratch {
    fn new(config: &BertConfig, lengths: &[usize]) -> Self {
        let rows: usize = lengths.iter().sum();
        let longest = lengths.iter().copied().max().unwrap_or(0);
        Self {
            rows,
            qkv: vec![0.0; rows * 3 * config.hidden_size],
            scores: vec![0.0; longest * longest],
            context: vec![0.0; rows * config.hidden_size],
            hidden: vec![0.0; rows * config.intermediate_size],
        }
    }
}

/// `m` (`rows × cols`, row-major) transposed.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
    }
    out
}
