//! The connection behind `network()` and `syslog()`: resolving, connecting,
//! writing frames over TCP, TLS or UDP, and what happens when the peer goes
//! away.
//!
//! # Driving async I/O from a synchronous sink
//!
//! A destination thread drives its [`Sink`] synchronously (write a run of
//! batches, then flush). Each network sink owns a small current-thread tokio
//! runtime and `block_on`s each network step in it: no extra threads, no
//! channel between the destination thread and the socket, and the blocking
//! write is exactly the back-pressure `flags(flow-control)` needs (a receiver
//! that stops reading stops the destination thread, the window fills, and
//! `fetch()` is no longer called).
//!
//! # Delivery and retries
//!
//! As in syslog-ng, a message is delivered once its frame was written to the
//! socket completely. `write()` renders frames into a pending buffer (sending
//! once it grows large), `flush()` sends the rest. When a step fails, the
//! sink returns the error and the pipeline retries the *whole* run of
//! batches later. The sink makes that retry exactly-once:
//!
//! - Frames written completely before the failure are dropped from the
//!   buffer; frames not (completely) written stay in it, in order.
//! - It remembers the first message of the failed run (by address and time
//!   stamps: the pipeline hands the same batch objects again) and how many
//!   of the run's messages it had already taken. When the retry starts with
//!   that message, those are skipped instead of rendered again; when a run
//!   starts with another message, the pipeline gave up on the old one (it
//!   counts them as lost), so the leftovers are discarded.
//! - When the connection broke, a frame that was only partly written is sent
//!   again whole on the next connection (syslog-ng does the same; the old
//!   peer saw a truncated frame). When a write made no progress for
//!   [`STALL_TIMEOUT`] the connection is kept and the retry continues at the
//!   exact byte where the write stopped.
//!
//! A broken or refused connection is retried after `time-reopen()`; until
//! then each attempt fails at once (without touching the network), so a
//! stopping logfetch is not held up by a dead peer. Before each send a TCP
//! connection is checked for an end-of-file from the peer (a receiver that
//! closed or half-closed), so logfetch does not write into a connection the
//! peer already left.

use crate::rerun::{RunProgress, RunStart};
use crate::tls::TlsOptions;
use logfetch_core::message::LogMessage;
use logfetch_core::seqnum::SequenceCounter;
use logfetch_core::sink::Sink;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

/// How long connecting to one address may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a TCP write may make no progress (a receiver that stopped
/// reading) before the sink reports it to the pipeline. The connection and
/// the position in the stream are kept; the pipeline retries.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Pending bytes after which `write()` already sends.
const HIGH_WATER: usize = 256 * 1024;

/// `transport()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP stream.
    Tcp,
    /// One UDP datagram per message.
    Udp,
    /// A TCP stream inside TLS (see [`crate::tls`]).
    Tls,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Tls => "tls",
        })
    }
}

/// `ip-protocol()`: which address family a host name may resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpProtocol {
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// Where a network destination sends, and the options of its connection.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// A host name or an IPv4/IPv6 literal (`::1` or `[::1]`).
    pub host: String,
    /// `port()`.
    pub port: u16,
    /// `transport()`.
    pub transport: Transport,
    /// `ip-protocol()`: restricts name resolution (any family when `None`).
    pub ip_protocol: Option<IpProtocol>,
    /// `time-reopen()`: wait before connecting again after a failure.
    pub time_reopen: Duration,
    /// `so-keepalive()`: TCP keepalive probes.
    pub keepalive: bool,
    /// `tls(...)`, used with `transport("tls")`.
    pub tls: TlsOptions,
}

impl Endpoint {
    /// An endpoint with syslog-ng's defaults (`time-reopen(60)`, no keepalive).
    pub fn new(host: &str, port: u16, transport: Transport) -> Self {
        Endpoint {
            host: host.to_owned(),
            port,
            transport,
            ip_protocol: None,
            time_reopen: Duration::from_secs(60),
            keepalive: false,
            tls: TlsOptions::new(),
        }
    }

