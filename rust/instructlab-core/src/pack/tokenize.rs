//! Tokenisation from a Hugging Face `tokenizer.json`, with the ids the Python tokenizer gives.
//!
//! transformers encodes a rendered chat with `add_special_tokens=False` and no truncation or
//! padding, whatever `tokenizer.json` says about those; [`TextTokenizer::encode`] does the same.

use std::path::Path;
use std::str::FromStr;

use tokenizers::Tokenizer;

use crate::{Error, Result};

/// A loaded tokenizer.
pub struct TextTokenizer {
    inner: Tokenizer,
    specials: Vec<String>,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("specials", &self.specials)
            .finish_non_exhaustive()
    }
}

/// Token ids with the byte range of the text each one came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encoded {
    /// Token ids.
    pub ids: Vec<u32>,
    /// `(start, end)` byte offsets into the encoded text, one per id.
    pub offsets: Vec<(usize, usize)>,
}

impl TextTokenizer {
    /// Loads `tokenizer.json` from `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Parses the text of a `tokenizer.json`; `source_name` names it in errors.
    pub fn from_json(json: &str, source_name: &str) -> Result<Self> {
        let mut inner = Tokenizer::from_str(json).map_err(|e| Error::Tokenizer {
            source_name: source_name.to_owned(),
            message: format!("not a usable tokenizer.json: {e}"),
        })?;
        inner.with_truncation(None).map_err(|e| Error::Tokenizer {
            source_name: source_name.to_owned(),
            message: e.to_string(),
        })?;
        inner.with_padding(None);
        let specials = inner
            .get_added_tokens_decoder()
            .values()
            .filter(|t| t.special)
            .map(|t| t.content.clone())
            .collect();
        Ok(Self { inner, specials })
    }

    /// Encodes `text` without adding special tokens (transformers' `add_special_tokens=False`).
    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let enc = self
            .inner
            .encode(text, false)
            .map_err(|e| Error::Tokenizer {
                source_name: "tokenizer".to_owned(),
                message: e.to_string(),
            })?;
        Ok(Encoded {
            ids: enc.get_ids().to_vec(),
            offsets: enc.get_offsets().to_vec(),
        })
    }

    /// The id of a token given as text, if the vocabulary has it.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// The added tokens marked special (`<|im_end|>`, `</s>`, ...), as text.
    pub fn special_tokens(&self) -> &[String] {
        &self.specials
    }

    /// The vocabulary size, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny byte-level BPE with ChatML specials, written by hand: enough to exercise offsets.
    pub(crate) fn tiny_json() -> String {
        let mut vocab = serde_json::Map::new();
        // The 256 byte-level symbols, as GPT-2 maps bytes to printable characters.
        let mut n = 0u32;
        for b in 0u32..=255 {
            let printable =
                (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
            let c = if printable {
                char::from_u32(b).unwrap_or('?')
            } else {
                let c = char::from_u32(256 + n).unwrap_or('?');
                n += 1;
                c
            };
            let len = vocab.len();
            vocab.insert(c.to_string(), serde_json::json!(len));
        }
        let len = vocab.len();
        vocab.insert("He".into(), serde_json::json!(len));
        serde_json::json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": [
                {"id": 257, "content": "<|im_start|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
                {"id": 258, "content": "<|im_end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
            ],
            "normalizer": null,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                      "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": false, "vocab": vocab, "merges": [["H", "e"]]}
        })
        .to_string()
    }

    pub(crate) fn tiny() -> TextTokenizer {
        TextTokenizer::from_json(&tiny_json(), "tiny").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn encodes_with_byte_offsets_and_specials() {
        let tok = tiny();
        let enc = tok
            .encode("<|im_start|>Hey<|im_end|>")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(enc.ids[0], 257);
        assert_eq!(*enc.ids.last().unwrap_or(&0), 258);
        assert_eq!(enc.ids[1], 256); // the "He" merge
        assert_eq!(enc.offsets[1], (12, 14));
        assert_eq!(tok.special_tokens().len(), 2);
    }

    #[test]
    fn bad_json_is_a_tokenizer_error() {
        let err = TextTokenizer::from_json("{}", "x.json");
        assert!(
            matches!(err, Err(Error::Tokenizer { source_name, .. }) if source_name == "x.json")
        );
    }
}
