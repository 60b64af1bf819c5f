//! Moving messages from sources to destinations: source processing, batches,
//! the flow-control window, destination queues and delivery results.
//!
//! A fetcher's worker posts each message into its [`SourceLink`]'s open batch
//! (one uncontended lock per message). A batch is closed — handed to every
//! destination queue of the source's log paths as one shared
//! [`RoutedBatch`] — when it is big enough, when the window fills, on any
//! non-SUCCESS result, when `close_batch()` is called, when the
//! [`Runtime`]'s ticker finds it older than the flush latency (automatic
//! batching only), and on stop. Each destination thread writes whole runs of
//! batches and then reports them delivered; with `flags(flow-control)` that is
//! when the batch's window slots come back and `fetch()` may run again.

use crate::ack::AckTracker;
use crate::driver::{FetchTiming, run_fetch_loop, run_server};
use crate::internal_log::{self, InternalEvent};
use crate::lifecycle::DriverKind;
use crate::lifecycle::Fetcher;
use crate::message::LogMessage;
use crate::modify::Step;
use crate::return_bin::ReturnBin;
use crate::sink::Sink;
use crate::source_prep::MessagePrep;
use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

thread_local! {
    /// The link of the fetcher whose worker runs on this thread.
    static CURRENT_LINK: std::cell::RefCell<Option<Arc<SourceLink>>> = const { std::cell::RefCell::new(None) };
}

/// Whether this thread is the worker thread of the source `link` belongs to
/// (where a server-style source's `run()` may post).
pub fn is_worker_of(link: &SourceLink) -> bool {
    CURRENT_LINK.with(|l| {
        l.borrow()
            .as_ref()
            .is_some_and(|own| std::ptr::eq(&**own, link))
    })
}

/// Sleeps `duration` on a fetcher's worker thread, waking early when the
/// source is asked to stop. Returns `false` (without sleeping) on any other
/// thread. Backends route Python's `time.sleep()` here so that a `fetch()`
/// sleeping in it does not hold up shutdown.
pub fn sleep_on_worker(duration: Duration) -> bool {
    let link = CURRENT_LINK.with(|l| l.borrow().clone());
    match link {
        Some(link) => {
            link.wait(duration);
            true
        }
        None => false,
    }
}

/// How long a destination waits after a failed write when its
/// configuration does not say (`time-reopen()` does).
const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// The longest wait between write attempts while logfetch stops.
const STOPPING_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Largest automatic batch, whatever the window size.
const MAX_AUTO_BATCH: usize = 256;

/// Automatic batches close at this fraction of the window, so that the
/// fetcher fills the next batch while destinations write the previous ones
/// (a batch as large as the window would make the two take turns).
const WINDOW_SHARE_PER_BATCH: usize = 4;

/// How long a destination thread that ran out of work watches for more
/// before it sleeps, when there are cores to spare (see
/// `DestQueue::look_for_work` and `Runtime::idle_spin`).
const IDLE_SPIN: Duration = Duration::from_micros(50);

/// Busy-wait rounds between two yields while watching for work.
const SPINS_PER_YIELD: u32 = 64;

/// What a source does to every message it posts (syslog-ng's source options).
#[derive(Clone, Debug)]
pub struct SourceSettings {
    /// The source statement's name (`$SOURCE`, tag `.source.<name>`).
    pub name: String,
    /// `<name>#<index>`, used in internal messages.
    pub driver_id: String,
    /// `keep-hostname()`: keep a HOST set by the fetcher.
    pub keep_hostname: bool,
    /// `chain-hostnames()`: HOST becomes `<original>/<local host>`.
    pub chain_hostnames: bool,
    /// `use-fqdn()`: use the fully qualified local host name.
    pub use_fqdn: bool,
    /// `use-dns()`: a message with a peer address (`set_source_ipaddress()`)
    /// gets its name as HOST_FROM; without, its address.
    pub use_dns: bool,
    /// `normalize-hostnames()`: resolved names in lower case.
    pub normalize_hostnames: bool,
    /// `use-syslogng-pid()`: PID becomes logfetch's process id.
    pub use_own_pid: bool,
    /// `keep-timestamp()`: keep the message's own stamp (else the receive time).
    pub keep_timestamp: bool,
    /// Stop fetching after this many messages (`logfetch fetch --count`).
    pub fetch_limit: Option<u64>,
    /// `tags()`: added to every message.
    pub tags: Vec<Arc<str>>,
    /// `.source.<name>`, added after `tags` (syslog-ng's `$TAGS` order).
    pub source_tag: Arc<str>,
    /// `program-override()`.
    pub program_override: Option<String>,
    /// `host-override()`.
    pub host_override: Option<String>,
    /// `default-priority()`/`default-facility()` combined; overrides `set_pri()`.
    pub default_pri: Option<u16>,
    /// `log-iw-size()`: messages in flight before `fetch()` pauses.
    pub window_size: usize,
    /// Whether a log path of this source has `flags(flow-control)`.
    pub flow_control: bool,
}

