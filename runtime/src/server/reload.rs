//! Certificate reload without a restart (feature `tls`): the server reads `TLS_CERT` and
//! `TLS_KEY` again when their files change (their modification time or length, or on Unix
//! their device and inode: a new file renamed into place; looked at every second and taken
//! once it has held still for one more look, so a file being written is not read
//! half-way), on `SIGHUP` (Unix), or when a [`TlsReload`] handle asks.
//! A bad new file is logged and the current certificate stays in use.

use super::tls::Certificates;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{watch, Notify};

/// How often the watcher looks at the files.
const POLL: Duration = Duration::from_secs(1);

/// Asks a running server to read its certificate and key files again, as `SIGHUP`
/// does: for a program that renews its certificate itself (feature `tls`).
///
/// Give a clone to [`Server::tls_reload`](super::Server::tls_reload) and keep one; a
/// [`reload`](TlsReload::reload) before the server watches is kept for it.
///
/// ```no_run
/// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
/// use hyper_assets::server::{Server, TlsReload};
///
/// let reload = TlsReload::new();
/// let server = Server::new()
///     .tls("cert.pem", "key.pem")
///     .tls_reload(reload.clone());
/// tokio::spawn(server.serve(listener, app));
/// // ... once the renewed files are in place:
/// reload.reload();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct TlsReload {
    asked: Arc<Notify>,
}

impl TlsReload {
    /// A handle that no server watches yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the server to read its certificate and key again. New handshakes use the new
    /// certificate once it has been read; a bad file is logged and changes nothing.
    pub fn reload(&self) {
        self.asked.notify_one();
    }
}

/// What the watcher sees of one file: its modification time, length and (Unix) device
/// and inode, so that a new file renamed into place is seen even with the same time and
/// length.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    /// `(dev, ino)` on Unix; `(0, 0)` elsewhere.
    file: (u64, u64),
}

/// The two files' stamps; `None` for a file that cannot be looked at.
type Stamps = [Option<Stamp>; 2];

fn stamps(cert: &Path, key: &Path) -> Stamps {
    [cert, key].map(|path| {
        std::fs::metadata(path).ok().map(|meta| Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            file: file_id(&meta),
        })
    })
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// The `SIGHUP` stream, on Unix; `None` elsewhere, or if it cannot be set up (logged).
#[cfg(unix)]
pub(super) type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
pub(super) type Hangup = Option<std::convert::Infallible>;

/// Listens for `SIGHUP`. Called before the server accepts, so the signal no longer ends
/// the process once it serves. Dropping the stream (the watcher ends when the server
/// stops accepting) stops the reloads, but tokio keeps its handler installed for the
/// rest of the process: a later `SIGHUP` is swallowed, not the default "terminate".
pub(super) fn hangup() -> Hangup {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(signal) => Some(signal),
            Err(error) => {
                tracing::warn!("hyper-assets: SIGHUP will not reload the TLS certificate: {error}");
                None
            }
        }
    }
    #[cfg(not(unix))]
    None
}

async fn next_hangup(hangup: &mut Hangup) {
    #[cfg(unix)]
    if let Some(signal) = hangup {
        if signal.recv().await.is_some() {
            return;
        }
        // No more signals can come: stop listening.
        *hangup = None;
    }
    std::future::pending::<()>().await;
}

/// Watches the files, the signal and the handle until `stopping` changes (the server stops
/// accepting) or its sender is gone.
pub(super) async fn watch(
    certificates: Arc<Certificates>,
    mut hangup: Hangup,
    asked: Option<TlsReload>,
    mut stopping: watch::Receiver<bool>,
) {
    let asked = asked.map(|handle| handle.asked);
    let look = |certificates: &Arc<Certificates>| {
        let certificates = Arc::clone(certificates);
        // File I/O stays off the executor's threads.
        async move {
            tokio::task::spawn_blocking(move || {
                let (cert, key) = certificates.files();
                stamps(cert, key)
            })
            .await
            .unwrap_or([None, None])
        }
    };
    let mut seen = look(&certificates).await;
    // Changed files not yet read: read once they look the same twice in a row.
    let mut settling: Option<Stamps> = None;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + POLL, POLL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let why = tokio::select! {
            _ = ticks.tick() => None,
            () = next_hangup(&mut hangup) => Some("SIGHUP"),
            () = async {
                match &asked {
                    Some(asked) => asked.notified().await,
                    None => std::future::pending().await,
                }
            } => Some("a reload handle"),
            _ = stopping.changed() => return,
        };
        let now = look(&certificates).await;
        let why = match why {
            Some(why) => why,
            None if now == seen => {
                settling = None;
                continue;
            }
            None if settling != Some(now) => {
                settling = Some(now);
                continue;
            }
            None => "their files changed",
        };
        seen = now;
        settling = None;
        let reloading = Arc::clone(&certificates);
        let result = tokio::task::spawn_blocking(move || reloading.reload()).await;
        let (cert, key) = certificates.files();
        match result {
            Ok(Ok(())) => tracing::info!(
                "hyper-assets: TLS certificate and key read again ({why}): TLS_CERT={:?}, \
                 TLS_KEY={:?}; new connections use them",
                cert.display().to_string(),
                key.display().to_string()
            ),
            Ok(Err(error)) => {
                tracing::warn!("hyper-assets: keeping the TLS certificate in use ({why}): {error}");
            }
            Err(error) => tracing::error!(
                "hyper-assets: keeping the TLS certificate in use ({why}): the reload \
                 failed: {error}"
            ),
        }
    }
}
