import Testing

/// The JSON-Schema-Test-Suite's draft 2020-12 files for the keywords this module implements,
/// committed verbatim under `Fixtures/draft2020-12` with the suite's LICENSE (see SOURCES.md
/// there for where each file came from). Every case runs; the only ones skipped are those in
/// `skipped`, each with its reason.
@Suite("JSON-Schema-Test-Suite, draft 2020-12")
struct OfficialSuiteTests {
    /// A skipped group of a fixture file (every case in it), or one case when `test` is set.
    struct Skip {
        let file: String
        let group: String
        var test: String?
        let reason: String

        func matches(_ file: String, _ group: String, _ test: String) -> Bool {
            self.file == file && self.group == group && (self.test == nil || self.test == test)
        }
    }

    static let metaschema = "validates against the draft 2020-12 metaschema, a remote $ref"
    static let embeddedID = "needs \"$id\" below the root (a second base URI for $ref), not supported"
    static let unevaluated = "needs unevaluatedProperties, not supported"

    static let skipped: [Skip] = [
        Skip(file: "defs", group: "valid definition", reason: metaschema),
        Skip(file: "defs", group: "invalid definition", reason: metaschema),
        Skip(file: "not", group: "collect annotations inside a 'not', even if collection is disabled", reason: unevaluated),
        Skip(file: "prefixItems", group: "prefixItems should properly handle null data",
             reason: "the schema is not valid draft 2020-12 (\"items\" as an array, \"type\": null); it is refused"),
        Skip(file: "ref", group: "remote ref, containing refs itself", reason: metaschema),
        Skip(file: "ref", group: "Recursive references between schemas", reason: embeddedID),
        Skip(file: "ref", group: "ref creates new scope when adjacent to keywords", reason: unevaluated),
        Skip(file: "ref", group: "refs with relative uris and defs", reason: embeddedID),
        Skip(file: "ref", group: "relative refs with absolute uris and defs", reason: embeddedID),
        Skip(file: "ref", group: "$id must be resolved against nearest parent, not just immediate parent", reason: embeddedID),
        Skip(file: "ref", group: "order of evaluation: $id and $ref", reason: embeddedID),
        Skip(file: "ref", group: "order of evaluation: $id and $anchor and $ref", reason: embeddedID),
        Skip(file: "ref", group: "URN base URI with f-component", reason: metaschema),
        Skip(file: "ref", group: "URN ref with nested pointer ref", reason: embeddedID),
        Skip(file: "ref", group: "$ref must be resolved against the current base", reason: embeddedID),
    ]

    /// The fixture files, by keyword; `boolean_schema.json` is not among them (see SOURCES.md).
    static let files = [
        "additionalProperties", "allOf", "anyOf", "const", "defs", "dependentRequired", "enum",
        "exclusiveMaximum", "exclusiveMinimum", "items", "maxItems", "maxLength", "maxProperties", "maximum",
        "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
        "patternProperties", "prefixItems", "properties", "ref", "required", "type", "uniqueItems",
    ]

    static func run(_ file: String) throws -> [SuiteFixture.Result] {
        try SuiteFixture(named: file).run { group, test in
            skipped.first { $0.matches(file, group, test) }?.reason
        }
    }

    @Test("every case of the file passes or is on the skip list", arguments: files)
    func fixture(_ file: String) throws {
        let results = try Self.run(file)
        #expect(!results.isEmpty)
        for result in results {
            if case .failed(let why) = result.outcome {
                Issue.record("\(file).json, \(result.group) / \(result.description): \(why)")
            }
        }
    }

    @Test("the fixture files are the listed ones")
    func fixtureFiles() throws {
        #expect(try SuiteFixture.bundledNames() == Self.files.sorted())
    }

    @Test("every skip names a group of its file")
    func skipsMatchCases() throws {
        for skip in Self.skipped {
            let fixture = try SuiteFixture(named: skip.file)
            let group = fixture.groups.first { $0.description == skip.group }
            #expect(group != nil, "\(skip.file).json has no group \"\(skip.group)\"")
            if let test = skip.test, let group {
                #expect(group.cases.contains { $0.description == test }, "no case \"\(test)\" in \"\(skip.group)\"")
            }
        }
    }

    @Test("pass count per keyword file")
    func passTable() throws {
        var lines = ["keyword                 passed  total  skipped"]
        var totals = (passed: 0, total: 0, skipped: 0)
        for file in Self.files {
            let results = try Self.run(file)
            let passed = results.filter { if case .passed = $0.outcome { true } else { false } }.count
            let skipped = results.filter { if case .skipped = $0.outcome { true } else { false } }.count
            #expect(passed + skipped == results.count, "\(file).json has failing cases")
            totals = (totals.passed + passed, totals.total + results.count, totals.skipped + skipped)
            lines.append(Self.row(file, passed, results.count, skipped))
        }
        lines.append(Self.row("all", totals.passed, totals.total, totals.skipped))
        print(lines.joined(separator: "\n"))
    }

    private static func row(_ name: String, _ passed: Int, _ total: Int, _ skipped: Int) -> String {
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return name.padding(toLength: 22, withPad: " ", startingAt: 0)
            + pad(String(passed), 8) + pad(String(total), 7) + pad(String(skipped), 9)
    }
}
