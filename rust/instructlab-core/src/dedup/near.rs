//! Near-duplicate removal: MinHash signatures, LSH banding, candidates verified against their
//! exact Jaccard similarity, clusters by union-find, the first row of each cluster kept.
//!
//! Determinism: bands are processed one after another; within a band the candidate buckets are
//! verified in parallel against a read-only snapshot of the clusters, and the verified pairs are
//! merged afterwards. Which pairs are verified depends only on the input, never on scheduling, and
//! a cluster's id is its smallest row index, so 1 thread and 16 threads give the same result.

use std::path::PathBuf;

use rayon::prelude::*;

use super::check_rows;
use super::lsh::{optimal_bands, BandStore};
use super::minhash::{band_key, MinHasher};
use super::union_find::UnionFind;
use crate::text::{jaccard, Normalize, Shingle, Shingler};
use crate::{Error, Interrupt, Result};

/// Settings of [`near_dedup`].
#[derive(Debug, Clone, PartialEq)]
pub struct NearDedupParams {
    /// Jaccard similarity (of shingle sets) at or above which two rows are duplicates.
    pub threshold: f64,
    /// MinHash permutations.
    pub num_perm: usize,
    /// What a shingle is.
    pub shingle: Shingle,
    /// Normalisation before shingling.
    pub normalize: Normalize,
    /// `(bands, rows)`; `None` chooses them from the threshold ([`optimal_bands`]).
    pub bands: Option<(usize, usize)>,
    /// Seed of the permutations.
    pub seed: u64,
    /// Bytes of band keys held in memory before they spill to disk.
    pub memory_budget: usize,
    /// Where spill files go (default: the system temporary folder).
    pub spill_dir: Option<PathBuf>,
    /// At most this many distinct rows of one LSH bucket are compared against newcomers, which
    /// bounds the work on huge buckets of similar-but-not-duplicate rows.
    pub max_bucket_representatives: usize,
}

impl Default for NearDedupParams {
    /// Threshold 0.8, 128 permutations, 5-word shingles of the default normalisation, 1 GiB.
    fn default() -> Self {
        Self {
            threshold: 0.8,
            num_perm: 128,
            shingle: Shingle::Words(5),
            normalize: Normalize::default(),
            bands: None,
            seed: 1,
            memory_budget: 1 << 30,
            spill_dir: None,
            max_bucket_representatives: 64,
        }
    }
}

/// What [`near_dedup`] did, for reports and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NearDedupStats {
    /// LSH bands used.
    pub bands: usize,
    /// Signature rows per band.
    pub rows: usize,
    /// Candidate pairs whose exact Jaccard was computed.
    pub candidate_pairs: u64,
    /// Candidate pairs at or above the threshold.
    pub verified_pairs: u64,
    /// Band-key bytes written to disk because of the memory budget.
    pub spilled_bytes: u64,
}

/// The result of [`near_dedup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearDedup {
    /// Each row's cluster id: the index of the first row of its cluster in input order.
    pub cluster: Vec<u32>,
    /// Counters.
    pub stats: NearDedupStats,
}

impl NearDedup {
    /// Whether each row is kept (it is the first of its cluster).
    pub fn keep(&self) -> Vec<bool> {
        self.cluster
            .iter()
            .enumerate()
            .map(|(i, &c)| c as usize == i)
            .collect()
    }
}

const CHUNK: usize = 1 << 14;

fn validate(p: &NearDedupParams) -> Result<(usize, usize)> {
    let invalid = |name: &str, message: String| Error::InvalidArgument {
        name: name.to_owned(),
        message,
    };
    if !(p.threshold > 0.0 && p.threshold <= 1.0) {
        return Err(invalid(
            "threshold",
            format!("{} is not a Jaccard similarity in (0, 1]", p.threshold),
        ));
    }
    if p.num_perm == 0 || p.num_perm > 4096 {
        return Err(invalid(
            "num_perm",
            format!("{} permutations; use 1 to 4096", p.num_perm),
        ));
    }
    let (bands, rows) = p
        .bands
        .unwrap_or_else(|| optimal_bands(p.threshold, p.num_perm));
    if bands == 0 || rows == 0 || bands * rows > p.num_perm || rows > 64 {
        return Err(invalid(
            "bands",
            format!(
                "{bands} bands x {rows} rows does not fit {} permutations (rows at most 64)",
                p.num_perm
            ),
        ));
    }
    Ok((bands, rows))
}

