//! Tests of near-duplicate removal (kept beside `near.rs`, too long to sit inside it).

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

/// A tiny deterministic generator, so the test corpora need no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = crate::text::hash::mix64(self.0);
        self.0
    }
    #[allow(clippy::cast_possible_truncation)]
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn document(rng: &mut Rng, words: usize) -> Vec<String> {
    (0..words)
        .map(|_| format!("w{}", rng.below(20_000)))
        .collect()
}

/// The exact Jaccard similarity of 5-word shingle sets, computed independently of the kernel.
fn exact_jaccard(a: &str, b: &str) -> f64 {
    let sets = |t: &str| -> HashSet<String> {
        let w: Vec<&str> = t.split_whitespace().collect();
        if w.len() <= 5 {
            return std::iter::once(w.join(" ")).collect();
        }
        w.windows(5).map(|x| x.join(" ")).collect()
    };
    let (sa, sb) = (sets(a), sets(b));
    #[allow(clippy::cast_precision_loss)]
    let j = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
    j
}

fn run(texts: &[String], params: &NearDedupParams) -> NearDedup {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    match near_dedup(&refs, params, &Interrupt::new()) {
        Ok(r) => r,
        Err(e) => panic!("near_dedup failed: {e}"),
    }
}

#[test]
fn copies_above_the_threshold_cluster_and_below_do_not() {
    let mut rng = Rng(3);
    let base = document(&mut rng, 100);
    let mut near = base.clone();
    near[50] = "changed".into(); // one word: J = 91/101 ~ 0.90
    let mut far = base.clone();
    for (i, w) in far[20..35].iter_mut().enumerate() {
        *w = format!("other{i}"); // fifteen words: J ~ 0.67
    }
    let other = document(&mut rng, 100);
    let texts: Vec<String> = [&base, &other, &near, &far]
        .iter()
        .map(|d| d.join(" "))
        .collect();
    assert!(exact_jaccard(&texts[0], &texts[2]) > 0.85);
    assert!(exact_jaccard(&texts[0], &texts[3]) < 0.7);
    let r = run(&texts, &NearDedupParams::default());
    assert_eq!(r.cluster, vec![0, 1, 0, 3]);
    assert_eq!(r.keep(), vec![true, true, false, true]);
}

#[test]
fn edge_cases() {
    let p = NearDedupParams::default();
    assert!(run(&[], &p).cluster.is_empty());
    assert_eq!(run(&["alone".into()], &p).cluster, vec![0]);
    // Empty rows are nobody's near-duplicate; identical rows all collapse onto the first.
    let texts: Vec<String> = vec![String::new(), String::new(), " ".into()];
    assert_eq!(run(&texts, &p).cluster, vec![0, 1, 2]);
    let same: Vec<String> = vec!["the same few words here".into(); 4];
    assert_eq!(run(&same, &p).cluster, vec![0; 4]);
    // Normalisation: case, width and spacing do not make rows different.
    let texts: Vec<String> = vec![
        "Ｔhe Quick brown fox jumps over the lazy dog".into(),
        "the quick  brown fox jumps over the LAZY dog".into(),
    ];
    assert_eq!(run(&texts, &p).cluster, vec![0, 0]);
}

#[test]
fn bad_parameters_are_refused() {
    let texts = ["a"];
    for p in [
        NearDedupParams {
            threshold: 0.0,
            ..NearDedupParams::default()
        },
        NearDedupParams {
            threshold: 1.5,
            ..NearDedupParams::default()
        },
        NearDedupParams {
            bands: Some((20, 20)),
            ..NearDedupParams::default()
        },
    ] {
        let r = near_dedup(&texts, &p, &Interrupt::new());
        assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{p:?}");
    }
}

#[test]
fn spilling_gives_the_same_result() {
    let corpus = planted_corpus(11, 300, 150);
    let in_memory = run(&corpus.texts, &NearDedupParams::default());
    let spilled = run(
        &corpus.texts,
        &NearDedupParams {
            memory_budget: 1024,
            ..NearDedupParams::default()
        },
    );
    assert!(spilled.stats.spilled_bytes > 0);
    assert_eq!(in_memory.cluster, spilled.cluster);
}

struct Corpus {
    texts: Vec<String>,
    /// (original, copy) index pairs.
    planted: Vec<(usize, usize)>,
}

