//! TLS to the database: libpq's `sslrootcert=FILE`, `sslmode=verify-full` and
//! `sslmode=verify-ca` on top of tokio-postgres, which knows none of them.
//!
//! Managed databases (AWS RDS, Azure, DigitalOcean) sign their servers' certificates with a CA
//! of their own, which the web's roots do not hold. `sslrootcert=FILE` in the URL names a PEM
//! file of such CA certificates: they become the only roots, and TLS is required. `sslrootcert`
//! is taken out of the URL and libpq's `sslmode` values are mapped onto tokio-postgres' before
//! it parses the URL; every other option stays.
//!
//! rustls always checks the chain and the host name, so every TLS connection is libpq's
//! `verify-full`: `sslmode=require` and `sslmode=verify-full` mean the same here.
//! `sslmode=verify-ca` checks the chain and leaves the host name unchecked (for a server reached
//! by an address its certificate does not name), as libpq does.

use crate::store::StoreError;
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The libpq option naming the file of CA certificates.
const ROOT_CERTIFICATE_OPTION: &str = "sslrootcert";

/// `sslrootcert=system` (as in libpq 16): the usual roots, named explicitly.
const SYSTEM_ROOTS: &str = "system";

/// Where the trusted roots come from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Roots {
    /// The web's root certificates (the default, and `sslrootcert=system`).
    Web,
    /// The certificates in a PEM file (`sslrootcert=FILE`).
    File(String),
}

/// A URL with the TLS options tokio-postgres does not know taken out, and what they asked for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Split {
    /// What tokio-postgres parses.
    pub(crate) url: String,
    pub(crate) roots: Roots,
    /// False for `sslmode=verify-ca`: the chain is checked, the host name is not.
    pub(crate) host_name_checked: bool,
}

/// Takes `sslrootcert` out of a `postgres://` or `postgresql://` URL and maps libpq's
/// `sslmode` values onto tokio-postgres' ones. A URL in the key/value form (`host=… user=…`) is
/// left as it is: tokio-postgres refuses the options it does not know there.
pub(crate) fn split(url: &str) -> Result<Split, StoreError> {
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let Some((base, query)) = url.split_once('?').filter(|_| is_url) else {
        return Ok(Split {
            url: url.to_owned(),
            roots: Roots::Web,
            host_name_checked: true,
        });
    };
    let mut kept: Vec<String> = Vec::new();
    let mut root_file: Option<String> = None;
    let mut mode: Option<(usize, String)> = None;
    let mut host_name_checked = true;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match percent_decode(key).as_str() {
            ROOT_CERTIFICATE_OPTION => root_file = Some(percent_decode(value)),
            "sslmode" => {
                let value = percent_decode(value);
                let value = match value.as_str() {
                    // rustls checks the chain and the host name on every TLS connection.
                    "verify-full" => "require".to_owned(),
                    "verify-ca" => {
                        host_name_checked = false;
                        "require".to_owned()
                    }
                    _ => value,
                };
                mode = Some((kept.len(), value));
                kept.push(String::new());
            }
            _ => kept.push(pair.to_owned()),
        }
    }
    let roots = match root_file {
        None => Roots::Web,
        Some(file) if file.is_empty() => {
            return Err(invalid("sslrootcert needs a file name"));
        }
        Some(file) if file == SYSTEM_ROOTS => Roots::Web,
        Some(file) => {
            // A CA of one's own is there to be checked: never fall back to plain text.
            match &mut mode {
                Some((_, value)) if value == "disable" => {
                    return Err(invalid(
                        "sslrootcert asks for verified TLS but sslmode=disable turns TLS off",
                    ));
                }
                Some((_, value)) => *value = "require".to_owned(),
                None => {
                    mode = Some((kept.len(), "require".to_owned()));
                    kept.push(String::new());
                }
            }
            Roots::File(file)
        }
    };
    if let Some((position, value)) = mode {
        kept[position] = format!("sslmode={value}");
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(Split {
        url,
        roots,
        host_name_checked,
    })
}

/// The TLS connector for a split URL's roots and mode: rustls with the ring provider, no client
/// certificate.
pub(crate) fn connector(split: &Split) -> Result<MakeRustlsConnect, StoreError> {
    let store = match &split.roots {
        Roots::Web => {
            rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
        }
        Roots::File(file) => file_roots(file)?,
    };
    let setup_failed =
        |error: &dyn std::fmt::Display| StoreError::Database(format!("TLS setup failed: {error}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| setup_failed(&error))?;
    let config = if split.host_name_checked {
        builder.with_root_certificates(store)
    } else {
        let chain =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|error| setup_failed(&error))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly { chain }))
    }
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// `sslmode=verify-ca`: rustls' own verification, except that a certificate which does not
/// name the host is accepted. rustls checks the host name last, after the chain to a trusted
/// root (and its dates and uses) has been verified, so that error can only mean a good chain.
#[derive(Debug)]
struct ChainOnly {
    chain: Arc<rustls::client::WebPkiServerVerifier>,
}

impl rustls::client::danger::ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
        match self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                NotValidForName | NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.chain
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.chain
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

