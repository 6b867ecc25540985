//! The tokenizer and chat template inside a GGUF file, as a Hugging Face `tokenizer.json`.
//!
//! Only the metadata is read (the key/value section at the start of the file), never the tensors.
//! Byte-level BPE vocabularies (`tokenizer.ggml.model = "gpt2"`, what SmolLM2, Llama 3, Qwen,
//! Granite and StarCoder use) are converted; the pre-tokenizer comes from
//! `tokenizer.ggml.pre`, which names the splitting rules the original tokenizer used.
//! SentencePiece vocabularies (`"llama"`: Llama 2, Mistral, Phi 3, ...) become the BPE with byte
//! fallback that transformers builds from the same file: `▁` for spaces (prefixed to the text),
//! merges from the file or, as transformers derives them, from the vocabulary and its scores.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde_json::{json, Value as Json};

use crate::{Error, Result};

/// One metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    /// Any integer type.
    Int(i64),
    /// `u64` values too large for `i64`.
    UInt(u64),
    /// `f32` or `f64`.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
    /// An array of values.
    Array(Vec<MetaValue>),
}

impl MetaValue {
    fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Int(i) => u64::try_from(*i).ok(),
            Self::UInt(u) => Some(*u),
            _ => None,
        }
    }
}

/// A GGUF file's metadata, key by key.
pub type Metadata = BTreeMap<String, MetaValue>;

struct Reader<R> {
    inner: R,
    name: String,
}

impl<R: Read> Reader<R> {
    fn fail(&self, message: impl Into<String>) -> Error {
        Error::Tokenizer {
            source_name: self.name.clone(),
            message: message.into(),
        }
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut buf = [0u8; N];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| self.fail(format!("the GGUF metadata is cut short ({e})")))?;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }

    fn string(&mut self) -> Result<String> {
        let len = self.u64()?;
        if len > 1 << 30 {
            return Err(self.fail("a GGUF string is implausibly long; the file is damaged"));
        }
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| self.fail(format!("the GGUF metadata is cut short ({e})")))?;
        String::from_utf8(buf).map_err(|_| self.fail("a GGUF string is not valid UTF-8"))
    }

    fn value(&mut self, kind: u32, depth: usize) -> Result<MetaValue> {
        Ok(match kind {
            0 => MetaValue::Int(i64::from(self.bytes::<1>()?[0])),
            1 => MetaValue::Int(i64::from(i8::from_le_bytes(self.bytes()?))),
            2 => MetaValue::Int(i64::from(u16::from_le_bytes(self.bytes()?))),
            3 => MetaValue::Int(i64::from(i16::from_le_bytes(self.bytes()?))),
            4 => MetaValue::Int(i64::from(self.u32()?)),
            5 => MetaValue::Int(i64::from(i32::from_le_bytes(self.bytes()?))),
            6 => MetaValue::Float(f64::from(f32::from_le_bytes(self.bytes()?))),
            7 => MetaValue::Bool(self.bytes::<1>()?[0] != 0),
            8 => MetaValue::Str(self.string()?),
            9 => {
                if depth > 4 {
                    return Err(self.fail("GGUF arrays nest too deeply"));
                }
                let item = self.u32()?;
                let count = self.u64()?;
                if count > 1 << 28 {
                    return Err(self.fail("a GGUF array is implausibly long; the file is damaged"));
                }
                let mut items =
                    Vec::with_capacity(usize::try_from(count.min(1 << 20)).unwrap_or(0));
                for _ in 0..count {
                    items.push(self.value(item, depth + 1)?);
                }
                MetaValue::Array(items)
            }
            10 => {
                let u = self.u64()?;
                i64::try_from(u).map_or(MetaValue::UInt(u), MetaValue::Int)
            }
            11 => MetaValue::Int(i64::from_le_bytes(self.bytes()?)),
            12 => MetaValue::Float(f64::from_le_bytes(self.bytes()?)),
            other => return Err(self.fail(format!("unknown GGUF value type {other}"))),
        })
    }
}

/// Reads the metadata of the GGUF file at `path`.
pub fn read_metadata(path: &Path) -> Result<Metadata> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::Io {
        path: name.clone(),
        message: e.to_string(),
    })?;
    read_metadata_from(BufReader::with_capacity(1 << 20, file), &name)
}

