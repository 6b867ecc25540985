//! Shingling: a text as the set of its word or character n-grams, each hashed to 64 bits.

use super::hash::{hash_bytes, hash_u64s};
use super::normalize::Normalize;

/// What one shingle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shingle {
    /// `n` consecutive words (split on whitespace after normalisation).
    Words(usize),
    /// `n` consecutive characters (Unicode scalar values) of the normalised text.
    Chars(usize),
}

impl Default for Shingle {
    /// Five-word shingles, the usual choice for near-duplicate documents.
    fn default() -> Self {
        Self::Words(5)
    }
}

const WORD_SEED: u64 = 0x5748_4f52_4453;
const SHINGLE_SEED: u64 = 0x5348_494e_474c;

/// Turns texts into shingle hashes, reusing its buffers between calls.
///
/// A text shorter than one shingle (but not empty) yields one shingle of the whole text, so short
/// texts still compare; an empty text yields none.
#[derive(Debug, Clone)]
pub struct Shingler {
    shingle: Shingle,
    normalize: Normalize,
    words: Vec<u64>,
    bounds: Vec<usize>,
}

impl Shingler {
    /// A shingler; `n` is clamped to at least 1.
    pub fn new(shingle: Shingle, normalize: Normalize) -> Self {
        let shingle = match shingle {
            Shingle::Words(n) => Shingle::Words(n.max(1)),
            Shingle::Chars(n) => Shingle::Chars(n.max(1)),
        };
        Self {
            shingle,
            normalize,
            words: Vec::new(),
            bounds: Vec::new(),
        }
    }

    /// Replaces `out` with the shingle hashes of `text`, in text order (with repeats).
    pub fn shingles(&mut self, text: &str, out: &mut Vec<u64>) {
        out.clear();
        let text = self.normalize.apply(text);
        match self.shingle {
            Shingle::Words(n) => {
                self.words.clear();
                if text.is_ascii() {
                    // Byte-wise splitting, with the same whitespace set as `split_whitespace`.
                    self.words.extend(
                        text.as_bytes()
                            .split(|&b| char::from(b).is_whitespace())
                            .filter(|w| !w.is_empty())
                            .map(|w| hash_bytes(w, WORD_SEED)),
                    );
                } else {
                    self.words.extend(
                        text.split_whitespace()
                            .map(|w| hash_bytes(w.as_bytes(), WORD_SEED)),
                    );
                }
                if self.words.is_empty() {
                    return;
                }
                if self.words.len() <= n {
                    out.push(hash_u64s(&self.words, SHINGLE_SEED));
                    return;
                }
                out.extend(self.words.windows(n).map(|w| hash_u64s(w, SHINGLE_SEED)));
            }
            Shingle::Chars(n) => {
                self.bounds.clear();
                self.bounds.extend(text.char_indices().map(|(i, _)| i));
                self.bounds.push(text.len());
                let chars = self.bounds.len() - 1;
                if chars == 0 {
                    return;
                }
                if chars <= n {
                    out.push(hash_bytes(text.as_bytes(), SHINGLE_SEED));
                    return;
                }
                let bytes = text.as_bytes();
                out.extend(
                    self.bounds
                        .windows(n + 1)
                        .map(|w| hash_bytes(&bytes[w[0]..w[n]], SHINGLE_SEED)),
                );
            }
        }
    }

    /// The distinct shingle hashes of `text`, sorted (a set, ready for [`jaccard`]).
    pub fn shingle_set(&mut self, text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        self.shingles(text, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Jaccard similarity of two sorted, deduplicated sets; two empty sets score 0 (nothing to
/// compare is never a duplicate).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    #[allow(clippy::cast_precision_loss)] // set sizes are far below 2^52
    let ratio = common as f64 / (a.len() + b.len() - common) as f64;
    ratio
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(shingle: Shingle, text: &str) -> Vec<u64> {
        Shingler::new(shingle, Normalize::default()).shingle_set(text)
    }

    #[test]
    fn word_shingles_count_windows_and_ignore_spacing() {
        let mut s = Shingler::new(Shingle::Words(2), Normalize::default());
        let mut out = Vec::new();
        s.shingles("a b c d", &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(
            set(Shingle::Words(2), "A  b\tc d"),
            set(Shingle::Words(2), "a b c d")
        );
        assert_ne!(
            set(Shingle::Words(2), "a b c d"),
            set(Shingle::Words(2), "a b d c")
        );
    }

    #[test]
    fn short_and_empty_texts() {
        assert_eq!(set(Shingle::Words(5), "two words").len(), 1);
        assert!(set(Shingle::Words(5), "").is_empty());
        assert!(set(Shingle::Words(5), "  \n ").is_empty());
        assert_eq!(set(Shingle::Chars(3), "ab").len(), 1);
        assert_eq!(set(Shingle::Chars(3), "abcd").len(), 2);
        // Characters, not bytes: three two-byte letters make one 3-char shingle.
        assert_eq!(set(Shingle::Chars(3), "éèê").len(), 1);
    }

    #[test]
    fn jaccard_of_known_sets() {
        assert!((jaccard(&[1, 2, 3], &[2, 3, 4]) - 0.5).abs() < 1e-12);
        assert!((jaccard(&[1], &[1]) - 1.0).abs() < 1e-12);
        assert!(jaccard(&[], &[]).abs() < 1e-12);
        assert!(jaccard(&[1], &[]).abs() < 1e-12);
    }
}
