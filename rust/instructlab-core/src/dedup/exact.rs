//! Exact duplicate rows: equal (optionally normalised) values in every chosen column.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use super::check_rows;
use crate::text::{hash_bytes, Normalize};
use crate::{Interrupt, Result};

/// The result of [`exact_dedup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactDedup {
    /// `first[i]` is the index of the first row equal to row `i` (`i` itself when row `i` is
    /// kept): a cluster id.
    pub first: Vec<u32>,
}

impl ExactDedup {
    /// Whether each row is kept (it is the first of its group).
    pub fn keep(&self) -> Vec<bool> {
        self.first
            .iter()
            .enumerate()
            .map(|(i, &f)| f as usize == i)
            .collect()
    }
}

/// A hasher for keys that are already uniformly distributed hashes.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(bytes, self.0);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

const CHUNK: usize = 1 << 16;
const SEED: u64 = 0x4558_4143_5431;

fn row_key(columns: &[&[&str]], row: usize, normalize: Normalize) -> u64 {
    let mut key = SEED;
    for column in columns {
        let value = normalize.apply(column[row]);
        // Folding each column's hash into the running one keeps ("ab", "c") apart from ("a", "bc").
        key = hash_bytes(value.as_bytes(), key);
    }
    key
}

fn rows_equal(columns: &[&[&str]], x: usize, y: usize, normalize: Normalize) -> bool {
    columns
        .iter()
        .all(|c| normalize.apply(c[x]) == normalize.apply(c[y]))
}

/// The first equal row of each row of one shard (`members` in input order).
fn first_in_shard(
    members: &[u32],
    keys: &[u64],
    columns: &[&[&str]],
    normalize: Normalize,
) -> Vec<u32> {
    let mut seen: HashMap<u64, u32, BuildHasherDefault<Prehashed>> =
        HashMap::with_capacity_and_hasher(members.len(), BuildHasherDefault::default());
    // Fingerprints that turned out to be shared by different rows (never seen in practice, but
    // exactness must not rest on luck): every distinct first row with that fingerprint.
    let mut collided: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut first = Vec::with_capacity(members.len());
    for &row in members {
        let i = row as usize;
        let key = keys[i];
        let head = *seen.entry(key).or_insert(row);
        if head == row || rows_equal(columns, head as usize, i, normalize) {
            first.push(head);
            continue;
        }
        let others = collided.entry(key).or_default();
        let found = others
            .iter()
            .copied()
            .find(|&o| rows_equal(columns, o as usize, i, normalize));
        first.push(found.unwrap_or_else(|| {
            others.push(row);
            row
        }));
    }
    first
}

