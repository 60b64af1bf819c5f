//! `_syslogng.LogMessage`: the core message behind a Python object, with
//! syslog-ng 4.x typed item access.

use crate::convert::{c_long, masked_u16, opt_str_arg, str_arg, to_f64, to_u64};
use logfetch_core::native_api::{
    Lookup, MessageState, errors, report_unexpected_type, timestamp_from_datetime_parts,
    truncate_at_nul,
};
use logfetch_core::timestamp::Timestamp;
use logfetch_core::value::Value;
use parking_lot::Mutex;
use rustpython_vm::builtins::{PyBytes, PyFloat, PyList, PyStr, PyType, PyTypeRef};
use rustpython_vm::function::OptionalArg;
use rustpython_vm::protocol::{PyMapping, PyMappingMethods, PySequence, PySequenceMethods};
use rustpython_vm::types::{AsMapping, AsSequence, Constructor, Representable};
use rustpython_vm::{
    AsObject, FromArgs, Py, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass,
};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A log message, as user code builds it in `fetch()`.
#[pyclass(module = "_syslogng", name = "LogMessage")]
#[derive(Debug, PyPayload)]
pub struct PyLogMessage {
    /// No GIL: the lock guards the state against other Python threads. It is
    /// held only for Rust work, never while Python objects are made or
    /// Python code runs.
    pub(crate) state: Mutex<MessageState<PyObjectRef>>,
}

/// The `datetime.datetime` class (looked up once).
fn datetime_class(vm: &VirtualMachine) -> PyResult<&'static PyTypeRef> {
    static CLASS: OnceLock<PyTypeRef> = OnceLock::new();
    if let Some(class) = CLASS.get() {
        return Ok(class);
    }
    let class = vm
        .import("datetime", 0)?
        .get_attr("datetime", vm)?
        .downcast::<PyType>()
        .map_err(|_| vm.new_type_error("datetime.datetime is not a class"))?;
    Ok(CLASS.get_or_init(|| class))
}

fn is_exact(obj: &PyObject, class: &Py<PyType>) -> bool {
    obj.class().is(class)
}

/// Extracts a name-value pair name: exactly `str` or `bytes`.
fn key_text<'a>(key: &'a PyObject, vm: &VirtualMachine) -> PyResult<Cow<'a, str>> {
    if is_exact(key, vm.ctx.types.str_type)
        && let Some(s) = key.downcast_ref::<PyStr>()
    {
        // Borrowed from the str object: no allocation per item access.
        return Ok(Cow::Borrowed(s.try_as_utf8(vm)?.as_str()));
    }
    if is_exact(key, vm.ctx.types.bytes_type)
        && let Some(b) = key.downcast_ref::<PyBytes>()
    {
        return Ok(String::from_utf8_lossy(b.as_bytes()));
    }
    Err(vm.new_type_error(errors::KEY_NOT_STRING))
}

/// The UTF-8 bytes of a `str` (an error for lone surrogates, as in CPython).
/// The UTF-8 bytes of a `str` (a `UnicodeEncodeError` for lone surrogates).
fn str_bytes<'a>(s: &'a Py<PyStr>, vm: &VirtualMachine) -> PyResult<&'a [u8]> {
    Ok(s.try_as_utf8(vm)?.as_str().as_bytes())
}

fn string_item(item: &PyObject, vm: &VirtualMachine) -> Option<Vec<u8>> {
    if let Some(s) = item.downcast_ref::<PyStr>() {
        return str_bytes(s, vm).ok().map(<[u8]>::to_vec);
    }
    item.downcast_ref::<PyBytes>()
        .map(|b| b.as_bytes().to_vec())
}

