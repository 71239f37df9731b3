import Synchronization
import Testing

@testable import Workers

@Suite("Worker slots")
struct WorkerSlotsTests {
    @Test("acquire takes every free slot up to the limit, and waits for the minimum asked within its patience")
    func minimum() async throws {
        let slots = WorkerSlots(8)
        #expect(await slots.acquire(upTo: 5) == 5)
        #expect(await slots.acquire(upTo: 5) == 3)
        // Nothing free: a claim that wants half a batch waits for 4 slots, not for the first.
        let taken = Mutex<Int?>(nil)
        let waiter = Task {
            let n = await slots.acquire(atLeast: 4, upTo: 8, patience: .seconds(60))
            taken.withLock { $0 = n }
        }
        slots.release(3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(taken.withLock { $0 } == nil)
        slots.release(2)
        await waiter.value
        #expect(taken.withLock { $0 } == 5)
        // A minimum above the limit is the limit.
        slots.release(2)
        #expect(await slots.acquire(atLeast: 10, upTo: 2) == 2)
    }

    @Test("past its patience a claim takes the one slot free: long jobs never keep the rest idle")
    func patience() async throws {
        let slots = WorkerSlots(8)
        #expect(await slots.acquire(upTo: 8) == 8)
        slots.release(1)
        let clock = ContinuousClock.now
        #expect(await slots.acquire(atLeast: 4, upTo: 8, patience: .milliseconds(30)) == 1)
        #expect(clock.duration(to: .now) >= .milliseconds(30))
        // The first release after the patience ran out is taken at once.
        let waiter = Task { await slots.acquire(atLeast: 4, upTo: 8, patience: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(20))
        slots.release(1)
        #expect(await waiter.value == 1)
    }
}