impl SourceSettings {
    /// Settings with syslog-ng's defaults for source `name`, driver `index`.
    pub fn new(name: &str, index: usize) -> Self {
        SourceSettings {
            name: name.to_owned(),
            driver_id: format!("{name}#{index}"),
            keep_hostname: false,
            chain_hostnames: false,
            use_fqdn: false,
            use_dns: true,
            normalize_hostnames: false,
            use_own_pid: false,
            keep_timestamp: true,
            fetch_limit: None,
            tags: Vec::new(),
            source_tag: Arc::from(format!(".source.{name}")),
            program_override: None,
            host_override: None,
            default_pri: None,
            window_size: 100,
            flow_control: false,
        }
    }
}

struct OpenBatch {
    messages: Vec<LogMessage>,
    opened_at: Option<Instant>,
    /// When a batch was last handed on (`None`: never).
    last_closed: Option<Instant>,
    /// Window slots taken: open batch plus delivered-pending messages.
    in_flight: usize,
}

/// One log path as seen from a source: its filters, parsers, rewrite rules
/// and destinations, in configuration order.
#[derive(Clone)]
pub struct PathRoute {
    /// What happens to a message along the path (a destination named twice
    /// gets messages twice).
    pub steps: Vec<Step<Arc<DestQueue>>>,
    /// `flags(final)`: messages that matched go to no later path.
    pub is_final: bool,
    /// `flags(fallback)`: only messages no other path matched.
    pub fallback: bool,
}

impl PathRoute {
    /// The path's destinations in order.
    fn destinations(&self) -> impl Iterator<Item = &Arc<DestQueue>> {
        self.steps.iter().flat_map(Step::destinations)
    }
}

/// How a source's messages find their destinations.
enum Routing {
    /// No filters, parsers or rewrites anywhere: every message goes to the
    /// same destinations.
    Static(Vec<Arc<DestQueue>>),
    /// The paths decide per message; in evaluation order (fallbacks last).
    PerMessage(Vec<PathRoute>),
}

impl Routing {
    fn new(mut paths: Vec<PathRoute>) -> Self {
        paths.sort_by_key(|p| p.fallback);
        let only_deliveries = paths
            .iter()
            .all(|p| p.steps.iter().all(|s| matches!(s, Step::Deliver(_))));
        if !only_deliveries {
            return Routing::PerMessage(paths);
        }
        let mut destinations = Vec::new();
        let mut matched = false;
        for path in &paths {
            if path.fallback && matched {
                continue;
            }
            matched = true;
            destinations.extend(path.destinations().cloned());
            if path.is_final {
                break;
            }
        }
        Routing::Static(destinations)
    }

    fn is_empty(&self) -> bool {
        match self {
            Routing::Static(d) => d.is_empty(),
            Routing::PerMessage(p) => p.iter().all(|p| p.destinations().next().is_none()),
        }
    }
}

/// A source's connection to the pipeline, shared by its worker thread, the
/// main thread, the flush ticker and the native `LogFetcher` object.
pub struct SourceLink {
    settings: SourceSettings,
    /// What posting does to each message, built from `settings`.
    prep: MessagePrep,
    routes: Routing,
    batch: Mutex<OpenBatch>,
    wakeup: Condvar,
    exit: AtomicBool,
    exit_delivered: AtomicBool,
    auto_close: AtomicBool,
    /// The flush latency: a gap this long between batches counts as quiet.
    quiet_after_us: AtomicU64,
    finished: Mutex<bool>,
    finished_cv: Condvar,
    posted: AtomicU64,
    self_ref: Weak<SourceLink>,
    tracker: std::sync::OnceLock<Arc<AckTracker>>,
    /// Delivered batches, freed on the worker thread (see [`ReturnBin`]).
    returned: ReturnBin,
}

impl SourceLink {
    /// A link that routes along `paths` (the log paths that include the source).
    pub fn new(settings: SourceSettings, paths: Vec<PathRoute>) -> Arc<Self> {
        let prep = MessagePrep::new(&settings);
        Arc::new_cyclic(|self_ref| SourceLink {
            self_ref: self_ref.clone(),
            settings,
            routes: Routing::new(paths),
            batch: Mutex::new(OpenBatch {
                messages: Vec::new(),
                opened_at: None,
                last_closed: None,
                in_flight: 0,
            }),
            prep,
            wakeup: Condvar::new(),
            exit: AtomicBool::new(false),
            exit_delivered: AtomicBool::new(false),
            auto_close: AtomicBool::new(true),
            quiet_after_us: AtomicU64::new(DEFAULT_FLUSH_LATENCY.as_micros() as u64),
            finished: Mutex::new(false),
            finished_cv: Condvar::new(),
            posted: AtomicU64::new(0),
            tracker: std::sync::OnceLock::new(),
            returned: ReturnBin::default(),
        })
    }

    /// The driver id (`<source>#<index>`).
    pub fn driver_id(&self) -> &str {
        &self.settings.driver_id
    }

    /// The source's settings.
    pub fn settings(&self) -> &SourceSettings {
        &self.settings
    }

    /// Messages posted so far.
    pub fn posted(&self) -> u64 {
        self.posted.load(Ordering::Relaxed)
    }

    /// Sets the flush latency (a gap this long between batches is quiet).
    pub fn set_flush_latency(&self, latency: Duration) {
        self.quiet_after_us
            .store(latency.as_micros() as u64, Ordering::Relaxed);
    }

