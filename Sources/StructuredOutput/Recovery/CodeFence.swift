/// A fenced code block of Markdown (```json … ``` or ~~~ … ~~~) in a model's answer.
struct CodeFence {
    /// The opening line without its line break, e.g. "```json".
    var opener: String
    /// Whether the info string is empty or names JSON (json, jsonc, json5…).
    var isJSONLabelled: Bool
    /// The bytes between the opening line and the closing one.
    var content: Range<Int>
    /// From the opening line's start to the closing line's end.
    var whole: Range<Int>
    /// False when the text ends before a closing fence, as a truncated answer does.
    var isClosed: Bool

    /// The fenced blocks of `bytes` from `start`, in order.
    ///
    /// A fence is a line of three or more backticks or tildes (after indentation) with an
    /// optional info string; a line of at least as many of the same character closes it.
    static func blocks(in bytes: [UInt8], from start: Int) -> [CodeFence] {
        var blocks: [CodeFence] = []
        var lineStart = start
        while lineStart < bytes.count {
            let lineEnd = endOfLine(in: bytes, from: lineStart)
            guard let opening = fenceRun(in: bytes, line: lineStart..<lineEnd) else {
                lineStart = nextLine(in: bytes, after: lineEnd)
                continue
            }
            let info = trimmed(bytes, opening.rest)
            // A backtick fence's info string holds no backtick; such a line is inline code.
            if opening.character == ASCII.backtick, bytes[info].contains(ASCII.backtick) {
                lineStart = nextLine(in: bytes, after: lineEnd)
                continue
            }
            let contentStart = nextLine(in: bytes, after: lineEnd)
            let label = String(decoding: bytes[info], as: UTF8.self).lowercased()
            var block = CodeFence(
                opener: String(decoding: bytes[opening.start..<info.upperBound], as: UTF8.self),
                isJSONLabelled: label.isEmpty || label.hasPrefix("json"),
                content: contentStart..<bytes.count, whole: lineStart..<bytes.count, isClosed: false)
            var search = contentStart
            while search < bytes.count {
                let searchEnd = endOfLine(in: bytes, from: search)
                if let closing = fenceRun(in: bytes, line: search..<searchEnd), closing.character == opening.character,
                    closing.count >= opening.count, trimmed(bytes, closing.rest).isEmpty
                {
                    block.content = contentStart..<search
                    block.whole = lineStart..<searchEnd
                    block.isClosed = true
                    break
                }
                search = nextLine(in: bytes, after: searchEnd)
            }
            if !block.isClosed { block.closeInlineFence(in: bytes, marker: opening.character, count: opening.count) }
            blocks.append(block)
            lineStart = nextLine(in: bytes, after: block.whole.upperBound)
        }
        return blocks
    }

    /// Models often end the JSON's last line with the closing fence (`}```\n`): take that as the close.
    private mutating func closeInlineFence(in bytes: [UInt8], marker: UInt8, count: Int) {
        let trailing = CodeFence.trimmed(bytes, content)
        var runStart = trailing.upperBound
        while runStart > trailing.lowerBound, bytes[runStart - 1] == marker { runStart -= 1 }
        guard trailing.upperBound - runStart >= count, runStart > trailing.lowerBound else { return }
        content = content.lowerBound..<runStart
        whole = whole.lowerBound..<trailing.upperBound
        isClosed = true
    }

    /// The fence character and how many of it open `line`, and the rest of the line.
    private static func fenceRun(
        in bytes: [UInt8], line: Range<Int>
    ) -> (character: UInt8, count: Int, start: Int, rest: Range<Int>)? {
        var index = line.lowerBound
        while index < line.upperBound, bytes[index] == ASCII.space || bytes[index] == ASCII.tab { index += 1 }
        guard index < line.upperBound, bytes[index] == ASCII.backtick || bytes[index] == ASCII.tilde else { return nil }
        let character = bytes[index]
        let runStart = index
        while index < line.upperBound, bytes[index] == character { index += 1 }
        guard index - runStart >= 3 else { return nil }
        return (character, index - runStart, runStart, index..<line.upperBound)
    }

    private static func endOfLine(in bytes: [UInt8], from index: Int) -> Int {
        var end = index
        while end < bytes.count, bytes[end] != ASCII.lineFeed, bytes[end] != ASCII.carriageReturn { end += 1 }
        return end
    }

    private static func nextLine(in bytes: [UInt8], after lineEnd: Int) -> Int {
        guard lineEnd < bytes.count else { return bytes.count }
        if bytes[lineEnd] == ASCII.carriageReturn, lineEnd + 1 < bytes.count, bytes[lineEnd + 1] == ASCII.lineFeed {
            return lineEnd + 2
        }
        return lineEnd + 1
    }

    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, ASCII.isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, ASCII.isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}
