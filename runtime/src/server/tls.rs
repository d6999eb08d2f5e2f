//! HTTPS for the server loop (feature `tls`): the certificate and key read from PEM
//! files, and rustls (with the `ring` provider) set for TLS 1.2 and 1.3, no 0-RTT, and
//! ALPN `h2` then `http/1.1`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate or key that cannot serve HTTPS, found when the server starts. The
/// sentence names the setting (`TLS_CERT` or `TLS_KEY`) and the file; `Debug` shows the
/// same sentence.
pub struct TlsError {
    setting: &'static str,
    path: PathBuf,
    cause: Cause,
}

enum Cause {
    Unreadable(std::io::Error),
    NoCertificate,
    NoKey,
    Rejected(rustls::Error),
}

impl TlsError {
    /// The setting whose file is at fault: `TLS_CERT` or `TLS_KEY`.
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (setting, path) = (self.setting, self.path.display());
        match &self.cause {
            Cause::Unreadable(error) => write!(f, "{setting}={path:?} cannot be read: {error}"),
            Cause::NoCertificate => write!(
                f,
                "{setting}={path:?} holds no PEM certificate (a \
                 \"-----BEGIN CERTIFICATE-----\" block)"
            ),
            Cause::NoKey => write!(
                f,
                "{setting}={path:?} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)"
            ),
            Cause::Rejected(error) => write!(
                f,
                "{setting}={path:?} is not the private key of the certificate in TLS_CERT: {error}"
            ),
        }
    }
}

impl fmt::Debug for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Unreadable(error) => Some(error),
            Cause::Rejected(error) => Some(error),
            Cause::NoCertificate | Cause::NoKey => None,
        }
    }
}

/// Reads the certificate chain and key and builds the server's TLS configuration.
pub(super) fn load(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let error = |setting, path: &Path, cause| TlsError {
        setting,
        path: path.to_owned(),
        cause,
    };
    let cert_pem =
        std::fs::read(cert).map_err(|e| error("TLS_CERT", cert, Cause::Unreadable(e)))?;
    let key_pem = std::fs::read(key).map_err(|e| error("TLS_KEY", key, Cause::Unreadable(e)))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|_| error("TLS_CERT", cert, Cause::NoCertificate))?;
    if chain.is_empty() {
        return Err(error("TLS_CERT", cert, Cause::NoCertificate));
    }
    let private_key =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| error("TLS_KEY", key, Cause::NoKey))?;
    // rustls 0.23.48 deprecates the `ring` provider for its lack of post-quantum key
    // exchange (X25519MLKEM768, which aws-lc-rs has). `ring` is the choice (no C
    // or CMake build) until a measurement says otherwise; key exchange is X25519 and the
    // NIST curves.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| error("TLS_CERT", cert, Cause::Rejected(e)))?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|e| error("TLS_KEY", key, Cause::Rejected(e)))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // No 0-RTT: early data can be replayed.
    config.max_early_data_size = 0;
    Ok(Arc::new(config))
}
