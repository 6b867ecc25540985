//! Text columns from Python: Arrow arrays and streams through the Arrow PyCapsule interface
//! (borrowed, zero copy), or lists of strings (copied).
//!
//! Only what the kernels need is read: `utf8`, `large_utf8` and `utf8_view` arrays (and the
//! `null` type), with their validity bitmaps; nulls read as empty strings.
#![allow(unsafe_code)] // reading the Arrow C Data Interface means following raw pointers

use std::ffi::{c_char, c_int, c_void, CStr};
use std::fmt::Display;
use std::ptr;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyList, PyString, PyTuple};

use crate::errors::invalid;

/// `struct ArrowSchema` of the Arrow C Data Interface.
#[repr(C)]
struct FfiSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut FfiSchema,
    dictionary: *mut FfiSchema,
    release: Option<unsafe extern "C" fn(*mut FfiSchema)>,
    private_data: *mut c_void,
}

/// `struct ArrowArray` of the Arrow C Data Interface.
#[repr(C)]
struct FfiArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut FfiArray,
    dictionary: *mut FfiArray,
    release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the Arrow C Stream Interface.
#[repr(C)]
struct FfiStream {
    get_schema: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut FfiStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut FfiStream)>,
    private_data: *mut c_void,
}

impl FfiSchema {
    fn empty() -> Self {
        Self {
            format: ptr::null(),
            name: ptr::null(),
            metadata: ptr::null(),
            flags: 0,
            n_children: 0,
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: None,
            private_data: ptr::null_mut(),
        }
    }
}

impl FfiArray {
    fn empty() -> Self {
        Self {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: ptr::null_mut(),
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: None,
            private_data: ptr::null_mut(),
        }
    }
}

/// An array we moved out of a stream: we own it and must release it.
struct OwnedArray(Box<FfiArray>);

impl Drop for OwnedArray {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the producer gave us this array with its release callback; calling it
            // once, with the array's own address, is the protocol. It is never read afterwards.
            unsafe { release(&raw mut *self.0) };
        }
    }
}

/// Where a column comes from, for messages: the argument, and the column's position in it when
/// the argument is a list of columns.
#[derive(Clone, Copy)]
struct Place<'a> {
    arg: &'a str,
    item: Option<usize>,
}

impl Place<'_> {
    /// A `UsageError` naming the argument (and the item and `row` where known).
    fn error(self, row: Option<usize>, message: impl Display) -> PyErr {
        let at = match (self.item, row) {
            (Some(i), Some(r)) => format!("item {i}, row {r}: "),
            (Some(i), None) => format!("item {i}: "),
            (None, Some(r)) => format!("row {r}: "),
            (None, None) => String::new(),
        };
        invalid(self.arg, format!("{at}{message}")).into()
    }
}

/// The string layouts we read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Utf8,
    LargeUtf8,
    Utf8View,
    Null,
}

fn layout_of(format: &str, at: Place<'_>) -> PyResult<Layout> {
    match format {
        "u" => Ok(Layout::Utf8),
        "U" => Ok(Layout::LargeUtf8),
        "vu" => Ok(Layout::Utf8View),
        "n" => Ok(Layout::Null),
        other => Err(at.error(
            None,
            format!(
                "expected a column of strings, got Arrow format '{other}' \
                 (cast it to string first)"
            ),
        )),
    }
}

/// Text columns borrowed from (or copied out of) Python objects; they stay valid while this
/// value lives, because it holds the capsules, arrays and strings that own the bytes.
#[allow(dead_code)] // the first three fields are only held, to keep the bytes alive
pub struct TextColumns<'py> {
    capsules: Vec<Bound<'py, PyCapsule>>,
    arrays: Vec<OwnedArray>,
    owned: Vec<Vec<String>>,
    columns: Vec<Vec<&'static str>>,
}

impl TextColumns<'_> {
    /// Calls `f` with the columns. The strings' true lifetime is this value's, which the
    /// higher-ranked closure cannot outlive.
    pub fn with<R>(&self, f: impl for<'a> FnOnce(&'a [&'a [&'a str]]) -> R) -> R {
        let slices: Vec<&[&str]> = self.columns.iter().map(Vec::as_slice).collect();
        f(&slices)
    }
}

