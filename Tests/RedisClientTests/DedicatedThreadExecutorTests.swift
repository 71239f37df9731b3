import Foundation
import Testing

@testable import VelocityTypes

/// The executor's thread names, which crash reports show: Linux takes at most 15 bytes.
@Suite struct DedicatedThreadExecutorTests {
    @Test("thread names lose the common prefix and are cut to 15 bytes, never inside a character")
    func osNames() {
        #expect(DedicatedThreadExecutor.osName("velocity-redis-pool-3") == "redis-pool-3")
        #expect(DedicatedThreadExecutor.osName("velocity-consumer-media") == "consumer-media")
        #expect(DedicatedThreadExecutor.osName("velocity-events-dream_weaver") == "events-dream_we")
        #expect(DedicatedThreadExecutor.osName("postgres") == "postgres")
        // 14 ASCII bytes, then a 2-byte character that does not fit.
        #expect(DedicatedThreadExecutor.osName("abcdefghijklmné") == "abcdefghijklmn")
    }

    /// Runs on the executor's thread and reads that thread's OS name.
    actor Probe {
        let executor: DedicatedThreadExecutor
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
        init(_ executor: DedicatedThreadExecutor) { self.executor = executor }

        /// The kernel's name of the calling thread.
        func threadName() -> String {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .newlines)
        }
    }

    @Test("the executor's thread carries its short name (a crash report names it)")
    func namedThread() async {
        let executor = DedicatedThreadExecutor(name: "velocity-redis-pool-7")
        let name = await Probe(executor).threadName()
        executor.shutdown()
        #expect(name == "redis-pool-7")
    }
}
