/// The answer holds no JSON value that can be recovered.
public struct JSONRecoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why, in a sentence.
    public var message: String
    /// The UTF-8 byte offset in the answer where recovery gave up (0 when nothing was found).
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "no JSON recovered (offset \(offset)): \(message)" }
}
