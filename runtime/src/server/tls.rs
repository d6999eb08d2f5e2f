//! HTTPS for the server loop (feature `tls`): the certificate and key read from PEM
//! files, and rustls (with the `ring` provider) set for TLS 1.2 and 1.3, no 0-RTT, and
//! ALPN `h2` then `http/1.1`.

use arc_swap::ArcSwap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

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
    BadCertificate(rustls::Error),
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
            Cause::BadCertificate(error) => write!(
                f,
                "{setting}={path:?} holds a PEM certificate that is not a valid X.509 \
                 certificate: {error}"
            ),
            Cause::Rejected(error @ rustls::Error::InconsistentKeys(_)) => write!(
                f,
                "{setting}={path:?} is not the private key of the certificate in TLS_CERT: {error}"
            ),
            // An unsupported key type, or another failure: not a mismatch.
            Cause::Rejected(error) => {
                write!(f, "{setting}={path:?} cannot be used: {error}")
            }
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
            Cause::Rejected(error) | Cause::BadCertificate(error) => Some(error),
            Cause::NoCertificate | Cause::NoKey => None,
        }
    }
}

/// The certificate new handshakes get: read from `TLS_CERT` and `TLS_KEY` at start-up,
/// and swapped whole by a reload. A handshake takes the one current when it starts, so
/// connections already open keep theirs.
pub(super) struct Certificates {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<rustls::crypto::CryptoProvider>,
    current: ArcSwap<CertifiedKey>,
}

impl fmt::Debug for Certificates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificates")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

impl Certificates {
    /// Reads the certificate chain and key; an error names the setting at fault.
    pub(super) fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        // rustls 0.23.48 deprecates the `ring` provider for its lack of post-quantum key
        // exchange (X25519MLKEM768, which aws-lc-rs has). `ring` is the choice (no
        // C or CMake build) until a measurement says otherwise; key exchange is X25519 and
        // the NIST curves.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = read(cert, key, &provider)?;
        Ok(Self {
            cert: cert.to_owned(),
            key: key.to_owned(),
            provider,
            current: ArcSwap::from_pointee(current),
        })
    }

    /// Reads the files again; on success new handshakes get the new certificate, on
    /// failure the current one stays and the error says why.
    pub(super) fn reload(&self) -> Result<(), TlsError> {
        let fresh = read(&self.cert, &self.key, &self.provider)?;
        self.current.store(Arc::new(fresh));
        Ok(())
    }

    /// The certificate and key files.
    pub(super) fn files(&self) -> (&Path, &Path) {
        (&self.cert, &self.key)
    }

    /// The server's TLS configuration, taking its certificate from `certificates`.
    pub(super) fn config(certificates: &Arc<Self>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let mut config =
            rustls::ServerConfig::builder_with_provider(Arc::clone(&certificates.provider))
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(|e| TlsError {
                    setting: "TLS_CERT",
                    path: certificates.cert.clone(),
                    cause: Cause::Rejected(e),
                })?
                .with_no_client_auth()
                .with_cert_resolver(Arc::clone(certificates) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        // No 0-RTT: early data can be replayed.
        config.max_early_data_size = 0;
        Ok(Arc::new(config))
    }
}

/// Reads the certificate chain and its private key, checking that they belong together.
fn read(
    cert: &Path,
    key: &Path,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
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
    // Checks that the key is the certificate's (as `with_single_cert` did). A certificate
    // that does not parse is the certificate's fault, not the key's.
    CertifiedKey::from_der(chain, private_key, provider).map_err(|e| match e {
        rustls::Error::InvalidCertificate(_) => error("TLS_CERT", cert, Cause::BadCertificate(e)),
        e => error("TLS_KEY", key, Cause::Rejected(e)),
    })
}
