//! MinHash signatures: for each of `num_perm` hash permutations, the minimum over a text's
//! shingle hashes. Two signatures agree in a position with probability equal to the Jaccard
//! similarity of the two shingle sets.

use crate::text::hash::{fold_mul, mix64};

/// `num_perm` pseudo-random permutations of 32-bit values, applied to shingle hashes (folded
/// to 32 bits).
///
/// Permutation `p` is `x -> t ^ (t >> 16)` with `t = (x ^ s[p]) * a[p] mod 2^32` (`a[p]` odd):
/// xor, multiply and xorshift are each bijections, so this is a permutation, and the xorshift
/// breaks the linearity of plain multiply-add hashing. The loop over permutations is 32-bit
/// lane-wise arithmetic (xor, multiply, shift, min) that the compiler vectorises, eight lanes
/// at a time with AVX2 when the CPU has it.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u32>,
    s: Vec<u32>,
}

impl MinHasher {
    /// Permutations derived from `seed` (the same seed gives the same signatures everywhere).
    #[allow(clippy::cast_possible_truncation)] // taking 32 of 64 random bits on purpose
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut state = mix64(seed);
        let mut next = || {
            state = mix64(state);
            state
        };
        let mut a = Vec::with_capacity(num_perm);
        let mut s = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push((next() as u32) | 1);
            s.push(next() as u32);
        }
        Self { a, s }
    }

    /// The number of permutations (the signature length).
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// Writes the signature of a shingle set (repeats are harmless) into `out`, which must be
    /// `num_perm` long. With no shingles every position is `u32::MAX`.
    pub fn signature(&self, shingles: &[u64], out: &mut [u32]) {
        out.fill(u32::MAX);
        let n = out.len().min(self.a.len());
        let (a, s, out) = (&self.a[..n], &self.s[..n], &mut out[..n]);
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above), the only requirement of
                // `accumulate_avx2`.
                #[allow(unsafe_code)]
                unsafe {
                    accumulate_avx2(a, s, shingles, out);
                }
                return;
            }
        }
        accumulate(a, s, shingles, out);
    }
}

/// Folds every shingle into the per-permutation minimum.
#[inline(always)]
#[allow(clippy::inline_always)] // must inline into the AVX2 copy to be compiled for AVX2
#[allow(clippy::cast_possible_truncation)] // folding 64 bits to 32 on purpose
fn accumulate(a: &[u32], s: &[u32], shingles: &[u64], out: &mut [u32]) {
    for &x in shingles {
        let x = (x ^ (x >> 32)) as u32;
        for ((m, &a), &s) in out.iter_mut().zip(a).zip(s) {
            let t = (x ^ s).wrapping_mul(a);
            *m = (*m).min(t ^ (t >> 16));
        }
    }
}

/// [`accumulate`] compiled for AVX2 (eight 32-bit lanes), chosen at run time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn accumulate_avx2(a: &[u32], s: &[u32], shingles: &[u64], out: &mut [u32]) {
    accumulate(a, s, shingles, out);
}

/// The LSH key of band `band` of a signature: a hash of its `rows` values, folded to 32 bits
/// (a collision only costs one extra verified candidate pair).
#[allow(clippy::cast_possible_truncation)] // folding to 32 bits on purpose
pub fn band_key(signature: &[u32], band: usize, rows: usize) -> u32 {
    let values = &signature[band * rows..(band + 1) * rows];
    let mut h = mix64(band as u64 ^ ((rows as u64) << 32));
    for pair in values.chunks(2) {
        let hi = pair.get(1).copied().unwrap_or(0);
        h = fold_mul(h ^ (u64::from(pair[0]) | (u64::from(hi) << 32)), BAND_MUL);
    }
    let h = mix64(h);
    (h ^ (h >> 32)) as u32
}

const BAND_MUL: u64 = 0x9e37_79b9_7f4a_7c15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{jaccard, Normalize, Shingle, Shingler};

    #[test]
    fn agreement_estimates_jaccard() {
        let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let a = words[..300].join(" ");
        let b = words[100..].join(" ");
        let mut s = Shingler::new(Shingle::Words(1), Normalize::default());
        let (sa, sb) = (s.shingle_set(&a), s.shingle_set(&b));
        let truth = jaccard(&sa, &sb);
        let mh = MinHasher::new(512, 7);
        let (mut ga, mut gb) = (vec![0; 512], vec![0; 512]);
        mh.signature(&sa, &mut ga);
        mh.signature(&sb, &mut gb);
        let agree = ga.iter().zip(&gb).filter(|(x, y)| x == y).count();
        #[allow(clippy::cast_precision_loss)]
        let estimate = agree as f64 / 512.0;
        assert!(
            (estimate - truth).abs() < 0.08,
            "estimate {estimate} vs {truth}"
        );
    }

    #[test]
    fn empty_set_has_the_max_signature() {
        let mut out = vec![0; 4];
        MinHasher::new(4, 1).signature(&[], &mut out);
        assert_eq!(out, vec![u32::MAX; 4]);
    }
}