/// Converts a `datetime` into a timestamp (aware: its offset; naive: local time).
pub(crate) fn timestamp_from_datetime(
    value: &PyObject,
    vm: &VirtualMachine,
) -> PyResult<Timestamp> {
    let epoch = to_f64(&*vm.call_method(value, "timestamp", ())?, vm)?;
    let usec: u32 = value.get_attr("microsecond", vm)?.try_into_value(vm)?;
    let offset = vm.call_method(value, "utcoffset", ())?;
    let offset = if vm.is_none(&offset) {
        None
    } else {
        Some(to_f64(&*vm.call_method(&offset, "total_seconds", ())?, vm)?)
    };
    Ok(timestamp_from_datetime_parts(epoch, usec, offset))
}

/// A naive `datetime` showing `t` in its own offset.
pub(crate) fn datetime_from_timestamp(t: &Timestamp, vm: &VirtualMachine) -> PyResult {
    let (y, mo, d, h, mi, s, us) = t.fields();
    let args: Vec<PyObjectRef> = vec![
        vm.new_pyobj(y),
        vm.new_pyobj(mo),
        vm.new_pyobj(d),
        vm.new_pyobj(h),
        vm.new_pyobj(mi),
        vm.new_pyobj(s),
        vm.new_pyobj(us),
    ];
    datetime_class(vm)?.as_object().call(args, vm)
}

/// The bytes of an exact `str` (as UTF-8) or `bytes` value, borrowed from it.
fn text_value<'a>(value: &'a PyObject, vm: &VirtualMachine) -> PyResult<Option<&'a [u8]>> {
    let types = &vm.ctx.types;
    if is_exact(value, types.str_type)
        && let Some(s) = value.downcast_ref::<PyStr>()
    {
        return str_bytes(s, vm).map(Some);
    }
    if is_exact(value, types.bytes_type)
        && let Some(b) = value.downcast_ref::<PyBytes>()
    {
        return Ok(Some(b.as_bytes()));
    }
    Ok(None)
}

/// Converts a Python value that is not text to a typed value (exact types,
/// as upstream).
fn typed_from_python(key: &str, value: &PyObject, vm: &VirtualMachine) -> PyResult<Value> {
    let types = &vm.ctx.types;
    if is_exact(value, types.bool_type) {
        return Ok(Value::Bool(value.try_to_bool(vm)?));
    }
    if is_exact(value, types.int_type) {
        return Ok(Value::Int(c_long(value, vm)?));
    }
    if is_exact(value, types.float_type)
        && let Some(f) = value.downcast_ref::<PyFloat>()
    {
        return Ok(Value::Double(f.to_f64()));
    }
    if vm.is_none(value) {
        return Ok(Value::Null);
    }
    if is_exact(value, types.list_type)
        && let Some(list) = value.downcast_ref::<PyList>()
    {
        let elements: Vec<PyObjectRef> = list.borrow_vec().to_vec();
        let mut items = Vec::with_capacity(elements.len());
        for item in &elements {
            items.push(string_item(item, vm).ok_or_else(|| vm.new_value_error(errors::LIST_ITEM))?);
        }
        return Ok(Value::List(items));
    }
    if value.fast_isinstance(datetime_class(vm)?) {
        return Ok(Value::DateTime(timestamp_from_datetime(value, vm)?));
    }
    let type_name = value.class().name().to_string();
    report_unexpected_type(key, &type_name);
    Err(vm.new_value_error(errors::VALUE_EXTRACT))
}

/// Converts a typed value to the Python object 4.x returns for it.
fn value_to_python(value: Value, vm: &VirtualMachine) -> PyResult {
    let ctx = &vm.ctx;
    Ok(match value {
        Value::String(s) => ctx.new_bytes(s.into_vec()).into(),
        Value::Int(i) => ctx.new_int(i).into(),
        Value::Double(d) => ctx.new_float(d).into(),
        Value::Bool(b) => ctx.new_bool(b).into(),
        Value::Null => ctx.none(),
        Value::List(items) => ctx
            .new_list(items.into_iter().map(|i| ctx.new_bytes(i).into()).collect())
            .into(),
        Value::DateTime(t) => datetime_from_timestamp(&t, vm)?,
    })
}

