//! Reading a `model.safetensors` file: an 8-byte header length, a JSON header naming each
//! tensor's dtype, shape and byte range, then the raw little-endian data. Float tensors (F32,
//! F16, BF16) are read as `f32`; other dtypes (the `position_ids` buffer some BERT files keep)
//! are skipped.

use std::collections::HashMap;
use std::path::Path;

use crate::{Error, Result};

/// A tensor read as `f32`, row-major.
#[derive(Debug, Clone)]
pub struct Tensor {
    /// Its shape, outermost first.
    pub shape: Vec<usize>,
    /// Its values.
    pub data: Vec<f32>,
}

/// Every float tensor of a safetensors file, by name.
pub fn read(path: &Path) -> Result<HashMap<String, Tensor>> {
    let raw = std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    parse(&raw, &path.display().to_string())
}

fn bad(source: &str, message: impl Into<String>) -> Error {
    Error::Io {
        path: source.to_owned(),
        message: format!("not a usable safetensors file: {}", message.into()),
    }
}

/// Parses the bytes of a safetensors file; `source` names it in errors.
pub fn parse(raw: &[u8], source: &str) -> Result<HashMap<String, Tensor>> {
    let head: [u8; 8] = raw
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad(source, "shorter than its header"))?;
    let header_len = usize::try_from(u64::from_le_bytes(head))
        .map_err(|_| bad(source, "header length too large"))?;
    let body_start = 8usize
        .checked_add(header_len)
        .filter(|&end| end <= raw.len())
        .ok_or_else(|| bad(source, "header longer than the file"))?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&raw[8..body_start]).map_err(|e| bad(source, e.to_string()))?;
    let body = &raw[body_start..];
    let mut tensors = HashMap::new();
    for (name, meta) in header {
        if name == "__metadata__" {
            continue;
        }
        let dtype = meta.get("dtype").and_then(|d| d.as_str()).unwrap_or("");
        let width = match dtype {
            "F32" => 4,
            "F16" | "BF16" => 2,
            _ => continue,
        };
        let shape: Vec<usize> = meta
            .get("shape")
            .and_then(|s| s.as_array())
            .map(|dims| {
                dims.iter()
                    .filter_map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                    .collect()
            })
            .ok_or_else(|| bad(source, format!("{name}: no shape")))?;
        let offsets = meta
            .get("data_offsets")
            .and_then(|o| o.as_array())
            .and_then(|o| {
                let start = usize::try_from(o.first()?.as_u64()?).ok()?;
                let end = usize::try_from(o.get(1)?.as_u64()?).ok()?;
                Some((start, end))
            })
            .ok_or_else(|| bad(source, format!("{name}: no data_offsets")))?;
        let count: usize = shape.iter().product();
        let bytes = body
            .get(offsets.0..offsets.1)
            .filter(|b| b.len() == count * width)
            .ok_or_else(|| {
                bad(
                    source,
                    format!("{name}: data outside the file or of the wrong size"),
                )
            })?;
        let data = match dtype {
            "F32" => bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            "F16" => bytes
                .chunks_exact(2)
                .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect(),
            _ => bytes
                .chunks_exact(2)
                .map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16))
                .collect(),
        };
        tensors.insert(name, Tensor { shape, data });
    }
    Ok(tensors)
}

/// IEEE half to single precision (normals, subnormals, infinities and NaN).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: shift the mantissa up until its leading 1 is the implicit bit.
            let mut e: u32 = 113; // 127 - 15 + 1
            let mut m = mant;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((m & 0x3ff) << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 112) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, body: &[u8]) -> Vec<u8> {
        let mut raw = (header.len() as u64).to_le_bytes().to_vec();
        raw.extend_from_slice(header.as_bytes());
        raw.extend_from_slice(body);
        raw
    }

    #[test]
    fn reads_f32_and_f16_and_skips_integers() {
        let mut body = Vec::new();
        body.extend_from_slice(&1.5f32.to_le_bytes());
        body.extend_from_slice(&(-2.0f32).to_le_bytes());
        body.extend_from_slice(&0x3c00u16.to_le_bytes()); // 1.0 in f16
        body.extend_from_slice(&7i64.to_le_bytes());
        let header = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"ids":{"dtype":"I64","shape":[1],"data_offsets":[10,18]},"__metadata__":{"format":"pt"}}"#;
        let t = parse(&file(header, &body), "x").expect("parses");
        assert!(t["a"]
            .data
            .iter()
            .zip([1.5, -2.0])
            .all(|(a, b)| (a - b).abs() < 1e-7));
        assert!((t["b"].data[0] - 1.0).abs() < 1e-7);
        assert!(!t.contains_key("ids"));
    }

    #[test]
    fn a_truncated_file_is_an_error() {
        let header = r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
        let err = parse(&file(header, &[0; 4]), "m.safetensors").expect_err("refused");
        assert!(err.to_string().contains("m.safetensors"), "{err}");
        assert!(parse(b"abc", "m").is_err());
    }

    #[test]
    fn half_precision_special_values() {
        assert!((f16_to_f32(0x0001) - 5.960_464_5e-8).abs() < 1e-12);
        assert!((f16_to_f32(0xc000) + 2.0).abs() < f32::EPSILON);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }
}
