//! Checks for generated question/answer rows: truncated outputs and answers echoing the question.

use super::quality::WordStats;
use super::{FilterConfig, Reason};
use crate::text::{jaccard, Normalize, Shingle, Shingler};

/// Whether `text` stops mid-sentence: its last visible character is a letter, digit or comma
/// and its last line is not a list item, heading, table row or code fence.
pub fn looks_truncated(text: &str) -> bool {
    let trimmed = text.trim_end();
    let Some(last) = trimmed.chars().last() else {
        return false;
    };
    if !(last.is_alphanumeric() || last == ',') {
        return false;
    }
    let last_line = trimmed.lines().last().unwrap_or("").trim_start();
    let structured = ["-", "*", "•", "#", "|", "```"]
        .iter()
        .any(|m| last_line.starts_with(m))
        || last_line
            .split_once(['.', ')'])
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    !structured
}

/// Word-trigram Jaccard similarity of two texts after aggressive normalisation.
pub fn echo_similarity(answer: &str, question: &str) -> f64 {
    let mut s = Shingler::new(Shingle::Words(3), Normalize::AGGRESSIVE);
    jaccard(&s.shingle_set(answer), &s.shingle_set(question))
}

/// The first question/answer reason to drop `text`, if any.
pub fn check(
    text: &str,
    stats: &WordStats,
    question: Option<&str>,
    config: &FilterConfig,
) -> Option<Reason> {
    if config
        .truncated_min_words
        .is_some_and(|m| stats.words >= m && looks_truncated(text))
    {
        return Some(Reason::Truncated);
    }
    if let (Some(limit), Some(q)) = (config.max_echo_similarity, question) {
        if echo_similarity(text, q) >= limit {
            return Some(Reason::EchoesQuestion);
        }
    }
    None
}
