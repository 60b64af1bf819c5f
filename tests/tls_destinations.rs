//! Conformance: `network()` and `syslog()` with `transport("tls")` deliver
//! through TLS exactly the bytes syslog-ng 3.38 sends over TCP, verify the
//! server as `peer-verify()` says, and send nothing to a server they cannot
//! trust.

#![cfg(feature = "tls")]

mod common;

use common::{Launch, fixtures, golden};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{ErrorKind, Read};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A TLS server with a test certificate (`tests/fixtures/tls/server.pem`, for
/// `localhost` and 127.0.0.1, issued by `ca.pem`; or `cert.pem`, self-signed
/// and marked as a CA, as `openssl req -x509` makes them), optionally
/// requiring a client certificate (`client.pem`, issued by `ca.pem`), that keeps what one client sends
/// (decrypted), and whether any handshake failed.
struct Server {
    port: u16,
    received: Arc<Mutex<Vec<u8>>>,
    handshake_failed: Arc<Mutex<bool>>,
    /// The host name the last client sent (SNI).
    sni: Arc<Mutex<Option<String>>>,
    /// The TLS version of the last connection.
    version: Arc<Mutex<Option<rustls::ProtocolVersion>>>,
    thread: JoinHandle<()>,
}

/// A server configuration with certificate `cert` and key `key` of
/// `tests/fixtures/tls`; with `client_ca`, clients must present a
/// certificate issued by it.
fn server_config(cert: &str, key: &str, client_ca: Option<&str>) -> Arc<rustls::ServerConfig> {
    let tls = fixtures().join("tls");
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(tls.join(cert))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(tls.join(key)).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(tls.join(ca)).unwrap() {
                roots.add(cert.unwrap()).unwrap();
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    Arc::new(builder.with_single_cert(certs, key).unwrap())
}

/// Serves connections with certificate `cert` until `stop` is set; keeps the
/// bytes of every connection whose handshake succeeded.
fn serve(stop: Arc<Mutex<bool>>, cert: &str, key: &str, client_ca: Option<&str>) -> Server {
    serve_on("127.0.0.1", stop, cert, key, client_ca)
}

/// [`serve`] on address `ip` (another loopback address: a name the
/// certificate does not hold).
fn serve_on(
    ip: &str,
    stop: Arc<Mutex<bool>>,
    cert: &str,
    key: &str,
    client_ca: Option<&str>,
) -> Server {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let handshake_failed = Arc::new(Mutex::new(false));
    let sni = Arc::new(Mutex::new(None));
    let version = Arc::new(Mutex::new(None));
    let (sink, failed, sni_seen, version_seen) = (
        received.clone(),
        handshake_failed.clone(),
        sni.clone(),
        version.clone(),
    );
    let config = server_config(cert, key, client_ca);
    let thread = std::thread::spawn(move || {
        while !*stop.lock().unwrap() {
            let socket = match listener.accept() {
                Ok((socket, _)) => socket,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => panic!("accept: {e}"),
            };
            socket.set_nonblocking(false).unwrap();
            socket
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, socket);
            let mut buf = [0u8; 4096];
            loop {
                match tls.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        *sni_seen.lock().unwrap() = tls.conn.server_name().map(str::to_owned);
                        *version_seen.lock().unwrap() = tls.conn.protocol_version();
                        sink.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        if *stop.lock().unwrap() {
                            break;
                        }
                    }
                    Err(_) => {
                        if tls.conn.is_handshaking() {
                            *failed.lock().unwrap() = true;
                        }
                        break;
                    }
                }
            }
        }
    });
    Server {
        port,
        received,
        handshake_failed,
        sni,
        version,
        thread,
    }
}

