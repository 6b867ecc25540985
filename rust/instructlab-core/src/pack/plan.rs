//! The packing plan: which samples go into which micro-batch on which rank, for every step.
//!
//! A step (one optimizer update) takes exactly `effective_batch_size` samples, in an order
//! shuffled by `seed` (the last step takes what is left). With `regroup` on, neighbouring steps
//! then trade samples (a long one for a short one) so that step totals end just under whole
//! micro-steps or fill their last one: each sample moves at most one step from its shuffled
//! place, every step keeps exactly its number of samples, and the steps never need more
//! micro-steps (by tokens) than without trading.
//!
//! Each step's samples are packed into `ranks × A` micro-batches of at most `token_budget`
//! tokens, with `A` (gradient-accumulation micro-steps) as small as the tokens allow: first by
//! longest-processing-time (each sample, longest first, into the emptiest micro-batch:
//! balanced), and where that does not fit, by best-fit-decreasing (each sample into the fullest
//! micro-batch it fits: tight) followed by swaps that make room for what did not fit; only when
//! all fail does `A` grow. The micro-batches are then dealt to micro-steps and ranks, largest
//! first, in a snake order, so ranks carry near-equal tokens and each micro-step's ranks are
//! near-equal. Steps are packed in parallel; the result does not depend on the thread count.
//!
//! Fill is tokens used over tokens available (`steps × A × ranks × token_budget`, summed).
//! The planner also reports the best fill possible for its steps (`fill_bound`): each step needs
//! at least `ceil(tokens / (ranks × budget))` micro-steps, and at least one micro-batch for each
//! sample longer than half the budget.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

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
    /// Let neighbouring steps trade samples where that saves a micro-step.
    pub regroup: bool,
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
    /// The best fill possible for these steps (see the module notes); `fill <= fill_bound`.
    pub fill_bound: f64,
    /// Steps that use more micro-steps than their lower bound.
    pub steps_over_bound: usize,
    /// Samples that trade places with a sample of the neighbouring step (`regroup`).
    pub regrouped: usize,
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

/// One step, packed: its samples (reordered in place, grouped by micro-batch) and, per
/// micro-batch in plan order, the rank, micro-step, sample count and tokens.
#[derive(Debug, Default)]
struct StepPlan {
    micro_steps: usize,
    lower_bound: usize,
    /// Per micro-batch: (rank, micro-step, samples, tokens), ordered by (micro-step, rank).
    batches: Vec<(u32, u32, u32, u64)>,
}