/// The CA certificates of a PEM file (one or many); an unreadable file, one without a
/// certificate, or a certificate rustls cannot use is an error naming the option.
fn file_roots(file: &str) -> Result<rustls::RootCertStore, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bytes = std::fs::read(file).map_err(|error| {
        invalid(&format!(
            "{ROOT_CERTIFICATE_OPTION}={file}: cannot read the file: {error}"
        ))
    })?;
    let mut store = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&bytes) {
        let certificate = certificate.map_err(|error| {
            invalid(&format!(
                "{ROOT_CERTIFICATE_OPTION}={file}: not a PEM file of certificates: {error}"
            ))
        })?;
        store.add(certificate).map_err(|error| {
            invalid(&format!(
                "{ROOT_CERTIFICATE_OPTION}={file}: a certificate cannot be used as a root: {error}"
            ))
        })?;
    }
    if store.is_empty() {
        return Err(invalid(&format!(
            "{ROOT_CERTIFICATE_OPTION}={file}: the file holds no PEM certificate"
        )));
    }
    Ok(store)
}

/// A connection error, with the way out named when the server's certificate was not trusted.
pub(crate) fn explain(error: tokio_postgres::Error) -> StoreError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        let rustls_error = current.downcast_ref::<rustls::Error>().or_else(|| {
            current
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(
            reason @ (rustls::CertificateError::NotValidForName
            | rustls::CertificateError::NotValidForNameContext { .. }),
        )) = rustls_error
        {
            return StoreError::Database(format!(
                "the database server's TLS certificate does not name the host of the database \
                 URL ({reason:?}): connect by a name the certificate gives, or check only the \
                 chain with sslmode=verify-ca"
            ));
        }
        if let Some(rustls::Error::InvalidCertificate(reason)) = rustls_error {
            return StoreError::Database(format!(
                "the database server's TLS certificate is not trusted ({reason:?}): if the \
                 database has a CA of its own, name its certificates with \
                 {ROOT_CERTIFICATE_OPTION}=FILE in the database URL"
            ));
        }
        source = current.source();
    }
    error.into()
}

fn invalid(message: &str) -> StoreError {
    StoreError::Database(format!("the database URL is invalid: {message}"))
}

/// `%XX` escapes decoded (a file name with spaces is `my%20ca.pem` in a URL); anything that is
/// not a valid escape stays as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_with(file: &std::path::Path) -> Split {
        Split {
            url: String::new(),
            roots: Roots::File(file.display().to_string()),
            host_name_checked: true,
        }
    }

    fn message(result: Result<Split, StoreError>) -> String {
        result.expect_err("refused").to_string()
    }

    #[test]
    fn a_root_file_is_taken_out_and_makes_tls_required() {
        let parsed = split("postgres://u@db:5432/beseda?application_name=a&sslrootcert=/etc/ca%20bundle.pem&connect_timeout=5").unwrap();
        assert_eq!(
            parsed.url,
            "postgres://u@db:5432/beseda?application_name=a&connect_timeout=5&sslmode=require"
        );
        assert_eq!(parsed.roots, Roots::File("/etc/ca bundle.pem".to_owned()));
        let parsed = split("postgresql://db/beseda?sslmode=prefer&sslrootcert=ca.pem").unwrap();
        assert_eq!(parsed.url, "postgresql://db/beseda?sslmode=require");
        assert_eq!(parsed.roots, Roots::File("ca.pem".to_owned()));
    }

    #[test]
    fn verify_full_is_require_and_verify_ca_leaves_the_host_name_unchecked() {
        let parsed = split("postgres://db/beseda?sslmode=verify-full&sslrootcert=ca.pem").unwrap();
        assert_eq!(parsed.url, "postgres://db/beseda?sslmode=require");
        let parsed = split("postgres://db/beseda?sslmode=verify-full").unwrap();
        assert_eq!(parsed.url, "postgres://db/beseda?sslmode=require");
        assert_eq!(parsed.roots, Roots::Web);
        assert!(parsed.host_name_checked);
        let parsed = split("postgres://db/b?sslmode=verify-ca&sslrootcert=ca.pem").unwrap();
        assert_eq!(parsed.url, "postgres://db/b?sslmode=require");
        assert!(!parsed.host_name_checked);
        assert!(
            message(split("postgres://db/b?sslmode=disable&sslrootcert=ca.pem"))
                .contains("sslmode=disable")
        );
    }

    #[test]
    fn other_urls_are_left_as_they_are() {
        for url in [
            "postgres://u@db/beseda",
            "postgres://u@db/beseda?sslmode=require&application_name=x",
            "host=db user=u",
        ] {
            let parsed = split(url).unwrap();
            assert_eq!(parsed.url, url);
            assert_eq!(parsed.roots, Roots::Web);
        }
        let parsed = split("postgres://db/b?sslrootcert=system").unwrap();
        assert_eq!(
            (parsed.url.as_str(), parsed.roots),
            ("postgres://db/b", Roots::Web)
        );
    }

    #[test]
    fn a_missing_or_empty_root_file_is_a_clear_error() {
        let directory = tempfile::tempdir().unwrap();
        let missing = directory.path().join("missing.pem");
        let error = connector(&split_with(&missing)).err().unwrap().to_string();
        assert!(error.contains("sslrootcert="), "{error}");
        assert!(error.contains("cannot read the file"), "{error}");
        let empty = directory.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = connector(&split_with(&empty)).err().unwrap().to_string();
        assert!(error.contains("holds no PEM certificate"), "{error}");
    }
}
