//! The store behind `syslogng.Persist`: small typed key-value maps, one per
//! persist name, kept in one file that every update rewrites atomically
//! (write a temporary file, fsync, rename), so it survives crashes,
//! restarts and reloads. Its format is logfetch's own (JSON), not
//! syslog-ng's persist file.

use parking_lot::Mutex;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where the store lives when `--persist-file` is not given.
pub const DEFAULT_LOCATION: &str = "/var/lib/logfetch/logfetch.persist";

/// A stored value, typed as `Persist` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersistValue {
    /// `str`.
    Str(String),
    /// `int`, as decimal text (any precision).
    Int(String),
    /// `bytes`.
    Bytes(Vec<u8>),
}

type Entries = BTreeMap<String, BTreeMap<String, PersistValue>>;

struct Store {
    path: PathBuf,
    entries: Option<Entries>,
}

static STORE: OnceLock<Mutex<Store>> = OnceLock::new();

fn store() -> &'static Mutex<Store> {
    STORE.get_or_init(|| {
        Mutex::new(Store {
            path: PathBuf::from(DEFAULT_LOCATION),
            entries: None,
        })
    })
}

/// Sets the store's file (before the first `Persist` is used).
pub fn set_location(path: &Path) {
    let mut s = store().lock();
    s.path = path.to_path_buf();
    s.entries = None;
}

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
#[error("persist state {path} is not available: {reason}")]
pub struct PersistError {
    path: String,
    reason: String,
}

fn error(path: &Path, reason: impl std::fmt::Display) -> PersistError {
    PersistError {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

fn decode(json: &Json) -> Option<PersistValue> {
    let value = json.get("value")?.as_str()?;
    Some(match json.get("type")?.as_str()? {
        "str" => PersistValue::Str(value.to_owned()),
        "int" => PersistValue::Int(value.to_owned()),
        "bytes" => PersistValue::Bytes(unhex(value)?),
        _ => return None,
    })
}

fn encode(value: &PersistValue) -> Json {
    match value {
        PersistValue::Str(s) => json!({"type": "str", "value": s}),
        PersistValue::Int(i) => json!({"type": "int", "value": i}),
        PersistValue::Bytes(b) => json!({"type": "bytes", "value": hex(b)}),
    }
}

impl Store {
    fn load(&mut self) -> Result<&mut Entries, PersistError> {
        if self.entries.is_none() {
            let mut entries = Entries::new();
            match std::fs::read_to_string(&self.path) {
                Ok(text) => {
                    let json: Json =
                        serde_json::from_str(&text).map_err(|e| error(&self.path, e))?;
                    let names = json
                        .get("entries")
                        .and_then(Json::as_object)
                        .cloned()
                        .unwrap_or_default();
                    for (name, keys) in names {
                        let map = entries.entry(name).or_default();
                        for (key, v) in keys.as_object().cloned().unwrap_or_default() {
                            let value = decode(&v)
                                .ok_or_else(|| error(&self.path, format!("bad entry {key}")))?;
                            map.insert(key, value);
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(error(&self.path, e)),
            }
            self.entries = Some(entries);
        }
        Ok(self.entries.as_mut().expect("loaded above"))
    }

    fn save(&self) -> Result<(), PersistError> {
        let entries = self.entries.as_ref().expect("saved after a load");
        let mut names = Map::new();
        for (name, keys) in entries {
            let keys: Map<String, Json> =
                keys.iter().map(|(k, v)| (k.clone(), encode(v))).collect();
            names.insert(name.clone(), Json::Object(keys));
        }
        let text = serde_json::to_string_pretty(&json!({"version": 1, "entries": names}))
            .map_err(|e| error(&self.path, e))?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| error(&self.path, e))?;
        }
        let tmp = self.path.with_extension("persist.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| error(&self.path, e))
    }
}

/// Checks that the store can be used (what `Persist(...)` does first).
pub fn open(name: &str) -> Result<(), PersistError> {
    let mut s = store().lock();
    s.load()?.entry(name.to_owned()).or_default();
    Ok(())
}

/// The value of `key` in map `name`.
pub fn get(name: &str, key: &str) -> Result<Option<PersistValue>, PersistError> {
    let mut s = store().lock();
    Ok(s.load()?.get(name).and_then(|m| m.get(key)).cloned())
}

/// Sets `key` in map `name`, durably.
pub fn set(name: &str, key: &str, value: PersistValue) -> Result<(), PersistError> {
    let mut s = store().lock();
    s.load()?
        .entry(name.to_owned())
        .or_default()
        .insert(key.to_owned(), value);
    s.save()
}

/// The keys of map `name` (exactly that name: `foo` does not see `foobar`).
pub fn keys(name: &str) -> Result<Vec<String>, PersistError> {
    let mut s = store().lock();
    Ok(s.load()?
        .get(name)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_a_reload_of_the_file() {
        let dir = tempfile_dir();
        let path = dir.join("state.persist");
        set_location(&path);
        set("foo", "s", PersistValue::Str("value".into())).unwrap();
        set(
            "foo",
            "n",
            PersistValue::Int("123456789012345678901234567890".into()),
        )
        .unwrap();
        set("foobar", "b", PersistValue::Bytes(vec![0, 255, 10])).unwrap();
        set_location(&path); // forget the cache, read the file again
        assert_eq!(
            get("foo", "s").unwrap(),
            Some(PersistValue::Str("value".into()))
        );
        assert_eq!(
            get("foobar", "b").unwrap(),
            Some(PersistValue::Bytes(vec![0, 255, 10]))
        );
        assert_eq!(keys("foo").unwrap(), ["n", "s"]);
        assert_eq!(get("foo", "b").unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("logfetch-persist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
