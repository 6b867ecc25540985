//! Quality filters: heuristics that drop junk rows, each drop with a [`Reason`].
//!
//! The heuristic families are those of the Gopher paper (Rae et al., 2021) as commonly
//! implemented (e.g. datatrove's Gopher quality and repetition filters), plus checks for
//! generated question/answer rows: empty or truncated outputs and answers that echo the question.
//! Two presets: [`FilterConfig::gopher`] (the paper's values, for web-style documents) and
//! [`FilterConfig::default`] (for synthetic answers, which are short: no minimum length or
//! prose-only checks, the repetition checks kept).

pub mod qa;
pub mod quality;
pub mod reason;
pub mod repetition;

use rayon::prelude::*;

const CHUNK: usize = 1 << 14;

pub use reason::Reason;

use crate::dedup::check_rows;
use crate::{Error, Interrupt, Result};

/// Thresholds of every filter; `None` (or an empty list) switches a check off.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterConfig {
    /// Minimum characters.
    pub min_chars: Option<usize>,
    /// Maximum characters.
    pub max_chars: Option<usize>,
    /// Minimum words (words with at least one letter or digit).
    pub min_words: Option<usize>,
    /// Maximum words.
    pub max_words: Option<usize>,
    /// Minimum tokens (needs token counts from a tokenizer).
    pub min_tokens: Option<usize>,
    /// Maximum tokens (needs token counts from a tokenizer).
    pub max_tokens: Option<usize>,
    /// Minimum mean word length in characters.
    pub min_avg_word_length: Option<f64>,
    /// Maximum mean word length in characters.
    pub max_avg_word_length: Option<f64>,
    /// Maximum (`#` count + ellipsis count) per word.
    pub max_symbol_word_ratio: Option<f64>,
    /// Maximum fraction of lines that start with a bullet (`•` or `-`).
    pub max_bullet_lines_ratio: Option<f64>,
    /// Maximum fraction of lines that end with an ellipsis.
    pub max_ellipsis_lines_ratio: Option<f64>,
    /// Minimum fraction of words that contain a letter.
    pub min_alpha_words_ratio: Option<f64>,
    /// Minimum number of distinct stop words (the, be, to, of, and, that, have, with).
    pub min_stop_words: Option<usize>,
    /// Maximum fraction of non-whitespace characters that are neither letters nor digits.
    pub max_non_alnum_ratio: Option<f64>,
    /// Maximum fraction of lines that repeat an earlier line.
    pub max_duplicate_lines: Option<f64>,
    /// Maximum fraction of paragraphs that repeat an earlier paragraph.
    pub max_duplicate_paragraphs: Option<f64>,
    /// Maximum fraction of characters in repeated lines.
    pub max_duplicate_line_chars: Option<f64>,
    /// Maximum fraction of characters in repeated paragraphs.
    pub max_duplicate_paragraph_chars: Option<f64>,
    /// `(n, limit)`: the most frequent word n-gram may cover at most `limit` of the characters.
    pub top_ngrams: Vec<(usize, f64)>,
    /// `(n, limit)`: repeated word n-grams may cover at most `limit` of the characters.
    pub duplicate_ngrams: Vec<(usize, f64)>,
    /// Drop texts of at least this many words that stop mid-sentence.
    pub truncated_min_words: Option<usize>,
    /// Drop answers whose word-trigram Jaccard similarity to the question reaches this.
    pub max_echo_similarity: Option<f64>,
}

/// The Gopher repetition limits on the most frequent 2-, 3- and 4-grams.
pub const GOPHER_TOP_NGRAMS: [(usize, f64); 3] = [(2, 0.20), (3, 0.18), (4, 0.16)];
/// The Gopher repetition limits on repeated 5- to 10-grams.
pub const GOPHER_DUPLICATE_NGRAMS: [(usize, f64); 6] = [
    (5, 0.15),
    (6, 0.14),
    (7, 0.13),
    (8, 0.12),
    (9, 0.11),
    (10, 0.10),
];

