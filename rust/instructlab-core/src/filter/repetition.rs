//! The Gopher "repetition" family: repeated lines and paragraphs, the most frequent short
//! n-gram, and the share of text inside repeated longer n-grams. Fractions of characters are
//! of the whole text's characters.

use std::collections::{HashMap, HashSet};

use super::{FilterConfig, Reason};
use crate::text::{hash_bytes, hash_u64s};

/// Buffers reused between rows by one worker.
#[derive(Debug, Default)]
pub struct Scratch {
    seen: HashSet<u64>,
    counts: HashMap<u64, u32>,
    words: Vec<(u64, usize)>,
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// `(elements, repeated elements, characters in repeated elements)` of `parts`.
fn duplicates<'a>(
    parts: impl Iterator<Item = &'a str>,
    seen: &mut HashSet<u64>,
) -> (usize, usize, usize) {
    seen.clear();
    let (mut n, mut dup, mut dup_chars) = (0, 0, 0);
    for part in parts {
        n += 1;
        if !seen.insert(hash_bytes(part.as_bytes(), 0)) {
            dup += 1;
            dup_chars += part.chars().count();
        }
    }
    (n, dup, dup_chars)
}

fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    // Paragraphs are separated by blank lines (two or more newlines).
    text.trim()
        .split("\n\n")
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_matches('\n'))
}

/// The first repetition reason to drop `text` (`chars` characters long), if any.
pub fn check(text: &str, chars: usize, config: &FilterConfig, s: &mut Scratch) -> Option<Reason> {
    let lines = if config.max_duplicate_lines.is_some() || config.max_duplicate_line_chars.is_some()
    {
        duplicates(text.split('\n').filter(|l| !l.is_empty()), &mut s.seen)
    } else {
        (0, 0, 0)
    };
    let paras = if config.max_duplicate_paragraphs.is_some()
        || config.max_duplicate_paragraph_chars.is_some()
    {
        duplicates(paragraphs(text), &mut s.seen)
    } else {
        (0, 0, 0)
    };
    if config
        .max_duplicate_lines
        .is_some_and(|m| ratio(lines.1, lines.0) > m)
    {
        return Some(Reason::DuplicateLines);
    }
    if config
        .max_duplicate_paragraphs
        .is_some_and(|m| ratio(paras.1, paras.0) > m)
    {
        return Some(Reason::DuplicateParagraphs);
    }
    if config
        .max_duplicate_line_chars
        .is_some_and(|m| ratio(lines.2, chars) > m)
    {
        return Some(Reason::DuplicateLineChars);
    }
    if config
        .max_duplicate_paragraph_chars
        .is_some_and(|m| ratio(paras.2, chars) > m)
    {
        return Some(Reason::DuplicateParagraphChars);
    }
    if config.top_ngrams.is_empty() && config.duplicate_ngrams.is_empty() {
        return None;
    }
    s.words.clear();
    s.words.extend(
        text.split_whitespace()
            .map(|w| (hash_bytes(w.as_bytes(), 0), w.chars().count())),
    );
    let mut hashes: Vec<u64> = Vec::with_capacity(16);
    for &(n, limit) in &config.top_ngrams {
        if n == 0 || s.words.len() < n {
            continue;
        }
        s.counts.clear();
        let mut best: (u32, usize) = (0, 0);
        for (start, window) in s.words.windows(n).enumerate() {
            hashes.clear();
            hashes.extend(window.iter().map(|w| w.0));
            let count = s.counts.entry(hash_u64s(&hashes, n as u64)).or_insert(0);
            *count += 1;
            if *count > best.0 {
                best = (*count, start);
            }
        }
        if best.0 > 1 {
            // Characters of the n-gram as written with single spaces, times its count.
            let len: usize = s.words[best.1..best.1 + n]
                .iter()
                .map(|w| w.1)
                .sum::<usize>()
                + n
                - 1;
            if ratio(len * best.0 as usize, chars) > limit {
                return Some(Reason::TopNgram);
            }
        }
    }
    for &(n, limit) in &config.duplicate_ngrams {
        if n == 0 || s.words.len() < n {
            continue;
        }
        s.seen.clear();
        let mut repeated = 0;
        let mut i = 0;
        while i + n <= s.words.len() {
            let window = &s.words[i..i + n];
            hashes.clear();
            hashes.extend(window.iter().map(|w| w.0));
            if s.seen.insert(hash_u64s(&hashes, n as u64)) {
                i += 1;
            } else {
                // Count a repeated n-gram once and skip past it, so overlaps are not counted twice.
                repeated += window.iter().map(|w| w.1).sum::<usize>();
                i += n;
            }
        }
        if ratio(repeated, chars) > limit {
            return Some(Reason::DuplicateNgrams);
        }
    }
    None
}
