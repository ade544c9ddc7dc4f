//! Reading JavaScript strings and arrays as the byte slices the core takes.

use std::ptr;

use napi::sys;

use hop_by_hop_core::filter::HeaderSource;

/// Strings up to this many UTF-16 units are read into the fixed buffer.
pub(crate) const INLINE_UNITS: usize = 256;
/// Buffers grown past these sizes by one large message are freed after the call.
pub(crate) const RETAINED_UNITS: usize = 64 * 1024;

/// Why a JavaScript value could not be read as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadError {
  NotAString { element: usize },
  Napi,
}

/// Where the strings come from: spread call arguments, or one array for inputs too large to
/// spread (V8 caps the argument count).
pub(crate) enum Elements<'a> {
  Args(&'a [sys::napi_value]),
  Array { array: sys::napi_value, len: usize },
}

impl Elements<'_> {
  pub(crate) fn len(&self) -> usize {
    match self {
      Elements::Args(args) => args.len(),
      Elements::Array { len, .. } => *len,
    }
  }

  pub(crate) fn get(
    &self,
    env: sys::napi_env,
    element: usize,
  ) -> Result<sys::napi_value, ReadError> {
    match self {
      Elements::Args(args) => args.get(element).copied().ok_or(ReadError::Napi),
      Elements::Array { array, .. } => {
        let index = u32::try_from(element).map_err(|_| ReadError::Napi)?;
        let mut value = ptr::null_mut();
        // SAFETY: `array` is a live handle of the current call and `value` a valid out-pointer.
        let status = unsafe { sys::napi_get_element(env, *array, index, &mut value) };
        if status == sys::Status::napi_ok {
          Ok(value)
        } else {
          Err(ReadError::Napi)
        }
      }
    }
  }
}

/// Reads JavaScript strings as bytes. Strings are read as UTF-16 so that a truncated read is
/// always detectable and no character can alias an ASCII byte (Latin-1 reads keep only the low
/// byte of each unit); every unit above 0x7F becomes 0x80, which no rule accepts as part of a
/// token or protocol.
pub(crate) struct StringReader {
  units: [u16; INLINE_UNITS],
  bytes: [u8; INLINE_UNITS],
  heap_units: Vec<u16>,
  heap_bytes: Vec<u8>,
}

impl StringReader {
  pub(crate) fn new() -> Self {
    StringReader {
      units: [0; INLINE_UNITS],
      bytes: [0; INLINE_UNITS],
      heap_units: Vec::new(),
      heap_bytes: Vec::new(),
    }
  }

  pub(crate) fn read(
    &mut self,
    env: sys::napi_env,
    value: sys::napi_value,
    element: usize,
  ) -> Result<&[u8], ReadError> {
    let mut len = 0;
    // SAFETY: the buffer holds INLINE_UNITS units; N-API writes at most that many, NUL included.
    let status = unsafe {
      sys::napi_get_value_string_utf16(env, value, self.units.as_mut_ptr(), INLINE_UNITS, &mut len)
    };
    check_string_status(status, element)?;
    if len + 1 < INLINE_UNITS {
      let units = self.units.get(..len).ok_or(ReadError::Napi)?;
      let bytes = self.bytes.get_mut(..len).ok_or(ReadError::Napi)?;
      narrow(units, bytes);
      return Ok(bytes);
    }
    self.read_long(env, value, element)
  }

  /// Frees the heap buffers once a long string has grown them past [`RETAINED_UNITS`].
  pub(crate) fn release_large(&mut self) {
    if self.heap_units.capacity() > RETAINED_UNITS {
      self.heap_units = Vec::new();
      self.heap_bytes = Vec::new();
    }
  }

  pub(crate) fn read_long(
    &mut self,
    env: sys::napi_env,
    value: sys::napi_value,
    element: usize,
  ) -> Result<&[u8], ReadError> {
    let mut len = 0;
    // SAFETY: a null buffer asks only for the length.
    let status =
      unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut len) };
    check_string_status(status, element)?;
    self.heap_units.resize(len + 1, 0);
    let mut written = 0;
    // SAFETY: heap_units holds len + 1 units.
    let status = unsafe {
      sys::napi_get_value_string_utf16(
        env,
        value,
        self.heap_units.as_mut_ptr(),
        self.heap_units.len(),
        &mut written,
      )
    };
    check_string_status(status, element)?;
    self.heap_bytes.resize(written, 0);
    let units = self.heap_units.get(..written).ok_or(ReadError::Napi)?;
    narrow(units, &mut self.heap_bytes);
    Ok(&self.heap_bytes)
  }
}

pub(crate) fn check_string_status(
  status: sys::napi_status,
  element: usize,
) -> Result<(), ReadError> {
  match status {
    sys::Status::napi_ok => Ok(()),
    sys::Status::napi_string_expected => Err(ReadError::NotAString { element }),
    _ => Err(ReadError::Napi),
  }
}

pub(crate) fn narrow(units: &[u16], bytes: &mut [u8]) {
  for (byte, &unit) in bytes.iter_mut().zip(units) {
    *byte = unit.min(0x80) as u8;
  }
}

/// Header lines backed by JavaScript strings: line `h` is elements `2h` (name) and `2h + 1`
/// (value).
pub(crate) struct JsHeaders<'a> {
  pub(crate) env: sys::napi_env,
  pub(crate) elements: Elements<'a>,
  pub(crate) reader: &'a mut StringReader,
}

impl JsHeaders<'_> {
  pub(crate) fn with_element<R>(
    &mut self,
    element: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, ReadError> {
    let value = self.elements.get(self.env, element)?;
    Ok(read(self.reader.read(self.env, value, element)?))
  }
}

impl HeaderSource for JsHeaders<'_> {
  type Error = ReadError;

  fn header_count(&self) -> usize {
    self.elements.len() / 2
  }

  fn with_name<R>(&mut self, header: usize, read: impl FnOnce(&[u8]) -> R) -> Result<R, ReadError> {
    self.with_element(header.saturating_mul(2), read)
  }

  fn with_value<R>(
    &mut self,
    header: usize,
    read: impl FnOnce(&[u8]) -> R,
  ) -> Result<R, ReadError> {
    self.with_element(header.saturating_mul(2).saturating_add(1), read)
  }
}
