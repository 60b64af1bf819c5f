//! Puts libpython's directory into the binary's RUNPATH so logfetch runs
//! without LD_LIBRARY_PATH.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
