//! Numeric arrays across the boundary as little-endian `bytes` (Python reads them with
//! `numpy.frombuffer`), so the binding needs no numpy at build or import time.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{invalid, NativeError};

/// A number with a fixed-size little-endian form.
pub trait LittleEndian: Copy {
    /// Bytes per value.
    const SIZE: usize;
    /// Writes the value into `out` (exactly [`Self::SIZE`] bytes).
    fn write(self, out: &mut [u8]);
    /// Reads a value from `bytes` (exactly [`Self::SIZE`] bytes).
    fn read(bytes: &[u8]) -> Self;
}

macro_rules! little_endian {
    ($($t:ty),*) => {$(
        impl LittleEndian for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn write(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            fn read(bytes: &[u8]) -> Self {
                let mut raw = [0u8; std::mem::size_of::<$t>()];
                raw.copy_from_slice(bytes);
                <$t>::from_le_bytes(raw)
            }
        }
    )*};
}

little_endian!(u32, i32, u64, i64, f32);

/// `values` as a Python `bytes` of their little-endian forms, written straight into the bytes
/// object (no intermediate buffer).
pub fn to_bytes<'py, T: LittleEndian>(
    py: Python<'py>,
    values: &[T],
) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, values.len() * T::SIZE, |out| {
        for (chunk, &v) in out.chunks_exact_mut(T::SIZE).zip(values) {
            v.write(chunk);
        }
        Ok(())
    })
}

/// The values of the little-endian bytes `raw`, argument `name`; a length that is not a whole
/// number of values is refused rather than cut short.
pub fn from_bytes<T: LittleEndian>(name: &str, raw: &[u8]) -> Result<Vec<T>, NativeError> {
    if raw.len() % T::SIZE != 0 {
        return Err(invalid(
            name,
            format!(
                "{} bytes is not a whole number of {}-byte values",
                raw.len(),
                T::SIZE
            ),
        ));
    }
    Ok(raw.chunks_exact(T::SIZE).map(T::read).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let raw: Vec<u8> = [1u32, 0xdead_beef]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert!(matches!(
            from_bytes::<u32>("x", &raw).as_deref(),
            Ok([1, 0xdead_beef])
        ));
        assert!(matches!(
            from_bytes::<i32>("x", &(-2i32).to_le_bytes()).as_deref(),
            Ok([-2])
        ));
    }

    #[test]
    fn a_partial_value_is_refused_by_name() {
        let err = from_bytes::<u64>("offsets", &[0; 12]);
        assert!(
            matches!(&err, Err(NativeError(instructlab_core::Error::InvalidArgument { name, .. })) if name == "offsets"),
            "{err:?}"
        );
    }
}
