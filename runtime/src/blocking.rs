//! File reads a request can trigger run on tokio's blocking pool, never on the executor.

/// Runs `work` on tokio's blocking pool when called inside a tokio runtime (on the calling
/// thread otherwise, where there is no executor to block). `None` when the task
/// panicked or the runtime shut down before it finished.
pub(crate) async fn off_executor<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime.spawn_blocking(work).await.ok(),
        Err(_) => Some(work()),
    }
}
