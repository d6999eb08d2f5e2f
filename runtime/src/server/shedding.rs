//! Room at the connection cap: when every slot is taken and a new client arrives, the
//! connection idle longest is closed for it. Idle means no request in flight: a
//! keep-alive connection waiting for its next request, or a client that has not finished
//! sending its head (a slowloris). A connection answering a request is never closed this
//! way: not while its response future runs, nor while its body is being read, nor while
//! its bytes wait for a slow client to take them (a write that could not finish).
//!
//! HTTP/2 (feature `tls`) adds one kind of connection that is not idle yet may be closed:
//! one whose every open stream is *stalled*, its response waiting for hyper to take it
//! (the client gives no flow-control window, so hyper never polls the body) with no
//! progress for a while. A body whose last poll returned `Pending` is waiting for the
//! app (server-sent events, a long poll) and is not stalled.

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
    /// HTTP/2: response bodies are tracked for stalls (set once ALPN picks `h2`, before
    /// the first request). Never set on HTTP/1.1, whose bodies skip that bookkeeping.
    h2: AtomicBool,
    /// HTTP/2: responses in flight that wait for hyper to poll their body (ready, or
    /// their last poll gave a frame), and hyper has not polled again.
    stalled: AtomicUsize,
    /// HTTP/2: polls of response bodies so far; a stall with no poll is no progress.
    polls: AtomicU64,
    /// HTTP/2: the [`IdleWatch`] has seen every stream stalled, with no poll, for a
    /// quarter of the timeout or more: the cap may close the connection like an idle one.
    stuck: AtomicBool,
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
            h2: AtomicBool::new(false),
            stalled: AtomicUsize::new(0),
            polls: AtomicU64::new(0),
            stuck: AtomicBool::new(false),
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

    /// Closes the connection idle longest, if any connection is idle (or, HTTP/2, stuck:
    /// every stream stalled on a client that gives no window); `false` if every one is
    /// answering a request.
    pub(super) fn shed_one(&self) -> bool {
        let task = {
            let mut open = self.lock();
            let victim = open
                .iter()
                .filter(|(_, (state, task))| {
                    task.is_some() && (state.is_idle() || state.stuck.load(Ordering::Acquire))
                })
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
struct InFlight {
    state: Arc<ConnectionState>,
    /// HTTP/2 only: where the response stands, for the stall count.
    stall: Stall,
}

/// A response's part in [`ConnectionState::stalled`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stall {
    /// HTTP/1.1: no bookkeeping at all.
    Untracked,
    /// HTTP/2, the response future runs or the body's last poll returned `Pending` (the
    /// app's doing): not stalled.
    Polled,
    /// HTTP/2, the response is ready or its body's last poll gave a frame, and hyper has
    /// not polled it since: counted in `stalled`.
    Waiting,
}

impl InFlight {
    fn start(state: &Arc<ConnectionState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        state.touch();
        // Read once per request, next to the count just taken.
        let stall = if state.h2.load(Ordering::Relaxed) {
            Stall::Polled
        } else {
            Stall::Untracked
        };
        Self {
            state: Arc::clone(state),
            stall,
        }
    }

    /// The response is ready (HTTP/2): it waits for hyper to poll its body.
    fn ready(&mut self) {
        if self.stall != Stall::Untracked {
            self.wait();
        }
    }

    fn wait(&mut self) {
        if self.stall != Stall::Waiting {
            self.state.stalled.fetch_add(1, Ordering::AcqRel);
            self.stall = Stall::Waiting;
        }
    }

    /// Hyper polls the body (HTTP/2): no longer waiting for it, and progress.
    fn polled(&mut self) {
        if self.stall == Stall::Waiting {
            self.state.stalled.fetch_sub(1, Ordering::AcqRel);
        }
        self.stall = Stall::Polled;
        self.state.polls.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.stall == Stall::Waiting {
            // Before `in_flight`, so `stalled` never exceeds it.
            self.state.stalled.fetch_sub(1, Ordering::AcqRel);
        }
        self.state.touch();
        self.state.in_flight.fetch_sub(1, Ordering::AcqRel);
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

    /// Marks the connection HTTP/2, before it serves a request: its response bodies are
    /// tracked for stalls from now on.
    #[cfg(feature = "tls")]
    pub(super) fn set_h2(&self) {
        self.h2.store(true, Ordering::Relaxed);
    }

    /// HTTP/2: streams are open and every one waits for hyper to take its response.
    #[cfg(feature = "tls")]
    fn all_stalled(&self) -> bool {
        let in_flight = self.in_flight.load(Ordering::Acquire);
        in_flight > 0
            && self.stalled.load(Ordering::Acquire) == in_flight
            && !self.write_blocked.load(Ordering::Acquire)
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
        let mut guard = this.guard.take();
        if let Some(guard) = &mut guard {
            guard.ready();
        }
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
        let this = self.project();
        match this._guard {
            // HTTP/1.1: one predictable branch, no bookkeeping.
            Some(guard) if guard.stall != Stall::Untracked => {
                guard.polled();
                let poll = this.inner.poll_frame(cx);
                if let Poll::Ready(Some(Ok(_))) = &poll {
                    // A frame for hyper to send; the next poll is hyper's to make.
                    guard.wait();
                }
                poll
            }
            _ => this.inner.poll_frame(cx),
        }
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

/// How long an HTTP/2 connection has made no progress (feature `tls`): hyper closes no
/// idle HTTP/2 connection, and its pings keep one alive as long as the client answers.
///
/// No progress is either of:
/// - **idle**: no stream open. A stream counts from its complete head (hyper calls the
///   service then), so a head that never ends (an endless CONTINUATION) keeps the
///   connection idle;
/// - **stalled**: streams open, every one's response waiting for hyper to take it (a
///   client that gives no flow-control window: hyper waits for window before it polls a
///   body), and no body polled since the last look. A body waiting for the app (its last
///   poll returned `Pending`: server-sent events, a long poll) is not stalled.
///
/// It looks at the connection four times per timeout, with no work on the requests' path:
/// the count starts at the first look that finds no progress, and goes on while no
/// request starts or ends (the logical clock of its last request does not move) and, if
/// stalled, no body is polled.
#[cfg(feature = "tls")]
pub(super) struct IdleWatch {
    state: Arc<ConnectionState>,
    ticks: tokio::time::Interval,
    tick: std::time::Duration,
    timeout: std::time::Duration,
    /// What the look that found no progress saw, and for how long since.
    seen: Option<Mark>,
    idle: std::time::Duration,
}

/// What one look of an [`IdleWatch`] saw of a connection making no progress.
#[cfg(feature = "tls")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// No stream open, since this tick of the connection's clock.
    Idle(u64),
    /// Every stream stalled: the clock's tick, and the body polls so far.
    Stalled(u64, u64),
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

    /// No stream open right now.
    pub(super) fn no_stream_open(&self) -> bool {
        self.state.in_flight.load(Ordering::Acquire) == 0
    }

    fn look(&self) -> Option<Mark> {
        let state = &self.state;
        let clock = state.last_busy.load(Ordering::Relaxed);
        if state.is_idle() {
            Some(Mark::Idle(clock))
        } else if state.all_stalled() {
            Some(Mark::Stalled(clock, state.polls.load(Ordering::Acquire)))
        } else {
            None
        }
    }

    /// Completes once the connection has made no progress for the timeout (from `new`,
    /// or from the last time this completed). Cancel-safe: it keeps its count between
    /// calls.
    pub(super) async fn expired(&mut self) {
        loop {
            self.ticks.tick().await;
            let mark = self.look();
            let same = mark.is_some() && mark == self.seen;
            // Stalled through a whole tick: the cap may take the connection.
            let stuck = same && matches!(mark, Some(Mark::Stalled(..)));
            self.state.stuck.store(stuck, Ordering::Release);
            if same {
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

#[cfg(all(test, feature = "tls"))]
mod tests {
    use super::*;

    type Polled<B> = Poll<Option<Result<Frame<<B as HttpBody>::Data>, <B as HttpBody>::Error>>>;

    fn poll_body<B: HttpBody + Unpin>(body: &mut B) -> Polled<B> {
        let waker = std::task::Waker::noop();
        Pin::new(body).poll_frame(&mut Context::from_waker(waker))
    }

    /// A body that waits for the app once, then gives one frame, then ends.
    struct AppBody(u8);

    impl HttpBody for AppBody {
        type Data = bytes::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            self.0 += 1;
            match self.0 {
                1 => Poll::Pending,
                2 => Poll::Ready(Some(Ok(Frame::data(bytes::Bytes::from_static(b"x"))))),
                _ => Poll::Ready(None),
            }
        }
    }

    #[test]
    fn an_http2_body_is_stalled_while_it_waits_for_hyper_and_not_while_it_waits_for_the_app() {
        let registry = Arc::new(Registry::default());
        let (state, _registered) = registry.connection();
        state.set_h2();
        let mut guard = InFlight::start(&state);
        // The response future runs: the app's doing.
        assert!(!state.all_stalled());
        guard.ready();
        // Ready, and hyper has not polled the body (no window): stalled.
        assert!(state.all_stalled());
        let mut body = TrackedBody {
            inner: AppBody(0),
            _guard: Some(guard),
        };
        let polls = state.polls.load(Ordering::Relaxed);
        // Nothing to send yet: waiting for the app, not stalled.
        assert!(poll_body(&mut body).is_pending());
        assert!(!state.all_stalled());
        assert!(state.polls.load(Ordering::Relaxed) > polls);
        // A frame handed to hyper: stalled until hyper polls again.
        assert!(poll_body(&mut body).is_ready());
        assert!(state.all_stalled());
        // Hyper polls again: the end, no longer waiting.
        assert!(matches!(poll_body(&mut body), Poll::Ready(None)));
        assert!(!state.all_stalled());
        drop(body);
        assert_eq!(state.stalled.load(Ordering::Relaxed), 0);
        assert_eq!(state.in_flight.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn an_http1_body_does_no_stall_bookkeeping() {
        let registry = Arc::new(Registry::default());
        let (state, _registered) = registry.connection();
        let mut guard = InFlight::start(&state);
        guard.ready();
        assert_eq!(state.stalled.load(Ordering::Relaxed), 0);
        let mut body = TrackedBody {
            inner: http_body_util::Full::new(bytes::Bytes::from_static(b"x")),
            _guard: Some(guard),
        };
        assert!(poll_body(&mut body).is_ready());
        assert_eq!(state.stalled.load(Ordering::Relaxed), 0);
        assert_eq!(state.polls.load(Ordering::Relaxed), 0);
    }
}
