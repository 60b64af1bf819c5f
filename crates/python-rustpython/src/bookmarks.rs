//! Bookmarks on RustPython: the objects in flight, and the ack tracker's
//! callback, called through `_logfetch_host.call_ack` on the main VM.

use crate::RustpythonBackend;
use logfetch_core::ack::BookmarkSink;
use logfetch_core::native_api::BookmarkRegistry;
use rustpython_vm::PyObjectRef;

/// One source's tracker callback and the bookmarks it will be given.
pub(crate) struct RustpythonBookmarks {
    pub backend: &'static RustpythonBackend,
    pub registry: BookmarkRegistry<PyObjectRef>,
    /// Always `Some` until dropped (then released inside a VM).
    pub callback: Option<PyObjectRef>,
    pub host: Option<PyObjectRef>,
    pub driver_id: String,
}

impl BookmarkSink for RustpythonBookmarks {
    fn acknowledge(&self, ids: &[u64], as_list: bool) {
        let objects = self.registry.take(ids);
        if objects.is_empty() {
            return;
        }
        let (Some(host), Some(callback)) = (&self.host, &self.callback) else {
            return;
        };
        self.backend.run_here(|vm| {
            let list = vm.ctx.new_list(objects);
            let called = vm.call_method(
                host,
                "call_ack",
                (self.driver_id.as_str(), callback.clone(), list, as_list),
            );
            if let Err(e) = called {
                crate::host_failure(vm, e);
            }
        });
    }

    fn release(&self, ids: &[u64]) {
        let objects = self.registry.take(ids);
        self.backend.run_here(move |_vm| drop(objects));
    }
}

impl Drop for RustpythonBookmarks {
    fn drop(&mut self) {
        let objects = (self.callback.take(), self.host.take());
        self.backend.run_here(move |_vm| drop(objects));
    }
}
