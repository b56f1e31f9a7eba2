import Synchronization
public import WaystationCore

/// Wakes the uplink when a commit added events to a lane. Generations only grow; a waiter passes the
/// generation it last saw and returns as soon as a newer one exists.
public final class LaneSignal: Sendable {
    private struct Waiter {
        var lane: Lane
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var generations: [Lane: UInt64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func generation(_ lane: Lane) -> UInt64 { state.withLock { $0.generations[lane, default: 0] } }

    /// Wakes whoever waits on these lanes.
    public func bump(_ lanes: Set<Lane>) {
        guard !lanes.isEmpty else { return }
        let ready = state.withLock { state in
            for lane in lanes { state.generations[lane, default: 0] += 1 }
            let ready = state.waiters.filter { lanes.contains($0.value.lane) }
            for id in ready.keys { state.waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `lane` has a generation newer than `seen`, or the task is cancelled.
    public func wait(_ lane: Lane, after seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generations[lane, default: 0] > seen || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(lane: lane, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }
}
