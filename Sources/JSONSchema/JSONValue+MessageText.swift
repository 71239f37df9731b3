import VelocityTypes

extension JSONValue {
    /// The value as it appears in failure messages: JSON, numbers without a needless `.0`,
    /// and cut at 60 characters so that one long string does not swamp the message.
    var messageText: String {
        let text = SchemaNumber(self)?.text ?? jsonText
        guard text.count > 60 else { return text }
        return "\(text.prefix(57))..."
    }
}

extension String {
    /// The string as a JSON literal for messages, cut like `JSONValue.messageText`.
    var quotedForMessage: String { JSONValue.string(self).messageText }
}
