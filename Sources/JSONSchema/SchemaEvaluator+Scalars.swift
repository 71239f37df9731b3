import VelocityTypes

/// `type`, `enum`, `const`, and the keywords of numbers and strings.
extension SchemaEvaluator {
    /// `enum` lists longer than this are cut in messages.
    private static let listedOptions = 10

    func checkValue(_ keyword: Keyword, at path: String, _ instance: JSONValue, into failures: inout [ValidationFailure]) {
        switch keyword {
        case .type(let types) where !types.contains(where: { $0.matches(instance) }):
            let expected = types.map(\.rawValue).joined(separator: " or ")
            failures.append(failure("type", at: path, "expected type \(expected) but got \(JSONType.name(of: instance))"))
        case .enumeration(let options) where !options.contains(where: { $0.schemaEquals(instance) }):
            var listed = options.prefix(Self.listedOptions).map(\.messageText).joined(separator: ", ")
            if options.count > Self.listedOptions { listed += ", ..." }
            failures.append(failure("enum", at: path, "\(instance.messageText) is not one of \(listed)"))
        case .constant(let value) where !value.schemaEquals(instance):
            failures.append(failure("const", at: path, "must be \(value.messageText), got \(instance.messageText)"))
        default:
            break
        }
    }

    func checkNumber(
        _ keyword: Keyword, at path: String, _ number: SchemaNumber, _ instance: JSONValue,
        into failures: inout [ValidationFailure]
    ) {
        let value = number.text
        switch keyword {
        case .minimum(let bound) where number.compare(to: bound) < 0:
            failures.append(failure("minimum", at: path, "\(value) is less than the minimum \(bound.text)"))
        case .maximum(let bound) where number.compare(to: bound) > 0:
            failures.append(failure("maximum", at: path, "\(value) is greater than the maximum \(bound.text)"))
        case .exclusiveMinimum(let bound) where number.compare(to: bound) <= 0:
            failures.append(failure("exclusiveMinimum", at: path, "\(value) must be greater than \(bound.text)"))
        case .exclusiveMaximum(let bound) where number.compare(to: bound) >= 0:
            failures.append(failure("exclusiveMaximum", at: path, "\(value) must be less than \(bound.text)"))
        case .multipleOf(let divisor) where !number.isMultiple(of: divisor):
            failures.append(failure("multipleOf", at: path, "\(value) is not a multiple of \(divisor.text)"))
        default:
            break
        }
    }

    /// Lengths count Unicode code points, as the specification asks: "💩" is one character,
    /// "é" written as e + U+0301 is two.
    func checkString(_ keyword: Keyword, at path: String, _ text: String, into failures: inout [ValidationFailure]) {
        switch keyword {
        case .minLength(let minimum):
            let length = text.unicodeScalars.count
            if length < minimum {
                failures.append(failure("minLength", at: path,
                    "string is \(Self.count(length, "character")) long, shorter than the minimum length \(minimum)"))
            }
        case .maxLength(let maximum):
            let length = text.unicodeScalars.count
            if length > maximum {
                failures.append(failure("maxLength", at: path,
                    "string is \(Self.count(length, "character")) long, longer than the maximum length \(maximum)"))
            }
        case .pattern(let pattern) where !pattern.matches(text):
            failures.append(failure("pattern", at: path,
                "\(text.quotedForMessage) does not match the pattern \(pattern.source.quotedForMessage)"))
        case .format(let format) where !format.accepts(text):
            failures.append(failure("format", at: path,
                "\(text.quotedForMessage) is not a valid \(format.rawValue); expected \(format.example)"))
        default:
            break
        }
    }
}
