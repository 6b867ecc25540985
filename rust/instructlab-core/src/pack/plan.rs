//! The packing plan: which samples go into which micro-batch on which rank, for every step.
//!
//! A step (one optimizer update) takes exactly `effective_batch_size` samples, in an order
//! shuffled by `seed` (the last step takes what is left). Its samples are packed into
//! `ranks × A` micro-batches of at most `token_budget` tokens, with `A` (gradient-accumulation
//! micro-steps) as small as the tokens allow: first by longest-processing-time (each sample,
//! longest first, into the emptiest micro-batch: balanced), and where that does not fit, by
//! best-fit-decreasing (each sample into the fullest micro-batch it fits: tight); only when both
//! fail does `A` grow. The micro-batches are then dealt to micro-steps and ranks, largest first,
//! in a snake order, so ranks carry near-equal tokens and each micro-step's ranks are near-equal.
//!
//! Fill is tokens used over tokens available (`steps × A × ranks × token_budget`, summed).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use crate::{Error, Result};

/// What to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Most tokens in one micro-batch on one rank.
    pub token_budget: u64,
    /// Data-parallel ranks (GPUs).
    pub ranks: usize,
    /// Samples per optimizer step, over all ranks and micro-steps.
    pub effective_batch_size: usize,
    /// Seed of the sample order; `None` keeps the input order.
    pub seed: Option<u64>,
}

/// A packing plan, flat: micro-batch `b` holds samples `samples[starts[b]..starts[b + 1]]`, and
/// runs at step `step[b]`, micro-step `micro[b]`, on rank `rank[b]`. Micro-batches are ordered by
/// (step, micro-step, rank), and every step has `ranks` micro-batches per micro-step (some may
/// be empty when a step has fewer samples than ranks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Sample indices, grouped by micro-batch.
    pub samples: Vec<u32>,
    /// `micro_batches + 1` boundaries into `samples`.
    pub starts: Vec<u64>,
    /// The step of each micro-batch.
    pub step: Vec<u32>,
    /// The micro-step (gradient-accumulation index) of each micro-batch.
    pub micro: Vec<u32>,
    /// The rank of each micro-batch.
    pub rank: Vec<u32>,
    /// The tokens in each micro-batch.
    pub tokens: Vec<u64>,
    /// The figures that describe it.
    pub stats: PlanStats,
}

/// How good a plan is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlanStats {
    /// Optimizer steps.
    pub steps: usize,
    /// Samples in the last step (equal to the effective batch size unless the data ran out).
    pub last_step_samples: usize,
    /// Micro-batches in all (ranks × micro-steps, summed over steps).
    pub micro_batches: usize,
    /// Most micro-steps in one step.
    pub max_micro_steps: usize,
    /// Tokens placed.
    pub tokens: u64,
    /// Tokens placed over tokens available (`micro_batches × token_budget`).
    pub fill: f64,
    /// Mean over steps of (most tokens on one rank / mean tokens per rank); 1.0 is perfect.
    pub rank_imbalance: f64,
    /// Worst step's rank imbalance.
    pub worst_rank_imbalance: f64,
    /// Tokens over what the ranks would process if each micro-step lasted as long as its
    /// largest micro-batch (lockstep efficiency).
    pub lockstep_fill: f64,
}

/// SplitMix64: a small, well-mixed generator, enough for a reproducible shuffle.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        let wide = u128::from(self.next()) * (n as u128);
        usize::try_from(wide >> 64).unwrap_or(0)
    }
}

/// The order samples are taken in: shuffled by `seed` (Fisher–Yates), or as given.
pub fn sample_order(n: usize, seed: Option<u64>) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n)
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    if let Some(seed) = seed {
        let mut rng = SplitMix(seed);
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
    }
    order
}

