//! NumPy `.npy` files (NumPy Enhancement Proposal 1, "A Simple File Format for NumPy Arrays";
//! `numpy/lib/format.py`): the magic `\x93NUMPY`, a version byte pair (1.0, 2.0 or 3.0), a
//! little-endian header length (`u16` for 1.0, `u32` otherwise), a Python dict literal
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then the raw data.
//!
//! Reading accepts `float32`, `float64`, `bool`, and signed or unsigned integers of 1–8 bytes,
//! either byte order, C or Fortran order, any shape; values are converted to `f32` (`f64` and
//! 64-bit integers may lose precision) and returned in row-major (C) order. Structured, string,
//! complex, half-precision and object dtypes are [`FormatError::UnsupportedDtype`]. Writing
//! produces version 1.0 (2.0 if the header needs it), little-endian `float32`, C order, with
//! the header padded so the data starts at a multiple of 64 bytes, as NumPy does.
//!
//! The header is parsed here rather than by a general Python-literal parser, so that every size
//! (header length, shape product, data length) is checked against the input before anything is
//! allocated, and an overflowing shape is an error rather than an arithmetic panic.

use crate::{FormatError, Result};

/// The most dimensions an array may have (NumPy 2's `NPY_MAXDIMS`; NumPy 1 allowed 32).
pub const MAX_DIMS: usize = 64;

/// Bytes of the `.npy` magic string.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The kind of a supported scalar dtype (the typestr's kind character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// `b`: NumPy `bool`, one byte, 0 or 1.
    Bool,
    /// `i`: signed integer.
    Int,
    /// `u`: unsigned integer.
    Uint,
    /// `f`: IEEE float (4 or 8 bytes).
    Float,
}

/// A supported scalar dtype, e.g. `<f4` = little-endian `Float` of size 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpyDtype {
    /// The kind of value.
    pub kind: ScalarKind,
    /// Bytes per value (1, 2, 4 or 8).
    pub size: usize,
    /// Whether multi-byte values are big-endian.
    pub big_endian: bool,
}

/// The parsed header of a `.npy` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    /// The dtype string as written, e.g. `<f4`.
    pub descr: String,
    /// The dtype it denotes.
    pub dtype: NpyDtype,
    /// Whether the data is stored column-major.
    pub fortran_order: bool,
    /// The array's shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Offset of the first data byte in the file.
    pub data_offset: usize,
}

/// An array read from a `.npy` file, as `f32` in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The array's shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The values, `shape.iter().product()` of them, row-major.
    pub data: Vec<f32>,
}

/// Parses the bytes of a `.npy` file into `f32` values (see the module documentation for the
/// dtypes accepted).
///
/// Errors: [`FormatError::NotNpy`] (bad magic, version, header length or header text),
/// [`FormatError::UnsupportedDtype`], [`FormatError::DimsOverflow`], [`FormatError::Truncated`]
/// / [`FormatError::TrailingBytes`] (data not exactly `product(shape) * itemsize` bytes),
/// [`FormatError::BadValue`] (a `bool` byte other than 0 or 1).
pub fn parse_npy(bytes: &[u8]) -> Result<NpyArray> {
    let header = parse_npy_header(bytes)?;
    let NpyDtype { kind, size, big_endian } = header.dtype;
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .and_then(|c| c.checked_mul(size).map(|b| (c, b)));
    let Some((count, expected)) = count else {
        return Err(FormatError::DimsOverflow {
            dims: header.shape.iter().map(|&d| d as u64).collect(),
            item_size: size,
        });
    };
    let payload = bytes.get(header.data_offset..).unwrap_or_default();
    let found = payload.len();
    let what = || format!("data ({count} x {})", header.descr);
    if found < expected {
        return Err(FormatError::Truncated { expected, found, what: what() });
    }
    if found > expected {
        return Err(FormatError::TrailingBytes { expected, found, what: what() });
    }
    let mut data = Vec::with_capacity(count);
    for (i, chunk) in payload.chunks_exact(size).enumerate() {
        let mut le = [0u8; 8];
        if big_endian {
            le[..size].iter_mut().zip(chunk.iter().rev()).for_each(|(d, s)| *d = *s);
        } else {
            le[..size].copy_from_slice(chunk);
        }
        let bits = u64::from_le_bytes(le);
        let value = match (kind, size) {
            (ScalarKind::Bool, _) => match bits {
                0 => 0.0,
                1 => 1.0,
                b => {
                    return Err(FormatError::BadValue(format!(
                        "invalid bool value {b} at element {i}; expected 0 or 1"
                    )));
                }
            },
            (ScalarKind::Uint, _) => bits as f32,
            (ScalarKind::Int, _) => {
                let shift = 64 - 8 * size as u32;
                ((bits << shift) as i64 >> shift) as f32
            }
            (ScalarKind::Float, 4) => f32::from_bits(bits as u32),
            (ScalarKind::Float, _) => f64::from_bits(bits) as f32,
        };
        data.push(value);
    }
    let data = if header.fortran_order { fortran_to_c(&data, &header.shape) } else { data };
    Ok(NpyArray { shape: header.shape, data })
}

