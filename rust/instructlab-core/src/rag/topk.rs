//! The best `k` of a score array, best first, ties broken by the lower id (so results are the
//! same on every run and every machine).

use std::cmp::Ordering;

/// Ids (indices into `scores`) and scores of the `k` highest scores above `floor`.
pub fn top_k(scores: &[f32], k: usize, floor: f32) -> Vec<(u32, f32)> {
    let mut candidates: Vec<(u32, f32)> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > floor)
        .filter_map(|(i, &s)| u32::try_from(i).ok().map(|i| (i, s)))
        .collect();
    let order = |a: &(u32, f32), b: &(u32, f32)| {
        b.1.partial_cmp(&a.1)
            .unwrap_or(Ordering::Equal)
            .then(a.0.cmp(&b.0))
    };
    if k == 0 {
        return Vec::new();
    }
    if candidates.len() > k {
        candidates.select_nth_unstable_by(k - 1, order);
        candidates.truncate(k);
    }
    candidates.sort_unstable_by(order);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_ties_by_id() {
        let got = top_k(&[0.5, 2.0, 0.5, 1.0, 0.0], 3, 0.0);
        assert_eq!(got, vec![(1, 2.0), (3, 1.0), (0, 0.5)]);
        assert_eq!(top_k(&[1.0], 0, 0.0), vec![]);
        assert_eq!(top_k(&[0.0, -1.0], 5, f32::NEG_INFINITY).len(), 2);
    }
}