impl<'py> TextColumns<'py> {
    fn empty() -> Self {
        Self {
            capsules: Vec::new(),
            arrays: Vec::new(),
            owned: Vec::new(),
            columns: Vec::new(),
        }
    }

    fn read(&mut self, obj: &Bound<'py, PyAny>, at: Place<'_>) -> PyResult<()> {
        let column = if obj.hasattr("__arrow_c_stream__")? {
            read_stream(obj, at, self)?
        } else if obj.hasattr("__arrow_c_array__")? {
            read_array_capsules(obj, at, self)?
        } else if let Ok(list) = obj.cast::<PyList>() {
            read_list(list, at, self)?
        } else {
            return Err(at.error(
                None,
                format!(
                    "expected a list of strings or an Arrow string array, got {}",
                    obj.get_type().name()?
                ),
            ));
        };
        self.columns.push(column);
        Ok(())
    }
}

/// Reads the argument `arg`, a list of objects, as one text column per object.
pub fn text_columns<'py>(objects: &[Bound<'py, PyAny>], arg: &str) -> PyResult<TextColumns<'py>> {
    let mut out = TextColumns::empty();
    for (i, obj) in objects.iter().enumerate() {
        out.read(obj, Place { arg, item: Some(i) })?;
    }
    Ok(out)
}

/// Reads the argument `arg` as one text column.
pub fn text_column<'py>(obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<TextColumns<'py>> {
    let mut out = TextColumns::empty();
    out.read(obj, Place { arg, item: None })?;
    Ok(out)
}

fn read_list(
    list: &Bound<'_, PyList>,
    at: Place<'_>,
    out: &mut TextColumns<'_>,
) -> PyResult<Vec<&'static str>> {
    let mut owned = Vec::with_capacity(list.len());
    for (row, item) in list.iter().enumerate() {
        if item.is_none() {
            owned.push(String::new());
        } else if let Ok(s) = item.cast::<PyString>() {
            // Fails only for a string with lone surrogates, which UTF-8 cannot hold.
            let text = s.to_str().map_err(|e| at.error(Some(row), e))?;
            owned.push(text.to_owned());
        } else {
            return Err(at.error(
                Some(row),
                format!("expected a string or None, got {}", item.get_type().name()?),
            ));
        }
    }
    let strs = owned
        .iter()
        .map(|s| {
            // SAFETY: the String's heap buffer is owned by `out.owned` (pushed just below and
            // never mutated or dropped before `out`), and moving a Vec<String> does not move
            // the strings' bytes; `TextColumns::with` never lets the 'static escape.
            unsafe { std::mem::transmute::<&str, &'static str>(s.as_str()) }
        })
        .collect();
    out.owned.push(owned);
    Ok(strs)
}

fn read_array_capsules<'py>(
    obj: &Bound<'py, PyAny>,
    at: Place<'_>,
    out: &mut TextColumns<'py>,
) -> PyResult<Vec<&'static str>> {
    let broken = |e: &dyn Display| at.error(None, format!("a broken __arrow_c_array__: {e}"));
    let pair = obj.call_method0("__arrow_c_array__")?;
    let pair = pair.cast::<PyTuple>().map_err(|e| broken(&e))?;
    let capsule = |i: usize| -> PyResult<Bound<'py, PyCapsule>> {
        let item = pair.get_item(i).map_err(|e| broken(&e))?;
        item.cast_into::<PyCapsule>().map_err(|e| broken(&e))
    };
    let (schema_capsule, array_capsule) = (capsule(0)?, capsule(1)?);
    let schema = schema_capsule
        .pointer_checked(Some(c"arrow_schema"))
        .map_err(|e| broken(&e))?;
    let array = array_capsule
        .pointer_checked(Some(c"arrow_array"))
        .map_err(|e| broken(&e))?;
    // SAFETY: the capsules are named per the PyCapsule interface, so their pointers are a
    // valid ArrowSchema and ArrowArray, owned by the capsules we keep alive in `out`.
    let layout = unsafe { schema_layout(&*schema.cast::<FfiSchema>().as_ptr(), at)? };
    // SAFETY: as above; the array's buffers live as long as its capsule.
    let strs = unsafe { read_array(&*array.cast::<FfiArray>().as_ptr(), layout, at)? };
    out.capsules.push(schema_capsule);
    out.capsules.push(array_capsule);
    Ok(strs)
}

