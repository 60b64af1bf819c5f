//! Destination drivers: `file()`, `stdout()`, `network()` and `syslog()`.

use super::options::GlobalOptions;
use super::options::apply_perm;
use super::unknown_option;
use crate::ast::{Arg, Call, Scalar};
use crate::error::{ConfigError, Location};
use crate::parser::keyword;
use crate::values;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::template::{LEGACY_FILE_FORMAT, Template, TemplateOptions};
use logfetch_sinks::file_perms::Ownership;
use logfetch_sinks::{
    Endpoint, FileConfig, IpProtocol, NetworkConfig, PeerVerify, StdoutConfig, SyslogConfig,
    TlsOptions, Transport,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Destination drivers logfetch has.
pub const DRIVER_NAMES: &[&str] = &[
    "file", "stdout", "network", "syslog", "tcp", "udp", "tcp6", "udp6",
];

/// Options every destination driver takes.
const COMMON_OPTIONS: &[&str] = &[
    "template",
    "template-escape",
    "ts-format",
    "frac-digits",
    "time-zone",
    "send-time-zone",
    "flush-lines",
    "log-fifo-size",
    "persist-name",
];
/// What `file()` takes besides [`COMMON_OPTIONS`].
const FILE_OPTIONS: &[&str] = &[
    "create-dirs",
    "fsync",
    "perm",
    "owner",
    "group",
    "dir-perm",
    "dir-owner",
    "dir-group",
    "time-reopen",
];
/// What the legacy `tcp()`, `udp()`, `tcp6()` and `udp6()` drivers
/// (`network()` with the transport and IP version in the name) take
/// besides [`COMMON_OPTIONS`]. `flush-lines()` is accepted for
/// compatibility; network destinations send at the end of every run of
/// batches anyway.
const LEGACY_NETWORK_OPTIONS: &[&str] = &["port", "time-reopen", "so-keepalive"];
/// What `network()` and `syslog()` take besides [`COMMON_OPTIONS`].
const NETWORK_OPTIONS: &[&str] = &[
    "port",
    "time-reopen",
    "so-keepalive",
    "transport",
    "ip-protocol",
    "tls",
];
const TRANSPORTS: &[&str] = &["tcp", "udp", "tls"];
/// Options inside `tls(...)`.
const TLS_OPTIONS: &[&str] = &[
    "ca-dir",
    "ca-file",
    "cert-file",
    "key-file",
    "peer-verify",
    "sni",
    "ssl-options",
];

/// A destination driver as read from the configuration.
pub struct DestinationDriver {
    /// Builds the sink.
    pub sink: Box<dyn SinkBuilder>,
    /// `log-fifo-size()`.
    pub fifo_size: usize,
    /// `time-reopen()`: the wait after a failed write.
    pub retry_delay: Duration,
}

/// A `template NAME { template("..."); template-escape(yes); };` statement.
#[derive(Clone, Debug)]
pub struct NamedTemplate {
    /// `template()`.
    pub text: String,
    /// `template-escape()`.
    pub escape: bool,
}

/// Named `template` statements.
pub type NamedTemplates = HashMap<String, NamedTemplate>;

fn compile(call: &Call, text: &str) -> Result<Template, ConfigError> {
    Template::compile(text).map_err(|e| {
        ConfigError::new(
            call.name.location.clone(),
            Some(text),
            format!("invalid template: {e}"),
        )
    })
}

/// `template("...")` or `template(name_of_a_template_statement)`, and
/// whether the named one has `template-escape(yes)`.
fn template(call: &Call, named: &NamedTemplates) -> Result<(Template, bool), ConfigError> {
    let text = values::string(call)?;
    match (call.args.first(), named.get(&text)) {
        (Some(Arg::Value(v)), Some(named)) if matches!(v.value, crate::ast::Scalar::Word(_)) => {
            Ok((compile(call, &named.text)?, named.escape))
        }
        _ => Ok((compile(call, &text)?, false)),
    }
}

/// `port(514)` or `port("514")`.
fn port(call: &Call) -> Result<u16, ConfigError> {
    let (s, loc) = values::scalar(call)?;
    let number = match s {
        Scalar::Int(i) => Some(*i),
        Scalar::Str(t) | Scalar::Word(t) => t.trim().parse().ok(),
        Scalar::Float(_) => None,
    };
    number
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            ConfigError::new(
                loc.clone(),
                Some(&s.text()),
                "port() needs a port number between 1 and 65535",
            )
        })
}

