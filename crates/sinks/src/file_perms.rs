//! Who owns the files and directories `file()` writes, and their modes:
//! `owner()`, `group()`, `perm()` and `dir-owner()`, `dir-group()`,
//! `dir-perm()`, applied as syslog-ng does whenever it opens a file or
//! creates a directory (not subject to the umask).

use logfetch_core::internal_log;
use std::ffi::CString;
use std::fs::{DirBuilder, File, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Owner, group and mode for files or for directories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ownership {
    /// The owner to set (`None`: leave it).
    pub uid: Option<u32>,
    /// The group to set (`None`: leave it).
    pub gid: Option<u32>,
    /// The mode to set.
    pub mode: u32,
}

impl Ownership {
    /// syslog-ng's defaults for files: mode 0600, owner and group unchanged.
    pub const FILE_DEFAULT: Ownership = Ownership {
        uid: None,
        gid: None,
        mode: 0o600,
    };
    /// syslog-ng's defaults for directories: mode 0700.
    pub const DIR_DEFAULT: Ownership = Ownership {
        uid: None,
        gid: None,
        mode: 0o700,
    };

    /// Sets owner, group and mode of an opened file; a failure is reported
    /// to the internal log and writing goes on, as syslog-ng does.
    pub(crate) fn apply_to_file(&self, file: &File, path: &Path) {
        if self.uid.is_some() || self.gid.is_some() {
            let result = std::os::unix::fs::fchown(file, self.uid, self.gid);
            report_failure(result, "Error setting file ownership", path);
        }
        let result = file.set_permissions(Permissions::from_mode(self.mode));
        report_failure(result, "Error setting file permissions", path);
    }

    fn apply_to_dir(&self, path: &Path) {
        if self.uid.is_some() || self.gid.is_some() {
            let result = std::os::unix::fs::chown(path, self.uid, self.gid);
            report_failure(result, "Error setting directory ownership", path);
        }
    }
}

fn report_failure(result: io::Result<()>, what: &str, path: &Path) {
    if let Err(e) = result {
        let path = path.display().to_string();
        let error = e.to_string();
        internal_log::emit(3, what, &[("path", &path), ("error", &error)]);
    }
}

/// Creates the missing directories above `file`, each with `dirs`' mode and
/// owners, top-down.
pub(crate) fn create_parent_dirs(file: &Path, dirs: &Ownership) -> io::Result<()> {
    let Some(parent) = file.parent() else {
        return Ok(());
    };
    let missing: Vec<&Path> = parent
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .collect();
    for dir in missing.into_iter().rev() {
        match DirBuilder::new().mode(dirs.mode).create(dir) {
            Ok(()) => {
                let _ = std::fs::set_permissions(dir, Permissions::from_mode(dirs.mode));
                dirs.apply_to_dir(dir);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The user id `owner()` names: a user name or a number; `None` for `""`
/// and `-1`.
pub fn user_id(name: &str) -> Result<Option<u32>, String> {
    resolve(name, "user", |c_name| {
        // SAFETY: getpwnam returns a pointer into static storage or null;
        // it is read at once, before any other passwd call.
        let entry = unsafe { libc::getpwnam(c_name.as_ptr()) };
        (!entry.is_null()).then(|| unsafe { (*entry).pw_uid })
    })
}

/// The group id `group()` names: a group name or a number; `None` for `""`
/// and `-1`.
pub fn group_id(name: &str) -> Result<Option<u32>, String> {
    resolve(name, "group", |c_name| {
        // SAFETY: as in `user_id`, for the group database.
        let entry = unsafe { libc::getgrnam(c_name.as_ptr()) };
        (!entry.is_null()).then(|| unsafe { (*entry).gr_gid })
    })
}

fn resolve(
    name: &str,
    kind: &str,
    lookup: impl FnOnce(&CString) -> Option<u32>,
) -> Result<Option<u32>, String> {
    // As in syslog-ng, `owner()`/`group()` empty or -1 leave it unchanged.
    if name.is_empty() || name == "-1" {
        return Ok(None);
    }
    if let Ok(id) = name.parse::<u32>() {
        return Ok(Some(id));
    }
    let unknown = || format!("unknown {kind} '{name}'");
    let c_name = CString::new(name).map_err(|_| unknown())?;
    lookup(&c_name).map(Some).ok_or_else(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_resolve() {
        assert_eq!(user_id("root"), Ok(Some(0)));
        assert_eq!(user_id("1234"), Ok(Some(1234)));
        assert_eq!(user_id(""), Ok(None));
        assert_eq!(user_id("-1"), Ok(None));
        assert_eq!(group_id("-1"), Ok(None));
        assert_eq!(group_id("0"), Ok(Some(0)));
        assert_eq!(
            user_id("no-such-user-here"),
            Err("unknown user 'no-such-user-here'".into())
        );
        assert_eq!(
            group_id("no-such-group-here"),
            Err("unknown group 'no-such-group-here'".into())
        );
    }

    #[test]
    fn missing_directories_get_the_dir_mode() {
        let base = std::env::temp_dir().join(format!("logfetch-perms-{}", std::process::id()));
        let file = base.join("a/b/out.log");
        let dirs = Ownership {
            mode: 0o750,
            ..Ownership::DIR_DEFAULT
        };
        create_parent_dirs(&file, &dirs).unwrap();
        for dir in [base.join("a"), base.join("a/b")] {
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o750, "{}", dir.display());
        }
        std::fs::remove_dir_all(&base).unwrap();
    }
}
