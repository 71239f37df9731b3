/// The emulator's "model": a deterministic word sequence seeded by a hash of the prompt, so
/// the same request always gets the same answer and tests can predict it.
public enum EmulatedText {
    static let vocabulary = [
        "the", "room", "light", "warm", "oak", "floor", "window", "calm", "linen", "stone", "modern", "soft", "wall",
        "green", "chair", "table", "brass", "open", "space", "quiet", "wood", "white", "plant", "lamp", "rug", "glass",
        "bright", "shelf", "clean", "cozy", "velvet", "marble", "sofa", "curtain", "ceiling", "corner", "texture",
        "balance", "natural", "accent", "frame", "tile", "arch", "bench", "mirror", "vase", "copper", "cream",
    ]

    /// The prompt as the emulator hashes and counts it: every message's text, in order.
    public static func promptText(messages: [(role: String, content: String)]) -> String {
        messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
    }

    /// Prompt tokens: words of the prompt plus a few per message for the chat template.
    public static func promptTokens(messages: [(role: String, content: String)]) -> Int {
        messages.reduce(0) { $0 + 4 + $1.content.split(whereSeparator: \.isWhitespace).count }
    }

    /// The first `count` tokens of the answer to `prompt`; each token is one word, the ones
    /// after the first with a leading space, so the content is the tokens concatenated.
    public static func tokens(prompt: String, count: Int) -> [String] {
        var generator = SplitMix64(seed: fnv1a(prompt))
        return (0..<max(0, count)).map { index in
            let word = vocabulary[Int(generator.next() % UInt64(vocabulary.count))]
            return index == 0 ? word : " " + word
        }
    }

    /// The whole answer: `tokens(prompt:count:)` joined.
    public static func content(prompt: String, count: Int) -> String {
        tokens(prompt: prompt, count: count).joined()
    }

    /// A text the emulator did not make word by word (a JSON answer) cut into tokens of up to
    /// `size` characters, about what a tokenizer makes of JSON.
    public static func pieces(of text: String, size: Int = 4) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == size {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func fnv1a(_ text: String) -> UInt64 { SplitMix64.fnv1a(text.utf8) }
}
