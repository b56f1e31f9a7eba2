import Foundation
import Synchronization
import WaystationCore

/// Commits inputs in groups: everything queued while one commit runs goes into the next transaction, so N
/// producers pay for one commit (and one fsync under `durability: power`).
///
/// Whoever finds the writer idle commits: a thread that may block (a libmosquitto network thread) commits on
/// its own thread, with no hand-off; async callers, which must not block the cooperative pool, wake the
/// writer's own thread instead. Only one committer runs at a time.
final class GroupCommitWriter: Sendable {
    typealias Completion = @Sendable ([AcceptOutcome]) -> Void
    typealias Commit = @Sendable ([OutboxInput]) -> [AcceptOutcome]

    private struct Pending {
        var inputs: [OutboxInput]
        var completion: Completion
    }

    private struct State {
        var queue: [Pending] = []
        /// A committer is draining the queue.
        var busy = false
        var closed = false
    }

    private let state = Locked(State())
    private let commit: Commit
    private let workAvailable = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Most inputs one transaction takes; the rest wait for the next.
    private let maxGroup: Int

    init(maxGroup: Int = 2048, commit: @escaping Commit) {
        self.maxGroup = maxGroup
        self.commit = commit
        let thread = Thread { [self] in
            while true {
                workAvailable.wait()
                drain()
                let done = state.withLock { $0.closed && $0.queue.isEmpty && !$0.busy }
                if done { break }
            }
            stopped.signal()
        }
        thread.name = "waystation-outbox-writer"
        thread.start()
    }

    /// Queues inputs; `completion` runs after the commit that carries them, on the committing thread.
    /// The writer's thread commits them (for callers that must not block).
    func submit(_ inputs: [OutboxInput], completion: @escaping Completion) {
        switch enqueue(inputs, completion) {
        case .refused: completion(inputs.map { _ in .failed("outbox is closed") })
        case .lead: workAvailable.signal()
        case .follow: break
        }
    }

    /// Commits inputs on the calling thread if the writer is idle, else waits for the commit carrying them.
    func commitBlocking(_ inputs: [OutboxInput]) -> [AcceptOutcome] {
        let done = DispatchSemaphore(value: 0)
        let box = Locked<[AcceptOutcome]>([])
        let completion: Completion = { outcomes in
            box.withLock { $0 = outcomes }
            done.signal()
        }
        switch enqueue(inputs, completion) {
        case .refused: return inputs.map { _ in .failed("outbox is closed") }
        case .lead: drain()
        case .follow: break
        }
        done.wait()
        return box.withLock { $0 }
    }

    private enum Role { case lead, follow, refused }

    private func enqueue(_ inputs: [OutboxInput], _ completion: @escaping Completion) -> Role {
        state.withLock { state in
            guard !state.closed else { return .refused }
            state.queue.append(Pending(inputs: inputs, completion: completion))
            if state.busy { return .follow }
            state.busy = true
            return .lead
        }
    }

    /// Commits groups until the queue is empty, then lets the next caller lead.
    private func drain() {
        while true {
            let group = state.withLock { state -> [Pending] in
                var taken: [Pending] = []
                var count = 0
                while !state.queue.isEmpty, count < maxGroup || taken.isEmpty {
                    let next = state.queue.removeFirst()
                    count += next.inputs.count
                    taken.append(next)
                }
                if taken.isEmpty { state.busy = false }
                return taken
            }
            guard !group.isEmpty else { return }
            let outcomes = commit(group.flatMap(\.inputs))
            var offset = 0
            for pending in group {
                pending.completion(Array(outcomes[offset..<(offset + pending.inputs.count)]))
                offset += pending.inputs.count
            }
        }
    }

    /// Commits what is queued, then stops the writer's thread. Blocks until it has.
    func close() {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        // Wait out a committer on another thread, then let the writer's thread see `closed` and finish.
        while state.withLock({ $0.busy || !$0.queue.isEmpty }) { usleep(1_000) }
        workAvailable.signal()
        stopped.wait()
    }
}

#if canImport(Glibc)
import Glibc
#endif