/// Plans packing for samples of the given `lengths` (tokens).
// The f64 figures are reports (fill, balance): a rounding error past 2^52 tokens is harmless.
#[allow(clippy::cast_precision_loss)]
pub fn plan(lengths: &[u32], options: &PlanOptions) -> Result<Plan> {
    let PlanOptions {
        token_budget,
        ranks,
        effective_batch_size: ebs,
        seed,
        regroup,
    } = *options;
    validate(lengths, options)?;
    let mut order = sample_order(lengths.len(), seed);
    // The lengths in sample order: every later pass reads them in sequence.
    let mut lens: Vec<u32> = order.par_iter().map(|&i| lengths[i as usize]).collect();
    let per_micro_step = token_budget * ranks as u64;
    let regrouped = if regroup {
        regroup_steps(&mut order, &mut lens, ebs, token_budget, ranks)
    } else {
        0
    };
    let steps: Vec<StepPlan> = order
        .par_chunks_mut(ebs)
        .zip(lens.par_chunks(ebs))
        .map(|(chunk, chunk_lens)| pack_step(chunk, chunk_lens, token_budget, ranks))
        .collect();

    let micro_batches: usize = steps.iter().map(|s| s.batches.len()).sum();
    let mut out = Plan {
        samples: order,
        starts: Vec::with_capacity(micro_batches + 1),
        step: Vec::with_capacity(micro_batches),
        micro: Vec::with_capacity(micro_batches),
        rank: Vec::with_capacity(micro_batches),
        tokens: Vec::with_capacity(micro_batches),
        stats: PlanStats {
            regrouped,
            worst_rank_imbalance: 1.0,
            ..PlanStats::default()
        },
    };
    out.starts.push(0);
    let mut imbalance_sum = 0.0;
    let mut lockstep_capacity: u64 = 0;
    let mut bound_capacity: u64 = 0;
    let mut at: u64 = 0;
    let mut rank_tokens = vec![0u64; ranks];
    let mut row_max = 0u64;
    for (step, sp) in steps.iter().enumerate() {
        let step = u32::try_from(step).unwrap_or(u32::MAX);
        rank_tokens.fill(0);
        let mut step_samples = 0u64;
        for (k, &(r, m, n, t)) in sp.batches.iter().enumerate() {
            rank_tokens[r as usize] += t;
            row_max = row_max.max(t);
            if k % ranks == ranks - 1 {
                lockstep_capacity += row_max * ranks as u64;
                row_max = 0;
            }
            at += u64::from(n);
            step_samples += u64::from(n);
            out.starts.push(at);
            out.step.push(step);
            out.micro.push(m);
            out.rank.push(r);
            out.tokens.push(t);
        }
        let total: u64 = rank_tokens.iter().sum();
        let max = rank_tokens.iter().copied().max().unwrap_or(0);
        let imbalance = if total == 0 {
            1.0
        } else {
            max as f64 * ranks as f64 / total as f64
        };
        imbalance_sum += imbalance;
        bound_capacity += sp.lower_bound as u64 * per_micro_step;
        let stats = &mut out.stats;
        stats.worst_rank_imbalance = stats.worst_rank_imbalance.max(imbalance);
        stats.max_micro_steps = stats.max_micro_steps.max(sp.micro_steps);
        stats.steps_over_bound += usize::from(sp.micro_steps > sp.lower_bound);
        stats.steps += 1;
        stats.last_step_samples = usize::try_from(step_samples).unwrap_or(usize::MAX);
        stats.tokens += total;
    }
    let stats = &mut out.stats;
    stats.micro_batches = out.tokens.len();
    let capacity = stats.micro_batches as u64 * token_budget;
    stats.fill = ratio(stats.tokens, capacity);
    stats.fill_bound = ratio(stats.tokens, bound_capacity);
    stats.lockstep_fill = ratio(stats.tokens, lockstep_capacity);
    stats.rank_imbalance = if stats.steps == 0 {
        1.0
    } else {
        imbalance_sum / stats.steps as f64
    };
    Ok(out)
}

