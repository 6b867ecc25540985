//! Integer arguments, checked on their way in: one range check that names the argument.
//!
//! Left to PyO3, a negative number for an unsigned parameter is a raw `OverflowError` and a
//! string a `TypeError`. Every integer argument of the binding goes through [`int`] instead (as
//! `#[pyo3(from_py_with = …)]`, or on a dict or list item), so a bad value is a `UsageError`
//! naming the argument, the value and the range accepted. `from_py_with` keeps the parameter's
//! Rust type and the signature's literal default, which `mypy.stubtest` compares with the stub;
//! taking `i64` and checking it afterwards would still fail past 2^63 with an `OverflowError`.

use std::fmt::Display;
use std::ops::RangeInclusive;

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::errors::{invalid, NativeError};

/// The unsigned types integer arguments arrive as.
pub trait Unsigned: Copy + PartialOrd + Display + for<'a, 'py> FromPyObject<'a, 'py> {
    /// The type's largest value: a range that ends there has no upper bound worth naming.
    const MAX: Self;
}

impl Unsigned for u32 {
    const MAX: Self = u32::MAX;
}

impl Unsigned for u64 {
    const MAX: Self = u64::MAX;
}

impl Unsigned for usize {
    const MAX: Self = usize::MAX;
}

/// `value` when it lies in `range`; else `InvalidArgument` naming `name`, the value and the range.
pub fn in_range<T: Unsigned>(
    name: &str,
    value: T,
    range: &RangeInclusive<T>,
) -> Result<T, NativeError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(out_of_range(name, range, &value))
    }
}

fn out_of_range<T: Unsigned>(
    name: &str,
    range: &RangeInclusive<T>,
    got: &dyn Display,
) -> NativeError {
    let expected = if *range.end() == T::MAX {
        format!("an integer of at least {}", range.start())
    } else {
        format!("an integer from {} to {}", range.start(), range.end())
    };
    invalid(name, format!("expected {expected}, got {got}"))
}

/// The Python integer `obj` as a `T` in `range`; anything else (a negative or huge number, a
/// string, a float) is `InvalidArgument` naming `name`.
pub fn int<T: Unsigned>(
    obj: &Bound<'_, PyAny>,
    name: &str,
    range: RangeInclusive<T>,
) -> PyResult<T> {
    match obj.extract::<T>() {
        Ok(value) => Ok(in_range(name, value, &range)?),
        Err(err) => {
            let err: PyErr = err.into();
            if err.is_instance_of::<PyOverflowError>(obj.py()) && obj.gt(0)? {
                let got = describe(obj);
                Err(invalid(
                    name,
                    format!("{got} is too large (at most {})", range.end()),
                )
                .into())
            } else {
                Err(out_of_range(name, &range, &describe(obj)).into())
            }
        }
    }
}

/// `None`, or the Python integer `obj` as [`int`] checks it.
pub fn int_or_none<T: Unsigned>(
    obj: &Bound<'_, PyAny>,
    name: &str,
    range: RangeInclusive<T>,
) -> PyResult<Option<T>> {
    if obj.is_none() {
        Ok(None)
    } else {
        int(obj, name, range).map(Some)
    }
}

/// A list of Python integers, each checked as [`int`] checks one (the message names the item).
pub fn int_list<T: Unsigned>(
    obj: &Bound<'_, PyAny>,
    name: &str,
    range: RangeInclusive<T>,
) -> PyResult<Vec<T>> {
    let Ok(list) = obj.cast::<PyList>() else {
        return Err(invalid(
            name,
            format!("expected a list of integers, got {}", describe(obj)),
        )
        .into());
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let value = match item.extract::<T>() {
            Ok(value) if range.contains(&value) => value,
            // Only a bad item pays for naming it.
            _ => int(&item, &format!("{name}[{i}]"), range.clone())?,
        };
        out.push(value);
    }
    Ok(out)
}

/// A value as a message shows it: an integer as itself, anything else with its type.
pub fn describe(obj: &Bound<'_, PyAny>) -> String {
    const LONGEST: usize = 60;
    let text = obj.repr().map_or_else(
        |_| "a value that cannot be shown".to_owned(),
        |r| r.to_string(),
    );
    let text = if text.chars().count() > LONGEST {
        let cut: String = text.chars().take(LONGEST).collect();
        format!("{cut}...")
    } else {
        text
    };
    let type_name = obj
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    if obj.is_instance_of::<pyo3::types::PyInt>() && !obj.is_instance_of::<pyo3::types::PyBool>() {
        text
    } else {
        format!("{text} ({type_name})")
    }
}

#[cfg(test)]
mod tests {
    use instructlab_core::Error;

    use super::*;

    fn message(result: Result<usize, NativeError>) -> (String, String) {
        match result {
            Err(NativeError(Error::InvalidArgument { name, message })) => (name, message),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn a_value_in_range_passes() {
        assert!(matches!(
            in_range("num_perm", 128usize, &(1..=4096)),
            Ok(128)
        ));
        assert!(matches!(in_range("num_perm", 1usize, &(1..=4096)), Ok(1)));
        assert!(matches!(
            in_range("num_perm", 4096usize, &(1..=4096)),
            Ok(4096)
        ));
    }

    #[test]
    fn a_value_out_of_range_is_named_with_the_range() {
        let (name, text) = message(in_range("num_perm", 0, &(1..=4096)));
        assert_eq!(name, "num_perm");
        assert_eq!(text, "expected an integer from 1 to 4096, got 0");
        let (_, text) = message(in_range("ngram", 0, &(1..=usize::MAX)));
        assert_eq!(text, "expected an integer of at least 1, got 0");
    }
}