    /// The host without IPv6 brackets.
    fn bare_host(&self) -> &str {
        let h = self.host.as_str();
        h.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(h)
    }

    /// `host:port` for messages.
    fn describe(&self) -> String {
        let host = self.bare_host();
        if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Seconds as syslog-ng shows them (`60`, or `0.5` when not whole).
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", d.as_secs())
    } else {
        format!("{s}")
    }
}

/// syslog-ng's way of naming a socket address: `AF_INET(127.0.0.1:514)`.
fn socket_name(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("AF_INET({a})"),
        SocketAddr::V6(a) => format!("AF_INET6({a})"),
    }
}

/// Turns one message into the bytes of one frame (a line, an octet-counted
/// record, or a datagram's payload).
pub(crate) trait Framer: Send {
    /// Appends the frame of `msg`, whose `$SEQNUM` here is `seq_num`, to `out`.
    fn frame(&mut self, msg: &LogMessage, seq_num: u32, out: &mut Vec<u8>);
    /// Whether frames show `$SEQNUM` (a template uses it).
    fn shows_seqnum(&self) -> bool;
}

enum Conn {
    Tcp(TcpStream),
    Udp(UdpSocket),
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::TlsStream>),
}

/// Why a send failed, and whether the connection is gone.
struct SendError {
    error: io::Error,
    broken: bool,
}

impl SendError {
    fn broken(error: io::Error) -> Self {
        SendError {
            error,
            broken: true,
        }
    }

    fn kept(error: io::Error) -> Self {
        SendError {
            error,
            broken: false,
        }
    }
}

/// A sink that sends framed messages to one endpoint.
pub(crate) struct NetSink<F> {
    framer: F,
    /// `$SEQNUM` of the messages sent here.
    sequence: SequenceCounter,
    endpoint: Endpoint,
    /// Declared before `runtime`, so it is dropped first.
    conn: Option<Conn>,
    runtime: tokio::runtime::Runtime,
    /// No connection attempt before this (set after a failure).
    reconnect_at: Option<Instant>,
    /// Frames rendered and not yet completely written, back to back.
    pending: Vec<u8>,
    /// End offset of each frame in `pending`.
    ends: VecDeque<usize>,
    /// Bytes at the start of `pending` already written on `conn`.
    written: usize,
    /// How far the current run of batches got (see [`RunProgress`]).
    progress: RunProgress,
    /// [`STALL_TIMEOUT`], shorter in tests.
    stall_timeout: Duration,
    /// The TLS client of `transport("tls")`.
    #[cfg(feature = "tls")]
    tls: Option<crate::tls::Client>,
}