/// Parses the preamble and header dict of a `.npy` file (not the data).
///
/// Errors: as [`parse_npy`], less the data-length and value errors.
pub fn parse_npy_header(bytes: &[u8]) -> Result<NpyHeader> {
    let not_npy = |m: String| FormatError::NotNpy(m);
    if bytes.len() < 8 || &bytes[..6] != MAGIC {
        let start = &bytes[..bytes.len().min(6)];
        return Err(not_npy(format!(
            "magic string \\x93NUMPY not found at the start (found {})",
            start.escape_ascii()
        )));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let len_bytes = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => {
            return Err(not_npy(format!(
                "unsupported version {major}.{minor}; expected 1.0, 2.0 or 3.0"
            )));
        }
    };
    let preamble = 8 + len_bytes;
    let Some(len_field) = bytes.get(8..preamble) else {
        return Err(not_npy(format!(
            "truncated preamble: version {major}.{minor} needs {preamble} bytes, file has {}",
            bytes.len()
        )));
    };
    let mut le = [0u8; 4];
    le[..len_bytes].copy_from_slice(len_field);
    let header_len = u32::from_le_bytes(le) as usize;
    let available = bytes.len() - preamble;
    if header_len > available {
        return Err(not_npy(format!(
            "truncated header: header length says {header_len} bytes, file has {available} after the {preamble}-byte preamble"
        )));
    }
    let data_offset = preamble + header_len;
    let text = std::str::from_utf8(&bytes[preamble..data_offset])
        .map_err(|e| not_npy(format!("header is not UTF-8 text: {e}")))?;
    let dict = HeaderParser { text: text.as_bytes(), pos: 0 }.dict()?;
    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    for (key, value) in dict {
        let slot_taken = match key.as_str() {
            "descr" => descr.replace(value).is_some(),
            "fortran_order" => fortran_order.replace(value).is_some(),
            "shape" => shape.replace(value).is_some(),
            _ => {
                return Err(not_npy(format!(
                    "unexpected key '{}' in the header; expected 'descr', 'fortran_order' and 'shape'",
                    key.escape_default()
                )));
            }
        };
        if slot_taken {
            return Err(not_npy(format!("key '{key}' appears twice in the header")));
        }
    }
    let missing = |k: &str| not_npy(format!("header dict is missing key '{k}'"));
    let fortran_order = match fortran_order.ok_or_else(|| missing("fortran_order"))? {
        Value::Bool(b) => b,
        v => return Err(not_npy(format!("'fortran_order' must be True or False, found {v}"))),
    };
    let shape = match shape.ok_or_else(|| missing("shape"))? {
        Value::Ints(dims) => dims
            .into_iter()
            .map(|d| {
                usize::try_from(d)
                    .map_err(|_| not_npy(format!("dimension {d} in 'shape' exceeds usize")))
            })
            .collect::<Result<Vec<_>>>()?,
        v => {
            return Err(not_npy(format!(
                "'shape' must be a tuple of non-negative integers, found {v}"
            )));
        }
    };
    if shape.len() > MAX_DIMS {
        return Err(not_npy(format!(
            "'shape' has {} dimensions; NumPy allows at most {MAX_DIMS}",
            shape.len()
        )));
    }
    let (descr, dtype) = match descr.ok_or_else(|| missing("descr"))? {
        Value::Str(s) => {
            let dtype = parse_typestr(&s).ok_or_else(|| {
                FormatError::UnsupportedDtype(format!("'{}'", s.escape_default()))
            })?;
            (s, dtype)
        }
        Value::Raw(raw) => return Err(FormatError::UnsupportedDtype(raw)),
        v => return Err(not_npy(format!("'descr' must be a dtype string, found {v}"))),
    };
    Ok(NpyHeader { descr, dtype, fortran_order, shape, data_offset })
}