impl FilterConfig {
    /// The Gopher quality and repetition values: 50 to 100,000 words, mean word length 3 to 10,
    /// at most 0.1 symbols per word, at most 90% bullet lines and 30% ellipsis lines, at least
    /// 80% of words with a letter, at least 2 stop words; at most 30% duplicate lines or
    /// paragraphs, 20% of characters in them, and the n-gram limits above.
    pub fn gopher() -> Self {
        Self {
            min_chars: None,
            max_chars: None,
            min_words: Some(50),
            max_words: Some(100_000),
            min_tokens: None,
            max_tokens: None,
            min_avg_word_length: Some(3.0),
            max_avg_word_length: Some(10.0),
            max_symbol_word_ratio: Some(0.1),
            max_bullet_lines_ratio: Some(0.9),
            max_ellipsis_lines_ratio: Some(0.3),
            min_alpha_words_ratio: Some(0.8),
            min_stop_words: Some(2),
            max_non_alnum_ratio: None,
            max_duplicate_lines: Some(0.3),
            max_duplicate_paragraphs: Some(0.3),
            max_duplicate_line_chars: Some(0.2),
            max_duplicate_paragraph_chars: Some(0.2),
            top_ngrams: GOPHER_TOP_NGRAMS.to_vec(),
            duplicate_ngrams: GOPHER_DUPLICATE_NGRAMS.to_vec(),
            truncated_min_words: None,
            max_echo_similarity: None,
        }
    }
}

impl Default for FilterConfig {
    /// For generated answers: non-empty, at most 100,000 words, at most 0.1 symbols per word,
    /// at most half the characters symbols, the Gopher bullet/ellipsis and repetition limits, no
    /// truncated text of 20+ words, no answer with 0.9+ trigram similarity to its question.
    fn default() -> Self {
        Self {
            min_words: Some(1),
            min_avg_word_length: None,
            max_avg_word_length: None,
            min_alpha_words_ratio: None,
            min_stop_words: None,
            max_non_alnum_ratio: Some(0.5),
            truncated_min_words: Some(20),
            max_echo_similarity: Some(0.9),
            ..Self::gopher()
        }
    }
}

/// Checks every row; returns one code per row: 0 when kept, else the [`Reason`] code of the
/// first check it failed (checks run in [`Reason`] code order).
///
/// `questions` (optional, one per row) enables the echo check; `token_counts` (optional) the
/// token bounds.
pub fn filter_rows(
    texts: &[&str],
    questions: Option<&[&str]>,
    token_counts: Option<&[u32]>,
    config: &FilterConfig,
    interrupt: &Interrupt,
) -> Result<Vec<u8>> {
    let rows = check_rows(&[texts])?;
    if let Some(q) = questions {
        check_rows(&[texts, q])?;
    }
    if let Some(t) = token_counts {
        if t.len() != rows {
            return Err(Error::InvalidArgument {
                name: "token_counts".to_owned(),
                message: format!("{} counts for {rows} rows", t.len()),
            });
        }
    }
    if (config.min_tokens.is_some() || config.max_tokens.is_some()) && token_counts.is_none() {
        return Err(Error::InvalidArgument {
            name: "min_tokens/max_tokens".to_owned(),
            message: "token bounds need token counts (give a tokenizer)".to_owned(),
        });
    }
    let mut codes = vec![0u8; rows];
    for (c, chunk) in codes.chunks_mut(CHUNK).enumerate() {
        interrupt.check()?;
        let start = c * CHUNK;
        chunk.par_iter_mut().enumerate().for_each_init(
            repetition::Scratch::default,
            |scratch, (i, code)| {
                let row = start + i;
                let reason = check_row(
                    texts[row],
                    questions.map(|q| q[row]),
                    token_counts.map(|t| t[row]),
                    config,
                    scratch,
                );
                *code = reason.map_or(0, Reason::code);
            },
        );
    }
    Ok(codes)
}

/// The first reason to drop one text, if any.
pub fn check_row(
    text: &str,
    question: Option<&str>,
    tokens: Option<u32>,
    config: &FilterConfig,
    scratch: &mut repetition::Scratch,
) -> Option<Reason> {
    if text.trim().is_empty() {
        return Some(Reason::Empty);
    }
    let chars = text.chars().count();
    if config.min_chars.is_some_and(|m| chars < m) {
        return Some(Reason::TooFewChars);
    }
    if config.max_chars.is_some_and(|m| chars > m) {
        return Some(Reason::TooManyChars);
    }
    let stats = quality::WordStats::of(text);
    if config.min_words.is_some_and(|m| stats.words < m) {
        return Some(Reason::TooFewWords);
    }
    if config.max_words.is_some_and(|m| stats.words > m) {
        return Some(Reason::TooManyWords);
    }
    if let Some(t) = tokens {
        let t = t as usize;
        if config.min_tokens.is_some_and(|m| t < m) {
            return Some(Reason::TooFewTokens);
        }
        if config.max_tokens.is_some_and(|m| t > m) {
            return Some(Reason::TooManyTokens);
        }
    }
    quality::check(text, &stats, config)
        .or_else(|| repetition::check(text, chars, config, scratch))
        .or_else(|| qa::check(text, &stats, question, config))
}

#[cfg(test)]
mod tests;