/// Refuses options and lengths no plan can satisfy.
fn validate(lengths: &[u32], options: &PlanOptions) -> Result<()> {
    let PlanOptions {
        token_budget,
        ranks,
        effective_batch_size: ebs,
        ..
    } = *options;
    if ranks == 0 || ebs == 0 || token_budget == 0 {
        return Err(Error::Packing {
            message: "ranks, effective batch size and token budget must all be at least 1"
                .to_owned(),
        });
    }
    if u32::try_from(lengths.len()).is_err() || u32::try_from(ranks).is_err() {
        return Err(Error::Packing {
            message: "more than 4,294,967,295 samples or ranks".to_owned(),
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
    Ok(())
}

#[allow(clippy::cast_precision_loss)] // a reported ratio
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Micro-steps a step of `tokens` needs at least, by tokens alone.
fn micro_steps_for(tokens: u64, per_micro_step: u64) -> u64 {
    tokens.div_ceil(per_micro_step).max(1)
}

/// Settles step totals left to right by trading samples between neighbouring steps: each step
/// hands what overflows its last whole micro-step to the next step, or fills its last
/// micro-step from the next step. A sample trades at most once, so it stays within one step
/// of its shuffled place. If the steps would need more micro-steps (by tokens) than before,
/// nothing changes. Returns the number of samples that moved.
fn regroup_steps(
    order: &mut [u32],
    lens: &mut [u32],
    ebs: usize,
    budget: u64,
    ranks: usize,
) -> usize {
    let per_micro_step = budget * ranks as u64;
    // Room each micro-batch keeps free after a trade, so that packing the step stays easy.
    let slack = |micro_steps: u64| micro_steps * ranks as u64 * (budget / 64).min(64);
    let steps = order.len().div_ceil(ebs);
    if steps < 2 {
        return 0;
    }
    let mut totals: Vec<u64> = lens
        .par_chunks(ebs)
        .map(|c| c.iter().map(|&l| u64::from(l)).sum())
        .collect();
    let needed = |totals: &[u64]| -> u64 {
        totals
            .iter()
            .map(|&t| micro_steps_for(t, per_micro_step))
            .sum()
    };
    let before = needed(&totals);
    let (order_before, lens_before) = (order.to_vec(), lens.to_vec());
    // Positions (in `order`) that already traded.
    let mut traded = vec![false; order.len()];
    let mut moved = 0;
    // Step by step, each step either hands what overflows its last whole micro-step to the
    // next step, or takes from the next step what fills its last micro-step: whichever moves
    // fewer tokens and can be done. The next step then settles its own total the same way.
    for s in 0..steps - 1 {
        let t = totals[s];
        let m = micro_steps_for(t, per_micro_step);
        let down = (m >= 2)
            .then(|| (t + slack(m - 1)).checked_sub((m - 1) * per_micro_step))
            .flatten();
        // A pull fills this step's last micro-step, which only helps when the next step has
        // tokens past a whole micro-step to give (else every step would just shuffle samples).
        let next_m = micro_steps_for(totals[s + 1], per_micro_step);
        let up = (m * per_micro_step)
            .checked_sub(t + slack(m))
            .filter(|_| next_m >= 2);
        let mut tries = [(down, true), (up, false)];
        if up < down || down.is_none() {
            tries.swap(0, 1);
        }
        for (amount, push) in tries {
            let Some(amount) = amount.filter(|&a| a > 0) else {
                continue;
            };
            let (from, to) = if push { (s, s + 1) } else { (s + 1, s) };
            // A push must move at least the overflow (a little more is fine); a pull takes what
            // it can of the room.
            let (need, limit) = if push {
                (amount, amount + budget / 8)
            } else {
                (1, amount)
            };
            let (done, swaps) = trade(
                (order, lens),
                &mut traded,
                ebs,
                (from, to),
                (need, amount, limit),
            );
            if swaps > 0 {
                totals[from] -= done;
                totals[to] += done;
                moved += 2 * swaps;
                break;
            }
        }
    }
    if needed(&totals) > before {
        order.copy_from_slice(&order_before);
        lens.copy_from_slice(&lens_before);
        return 0;
    }
    moved
}

/// Moves tokens from step `from` to step `to` by swapping long samples of `from` with short
/// ones of `to`: about `want`, never more than `limit`, and at least `need` or nothing at all.
/// Returns (tokens moved, swaps).
fn trade(
    (order, lens): (&mut [u32], &mut [u32]),
    traded: &mut [bool],
    ebs: usize,
    (from, to): (usize, usize),
    (need, want, limit): (u64, u64, u64),
) -> (u64, usize) {
    let span = |s: usize| s * ebs..((s + 1) * ebs).min(order.len());
    // Candidates as (length << 32 | position), untraded only.
    let key = |p: usize| (u64::from(lens[p]) << 32) | p as u64;
    let all_give: Vec<u64> = span(from).filter(|&p| !traded[p]).map(key).collect();
    let all_take: Vec<u64> = span(to).filter(|&p| !traded[p]).map(key).collect();
    // Most trades need a few of the longest and shortest samples: look at the `k` longest of
    // `from` and `k` shortest of `to`, and widen only if that is not enough.
    let mut k = 32;
    loop {
        let give = extreme(&all_give, k, true);
        let take = extreme(&all_take, k, false);
        let (done, swaps) = pick_swaps(&give, &take, want, limit);
        let exhausted = k >= all_give.len() && k >= all_take.len();
        // More candidates only help when every one offered was used and more is wanted.
        if done >= want || exhausted || swaps.len() < k {
            if done < need {
                return (0, 0);
            }
            for &(g, t) in &swaps {
                order.swap(g, t);
                lens.swap(g, t);
                traded[g] = true;
                traded[t] = true;
            }
            return (done, swaps.len());
        }
        k *= 4;
    }
}

/// The `k` largest (`largest`) or smallest keys, sorted from the most extreme.
fn extreme(keys: &[u64], k: usize, largest: bool) -> Vec<u64> {
    let mut v = keys.to_vec();
    if k < v.len() {
        if largest {
            v.select_nth_unstable_by_key(k, |&x| Reverse(x));
        } else {
            v.select_nth_unstable(k);
        }
        v.truncate(k);
    }
    if largest {
        v.sort_unstable_by_key(|&x| Reverse(x));
    } else {
        v.sort_unstable();
    }
    v
}

/// Greedy swaps: each long candidate of `give` (longest first) with the shortest unused one of
/// `take` that keeps the total within `limit`, until `want` tokens moved. Returns (tokens moved,
/// position pairs).
fn pick_swaps(give: &[u64], take: &[u64], want: u64, limit: u64) -> (u64, Vec<(usize, usize)>) {
    let split = |key: u64| (key >> 32, usize::try_from(key & 0xFFFF_FFFF).unwrap_or(0));
    let mut used = vec![false; take.len()];
    let mut swaps = Vec::new();
    let mut done = 0u64;
    for &g in give {
        if done >= want {
            break;
        }
        let (gl, gp) = split(g);
        let floor = gl.saturating_sub(limit - done);
        // The shortest unused sample of `to` that is at least `floor` long and shorter than g.
        let first = take.partition_point(|&t| (t >> 32) < floor);
        let Some(k) = (first..take.len()).find(|&k| !used[k]) else {
            continue;
        };
        let (tl, tp) = split(take[k]);
        if tl >= gl {
            // Every candidate left in `to` is at least as long: no gain from here on.
            break;
        }
        used[k] = true;
        swaps.push((gp, tp));
        done += gl - tl;
    }
    (done, swaps)
}

/// Packs one step: reorders `chunk` (sample indices) so its samples are grouped by
/// micro-batch in plan order, and says how.
fn pack_step(chunk: &mut [u32], lens: &[u32], budget: u64, ranks: usize) -> StepPlan {
    // Longest first; ties by index so the result does not depend on the sort's stability.
    let mut keys: Vec<u64> = chunk
        .iter()
        .zip(lens)
        .map(|(&i, &l)| (u64::from(u32::MAX - l) << 32) | u64::from(i))
        .collect();
    keys.sort_unstable();
    let items: Vec<(u32, u32)> = keys
        .iter()
        .map(|&k| {
            let len = u32::MAX - u32::try_from(k >> 32).unwrap_or(u32::MAX);
            (len, u32::try_from(k & 0xFFFF_FFFF).unwrap_or(0))
        })
        .collect();
    let total: u64 = items.iter().map(|&(l, _)| u64::from(l)).sum();
    let big = items
        .iter()
        .take_while(|&&(l, _)| 2 * u64::from(l) > budget)
        .count();
    let by_tokens = usize::try_from(micro_steps_for(total, budget * ranks as u64)).unwrap_or(1);
    let lower_bound = by_tokens.max(big.div_ceil(ranks)).max(1);
    let mut micro_steps = lower_bound;
    let mut assign = vec![0u32; items.len()];
    let loads = loop {
        let n = micro_steps * ranks;
        // Longest-processing-time first (balanced); best-fit where that does not fit.
        let packed = longest_processing_time(&items, n, budget, &mut assign)
            .or_else(|| best_fit_decreasing(&items, n, budget, &mut assign));
        if let Some(loads) = packed {
            break loads;
        }
        micro_steps += 1;
    };
    // Deal the micro-batches, largest first, to (micro-step, rank) in a snake order.
    let n = loads.len();
    let mut by_size: Vec<usize> = (0..n).collect();
    by_size.sort_unstable_by_key(|&b| (Reverse(loads[b]), b));
    let mut slot_of = vec![0usize; n];
    let mut bin_at = vec![0usize; n];
    for (k, &b) in by_size.iter().enumerate() {
        let (m, j) = (k / ranks, k % ranks);
        let r = if m % 2 == 0 { j } else { ranks - 1 - j };
        slot_of[b] = m * ranks + r;
        bin_at[m * ranks + r] = b;
    }
    // Counting sort of the samples by slot (longest first within a micro-batch).
    let mut next = vec![0u32; n + 1];
    for &b in &assign {
        next[slot_of[b as usize] + 1] += 1;
    }
    let counts: Vec<u32> = next[1..].to_vec();
    for k in 1..=n {
        next[k] += next[k - 1];
    }
    for (k, &b) in assign.iter().enumerate() {
        let slot = slot_of[b as usize];
        chunk[next[slot] as usize] = items[k].1;
        next[slot] += 1;
    }
    let batches = (0..n)
        .map(|slot| {
            let r = u32::try_from(slot % ranks).unwrap_or(u32::MAX);
            let m = u32::try_from(slot / ranks).unwrap_or(u32::MAX);
            (r, m, counts[slot], loads[bin_at[slot]])
        })
        .collect();
    StepPlan {
        micro_steps,
        lower_bound,
        batches,
    }
}

/// Each item (longest first) into the emptiest bin; `None` if one does not fit. Fills `assign`
/// (the bin of each item) and returns the bins' tokens.
fn longest_processing_time(
    items: &[(u32, u32)],
    n: usize,
    budget: u64,
    assign: &mut [u32],
) -> Option<Vec<u64>> {
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = (0..n)
        .map(|b| Reverse((0, u32::try_from(b).unwrap_or(u32::MAX))))
        .collect();
    for (k, &(len, _)) in items.iter().enumerate() {
        let mut top = heap.peek_mut()?;
        let Reverse((load, b)) = *top;
        let load = load + u64::from(len);
        if load > budget {
            return None;
        }
        assign[k] = b;
        // Sifts down when `top` drops: one sift per item instead of a pop and a push.
        *top = Reverse((load, b));
    }
    let mut loads = vec![0u64; n];
    for Reverse((load, b)) in heap {
        loads[b as usize] = load;
    }
    Some(loads)
}

/// Each item (longest first) into the fullest bin it fits; what fits nowhere is then placed by
/// swapping it for a shorter item that moves to another bin. `None` if that fails too.
#[allow(clippy::many_single_char_names)] // bin-packing notation: item x, bins i and j, ...
fn best_fit_decreasing(
    items: &[(u32, u32)],
    n: usize,
    budget: u64,
    assign: &mut [u32],
) -> Option<Vec<u64>> {
    const UNPLACED: u32 = u32::MAX;
    let mut loads = vec![0u64; n];
    // (room, bin), sorted: the fullest bin an item fits is the first with room for it.
    let mut rooms: Vec<(u64, u32)> = (0..n)
        .map(|b| (budget, u32::try_from(b).unwrap_or(u32::MAX)))
        .collect();
    let mut left = Vec::new();
    for (k, &(len, _)) in items.iter().enumerate() {
        let len = u64::from(len);
        let at = rooms.partition_point(|&(r, _)| r < len);
        if at == rooms.len() {
            assign[k] = UNPLACED;
            left.push(k);
            continue;
        }
        let (room, b) = rooms.remove(at);
        assign[k] = b;
        loads[b as usize] += len;
        let entry = (room - len, b);
        let to = rooms.partition_point(|&e| e < entry);
        rooms.insert(to, entry);
    }
    // Repair: item x goes into bin i in place of a shorter y there, and y into the roomiest
    // bin j != i. Meant for a few leftovers; many mean the micro-steps are too few.
    if left.len() > n {
        return None;
    }
    for &k in &left {
        let x = u64::from(items[k].0);
        // The two roomiest bins (the roomiest other than i is one of them).
        let mut best = [(0u64, usize::MAX); 2];
        for (b, &load) in loads.iter().enumerate() {
            let r = budget - load;
            if r > best[0].0 || best[0].1 == usize::MAX {
                best[1] = best[0];
                best[0] = (r, b);
            } else if r > best[1].0 || best[1].1 == usize::MAX {
                best[1] = (r, b);
            }
        }
        let mut found = None;
        for (q, &i) in assign.iter().enumerate() {
            if i == UNPLACED {
                continue;
            }
            let i = i as usize;
            let y = u64::from(items[q].0);
            if y >= x || y + (budget - loads[i]) < x {
                continue;
            }
            let (room_j, j) = if best[0].1 == i { best[1] } else { best[0] };
            if j != usize::MAX && room_j >= y {
                found = Some((q, i, j, y));
                break;
            }
        }
        let (q, i, j, y) = found?;
        assign[k] = u32::try_from(i).unwrap_or(UNPLACED);
        assign[q] = u32::try_from(j).unwrap_or(UNPLACED);
        loads[i] = loads[i] + x - y;
        loads[j] += y;
    }
    Some(loads)
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
            regroup: true,
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
        assert!(p.stats.fill <= p.stats.fill_bound + 1e-12);
        // Regrouping moves a sample at most one step from its shuffled place.
        let order = sample_order(lengths.len(), o.seed);
        let mut step_of = vec![0usize; lengths.len()];
        for b in 0..p.tokens.len() {
            for &s in &p.samples[p.starts[b] as usize..p.starts[b + 1] as usize] {
                step_of[s as usize] = p.step[b] as usize;
            }
        }
        for (pos, &s) in order.iter().enumerate() {
            let shuffled = pos / o.effective_batch_size;
            let d = step_of[s as usize].abs_diff(shuffled);
            assert!(d <= usize::from(o.regroup), "sample {s} moved {d} steps");
        }
    }

    /// Per step: (micro-steps used, its lower bound, micro-steps longest-processing-time is
    /// guaranteed to fit in).
    fn step_bounds(lengths: &[u32], o: &PlanOptions, p: &Plan) -> Vec<(u64, u64, u64)> {
        let ranks = o.ranks as u64;
        let b = o.token_budget;
        let mut out = Vec::new();
        for step in 0..p.stats.steps as u32 {
            let batches: Vec<usize> = (0..p.tokens.len()).filter(|&k| p.step[k] == step).collect();
            let used = batches.len() as u64 / ranks;
            let samples: Vec<u64> = batches
                .iter()
                .flat_map(|&k| &p.samples[p.starts[k] as usize..p.starts[k + 1] as usize])
                .map(|&s| u64::from(lengths[s as usize]))
                .collect();
            let total: u64 = samples.iter().sum();
            let longest = samples.iter().copied().max().unwrap_or(0);
            let big = samples.iter().filter(|&&l| 2 * l > b).count() as u64;
            let lower = total.div_ceil(ranks * b).max(big.div_ceil(ranks)).max(1);
            // Each sample lands on a micro-batch holding at most (total - it) / n before it.
            let lpt = if longest < b {
                total.div_ceil(ranks * (b - longest)).max(1)
            } else {
                u64::MAX
            };
            out.push((used, lower, lpt));
        }
        out
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
        fn fill_never_below_the_bound_where_it_is_reachable(
            lengths in proptest::collection::vec(1u32..=3000, 1..600),
            ranks in 1usize..=8,
            ebs in 1usize..=300,
            budget in 3000u64..=30_000,
            seed in any::<u64>(),
            regroup in any::<bool>(),
        ) {
            let o = PlanOptions { regroup, ..opts(budget, ranks, ebs, Some(seed)) };
            let p = plan(&lengths, &o).unwrap_or_else(|e| panic!("{e}"));
            check_invariants(&lengths, &o, &p);
            let steps = step_bounds(&lengths, &o, &p);
            let mut reachable = true;
            for &(used, lower, lpt) in &steps {
                // Never more micro-steps than needed by tokens, or than the balanced packing
                // is guaranteed to fit in.
                prop_assert!(used >= lower);
                prop_assert!(used <= lower.max(lpt), "used {used} lower {lower} lpt {lpt}");
                reachable &= lpt <= lower;
            }
            // Regrouping never makes the steps need more micro-steps by tokens.
            let by_tokens = |p: &Plan| -> u64 {
                let mut t = vec![0u64; p.stats.steps];
                for b in 0..p.tokens.len() {
                    t[p.step[b] as usize] += p.tokens[b];
                }
                t.iter().map(|&x| micro_steps_for(x, budget * ranks as u64)).sum()
            };
            let plain = plan(&lengths, &PlanOptions { regroup: false, ..o })
                .unwrap_or_else(|e| panic!("{e}"));
            prop_assert!(by_tokens(&p) <= by_tokens(&plain));
            prop_assert_eq!(
                p.stats.steps_over_bound,
                steps.iter().filter(|&&(used, lower, _)| used > lower).count()
            );
            // Where every step's bound is reachable, the plan's fill is the reported bound.
            if reachable {
                prop_assert!(p.stats.fill >= p.stats.fill_bound - 1e-12,
                    "fill {} bound {}", p.stats.fill, p.stats.fill_bound);
            }
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
