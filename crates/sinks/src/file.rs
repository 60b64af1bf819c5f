//! `file("path")`: appends rendered messages to files.
//!
//! The path is a template, so one destination may write many files
//! (`/var/log/$PROGRAM.log`); each file is opened on first use and kept
//! open. Lines are buffered and written per batch; `flush()` (end of a run
//! of batches) pushes them to the kernel, `fsync(yes)` also to the disk.

use crate::file_perms::{Ownership, create_parent_dirs};
use crate::rerun::RunProgress;
use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::seqnum::SequenceCounter;
use logfetch_core::sink::Sink;
use logfetch_core::template::Template;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Settings of one `file()` driver.
#[derive(Clone, Debug)]
pub struct FileConfig {
    /// The file name template.
    pub path: Template,
    /// The line template (`$DATE $HOST $MSGHDR$MSG\n` unless `template()`).
    pub template: Template,
    /// `create-dirs()`: create missing parent directories.
    pub create_dirs: bool,
    /// `fsync()`: sync to disk after each run of batches.
    pub fsync: bool,
    /// `flush-lines()`: write out after this many lines even within a batch (0: per batch).
    pub flush_lines: usize,
    /// `owner()`, `group()`, `perm()`: set on every file opened.
    pub file_perms: Ownership,
    /// `dir-owner()`, `dir-group()`, `dir-perm()`: set on directories
    /// `create-dirs()` makes.
    pub dir_perms: Ownership,
}

impl SinkBuilder for FileConfig {
    fn build(&self) -> io::Result<Box<dyn Sink>> {
        Ok(Box::new(FileSink {
            literal_path: self.path.is_literal(),
            config: self.clone(),
            files: HashMap::new(),
            path: Vec::new(),
            unflushed_lines: 0,
            sequence: SequenceCounter::new(self.template.uses_seqnum() || self.path.uses_seqnum()),
            progress: RunProgress::default(),
        }))
    }
}

struct FileSink {
    config: FileConfig,
    /// The path has no macros: one file, found without rendering or hashing.
    literal_path: bool,
    files: HashMap<Vec<u8>, BufWriter<File>>,
    path: Vec<u8>,
    unflushed_lines: usize,
    /// `$SEQNUM` of the messages written here.
    sequence: SequenceCounter,
    /// How far the current run of batches got (see [`RunProgress`]).
    progress: RunProgress,
}

impl FileSink {
    fn open(&self, path: &Path) -> io::Result<File> {
        if self.config.create_dirs {
            create_parent_dirs(path, &self.config.dir_perms)?;
        }
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(self.config.file_perms.mode)
            .open(path)?;
        self.config.file_perms.apply_to_file(&file, path);
        Ok(file)
    }

    fn writer_for(&mut self, msg: &LogMessage, seq_num: u32) -> io::Result<&mut BufWriter<File>> {
        if self.literal_path && self.files.len() == 1 {
            return Ok(self.files.values_mut().next().expect("exactly one file"));
        }
        self.path.clear();
        self.config
            .path
            .render_numbered(msg, seq_num, &mut self.path);
        if !self.files.contains_key(&self.path) {
            let path = Path::new(std::ffi::OsStr::from_bytes(&self.path));
            let file = self.open(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            })?;
            self.files
                .insert(self.path.clone(), BufWriter::with_capacity(64 * 1024, file));
        }
        Ok(self.files.get_mut(&self.path).expect("inserted above"))
    }

    /// Renders and buffers one message, writing out after `flush-lines()`.
    fn write_one(&mut self, msg: &LogMessage, line: &mut Vec<u8>) -> io::Result<()> {
        line.clear();
        let seq_num = self.sequence.number_for(msg);
        self.config.template.render_numbered(msg, seq_num, line);
        self.writer_for(msg, seq_num)?.write_all(line)?;
        self.unflushed_lines += 1;
        if self.config.flush_lines > 0 && self.unflushed_lines >= self.config.flush_lines {
            self.flush_files()?;
        }
        Ok(())
    }

    fn flush_files(&mut self) -> io::Result<()> {
        for w in self.files.values_mut() {
            w.flush()?;
            if self.config.fsync {
                w.get_ref().sync_data()?;
            }
        }
        self.unflushed_lines = 0;
        Ok(())
    }
}

impl Sink for FileSink {
    fn write(&mut self, messages: &[LogMessage]) -> io::Result<()> {
        let mut line = Vec::with_capacity(256);
        for msg in messages {
            // A retried run skips the lines its failed attempt buffered.
            if !self.progress.admit(msg).1 {
                continue;
            }
            if let Err(e) = self.write_one(msg, &mut line) {
                self.progress.fail();
                return Err(e);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.flush_files() {
            Ok(()) => {
                self.progress.complete();
                Ok(())
            }
            Err(e) => {
                self.progress.fail();
                Err(e)
            }
        }
    }
}
