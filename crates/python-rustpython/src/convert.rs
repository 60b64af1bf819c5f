//! Argument conversions with the same rules and error texts as the CPython
//! backend (pyo3's `&str`, `u64` and `i64` extraction, and its masked `u16`).

use rustpython_vm::builtins::PyStr;
use rustpython_vm::{PyObject, PyResult, VirtualMachine};

/// A `str` argument (subclasses accepted; lone surrogates refused).
pub(crate) fn str_arg(obj: &PyObject, vm: &VirtualMachine) -> PyResult<String> {
    match obj.downcast_ref::<PyStr>() {
        Some(s) => Ok(s.try_as_utf8(vm)?.as_str().to_owned()),
        None => Err(vm.new_type_error(format!(
            "'{}' object is not an instance of 'str'",
            obj.class().name()
        ))),
    }
}

/// An optional `str` argument: `None` is `None`.
pub(crate) fn opt_str_arg(obj: &PyObject, vm: &VirtualMachine) -> PyResult<Option<String>> {
    if vm.is_none(obj) {
        Ok(None)
    } else {
        str_arg(obj, vm).map(Some)
    }
}

/// An integer as CPython's `PyLong_AsLong` takes it (`__index__` honoured).
pub(crate) fn c_long(obj: &PyObject, vm: &VirtualMachine) -> PyResult<i64> {
    obj.try_index(vm)?
        .try_to_primitive::<i64>(vm)
        .map_err(|_| vm.new_overflow_error("Python int too large to convert to C long"))
}

/// An integer argument kept modulo 2**16, as syslog-ng takes PRI and ports
/// (an unsigned int, unchecked, stored in 16 bits): `set_pri(-1)` is 65535.
pub(crate) fn masked_u16(obj: &PyObject, vm: &VirtualMachine) -> PyResult<u16> {
    let int = obj.try_index(vm)?;
    if let Ok(v) = int.try_to_primitive::<u16>(vm) {
        return Ok(v);
    }
    let mask: rustpython_vm::PyObjectRef = vm.ctx.new_int(0xFFFF).into();
    let masked = vm._and(obj, &mask)?;
    masked.try_index(vm)?.try_to_primitive::<u16>(vm)
}

/// A `u64` argument.
pub(crate) fn to_u64(obj: &PyObject, vm: &VirtualMachine) -> PyResult<u64> {
    let int = obj.try_index(vm)?;
    int.try_to_primitive::<u64>(vm).map_err(|_| {
        if int.as_bigint().to_string().starts_with('-') {
            vm.new_overflow_error("can't convert negative int to unsigned")
        } else {
            vm.new_overflow_error("int too big to convert")
        }
    })
}

/// A `float` argument as CPython's `PyFloat_AsDouble` takes it (ints and
/// objects with `__float__`/`__index__` accepted).
pub(crate) fn to_f64(obj: &PyObject, vm: &VirtualMachine) -> PyResult<f64> {
    Ok(obj.try_float(vm)?.to_f64())
}