/// Finds exact duplicate rows over `columns` (each a column of equal length), comparing the
/// values after `normalize`; the first row of each group in input order is the one kept.
///
/// Rows are fingerprinted with a 64-bit hash in parallel; rows with equal fingerprints are
/// compared value by value, so a hash collision can never drop a row.
pub fn exact_dedup(
    columns: &[&[&str]],
    normalize: &Normalize,
    interrupt: &Interrupt,
) -> Result<ExactDedup> {
    let rows = check_rows(columns)?;
    let mut keys = vec![0u64; rows];
    for (c, chunk) in keys.chunks_mut(CHUNK).enumerate() {
        interrupt.check()?;
        let start = c * CHUNK;
        chunk
            .par_iter_mut()
            .enumerate()
            .for_each(|(i, k)| *k = row_key(columns, start + i, *normalize));
    }
    interrupt.check()?;
    // Rows are split into shards by the top bits of their fingerprint; equal rows share a
    // shard, and each shard is scanned in input order, so the first occurrence wins whatever
    // the number of threads.
    let shards = (rayon::current_num_threads() * 8).next_power_of_two();
    let shift = 64 - shards.trailing_zeros();
    #[allow(clippy::cast_possible_truncation)] // shard < shards, a small number
    let shard_of = |key: u64| {
        if shards == 1 {
            0
        } else {
            (key >> shift) as usize
        }
    };
    let mut by_shard: Vec<Vec<u32>> = vec![Vec::new(); shards];
    for (i, &key) in keys.iter().enumerate() {
        #[allow(clippy::cast_possible_truncation)] // rows <= u32::MAX (check_rows)
        by_shard[shard_of(key)].push(i as u32);
    }
    let firsts: Vec<Vec<u32>> = by_shard
        .par_iter()
        .map(|members| first_in_shard(members, &keys, columns, *normalize))
        .collect();
    let mut first = vec![0u32; rows];
    for (members, firsts) in by_shard.iter().zip(firsts) {
        for (&row, f) in members.iter().zip(firsts) {
            first[row as usize] = f;
        }
    }
    Ok(ExactDedup { first })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn firsts(col: &[&str], normalize: Normalize) -> Vec<u32> {
        exact_dedup(&[col], &normalize, &Interrupt::new())
            .map(|r| r.first)
            .unwrap_or_default()
    }

    #[test]
    fn keeps_the_first_occurrence() {
        let col = ["a", "b", "a", "c", "b", "a"];
        assert_eq!(firsts(&col, Normalize::RAW), vec![0, 1, 0, 3, 1, 0]);
    }

    #[test]
    fn normalisation_decides_what_is_equal() {
        let col = [
            "Hello  World",
            "hello world",
            "ＨＥＬＬＯ world",
            "hello, world",
        ];
        assert_eq!(firsts(&col, Normalize::RAW), vec![0, 1, 2, 3]);
        assert_eq!(firsts(&col, Normalize::default()), vec![0, 0, 0, 3]);
        assert_eq!(firsts(&col, Normalize::AGGRESSIVE), vec![0, 0, 0, 0]);
    }

    #[test]
    fn edge_cases_empty_one_and_all_duplicates() {
        assert!(firsts(&[], Normalize::RAW).is_empty());
        assert_eq!(firsts(&[""], Normalize::RAW), vec![0]);
        assert_eq!(firsts(&["", "", " "], Normalize::default()), vec![0, 0, 0]);
        assert_eq!(firsts(&["x"; 5], Normalize::RAW), vec![0; 5]);
    }

    #[test]
    fn several_columns_must_all_match_and_do_not_run_together() {
        let q = ["ab", "a", "ab"];
        let a = ["c", "bc", "c"];
        let r = exact_dedup(&[&q, &a], &Normalize::RAW, &Interrupt::new());
        assert_eq!(r.map(|r| r.first).ok(), Some(vec![0, 1, 0]));
        let short = ["x"];
        assert!(exact_dedup(&[&q, &short], &Normalize::RAW, &Interrupt::new()).is_err());
    }

    #[test]
    fn a_fingerprint_collision_never_merges_different_rows() {
        // Force every row onto one fingerprint: only the value comparison separates them.
        let col = ["a", "b", "a", "c", "b"];
        let first = first_in_shard(&[0, 1, 2, 3, 4], &[7; 5], &[&col], Normalize::RAW);
        assert_eq!(first, vec![0, 1, 0, 3, 1]);
    }

    #[test]
    fn an_interrupt_stops_the_work() {
        let interrupt = Interrupt::new();
        interrupt.trigger();
        let r = exact_dedup(&[&["a"]], &Normalize::RAW, &interrupt);
        assert_eq!(r, Err(crate::Error::Interrupted));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn deterministic_idempotent_and_a_subset(
            rows in proptest::collection::vec(
                prop::sample::select(vec!["a b", "A  b", "c", "", "ｃ", "d e"]), 0..200),
            threads in 1usize..5,
        ) {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
            let pool = match pool { Ok(p) => p, Err(e) => panic!("{e}") };
            let n = Normalize::default();
            let run = |col: &[&str]| exact_dedup(&[col], &n, &Interrupt::new());
            let many = pool.install(|| run(&rows));
            prop_assert_eq!(&many, &run(&rows));
            let first = many.map(|r| r.first).unwrap_or_default();
            let kept: Vec<&str> = rows.iter().zip(&first).enumerate()
                .filter(|(i, (_, f))| **f as usize == *i).map(|(_, (r, _))| *r).collect();
            for (i, &f) in first.iter().enumerate() {
                prop_assert!(f as usize <= i);
                prop_assert_eq!(n.apply(rows[i]), n.apply(rows[f as usize]));
            }
            let again = run(&kept).map(|r| r.keep()).unwrap_or_default();
            prop_assert!(again.iter().all(|&k| k));
        }
    }
}
