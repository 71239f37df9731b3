import Testing

@testable import Workers

/// The render's estimated end, from the sampler's pace or the last render's length (no I/O:
/// the instants are given).
@Suite("Render pace")
struct RenderPaceTests {
    @Test("the end comes from the progress reports' pace since the first, not from when the render began")
    func fromProgress() {
        let pace = RenderPace()
        let t0 = ContinuousClock.now
        #expect(pace.remaining(at: t0) == .zero)  // nothing runs
        pace.begin(at: t0)
        #expect(pace.remaining(at: t0) == nil)  // nothing tells yet
        // A 6 s model load, then 10 % a second.
        pace.progress(0.1, at: t0 + .seconds(7))
        pace.progress(0.3, at: t0 + .seconds(9))
        let left = pace.remaining(at: t0 + .seconds(9))!
        #expect(left > .milliseconds(6_990) && left < .milliseconds(7_010))
        #expect(pace.remaining(at: t0 + .seconds(20)) == .zero)
    }

    @Test("without progress, the last render's length tells; an ended render leaves nothing to wait for")
    func fromLastLength() {
        let pace = RenderPace()
        let t0 = ContinuousClock.now
        pace.begin(at: t0)
        pace.end(at: t0 + .seconds(4))
        #expect(pace.remaining(at: t0 + .seconds(5)) == .zero)
        pace.begin(at: t0 + .seconds(5))
        #expect(pace.remaining(at: t0 + .seconds(6)) == .seconds(3))
    }

    @Test("untilNearEnd waits while the render is far from its end, checking until it stops")
    func waitsWhileFar() async {
        let pace = RenderPace()
        pace.begin()
        pace.progress(0.1, at: .now - .seconds(10))
        pace.progress(0.2, at: .now)  // 80 s left
        var checks = 0
        await pace.untilNearEnd(lead: .seconds(1), interval: .milliseconds(1)) {
            checks += 1
            return checks == 3
        }
        #expect(checks == 3)
    }

    @Test("untilNearEnd returns at once when the render is near its end, ended, or stopped")
    func waits() async {
        let pace = RenderPace()
        await pace.untilNearEnd(lead: .seconds(1)) { false }  // nothing runs
        pace.begin()
        await pace.untilNearEnd(lead: .seconds(1)) { false }  // nothing tells: no wait
        pace.end()
        pace.begin()
        pace.progress(0.1, at: .now - .seconds(10))
        pace.progress(0.2, at: .now)  // 80 s left
        await pace.untilNearEnd(lead: .seconds(1)) { true }  // stopped
    }
}
