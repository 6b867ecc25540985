//! A small, fast, seedable 64-bit hash with the same output on every platform.
//!
//! It is in the wyhash family (128-bit multiply, fold the halves): quality is ample for
//! shingle and row fingerprints, and it is several times faster than SipHash on short strings.
//! Outputs are part of no file format; they only need to be stable within one run, but being
//! platform-independent keeps results reproducible across machines.

const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;

/// Multiplies to 128 bits and folds the halves together.
#[inline]
#[allow(clippy::cast_possible_truncation)] // taking the two 64-bit halves on purpose
pub fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

#[inline]
fn read_u64(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(buf)
}

/// Hashes a byte string with a seed.
#[inline]
pub fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    let len = bytes.len() as u64;
    let mut h = seed ^ P0 ^ fold_mul(len ^ P1, P2);
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        let (a, b) = chunk.split_at(8);
        h = fold_mul(read_u64(a) ^ P1, read_u64(b) ^ h);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let (a, b) = rest.split_at(rest.len().min(8));
        h = fold_mul(read_u64(a) ^ P1, read_u64(b) ^ h ^ P3);
    }
    fold_mul(h ^ P2, len ^ P3)
}

/// Hashes a sequence of already-hashed values (order matters), e.g. the words of a shingle.
#[inline]
pub fn hash_u64s(values: &[u64], seed: u64) -> u64 {
    let mut h = seed ^ P0;
    for &v in values {
        h = fold_mul(h ^ v, P1);
    }
    fold_mul(h ^ P2, values.len() as u64 ^ P3)
}

/// Finalises one 64-bit value into a well-mixed one (used to derive seeds and permutations).
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    // splitmix64's finaliser.
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_inputs_hash_equal_and_seeds_differ() {
        assert_eq!(hash_bytes(b"hello world", 1), hash_bytes(b"hello world", 1));
        assert_ne!(hash_bytes(b"hello world", 1), hash_bytes(b"hello world", 2));
        assert_ne!(hash_bytes(b"", 0), hash_bytes(b"\0", 0));
        assert_ne!(hash_bytes(b"abcdefgh", 0), hash_bytes(b"abcdefgh\0", 0));
    }

    #[test]
    fn every_length_around_the_chunk_size_differs() {
        let data = [7u8; 40];
        let mut seen = std::collections::HashSet::new();
        for n in 0..=40 {
            assert!(
                seen.insert(hash_bytes(&data[..n], 0)),
                "collision at length {n}"
            );
        }
    }

    #[test]
    fn sequences_are_order_sensitive() {
        assert_ne!(hash_u64s(&[1, 2], 0), hash_u64s(&[2, 1], 0));
        assert_ne!(hash_u64s(&[1], 0), hash_u64s(&[1, 0], 0));
    }
}
