import Foundation
import JSONSchema
import Testing
import VelocityTypes

/// One file of the JSON-Schema-Test-Suite (`Fixtures/draft2020-12/<keyword>.json`): groups of a
/// schema with instances and whether each is valid.
struct SuiteFixture {
    struct Group {
        let description: String
        let schema: JSONValue
        let cases: [Case]
    }

    struct Case {
        let description: String
        let data: JSONValue
        let valid: Bool
    }

    /// A case skipped for a reason, or run: passed, or failed with what went wrong.
    enum Outcome {
        case passed
        case failed(String)
        case skipped(String)
    }

    struct Result {
        let group: String
        let description: String
        let outcome: Outcome
    }

    let name: String
    let groups: [Group]

    init(named name: String) throws {
        self.name = name
        let url = try #require(Bundle.module.url(
            forResource: name, withExtension: "json", subdirectory: "Fixtures/draft2020-12"))
        let document = try JSONValue(parsing: Array(try Data(contentsOf: url)))
        groups = try #require(document.arrayValue).map { group in
            Group(
                description: try #require(group["description"]?.stringValue),
                schema: try #require(group["schema"]),
                cases: try #require(group["tests"]?.arrayValue).map { test in
                    Case(
                        description: try #require(test["description"]?.stringValue),
                        data: try #require(test["data"]),
                        valid: try #require(test["valid"]?.boolValue as Bool?))
                })
        }
    }

    /// The fixture files present in the bundle, without their extension.
    static func bundledNames() throws -> [String] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures/draft2020-12", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(".json".count)) }
            .sorted()
    }

    /// Runs every case, skipping those `skip` names with the reason it gives. The schema of a
    /// group is compiled once, as a job's schema is.
    func run(skip: (_ group: String, _ description: String) -> String?) -> [Result] {
        groups.flatMap { group in
            let compiled = Swift.Result { () throws(SchemaError) in try JSONSchema(group.schema) }
            return group.cases.map { test in
                Result(group: group.description, description: test.description,
                       outcome: outcome(of: test, against: compiled, skip: skip(group.description, test.description)))
            }
        }
    }

    private func outcome(of test: Case, against compiled: Swift.Result<JSONSchema, SchemaError>, skip: String?) -> Outcome {
        if let skip { return .skipped(skip) }
        switch compiled {
        case .failure(let error):
            return .failed("the schema was refused: \(error)")
        case .success(let schema):
            let failures = schema.validate(test.data)
            if failures.isEmpty == test.valid { return .passed }
            return .failed(test.valid
                ? "expected valid, got \(failures.map(\.message))"
                : "expected invalid, got no failure")
        }
    }
}
