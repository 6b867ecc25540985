//! MinHash signatures: for each of `num_perm` hash permutations, the minimum over a text's
//! shingle hashes. Two signatures agree in a position with probability equal to the Jaccard
//! similarity of the two shingle sets.

use crate::text::hash::{hash_u64s, mix64};

/// `num_perm` independent permutations of 64-bit shingle hashes onto 32-bit values.
///
/// Each permutation is multiply-shift hashing, `(a * x + b) >> 32` with odd `a`: one multiply
/// and one add per shingle and permutation, which the compiler vectorises across permutations.
/// The shingle hashes are already uniform, so this is as good as a random permutation for
/// estimating Jaccard similarity.
#[derive(Debug, Clone)]
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl MinHasher {
    /// Permutations derived from `seed` (the same seed gives the same signatures everywhere).
    pub fn new(num_perm: usize, seed: u64) -> Self {
        let mut state = mix64(seed);
        let mut next = || {
            state = mix64(state);
            state
        };
        let mut a = Vec::with_capacity(num_perm);
        let mut b = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push(next() | 1);
            b.push(next());
        }
        Self { a, b }
    }

    /// The number of permutations (the signature length).
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// Writes the signature of a shingle set (repeats are harmless) into `out`, which must be
    /// `num_perm` long. With no shingles every position is `u32::MAX`.
    #[allow(clippy::cast_possible_truncation)] // the top 32 bits of the product are the hash
    pub fn signature(&self, shingles: &[u64], out: &mut [u32]) {
        out.fill(u32::MAX);
        let (a, b) = (&self.a[..out.len()], &self.b[..out.len()]);
        for &x in shingles {
            for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                *o = (*o).min(h);
            }
        }
    }
}

/// The LSH key of band `band` of a signature: a hash of its `rows` values, folded to 32 bits
/// (a collision only costs one extra verified candidate pair).
#[allow(clippy::cast_possible_truncation)] // folding to 32 bits on purpose
pub fn band_key(signature: &[u32], band: usize, rows: usize) -> u32 {
    let mut packed = [0u64; 64];
    let values = &signature[band * rows..(band + 1) * rows];
    let n = values.len().min(64);
    for (p, &v) in packed.iter_mut().zip(values) {
        *p = u64::from(v);
    }
    let h = hash_u64s(&packed[..n], band as u64);
    (h ^ (h >> 32)) as u32
}

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