conformance! {
    fn tls_destinations_send_what_syslog_ng_sends_over_tcp(backend) {
        let stop = Arc::new(Mutex::new(false));
        let syslog = serve(stop.clone(), "server.pem", "server-key.pem", None);
        let network = serve(stop.clone(), "server.pem", "server-key.pem", None);
        let untrusted = serve(stop.clone(), "server.pem", "server-key.pem", None);
        let self_signed = serve(stop.clone(), "cert.pem", "key.pem", None);
        let mutual = serve(stop.clone(), "server.pem", "server-key.pem", Some("ca.pem"));
        let tls12 = serve(stop.clone(), "server.pem", "server-key.pem", None);
        let other_name = serve_on("127.0.0.2", stop.clone(), "server.pem", "server-key.pem", None);
        let other_name_ignored =
            serve_on("127.0.0.2", stop.clone(), "server.pem", "server-key.pem", None);
        let mut run = Launch::config("tls_destinations.conf", backend)
            .env("TLS_DIR", fixtures().join("tls").to_str().unwrap())
            .env("TLS_SYSLOG_PORT", &syslog.port.to_string())
            .env("TLS_NETWORK_PORT", &network.port.to_string())
            .env("TLS_UNTRUSTED_PORT", &untrusted.port.to_string())
            .env("TLS_SELF_SIGNED_PORT", &self_signed.port.to_string())
            .env("TLS_MUTUAL_PORT", &mutual.port.to_string())
            .env("TLS_12_PORT", &tls12.port.to_string())
            .env("TLS_OTHER_NAME_PORT", &other_name.port.to_string())
            .env("TLS_OTHER_NAME_IGNORED_PORT", &other_name_ignored.port.to_string())
            .start();
        let (want_syslog, want_network) = (golden("syslog-tcp"), golden("network-tcp"));
        // Each server that must get the golden bytes, what it expects, and
        // which case it is.
        let delivering = [
            (&syslog, &want_syslog, "syslog() over TLS"),
            (&network, &want_network, "network() over TLS with peer-verify(optional-untrusted)"),
            (&self_signed, &want_syslog, "syslog() to a self-signed server given as ca-file()"),
            (&mutual, &want_syslog, "syslog() with a client certificate (cert-file, key-file)"),
            (&tls12, &want_syslog, "syslog() with ssl-options(no-tlsv13)"),
            (&other_name_ignored, &want_syslog, "syslog() with ssl-options(ignore-hostname-mismatch)"),
        ];
        run.wait_for(Duration::from_secs(30), |_| {
            delivering
                .iter()
                .all(|(server, want, _)| server.received.lock().unwrap().len() >= want.len())
                && *other_name.handshake_failed.lock().unwrap()
                && *untrusted.handshake_failed.lock().unwrap()
        });
        std::thread::sleep(Duration::from_millis(300));
        let (code, _) = run.stop();
        *stop.lock().unwrap() = true;
        for server in [
            &syslog,
            &network,
            &untrusted,
            &self_signed,
            &mutual,
            &tls12,
            &other_name,
            &other_name_ignored,
        ] {
            while !server.thread.is_finished() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let stderr = run.stderr();
        assert_eq!(code, Some(0), "stderr:\n{stderr}");
        for (server, want, what) in &delivering {
            assert_eq!(
                String::from_utf8_lossy(&server.received.lock().unwrap()),
                String::from_utf8_lossy(want),
                "{what}; stderr:\n{stderr}"
            );
        }
        assert_eq!(syslog.sni.lock().unwrap().as_deref(), Some("localhost"));
        assert_eq!(*mutual.sni.lock().unwrap(), None, "sni(no)");
        assert_eq!(*tls12.version.lock().unwrap(), Some(rustls::ProtocolVersion::TLSv1_2));
        assert_eq!(*syslog.version.lock().unwrap(), Some(rustls::ProtocolVersion::TLSv1_3));
        assert!(other_name.received.lock().unwrap().is_empty());
        assert!(
            stderr.contains("certificate not valid for name \"127.0.0.2\""),
            "a certificate that does not name the host is refused; stderr:\n{stderr}"
        );
        assert!(untrusted.received.lock().unwrap().is_empty());
        assert!(*untrusted.handshake_failed.lock().unwrap(), "stderr:\n{stderr}");
        assert!(
            stderr.contains("Syslog connection failed") && stderr.contains("UnknownIssuer"),
            "the refused certificate is reported; stderr:\n{stderr}"
        );
    }

    fn an_unreadable_ca_file_stops_startup_and_names_the_destination(backend) {
        let mut run = Launch::config("tls_missing_ca.conf", backend).start();
        let code = run.wait_exit(Duration::from_secs(15));
        let stderr = run.stderr();
        assert_eq!(code, Some(2), "stderr:\n{stderr}");
        assert!(
            stderr.contains("Error initializing message pipeline; error='destination d_tls#0: tls(): \"")
                && stderr.contains("no-such-ca.pem\": I/O error: No such file or directory"),
            "stderr:\n{stderr}"
        );
    }
}