/// Plans packing for samples of the given `lengths` (tokens).
// The f64 figures are reports (fill, balance): a rounding error past 2^52 tokens is harmless.
#[allow(clippy::cast_precision_loss)]
pub fn plan(lengths: &[u32], options: &PlanOptions) -> Result<Plan> {
    let PlanOptions {
        token_budget,
        ranks,
        effective_batch_size,
        seed,
    } = *options;
    if ranks == 0 || effective_batch_size == 0 || token_budget == 0 {
        return Err(Error::Packing {
            message: "ranks, effective batch size and token budget must all be at least 1"
                .to_owned(),
        });
    }
    if u32::try_from(lengths.len()).is_err() {
        return Err(Error::Packing {
            message: "more than 4,294,967,295 samples".to_owned(),
        });
    }
    if let Some((i, &len)) = lengths
        .iter()
        .enumerate()
        .find(|(_, &l)| u64::from(l) > token_budget)
    {
        return Err(Error::Packing {
            message: format!(
                "sample {i} has {len} tokens, more than the token budget per micro-batch \
                 ({token_budget}); raise the budget or lower max_seq_len to at most it"
            ),
        });
    }
    let order = sample_order(lengths.len(), seed);
    let mut out = Plan {
        starts: vec![0],
        ..Plan::default()
    };
    let mut imbalance_sum = 0.0;
    let mut lockstep_capacity: u64 = 0;
    for (step, chunk) in order.chunks(effective_batch_size).enumerate() {
        let step = u32::try_from(step).unwrap_or(u32::MAX);
        let bins = pack_step(chunk, lengths, token_budget, ranks);
        let micro_steps = bins.len() / ranks;
        let mut rank_tokens = vec![0u64; ranks];
        for (m, row) in bins.chunks(ranks).enumerate() {
            lockstep_capacity += row.iter().map(|b| b.tokens).max().unwrap_or(0) * ranks as u64;
            // Snake order: rank 0 gets the biggest of even micro-steps, the smallest of odd ones.
            let mut placed: Vec<(usize, &Bin)> = row
                .iter()
                .enumerate()
                .map(|(k, b)| (if m % 2 == 0 { k } else { ranks - 1 - k }, b))
                .collect();
            placed.sort_by_key(|(r, _)| *r);
            for (r, bin) in placed {
                rank_tokens[r] += bin.tokens;
                out.samples.extend_from_slice(&bin.samples);
                out.starts.push(out.samples.len() as u64);
                out.step.push(step);
                out.micro.push(u32::try_from(m).unwrap_or(u32::MAX));
                out.rank.push(u32::try_from(r).unwrap_or(u32::MAX));
                out.tokens.push(bin.tokens);
            }
        }
        let total: u64 = rank_tokens.iter().sum();
        let max = rank_tokens.iter().copied().max().unwrap_or(0);
        let imbalance = if total == 0 {
            1.0
        } else {
            max as f64 * ranks as f64 / total as f64
        };
        imbalance_sum += imbalance;
        let stats = &mut out.stats;
        stats.worst_rank_imbalance = stats.worst_rank_imbalance.max(imbalance);
        stats.max_micro_steps = stats.max_micro_steps.max(micro_steps);
        stats.steps += 1;
        stats.last_step_samples = chunk.len();
        stats.tokens += total;
    }
    let stats = &mut out.stats;
    stats.micro_batches = out.tokens.len();
    let capacity = stats.micro_batches as u64 * token_budget;
    stats.fill = ratio(stats.tokens, capacity);
    stats.lockstep_fill = ratio(stats.tokens, lockstep_capacity);
    stats.rank_imbalance = if stats.steps == 0 {
        1.0
    } else {
        imbalance_sum / stats.steps as f64
    };
    if stats.steps == 0 {
        stats.worst_rank_imbalance = 1.0;
    }
    Ok(out)
}

#[allow(clippy::cast_precision_loss)] // a reported ratio
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Default)]
struct Bin {
    tokens: u64,
    samples: Vec<u32>,
}

/// Packs one step's samples into `ranks × A` bins, `A` as small as possible; bins come back
/// sorted by tokens, largest first.
fn pack_step(chunk: &[u32], lengths: &[u32], budget: u64, ranks: usize) -> Vec<Bin> {
    let mut items: Vec<(u32, u32)> = chunk.iter().map(|&i| (lengths[i as usize], i)).collect();
    // Longest first; ties by index so the result does not depend on the sort's stability.
    items.sort_unstable_by_key(|&(len, i)| (Reverse(len), i));
    let total: u64 = items.iter().map(|&(l, _)| u64::from(l)).sum();
    let per_micro_step = budget * ranks as u64;
    let mut micro_steps = usize::try_from(total.div_ceil(per_micro_step))
        .unwrap_or(1)
        .max(1);
    loop {
        let n = micro_steps * ranks;
        if let Some(bins) = longest_processing_time(&items, n, budget)
            .or_else(|| best_fit_decreasing(&items, n, budget))
        {
            let mut bins = bins;
            bins.sort_by_key(|b| Reverse(b.tokens));
            return bins;
        }
        micro_steps += 1;
    }
}

