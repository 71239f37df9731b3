/// One finished step of a mode switch and how long it took, as the agent publishes it while
/// the switch runs, so an operator sees every step, however short, with its duration.
public struct SwitchStepTiming: Sendable, Equatable, Codable {
    public var step: ModeSwitchStep
    public var rollingBack: Bool
    public var succeeded: Bool
    public var durationMilliseconds: Int
    /// Why it failed, when it did.
    public var message: String?

    public init(step: ModeSwitchStep, rollingBack: Bool, succeeded: Bool, durationMilliseconds: Int, message: String? = nil) {
        self.step = step
        self.rollingBack = rollingBack
        self.succeeded = succeeded
        self.durationMilliseconds = durationMilliseconds
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case step, succeeded, message
        case rollingBack = "rolling_back"
        case durationMilliseconds = "duration_ms"
    }
}
