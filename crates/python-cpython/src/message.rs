//! `_syslogng.LogMessage`: the core message behind a Python object, with
//! syslog-ng 4.x typed item access.

use logfetch_core::native_api::{
    Lookup, MessageState, errors, report_unexpected_type, timestamp_from_datetime_parts,
    truncate_at_nul,
};
use logfetch_core::timestamp::Timestamp;
use logfetch_core::value::Value;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDateTime, PyFloat, PyInt, PyList, PyString};

/// A log message, as user code builds it in `fetch()`.
#[pyclass(subclass, name = "LogMessage", module = "_syslogng")]
pub struct PyLogMessage {
    pub(crate) state: MessageState<Py<PyAny>>,
}

/// An integer argument kept modulo 2**16, as syslog-ng takes PRI and ports
/// (an unsigned int, unchecked, stored in 16 bits): `set_pri(-1)` is 65535.
fn masked_u16(value: &Bound<'_, PyAny>) -> PyResult<u16> {
    match value.extract::<u16>() {
        Ok(v) => Ok(v),
        Err(err) => match value.cast::<PyInt>() {
            Ok(int) => int.bitand(0xFFFF_u32)?.extract(),
            Err(_) => Err(err),
        },
    }
}

/// The UTF-8 text of a `str`, borrowed from it.
///
/// Names and values are nearly always short ASCII strings, whose text
/// CPython keeps inline in the object: those are read directly, without a
/// call into libpython per item.
pub(crate) fn str_text<'a>(s: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    let ptr = s.as_ptr();
    // SAFETY: `ptr` is a live `str` (the borrow keeps it alive). A compact
    // ASCII string stores its `length` bytes inline at PyUnicode_DATA; they
    // are ASCII (so UTF-8) and never change while the object lives.
    unsafe {
        if pyo3::ffi::PyUnicode_IS_COMPACT_ASCII(ptr) != 0 {
            let len = pyo3::ffi::PyUnicode_GET_LENGTH(ptr) as usize;
            let data = pyo3::ffi::PyUnicode_DATA(ptr).cast::<u8>();
            return Ok(std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                data, len,
            )));
        }
    }
    s.to_str()
}

/// Extracts a name-value pair name: exactly `str` or `bytes`.
fn key_text<'a>(key: &'a Bound<'_, PyAny>) -> PyResult<std::borrow::Cow<'a, str>> {
    if key.is_exact_instance_of::<PyString>() {
        // Borrowed from the str object: no allocation per item access.
        return Ok(std::borrow::Cow::Borrowed(str_text(
            key.cast::<PyString>()?,
        )?));
    }
    if key.is_exact_instance_of::<PyBytes>() {
        return Ok(std::borrow::Cow::Owned(
            String::from_utf8_lossy(key.cast::<PyBytes>()?.as_bytes()).into_owned(),
        ));
    }
    Err(PyTypeError::new_err(errors::KEY_NOT_STRING))
}

fn string_item(item: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if let Ok(s) = item.cast::<PyString>() {
        return s.to_str().ok().map(|s| s.as_bytes().to_vec());
    }
    item.cast::<PyBytes>().ok().map(|b| b.as_bytes().to_vec())
}

/// Converts a `datetime` into a timestamp (aware: its offset; naive: local time).
pub(crate) fn timestamp_from_datetime(value: &Bound<'_, PyAny>) -> PyResult<Timestamp> {
    let epoch: f64 = value.call_method0("timestamp")?.extract()?;
    let usec: u32 = value.getattr("microsecond")?.extract()?;
    let offset = value.call_method0("utcoffset")?;
    let offset = if offset.is_none() {
        None
    } else {
        Some(offset.call_method0("total_seconds")?.extract::<f64>()?)
    };
    Ok(timestamp_from_datetime_parts(epoch, usec, offset))
}

/// A naive `datetime` showing `t` in its own offset.
pub(crate) fn datetime_from_timestamp<'py>(
    py: Python<'py>,
    t: &Timestamp,
) -> PyResult<Bound<'py, PyAny>> {
    let (y, mo, d, h, mi, s, us) = t.fields();
    Ok(PyDateTime::new(
        py, y, mo as u8, d as u8, h as u8, mi as u8, s as u8, us, None,
    )?
    .into_any())
}

/// Converts a Python value to a typed value (exact types, as upstream).
fn value_from_python(key: &str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_exact_instance_of::<PyString>() {
        let s = str_text(value.cast::<PyString>()?)?;
        return Ok(Value::String(truncate_at_nul(s.as_bytes())));
    }
    if value.is_exact_instance_of::<PyBytes>() {
        return Ok(Value::String(truncate_at_nul(
            value.cast::<PyBytes>()?.as_bytes(),
        )));
    }
    if value.is_exact_instance_of::<PyBool>() {
        return Ok(Value::Bool(value.is_truthy()?));
    }
    if value.is_exact_instance_of::<PyInt>() {
        return Ok(Value::Int(value.extract::<i64>()?));
    }
    if value.is_exact_instance_of::<PyFloat>() {
        return Ok(Value::Double(value.extract::<f64>()?));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if value.is_exact_instance_of::<PyList>() {
        let list = value.cast::<PyList>()?;
        let mut items = Vec::with_capacity(list.len());
        for item in list.iter() {
            items.push(string_item(&item).ok_or_else(|| PyValueError::new_err(errors::LIST_ITEM))?);
        }
        return Ok(Value::List(items));
    }
    if value.is_instance_of::<PyDateTime>() {
        return Ok(Value::DateTime(timestamp_from_datetime(value)?));
    }
    let type_name = value.get_type().name()?.to_string();
    report_unexpected_type(key, &type_name);
    Err(PyValueError::new_err(errors::VALUE_EXTRACT))
}

/// Converts a typed value to the Python object 4.x returns for it.
fn value_to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::String(s) => PyBytes::new(py, s).into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Double(d) => d.into_pyobject(py)?.into_any(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Null => py.None().into_bound(py),
        Value::List(items) => {
            PyList::new(py, items.iter().map(|i| PyBytes::new(py, i)))?.into_any()
        }
        Value::DateTime(t) => datetime_from_timestamp(py, t)?,
    })
}

