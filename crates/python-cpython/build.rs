//! Puts libpython's directory into the binary's RUNPATH so logfetch runs
//! without LD_LIBRARY_PATH, and records the interpreter's home (prefix) so
//! the embedded interpreter finds its own standard library rather than one
//! it guesses from the logfetch binary's location.
use std::process::Command;

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    let python = std::env::var("PYO3_PYTHON").unwrap_or_else(|_| "python3".into());
    let home = Command::new(&python)
        .args(["-c", "import sys; print(sys.base_prefix)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    println!("cargo:rustc-env=LOGFETCH_PYTHON_HOME={home}");
}