impl PyLogMessage {
    /// The value of `key` as Python sees it; `None` when unset.
    ///
    /// The state lock is never held while Python objects are made: an
    /// allocation may start the cycle collector, whose stop-the-world would
    /// wait for a thread blocked on this lock.
    fn lookup(&self, key: &str, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
        let found = match self.state.lock().lookup(key) {
            Some(Lookup::Macro(text)) => Some(Value::String(text.into())),
            Some(Lookup::Value(v)) => Some(v.clone()),
            None => None,
        };
        found.map(|v| value_to_python(v, vm)).transpose()
    }

    fn getitem(&self, key: &PyObject, vm: &VirtualMachine) -> PyResult {
        let key = key_text(key, vm)?;
        self.lookup(&key, vm)?
            .ok_or_else(|| vm.new_key_error(vm.ctx.new_str(errors::no_such_key(&key)).into()))
    }

    fn setitem(&self, key: &PyObject, value: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
        let key = key_text(key, vm)?;
        let mut state = self.state.lock();
        state
            .check_writable(&key)
            .map_err(|e| vm.new_type_error(e))?;
        // Text converts without running Python code, so one lock covers
        // the check and the write.
        if let Some(text) = text_value(value, vm)? {
            state.msg.set(&key, Value::String(truncate_at_nul(text)));
            return Ok(());
        }
        drop(state);
        let value = typed_from_python(&key, value, vm)?;
        let mut state = self.state.lock();
        // Posting may have happened while the value was converted.
        state
            .check_writable(&key)
            .map_err(|e| vm.new_type_error(e))?;
        state.msg.set(&key, value);
        Ok(())
    }
}

/// `LogMessage(message=None, bookmark=None)`.
#[derive(FromArgs)]
pub struct NewArgs {
    #[pyarg(any, optional)]
    message: OptionalArg<PyObjectRef>,
    #[pyarg(any, optional)]
    bookmark: OptionalArg<PyObjectRef>,
}

/// `LogMessage.parse(raw_msg, parse_options)`.
#[derive(FromArgs)]
pub struct ParseArgs {
    #[pyarg(any)]
    raw_msg: PyObjectRef,
    #[pyarg(any)]
    parse_options: PyObjectRef,
}

/// `get(key, default=None)`.
#[derive(FromArgs)]
pub struct GetArgs {
    #[pyarg(any)]
    key: PyObjectRef,
    #[pyarg(any, optional)]
    default: OptionalArg<PyObjectRef>,
}

/// `get_as_str(key, default=None, encoding='utf-8', errors='strict', repr='internal')`.
#[derive(FromArgs)]
pub struct GetAsStrArgs {
    #[pyarg(any)]
    key: PyObjectRef,
    #[pyarg(any, optional)]
    default: OptionalArg<PyObjectRef>,
    #[pyarg(any, optional)]
    encoding: OptionalArg<PyObjectRef>,
    #[pyarg(any, optional)]
    errors: OptionalArg<PyObjectRef>,
    #[pyarg(any, optional)]
    repr: OptionalArg<PyObjectRef>,
}

/// `set_pri(pri)`.
#[derive(FromArgs)]
pub struct SetPriArgs {
    #[pyarg(any)]
    pri: PyObjectRef,
}

/// `set_timestamp(ts)`.
#[derive(FromArgs)]
pub struct SetTimestampArgs {
    #[pyarg(any)]
    ts: PyObjectRef,
}

/// `set_bookmark(bookmark)`.
#[derive(FromArgs)]
pub struct SetBookmarkArgs {
    #[pyarg(any)]
    bookmark: PyObjectRef,
}

/// `set_source_ipaddress(ip, port=0)`.
#[derive(FromArgs)]
pub struct SetSourceIpArgs {
    #[pyarg(any)]
    ip: PyObjectRef,
    #[pyarg(any, optional)]
    port: OptionalArg<PyObjectRef>,
}

/// `set_recvd_rawmsg_size(rawmsg_size)`.
#[derive(FromArgs)]
pub struct SetRawmsgSizeArgs {
    #[pyarg(any)]
    rawmsg_size: PyObjectRef,
}

