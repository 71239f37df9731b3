import Testing
@testable import Workers

@Suite("AIMD window")
struct LLMAIMDWindowTests {
    static func load(running: Int, queued: Int) -> ServerLoad { ServerLoad(running: running, queued: queued, source: .sglang) }

    @Test("slow start doubles while the server's queue is below the band and the window is used up")
    func slowStart() {
        var window = AIMDWindow(.init(floor: 1, ceiling: 64, initial: 2))
        #expect(window.observe(Self.load(running: 2, queued: 0), inFlight: 2) == .increased(from: 2))
        #expect(window.limit == 4)
        #expect(window.observe(Self.load(running: 4, queued: 0), inFlight: 4) == .increased(from: 4))
        #expect(window.limit == 8)
        #expect(window.phase == .slowStart)
    }

    @Test("an unused window does not grow")
    func noGrowthWhenIdle() {
        var window = AIMDWindow(.init(initial: 8))
        #expect(window.observe(Self.load(running: 3, queued: 0), inFlight: 3) == .held)
        #expect(window.limit == 8)
    }

    @Test("a queue above the band shrinks the window multiplicatively and ends slow start; then growth is additive")
    func decreaseThenAdditive() {
        var window = AIMDWindow(.init(floor: 1, ceiling: 256, initial: 40, queueBackoff: 0.9))
        // 32 running: the band is 1...2 waiting (256 running: 4...16); 8 waiting is too many.
        #expect(window.queueTarget(running: 32) == 1...2)
        #expect(window.queueTarget(running: 256) == 4...16)
        #expect(window.observe(Self.load(running: 32, queued: 8), inFlight: 40) == .decreased(from: 40))
        #expect(window.limit == 36)
        #expect(window.phase == .avoidance)
        // Inside the band: hold.
        #expect(window.observe(Self.load(running: 32, queued: 2), inFlight: 36) == .held)
        // Below it: one step at a time now.
        #expect(window.observe(Self.load(running: 32, queued: 0), inFlight: 36) == .increased(from: 36))
        #expect(window.limit == 37)
    }

    @Test("while the excess of a decrease drains, more bad news does not shrink the window again")
    func onePerDrain() {
        var window = AIMDWindow(.init(initial: 40))
        #expect(window.observeOverload(inFlight: 40) == .decreased(from: 40))
        #expect(window.limit == 20)
        #expect(window.observeOverload(inFlight: 38) == .held)
        #expect(window.observe(Self.load(running: 32, queued: 30), inFlight: 30) == .held)
        #expect(window.limit == 20)
        #expect(window.observeOverload(inFlight: 20) == .decreased(from: 20))
        #expect(window.limit == 10)
    }

    @Test("429s, 503s and timeouts halve the window down to the floor, never below")
    func floorAndCeiling() {
        var window = AIMDWindow(.init(floor: 3, ceiling: 10, initial: 8))
        window.observeOverload(inFlight: 8)
        #expect(window.limit == 4)
        window.observeOverload(inFlight: 4)
        #expect(window.limit == 3)
        #expect(window.observeOverload(inFlight: 3) == .held)
        #expect(window.limit == 3)
        for _ in 0..<20 { window.observe(Self.load(running: 1, queued: 0), inFlight: window.limit) }
        #expect(window.limit == 10)
    }

    @Test("a fixed window never moves")
    func fixed() {
        var window = AIMDWindow(.fixed(32))
        window.observeOverload(inFlight: 32)
        window.observe(Self.load(running: 32, queued: 0), inFlight: 32)
        window.observeLatency(secondsPerToken: 1, inFlight: 32)
        #expect(window.limit == 32)
    }

    @Test("latency mode: grows while latency stays near the unloaded baseline, shrinks when it rises past the factor")
    func latencyMode() {
        var window = AIMDWindow(.init(floor: 1, ceiling: 64, initial: 2, latencyFactor: 1.5))
        // Slow start: +1 per completion at the baseline (doubling per window's worth).
        #expect(window.observeLatency(secondsPerToken: 0.010, inFlight: 2) == .increased(from: 2))
        #expect(window.observeLatency(secondsPerToken: 0.010, inFlight: 3) == .increased(from: 3))
        #expect(window.limit == 4)
        // Queueing doubles per-token latency: the smoothed value crosses 1.5 × baseline.
        var change = AIMDWindow.Change.held
        var before = window.limit
        for _ in 0..<10 {
            before = window.limit
            change = window.observeLatency(secondsPerToken: 0.030, inFlight: window.limit)
            if case .decreased = change { break }
        }
        #expect(change == .decreased(from: before))
        #expect(window.phase == .avoidance)
        let afterDecrease = window.limit
        #expect(afterDecrease < before)
        // Back at the baseline, avoidance adds one per window's worth of completions.
        var completions = 0
        while window.limit == afterDecrease && completions < 100 {
            window.observeLatency(secondsPerToken: 0.010, inFlight: window.limit)
            completions += 1
        }
        #expect(window.limit == afterDecrease + 1)
        #expect(completions >= afterDecrease)
    }

    @Test("Prometheus text: SGLang gauges summed over replicas but not over tensor ranks; vLLM's; neither")
    func parseLoad() {
        let sglang = """
            # HELP sglang:num_running_reqs The number of running requests.
            # TYPE sglang:num_running_reqs gauge
            sglang:num_running_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0",dp_rank="0"} 30.0
            sglang:num_running_reqs{model_name="m",engine_type="unified",tp_rank="1",pp_rank="0",dp_rank="0"} 30.0
            sglang:num_running_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0",dp_rank="1"} 2.0
            sglang:num_queue_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0",dp_rank="0"} 5.0
            sglang:num_queue_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0",dp_rank="1"} 1e0
            sglang:gen_throughput{model_name="m"} 86.5
            """
        #expect(ServerLoad.parse(sglang) == ServerLoad(running: 32, queued: 6, source: .sglang))
        let old = "sglang:num_running_reqs{model_name=\"a \\\"q\\\" b\"} 162.0\nsglang:num_queue_reqs{model_name=\"x\"} 2826.0\n"
        #expect(ServerLoad.parse(old) == ServerLoad(running: 162, queued: 2826, source: .sglang))
        let vllm = """
            vllm:num_requests_running{engine="0",model_name="m"} 7.0
            vllm:num_requests_waiting{engine="0",model_name="m"} 0.0
            vllm:num_requests_running{engine="1",model_name="m"} 5.0
            vllm:num_requests_waiting{engine="1",model_name="m"} 2.0
            """
        #expect(ServerLoad.parse(vllm) == ServerLoad(running: 12, queued: 2, source: .vllm))
        #expect(ServerLoad.parse("python_gc_objects_collected_total{generation=\"0\"} 455678.0\n") == nil)
        #expect(ServerLoad.parse("not prometheus at all {") == nil)
        // Readings that are no count are left out (fuzzing found NaN crashing the conversion).
        let odd = """
            sglang:num_running_reqs{dp_rank="0"} NaN
            sglang:num_running_reqs{dp_rank="1"} +Inf
            sglang:num_running_reqs{dp_rank="2"} 3.0
            sglang:num_queue_reqs{dp_rank="0"} -4
            sglang:num_queue_reqs{dp_rank="1"} 1e300
            sglang:num_queue_reqs{dp_rank="2"} 2
            """
        #expect(ServerLoad.parse(odd) == ServerLoad(running: 3, queued: 2, source: .sglang))
        #expect(ServerLoad.parse("vllm:num_requests_running NaN\nvllm:num_requests_waiting -Inf\n") == nil)
    }
}