/// `transport("tcp")` / `transport(udp)` / `transport(tls)`.
fn transport(call: &Call) -> Result<Transport, ConfigError> {
    let (s, loc) = values::scalar(call)?;
    let text = s.text();
    match text.to_ascii_lowercase().as_str() {
        "tcp" => Ok(Transport::Tcp),
        "udp" => Ok(Transport::Udp),
        "tls" if logfetch_sinks::tls::AVAILABLE => Ok(Transport::Tls),
        "tls" => Err(ConfigError::new(
            loc.clone(),
            Some(&text),
            "this logfetch was built without TLS (cargo feature `tls`)",
        )),
        other => {
            let hint = crate::error::did_you_mean(other, TRANSPORTS.iter().copied());
            Err(ConfigError::new(
                loc.clone(),
                Some(&text),
                format!("unsupported transport; logfetch has tcp, udp and tls{hint}"),
            ))
        }
    }
}

/// `tls(ca-file("...") peer-verify(required-trusted) ...)`.
fn tls_options(call: &Call) -> Result<TlsOptions, ConfigError> {
    let mut tls = TlsOptions::new();
    for arg in &call.args {
        let Arg::Call(opt) = arg else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&arg.describe()),
                "unexpected value in tls(); it takes options such as ca-file(\"...\")",
            ));
        };
        match keyword(&opt.name.value).as_str() {
            "ca-dir" => tls.ca_dir = Some(values::string(opt)?.into()),
            "ca-file" => tls.ca_file = Some(values::string(opt)?.into()),
            "cert-file" => tls.cert_file = Some(values::string(opt)?.into()),
            "key-file" => tls.key_file = Some(values::string(opt)?.into()),
            "sni" => tls.sni = values::boolean(opt)?,
            "ssl-options" => {
                for (option, loc) in values::strings(opt)? {
                    if !tls.apply_ssl_option(&option) {
                        let hint = crate::error::did_you_mean(
                            &option,
                            logfetch_sinks::tls::SSL_OPTIONS.iter().copied(),
                        );
                        return Err(ConfigError::new(
                            loc,
                            Some(&option),
                            format!("unknown ssl-options() value{hint}"),
                        ));
                    }
                }
                if tls.no_tls12 && tls.no_tls13 {
                    return Err(ConfigError::new(
                        opt.name.location.clone(),
                        Some(&opt.name.value),
                        "ssl-options() disables both TLS 1.2 and TLS 1.3, the versions logfetch has",
                    ));
                }
            }
            "peer-verify" => {
                let (s, loc) = values::scalar(opt)?;
                let text = s.text();
                tls.peer_verify = PeerVerify::parse(&text).ok_or_else(|| {
                    let hint = crate::error::did_you_mean(&text, PeerVerify::NAMES.iter().copied());
                    ConfigError::new(
                        loc.clone(),
                        Some(&text),
                        format!("unknown peer-verify() value{hint}"),
                    )
                })?;
            }
            _ => return Err(unknown_option(opt, "tls", TLS_OPTIONS)),
        }
    }
    if tls.cert_file.is_some() != tls.key_file.is_some() {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "tls() needs cert-file() and key-file() together",
        ));
    }
    Ok(tls)
}

/// `ip-protocol(4)` / `ip-protocol(6)`.
fn ip_protocol(call: &Call) -> Result<IpProtocol, ConfigError> {
    let (s, loc) = values::scalar(call)?;
    match s {
        Scalar::Int(4) => Ok(IpProtocol::V4),
        Scalar::Int(6) => Ok(IpProtocol::V6),
        other => Err(ConfigError::new(
            loc.clone(),
            Some(&other.text()),
            "ip-protocol() needs 4 or 6",
        )),
    }
}

