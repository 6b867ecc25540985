//! BM25 (Okapi, Lucene's IDF) over chunk texts: the retrieval used when a store has no
//! embedding model, and the lexical half of hybrid retrieval.
//!
//! Terms are lower-cased runs of letters and digits, English stop words dropped, plural `s`
//! endings folded (Harman's S-stemmer, and a final `y`: `bees` → `bee`, `flies` and `fly` →
//! `fl`), which is what a
//! question's words need to meet a document's without a language model.

use std::collections::HashMap;

use rayon::prelude::*;

use super::topk::top_k;

/// Words too common to say anything about a chunk.
const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "did", "do",
    "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
    "me", "my", "no", "not", "of", "on", "or", "our", "so", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "to", "us", "was", "we", "were", "what",
    "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

/// Harman's S-stemmer: folds the common English plural endings.
fn stem(word: &str) -> &str {
    let n = word.len();
    if n > 4 && word.ends_with("ies") && !word.ends_with("eies") && !word.ends_with("aies") {
        // "flies" -> "fl": `terms` also drops a final "y", so "fly" meets it there.
        return &word[..n - 3];
    }
    if n > 3 && word.ends_with("es") && !["aes", "ees", "oes"].iter().any(|e| word.ends_with(e)) {
        return &word[..n - 1];
    }
    if n > 3 && word.ends_with('s') && !word.ends_with("us") && !word.ends_with("ss") {
        return &word[..n - 1];
    }
    word
}

/// The BM25 terms of `text`, in order.
pub fn terms(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(w))
        .map(|w| {
            let w = stem(w);
            w.strip_suffix('y')
                .filter(|s| s.len() > 1)
                .unwrap_or(w)
                .to_owned()
        })
        .collect()
}

/// An inverted index with BM25 scoring.
#[derive(Debug, Clone)]
pub struct Bm25Index {
    vocabulary: HashMap<String, u32>,
    /// Per term: `(document, term frequency)`.
    postings: Vec<Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average_length: f32,
    k1: f32,
    b: f32,
}

impl Bm25Index {
    /// Indexes `texts` (document ids are their positions) with the usual `k1` and `b`.
    pub fn new(texts: &[&str], k1: f32, b: f32) -> Self {
        let tokenized: Vec<Vec<String>> = texts.par_iter().map(|t| terms(t)).collect();
        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut lengths = Vec::with_capacity(texts.len());
        for (doc, words) in tokenized.into_iter().enumerate() {
            let doc = u32::try_from(doc).unwrap_or(u32::MAX);
            lengths.push(u32::try_from(words.len()).unwrap_or(u32::MAX));
            let mut counts: HashMap<String, u32> = HashMap::new();
            for w in words {
                *counts.entry(w).or_insert(0) += 1;
            }
            for (word, tf) in counts {
                let next = u32::try_from(postings.len()).unwrap_or(u32::MAX);
                let id = *vocabulary.entry(word).or_insert(next);
                if id == next {
                    postings.push(Vec::new());
                }
                postings[id as usize].push((doc, tf));
            }
        }
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let average_length = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().map(|&l| f64::from(l)).sum::<f64>() as f32 / lengths.len() as f32
        };
        Self {
            vocabulary,
            postings,
            lengths,
            average_length,
            k1,
            b,
        }
    }

    /// Documents indexed.
    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// The `k` best documents for `query` (only documents sharing a term with it), best first.
    pub fn search(&self, query: &str, k: usize) -> Vec<(u32, f32)> {
        let mut words = terms(query);
        words.sort_unstable();
        words.dedup();
        let mut scores = vec![0.0f32; self.len()];
        #[allow(clippy::cast_precision_loss)]
        let n = self.len() as f32;
        for word in &words {
            let Some(&id) = self.vocabulary.get(word) else {
                continue;
            };
            let list = &self.postings[id as usize];
            #[allow(clippy::cast_precision_loss)]
            let df = list.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in list {
                #[allow(clippy::cast_precision_loss)]
                let (tf, len) = (tf as f32, self.lengths[doc as usize] as f32);
                let norm = self.k1 * (1.0 - self.b + self.b * len / self.average_length.max(1.0));
                scores[doc as usize] += idf * tf * (self.k1 + 1.0) / (tf + norm);
            }
        }
        top_k(&scores, k, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_fold_case_plurals_and_stop_words() {
        assert_eq!(terms("The Bees and flies"), vec!["bee", "fl"]);
        assert_eq!(terms("a fly"), vec!["fl"]);
        assert_eq!(terms("glass bus"), vec!["glass", "bus"]);
    }

    #[test]
    fn ranks_the_matching_document_first() {
        let docs = [
            "Bees carry pollen between flowers.",
            "Bats pollinate agave at night.",
            "The stock market fell today.",
        ];
        let index = Bm25Index::new(&docs, 1.2, 0.75);
        let got = index.search("Which animals pollinate agave?", 3);
        assert_eq!(got[0].0, 1);
        assert_eq!(got.len(), 1);
        assert!(index.search("zebra", 3).is_empty());
        assert!(Bm25Index::new(&[], 1.2, 0.75).search("bee", 1).is_empty());
    }
}
