//! Locality-sensitive hashing over MinHash signatures: choosing bands × rows for a Jaccard
//! threshold, and storing band keys within a memory budget (spilling to disk past it).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Chooses `(bands, rows)` with `bands * rows <= num_perm` for a Jaccard `threshold`.
///
/// Two sets of similarity `s` become a candidate pair with probability `1 - (1 - s^rows)^bands`.
/// The choice minimises the weighted area of false positives (similarity below the threshold)
/// and false negatives (above it). Candidates are verified against their exact Jaccard, so a
/// false positive only costs time while a false negative is a missed duplicate: the weights are
/// 0.05 and 0.95, which keeps recall near 1 just above the threshold.
pub fn optimal_bands(threshold: f64, num_perm: usize) -> (usize, usize) {
    const FP_WEIGHT: f64 = 0.05;
    const FN_WEIGHT: f64 = 0.95;
    let mut best = (f64::INFINITY, 1, num_perm.max(1));
    for bands in 1..=num_perm {
        for rows in 1..=num_perm / bands {
            let p = |s: f64| 1.0 - (1.0 - s.powi(pow(rows))).powi(pow(bands));
            let fp = integrate(p, 0.0, threshold);
            let fn_ = integrate(|s| 1.0 - p(s), threshold, 1.0);
            let err = FP_WEIGHT * fp + FN_WEIGHT * fn_;
            if err < best.0 {
                best = (err, bands, rows);
            }
        }
    }
    (best.1, best.2)
}

fn pow(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const STEPS: u32 = 100;
    let h = (b - a) / f64::from(STEPS);
    (0..STEPS)
        .map(|i| f(a + (f64::from(i) + 0.5) * h))
        .sum::<f64>()
        * h
}

/// Band keys of every document, one list per band, each entry `key << 32 | doc`; sorted, the
/// entries of a band group the documents that share a key.
///
/// Past `budget` bytes in memory, every band's entries are appended to its own file in a
/// private temporary folder (removed on drop), so memory stays bounded by the budget plus one
/// band when the bands are read back.
#[derive(Debug)]
pub struct BandStore {
    bands: Vec<Vec<u64>>,
    budget: usize,
    spill_root: PathBuf,
    spill_dir: Option<PathBuf>,
    spilled_bytes: u64,
}

impl BandStore {
    /// An empty store for `bands` bands; spill files go in a new folder under `spill_root`.
    pub fn new(bands: usize, budget: usize, spill_root: PathBuf) -> Self {
        Self {
            bands: vec![Vec::new(); bands],
            budget,
            spill_root,
            spill_dir: None,
            spilled_bytes: 0,
        }
    }

    /// Adds the band keys of one document (`keys[band]`).
    pub fn push(&mut self, doc: u32, keys: &[u32]) {
        for (band, &key) in self.bands.iter_mut().zip(keys) {
            band.push((u64::from(key) << 32) | u64::from(doc));
        }
    }

    /// Spills to disk if the entries in memory exceed the budget.
    pub fn maybe_spill(&mut self) -> Result<()> {
        let in_memory: usize = self.bands.iter().map(Vec::len).sum::<usize>() * 8;
        if in_memory <= self.budget {
            return Ok(());
        }
        let dir = self.spill_folder()?;
        for (i, band) in self.bands.iter_mut().enumerate() {
            let path = dir.join(format!("band-{i}.bin"));
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| io_error(&path, &e))?;
            let mut out = BufWriter::new(file);
            for entry in band.iter() {
                out.write_all(&entry.to_le_bytes())
                    .map_err(|e| io_error(&path, &e))?;
            }
            out.flush().map_err(|e| io_error(&path, &e))?;
            self.spilled_bytes += band.len() as u64 * 8;
            band.clear();
            band.shrink_to_fit();
        }
        Ok(())
    }

    /// Bytes written to disk so far.
    pub fn spilled_bytes(&self) -> u64 {
        self.spilled_bytes
    }

    /// The number of bands.
    pub fn len(&self) -> usize {
        self.bands.len()
    }

    /// Whether there are no bands.
    pub fn is_empty(&self) -> bool {
        self.bands.is_empty()
    }

    /// Takes band `i` out of the store (its spilled part read back), unsorted.
    pub fn take_band(&mut self, i: usize) -> Result<Vec<u64>> {
        let mut entries = std::mem::take(&mut self.bands[i]);
        if let Some(dir) = &self.spill_dir {
            let path = dir.join(format!("band-{i}.bin"));
            if path.exists() {
                let file = File::open(&path).map_err(|e| io_error(&path, &e))?;
                let mut bytes = Vec::new();
                BufReader::new(file)
                    .read_to_end(&mut bytes)
                    .map_err(|e| io_error(&path, &e))?;
                entries.reserve(bytes.len() / 8);
                for chunk in bytes.chunks_exact(8) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(chunk);
                    entries.push(u64::from_le_bytes(b));
                }
                drop(bytes);
                fs::remove_file(&path).map_err(|e| io_error(&path, &e))?;
            }
        }
        Ok(entries)
    }

    fn spill_folder(&mut self) -> Result<PathBuf> {
        if let Some(dir) = &self.spill_dir {
            return Ok(dir.clone());
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = self
            .spill_root
            .join(format!("instructlab-lsh-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        self.spill_dir = Some(dir.clone());
        Ok(dir)
    }
}

impl Drop for BandStore {
    fn drop(&mut self) {
        if let Some(dir) = &self.spill_dir {
            // Best effort: a leftover temporary folder is not worth failing the result for.
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_for_the_usual_threshold_favour_recall() {
        let (b, r) = optimal_bands(0.8, 128);
        assert!(b * r <= 128);
        let p = |s: f64| 1.0 - (1.0 - s.powi(pow(r))).powi(pow(b));
        assert!(p(0.8) > 0.9, "p(0.8) = {}", p(0.8));
        assert!(p(0.3) < 0.05, "p(0.3) = {}", p(0.3));
        let (b2, r2) = optimal_bands(0.5, 128);
        assert!(r2 < r && b2 * r2 <= 128);
    }

    #[test]
    fn spilled_entries_come_back() -> Result<()> {
        let root = std::env::temp_dir();
        let mut store = BandStore::new(2, 16, root);
        for doc in 0..10u32 {
            store.push(doc, &[doc % 3, 7]);
            store.maybe_spill()?;
        }
        assert!(store.spilled_bytes() > 0);
        let mut band0 = store.take_band(0)?;
        band0.sort_unstable();
        assert_eq!(band0.len(), 10);
        assert_eq!(band0[0], 0);
        assert_eq!(store.take_band(1)?.len(), 10);
        let dir = store.spill_dir.clone();
        drop(store);
        assert!(dir.is_some_and(|d| !d.exists()));
        Ok(())
    }
}