impl<F: Framer> NetSink<F> {
    /// A sink for `endpoint`; it connects when it first has something to send.
    pub(crate) fn new(endpoint: Endpoint, framer: F) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        #[cfg(feature = "tls")]
        let tls = match endpoint.transport {
            Transport::Tls => Some(crate::tls::Client::new(
                &endpoint.tls,
                endpoint.bare_host(),
            )?),
            _ => None,
        };
        #[cfg(not(feature = "tls"))]
        if endpoint.transport == Transport::Tls {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this logfetch was built without TLS (cargo feature `tls`)",
            ));
        }
        Ok(NetSink {
            sequence: SequenceCounter::new(framer.shows_seqnum()),
            framer,
            endpoint,
            conn: None,
            runtime,
            reconnect_at: None,
            pending: Vec::with_capacity(64 * 1024),
            ends: VecDeque::new(),
            written: 0,
            progress: RunProgress::default(),
            stall_timeout: STALL_TIMEOUT,
            #[cfg(feature = "tls")]
            tls,
        })
    }

    /// Drops what a run the pipeline gave up on left behind.
    fn discard_pending(&mut self) {
        if self.written > 0 {
            // Half a frame is on the wire; the stream cannot continue.
            self.conn = None;
        }
        self.pending.clear();
        self.ends.clear();
        self.written = 0;
    }

    /// Drops the frames that were written completely.
    fn compact(&mut self) {
        let mut done = 0;
        while let Some(&end) = self.ends.front() {
            if end > self.written {
                break;
            }
            done = end;
            self.ends.pop_front();
        }
        if done > 0 {
            self.pending.drain(..done);
            for end in &mut self.ends {
                *end -= done;
            }
            self.written -= done;
        }
    }

    /// Records a failure so that the pipeline's retry resends exactly what
    /// was not delivered; returns the error for the pipeline.
    fn failed(&mut self, err: SendError) -> io::Error {
        self.compact();
        if err.broken {
            if self.conn.take().is_some() {
                tracing::error!(
                    server = self.endpoint.describe().as_str(),
                    error = %err.error,
                    time_reopen = seconds(self.endpoint.time_reopen).as_str(),
                    "Connection broken"
                );
            }
            self.written = 0;
            self.reconnect_at = Some(Instant::now() + self.endpoint.time_reopen);
        }
        self.progress.fail();
        err.error
    }

    fn ensure_connected(&mut self) -> Result<(), SendError> {
        if self.conn.is_some() {
            return Ok(());
        }
        if let Some(at) = self.reconnect_at {
            let now = Instant::now();
            if now < at {
                return Err(SendError::kept(io::Error::new(
                    io::ErrorKind::NotConnected,
                    format!(
                        "not connected to {}, reconnecting in {:.1}s",
                        self.endpoint.describe(),
                        (at - now).as_secs_f64()
                    ),
                )));
            }
        }
        match self
            .runtime
            .block_on(connect(&self.endpoint))
            .and_then(|(conn, server, local)| Ok((self.secure(conn)?, server, local)))
        {
            Ok((conn, server, local)) => {
                tracing::info!(
                    server = socket_name(&server).as_str(),
                    local = socket_name(&local).as_str(),
                    transport = %self.endpoint.transport,
                    "Syslog connection established"
                );
                self.conn = Some(conn);
                self.reconnect_at = None;
                Ok(())
            }
            Err(error) => {
                tracing::error!(
                    server = self.endpoint.describe().as_str(),
                    error = %error,
                    time_reopen = seconds(self.endpoint.time_reopen).as_str(),
                    "Syslog connection failed"
                );
                self.reconnect_at = Some(Instant::now() + self.endpoint.time_reopen);
                Err(SendError::kept(error))
            }
        }
    }

    /// Runs the TLS handshake on a new TCP connection of `transport("tls")`.
    #[cfg(feature = "tls")]
    fn secure(&self, conn: Conn) -> io::Result<Conn> {
        match (&self.tls, conn) {
            (Some(client), Conn::Tcp(stream)) => {
                let stream =
                    client.handshake(stream.into_std()?, CONNECT_TIMEOUT, self.stall_timeout)?;
                Ok(Conn::Tls(Box::new(stream)))
            }
            (_, conn) => Ok(conn),
        }
    }

    #[cfg(not(feature = "tls"))]
    fn secure(&self, conn: Conn) -> io::Result<Conn> {
        Ok(conn)
    }

    /// Writes every pending frame.
    fn send(&mut self) -> Result<(), SendError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.ensure_connected()?;
        let NetSink {
            conn,
            runtime,
            pending,
            ends,
            written,
            stall_timeout,
            ..
        } = self;
        match conn.as_mut().expect("connected above") {
            Conn::Tcp(stream) => {
                if let Some(error) = peer_gone(stream.as_raw_fd()) {
                    return Err(SendError::broken(error));
                }
                runtime.block_on(write_stream(stream, pending, written, *stall_timeout))?;
            }
            Conn::Udp(socket) => {
                runtime.block_on(send_datagrams(socket, pending, ends, written))?;
            }
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => {
                if let Some(error) = peer_gone(stream.sock.as_raw_fd()) {
                    return Err(SendError::broken(error));
                }
                write_tls(stream, pending, written)?;
            }
        }
        self.pending.clear();
        self.ends.clear();
        self.written = 0;
        Ok(())
    }
}