/// Reads GGUF metadata from any reader; `name` names it in errors.
pub fn read_metadata_from(reader: impl Read, name: &str) -> Result<Metadata> {
    let mut r = Reader {
        inner: reader,
        name: name.to_owned(),
    };
    if &r.bytes::<4>()? != b"GGUF" {
        return Err(r.fail("not a GGUF file (the magic bytes are missing)"));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.fail(format!(
            "GGUF version {version} is not supported (2 and 3 are)"
        )));
    }
    let _tensors = r.u64()?;
    let count = r.u64()?;
    let mut meta = Metadata::new();
    for _ in 0..count {
        let key = r.string()?;
        let kind = r.u32()?;
        let value = r.value(kind, 0)?;
        meta.insert(key, value);
    }
    Ok(meta)
}

/// A tokenizer rebuilt from GGUF metadata.
#[derive(Debug, Clone)]
pub struct GgufTokenizer {
    /// The text of an equivalent `tokenizer.json`.
    pub tokenizer_json: String,
    /// The embedded chat template, if any.
    pub chat_template: Option<String>,
    /// Special tokens by transformers name (`bos_token`, `eos_token`, `unk_token`, `pad_token`).
    pub special_tokens: BTreeMap<String, String>,
}

/// Token types as GGUF numbers them.
const TOKEN_CONTROL: i64 = 3;
const TOKEN_USER_DEFINED: i64 = 4;

/// Llama 3's splitting pattern (also Granite 3 and Falcon 3).
const LLAMA3: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen 2's: as Llama 3's, with single digits.
const QWEN2: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The pre-tokenizer `tokenizer.json` uses for a llama.cpp pre-tokenizer name.
fn pre_tokenizer(pre: &str, name: &str) -> Result<Json> {
    let byte_level = |use_regex: bool| json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": use_regex});
    let split = |pattern: &str| json!({"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": false});
    Ok(match pre {
        "default" | "gpt-2" | "gpt2" => byte_level(true),
        // StarCoder-style: every digit alone, then GPT-2's splitting.
        "smollm" | "starcoder" | "refact" => json!({
            "type": "Sequence",
            "pretokenizers": [{"type": "Digits", "individual_digits": true}, byte_level(true)],
        }),
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "granite" => json!({
            "type": "Sequence",
            "pretokenizers": [split(LLAMA3), byte_level(false)],
        }),
        "qwen2" => json!({
            "type": "Sequence",
            "pretokenizers": [split(QWEN2), byte_level(false)],
        }),
        other => {
            return Err(Error::Tokenizer {
                source_name: name.to_owned(),
                message: format!(
                    "the GGUF pre-tokenizer {other:?} is not supported; use the model's \
                     Hugging Face directory (with tokenizer.json) instead"
                ),
            })
        }
    })
}

