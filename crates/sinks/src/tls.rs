//! `transport("tls")` with `tls(...)` for `network()` and `syslog()`: the
//! client side of a TLS connection, on rustls.
//!
//! What the options mean follows syslog-ng:
//!
//! - `ca-file()` / `ca-dir()`: the certificates the server's chain must lead
//!   to (a PEM bundle / a directory of PEM files); as with OpenSSL, a server
//!   certificate given there is trusted as it is (self-signed servers).
//!   Without either, the system's store (`/etc/ssl/certs`, or
//!   `SSL_CERT_FILE`/`SSL_CERT_DIR`).
//! - `peer-verify()`: `required-trusted` (default) and `optional-trusted`
//!   check the chain and that the certificate names the host;
//!   `required-untrusted` and `optional-untrusted` accept any certificate.
//! - `cert-file()` + `key-file()`: the client's own certificate, for servers
//!   that require one.
//! - `sni(no)`: do not send the host name in the handshake.
//! - `ssl-options()`: `no-tlsv12` / `no-tlsv13` leave one version (only
//!   TLS 1.2 and 1.3 exist here); `ignore-hostname-mismatch` accepts a
//!   trusted certificate that does not name the host.
//!
//! A frame counts as delivered once the TLS records that carry it were
//! written to the socket. When a TLS send fails the connection is dropped
//! and the frames of that send go again whole on the next connection: they
//! may arrive twice, never not at all.

use std::path::PathBuf;

/// Whether this build has TLS (cargo feature `tls`).
pub const AVAILABLE: bool = cfg!(feature = "tls");

/// `peer-verify()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PeerVerify {
    /// The chain must lead to a trusted certificate and name the host.
    #[default]
    RequiredTrusted,
    /// As `RequiredTrusted` (a TLS server always presents a certificate).
    OptionalTrusted,
    /// Any certificate is accepted.
    RequiredUntrusted,
    /// Any certificate is accepted.
    OptionalUntrusted,
}

impl PeerVerify {
    /// The option's values, as the configuration spells them.
    pub const NAMES: &[&str] = &[
        "required-trusted",
        "optional-trusted",
        "required-untrusted",
        "optional-untrusted",
    ];

    /// Reads a value of `peer-verify()` (`yes` and `no` as in AxoSyslog).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().replace('_', "-").as_str() {
            "required-trusted" | "yes" => PeerVerify::RequiredTrusted,
            "optional-trusted" => PeerVerify::OptionalTrusted,
            "required-untrusted" => PeerVerify::RequiredUntrusted,
            "optional-untrusted" | "no" => PeerVerify::OptionalUntrusted,
            _ => return None,
        })
    }

    /// Whether the server's chain and name are checked.
    pub fn checks_chain(self) -> bool {
        matches!(
            self,
            PeerVerify::RequiredTrusted | PeerVerify::OptionalTrusted
        )
    }
}

/// The options of `tls(...)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// `ca-file()`.
    pub ca_file: Option<PathBuf>,
    /// `ca-dir()`.
    pub ca_dir: Option<PathBuf>,
    /// `cert-file()`.
    pub cert_file: Option<PathBuf>,
    /// `key-file()`.
    pub key_file: Option<PathBuf>,
    /// `peer-verify()`.
    pub peer_verify: PeerVerify,
    /// `sni()`: send the host name (default yes).
    pub sni: bool,
    /// `ssl-options(no-tlsv12)`: TLS 1.3 only.
    pub no_tls12: bool,
    /// `ssl-options(no-tlsv13)`: TLS 1.2 only.
    pub no_tls13: bool,
    /// `ssl-options(ignore-hostname-mismatch)`: a trusted certificate need
    /// not name the host.
    pub ignore_hostname_mismatch: bool,
}

/// The values of `ssl-options()`. Protocols older than TLS 1.2 are never
/// offered, so disabling them changes nothing; `ignore-unexpected-eof` is
/// about reading, which a destination does not do.
pub const SSL_OPTIONS: &[&str] = &[
    "none",
    "no-sslv2",
    "no-sslv3",
    "no-tlsv1",
    "no-tlsv11",
    "no-tlsv12",
    "no-tlsv13",
    "ignore-unexpected-eof",
    "ignore-hostname-mismatch",
];

