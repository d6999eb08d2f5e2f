//! Room at the connection cap: when every slot is taken and a new client arrives, the
//! connection idle longest is closed for it. Idle means no request in flight: a
//! keep-alive connection waiting for its next request, or a client that has not finished
//! sending its head (a slowloris). A connection answering a request is never closed this
//! way: not while its response future runs, nor while its body is being read, nor while
//! its bytes wait for a slow client to take them (a write that could not finish).

use super::request_body::RequestBody;
use http::{Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use tokio::task::AbortHandle;
use tower_service::Service;

/// The open connections and how recently each was busy.
#[derive(Default)]
pub(super) struct Registry {
    /// A logical clock: ticks at every request start and end, so "idle longest" needs no
    /// system time.
    clock: Arc<AtomicU64>,
    next_id: AtomicU64,
    /// Every connection whose task runs; the abort handle is set just after the spawn.
    open: Mutex<HashMap<u64, Entry>>,
}

/// A connection's state and, once spawned, the handle that closes it.
type Entry = (Arc<ConnectionState>, Option<AbortHandle>);

/// What the registry knows of one connection.
pub(super) struct ConnectionState {
    in_flight: AtomicUsize,
    /// A write to the socket could not complete: the client is still taking a response.
    write_blocked: AtomicBool,
    last_busy: AtomicU64,
    clock: Arc<AtomicU64>,
}

impl Registry {
    /// Registers a new connection before its task starts; the guard, moved into the task,
    /// forgets it when the task ends (normally, by a panic, or aborted).
    pub(super) fn connection(self: &Arc<Self>) -> (Arc<ConnectionState>, Registered) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState {
            in_flight: AtomicUsize::new(0),
            write_blocked: AtomicBool::new(false),
            last_busy: AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed)),
            clock: Arc::clone(&self.clock),
        });
        self.lock().insert(id, (Arc::clone(&state), None));
        let registered = Registered {
            id,
            registry: Arc::clone(self),
        };
        (state, registered)
    }

    /// Records the task serving connection `id`, if it has not ended already.
    pub(super) fn started(&self, id: u64, task: AbortHandle) {
        if let Some(entry) = self.lock().get_mut(&id) {
            entry.1 = Some(task);
        }
    }

    /// Closes the connection idle longest, if any connection is idle; `false` if every
    /// one is answering a request.
    pub(super) fn shed_one(&self) -> bool {
        let task = {
            let mut open = self.lock();
            let victim = open
                .iter()
                .filter(|(_, (state, task))| task.is_some() && state.is_idle())
                .min_by_key(|(_, (state, _))| state.last_busy.load(Ordering::Relaxed))
                .map(|(id, _)| *id);
            victim
                .and_then(|id| open.remove(&id))
                .and_then(|(_, task)| task)
        };
        // Aborted outside the lock: the task's own guard takes it when the task drops.
        match task {
            Some(task) => {
                task.abort();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A request in flight on a connection, from the call until its body is done or dropped.
struct InFlight(Arc<ConnectionState>);

impl InFlight {
    fn start(state: &Arc<ConnectionState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        state.touch();
        Self(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection's place in the [`Registry`], given up when dropped.
pub(super) struct Registered {
    id: u64,
    registry: Arc<Registry>,
}

impl Registered {
    pub(super) fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

impl ConnectionState {
    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0 && !self.write_blocked.load(Ordering::Acquire)
    }

    fn touch(&self) {
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        self.last_busy.store(now, Ordering::Relaxed);
    }
}

/// The app's service on one connection, counting its requests in flight.
#[derive(Clone)]
pub(super) struct Tracked<S> {
    pub(super) inner: S,
    pub(super) state: Arc<ConnectionState>,
    /// How long a request body may stall (the header-read timeout).
    pub(super) body_timeout: std::time::Duration,
}

impl<S, B> Service<Request<Incoming>> for Tracked<S>
where
    S: Service<Request<RequestBody>, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let guard = InFlight::start(&self.state);
        let timeout = self.body_timeout;
        let request = request.map(|body| RequestBody::new(body, timeout));
        TrackedFuture {
            inner: self.inner.call(request),
            guard: Some(guard),
        }
    }
}

pin_project! {
    /// The response future of [`Tracked`].
    pub(super) struct TrackedFuture<F> {
        #[pin]
        inner: F,
        guard: Option<InFlight>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|inner| TrackedBody {
            inner,
            _guard: guard,
        })))
    }
}

pin_project! {
    /// A response body that keeps its request in flight until it is sent.
    pub(super) struct TrackedBody<B> {
        #[pin]
        inner: B,
        _guard: Option<InFlight>,
    }
}

impl<B: HttpBody> HttpBody for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    /// The connection's socket, noting when a write could not complete (the client is
    /// slow to take a response), so the connection is not taken for idle meanwhile.
    pub(super) struct TrackedIo<T> {
        #[pin]
        inner: T,
        state: Arc<ConnectionState>,
    }
}

impl<T> TrackedIo<T> {
    pub(super) fn new(inner: T, state: Arc<ConnectionState>) -> Self {
        Self { inner, state }
    }

    fn note<R>(state: &ConnectionState, poll: Poll<R>) -> Poll<R> {
        let blocked = poll.is_pending();
        if state.write_blocked.swap(blocked, Ordering::AcqRel) != blocked {
            state.touch();
        }
        poll
    }
}

impl<T: hyper::rt::Read> hyper::rt::Read for TrackedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write> hyper::rt::Write for TrackedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.project();
        Self::note(this.state, this.inner.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.project();
        Self::note(this.state, this.inner.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.project();
        Self::note(this.state, this.inner.poll_write_vectored(cx, bufs))
    }
}

/// How long an HTTP/2 connection has had no stream open (feature `tls`): hyper closes no
/// idle HTTP/2 connection, and its pings keep one alive as long as the client answers.
///
/// It looks at the connection four times per timeout, with no work on the requests' path:
/// the connection counts as idle from the first look that finds no request in flight, and
/// stays idle while no request starts or ends (the logical clock of its last request does
/// not move). A stream counts from its complete head (hyper calls the service then), so a
/// head that never ends (an endless CONTINUATION) keeps the connection idle.
#[cfg(feature = "tls")]
pub(super) struct IdleWatch {
    state: Arc<ConnectionState>,
    ticks: tokio::time::Interval,
    tick: std::time::Duration,
    timeout: std::time::Duration,
    /// The connection's clock at the look that found it idle, and since when.
    seen: Option<u64>,
    idle: std::time::Duration,
}

#[cfg(feature = "tls")]
impl IdleWatch {
    pub(super) fn new(state: Arc<ConnectionState>, timeout: std::time::Duration) -> Self {
        let tick = (timeout / 4).max(std::time::Duration::from_millis(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            state,
            ticks,
            tick,
            timeout,
            seen: None,
            idle: std::time::Duration::ZERO,
        }
    }

    /// Completes once the connection has been idle for the timeout (from `new`, or from
    /// the last time this completed). Cancel-safe: it keeps its count between calls.
    pub(super) async fn expired(&mut self) {
        loop {
            self.ticks.tick().await;
            let mark = self
                .state
                .is_idle()
                .then(|| self.state.last_busy.load(Ordering::Relaxed));
            if mark.is_some() && mark == self.seen {
                self.idle += self.tick;
                if self.idle >= self.timeout {
                    self.idle = std::time::Duration::ZERO;
                    return;
                }
            } else {
                self.seen = mark;
                self.idle = std::time::Duration::ZERO;
            }
        }
    }
}
