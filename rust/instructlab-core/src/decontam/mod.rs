//! Decontamination: drop training rows that share word n-grams with reference texts (evaluation
//! questions, held-out seed examples).
//!
//! Only the texts passed in are compared. Callers pass question and answer text, never document
//! or context passages: knowledge rows share those with their test rows by design, and counting
//! them would drop every knowledge row.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::dedup::check_rows;
use crate::text::{Normalize, Shingle, Shingler};
use crate::{Error, Interrupt, Result};

/// Settings of [`decontaminate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecontamParams {
    /// Words per n-gram (13, as is usual for evaluation contamination checks).
    pub ngram: usize,
    /// A row is contaminated when the fraction of its n-grams found in the references is above
    /// this (0: any shared n-gram).
    pub threshold: f64,
    /// Normalisation before comparing (default: every normalisation, punctuation included).
    pub normalize: Normalize,
}

impl Default for DecontamParams {
    fn default() -> Self {
        Self {
            ngram: 13,
            threshold: 0.0,
            normalize: Normalize::AGGRESSIVE,
        }
    }
}

/// The result of [`decontaminate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Decontam {
    /// Per row: the fraction of its n-grams that occur in a reference.
    pub overlap: Vec<f32>,
    /// Per row: the first reference (index) it shares an n-gram with, or -1.
    pub matched: Vec<i64>,
    /// Per row: whether it is kept (its overlap is not above the threshold).
    pub keep: Vec<bool>,
}

const CHUNK: usize = 1 << 14;

/// Compares every row (the n-grams of all its `columns` pooled) with the n-grams of
/// `references`. A text shorter than `ngram` words counts as one n-gram of all its words, so
/// short questions still match exactly.
pub fn decontaminate(
    columns: &[&[&str]],
    references: &[&str],
    params: &DecontamParams,
    interrupt: &Interrupt,
) -> Result<Decontam> {
    let rows = check_rows(columns)?;
    if params.ngram == 0 || !(0.0..1.0).contains(&params.threshold) {
        return Err(Error::InvalidArgument {
            name: "ngram/threshold".to_owned(),
            message: format!(
                "ngram must be at least 1 and threshold in [0, 1); got {} and {}",
                params.ngram, params.threshold
            ),
        });
    }
    let shingle = Shingle::Words(params.ngram);
    // The reference index: n-gram hash -> first reference holding it.
    let per_reference: Vec<Vec<u64>> = references
        .par_iter()
        .map_init(
            || Shingler::new(shingle, params.normalize),
            |s, text| s.shingle_set(text),
        )
        .collect();
    interrupt.check()?;
    let mut index: HashMap<u64, u32> = HashMap::new();
    for (i, grams) in per_reference.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation)] // references are far fewer than 2^32
        let i = i as u32;
        for &g in grams {
            index.entry(g).or_insert(i);
        }
    }
    drop(per_reference);

    let mut overlap = vec![0f32; rows];
    let mut matched = vec![-1i64; rows];
    for start in (0..rows).step_by(CHUNK) {
        interrupt.check()?;
        let end = (start + CHUNK).min(rows);
        let results: Vec<(f32, i64)> = (start..end)
            .into_par_iter()
            .map_init(
                || (Shingler::new(shingle, params.normalize), Vec::new()),
                |(s, grams), row| {
                    let mut all: Vec<u64> = Vec::new();
                    for column in columns {
                        s.shingles(column[row], grams);
                        all.extend_from_slice(grams);
                    }
                    all.sort_unstable();
                    all.dedup();
                    let mut hits = 0usize;
                    let mut first: Option<u32> = None;
                    for g in &all {
                        if let Some(&r) = index.get(g) {
                            hits += 1;
                            first = Some(first.map_or(r, |f| f.min(r)));
                        }
                    }
                    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                    let fraction = if all.is_empty() {
                        0.0
                    } else {
                        (hits as f64 / all.len() as f64) as f32
                    };
                    (fraction, first.map_or(-1, i64::from))
                },
            )
            .collect();
        for (i, (f, m)) in results.into_iter().enumerate() {
            overlap[start + i] = f;
            matched[start + i] = m;
        }
    }
    let keep = overlap
        .iter()
        .map(|&f| f64::from(f) <= params.threshold)
        .collect();
    Ok(Decontam {
        overlap,
        matched,
        keep,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVAL_Q: &str = "Which insects carry pollen between the flowers of apple trees in the \
                          early spring before most other pollinators wake up?";

    fn run(rows: &[&str], refs: &[&str], p: &DecontamParams) -> Decontam {
        match decontaminate(&[rows], refs, p, &Interrupt::new()) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_shared_13_gram_drops_the_row_and_names_the_reference() {
        let leaked = format!("Tell me: {} Answer briefly.", EVAL_Q.to_uppercase());
        let rows = [
            "Bees are important pollinators of many crops.",
            leaked.as_str(),
            "",
        ];
        let d = run(
            &rows,
            &["unrelated reference", EVAL_Q],
            &DecontamParams::default(),
        );
        assert_eq!(d.keep, vec![true, false, true]);
        assert_eq!(d.matched, vec![-1, 1, -1]);
        assert!(d.overlap[1] > 0.0 && d.overlap[0] == 0.0);
    }

    #[test]
    fn threshold_and_short_texts() {
        let p = DecontamParams {
            threshold: 0.9,
            ..DecontamParams::default()
        };
        let partly =
            format!("{EVAL_Q} and then a long tail of many other words that are not in it at all");
        let d = run(&[partly.as_str()], &[EVAL_Q], &p);
        assert_eq!(d.keep, vec![true]);
        // Texts shorter than one n-gram match only as a whole.
        let d = run(
            &["What is 2+2?", "what is 2 2"],
            &["What is 2 + 2"],
            &DecontamParams::default(),
        );
        assert_eq!(d.keep, vec![false, false]);
        let d = run(
            &["What is 2+3?"],
            &["What is 2 + 2"],
            &DecontamParams::default(),
        );
        assert_eq!(d.keep, vec![true]);
    }

    #[test]
    fn columns_pool_and_bad_arguments_fail() {
        let q = ["a question", EVAL_Q];
        let a = [EVAL_Q, "an answer"];
        let d = decontaminate(
            &[&q, &a],
            &[EVAL_Q],
            &DecontamParams::default(),
            &Interrupt::new(),
        );
        assert_eq!(d.map(|d| d.keep).ok(), Some(vec![false, false]));
        let bad = DecontamParams {
            ngram: 0,
            ..DecontamParams::default()
        };
        assert!(decontaminate(&[&q], &[], &bad, &Interrupt::new()).is_err());
    }
}