fn read_stream<'py>(
    obj: &Bound<'py, PyAny>,
    at: Place<'_>,
    out: &mut TextColumns<'py>,
) -> PyResult<Vec<&'static str>> {
    let broken = |e: &dyn Display| at.error(None, format!("a broken __arrow_c_stream__: {e}"));
    let capsule = obj
        .call_method0("__arrow_c_stream__")?
        .cast_into::<PyCapsule>()
        .map_err(|e| broken(&e))?;
    let stream = capsule
        .pointer_checked(Some(c"arrow_array_stream"))
        .map_err(|e| broken(&e))?
        .cast::<FfiStream>()
        .as_ptr();
    let stream_error = |code: c_int| {
        // SAFETY: `stream` is valid (see below); get_last_error may return null.
        let message = unsafe {
            (*stream)
                .get_last_error
                .map(|f| f(stream))
                .filter(|p| !p.is_null())
                .map(|p| CStr::from_ptr(p).to_string_lossy().into_owned())
        };
        at.error(
            None,
            format!(
                "the Arrow stream failed (code {code}): {}",
                message.unwrap_or_default()
            ),
        )
    };
    // SAFETY: the capsule is named "arrow_array_stream", so it holds a valid ArrowArrayStream
    // that we may call; the capsule (kept in `out`) releases the stream itself.
    let layout = unsafe {
        let get_schema = (*stream)
            .get_schema
            .ok_or_else(|| at.error(None, "released Arrow stream"))?;
        let mut schema = FfiSchema::empty();
        let code = get_schema(stream, &raw mut schema);
        if code != 0 {
            return Err(stream_error(code));
        }
        let layout = schema_layout(&schema, at);
        if let Some(release) = schema.release {
            release(&raw mut schema);
        }
        layout?
    };
    let mut strs = Vec::new();
    loop {
        let mut array = Box::new(FfiArray::empty());
        // SAFETY: as above; get_next fills `array` (ours to release) or leaves release null
        // at the end of the stream.
        let code = unsafe {
            match (*stream).get_next {
                Some(next) => next(stream, &raw mut *array),
                None => return Err(at.error(None, "released Arrow stream")),
            }
        };
        if code != 0 {
            return Err(stream_error(code));
        }
        if array.release.is_none() {
            break;
        }
        let owned = OwnedArray(array);
        // SAFETY: the array is valid until `owned` is dropped, and `owned` goes into `out`.
        strs.extend(unsafe { read_array(&owned.0, layout, at)? });
        out.arrays.push(owned);
    }
    out.capsules.push(capsule);
    Ok(strs)
}

/// # Safety
/// `schema` must be a valid, unreleased ArrowSchema.
unsafe fn schema_layout(schema: &FfiSchema, at: Place<'_>) -> PyResult<Layout> {
    if schema.format.is_null() {
        return Err(at.error(None, "Arrow schema without a format"));
    }
    // SAFETY: the format of a valid schema is a NUL-terminated string.
    let format = unsafe { CStr::from_ptr(schema.format) }.to_string_lossy();
    layout_of(&format, at)
}

