import Foundation
import Synchronization
import WaystationCore

/// One thread that commits inputs in groups: everything queued while the previous commit ran goes into
/// the next transaction, so N producers pay for one commit (and one fsync under `durability: power`).
final class GroupCommitWriter: Sendable {
    typealias Completion = @Sendable ([AcceptOutcome]) -> Void
    typealias Commit = @Sendable ([OutboxInput]) -> [AcceptOutcome]

    private struct Pending {
        var inputs: [OutboxInput]
        var completion: Completion
    }

    private struct State {
        var queue: [Pending] = []
        var closed = false
        var finished = false
    }

    private let state = Locked(State())
    private let workAvailable = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Most inputs one transaction takes; the rest wait for the next.
    private let maxGroup: Int

    init(maxGroup: Int = 2048, commit: @escaping Commit) {
        self.maxGroup = maxGroup
        let thread = Thread { [state, workAvailable, stopped, maxGroup] in
            while true {
                workAvailable.wait()
                let (group, closed) = state.withLock { state -> ([Pending], Bool) in
                    var taken: [Pending] = []
                    var count = 0
                    while !state.queue.isEmpty, count < maxGroup || taken.isEmpty {
                        let next = state.queue.removeFirst()
                        count += next.inputs.count
                        taken.append(next)
                    }
                    return (taken, state.closed)
                }
                if !group.isEmpty {
                    let outcomes = commit(group.flatMap(\.inputs))
                    var offset = 0
                    for pending in group {
                        pending.completion(Array(outcomes[offset..<(offset + pending.inputs.count)]))
                        offset += pending.inputs.count
                    }
                    // More may have queued while we committed, beyond the one signal per submit.
                    let more = state.withLock { !$0.queue.isEmpty }
                    if more { workAvailable.signal() }
                } else if closed {
                    break
                }
            }
            state.withLock { $0.finished = true }
            stopped.signal()
        }
        thread.name = "waystation-outbox-writer"
        thread.start()
    }

    /// Queues inputs; `completion` runs on the writer thread after the commit that carries them.
    func submit(_ inputs: [OutboxInput], completion: @escaping Completion) {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.queue.append(Pending(inputs: inputs, completion: completion))
            return true
        }
        if accepted {
            workAvailable.signal()
        } else {
            completion(inputs.map { _ in .failed("outbox is closed") })
        }
    }

    /// Commits what is queued, then stops the thread. Blocks until it has.
    func close() {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        workAvailable.signal()
        stopped.wait()
    }
}