/// Each item (longest first) into the emptiest bin; `None` if one does not fit.
fn longest_processing_time(items: &[(u32, u32)], n: usize, budget: u64) -> Option<Vec<Bin>> {
    let mut bins = vec![Bin::default(); n];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = (0..n).map(|b| Reverse((0, b))).collect();
    for &(len, i) in items {
        let Reverse((load, b)) = heap.pop()?;
        let load = load + u64::from(len);
        if load > budget {
            return None;
        }
        bins[b].tokens = load;
        bins[b].samples.push(i);
        heap.push(Reverse((load, b)));
    }
    Some(bins)
}

/// Each item (longest first) into the fullest bin it fits; `None` if one fits nowhere.
fn best_fit_decreasing(items: &[(u32, u32)], n: usize, budget: u64) -> Option<Vec<Bin>> {
    let mut bins = vec![Bin::default(); n];
    // Remaining room -> bins with that room.
    let mut room: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    room.insert(budget, (0..n).rev().collect());
    for &(len, i) in items {
        let len64 = u64::from(len);
        let (&space, _) = room.range(len64..).next()?;
        let b = {
            let slot = room.get_mut(&space)?;
            let b = slot.pop()?;
            if slot.is_empty() {
                room.remove(&space);
            }
            b
        };
        bins[b].tokens += len64;
        bins[b].samples.push(i);
        room.entry(space - len64).or_default().push(b);
    }
    Some(bins)
}

/// A padding-free micro-batch: samples concatenated, positions restarting at 0 for each, and
/// the first label of each sample ignored so that no sample learns from the one before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flat {
    /// Concatenated token ids.
    pub input_ids: Vec<u32>,
    /// Concatenated labels, each sample's first set to -100.
    pub labels: Vec<i32>,
    /// Position of each token within its own sample.
    pub position_ids: Vec<u32>,
    /// Sample boundaries: `[0, len0, len0 + len1, ...]` (flash-attention's `cu_seqlens`).
    pub cu_seqlens: Vec<u32>,
}

