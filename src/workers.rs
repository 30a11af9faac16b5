//! A few low-priority threads of their own for CPU-heavy work (password hashing, photo
//! decoding), with a bounded queue: a flood of such requests waits here or is turned away,
//! and never takes the pages' threads, their CPU or the server's memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::oneshot;

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The queue is full: the caller should answer "busy, try again shortly".
    #[error("the queue is full")]
    Busy,
    #[error("the worker threads have stopped")]
    Stopped,
}

/// How much lower than the pages the workers run (the `nice` value): under a flood the
/// pages keep their speed and the queued work waits.
pub const NICENESS: i32 = 10;

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// Runs jobs on `threads` threads, each holding a state `S` of its own that jobs borrow
/// (a working buffer kept from job to job); clone freely, the threads are shared and stop
/// when the last clone is dropped.
pub struct Pool<S> {
    jobs: mpsc::SyncSender<Job<S>>,
    /// Jobs queued and not yet taken by a thread.
    waiting: Arc<AtomicUsize>,
}

impl<S> Clone for Pool<S> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
            waiting: self.waiting.clone(),
        }
    }
}

impl<S: 'static> Pool<S> {
    /// Starts `threads` threads named `name`, each with a state from `new_state`; at most
    /// `queued_per_thread` jobs per thread wait for one.
    pub fn start(
        name: &str,
        threads: usize,
        queued_per_thread: usize,
        new_state: impl Fn() -> S + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = mpsc::sync_channel::<Job<S>>(threads * queued_per_thread);
        let queue = Arc::new(Mutex::new(queue));
        let new_state = Arc::new(new_state);
        let waiting = Arc::new(AtomicUsize::new(0));
        for _ in 0..threads {
            let queue = queue.clone();
            let new_state = new_state.clone();
            let waiting = waiting.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || work_through(&queue, &waiting, &*new_state))?;
        }
        Ok(Self { jobs, waiting })
    }

    /// How many jobs wait for a thread now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Queues `work` and waits for its answer; `Busy` at once when the queue is full. A job
    /// whose caller has gone (the client hung up, the request timed out) is skipped when its
    /// turn comes. The caller's tracing span follows the job onto its thread.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut S) -> T + Send + 'static) -> Result<T, PoolError> {
        let (answer, answered) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job<S> = Box::new(move |state| {
            if answer.is_closed() {
                return;
            }
            let _ = answer.send(span.in_scope(|| work(state)));
        });
        // Counted before it is sent, so that a thread taking it at once never counts below zero.
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.jobs.try_send(job).map_err(|error| {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            match error {
                mpsc::TrySendError::Full(_) => PoolError::Busy,
                mpsc::TrySendError::Disconnected(_) => PoolError::Stopped,
            }
        })?;
        answered.await.map_err(|_| PoolError::Stopped)
    }
}

/// One worker: takes jobs until every [`Pool`] is gone.
fn work_through<S>(queue: &Mutex<mpsc::Receiver<Job<S>>>, waiting: &AtomicUsize, new_state: &dyn Fn() -> S) {
    lower_priority();
    let mut state = new_state();
    loop {
        let job = match queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv() {
            Ok(job) => job,
            Err(mpsc::RecvError) => return,
        };
        waiting.fetch_sub(1, Ordering::Relaxed);
        // A panicking job drops its answer, which its caller sees as an error; the thread
        // carries on with the next one, with a fresh state.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut state))).is_err() {
            state = new_state();
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux the nice value belongs to each thread, so this leaves the rest of the
    // process alone. Failing to lower it is harmless: the work still runs, only at the
    // pages' priority.
    // SAFETY: gettid has no preconditions; setpriority only reads its integer arguments.
    let result = unsafe {
        let thread = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, thread, NICENESS)
    };
    if result != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "could not lower the worker threads' priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Half the cores, at least one: a flood of heavy requests then leaves the other half to
/// the pages.
pub fn half_the_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).div_ceil(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_is_busy_and_a_panicking_job_leaves_the_thread_working() {
        let pool: Pool<u32> = Pool::start("test-worker", 1, 1, || 0).unwrap();
        assert!(pool.run(|_| panic!("a job that panics")).await.is_err());
        assert_eq!(
            pool.run(|count| {
                *count += 1;
                *count
            })
            .await
            .unwrap(),
            1,
            "a fresh state after a panic"
        );
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let blocked = pool.clone();
        let running = tokio::spawn(async move { blocked.run(move |_| wait.recv().ok()).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued = pool.clone();
        let waiting = tokio::spawn(async move { queued.run(|count| *count).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(pool.waiting(), 1, "one runs, one waits");
        assert!(matches!(pool.run(|_| ()).await, Err(PoolError::Busy)));
        assert_eq!(pool.waiting(), 1, "a job turned away is not counted");
        release.send(()).unwrap();
        assert!(running.await.unwrap().is_ok());
        assert_eq!(waiting.await.unwrap().unwrap(), 1);
        assert_eq!(pool.waiting(), 0);
    }
}