impl PyLogMessage {
    /// The value of `key` as Python sees it; `None` when unset.
    fn lookup<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.state.lookup(key) {
            Some(Lookup::Macro(text)) => Ok(Some(PyBytes::new(py, &text).into_any())),
            Some(Lookup::Value(v)) => value_to_python(py, v).map(Some),
            None => Ok(None),
        }
    }
}

#[pymethods]
impl PyLogMessage {
    #[new]
    #[pyo3(signature = (message=None, bookmark=None))]
    fn new(message: Option<&Bound<'_, PyAny>>, bookmark: Option<Py<PyAny>>) -> PyResult<Self> {
        let bookmark = bookmark.filter(|b| !Python::attach(|py| b.is_none(py)));
        let state = match message {
            None => MessageState::new(None, bookmark),
            Some(m) if m.is_none() => MessageState::new(None, bookmark),
            Some(m) => {
                if let Ok(s) = m.cast::<PyString>() {
                    MessageState::new(Some(str_text(s)?.as_bytes()), bookmark)
                } else if let Ok(b) = m.cast::<PyBytes>() {
                    MessageState::new(Some(b.as_bytes()), bookmark)
                } else {
                    return Err(PyTypeError::new_err(errors::MESSAGE_ARG));
                }
            }
        };
        Ok(PyLogMessage { state })
    }

    /// `LogMessage.parse(raw_msg, parse_options)`: a message from a raw
    /// syslog line, read as the source's options say.
    #[staticmethod]
    fn parse(raw_msg: &Bound<'_, PyAny>, parse_options: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text;
        let raw = if let Ok(s) = raw_msg.cast::<PyString>() {
            text = s.to_str()?;
            text.as_bytes()
        } else if let Ok(b) = raw_msg.cast::<PyBytes>() {
            b.as_bytes()
        } else {
            return Err(PyTypeError::new_err(errors::RAW_MSG_ARG));
        };
        let options = crate::parse_options::from_capsule(parse_options)
            .ok_or_else(|| PyTypeError::new_err(errors::PARSE_OPTIONS_ARG))?;
        Ok(PyLogMessage {
            state: MessageState::parsed(raw, &options),
        })
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = key_text(key)?;
        self.lookup(py, &key)?
            .ok_or_else(|| PyKeyError::new_err(errors::no_such_key(&key)))
    }

    fn __setitem__(&mut self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = key_text(key)?;
        self.state
            .check_writable(&key)
            .map_err(PyTypeError::new_err)?;
        let value = value_from_python(&key, value)?;
        self.state.msg.set(&key, value);
        Ok(())
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = key_text(key)?;
        Ok(match self.lookup(py, &key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }

    #[pyo3(signature = (key, default=None, encoding="utf-8", errors="strict", repr="internal"))]
    fn get_as_str<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
        encoding: &str,
        errors: &str,
        repr: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = repr;
        if let Some(d) = &default
            && !d.is_none()
            && !d.is_instance_of::<PyString>()
        {
            return Err(PyTypeError::new_err(errors::DEFAULT_NOT_STRING));
        }
        let key = key_text(key)?;
        match self.state.text(&key) {
            Some(t) => PyBytes::new(py, &t).call_method1("decode", (encoding, errors)),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let names = self
            .state
            .keys()
            .into_iter()
            .map(|n| PyBytes::new(py, n.as_bytes()));
        PyList::new(py, names)
    }

    fn set_pri(&mut self, pri: &Bound<'_, PyAny>) -> PyResult<()> {
        self.state.msg.pri = masked_u16(pri)?;
        Ok(())
    }

    fn get_pri(&self) -> u16 {
        self.state.msg.pri
    }

    fn set_timestamp(&mut self, ts: &Bound<'_, PyAny>) -> PyResult<()> {
        if !ts.is_instance_of::<PyDateTime>() {
            return Err(PyValueError::new_err(errors::TIMESTAMP_NOT_DATETIME));
        }
        self.state.msg.stamp = timestamp_from_datetime(ts)?;
        Ok(())
    }

    fn get_timestamp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        datetime_from_timestamp(py, &self.state.msg.stamp)
    }

    fn set_bookmark(&mut self, py: Python<'_>, bookmark: Py<PyAny>) {
        self.state.bookmark = if bookmark.is_none(py) {
            None
        } else {
            Some(bookmark)
        };
    }

    #[pyo3(signature = (ip, port=None))]
    fn set_source_ipaddress(
        &mut self,
        ip: Option<&str>,
        port: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let port = port.map(masked_u16).transpose()?.unwrap_or(0);
        Ok(self.state.set_source_ipaddress(ip, port))
    }

    fn set_recvd_rawmsg_size(&mut self, rawmsg_size: u64) {
        self.state.set_recvd_rawmsg_size(rawmsg_size);
    }

    fn __repr__(&self) -> String {
        self.state.repr()
    }
}
