/// Waits until `condition` holds, checking every 20 ms; gives up after `limit`, which is a
/// safety bound against a hung test, never a performance assertion.
public func eventually(
    _ description: String, limit: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(description: description)
}

public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
}
