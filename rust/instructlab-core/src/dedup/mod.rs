//! Duplicate removal: exact (hash of the normalised row) and near (MinHash + LSH, verified).
//!
//! Both keep the first row of each group in input order, so results do not depend on the
//! number of threads or on scheduling.

pub mod exact;
pub mod lsh;
pub mod minhash;
pub mod near;
pub mod union_find;

pub use exact::{exact_dedup, ExactDedup};
pub use near::{near_dedup, NearDedup, NearDedupParams, NearDedupStats};

use crate::{Error, Result};

/// Checks that every column has `rows` entries and returns the row count as `u32`.
pub(crate) fn check_rows<T>(columns: &[&[T]]) -> Result<usize> {
    let rows = columns.first().map_or(0, |c| c.len());
    if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != rows) {
        return Err(Error::InvalidArgument {
            name: "columns".to_owned(),
            message: format!(
                "column {i} has {} rows but column 0 has {rows}; all columns must be equally long",
                c.len()
            ),
        });
    }
    if u32::try_from(rows).is_err() {
        return Err(Error::InvalidArgument {
            name: "rows".to_owned(),
            message: format!(
                "{rows} rows is more than one call handles ({}); split the input",
                u32::MAX
            ),
        });
    }
    Ok(rows)
}