/// `originals` random documents of ~100 words, then `copies` edited copies whose similarity
/// to their original spans roughly 0.7 to 0.9 (a run of replaced words, a trimmed tail).
fn planted_corpus(seed: u64, originals: usize, copies: usize) -> Corpus {
    let mut rng = Rng(seed);
    let docs: Vec<Vec<String>> = (0..originals)
        .map(|_| {
            let len = 90 + rng.below(20);
            document(&mut rng, len)
        })
        .collect();
    let mut texts: Vec<String> = docs.iter().map(|d| d.join(" ")).collect();
    let mut planted = Vec::new();
    for c in 0..copies {
        let original = c * originals / copies.max(1);
        let mut copy = docs[original].clone();
        let replaced = 1 + rng.below(13);
        let at = 10 + rng.below(copy.len() - 20 - replaced);
        for w in &mut copy[at..at + replaced] {
            *w = format!("edit{}", rng.below(1_000_000));
        }
        copy.truncate(copy.len() - rng.below(4));
        planted.push((original, texts.len()));
        texts.push(copy.join(" "));
    }
    Corpus { texts, planted }
}

#[test]
fn f1_against_exact_jaccard_on_planted_copies() {
    let params = NearDedupParams::default();
    let corpus = planted_corpus(42, 3000, 1500);
    let result = run(&corpus.texts, &params);
    let truth: HashSet<(usize, usize)> = corpus
        .planted
        .iter()
        .copied()
        .filter(|&(a, b)| exact_jaccard(&corpus.texts[a], &corpus.texts[b]) >= params.threshold)
        .collect();
    let similarities: Vec<f64> = corpus
        .planted
        .iter()
        .map(|&(a, b)| exact_jaccard(&corpus.texts[a], &corpus.texts[b]))
        .collect();
    let lowest = similarities.iter().copied().fold(1.0, f64::min);
    let highest = similarities.iter().copied().fold(0.0, f64::max);
    assert!(
        lowest <= 0.72 && highest >= 0.88,
        "span {lowest}..{highest}"
    );
    // Predicted pairs: every pair of rows in one cluster.
    let mut members: std::collections::HashMap<u32, Vec<usize>> = std::collections::HashMap::new();
    for (i, &c) in result.cluster.iter().enumerate() {
        members.entry(c).or_default().push(i);
    }
    let mut predicted = HashSet::new();
    for m in members.values() {
        for (x, &a) in m.iter().enumerate() {
            for &b in &m[x + 1..] {
                predicted.insert((a, b));
            }
        }
    }
    let tp = predicted
        .iter()
        .filter(|&&(a, b)| {
            truth.contains(&(a, b))
                || exact_jaccard(&corpus.texts[a], &corpus.texts[b]) >= params.threshold
        })
        .count();
    #[allow(clippy::cast_precision_loss)]
    let (precision, recall) = (
        tp as f64 / predicted.len().max(1) as f64,
        tp as f64 / truth.len().max(1) as f64,
    );
    let f1 = 2.0 * precision * recall / (precision + recall);
    assert!(truth.len() > 300, "too few true pairs: {}", truth.len());
    assert!(
        f1 >= 0.95,
        "F1 {f1} (precision {precision}, recall {recall})"
    );
}

fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(e) => panic!("thread pool: {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn same_result_with_any_thread_count_idempotent_and_consistent(
        seed in any::<u64>(), originals in 1usize..80, copies in 0usize..60,
    ) {
        let corpus = planted_corpus(seed, originals, copies);
        let params = NearDedupParams { memory_budget: 4096, ..NearDedupParams::default() };
        let one = with_threads(1, || run(&corpus.texts, &params));
        let four = with_threads(4, || run(&corpus.texts, &params));
        prop_assert_eq!(&one.cluster, &four.cluster);
        // Cluster ids point at the first (kept) row of the cluster.
        for (i, &c) in one.cluster.iter().enumerate() {
            prop_assert!(c as usize <= i);
            prop_assert_eq!(one.cluster[c as usize], c);
        }
        // Running again on the kept rows drops nothing more.
        let kept: Vec<String> = corpus.texts.iter().zip(one.keep())
            .filter(|(_, k)| *k).map(|(t, _)| t.clone()).collect();
        let again = run(&kept, &params);
        prop_assert!(again.keep().iter().all(|&k| k));
    }
}