    /// Chooses automatic batching (`true`) or batches closed by `close_batch()`.
    pub fn set_auto_close_batches(&self, auto: bool) {
        self.auto_close.store(auto, Ordering::Relaxed);
    }

    /// Whether the source was asked to stop.
    pub fn exit_requested(&self) -> bool {
        self.exit.load(Ordering::Relaxed)
    }

    /// Whether the worker should stop: exit was requested, or the fetch
    /// limit was reached.
    pub fn done_fetching(&self) -> bool {
        self.exit_requested()
            || self
                .settings
                .fetch_limit
                .is_some_and(|n| self.posted() >= n)
    }

    /// Whether the worker thread has ended.
    pub fn finished(&self) -> bool {
        *self.finished.lock()
    }

    /// Asks the worker to stop and wakes it from any wait.
    pub fn request_exit(&self) {
        self.begin_exit();
        self.end_exit();
    }

    /// Marks the source as stopping without waking the worker yet: the
    /// Python `request_exit()` runs between this and [`Self::end_exit`], so
    /// that it happens before the worker's `close()`.
    pub fn begin_exit(&self) {
        self.exit.store(true, Ordering::Relaxed);
    }

    /// Wakes the worker after `request_exit()` returned.
    pub fn end_exit(&self) {
        let _guard = self.batch.lock();
        self.exit_delivered.store(true, Ordering::Relaxed);
        self.wakeup.notify_all();
    }

    /// On the worker, before `close()`: waits (up to `timeout`) until the
    /// main thread's `request_exit()` returned.
    pub fn wait_exit_delivered(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut batch = self.batch.lock();
        while !self.exit_delivered.load(Ordering::Relaxed) {
            if self.wakeup.wait_until(&mut batch, deadline).timed_out() {
                break;
            }
        }
    }

    /// Reports this source's deliveries to `tracker` (set once, before start).
    pub fn set_ack_tracker(&self, tracker: Arc<AckTracker>) {
        let _ = self.tracker.set(tracker);
    }

    /// The source's ack tracker, if it has one.
    pub fn ack_tracker(&self) -> Option<&Arc<AckTracker>> {
        self.tracker.get()
    }

    /// Tells the tracker that `messages` were delivered (or went nowhere).
    fn acknowledge(&self, messages: &[LogMessage]) {
        if let Some(tracker) = self.tracker.get() {
            let acked: Vec<(u64, Option<u64>)> = messages
                .iter()
                .filter_map(|m| m.ack_seq.map(|s| (s, m.bookmark)))
                .collect();
            tracker.delivered(&acked);
        }
    }

    /// Posts one message returned by `fetch()`; returns whether the window
    /// has room for another one.
    pub fn post(&self, mut msg: LogMessage) -> bool {
        self.returned.empty_here();
        self.prep.apply(&mut msg);
        if let Some(tracker) = self.tracker.get() {
            msg.ack_seq = Some(tracker.track(msg.bookmark));
        }
        self.posted.fetch_add(1, Ordering::Relaxed);
        let mut batch = self.batch.lock();
        let auto = self.auto_close.load(Ordering::Relaxed);
        // A message after a quiet spell goes out at once; batching only
        // starts when messages keep coming.
        let mut after_quiet = false;
        if batch.messages.is_empty() {
            let now = Instant::now();
            batch.opened_at = Some(now);
            after_quiet = auto
                && batch
                    .last_closed
                    .is_none_or(|t| now - t >= self.quiet_after());
        }
        batch.messages.push(msg);
        batch.in_flight += 1;
        let full = batch.in_flight >= self.settings.window_size;
        let big = auto && batch.messages.len() >= self.auto_batch_size();
        if full || big || after_quiet {
            self.close_locked(&mut batch);
        }
        !full
    }

    fn quiet_after(&self) -> Duration {
        Duration::from_micros(self.quiet_after_us.load(Ordering::Relaxed))
    }

    /// How many messages an automatic batch holds before it is handed on.
    fn auto_batch_size(&self) -> usize {
        (self.settings.window_size / WINDOW_SHARE_PER_BATCH).clamp(1, MAX_AUTO_BATCH)
    }

    /// Whether another message fits into the window.
    pub fn has_room(&self) -> bool {
        self.batch.lock().in_flight < self.settings.window_size
    }

    /// Hands the open batch to the destinations.
    pub fn close_batch(&self) {
        let mut batch = self.batch.lock();
        self.close_locked(&mut batch);
    }

    fn close_locked(&self, batch: &mut OpenBatch) {
        if batch.messages.is_empty() {
            return;
        }
        let next = Vec::with_capacity(self.auto_batch_size());
        let messages = std::mem::replace(&mut batch.messages, next);
        batch.opened_at = None;
        batch.last_closed = Some(Instant::now());
        let count = messages.len();
        let holds_window = self.settings.flow_control && !self.routes.is_empty();
        if !holds_window {
            batch.in_flight -= count;
        }
        let Some(source) = self.self_ref.upgrade() else {
            return;
        };
        let mut messages = messages;
        let deliveries: Vec<(&Arc<DestQueue>, Selection)> = match &self.routes {
            Routing::Static(destinations) => destinations
                .iter()
                .map(|d| (d, Selection::Prefix(count)))
                .collect(),
            Routing::PerMessage(paths) => select(paths, &mut messages),
        };
        if deliveries.is_empty() {
            if holds_window {
                batch.in_flight -= count;
            }
            self.acknowledge(&messages[..count]);
            return;
        }
        let routed = Arc::new(RoutedBatch {
            source,
            messages,
            originals: count,
            pending_destinations: AtomicUsize::new(deliveries.len()),
            holds_window,
        });
        for (queue, selection) in deliveries {
            queue.enqueue(&routed, selection);
        }
    }