impl<F: Framer> Sink for NetSink<F> {
    fn write(&mut self, messages: &[LogMessage]) -> io::Result<()> {
        for msg in messages {
            let (start, take) = self.progress.admit(msg);
            if start == RunStart::Abandoned {
                self.discard_pending();
            }
            if !take {
                continue;
            }
            let seq_num = self.sequence.number_for(msg);
            self.framer.frame(msg, seq_num, &mut self.pending);
            self.ends.push_back(self.pending.len());
            if self.pending.len() >= HIGH_WATER {
                self.send().map_err(|e| self.failed(e))?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.send() {
            Ok(()) => {
                self.progress.complete();
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}

/// Resolves the endpoint and connects to the first address that accepts;
/// returns the connection, the peer and the local address.
async fn connect(endpoint: &Endpoint) -> io::Result<(Conn, SocketAddr, SocketAddr)> {
    let family_ok = |a: &SocketAddr| match endpoint.ip_protocol {
        Some(IpProtocol::V4) => a.is_ipv4(),
        Some(IpProtocol::V6) => a.is_ipv6(),
        None => true,
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((endpoint.bare_host(), endpoint.port))
        .await?
        .filter(family_ok)
        .collect();
    let mut last = io::Error::new(
        io::ErrorKind::NotFound,
        format!("no address found for {}", endpoint.bare_host()),
    );
    for addr in addrs {
        let attempt = async {
            match endpoint.transport {
                Transport::Tcp | Transport::Tls => {
                    let socket = if addr.is_ipv4() {
                        TcpSocket::new_v4()?
                    } else {
                        TcpSocket::new_v6()?
                    };
                    socket.set_keepalive(endpoint.keepalive)?;
                    let stream = socket.connect(addr).await?;
                    let local = stream.local_addr()?;
                    Ok((Conn::Tcp(stream), local))
                }
                Transport::Udp => {
                    let any: SocketAddr = if addr.is_ipv4() {
                        "0.0.0.0:0".parse().expect("valid address")
                    } else {
                        "[::]:0".parse().expect("valid address")
                    };
                    let socket = UdpSocket::bind(any).await?;
                    socket.connect(addr).await?;
                    let local = socket.local_addr()?;
                    Ok((Conn::Udp(socket), local))
                }
            }
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
            Ok(Ok((conn, local))) => return Ok((conn, addr, local)),
            Ok(Err(e)) => last = e,
            Err(_) => {
                last = io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("connecting to {addr} timed out"),
                )
            }
        }
    }
    Err(last)
}

/// Writes `pending[*written..]`, advancing `written` as bytes go out.
async fn write_stream(
    stream: &TcpStream,
    pending: &[u8],
    written: &mut usize,
    stall_timeout: Duration,
) -> Result<(), SendError> {
    // Written through readiness, so that `written` is exact at any failure.
    while *written < pending.len() {
        let ready = tokio::time::timeout(stall_timeout, stream.writable()).await;
        match ready {
            Err(_) => {
                return Err(SendError::kept(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the receiver took nothing for {:.1}s; will continue",
                        stall_timeout.as_secs_f64()
                    ),
                )));
            }
            Ok(Err(e)) => return Err(SendError::broken(e)),
            Ok(Ok(())) => {}
        }
        match stream.try_write(&pending[*written..]) {
            Ok(0) => return Err(SendError::broken(io::ErrorKind::WriteZero.into())),
            Ok(n) => *written += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(SendError::broken(e)),
        }
    }
    Ok(())
}

/// Writes `pending[*written..]` through TLS. Any failure breaks the
/// connection; the frames not yet counted go again on the next one.
#[cfg(feature = "tls")]
fn write_tls(
    stream: &mut crate::tls::TlsStream,
    pending: &[u8],
    written: &mut usize,
) -> Result<(), SendError> {
    use std::io::Write;
    stream
        .write_all(&pending[*written..])
        .and_then(|()| stream.flush())
        .map_err(SendError::broken)?;
    *written = pending.len();
    Ok(())
}

/// Sends each pending frame as one datagram.
async fn send_datagrams(
    socket: &UdpSocket,
    pending: &[u8],
    ends: &mut VecDeque<usize>,
    written: &mut usize,
) -> Result<(), SendError> {
    while let Some(&end) = ends.front() {
        let datagram = &pending[*written..end];
        let mut result = socket.send(datagram).await;
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::ConnectionRefused) {
            // The ICMP error of an earlier datagram; this one was not sent yet.
            result = socket.send(datagram).await;
        }
        match result {
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                tracing::error!(
                    size = datagram.len(),
                    error = %e,
                    "Message does not fit into a datagram, dropping it"
                );
            }
            Err(e) => return Err(SendError::broken(e)),
        }
        *written = end;
        ends.pop_front();
    }
    Ok(())
}

/// Whether the peer closed (or reset) the connection; data it sent is read
/// and discarded (syslog receivers send nothing).
fn peer_gone(fd: std::os::fd::RawFd) -> Option<io::Error> {
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: recv(2) into a buffer we own, on a descriptor the stream
        // keeps open for the duration of the call; MSG_DONTWAIT never blocks.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
        match n {
            0 => {
                return Some(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "connection closed by peer",
                ));
            }
            n if n > 0 => continue,
            _ => {
                let err = io::Error::last_os_error();
                return match err.kind() {
                    io::ErrorKind::WouldBlock => None,
                    io::ErrorKind::Interrupted => continue,
                    _ => Some(err),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::net::{TcpListener, UdpSocket as StdUdp};
    use std::thread;

    /// Frames a message as its MESSAGE and a newline.
    struct Lines;

    impl Framer for Lines {
        fn shows_seqnum(&self) -> bool {
            false
        }

        fn frame(&mut self, msg: &LogMessage, _seq_num: u32, out: &mut Vec<u8>) {
            let mut scratch = Vec::new();
            out.extend_from_slice(msg.text("MESSAGE", &mut scratch));
            out.push(b'\n');
        }
    }

    fn messages(range: std::ops::Range<usize>) -> Vec<LogMessage> {
        range
            .map(|i| LogMessage::with_message(format!("message {i:05}")))
            .collect()
    }

    /// A local TCP port nobody listens on (until a test binds it).
    fn closed_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    fn sink(port: u16, transport: Transport, host: &str) -> NetSink<Lines> {
        let mut endpoint = Endpoint::new(host, port, transport);
        endpoint.time_reopen = Duration::from_millis(200);
        NetSink::new(endpoint, Lines).unwrap()
    }

    /// What the pipeline does: write the run, flush, and on error retry the
    /// whole run after a pause, until it goes through.
    fn deliver(sink: &mut NetSink<Lines>, run: &[&[LogMessage]]) -> usize {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = run
                .iter()
                .try_for_each(|batch| sink.write(batch))
                .and_then(|()| sink.flush());
            match result {
                Ok(()) => return attempts,
                Err(_) => thread::sleep(Duration::from_millis(100)),
            }
            assert!(attempts < 100, "never delivered");
        }
    }

    fn expected(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("message {i:05}")).collect()
    }

    #[test]
    fn tcp_lines_arrive_in_order_on_ipv4_and_ipv6() {
        for host in ["127.0.0.1", "::1", "[::1]", "localhost"] {
            let bind = if host.contains(':') {
                "[::1]:0"
            } else {
                "127.0.0.1:0"
            };
            let listener = TcpListener::bind(bind).unwrap();
            let port = listener.local_addr().unwrap().port();
            let reader = thread::spawn(move || {
                let (conn, _) = listener.accept().unwrap();
                BufReader::new(conn)
                    .lines()
                    .map(Result::unwrap)
                    .collect::<Vec<_>>()
            });
            let mut sink = sink(port, Transport::Tcp, host);
            let batch = messages(0..10);
            assert_eq!(deliver(&mut sink, &[&batch[..4], &batch[4..]]), 1);
            drop(sink);
            assert_eq!(reader.join().unwrap(), expected(0..10), "{host}");
        }
    }

    #[test]
    fn udp_sends_one_datagram_per_message() {
        let socket = StdUdp::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let mut sink = sink(port, Transport::Udp, "127.0.0.1");
        let batch = messages(0..3);
        deliver(&mut sink, &[&batch]);
        let mut buf = [0u8; 100];
        for want in expected(0..3) {
            let n = socket.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], format!("{want}\n").as_bytes());
        }
    }

    #[test]
    fn refused_connection_is_retried_after_time_reopen_without_duplicates() {
        // Leave the port closed for the first attempts.
        let port = closed_port();
        let mut sink = sink(port, Transport::Tcp, "127.0.0.1");
        let batch = messages(0..5);
        assert!(sink.write(&batch).and_then(|()| sink.flush()).is_err());
        // Within time-reopen the sink does not even try.
        let err = sink.write(&batch).and_then(|()| sink.flush()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotConnected, "{err}");
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let reader = thread::spawn(move || {
            let (conn, _) = listener.accept().unwrap();
            BufReader::new(conn)
                .lines()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        });
        deliver(&mut sink, &[&batch]);
        drop(sink);
        assert_eq!(reader.join().unwrap(), expected(0..5));
    }

    #[test]
    fn a_receiver_that_closes_gets_nothing_twice_and_loses_nothing() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reader = thread::spawn(move || {
            let mut lines = Vec::new();
            for _ in 0..2 {
                // Read one run, then leave: half-close and drain to EOF, as a
                // receiver that shuts down cleanly does.
                let (conn, _) = listener.accept().unwrap();
                let mut r = BufReader::new(conn);
                for _ in 0..5 {
                    let mut line = String::new();
                    r.read_line(&mut line).unwrap();
                    lines.push(line.trim_end().to_owned());
                }
                r.get_ref().shutdown(std::net::Shutdown::Write).unwrap();
                let mut rest = String::new();
                r.read_to_string(&mut rest).unwrap();
                lines.extend(rest.lines().map(str::to_owned));
            }
            lines
        });
        let mut sink = sink(port, Transport::Tcp, "127.0.0.1");
        let first = messages(0..5);
        deliver(&mut sink, &[&first]);
        // Let the receiver's FIN arrive; the next run must not go into the
        // closed connection but to a new one, after time-reopen.
        thread::sleep(Duration::from_millis(200));
        let second = messages(5..10);
        assert!(deliver(&mut sink, &[&second[..2], &second[2..]]) > 1);
        drop(sink);
        assert_eq!(reader.join().unwrap(), expected(0..10));
    }

    #[test]
    fn a_stalled_receiver_resumes_at_the_exact_byte() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let reader = thread::spawn(move || {
            let (conn, _) = listener.accept().unwrap();
            conn.set_nonblocking(false).unwrap();
            wait.recv().unwrap();
            BufReader::new(conn)
                .lines()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        });
        let mut sink = sink(port, Transport::Tcp, "127.0.0.1");
        sink.stall_timeout = Duration::from_millis(300);
        // Far more than the socket buffers hold (32 MiB).
        let pad = "x".repeat(1024);
        let text = |i: usize| format!("message {i:05} {pad}");
        let batch: Vec<LogMessage> = (0..32 * 1024)
            .map(|i| LogMessage::with_message(text(i)))
            .collect();
        let result = sink.write(&batch).and_then(|()| sink.flush());
        let err = result.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        go.send(()).unwrap();
        deliver(&mut sink, &[&batch]);
        drop(sink);
        let got = reader.join().unwrap();
        assert_eq!(got.len(), batch.len());
        assert!(got.iter().enumerate().all(|(i, line)| *line == text(i)));
    }

    #[test]
    fn leftovers_of_an_abandoned_run_are_not_sent() {
        let port = closed_port();
        let mut sink = sink(port, Transport::Tcp, "127.0.0.1");
        let given_up = messages(0..3);
        assert!(sink.write(&given_up).and_then(|()| sink.flush()).is_err());
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let reader = thread::spawn(move || {
            let (conn, _) = listener.accept().unwrap();
            BufReader::new(conn)
                .lines()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        });
        // The pipeline moved on to another run.
        let next = messages(3..6);
        deliver(&mut sink, &[&next]);
        drop(sink);
        assert_eq!(reader.join().unwrap(), expected(3..6));
    }
}