/// Everything a destination driver call may set, with the defaults it
/// inherits from `options {}`.
struct DriverOptions {
    /// The positional value: file name or host, with its position.
    target: Option<(String, Location)>,
    template: Option<Template>,
    /// `ts-format()`, `frac-digits()`, `time-zone()`, `template-escape()`.
    template_options: TemplateOptions,
    fifo_size: usize,
    create_dirs: bool,
    flush_lines: usize,
    fsync: bool,
    file_perms: Ownership,
    dir_perms: Ownership,
    port: Option<u16>,
    transport: Transport,
    time_reopen: Duration,
    keepalive: bool,
    ip_protocol: Option<IpProtocol>,
    tls: TlsOptions,
}

impl DriverOptions {
    fn new(globals: &GlobalOptions) -> Self {
        DriverOptions {
            target: None,
            template: None,
            template_options: globals.template.clone(),
            fifo_size: globals.log_fifo_size,
            create_dirs: globals.create_dirs,
            flush_lines: globals.flush_lines,
            fsync: false,
            file_perms: globals.file_perms,
            dir_perms: globals.dir_perms,
            port: None,
            transport: Transport::Tcp,
            time_reopen: Duration::from_secs(globals.time_reopen),
            keepalive: false,
            ip_protocol: None,
            tls: TlsOptions::new(),
        }
    }

    /// Applies option `opt` (already checked against the driver's list).
    fn apply(&mut self, opt: &Call, named: &NamedTemplates) -> Result<(), ConfigError> {
        match keyword(&opt.name.value).as_str() {
            "template" => {
                let (compiled, escape) = template(opt, named)?;
                self.template = Some(compiled);
                self.template_options.escape |= escape;
            }
            "template-escape" => self.template_options.escape = values::boolean(opt)?,
            "ts-format" => self.template_options.ts_format = values::ts_format(opt)?,
            "frac-digits" => self.template_options.frac_digits = values::frac_digits(opt)?,
            "time-zone" | "send-time-zone" => {
                self.template_options.zone = Some(Arc::new(values::time_zone(opt)?))
            }
            "fsync" => self.fsync = values::boolean(opt)?,
            "create-dirs" => self.create_dirs = values::boolean(opt)?,
            "flush-lines" => self.flush_lines = values::int(opt)?.max(0) as usize,
            "perm" | "owner" | "group" => apply_perm(opt, &mut self.file_perms)?,
            "dir-perm" | "dir-owner" | "dir-group" => apply_perm(opt, &mut self.dir_perms)?,
            "log-fifo-size" => self.fifo_size = values::positive(opt)? as usize,
            "time-reopen" => self.time_reopen = Duration::from_secs_f64(values::seconds(opt)?),
            "port" => self.port = Some(port(opt)?),
            "transport" => self.transport = transport(opt)?,
            "so-keepalive" => self.keepalive = values::boolean(opt)?,
            // syslog-ng keys a destination's saved state (disk buffers,
            // file positions) by it, and wants one on destinations that
            // would otherwise share a key; logfetch keeps no state for
            // destinations.
            "persist-name" => {
                values::string(opt)?;
            }
            "ip-protocol" => self.ip_protocol = Some(ip_protocol(opt)?),
            "tls" => self.tls = tls_options(opt)?,
            _ => unreachable!("checked against the option list of the driver"),
        }
        Ok(())
    }

    /// The host of `network()`/`syslog()`, and the endpoint around it.
    fn endpoint(
        &self,
        call: &Call,
        driver: &str,
        default_port: u16,
    ) -> Result<Endpoint, ConfigError> {
        let Some((host, location)) = &self.target else {
            return Err(ConfigError::new(
                call.name.location.clone(),
                Some(&call.name.value),
                format!("{driver}() needs a host: {driver}(\"10.1.2.3\" port({default_port}))"),
            ));
        };
        if host.trim().is_empty() {
            return Err(ConfigError::new(
                location.clone(),
                Some(host),
                format!("{driver}() needs a host name or address"),
            ));
        }
        let mut endpoint = Endpoint::new(host, self.port.unwrap_or(default_port), self.transport);
        endpoint.time_reopen = self.time_reopen;
        endpoint.keepalive = self.keepalive;
        endpoint.ip_protocol = self.ip_protocol;
        endpoint.tls = self.tls.clone();
        Ok(endpoint)
    }
}