    /// Closes the open batch if it is older than `latency` and batches close automatically.
    fn close_if_stale(&self, latency: Duration) {
        if !self.auto_close.load(Ordering::Relaxed) {
            return;
        }
        let mut batch = self.batch.lock();
        if batch.opened_at.is_some_and(|t| t.elapsed() >= latency) {
            self.close_locked(&mut batch);
        }
    }

    /// Gives back `count` window slots (called when a batch was delivered).
    fn release(&self, count: usize) {
        let mut batch = self.batch.lock();
        batch.in_flight = batch.in_flight.saturating_sub(count);
        self.wakeup.notify_all();
    }

    /// Sleeps up to `timeout`, returning early when exit is requested.
    pub fn wait(&self, timeout: Duration) {
        self.returned.empty_here();
        let deadline = Instant::now() + timeout;
        let mut batch = self.batch.lock();
        while !self.exit_requested() {
            if self.wakeup.wait_until(&mut batch, deadline).timed_out() {
                break;
            }
        }
    }

    /// Sleeps until the window has room or exit is requested.
    pub fn wait_for_room(&self) {
        self.returned.empty_here();
        let mut batch = self.batch.lock();
        while !self.exit_requested() && batch.in_flight >= self.settings.window_size {
            self.wakeup.wait(&mut batch);
        }
    }

    fn mark_finished(&self) {
        *self.finished.lock() = true;
        self.finished_cv.notify_all();
    }

    fn wait_finished(&self, deadline: Instant) -> bool {
        let mut finished = self.finished.lock();
        while !*finished {
            if self
                .finished_cv
                .wait_until(&mut finished, deadline)
                .timed_out()
            {
                return *finished;
            }
        }
        true
    }
}

/// Per path destination, the messages of `messages` that reach it. A path
/// that parses or rewrites works on its own copy of a message; the copies
/// are appended to `messages` and selected from there.
fn select<'a>(
    paths: &'a [PathRoute],
    messages: &mut Vec<LogMessage>,
) -> Vec<(&'a Arc<DestQueue>, Selection)> {
    // Every path's destination slots in order, and where each path's begin.
    let mut slots: Vec<&Arc<DestQueue>> = Vec::new();
    let mut first_slots: Vec<usize> = Vec::with_capacity(paths.len());
    for path in paths {
        first_slots.push(slots.len());
        slots.extend(path.destinations());
    }
    let mut chosen: Vec<Vec<u32>> = vec![Vec::new(); slots.len()];
    let originals = messages.len();
    let mut copies: Vec<LogMessage> = Vec::new();
    for (i, original) in messages.iter().enumerate() {
        let mut matched = false;
        for (path, &first_slot) in paths.iter().zip(&first_slots) {
            if path.fallback && matched {
                continue;
            }
            let mut walk = PathWalk {
                original,
                original_index: i,
                copy: None,
                copy_index: None,
                slot: first_slot,
            };
            if walk.run(path, &mut chosen, &mut copies, originals) {
                matched = true;
                if path.is_final {
                    break;
                }
            }
        }
    }
    messages.append(&mut copies);
    let total = messages.len();
    slots
        .into_iter()
        .zip(chosen)
        .filter(|(_, indices)| !indices.is_empty())
        .map(|(queue, indices)| {
            let selection = if indices.len() == total {
                Selection::Prefix(indices.len())
            } else {
                Selection::Indices(indices)
            };
            (queue, selection)
        })
        .collect()
}

/// One message on its way along one path.
struct PathWalk<'m> {
    original: &'m LogMessage,
    original_index: usize,
    /// The path's own copy, once a step changed the message.
    copy: Option<LogMessage>,
    /// Where the current copy was delivered, if it was (unchanged since).
    copy_index: Option<u32>,
    /// The next destination slot of the path.
    slot: usize,
}

