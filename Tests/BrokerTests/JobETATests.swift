import Broker
import Testing

/// The ETA arithmetic, without Redis.
@Suite("Job ETA")
struct JobETATests {
    @Test("run times only: the jobs ahead share the running slots, then its own run")
    func fromRunTimes() throws {
        let eta = try #require(
            JobETA.estimate(position: 8, running: 4, kindRuns: [300, 100, 200], queueRuns: [100, 100, 100, 100]))
        // 8 × 100 ms over 4 slots, then the median of its kind; no spread in the queue's runs.
        #expect(eta.p50Milliseconds == 200 + 200)
        #expect(eta.p90Milliseconds == 200 + 300)
    }

    @Test("a measured completion rate sets when the jobs ahead are done; run spread widens the p90")
    func fromThroughput() throws {
        let eta = try #require(
            JobETA.estimate(position: 100, running: 2, kindRuns: [], queueRuns: [10, 30], throughput: 50))
        #expect(eta.p50Milliseconds == 2_000 + 10)
        // 1.2816 × 10 ms (deviation) × √100 ÷ 2 slots = 64 ms more, then the p90 run.
        #expect(eta.p90Milliseconds == 2_000 + 64 + 30)
        #expect(JobETA.estimate(position: 3, running: 1, kindRuns: [], queueRuns: [], throughput: 10)?.p50Milliseconds == 300)
    }

    @Test("nothing to estimate from, or no position: no ETA")
    func none() {
        #expect(JobETA.estimate(position: 5, running: 1, kindRuns: [], queueRuns: []) == nil)
        #expect(JobETA.estimate(position: 5, running: 1, kindRuns: [], queueRuns: [], throughput: 0) == nil)
        #expect(JobETA.estimate(position: -1, running: 1, kindRuns: [10], queueRuns: [10]) == nil)
    }
}
