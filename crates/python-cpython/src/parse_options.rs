//! `self.parse_options`: a capsule holding its source's parse options, the
//! second argument `LogMessage.parse()` expects (as upstream's PyCapsule).

use logfetch_core::syslog_parse::ParseOptions;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CStr;
use std::sync::Arc;

/// The name only capsules made by [`capsule`] carry.
const CAPSULE_NAME: &CStr = c"logfetch.parse_options";

/// A new capsule holding `options`.
pub(crate) fn capsule<'py>(
    py: Python<'py>,
    options: &Arc<ParseOptions>,
) -> PyResult<Bound<'py, PyCapsule>> {
    PyCapsule::new_with_value(py, Arc::clone(options), CAPSULE_NAME)
}

/// The options inside `object`, if it is a capsule made by [`capsule`].
pub(crate) fn from_capsule(object: &Bound<'_, PyAny>) -> Option<Arc<ParseOptions>> {
    let capsule = object.cast::<PyCapsule>().ok()?;
    if !capsule.is_valid_checked(Some(CAPSULE_NAME)) {
        return None;
    }
    let pointer = capsule.pointer_checked(Some(CAPSULE_NAME)).ok()?;
    // SAFETY: only `capsule` makes capsules with this name, each around a
    // boxed `Arc<ParseOptions>` that lives as long as the capsule, which
    // `object` keeps alive during this borrow.
    let options = unsafe { pointer.cast::<Arc<ParseOptions>>().as_ref() };
    Some(Arc::clone(options))
}