/// Builds a `tokenizer.json` (and the chat template and special tokens) from GGUF metadata.
pub fn tokenizer_from_metadata(meta: &Metadata, name: &str) -> Result<GgufTokenizer> {
    let fail = |message: String| Error::Tokenizer {
        source_name: name.to_owned(),
        message,
    };
    let model = meta
        .get("tokenizer.ggml.model")
        .and_then(MetaValue::as_str)
        .ok_or_else(|| fail("the GGUF file has no tokenizer (tokenizer.ggml.model)".to_owned()))?;
    if model != "gpt2" && model != "llama" {
        return Err(fail(format!(
            "GGUF tokenizer model {model:?} is not supported (byte-level BPE, \"gpt2\", and \
             SentencePiece, \"llama\", are); use the model's Hugging Face directory instead"
        )));
    }
    let strings = |key: &str| -> Result<Vec<String>> {
        match meta.get(key) {
            Some(MetaValue::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| fail(format!("{key} holds a non-string")))
                })
                .collect(),
            _ => Err(fail(format!("the GGUF file has no {key}"))),
        }
    };
    let tokens = strings("tokenizer.ggml.tokens")?;
    let merges = if model == "gpt2" || meta.contains_key("tokenizer.ggml.merges") {
        strings("tokenizer.ggml.merges")?
    } else {
        Vec::new()
    };
    let types: Vec<i64> = match meta.get("tokenizer.ggml.token_type") {
        Some(MetaValue::Array(items)) => items
            .iter()
            .map(|v| if let MetaValue::Int(i) = v { *i } else { 1 })
            .collect(),
        _ => vec![1; tokens.len()],
    };
    let pre = meta
        .get("tokenizer.ggml.pre")
        .and_then(MetaValue::as_str)
        .unwrap_or("default");

    let mut vocab = serde_json::Map::with_capacity(tokens.len());
    let mut added = Vec::new();
    for (id, token) in tokens.iter().enumerate() {
        vocab.insert(token.clone(), json!(id));
        let kind = types.get(id).copied().unwrap_or(1);
        if kind == TOKEN_CONTROL || kind == TOKEN_USER_DEFINED {
            added.push(json!({
                "id": id, "content": token, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": kind == TOKEN_CONTROL,
            }));
        }
    }
    let mut special_tokens = BTreeMap::new();
    for (key, name) in [
        ("tokenizer.ggml.bos_token_id", "bos_token"),
        ("tokenizer.ggml.eos_token_id", "eos_token"),
        ("tokenizer.ggml.unknown_token_id", "unk_token"),
        ("tokenizer.ggml.padding_token_id", "pad_token"),
    ] {
        let token = meta
            .get(key)
            .and_then(MetaValue::as_u64)
            .and_then(|id| tokens.get(usize::try_from(id).ok()?));
        if let Some(token) = token {
            special_tokens.insert(name.to_owned(), token.clone());
        }
    }
    let tokenizer = if model == "llama" {
        sentencepiece_json(meta, &tokens, &types, &merges, &special_tokens, name)?
    } else {
        let byte_level = json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true});
        json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": null,
            "pre_tokenizer": pre_tokenizer(pre, name)?,
            "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true},
            "decoder": byte_level,
            "model": {
                "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                "ignore_merges": false, "vocab": vocab, "merges": merges,
            },
        })
    };
    Ok(GgufTokenizer {
        tokenizer_json: tokenizer.to_string(),
        chat_template: meta
            .get("tokenizer.chat_template")
            .and_then(MetaValue::as_str)
            .map(str::to_owned),
        special_tokens,
    })
}

/// The `tokenizer.json` transformers builds for a SentencePiece vocabulary in a GGUF file
/// (its `LlamaTokenizer`, or Phi 3's variant that prefixes the space in a normalizer).
fn sentencepiece_json(
    meta: &Metadata,
    tokens: &[String],
    types: &[i64],
    merges: &[String],
    special_tokens: &BTreeMap<String, String>,
    name: &str,
) -> Result<Json> {
    let arch = meta
        .get("general.architecture")
        .and_then(MetaValue::as_str)
        .unwrap_or("llama");
    if arch.starts_with("gemma") {
        return Err(Error::Tokenizer {
            source_name: name.to_owned(),
            message: format!(
                "SentencePiece vocabularies of {arch:?} GGUF files are not supported; use the \
                 model's Hugging Face directory (with tokenizer.json) instead"
            ),
        });
    }
    let mut vocab = serde_json::Map::with_capacity(tokens.len());
    for (id, token) in tokens.iter().enumerate() {
        vocab.insert(token.clone(), json!(id));
    }
    let merges = sentencepiece_merges(meta, tokens, merges, name)?;
    // Special: the bos/eos/unk/pad tokens and those marked control; added but not special: those
    // marked user-defined. All are matched whole in the text.
    let named: Vec<&String> = special_tokens.values().collect();
    let mut added = Vec::new();
    for (id, token) in tokens.iter().enumerate() {
        let kind = types.get(id).copied().unwrap_or(1);
        let special = kind == TOKEN_CONTROL || named.contains(&token);
        if special || kind == TOKEN_USER_DEFINED {
            added.push(json!({
                "id": id, "content": token, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": special,
            }));
        }
    }
    let phi3 = arch == "phi3";
    let (normalizer, pre_tokenizer) = if phi3 {
        (
            json!({"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": "\u{2581}"},
                {"type": "Replace", "pattern": {"String": " "}, "content": "\u{2581}"},
            ]}),
            Json::Null,
        )
    } else {
        (
            Json::Null,
            json!({"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "first", "split": false}),
        )
    };
    let bos_first = !matches!(
        meta.get("tokenizer.ggml.add_bos_token"),
        Some(MetaValue::Bool(false))
    );
    let eos_last = matches!(
        meta.get("tokenizer.ggml.add_eos_token"),
        Some(MetaValue::Bool(true))
    );
    let post_processor = template_processing(special_tokens, tokens, bos_first, eos_last);
    Ok(json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": post_processor,
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u{2581}"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": {
            "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": true,
            "ignore_merges": false, "vocab": vocab, "merges": merges,
        },
    }))
}