impl PathWalk<'_> {
    /// Runs the path's steps; whether the message reached its end.
    fn run(
        &mut self,
        path: &PathRoute,
        chosen: &mut [Vec<u32>],
        copies: &mut Vec<LogMessage>,
        originals: usize,
    ) -> bool {
        self.run_steps(&path.steps, chosen, copies, originals)
    }

    fn run_steps(
        &mut self,
        steps: &[Step<Arc<DestQueue>>],
        chosen: &mut [Vec<u32>],
        copies: &mut Vec<LogMessage>,
        originals: usize,
    ) -> bool {
        for step in steps {
            match step {
                Step::Filter(filter) => {
                    if !filter.matches(self.current()) {
                        return false;
                    }
                }
                Step::Modify(modifier) => {
                    let copy = self.copy.get_or_insert_with(|| self.original.path_copy());
                    self.copy_index = None;
                    if !modifier.apply(copy) {
                        return false;
                    }
                }
                Step::Deliver(destinations) => {
                    let index = match &self.copy {
                        None => self.original_index as u32,
                        Some(copy) => *self.copy_index.get_or_insert_with(|| {
                            copies.push(copy.clone());
                            (originals + copies.len() - 1) as u32
                        }),
                    };
                    for chosen in &mut chosen[self.slot..self.slot + destinations.len()] {
                        chosen.push(index);
                    }
                    self.slot += destinations.len();
                }
                Step::Branches(branches) => {
                    // Each branch owns the destination slots of its deliveries.
                    let after = self.slot + step.destination_count();
                    let mut first_slot = self.slot;
                    for branch in branches {
                        self.slot = first_slot;
                        first_slot += branch.destination_count();
                        if let Some(condition) = &branch.condition {
                            // `if (...)`: the condition decides; what the branch
                            // then drops goes no further.
                            if !condition.matches(self.current()) {
                                continue;
                            }
                            if !self.run_steps(&branch.steps, chosen, copies, originals) {
                                return false;
                            }
                            break;
                        }
                        // `if { ... }` and `else`: taken when its steps let the
                        // message through; else the next branch tries the message
                        // as it was.
                        if branch.is_else {
                            if !self.run_steps(&branch.steps, chosen, copies, originals) {
                                return false;
                            }
                            break;
                        }
                        let (copy, copy_index) = (self.copy.clone(), self.copy_index);
                        if self.run_steps(&branch.steps, chosen, copies, originals) {
                            break;
                        }
                        self.copy = copy;
                        self.copy_index = copy_index;
                    }
                    self.slot = after;
                }
            }
        }
        true
    }

    /// The message as the path has it now.
    fn current(&self) -> &LogMessage {
        self.copy.as_ref().unwrap_or(self.original)
    }
}

/// Which messages of a routed batch one destination gets.
enum Selection {
    /// The first N (all of them, unless the queue overflowed).
    Prefix(usize),
    /// These positions.
    Indices(Vec<u32>),
}

impl Selection {
    fn len(&self) -> usize {
        match self {
            Selection::Prefix(n) => *n,
            Selection::Indices(i) => i.len(),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            Selection::Prefix(n) => *n = (*n).min(len),
            Selection::Indices(i) => i.truncate(len),
        }
    }
}

/// A closed batch on its way to one or more destinations.
pub struct RoutedBatch {
    source: Arc<SourceLink>,
    /// The source's messages, then the copies log paths changed.
    messages: Vec<LogMessage>,
    /// How many of `messages` the source posted (they hold window slots).
    originals: usize,
    pending_destinations: AtomicUsize,
    holds_window: bool,
}

impl RoutedBatch {
    /// The batch's messages.
    pub fn messages(&self) -> &[LogMessage] {
        &self.messages
    }

    /// Called once per destination after it wrote (or dropped) its share.
    fn delivered(&self) {
        if self.pending_destinations.fetch_sub(1, Ordering::AcqRel) == 1 {
            if self.holds_window {
                self.source.release(self.originals);
            }
            self.source.acknowledge(&self.messages[..self.originals]);
        }
    }
}

impl Drop for RoutedBatch {
    fn drop(&mut self) {
        self.source.returned.put(std::mem::take(&mut self.messages));
    }
}

struct QueueEntry {
    batch: Arc<RoutedBatch>,
    selection: Selection,
}

impl QueueEntry {
    /// Hands this entry's messages to `sink`.
    fn write_to(&self, sink: &mut dyn Sink) -> std::io::Result<()> {
        let messages = self.batch.messages();
        match &self.selection {
            Selection::Prefix(n) => sink.write(&messages[..*n]),
            Selection::Indices(indices) => {
                // Runs of neighbouring messages go to the sink together.
                let mut rest = &indices[..];
                while let Some(&first) = rest.first() {
                    let run = rest
                        .iter()
                        .zip(first..)
                        .take_while(|(index, expected)| **index == *expected)
                        .count();
                    let start = first as usize;
                    sink.write(&messages[start..start + run])?;
                    rest = &rest[run..];
                }
                Ok(())
            }
        }
    }
}

struct QueueState {
    entries: VecDeque<QueueEntry>,
    queued: usize,
    closed: bool,
    dropped: u64,
    /// The destination thread is done (closed and empty, or abandoned).
    drained: bool,
}

/// The queue in front of one destination (`log-fifo-size()` bounds it when
/// flow control is off).
pub struct DestQueue {
    name: String,
    capacity: usize,
    /// How long to wait after a failed write before trying again
    /// (`time-reopen()`).
    retry_delay: Duration,
    state: Mutex<QueueState>,
    ready: Condvar,
    /// Whether `state.entries` holds anything (read without the lock).
    has_entries: AtomicBool,
}

impl DestQueue {
    /// A queue for destination `name` holding at most `capacity` messages
    /// that are not flow-controlled.
    pub fn new(name: &str, capacity: usize) -> Arc<Self> {
        Self::with_retry_delay(name, capacity, DEFAULT_RETRY_DELAY)
    }