/// The driver name and its options, checked against the driver's list.
fn read_options(
    call: &Call,
    globals: &GlobalOptions,
    named: &NamedTemplates,
) -> Result<(String, DriverOptions), ConfigError> {
    let driver = keyword(&call.name.value);
    let specific = match driver.as_str() {
        "file" => FILE_OPTIONS,
        "stdout" => &[],
        "network" | "syslog" => NETWORK_OPTIONS,
        "tcp" | "udp" | "tcp6" | "udp6" => LEGACY_NETWORK_OPTIONS,
        _ => {
            let hint = crate::error::did_you_mean(&driver, DRIVER_NAMES.iter().copied());
            return Err(ConfigError::new(
                call.name.location.clone(),
                Some(&call.name.value),
                format!("unknown destination driver{hint}"),
            ));
        }
    };
    let takes_target = driver != "stdout";
    let mut o = DriverOptions::new(globals);
    match driver.as_str() {
        "tcp" | "tcp6" => o.transport = Transport::Tcp,
        "udp" | "udp6" => o.transport = Transport::Udp,
        _ => {}
    }
    if driver.ends_with('6') {
        o.ip_protocol = Some(IpProtocol::V6);
    }
    for arg in &call.args {
        let opt = match arg {
            Arg::Value(v) if takes_target && o.target.is_none() => {
                o.target = Some((v.value.text(), v.location.clone()));
                continue;
            }
            Arg::Call(opt) => opt,
            other => {
                return Err(ConfigError::new(
                    other.location().clone(),
                    Some(&other.describe()),
                    format!("unexpected value in {driver}()"),
                ));
            }
        };
        let name = keyword(&opt.name.value);
        if !COMMON_OPTIONS.contains(&name.as_str()) && !specific.contains(&name.as_str()) {
            let allowed = [COMMON_OPTIONS, specific].concat();
            return Err(unknown_option(opt, &driver, &allowed));
        }
        o.apply(opt, named)?;
    }
    Ok((driver, o))
}

/// Reads one destination driver call.
pub fn read(
    call: &Call,
    globals: &GlobalOptions,
    named: &NamedTemplates,
) -> Result<DestinationDriver, ConfigError> {
    let (driver, mut o) = read_options(call, globals, named)?;
    let options = o.template_options.clone();
    let with_options = |t: Template| t.with_options(options.clone());
    let sink: Box<dyn SinkBuilder> = match driver.as_str() {
        "file" => {
            let Some((path, location)) = o.target.take() else {
                return Err(ConfigError::new(
                    call.name.location.clone(),
                    Some("file"),
                    "file() needs a file name: file(\"/var/log/out.log\")",
                ));
            };
            let path = Template::compile(&path).map_err(|e| {
                ConfigError::new(
                    location,
                    Some(&path),
                    format!("invalid file name template: {e}"),
                )
            })?;
            Box::new(FileConfig {
                path: with_options(path),
                template: line_template(o.template.take(), &options),
                create_dirs: o.create_dirs,
                fsync: o.fsync,
                flush_lines: o.flush_lines,
                file_perms: o.file_perms,
                dir_perms: o.dir_perms,
            })
        }
        "stdout" => Box::new(StdoutConfig {
            template: line_template(o.template.take(), &options),
        }),
        "network" | "tcp" | "udp" | "tcp6" | "udp6" => Box::new(NetworkConfig {
            endpoint: o.endpoint(
                call,
                &driver,
                logfetch_sinks::network::default_port(o.transport),
            )?,
            template: o.template.take().map(with_options),
            options: options.clone(),
        }),
        _ => {
            let default_port = logfetch_sinks::syslog::default_port(o.transport);
            Box::new(SyslogConfig {
                endpoint: o.endpoint(call, "syslog", default_port)?,
                template: o.template.take().map(with_options),
                options: options.clone(),
            })
        }
    };
    Ok(DestinationDriver {
        sink,
        fifo_size: o.fifo_size,
        retry_delay: o.time_reopen,
    })
}

