//! `self.parse_options`: an opaque object holding its source's parse
//! options, the second argument `LogMessage.parse()` expects. Named
//! `PyCapsule` like upstream's (RustPython has no capsule type).

use logfetch_core::syslog_parse::ParseOptions;
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::{PyObject, PyObjectRef, PyPayload, PyRef, pyclass};
use std::sync::Arc;

/// A source's parse options as Python holds them.
#[pyclass(module = false, name = "PyCapsule")]
#[derive(Debug, PyPayload)]
pub(crate) struct PyParseOptions {
    options: Arc<ParseOptions>,
}

#[pyclass]
impl PyParseOptions {}

/// A new Python object holding `options`.
pub(crate) fn capsule(options: &Arc<ParseOptions>) -> PyObjectRef {
    let payload = PyParseOptions {
        options: Arc::clone(options),
    };
    PyRef::new_ref(payload, PyParseOptions::make_static_type(), None).into()
}

/// The options inside `object`, if it is one made by [`capsule`].
pub(crate) fn from_capsule(object: &PyObject) -> Option<Arc<ParseOptions>> {
    object
        .downcast_ref::<PyParseOptions>()
        .map(|capsule| Arc::clone(&capsule.options))
}