impl TlsOptions {
    /// syslog-ng's defaults: verify the server against the system's store.
    pub fn new() -> Self {
        TlsOptions {
            sni: true,
            ..Default::default()
        }
    }

    /// Applies one value of `ssl-options()`; false for an unknown one.
    pub fn apply_ssl_option(&mut self, option: &str) -> bool {
        match option.to_ascii_lowercase().replace('_', "-").as_str() {
            "no-tlsv12" => self.no_tls12 = true,
            "no-tlsv13" => self.no_tls13 = true,
            "ignore-hostname-mismatch" => self.ignore_hostname_mismatch = true,
            other => return SSL_OPTIONS.contains(&other),
        }
        true
    }
}

#[cfg(feature = "tls")]
pub(crate) use enabled::{Client, TlsStream};

#[cfg(feature = "tls")]
mod enabled {
    use super::TlsOptions;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::client::{
        WebPkiServerVerifier, verify_server_cert_signed_by_trust_anchor, verify_server_name,
    };
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::server::ParsedCertificate;
    use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore};
    use std::io;
    use std::net::TcpStream;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    fn invalid(text: String) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, text)
    }

    /// A TLS connection over a blocking TCP socket.
    pub(crate) type TlsStream = rustls::StreamOwned<ClientConnection, TcpStream>;

    /// The client side of one destination's TLS: its rustls configuration
    /// and the name it verifies.
    pub(crate) struct Client {
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
    }

    impl Client {
        /// Reads the certificates and keys `options` name, for `host`.
        pub(crate) fn new(options: &TlsOptions, host: &str) -> io::Result<Self> {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let versions: Vec<&'static rustls::SupportedProtocolVersion> = [
                (options.no_tls13, &rustls::version::TLS13),
                (options.no_tls12, &rustls::version::TLS12),
            ]
            .into_iter()
            .filter(|(disabled, _)| !disabled)
            .map(|(_, version)| version)
            .collect();
            if versions.is_empty() {
                return Err(invalid(
                    "tls(): ssl-options() disables both TLS 1.2 and TLS 1.3".to_owned(),
                ));
            }
            let builder = ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&versions)
                .map_err(|e| invalid(format!("tls(): {e}")))?;
            let trust = if options.peer_verify.checks_chain() {
                let (roots, configured) = trusted_roots(options)?;
                let roots = Arc::new(roots);
                let chain =
                    WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
                        .build()
                        .map_err(|e| invalid(format!("tls(): {e}")))?;
                Some(Trust {
                    chain,
                    roots,
                    configured,
                    check_name: !options.ignore_hostname_mismatch,
                })
            } else {
                None
            };
            let builder = builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ServerCheck { trust, provider }));
            let mut config = match (&options.cert_file, &options.key_file) {
                (Some(cert), Some(key)) => builder
                    .with_client_auth_cert(certificates(cert)?, private_key(key)?)
                    .map_err(|e| invalid(format!("tls(): cert-file() and key-file(): {e}")))?,
                (None, None) => builder.with_no_client_auth(),
                _ => {
                    return Err(invalid(
                        "tls(): cert-file() and key-file() go together".to_owned(),
                    ));
                }
            };
            config.enable_sni = options.sni;
            let server_name = ServerName::try_from(host.to_owned())
                .map_err(|e| invalid(format!("tls(): {host:?} is not a host name: {e}")))?;
            Ok(Client {
                config: Arc::new(config),
                server_name,
            })
        }

        /// Runs the handshake on a connected socket, waiting at most
        /// `timeout` for the server; later writes give up after `stall`.
        pub(crate) fn handshake(
            &self,
            socket: TcpStream,
            timeout: Duration,
            stall: Duration,
        ) -> io::Result<TlsStream> {
            socket.set_nonblocking(false)?;
            socket.set_read_timeout(Some(timeout))?;
            socket.set_write_timeout(Some(timeout))?;
            let conn = ClientConnection::new(self.config.clone(), self.server_name.clone())
                .map_err(io::Error::other)?;
            let mut stream = rustls::StreamOwned::new(conn, socket);
            while stream.conn.is_handshaking() {
                stream.conn.complete_io(&mut stream.sock)?;
            }
            stream.sock.set_write_timeout(Some(stall))?;
            Ok(stream)
        }
    }

    /// The trust anchors: `ca-file()` and `ca-dir()` (also returned as
    /// they were read), or the system's store without either.
    fn trusted_roots(
        options: &TlsOptions,
    ) -> io::Result<(RootCertStore, Vec<CertificateDer<'static>>)> {
        let mut roots = RootCertStore::empty();
        if options.ca_file.is_none() && options.ca_dir.is_none() {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err(invalid(
                    "tls(): no ca-file() or ca-dir(), and the system has no CA certificates"
                        .to_owned(),
                ));
            }
            return Ok((roots, Vec::new()));
        }
        let mut configured = Vec::new();
        if let Some(file) = &options.ca_file {
            configured.extend(certificates(file)?);
        }
        if let Some(dir) = &options.ca_dir {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| invalid(format!("tls(): ca-dir(\"{}\"): {e}", dir.display())))?;
            for entry in entries.flatten() {
                // Hash links, CRLs and other files that hold no certificate
                // are skipped, as OpenSSL's lookup skips them.
                if let Ok(certs) = certificates(&entry.path()) {
                    configured.extend(certs);
                }
            }
        }
        roots.add_parsable_certificates(configured.iter().cloned());
        Ok((roots, configured))
    }

    /// The PEM certificates in `path` (at least one).
    fn certificates(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| invalid(format!("tls(): \"{}\": {e}", path.display())))?;
        if certs.is_empty() {
            return Err(invalid(format!(
                "tls(): \"{}\" holds no PEM certificate",
                path.display()
            )));
        }
        Ok(certs)
    }

    fn private_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
        PrivateKeyDer::from_pem_file(path)
            .map_err(|e| invalid(format!("tls(): key-file(\"{}\"): {e}", path.display())))
    }

    /// How the server's certificate is checked.
    #[derive(Debug)]
    struct ServerCheck {
        /// `None` for `peer-verify(*-untrusted)`: any certificate. The
        /// handshake's signatures are checked either way.
        trust: Option<Trust>,
        provider: Arc<CryptoProvider>,
    }

    /// `peer-verify(*-trusted)`: the server's chain must lead to a trust
    /// anchor and its certificate must name the host. As with OpenSSL, a
    /// certificate given in `ca-file()`/`ca-dir()` is trusted as it is: a
    /// self-signed server certificate (often marked as a CA, which webpki
    /// refuses as a server's own) works when the client is given it.
    #[derive(Debug)]
    struct Trust {
        chain: Arc<WebPkiServerVerifier>,
        roots: Arc<RootCertStore>,
        /// The certificates of `ca-file()` and `ca-dir()`.
        configured: Vec<CertificateDer<'static>>,
        /// False with `ssl-options(ignore-hostname-mismatch)`.
        check_name: bool,
    }

    impl ServerCertVerifier for ServerCheck {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            intermediates: &[CertificateDer<'_>],
            server_name: &ServerName<'_>,
            ocsp_response: &[u8],
            now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            let Some(trust) = &self.trust else {
                return Ok(ServerCertVerified::assertion());
            };
            let cert = ParsedCertificate::try_from(end_entity)?;
            if trust.configured.iter().any(|c| c == end_entity) {
                // Trusted as it is; only its name is checked.
            } else if trust.check_name {
                return trust.chain.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                );
            } else {
                verify_server_cert_signed_by_trust_anchor(
                    &cert,
                    &trust.roots,
                    intermediates,
                    now,
                    self.provider.signature_verification_algorithms.all,
                )?;
            }
            if trust.check_name {
                verify_server_name(&cert, server_name)?;
            }
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }
}