/// The merges of a SentencePiece vocabulary: the file's, or derived from the scores.
fn sentencepiece_merges(
    meta: &Metadata,
    tokens: &[String],
    merges: &[String],
    name: &str,
) -> Result<Vec<Json>> {
    Ok(if merges.is_empty() {
        let scores: Vec<f64> = match meta.get("tokenizer.ggml.scores") {
            Some(MetaValue::Array(items)) => items
                .iter()
                .map(|v| match v {
                    MetaValue::Float(f) => *f,
                    #[allow(clippy::cast_precision_loss)] // scores are small
                    MetaValue::Int(i) => *i as f64,
                    _ => 0.0,
                })
                .collect(),
            _ => {
                return Err(Error::Tokenizer {
                    source_name: name.to_owned(),
                    message: "the GGUF file has neither tokenizer.ggml.merges nor \
                              tokenizer.ggml.scores to rebuild the merges from"
                        .to_owned(),
                })
            }
        };
        merges_from_scores(tokens, &scores)
            .into_iter()
            .map(|(a, b)| json!([a, b]))
            .collect()
    } else {
        merges
            .iter()
            .filter_map(|m| m.split_once(' '))
            .map(|(a, b)| json!([a, b]))
            .collect()
    })
}

/// The post-processor that adds BOS (and EOS) when the file asks for them.
fn template_processing(
    special_tokens: &BTreeMap<String, String>,
    tokens: &[String],
    bos_first: bool,
    eos_last: bool,
) -> Json {
    let id_of = |t: &str| tokens.iter().rposition(|x| x == t);
    let mut single = Vec::new();
    let mut pair = Vec::new();
    let mut specials = serde_json::Map::new();
    let bos = special_tokens
        .get("bos_token")
        .filter(|_| bos_first)
        .and_then(|t| Some((t, id_of(t)?)));
    let eos = special_tokens
        .get("eos_token")
        .filter(|_| eos_last)
        .and_then(|t| Some((t, id_of(t)?)));
    for (seq, type_id) in [("A", 0), ("B", 1)] {
        let mut part = Vec::new();
        if let Some((t, _)) = bos {
            part.push(json!({"SpecialToken": {"id": t, "type_id": type_id}}));
        }
        part.push(json!({"Sequence": {"id": seq, "type_id": type_id}}));
        if let Some((t, _)) = eos {
            part.push(json!({"SpecialToken": {"id": t, "type_id": type_id}}));
        }
        if seq == "A" {
            single.extend(part.iter().cloned());
        }
        pair.extend(part);
    }
    for (t, id) in [bos, eos].into_iter().flatten() {
        specials.insert(t.clone(), json!({"id": t, "ids": [id], "tokens": [t]}));
    }
    json!({"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials})
}

/// The merges transformers derives from a vocabulary and its scores when a file has none
/// (`generate_merges`): every split of a token into two tokens of the vocabulary, ordered by the
/// token's score (highest first), then by the parts' lengths (longest first); ties keep the
/// vocabulary's order, and splits of one token are ordered by their parts' ids.
pub fn merges_from_scores(tokens: &[String], scores: &[f64]) -> Vec<(String, String)> {
    use std::collections::HashMap;
    // Python dicts: a repeated token keeps its first place, with its last id and score.
    let mut id: HashMap<&str, usize> = HashMap::with_capacity(tokens.len());
    let mut score: HashMap<&str, f64> = HashMap::with_capacity(tokens.len());
    let mut unique: Vec<&str> = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        if id.insert(t.as_str(), i).is_none() {
            unique.push(t.as_str());
        }
        score.insert(t.as_str(), scores.get(i).copied().unwrap_or(0.0));
    }
    // (left, right, score, left chars, right chars)
    let mut merges: Vec<(&str, &str, f64, usize, usize)> = Vec::new();
    for &t in &unique {
        let s = score.get(t).copied().unwrap_or(0.0);
        let mut local: Vec<(&str, &str, f64, usize, usize)> = Vec::new();
        let chars = t.chars().count();
        for (k, (at, _)) in t.char_indices().enumerate().skip(1) {
            let (l, r) = t.split_at(at);
            if id.contains_key(l) && id.contains_key(r) {
                local.push((l, r, s, k, chars - k));
            }
        }
        local.sort_by_key(|&(l, r, ..)| (id.get(l).copied(), id.get(r).copied()));
        merges.extend(local);
    }
    // Stable: equal keys keep their order, as Python's sorted(reverse=True) does.
    merges.sort_by(|a, b| {
        b.2.partial_cmp(&a.2)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.3.cmp(&a.3))
            .then(b.4.cmp(&a.4))
    });
    merges
        .into_iter()
        .map(|(l, r, ..)| (l.to_owned(), r.to_owned()))
        .collect()
}

