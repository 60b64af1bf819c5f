//! Bookmarks on CPython: the objects in flight, and the ack tracker's
//! callback, called through `_logfetch_host.call_ack`.

use logfetch_core::ack::BookmarkSink;
use logfetch_core::native_api::BookmarkRegistry;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule};

/// One source's tracker callback and the bookmarks it will be given.
pub(crate) struct CpythonBookmarks {
    pub registry: BookmarkRegistry<Py<PyAny>>,
    pub callback: Py<PyAny>,
    pub host: Py<PyModule>,
    pub driver_id: String,
}

impl BookmarkSink for CpythonBookmarks {
    fn acknowledge(&self, ids: &[u64], as_list: bool) {
        let objects = self.registry.take(ids);
        if objects.is_empty() {
            return;
        }
        Python::attach(|py| {
            let called = PyList::new(py, objects.iter().map(|o| o.bind(py))).and_then(|list| {
                self.host
                    .bind(py)
                    .call_method1("call_ack", (&self.driver_id, &self.callback, list, as_list))
            });
            if let Err(e) = called {
                e.print(py);
            }
        });
    }

    fn release(&self, ids: &[u64]) {
        let objects = self.registry.take(ids);
        Python::attach(|_| drop(objects));
    }
}