impl Constructor for PyLogMessage {
    type Args = NewArgs;

    fn py_new(_cls: &Py<PyType>, args: NewArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let bookmark = args.bookmark.into_option().filter(|b| !vm.is_none(b));
        let state = match args.message.into_option() {
            None => MessageState::new(None, bookmark),
            Some(m) if vm.is_none(&m) => MessageState::new(None, bookmark),
            Some(m) => {
                if let Some(s) = m.downcast_ref::<PyStr>() {
                    MessageState::new(Some(str_bytes(s, vm)?), bookmark)
                } else if let Some(b) = m.downcast_ref::<PyBytes>() {
                    MessageState::new(Some(b.as_bytes()), bookmark)
                } else {
                    return Err(vm.new_type_error(errors::MESSAGE_ARG));
                }
            }
        };
        Ok(PyLogMessage {
            state: Mutex::new(state),
        })
    }
}

#[pyclass(
    with(Constructor, AsMapping, AsSequence, Representable),
    flags(BASETYPE)
)]
impl PyLogMessage {
    /// `LogMessage.parse(raw_msg, parse_options)`: a message from a raw
    /// syslog line, read as the source's options say.
    #[pystaticmethod]
    fn parse(args: ParseArgs, vm: &VirtualMachine) -> PyResult<PyLogMessage> {
        let raw = if let Some(s) = args.raw_msg.downcast_ref::<PyStr>() {
            str_bytes(s, vm)?
        } else if let Some(b) = args.raw_msg.downcast_ref::<PyBytes>() {
            b.as_bytes()
        } else {
            return Err(vm.new_type_error(errors::RAW_MSG_ARG));
        };
        let options = crate::parse_options::from_capsule(&args.parse_options)
            .ok_or_else(|| vm.new_type_error(errors::PARSE_OPTIONS_ARG))?;
        Ok(PyLogMessage {
            state: Mutex::new(MessageState::parsed(raw, &options)),
        })
    }

    #[pymethod]
    fn get(zelf: &Py<Self>, args: GetArgs, vm: &VirtualMachine) -> PyResult {
        let key = key_text(&args.key, vm)?;
        Ok(match zelf.lookup(&key, vm)? {
            Some(v) => v,
            None => args.default.unwrap_or_none(vm),
        })
    }

    #[pymethod]
    fn get_as_str(zelf: &Py<Self>, args: GetAsStrArgs, vm: &VirtualMachine) -> PyResult {
        let text_arg = |arg: OptionalArg<PyObjectRef>, default: &str| match arg {
            OptionalArg::Present(obj) => str_arg(&obj, vm),
            OptionalArg::Missing => Ok(default.to_owned()),
        };
        let encoding = text_arg(args.encoding, "utf-8")?;
        let errors = text_arg(args.errors, "strict")?;
        // `repr` is checked but ignored, as upstream.
        text_arg(args.repr, "internal")?;
        let default = args.default.into_option();
        if let Some(d) = &default
            && !vm.is_none(d)
            && !d.fast_isinstance(vm.ctx.types.str_type)
        {
            return Err(vm.new_type_error(errors::DEFAULT_NOT_STRING));
        }
        let key = key_text(&args.key, vm)?;
        let text = zelf.state.lock().text(&key);
        match text {
            Some(t) => vm.call_method(
                vm.ctx.new_bytes(t).as_object(),
                "decode",
                (encoding, errors),
            ),
            None => Ok(default.unwrap_or_else(|| vm.ctx.none())),
        }
    }

    #[pymethod]
    fn keys(zelf: &Py<Self>, vm: &VirtualMachine) -> PyObjectRef {
        let names = zelf.state.lock().keys();
        vm.ctx
            .new_list(
                names
                    .into_iter()
                    .map(|n| vm.ctx.new_bytes(n.into_bytes()).into())
                    .collect(),
            )
            .into()
    }

