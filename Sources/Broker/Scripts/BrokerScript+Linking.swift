import Foundation

extension BrokerScript {
    /// The shared Lua each script may use, in definition order: `layout`, `prelude`, `fairness`,
    /// `claiming`.
    static let shared = layout + prelude + fairness + claiming

    /// `shared` cut into its top-level definitions, once.
    static let sharedUnits = LuaUnit.split(shared)

    /// The definitions of `shared` that `body` uses, directly or through one another, in their
    /// order, then `body` run as the script's main function.
    ///
    /// Redis runs a script's whole chunk on every call, creating each local function anew: the
    /// full shared Lua cost every call about 8 µs before doing anything, as much as a job's
    /// own work. A heartbeat needs a tenth of it.
    static func link(_ body: String) -> String {
        let wrapper = "local function main()\n" + body + "\nend\nlocal result = main()\nflush_later()\nreturn result\n"
        let units = sharedUnits
        var definedBy: [Substring: Int] = [:]
        for (index, unit) in units.enumerated() {
            for name in unit.defines where definedBy[name] == nil { definedBy[name] = index }
        }
        var needed = Set<Int>()
        var pending = LuaUnit.identifiers(in: Substring(wrapper))
        while let name = pending.popFirst() {
            guard let index = definedBy[name], needed.insert(index).inserted else { continue }
            pending.formUnion(units[index].uses)
        }
        return needed.sorted().map { units[$0].text }.joined() + wrapper
    }
}

/// One top-level definition of shared Lua: a `local` statement or `local function`, with the
/// comment lines above it and its indented lines and `end`.
struct LuaUnit {
    var text: String
    /// Names it declares.
    var defines: [Substring]
    /// Names its code (comments left out) mentions: a superset of what it uses, which at worst
    /// links a definition it does not need.
    var uses: Set<Substring>

    /// Splits Lua whose top-level statements all start at column 0 with `local` (the code inside
    /// them is indented; `end` closes a function).
    static func split(_ source: String) -> [LuaUnit] {
        var units: [LuaUnit] = []
        var lines: [Substring] = []
        var comments: [Substring] = []
        func close() {
            guard let statement = lines.first(where: { $0.hasPrefix("local ") }) else { return }
            let text = lines.map { $0 + "\n" }.joined()
            units.append(LuaUnit(text: text, defines: declared(by: statement), uses: identifiers(in: Substring(text))))
            lines = []
        }
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("local ") {
                close()
                lines = comments + [line]
                comments = []
            } else if line.hasPrefix("--") {
                comments.append(line)
            } else {
                lines += comments + [line]
                comments = []
            }
        }
        close()
        return units
    }

    /// `local function f(` declares f; `local a, b = …` declares a and b.
    private static func declared(by line: Substring) -> [Substring] {
        var rest = line.dropFirst("local ".count)
        if rest.hasPrefix("function ") {
            rest = rest.dropFirst("function ".count)
            return [rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }]
        }
        let names = rest.prefix { $0 != "=" }
        return names.split(separator: ",").map { name in
            name.drop(while: \.isWhitespace).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        }
    }

    /// Every identifier outside `--` comments.
    static func identifiers(in code: Substring) -> Set<Substring> {
        var names = Set<Substring>()
        for line in code.split(separator: "\n") {
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line
            var index = code.startIndex
            while index < code.endIndex {
                let character = code[index]
                if character.isLetter || character == "_" {
                    let end = code[index...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? code.endIndex
                    names.insert(code[index..<end])
                    index = end
                } else {
                    index = code.index(after: index)
                }
            }
        }
        return names
    }
}
