//! Disjoint sets whose representative is always the smallest member, so a cluster's id is the
//! index of its first row in input order however the unions were ordered.

/// Union-find over `0..n` with path halving; the root of each set is its minimum element.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets. (`n` must fit in `u32`; callers check.)
    #[allow(clippy::cast_possible_truncation)] // callers guarantee n <= u32::MAX
    pub fn new(n: usize) -> Self {
        Self {
            parent: (0..n).map(|i| i as u32).collect(),
        }
    }

    /// The smallest member of `x`'s set, compressing the path on the way.
    pub fn find(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize];
            if p == x {
                return x;
            }
            let gp = self.parent[p as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
    }

    /// The root of `x` without changing anything (for read-only, parallel lookups).
    pub fn find_readonly(&self, mut x: u32) -> u32 {
        loop {
            let p = self.parent[x as usize];
            if p == x {
                return x;
            }
            x = p;
        }
    }

    /// Merges the sets of `a` and `b`; the smaller root becomes the root.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }

    /// The root of every element: each row's cluster id.
    pub fn roots(mut self) -> Vec<u32> {
        (0..self.parent.len())
            .map(|i| {
                #[allow(clippy::cast_possible_truncation)] // len <= u32::MAX by construction
                let i = i as u32;
                self.find(i)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_minimum_whatever_the_order() {
        let mut uf = UnionFind::new(6);
        uf.union(5, 3);
        uf.union(3, 4);
        uf.union(4, 1);
        assert_eq!(uf.roots(), vec![0, 1, 2, 1, 1, 1]);
    }
}