/// Reads the strings of one array; nulls become "".
///
/// # Safety
/// `array` must be a valid, unreleased ArrowArray of `layout`, and must outlive every use of
/// the returned strings (the caller keeps its owner alive and hands the strings out only
/// through [`TextColumns::with`]).
unsafe fn read_array(
    array: &FfiArray,
    layout: Layout,
    at: Place<'_>,
) -> PyResult<Vec<&'static str>> {
    let bad = |m: &str| at.error(None, format!("malformed Arrow array: {m}"));
    let len = usize::try_from(array.length).map_err(|_| bad("negative length"))?;
    let offset = usize::try_from(array.offset).map_err(|_| bad("negative offset"))?;
    if layout == Layout::Null {
        return Ok(vec![""; len]);
    }
    // utf8: validity, offsets, data; utf8_view: validity, views, data..., buffer sizes.
    if array.n_buffers < 3 || array.buffers.is_null() {
        return Err(bad("too few buffers"));
    }
    // SAFETY: a valid array has `n_buffers` buffer pointers.
    let buffers = unsafe {
        std::slice::from_raw_parts(array.buffers, usize::try_from(array.n_buffers).unwrap_or(0))
    };
    let validity = buffers[0].cast::<u8>();
    let is_valid = |i: usize| -> bool {
        if validity.is_null() || array.null_count == 0 {
            return true;
        }
        let bit = offset + i;
        // SAFETY: a validity bitmap covers offset + length bits.
        unsafe { *validity.add(bit / 8) & (1 << (bit % 8)) != 0 }
    };
    let mut out = Vec::with_capacity(len);
    let utf8 = |bytes: &'static [u8], row: usize| -> PyResult<&'static str> {
        std::str::from_utf8(bytes).map_err(|e| at.error(Some(row), format!("invalid UTF-8 ({e})")))
    };
    match layout {
        Layout::Utf8 | Layout::LargeUtf8 => {
            let data = buffers[2].cast::<u8>();
            for i in 0..len {
                if !is_valid(i) {
                    out.push("");
                    continue;
                }
                // SAFETY: a utf8 (large_utf8) array has offset + length + 1 i32 (i64) offsets,
                // each within the data buffer.
                let (start, end): (i64, i64) = unsafe {
                    if layout == Layout::Utf8 {
                        let offsets = buffers[1].cast::<i32>();
                        (
                            i64::from(*offsets.add(offset + i)),
                            i64::from(*offsets.add(offset + i + 1)),
                        )
                    } else {
                        let offsets = buffers[1].cast::<i64>();
                        (*offsets.add(offset + i), *offsets.add(offset + i + 1))
                    }
                };
                if end < start || start < 0 {
                    return Err(bad("decreasing offsets"));
                }
                let count = usize::try_from(end - start).map_err(|_| bad("offsets"))?;
                let start = usize::try_from(start).map_err(|_| bad("offsets"))?;
                // SAFETY: see above; the bytes live as long as the array (function contract).
                let bytes = unsafe { std::slice::from_raw_parts(data.add(start), count) };
                out.push(utf8(bytes, i)?);
            }
        }
        Layout::Utf8View => {
            let views = buffers[1].cast::<u8>();
            let data_buffers = &buffers[2..buffers.len() - 1];
            for i in 0..len {
                if !is_valid(i) {
                    out.push("");
                    continue;
                }
                // SAFETY: a view array has offset + length 16-byte views.
                let view = unsafe { std::slice::from_raw_parts(views.add((offset + i) * 16), 16) };
                let size = i32::from_le_bytes([view[0], view[1], view[2], view[3]]);
                let size = usize::try_from(size).map_err(|_| bad("negative view length"))?;
                let bytes: &'static [u8] = if size <= 12 {
                    // SAFETY: short strings are stored inline in the view itself.
                    unsafe { std::slice::from_raw_parts(view.as_ptr().add(4), size) }
                } else {
                    let index = i32::from_le_bytes([view[8], view[9], view[10], view[11]]);
                    let start = i32::from_le_bytes([view[12], view[13], view[14], view[15]]);
                    let buffer = usize::try_from(index)
                        .ok()
                        .and_then(|b| data_buffers.get(b))
                        .ok_or_else(|| bad("view buffer index"))?;
                    let start = usize::try_from(start).map_err(|_| bad("view offset"))?;
                    // SAFETY: a long view points into one of the variadic data buffers.
                    unsafe { std::slice::from_raw_parts(buffer.cast::<u8>().add(start), size) }
                };
                out.push(utf8(bytes, i)?);
            }
        }
        Layout::Null => {}
    }
    Ok(out)
}
