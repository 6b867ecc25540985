//! Binding of `instructlab_core::yaml`.

use instructlab_core::yaml::{self, Node, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::interrupt::detach_interruptible;

fn decode(source: &[u8], file: &str) -> Result<String, instructlab_core::Error> {
    String::from_utf8(source.to_vec()).map_err(|e| {
        // Count lines up to the first bad byte so the message points somewhere useful.
        let valid = &source[..e.utf8_error().valid_up_to()];
        let mut lines = valid.split(|&b| b == b'\n');
        let line = lines.clone().count();
        let column = lines.next_back().map_or(0, <[u8]>::len) + 1;
        instructlab_core::Error::Yaml {
            location: instructlab_core::Location {
                file: file.to_owned(),
                line,
                column,
            },
            message: "the file is not valid UTF-8".to_owned(),
        }
    })
}

fn parse_detached(py: Python<'_>, source: &[u8], file: &str) -> PyResult<Node> {
    // Convert, detach, convert: own the bytes, parse without the GIL, build Python objects after.
    let owned = source.to_vec();
    detach_interruptible(py, |_| yaml::parse(&decode(&owned, file)?, file))
}

/// Parses one YAML document (PyYAML's typing rules, duplicate keys refused) into Python objects.
#[pyfunction]
#[pyo3(signature = (source, file = "<string>"))]
pub fn load_yaml(py: Python<'_>, source: &[u8], file: &str) -> PyResult<Py<PyAny>> {
    let node = parse_detached(py, source, file)?;
    to_python(py, &node, None)
}

/// Like `load_yaml`, and also returns where things are: `{key path tuple: (line, column)}` of
/// every value, and of every mapping key (so "unknown key" can point at the key itself).
#[pyfunction]
#[pyo3(signature = (source, file = "<string>"))]
pub fn load_yaml_located<'py>(
    py: Python<'py>,
    source: &[u8],
    file: &str,
) -> PyResult<(Py<PyAny>, Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let node = parse_detached(py, source, file)?;
    let values = PyDict::new(py);
    let keys = PyDict::new(py);
    let mut path = Vec::new();
    let value = to_python(py, &node, Some((&values, &keys, &mut path)))?;
    Ok((value, values, keys))
}

/// Value positions, key positions, and the path of the node being converted.
type Locations<'a, 'py> = (
    &'a Bound<'py, PyDict>,
    &'a Bound<'py, PyDict>,
    &'a mut Vec<Py<PyAny>>,
);

fn path_tuple<'py>(py: Python<'py>, path: &[Py<PyAny>]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, path.iter().map(|p| p.bind(py)))
}

pub(crate) fn to_python(
    py: Python<'_>,
    node: &Node,
    mut locs: Option<Locations<'_, '_>>,
) -> PyResult<Py<PyAny>> {
    if let Some((values, _, path)) = locs.as_mut() {
        values.set_item(path_tuple(py, path)?, (node.line, node.column))?;
    }
    Ok(match &node.value {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Value::BigInt(digits) => py
            .get_type::<pyo3::types::PyInt>()
            .call1((digits.as_str(),))?
            .unbind(),
        Value::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
        Value::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
        Value::Seq(items) => {
            let list = PyList::empty(py);
            for (index, item) in items.iter().enumerate() {
                let child = match locs.as_mut() {
                    Some((values, keys, path)) => {
                        path.push(index.into_pyobject(py)?.into_any().unbind());
                        let value = to_python(py, item, Some((values, keys, path)));
                        path.pop();
                        value?
                    }
                    None => to_python(py, item, None)?,
                };
                list.append(child)?;
            }
            list.into_any().unbind()
        }
        Value::Map(entries) => {
            let dict = PyDict::new(py);
            for (key, value) in entries {
                let py_key = to_python(py, key, None)?;
                let child = match locs.as_mut() {
                    Some((values, keys, path)) => {
                        path.push(py_key.clone_ref(py));
                        keys.set_item(path_tuple(py, path)?, (key.line, key.column))?;
                        let v = to_python(py, value, Some((values, keys, path)));
                        path.pop();
                        v?
                    }
                    None => to_python(py, value, None)?,
                };
                dict.set_item(py_key, child)?;
            }
            dict.into_any().unbind()
        }
    })
}
