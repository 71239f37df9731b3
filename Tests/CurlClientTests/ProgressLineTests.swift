import CurlClient
import Testing

@Suite("Progress line formatting")
struct ProgressLineTests {
    @Test("a known fraction fills the bar and shows a percentage, then status, message and time")
    func known() {
        let line = ProgressLine(fraction: 0.5, status: "processing", message: "rendering step 10/20", elapsedSeconds: 12.34)
        #expect(line.rendered(barWidth: 10) == "[#####-----] 50% processing · rendering step 10/20 · 12.3s")
        #expect(ProgressLine(fraction: 1, status: "succeeded", elapsedSeconds: 0).rendered(barWidth: 4) == "[####] 100% succeeded · 0.0s")
    }

    @Test("an unknown fraction leaves the bar empty; out-of-range fractions are clamped")
    func unknownAndClamped() {
        #expect(
            ProgressLine(fraction: nil, status: "queued", message: "3 ahead", elapsedSeconds: 1.05).rendered(barWidth: 5)
                == "[-----] queued · 3 ahead · 1.0s")
        #expect(ProgressLine(fraction: 7, status: "x", elapsedSeconds: 0).rendered(barWidth: 2) == "[##] 100% x · 0.0s")
        #expect(ProgressLine(fraction: -1, status: "x", elapsedSeconds: 0).rendered(barWidth: 2) == "[--] 0% x · 0.0s")
        #expect(ProgressLine(fraction: .nan, status: "x", message: "", elapsedSeconds: 0).rendered(barWidth: 2) == "[--] x · 0.0s")
    }

    @Test("durations read as seconds, minutes or hours")
    func durations() {
        #expect(ProgressLine.duration(0.06) == "0.0s")
        #expect(ProgressLine.duration(59.99) == "59.9s")
        #expect(ProgressLine.duration(65) == "1m05s")
        #expect(ProgressLine.duration(7_380) == "2h03m")
    }
}
