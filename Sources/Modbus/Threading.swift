import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC as a `Duration` since an arbitrary origin: immune to the wall clock jumping when a
/// gateway without a real-time clock synchronises.
public enum Monotonic {
    public static func now() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }

    static func wallMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

extension ModbusBus {
    /// Names the calling thread as `top` and `/proc/PID/task/TID/comm` show it (Linux keeps 15 bytes).
    static func nameCurrentThread(_ name: String) {
        // pthread_setname_np is not visible to Swift on Glibc; /proc/thread-self/comm is the same thing.
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}

/// Lets a bus thread sleep until a monotonic deadline, and be woken early when its jobs change or it must stop.
/// A pthread condition on CLOCK_MONOTONIC: `NSCondition` waits on the wall clock.
final class WakeUp: @unchecked Sendable {
    // @unchecked: the mutex and condition live at fixed heap addresses, created in init and destroyed in deinit;
    // `generation` is only touched with the mutex held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var generation: UInt64 = 0

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Take this before reading the state you will sleep on; pass it to `wait` so no wake-up is missed.
    var current: UInt64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return generation
    }

    func notify() {
        pthread_mutex_lock(mutex)
        generation &+= 1
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until `deadline` (monotonic; nil = until notified), unless notified since `seen` was taken.
    func wait(until deadline: Duration?, seen: UInt64) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard generation == seen else { return }
        guard let deadline else {
            pthread_cond_wait(condition, mutex)
            return
        }
        let (seconds, attoseconds) = deadline.components
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &spec)
    }
}

/// Lets async code await the end of a dedicated thread without blocking a cooperative thread.
final class ThreadCompletion: Sendable {
    private let state = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func finish() {
        let waiters = state.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isDone: Bool { state.withLock { $0.done } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}
