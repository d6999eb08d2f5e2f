//! Room at the connection cap: when every slot is taken and a new client arrives, the
//! connection idle longest is closed for it. Idle means no request in flight: a
//! keep-alive connection waiting for its next request, or a client that has not finished
//! sending its head (a slowloris). A connection answering a request, its body included,
//! is never closed this way.

use http::{Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    open: Mutex<HashMap<u64, (Arc<ConnectionState>, AbortHandle)>>,
}

/// What the registry knows of one connection.
pub(super) struct ConnectionState {
    in_flight: AtomicUsize,
    last_busy: AtomicU64,
    clock: Arc<AtomicU64>,
}

impl Registry {
    /// A new connection's state and id, before its task starts.
    pub(super) fn connection(&self) -> (u64, Arc<ConnectionState>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState {
            in_flight: AtomicUsize::new(0),
            last_busy: AtomicU64::new(self.clock.fetch_add(1, Ordering::Relaxed)),
            clock: Arc::clone(&self.clock),
        });
        (id, state)
    }

    /// Records the task serving connection `id`.
    pub(super) fn started(&self, id: u64, state: Arc<ConnectionState>, task: AbortHandle) {
        self.lock().insert(id, (state, task));
    }

    /// Forgets connection `id` (its task ended).
    pub(super) fn ended(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes the connection idle longest, if any connection is idle; `false` if every
    /// one is answering a request.
    pub(super) fn shed_one(&self) -> bool {
        let mut open = self.lock();
        open.retain(|_, (_, task)| !task.is_finished());
        let victim = open
            .iter()
            .filter(|(_, (state, _))| state.in_flight.load(Ordering::Acquire) == 0)
            .min_by_key(|(_, (state, _))| state.last_busy.load(Ordering::Relaxed))
            .map(|(id, _)| *id);
        match victim.and_then(|id| open.remove(&id)) {
            Some((_, task)) => {
                task.abort();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (Arc<ConnectionState>, AbortHandle)>> {
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

impl ConnectionState {
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
}

impl<S, B> Service<Request<Incoming>> for Tracked<S>
where
    S: Service<Request<Incoming>, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let guard = InFlight::start(&self.state);
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