    /// [`DestQueue::new`] whose destination waits `retry_delay` between
    /// attempts after a failed write (`time-reopen()`).
    pub fn with_retry_delay(name: &str, capacity: usize, retry_delay: Duration) -> Arc<Self> {
        Arc::new(DestQueue {
            name: name.to_owned(),
            capacity,
            retry_delay,
            state: Mutex::new(QueueState {
                entries: VecDeque::new(),
                queued: 0,
                closed: false,
                dropped: 0,
                drained: false,
            }),
            ready: Condvar::new(),
            has_entries: AtomicBool::new(false),
        })
    }

    /// The destination's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Messages dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.state.lock().dropped
    }

    fn enqueue(&self, batch: &Arc<RoutedBatch>, mut selection: Selection) {
        let total = selection.len();
        let mut state = self.state.lock();
        let len = if batch.holds_window {
            total
        } else {
            total.min(self.capacity.saturating_sub(state.queued))
        };
        selection.truncate(len);
        if len < total {
            let lost = (total - len) as u64;
            state.dropped += lost;
            tracing::warn!(
                destination = self.name.as_str(),
                dropped = lost,
                queue_len = state.queued,
                "Destination queue full, dropping messages"
            );
        }
        state.queued += len;
        self.has_entries.store(true, Ordering::Release);
        state.entries.push_back(QueueEntry {
            batch: batch.clone(),
            selection,
        });
        self.ready.notify_one();
    }

    /// Takes everything queued, waiting for work; `None` once closed and empty.
    fn take_all(&self, idle_spin: Duration) -> Option<Vec<QueueEntry>> {
        if !idle_spin.is_zero() && !self.has_entries.load(Ordering::Acquire) {
            self.look_for_work(idle_spin);
        }
        let mut state = self.state.lock();
        while state.entries.is_empty() {
            if state.closed {
                state.drained = true;
                self.ready.notify_all();
                return None;
            }
            self.ready.wait(&mut state);
        }
        state.queued = 0;
        self.has_entries.store(false, Ordering::Relaxed);
        Some(state.entries.drain(..).collect())
    }

    /// Before the destination thread sleeps: watches for new entries a
    /// little while. A busy source closes its next batch within tens of
    /// microseconds, and waking a sleeping thread costs the source a futex
    /// call and the machine an inter-processor interrupt per batch.
    fn look_for_work(&self, idle_spin: Duration) {
        let until = Instant::now() + idle_spin;
        while !self.has_entries.load(Ordering::Acquire) && Instant::now() < until {
            for _ in 0..SPINS_PER_YIELD {
                std::hint::spin_loop();
            }
            // Lets a runnable thread on this core (another source) go first.
            std::thread::yield_now();
        }
    }

    fn close(&self) {
        self.state.lock().closed = true;
        self.ready.notify_all();
    }

    /// Waits before retrying a failed write: the retry delay, cut short
    /// when the queue closes (stopping); while stopping, at most
    /// [`STOPPING_RETRY_DELAY`]. Returns whether the queue is closed.
    fn wait_before_retry(&self) -> bool {
        let mut state = self.state.lock();
        if !state.closed {
            let deadline = Instant::now() + self.retry_delay;
            while !state.closed && !self.ready.wait_until(&mut state, deadline).timed_out() {}
            if !state.closed {
                return false;
            }
        }
        drop(state);
        std::thread::sleep(self.retry_delay.min(STOPPING_RETRY_DELAY));
        true
    }

    /// Waits until the destination thread finished draining, or `deadline`.
    fn wait_drained(&self, deadline: Instant) -> bool {
        let mut state = self.state.lock();
        while !state.drained {
            if self.ready.wait_until(&mut state, deadline).timed_out() {
                return state.drained;
            }
        }
        true
    }

    /// Gives up on what is still queued; returns how many messages that is.
    fn abandon(&self) -> u64 {
        let mut state = self.state.lock();
        let left: usize = state.entries.iter().map(|e| e.selection.len()).sum();
        state.entries.clear();
        state.queued = 0;
        self.has_entries.store(false, Ordering::Relaxed);
        left as u64
    }
}

/// A destination whose thread drains its queue into its sink.
struct RunningDestination {
    queue: Arc<DestQueue>,
    sink: Option<Box<dyn Sink>>,
    thread: Option<JoinHandle<u64>>,
}

/// A fetcher source and its worker thread.
struct RunningFetcher {
    link: Arc<SourceLink>,
    fetcher: Arc<dyn Fetcher>,
    timing: FetchTiming,
    thread: Option<JoinHandle<()>>,
}

/// What happened during a stop.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StopReport {
    /// Sources that did not return from `fetch()` within the grace period.
    pub stuck_sources: Vec<String>,
    /// Messages that could not be delivered.
    pub undelivered: u64,
}

/// How long a batch may wait in an open automatic batch.
pub const DEFAULT_FLUSH_LATENCY: Duration = Duration::from_millis(10);