/// Reads the GGUF file at `path` and rebuilds its tokenizer.
pub fn tokenizer_from_gguf(path: &Path) -> Result<GgufTokenizer> {
    tokenizer_from_metadata(&read_metadata(path)?, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::tokenize::TextTokenizer;

    fn put_str(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }

    fn put_kv_str(out: &mut Vec<u8>, key: &str, value: &str) {
        put_str(out, key);
        out.extend_from_slice(&8u32.to_le_bytes());
        put_str(out, value);
    }

    fn put_kv_strs(out: &mut Vec<u8>, key: &str, values: &[&str]) {
        put_str(out, key);
        out.extend_from_slice(&9u32.to_le_bytes());
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(values.len() as u64).to_le_bytes());
        for v in values {
            put_str(out, v);
        }
    }

    /// A GGUF header with a five-token vocabulary: "a", "b", "ab", "Ġ", "<|end|>".
    fn tiny_gguf() -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&7u64.to_le_bytes());
        put_kv_str(&mut out, "tokenizer.ggml.model", "gpt2");
        put_kv_str(&mut out, "tokenizer.ggml.pre", "smollm");
        put_kv_strs(
            &mut out,
            "tokenizer.ggml.tokens",
            &["a", "b", "ab", "Ġ", "<|end|>", "1"],
        );
        put_kv_strs(&mut out, "tokenizer.ggml.merges", &["a b"]);
        put_str(&mut out, "tokenizer.ggml.token_type");
        out.extend_from_slice(&9u32.to_le_bytes());
        out.extend_from_slice(&5u32.to_le_bytes());
        out.extend_from_slice(&6u64.to_le_bytes());
        for t in [1i32, 1, 1, 1, 3, 1] {
            out.extend_from_slice(&t.to_le_bytes());
        }
        put_str(&mut out, "tokenizer.ggml.eos_token_id");
        out.extend_from_slice(&4u32.to_le_bytes());
        out.extend_from_slice(&4u32.to_le_bytes());
        put_kv_str(
            &mut out,
            "tokenizer.chat_template",
            "{{ messages[0].content }}",
        );
        out
    }

    #[test]
    fn converts_a_byte_level_vocabulary() {
        let meta =
            read_metadata_from(&tiny_gguf()[..], "tiny.gguf").unwrap_or_else(|e| panic!("{e}"));
        let tok = tokenizer_from_metadata(&meta, "tiny.gguf").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            tok.chat_template.as_deref(),
            Some("{{ messages[0].content }}")
        );
        assert_eq!(
            tok.special_tokens.get("eos_token").map(String::as_str),
            Some("<|end|>")
        );
        let t =
            TextTokenizer::from_json(&tok.tokenizer_json, "tiny").unwrap_or_else(|e| panic!("{e}"));
        let enc = t.encode("ab a<|end|>").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(enc.ids, vec![2, 3, 0, 4]);
        assert_eq!(t.special_tokens(), ["<|end|>".to_owned()]);
    }

    #[test]
    fn merges_from_scores_order_like_transformers() {
        // Expected from transformers' generate_merges on the same vocabulary and scores.
        let tokens: Vec<String> = ["▁", "a", "b", "c", "ab", "bc", "abc", "▁a", "▁ab", "b"]
            .iter()
            .map(|t| (*t).to_owned())
            .collect();
        let scores = [0.0, -1.0, -2.0, -3.0, -4.0, -4.0, -5.0, -4.0, -6.0, -9.0];
        let got = merges_from_scores(&tokens, &scores);
        let want = [
            ("a", "b"),
            ("b", "c"),
            ("▁", "a"),
            ("ab", "c"),
            ("a", "bc"),
            ("▁a", "b"),
            ("▁", "ab"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn damaged_files_are_reported() {
        let data = tiny_gguf();
        assert!(read_metadata_from(&data[..data.len() - 3], "x").is_err());
        assert!(read_metadata_from(&b"GGML"[..], "x").is_err());
        let missing = read_metadata(Path::new("/nonexistent/x.gguf"));
        assert!(matches!(missing, Err(Error::Io { .. })));
    }
}