/// Encodes `data` (row-major, `shape.iter().product()` values) as a little-endian `float32`
/// C-order `.npy` file; the inverse of [`parse_npy`] for `<f4` files.
///
/// Errors: [`FormatError::Shape`] if `data.len()` is not the product of `shape`.
pub fn encode_npy_f32(shape: &[usize], data: &[f32]) -> Result<Vec<u8>> {
    let expected = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if expected != Some(data.len()) {
        let expected = match expected {
            Some(n) => n.to_string(),
            None => "more than usize::MAX".into(),
        };
        return Err(FormatError::Shape {
            what: "npy data",
            expected: format!("{expected} values for shape {shape:?}"),
            got: vec![data.len()],
        });
    }
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Version 1.0 holds a header of up to u16::MAX bytes; 2.0 a u32 length.
    let preamble = if dict.len() + 1 + 64 + 10 <= usize::from(u16::MAX) { 10 } else { 12 };
    while (preamble + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = Vec::with_capacity(preamble + dict.len() + 4 * data.len());
    out.extend_from_slice(MAGIC);
    if preamble == 10 {
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        let len = u32::try_from(dict.len()).map_err(|_| FormatError::TooLarge {
            what: ".npy header length",
            value: dict.len(),
            max: u64::from(u32::MAX),
        })?;
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// Parses a typestr such as `<f4`, `|b1`, `>i8` into a supported dtype, or `None`.
fn parse_typestr(s: &str) -> Option<NpyDtype> {
    let b = s.as_bytes();
    let (order, rest) = match b.first()? {
        c @ (b'<' | b'>' | b'|' | b'=') => (Some(*c), &b[1..]),
        _ => (None, b),
    };
    let (&kind, size) = rest.split_first()?;
    if size.is_empty() || size.len() > 2 || !size.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let size: usize = std::str::from_utf8(size).ok()?.parse().ok()?;
    let kind = match (kind, size) {
        (b'b', 1) => ScalarKind::Bool,
        (b'i', 1 | 2 | 4 | 8) => ScalarKind::Int,
        (b'u', 1 | 2 | 4 | 8) => ScalarKind::Uint,
        (b'f', 4 | 8) => ScalarKind::Float,
        _ => return None,
    };
    let native_big = cfg!(target_endian = "big");
    let big_endian = match order {
        Some(b'>') => true,
        Some(b'<') => false,
        // `|` means "byte order not applicable": only for one-byte types.
        Some(b'|') if size != 1 => return None,
        _ => native_big,
    };
    Some(NpyDtype { kind, size, big_endian })
}

/// Reorders column-major (Fortran) values of `shape` into row-major order.
///
/// `data.len()` is the product of `shape`, which fits in `usize`; the strides are prefix
/// products of that product (or 0 once a dimension is 0), so they fit as well.
fn fortran_to_c(data: &[f32], shape: &[usize]) -> Vec<f32> {
    let mut f_strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        f_strides[k] = f_strides[k - 1].saturating_mul(shape[k - 1]);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    for _ in 0..data.len() {
        let offset: usize = index.iter().zip(&f_strides).map(|(i, s)| i * s).sum();
        out.push(data[offset]);
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

/// A value in the header dict: only the forms a `.npy` header uses.
#[derive(Debug)]
enum Value {
    Str(String),
    Bool(bool),
    /// A tuple or list of non-negative integers (a shape).
    Ints(Vec<u64>),
    /// Any other bracketed literal (e.g. a structured dtype's list), kept as text.
    Raw(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Str(s) => write!(f, "'{}'", s.escape_default()),
            Value::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Value::Ints(v) => write!(f, "{v:?}"),
            Value::Raw(r) => f.write_str(r),
        }
    }
}

/// A recursive-descent parser for the header's dict literal. No recursion deeper than one
/// level: bracketed values other than integer tuples are skipped with a depth counter.
struct HeaderParser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl HeaderParser<'_> {
    fn err(&self, what: &str) -> FormatError {
        FormatError::NotNpy(format!(
            "bad header dict at byte {}: {what} (expected a dict like {{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }})",
            self.pos
        ))
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }

    fn dict(mut self) -> Result<Vec<(String, Value)>> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                break;
            }
            let key = match self.value()? {
                Value::Str(k) => k,
                _ => return Err(self.err("dict keys must be strings")),
            };
            self.expect(b':')?;
            let value = self.value()?;
            entries.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.err("expected ',' or '}' after a value")),
            }
        }
        self.skip_ws();
        if self.pos != self.text.len() {
            return Err(self.err("unexpected text after the dict"));
        }
        Ok(entries)
    }

    fn value(&mut self) -> Result<Value> {
        self.skip_ws();
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => self.string(q).map(Value::Str),
            Some(b'(' | b'[') => {
                let start = self.pos;
                match self.ints() {
                    Some(v) => Ok(Value::Ints(v)),
                    None => {
                        self.pos = start;
                        self.skip_balanced()?;
                        let raw = String::from_utf8_lossy(&self.text[start..self.pos]);
                        Ok(Value::Raw(raw.into_owned()))
                    }
                }
            }
            _ if self.text[self.pos..].starts_with(b"True") => {
                self.pos += 4;
                Ok(Value::Bool(true))
            }
            _ if self.text[self.pos..].starts_with(b"False") => {
                self.pos += 5;
                Ok(Value::Bool(false))
            }
            None => Err(self.err("unexpected end of header")),
            Some(_) => Err(self.err("expected a string, True, False or a tuple")),
        }
    }

    /// A quoted string; backslash escapes are kept as written.
    fn string(&mut self, quote: u8) -> Result<String> {
        let start = self.pos + 1;
        let mut i = start;
        while let Some(&c) = self.text.get(i) {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == quote {
                self.pos = i + 1;
                return Ok(String::from_utf8_lossy(&self.text[start..i]).into_owned());
            }
            i += 1;
        }
        Err(self.err("unterminated string"))
    }

    /// `(1, 2)`, `(3,)`, `()`, `[2, 3]` (with optional Python 2 `L` suffixes), or `None` (the
    /// position is then meaningless) if the bracket does not hold only integers.
    fn ints(&mut self) -> Option<Vec<u64>> {
        let close = if self.peek()? == b'(' { b')' } else { b']' };
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == close {
                self.pos += 1;
                return Some(out);
            }
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == start {
                return None;
            }
            let digits = std::str::from_utf8(&self.text[start..self.pos]).ok()?;
            // A dimension too large for u64 cannot describe data in a file anyway.
            out.push(digits.parse::<u64>().unwrap_or(u64::MAX));
            if self.peek() == Some(b'L') {
                self.pos += 1;
            }
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                c if c == close => {}
                _ => return None,
            }
        }
    }

    /// Skips a bracketed literal with nested brackets and strings, without recursion.
    fn skip_balanced(&mut self) -> Result<()> {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1).ok_or_else(|| self.err("unbalanced brackets"))?;
                    if depth == 0 {
                        self.pos += 1;
                        return Ok(());
                    }
                }
                b'\'' | b'"' => {
                    self.string(c)?;
                    continue;
                }
                _ => {}
            }
            self.pos += 1;
        }
        Err(self.err("unbalanced brackets"))
    }
}