/// The running sources, destinations and the flush ticker of one configuration.
pub struct Runtime {
    destinations: Vec<RunningDestination>,
    fetchers: Vec<RunningFetcher>,
    internal: Vec<(Arc<SourceLink>, Option<JoinHandle<()>>)>,
    ticker: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    flush_latency: Duration,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// An empty runtime.
    pub fn new() -> Self {
        Runtime {
            destinations: Vec::new(),
            fetchers: Vec::new(),
            internal: Vec::new(),
            ticker: None,
            flush_latency: DEFAULT_FLUSH_LATENCY,
        }
    }

    /// Sets how long an automatic batch may stay open.
    pub fn set_flush_latency(&mut self, latency: Duration) {
        self.flush_latency = latency;
    }

    /// Adds a destination: `queue` feeds `sink` on a thread of its own.
    pub fn add_destination(&mut self, queue: Arc<DestQueue>, sink: Box<dyn Sink>) {
        self.destinations.push(RunningDestination {
            queue,
            sink: Some(sink),
            thread: None,
        });
    }

    /// Adds an initialised fetcher and the link it posts through.
    pub fn add_fetcher(
        &mut self,
        link: Arc<SourceLink>,
        fetcher: Box<dyn Fetcher>,
        timing: FetchTiming,
    ) {
        link.set_auto_close_batches(fetcher.auto_close_batches());
        if let Some((mode, sink)) = fetcher.ack_tracker() {
            link.set_ack_tracker(Arc::new(AckTracker::new(mode, sink)));
        }
        self.fetchers.push(RunningFetcher {
            link,
            fetcher: Arc::from(fetcher),
            timing,
            thread: None,
        });
    }

    /// Adds an `internal()` source.
    pub fn add_internal_source(&mut self, link: Arc<SourceLink>) {
        self.internal.push((link, None));
    }

    /// Waits until every fetcher's worker ended on its own (fetch limits), or `timeout`.
    pub fn wait_fetchers_finished(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.fetchers.iter().all(|f| f.link.wait_finished(deadline))
    }

    /// The links of all fetcher sources, in configuration order.
    pub fn links(&self) -> impl Iterator<Item = &Arc<SourceLink>> {
        self.fetchers.iter().map(|f| &f.link)
    }

    /// Starts destination threads, then one worker per fetcher, then the ticker.
    pub fn start(&mut self) -> std::io::Result<()> {
        let idle_spin = self.idle_spin();
        for d in &mut self.destinations {
            let queue = d.queue.clone();
            let sink = d.sink.take().expect("destination started twice");
            d.thread = Some(
                std::thread::Builder::new()
                    .name(format!("dest:{}", queue.name()))
                    .spawn(move || drain_destination(&queue, sink, idle_spin))?,
            );
        }
        for f in &mut self.fetchers {
            let link = f.link.clone();
            let fetcher = f.fetcher.clone();
            let timing = f.timing;
            f.thread = Some(
                std::thread::Builder::new()
                    .name(format!("fetch:{}", link.driver_id()))
                    .spawn(move || {
                        CURRENT_LINK.with(|l| *l.borrow_mut() = Some(link.clone()));
                        let transport = fetcher.transport();
                        let kind = fetcher.info().kind;
                        fetcher.run_worker(&mut |calls| match kind {
                            DriverKind::Fetcher => run_fetch_loop(calls, &link, timing, &transport),
                            DriverKind::Server => run_server(calls, &link),
                        });
                        link.close_batch();
                        link.mark_finished();
                    })?,
            );
        }
        self.start_internal_sources()?;
        let stop = Arc::new(AtomicBool::new(false));
        let links: Vec<_> = self
            .fetchers
            .iter()
            .map(|f| f.link.clone())
            .chain(self.internal.iter().map(|(l, _)| l.clone()))
            .collect();
        let latency = self.flush_latency;
        for link in &links {
            link.set_flush_latency(latency);
        }
        let stop_flag = stop.clone();
        let ticker = std::thread::Builder::new()
            .name("flush-ticker".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) {
                    std::thread::sleep(latency / 2);
                    for link in &links {
                        link.close_if_stale(latency);
                        if let Some(tracker) = link.ack_tracker() {
                            tracker.flush_if_due();
                        }
                    }
                }
            })?;
        self.ticker = Some((stop, ticker));
        Ok(())
    }

    /// How long idle destination threads watch for work before they sleep:
    /// [`IDLE_SPIN`] while every fetcher and destination thread can have a
    /// core of its own, nothing when they would take cores from each other.
    fn idle_spin(&self) -> Duration {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let busy_threads = self.fetchers.len() + self.destinations.len();
        if busy_threads <= cores {
            IDLE_SPIN
        } else {
            Duration::ZERO
        }
    }

    /// Starts one thread that turns captured internal messages into
    /// messages of every `internal()` source (capture itself was started by
    /// [`crate::plan::prepare`]).
    fn start_internal_sources(&mut self) -> std::io::Result<()> {
        if self.internal.is_empty() {
            return Ok(());
        }
        let links: Vec<Arc<SourceLink>> = self.internal.iter().map(|(l, _)| l.clone()).collect();
        let thread = std::thread::Builder::new()
            .name("internal".into())
            .spawn(move || {
                let pid = std::process::id().to_string();
                let post = |event: &InternalEvent| {
                    for link in &links {
                        if !link.has_room() {
                            link.close_batch();
                            link.wait_for_room();
                        }
                        let mut msg = LogMessage::with_message(event.text.as_bytes());
                        msg.pri = 5 * 8 + u16::from(event.severity);
                        msg.local = true;
                        msg.set_str("PROGRAM", "logfetch");
                        msg.set_str("PID", pid.as_bytes());
                        let _ = link.post(msg);
                    }
                };
                while !links[0].exit_requested() {
                    for event in internal_log::take_captured(Duration::from_millis(50)) {
                        post(&event);
                    }
                }
                for event in internal_log::take_captured(Duration::ZERO) {
                    post(&event);
                }
                for link in &links {
                    link.close_batch();
                }
                internal_log::stop_capture();
            })?;
        self.internal[0].1 = Some(thread);
        Ok(())
    }

    /// Stops everything in syslog-ng's order: `request_exit()` (main thread),
    /// `close()` (worker), `deinit()` (main thread), then drains every queued
    /// message into the sinks. A source still inside `fetch()` after `grace`
    /// is reported and abandoned; what it had already returned is delivered.
    pub fn stop(mut self, grace: Duration) -> StopReport {
        let mut report = StopReport::default();
        for f in &self.fetchers {
            f.link.begin_exit();
            f.fetcher.request_exit();
            f.link.end_exit();
        }
        let deadline = Instant::now() + grace;
        for f in &mut self.fetchers {
            if f.link.wait_finished(deadline) {
                if let Some(t) = f.thread.take() {
                    let _ = t.join();
                }
                if let Some(tracker) = f.link.ack_tracker() {
                    tracker.close();
                }
                f.fetcher.deinit();
            } else {
                tracing::error!(
                    source = f.link.settings.name.as_str(),
                    driver = f.link.driver_id(),
                    grace_seconds = grace.as_secs_f64(),
                    "Source did not stop within the grace period, abandoning it"
                );
                report.stuck_sources.push(f.link.settings.name.clone());
                f.link.close_batch();
            }
        }
        for (link, thread) in &mut self.internal {
            link.request_exit();
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
        if let Some((stop, ticker)) = self.ticker.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = ticker.join();
        }
        for d in &self.destinations {
            d.queue.close();
        }
        // Destinations drain what is queued, within the same grace period.
        let drain_deadline = Instant::now() + grace;
        for d in &mut self.destinations {
            if !d.queue.wait_drained(drain_deadline) {
                let left = d.queue.abandon();
                tracing::error!(
                    destination = d.queue.name(),
                    count = left,
                    "Destination did not drain within the grace period, messages not delivered"
                );
                report.undelivered += left;
                continue;
            }
            if let Some(t) = d.thread.take() {
                report.undelivered += t.join().unwrap_or(0);
            }
            report.undelivered += d.queue.dropped();
        }
        for f in &self.fetchers {
            if let Some(tracker) = f.link.ack_tracker() {
                tracker.finish();
            }
        }
        report
    }
}