/// A file()/stdout() line template: the given one or syslog-ng's default
/// line (whose time follows `ts-format()`; `template-escape()` applies to
/// configured templates only, as in syslog-ng).
fn line_template(given: Option<Template>, options: &TemplateOptions) -> Template {
    match given {
        Some(t) => t.with_options(options.clone()),
        None => Template::compile(LEGACY_FILE_FORMAT)
            .expect("the built-in format compiles")
            .with_options(TemplateOptions {
                escape: false,
                ..options.clone()
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::driver_call;

    fn endpoint(text: &str) -> Result<Endpoint, ConfigError> {
        let call = driver_call(text);
        let (driver, o) = read_options(&call, &GlobalOptions::default(), &NamedTemplates::new())?;
        let default_port = match (driver.as_str(), o.transport) {
            ("syslog", t) => logfetch_sinks::syslog::default_port(t),
            (_, t) => logfetch_sinks::network::default_port(t),
        };
        o.endpoint(&call, &driver, default_port)
    }

    fn error(text: &str) -> String {
        let call = driver_call(text);
        match read(&call, &GlobalOptions::default(), &NamedTemplates::new()) {
            Ok(_) => panic!("{text} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn network_and_syslog_defaults() {
        let e = endpoint(r#"destination d { network("10.0.0.1"); };"#).unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.transport),
            ("10.0.0.1", 514, Transport::Tcp)
        );
        assert_eq!(e.time_reopen, Duration::from_secs(60));
        let e = endpoint(r#"destination d { syslog("h.example"); };"#).unwrap();
        assert_eq!((e.port, e.transport), (601, Transport::Tcp));
        let e = endpoint(r#"destination d { syslog("::1" transport(udp)); };"#).unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.transport),
            ("::1", 514, Transport::Udp)
        );
    }

    #[test]
    fn network_options_are_read() {
        let e = endpoint(
            r#"destination d { network("127.0.0.1" port("1514") transport("UDP") time-reopen(0.5)
                so-keepalive(yes) ip_protocol(6) log-fifo-size(5) flush-lines(10) template("$MSG\n")); };"#,
        )
        .unwrap();
        assert_eq!((e.port, e.transport), (1514, Transport::Udp));
        assert_eq!(e.time_reopen, Duration::from_millis(500));
        assert!(e.keepalive);
        assert_eq!(e.ip_protocol, Some(IpProtocol::V6));
        let call = driver_call(r#"destination d { syslog("h" log-fifo-size(5)); };"#);
        let d = read(&call, &GlobalOptions::default(), &NamedTemplates::new()).unwrap();
        assert_eq!(d.fifo_size, 5);
    }

    #[test]
    fn legacy_tcp_and_udp_drivers_are_network_with_their_transport() {
        let e = endpoint(r#"destination d { tcp("h" port(1514)); };"#).unwrap();
        assert_eq!(
            (e.port, e.transport, e.ip_protocol),
            (1514, Transport::Tcp, None)
        );
        let e = endpoint(r#"destination d { udp6("h"); };"#).unwrap();
        assert_eq!(
            (e.port, e.transport, e.ip_protocol),
            (514, Transport::Udp, Some(IpProtocol::V6))
        );
        let e = error(r#"destination d { udp("h" transport(tcp)); };"#);
        assert!(e.contains("unknown option of udp()"), "{e}");
    }

    #[test]
    fn mistakes_name_the_place_and_the_closest_option() {
        let e = error(r#"destination d { network("h" prot(514)); };"#);
        assert!(
            e.contains("t.conf:1:29: unknown option of network(); did you mean 'port'?"),
            "{e}"
        );
        let e = error(r#"destination d { syslog("h" fsync(yes)); };"#);
        assert!(e.contains("unknown option of syslog()"), "{e}");
        let e = error(r#"destination d { network("h" transport("tpc")); };"#);
        assert!(
            e.contains("unsupported transport; logfetch has tcp, udp and tls; did you mean 'tcp'?"),
            "{e}"
        );
        let e = error(r#"destination d { network("h" port(70000)); };"#);
        assert!(e.contains("port() needs a port number"), "{e}");
        let e = error(r#"destination d { network(port(514)); };"#);
        assert!(e.contains("network() needs a host"), "{e}");
        let e = error(r#"destination d { network("h" ip-protocol(5)); };"#);
        assert!(e.contains("ip-protocol() needs 4 or 6"), "{e}");
        let e = error(r#"destination d { netwrok("h"); };"#);
        assert!(
            e.contains("unknown destination driver; did you mean 'network'?"),
            "{e}"
        );
        let e = error(r#"destination d { network("h" template("$(format-json --bogus)")); };"#);
        assert!(e.contains("unknown option --bogus"), "{e}");
    }

    #[test]
    fn tls_options_are_read() {
        if !logfetch_sinks::tls::AVAILABLE {
            let e = error(r#"destination d { network("h" transport("tls")); };"#);
            assert!(e.contains("built without TLS"), "{e}");
            return;
        }
        let e = endpoint(r#"destination d { syslog("logs.example" transport("tls")); };"#).unwrap();
        assert_eq!((e.port, e.transport), (6514, Transport::Tls));
        assert_eq!(e.tls, TlsOptions::new());
        let e = endpoint(
            r#"destination d { network("10.0.0.1" transport(tls) tls(ca-dir("/etc/ca.d")
                ca_file("/etc/ca.pem") cert-file("/etc/c.crt") key-file("/etc/c.key")
                peer-verify(optional-untrusted) sni(no))); };"#,
        )
        .unwrap();
        assert_eq!((e.port, e.transport), (6514, Transport::Tls));
        assert_eq!(
            e.tls,
            TlsOptions {
                ca_dir: Some("/etc/ca.d".into()),
                ca_file: Some("/etc/ca.pem".into()),
                cert_file: Some("/etc/c.crt".into()),
                key_file: Some("/etc/c.key".into()),
                peer_verify: PeerVerify::OptionalUntrusted,
                sni: false,
                ..TlsOptions::new()
            }
        );
        let e = endpoint(
            r#"destination d { syslog("h" transport(tls) tls(ssl-options(no-sslv2, no-sslv3, no-tlsv1,
                no-tlsv11, no_tlsv12, ignore-hostname-mismatch))); };"#,
        )
        .unwrap();
        assert!(e.tls.no_tls12 && !e.tls.no_tls13 && e.tls.ignore_hostname_mismatch);
        let e =
            error(r#"destination d { syslog("h" transport(tls) tls(ssl-options(no-tlsv2))); };"#);
        assert!(
            e.contains("unknown ssl-options() value; did you mean"),
            "{e}"
        );
        let e = error(
            r#"destination d { syslog("h" transport(tls) tls(ssl-options(no-tlsv12 no-tlsv13))); };"#,
        );
        assert!(e.contains("disables both TLS 1.2 and TLS 1.3"), "{e}");
        let e = error(r#"destination d { network("h" transport(tls) tls(ca-fil("x"))); };"#);
        assert!(
            e.contains("unknown option of tls(); did you mean 'ca-file'?"),
            "{e}"
        );
        let e = error(
            r#"destination d { network("h" transport(tls) tls(peer-verify(required-trust))); };"#,
        );
        assert!(
            e.contains("unknown peer-verify() value; did you mean 'required-trusted'?"),
            "{e}"
        );
        let e = error(r#"destination d { network("h" transport(tls) tls(key-file("k"))); };"#);
        assert!(
            e.contains("tls() needs cert-file() and key-file() together"),
            "{e}"
        );
    }

    #[test]
    fn file_and_stdout_still_work() {
        for text in [
            r#"destination d { file("/tmp/x.log" template("$MSG\n") fsync(yes)); };"#,
            r#"destination d { stdout(template("$(format-json --scope rfc5424)\n")); };"#,
            // syslog-ng wants persist-name() on destinations sharing a target.
            r#"destination d { file("/tmp/x.log" persist-name("x1")); };"#,
            r#"destination d { network("h" port(1) persist-name("n1")); };"#,
            r#"destination d { syslog("h" persist-name("s1") ts-format(iso) frac-digits(3)); };"#,
        ] {
            let call = driver_call(text);
            assert!(
                read(&call, &GlobalOptions::default(), &NamedTemplates::new()).is_ok(),
                "{text}"
            );
        }
        let e = error(r#"destination d { stdout(port(5)); };"#);
        assert!(e.contains("unknown option of stdout()"), "{e}");
    }
}
