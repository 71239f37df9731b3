import Broker
import Testing

@testable import Gateway

@Suite("Job event sequence (what an /events stream writes)")
struct JobEventSequenceTests {
    static func event(_ state: String, _ position: Int) -> JobEvent {
        JobEvent(position: "1-\(position)", jobID: "j", state: state)
    }

    static func names(first: String, _ states: [String]) -> [String] {
        var sequence = JobEventSequence(firstStatus: first)
        return [first]
            + states.enumerated().compactMap { sequence.name(for: event($0.element, $0.offset)) }
    }

    @Test("the submit's queued change arriving after the status read is not written twice")
    func submitEcho() {
        #expect(
            Self.names(first: "queued", ["queued", "starting", "processing", "progress", "succeeded"])
                == ["queued", "starting", "processing", "progress", "succeeded"])
    }

    @Test(
        "progress repeats; a retry's second queued is a real change; nothing after the terminal one")
    func repeatsAndRetries() {
        #expect(
            Self.names(
                first: "processing",
                ["progress", "progress", "retrying", "queued", "starting", "failed", "queued"])
                == ["processing", "progress", "progress", "retrying", "queued", "starting", "failed"])
    }

    @Test("a terminal status read on a quiet stream closes it once; a non-terminal one does not")
    func closing() {
        var sequence = JobEventSequence(firstStatus: "processing")
        #expect(sequence.closing(status: "processing") == nil)
        #expect(sequence.closing(status: "succeeded") == "succeeded")
        #expect(sequence.closing(status: "succeeded") == nil)
        #expect(sequence.name(for: Self.event("succeeded", 1)) == nil)

        var done = JobEventSequence(firstStatus: "canceled")
        #expect(done.finished)
        #expect(done.closing(status: "canceled") == nil)
    }
}