/// A destination thread: writes whole runs of batches, flushes, reports them
/// delivered. Returns the number of messages it had to give up on.
/// `idle_spin` is how long it watches for work before it sleeps.
fn drain_destination(queue: &DestQueue, mut sink: Box<dyn Sink>, idle_spin: Duration) -> u64 {
    const MAX_ATTEMPTS_WHILE_STOPPING: u32 = 3;
    let mut lost = 0;
    while let Some(entries) = queue.take_all(idle_spin) {
        let mut attempts = 0;
        loop {
            let result = entries
                .iter()
                .try_for_each(|e| e.write_to(sink.as_mut()))
                .and_then(|()| sink.flush());
            match result {
                Ok(()) => {
                    if attempts > 0 {
                        tracing::info!(
                            destination = queue.name(),
                            attempts = attempts,
                            "Destination recovered, messages delivered"
                        );
                    }
                    break;
                }
                Err(err) => {
                    attempts += 1;
                    // The first failure is an error; repeats are only shown with -v.
                    if attempts == 1 {
                        tracing::error!(destination = queue.name(), error = %err, "Error writing messages to destination, retrying");
                    } else {
                        tracing::debug!(destination = queue.name(), error = %err, attempts = attempts, "Still cannot write messages to destination, retrying");
                    }
                    let stopping = queue.state.lock().closed;
                    if stopping && attempts >= MAX_ATTEMPTS_WHILE_STOPPING {
                        let count: usize = entries.iter().map(|e| e.selection.len()).sum();
                        lost += count as u64;
                        tracing::error!(
                            destination = queue.name(),
                            count = count,
                            "Giving up on messages that could not be written"
                        );
                        break;
                    }
                    queue.wait_before_retry();
                }
            }
        }
        for e in &entries {
            e.batch.delivered();
        }
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_waits_its_delay_unless_logfetch_stops() {
        let queue = DestQueue::with_retry_delay("d", 10, Duration::from_millis(1));
        assert!(!queue.wait_before_retry(), "not closed: waited the delay");

        // A long time-reopen() does not hold up a stop.
        let queue = DestQueue::with_retry_delay("d", 10, Duration::from_secs(3600));
        let closer = {
            let queue = queue.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                queue.close();
            })
        };
        assert!(queue.wait_before_retry(), "woken by close()");
        closer.join().unwrap();
    }
}
