//! The Gopher "quality" family: word counts and lengths, symbols, bullets, ellipses, letters,
//! stop words, and the share of symbol characters.

use super::{FilterConfig, Reason};

/// The English stop words whose presence marks running prose (the Gopher list).
pub const STOP_WORDS: [&str; 8] = ["the", "be", "to", "of", "and", "that", "have", "with"];

/// Word-level counts of one text (words split on whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WordStats {
    /// Words with at least one letter or digit (symbol-only tokens like `-` do not count).
    pub words: usize,
    /// Every whitespace-separated token.
    pub tokens: usize,
    /// Characters in the counted words.
    pub word_chars: usize,
    /// Tokens with at least one letter.
    pub alpha_words: usize,
    /// Distinct stop words present (bit set over [`STOP_WORDS`]).
    pub stop_words: u8,
}

impl WordStats {
    /// Counts the words of `text`.
    pub fn of(text: &str) -> Self {
        let mut s = Self::default();
        for token in text.split_whitespace() {
            s.tokens += 1;
            let mut alnum = false;
            let mut alpha = false;
            let mut chars = 0;
            for c in token.chars() {
                chars += 1;
                alnum |= c.is_alphanumeric();
                alpha |= c.is_alphabetic();
            }
            if alnum {
                s.words += 1;
                s.word_chars += chars;
            }
            if alpha {
                s.alpha_words += 1;
                if token.len() <= 4 {
                    for (i, stop) in STOP_WORDS.iter().enumerate() {
                        if token.eq_ignore_ascii_case(stop) {
                            s.stop_words |= 1 << i;
                        }
                    }
                }
            }
        }
        s
    }
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The first quality reason to drop `text`, if any.
pub fn check(text: &str, stats: &WordStats, config: &FilterConfig) -> Option<Reason> {
    let avg = ratio(stats.word_chars, stats.words);
    if stats.words > 0 {
        if config.min_avg_word_length.is_some_and(|m| avg < m) {
            return Some(Reason::ShortWords);
        }
        if config.max_avg_word_length.is_some_and(|m| avg > m) {
            return Some(Reason::LongWords);
        }
    }
    if let Some(limit) = config.max_symbol_word_ratio {
        let hashes = text.matches('#').count();
        let ellipses = text.matches("...").count() + text.matches('…').count();
        if stats.words == 0 && hashes + ellipses > 0
            || ratio(hashes, stats.words) > limit
            || ratio(ellipses, stats.words) > limit
        {
            return Some(Reason::SymbolRatio);
        }
    }
    if config.max_bullet_lines_ratio.is_some() || config.max_ellipsis_lines_ratio.is_some() {
        let (mut lines, mut bullets, mut ellipses) = (0, 0, 0);
        for line in text.lines() {
            lines += 1;
            let start = line.trim_start();
            if start.starts_with('•') || start.starts_with('-') {
                bullets += 1;
            }
            let end = line.trim_end();
            if end.ends_with("...") || end.ends_with('…') {
                ellipses += 1;
            }
        }
        if config
            .max_bullet_lines_ratio
            .is_some_and(|m| ratio(bullets, lines) > m)
        {
            return Some(Reason::BulletLines);
        }
        if config
            .max_ellipsis_lines_ratio
            .is_some_and(|m| ratio(ellipses, lines) > m)
        {
            return Some(Reason::EllipsisLines);
        }
    }
    if config
        .min_alpha_words_ratio
        .is_some_and(|m| ratio(stats.alpha_words, stats.tokens) < m)
    {
        return Some(Reason::NonAlphaWords);
    }
    if config
        .min_stop_words
        .is_some_and(|m| (stats.stop_words.count_ones() as usize) < m)
    {
        return Some(Reason::FewStopWords);
    }
    if let Some(limit) = config.max_non_alnum_ratio {
        let (mut visible, mut symbols) = (0, 0);
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            visible += 1;
            if !c.is_alphanumeric() {
                symbols += 1;
            }
        }
        if ratio(symbols, visible) > limit {
            return Some(Reason::NonAlnumChars);
        }
    }
    None
}