/// Finds near-duplicate rows of `texts` and clusters them; see the module documentation.
pub fn near_dedup(
    texts: &[&str],
    params: &NearDedupParams,
    interrupt: &Interrupt,
) -> Result<NearDedup> {
    let n = check_rows(&[texts])?;
    let (bands, rows) = validate(params)?;
    let hasher = MinHasher::new(params.num_perm, params.seed);
    let spill_root = params.spill_dir.clone().unwrap_or_else(std::env::temp_dir);
    let mut store = BandStore::new(bands, params.memory_budget, spill_root);

    // 1. Signatures, streamed: a chunk at a time, reduced at once to its band keys.
    for start in (0..n).step_by(CHUNK) {
        interrupt.check()?;
        let end = (start + CHUNK).min(n);
        let keys: Vec<Option<Vec<u32>>> = texts[start..end]
            .par_iter()
            .map_init(
                || {
                    let shingler = Shingler::new(params.shingle, params.normalize);
                    (shingler, Vec::new(), vec![0u32; params.num_perm])
                },
                |(shingler, shingles, signature), text| {
                    shingler.shingles(text, shingles);
                    if shingles.is_empty() {
                        // Nothing to compare: an empty row is nobody's near-duplicate
                        // (exact dedup handles repeated empty rows).
                        return None;
                    }
                    hasher.signature(shingles, signature);
                    Some((0..bands).map(|b| band_key(signature, b, rows)).collect())
                },
            )
            .collect();
        for (offset, k) in keys.iter().enumerate() {
            if let Some(k) = k {
                #[allow(clippy::cast_possible_truncation)] // n <= u32::MAX (check_rows)
                store.push((start + offset) as u32, k);
            }
        }
        store.maybe_spill()?;
    }

    // 2. Buckets per band, verified in parallel against a snapshot of the clusters.
    let mut clusters = UnionFind::new(n);
    let mut stats = NearDedupStats {
        bands,
        rows,
        spilled_bytes: store.spilled_bytes(),
        ..NearDedupStats::default()
    };
    for band in 0..store.len() {
        interrupt.check()?;
        let mut entries = store.take_band(band)?;
        entries.par_sort_unstable();
        let buckets = buckets(&entries);
        let snapshot = &clusters;
        let results: Vec<(Vec<(u32, u32)>, u64)> = buckets
            .par_iter()
            .map_init(
                || Shingler::new(params.shingle, params.normalize),
                |shingler, &(lo, hi)| {
                    if interrupt.is_triggered() {
                        return (Vec::new(), 0);
                    }
                    verify_bucket(&entries[lo..hi], texts, snapshot, shingler, params)
                },
            )
            .collect();
        interrupt.check()?;
        for (edges, compared) in results {
            stats.candidate_pairs += compared;
            stats.verified_pairs += edges.len() as u64;
            for (a, b) in edges {
                clusters.union(a, b);
            }
        }
    }
    Ok(NearDedup {
        cluster: clusters.roots(),
        stats,
    })
}

/// `(start, end)` of every run of two or more entries sharing a band key.
fn buckets(entries: &[u64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i] >> 32 != entries[start] >> 32 {
            if i - start >= 2 {
                out.push((start, i));
            }
            start = i;
        }
    }
    out
}

/// Compares each row of a bucket (in input order) with the bucket's representatives: the
/// earlier rows not found to duplicate another representative. Returns the verified pairs and
/// the number of comparisons.
#[allow(clippy::cast_possible_truncation)] // the low half of an entry is the row index
fn verify_bucket(
    entries: &[u64],
    texts: &[&str],
    snapshot: &UnionFind,
    shingler: &mut Shingler,
    params: &NearDedupParams,
) -> (Vec<(u32, u32)>, u64) {
    let mut reps: Vec<(u32, u32, Vec<u64>)> = Vec::new();
    let mut edges = Vec::new();
    let mut compared = 0u64;
    for &entry in entries {
        let doc = entry as u32;
        let root = snapshot.find_readonly(doc);
        if reps.iter().any(|(_, r, _)| *r == root) {
            continue; // already in the cluster of a representative
        }
        let set = shingler.shingle_set(texts[doc as usize]);
        let mut matched = false;
        for (rep, _, rep_set) in &reps {
            compared += 1;
            if jaccard(rep_set, &set) >= params.threshold {
                edges.push((*rep, doc));
                matched = true;
                break;
            }
        }
        if !matched && reps.len() < params.max_bucket_representatives {
            reps.push((doc, root, set));
        }
    }
    (edges, compared)
}

#[cfg(test)]
#[path = "near_tests.rs"]
mod tests;