    #[pymethod]
    fn set_pri(zelf: &Py<Self>, args: SetPriArgs, vm: &VirtualMachine) -> PyResult<()> {
        let pri = masked_u16(&args.pri, vm)?;
        zelf.state.lock().msg.pri = pri;
        Ok(())
    }

    #[pymethod]
    fn get_pri(zelf: &Py<Self>) -> u16 {
        zelf.state.lock().msg.pri
    }

    #[pymethod]
    fn set_timestamp(zelf: &Py<Self>, args: SetTimestampArgs, vm: &VirtualMachine) -> PyResult<()> {
        if !args.ts.fast_isinstance(datetime_class(vm)?) {
            return Err(vm.new_value_error(errors::TIMESTAMP_NOT_DATETIME));
        }
        let stamp = timestamp_from_datetime(&args.ts, vm)?;
        zelf.state.lock().msg.stamp = stamp;
        Ok(())
    }

    #[pymethod]
    fn get_timestamp(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult {
        let stamp = zelf.state.lock().msg.stamp;
        datetime_from_timestamp(&stamp, vm)
    }

    #[pymethod]
    fn set_bookmark(zelf: &Py<Self>, args: SetBookmarkArgs, vm: &VirtualMachine) {
        let bookmark = if vm.is_none(&args.bookmark) {
            None
        } else {
            Some(args.bookmark)
        };
        // The old bookmark is dropped after the lock is released.
        let _old = std::mem::replace(&mut zelf.state.lock().bookmark, bookmark);
    }

    #[pymethod]
    fn set_source_ipaddress(
        zelf: &Py<Self>,
        args: SetSourceIpArgs,
        vm: &VirtualMachine,
    ) -> PyResult<bool> {
        let port = match args.port.into_option() {
            Some(port) => masked_u16(&port, vm)?,
            None => 0,
        };
        let ip = opt_str_arg(&args.ip, vm)?;
        Ok(zelf.state.lock().set_source_ipaddress(ip.as_deref(), port))
    }

    #[pymethod]
    fn set_recvd_rawmsg_size(
        zelf: &Py<Self>,
        args: SetRawmsgSizeArgs,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let size = to_u64(&args.rawmsg_size, vm)?;
        zelf.state.lock().set_recvd_rawmsg_size(size);
        Ok(())
    }
}

impl AsMapping for PyLogMessage {
    fn as_mapping() -> &'static PyMappingMethods {
        static AS_MAPPING: PyMappingMethods = PyMappingMethods {
            length: None,
            subscript: Some(
                |mapping: PyMapping<'_>, key: &PyObject, vm: &VirtualMachine| {
                    PyLogMessage::mapping_downcast(mapping).getitem(key, vm)
                },
            ),
            ass_subscript: Some(
                |mapping: PyMapping<'_>,
                 key: &PyObject,
                 value: Option<PyObjectRef>,
                 vm: &VirtualMachine| {
                    let zelf = PyLogMessage::mapping_downcast(mapping);
                    match value {
                        Some(value) => zelf.setitem(key, &value, vm),
                        // As the CPython backend: no `__delitem__`.
                        None => Err(vm.new_not_implemented_error("can't delete item")),
                    }
                },
            ),
        };
        &AS_MAPPING
    }
}

/// As in the CPython backend, `__getitem__` also fills the sequence item
/// slot, so `in`, `iter()` and `list()` fall back to `msg[0]` (and fail
/// there with "key is not a string object").
impl AsSequence for PyLogMessage {
    fn as_sequence() -> &'static PySequenceMethods {
        static AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
            item: Some(|seq: PySequence<'_>, index: isize, vm: &VirtualMachine| {
                let key = vm.ctx.new_int(index);
                PyLogMessage::sequence_downcast(seq).getitem(key.as_object(), vm)
            }),
            ..PySequenceMethods::NOT_IMPLEMENTED
        };
        &AS_SEQUENCE
    }
}

impl Representable for PyLogMessage {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(zelf.state.lock().repr())
    }
}