/// Lays out the `samples` of one micro-batch, reading sample `k` as `ids[offsets[k]..offsets[k+1]]`.
pub fn flatten(ids: &[u32], labels: &[i32], offsets: &[u64], samples: &[u32]) -> Result<Flat> {
    let mut flat = Flat {
        cu_seqlens: vec![0],
        ..Flat::default()
    };
    for &s in samples {
        let s = s as usize;
        let (Some(&a), Some(&b)) = (offsets.get(s), offsets.get(s + 1)) else {
            return Err(Error::Packing {
                message: format!("sample {s} is not in the dataset"),
            });
        };
        let (a, b) = (
            usize::try_from(a).unwrap_or(0),
            usize::try_from(b).unwrap_or(0),
        );
        if a > b || b > ids.len() || b > labels.len() {
            return Err(Error::Packing {
                message: format!("sample {s} has bad offsets"),
            });
        }
        flat.input_ids.extend_from_slice(&ids[a..b]);
        let first = flat.labels.len();
        flat.labels.extend_from_slice(&labels[a..b]);
        if b > a {
            flat.labels[first] = super::labels::IGNORE;
        }
        flat.position_ids
            .extend((0..b - a).map(|p| u32::try_from(p).unwrap_or(u32::MAX)));
        flat.cu_seqlens
            .push(u32::try_from(flat.input_ids.len()).unwrap_or(u32::MAX));
    }
    Ok(flat)
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // small test data
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts(token_budget: u64, ranks: usize, ebs: usize, seed: Option<u64>) -> PlanOptions {
        PlanOptions {
            token_budget,
            ranks,
            effective_batch_size: ebs,
            seed,
        }
    }

    fn check_invariants(lengths: &[u32], o: &PlanOptions, p: &Plan) {
        // Every sample exactly once.
        let mut seen = vec![0u32; lengths.len()];
        for &s in &p.samples {
            seen[s as usize] += 1;
        }
        assert!(
            seen.iter().all(|&c| c == 1),
            "a sample is missing or repeated"
        );
        // No micro-batch over budget, tokens add up.
        for b in 0..p.tokens.len() {
            let (a, z) = (p.starts[b] as usize, p.starts[b + 1] as usize);
            let sum: u64 = p.samples[a..z]
                .iter()
                .map(|&s| u64::from(lengths[s as usize]))
                .sum();
            assert_eq!(sum, p.tokens[b]);
            assert!(sum <= o.token_budget);
        }
        // Exact effective batch size per step (the last takes the rest).
        let mut per_step = vec![0usize; p.stats.steps];
        for b in 0..p.tokens.len() {
            per_step[p.step[b] as usize] += (p.starts[b + 1] - p.starts[b]) as usize;
        }
        let (last, full) = per_step.split_last().map_or((0, &[][..]), |(l, f)| (*l, f));
        assert!(full.iter().all(|&n| n == o.effective_batch_size));
        if !lengths.is_empty() {
            assert!(last >= 1 && last <= o.effective_batch_size);
            assert_eq!(last, p.stats.last_step_samples);
        }
        // Every (step, micro) has all ranks, in order.
        for b in 0..p.tokens.len() {
            assert_eq!(p.rank[b] as usize, b % o.ranks);
        }
        assert!(p.stats.fill <= 1.0 + 1e-12);
    }

    #[test]
    fn fills_when_tokens_allow() {
        // 3840 samples of 100..1000 tokens on 4 ranks with 30k budget: many micro-steps per step.
        let lengths: Vec<u32> = (0..3840u32).map(|i| 100 + (i * 7919) % 900).collect();
        let o = opts(30_000, 4, 3840, Some(1));
        let p = plan(&lengths, &o).unwrap_or_else(|e| panic!("{e}"));
        check_invariants(&lengths, &o, &p);
        assert!(p.stats.fill > 0.97, "fill {}", p.stats.fill);
        assert!(p.stats.rank_imbalance < 1.01, "{}", p.stats.rank_imbalance);
    }

    #[test]
    fn too_long_sample_is_refused() {
        let err = plan(&[10, 500], &opts(100, 1, 2, None));
        assert!(matches!(err, Err(Error::Packing { message }) if message.contains("sample 1")));
        assert!(plan(&[1], &opts(100, 0, 2, None)).is_err());
    }

    #[test]
    fn empty_input_is_an_empty_plan() {
        let p = plan(&[], &opts(100, 2, 4, Some(3))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.stats.steps, 0);
        assert!(p.samples.is_empty());
    }

    #[test]
    fn flatten_restarts_positions_and_masks_first_labels() {
        let ids = [1, 2, 3, 4, 5];
        let labels = [-100, 2, 3, 4, 5];
        let offsets = [0, 3, 5];
        let f = flatten(&ids, &labels, &offsets, &[1, 0]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.input_ids, vec![4, 5, 1, 2, 3]);
        assert_eq!(f.labels, vec![-100, 5, -100, 2, 3]);
        assert_eq!(f.position_ids, vec![0, 1, 0, 1, 2]);
        assert_eq!(f.cu_seqlens, vec![0, 2, 5]);
        assert!(flatten(&ids, &labels, &offsets, &[2]).is_err());
    }

    proptest! {
        #[test]
        fn invariants_hold(
            lengths in proptest::collection::vec(1u32..=2000, 0..400),
            ranks in 1usize..=8,
            ebs in 1usize..=200,
            budget in 2000u64..=20_000,
            seed in proptest::option::of(any::<u64>()),
        ) {
            let o = opts(budget, ranks, ebs, seed);
            let p = plan(&lengths, &o).unwrap_or_else(|e| panic!("{e}"));
            check_invariants(&lengths, &o, &p);
            // Deterministic for a given seed.
            let again = plan(&lengths, &o).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&p, &again);
        }

        #[test]
        fn ranks_are_balanced_when_samples_are_many_and_small(
            lengths in proptest::collection::vec(1u32..=50, 800..1200),
            ranks in 1usize..=8,
            seed in any::<u64>(),
        ) {
            let o = opts(4000, ranks, 400, Some(seed));
            let p = plan(&lengths, &o).unwrap_or_else(|e| panic!("{e}"));
            // Only full steps: a short last step can be unbalanced by nature.
            let full_steps = lengths.len() / 400;
            prop_assume!(full_steps >= 1);
            let mut rank_tokens = vec![0u64; ranks];
            let mut bins = 0u64;
            for b in 0..p.tokens.len() {
                if (p.step[b] as usize) == 0 {
                    rank_tokens[p.rank[b] as usize] += p.tokens[b];
                    bins += 1;
                }
            }
            // Below this total, longest-processing-time always fits, and it balances.
            let total: u64 = rank_tokens.iter().sum();
            prop_assume!(total <= bins * (4000 - 50));
            let max = *rank_tokens.iter().max().unwrap_or(&0) as f64;
            let min = *rank_tokens.iter().min().unwrap_or(&0) as f64;
            prop_assert!(max - min <= 50.0 * 2.0, "max {max} min {min}");
        }
    }
}
