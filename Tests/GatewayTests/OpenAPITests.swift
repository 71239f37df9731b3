import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Gateway

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the document describes exactly the router's routes")
    func matchesRouter() async throws {
        let fixture = try await GatewayFixture.make()
        let router = fixture.gateway.makeRouter()
        await fixture.tearDown()
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from the document")
        #expect(documented.subtracting(routed).sorted() == [], "documented routes the router lacks")
        #expect(OpenAPIDocument.operations.count == documented.count, "an operation is documented twice")
    }

    @Test("every link names an operation of the document, fills exactly its path parameters, from fields the answer has")
    func links() throws {
        let document = OpenAPIDocument.json()
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        var byID: [String: (path: String, operation: [String: Any])] = [:]
        for (path, methods) in paths {
            for (_, operation) in methods { byID[operation["operationId"] as? String ?? ""] = (path, operation) }
        }
        func pathParameters(_ path: String) -> Set<String> {
            Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
        }
        /// The properties of a response's JSON body schema (a `$ref` to a component).
        func properties(of response: [String: Any]) -> [String: Any] {
            let ref =
                ((response["content"] as? [String: [String: Any]])?["application/json"]?["schema"]
                as? [String: String])?["$ref"]
            return ref.flatMap { schemas[String($0.split(separator: "/").last!)]?["properties"] } as? [String: Any] ?? [:]
        }
        var count = 0
        for (path, methods) in paths {
            for (method, operation) in methods {
                let route = "\(method.uppercased()) \(path)"
                for (code, response) in operation["responses"] as? [String: [String: Any]] ?? [:] {
                    guard let links = response["links"] as? [String: [String: Any]] else { continue }
                    #expect(code.hasPrefix("2"), "\(route) links from a \(code)")
                    let properties = properties(of: response)
                    for (_, link) in links {
                        let target = try #require(byID[link["operationId"] as? String ?? ""], "\(route): \(link)")
                        let parameters = link["parameters"] as? [String: String] ?? [:]
                        #expect(Set(parameters.keys) == pathParameters(target.path), "\(route) → \(target.path)")
                        for (_, expression) in parameters {
                            if expression.hasPrefix("$request.path.") {
                                #expect(
                                    pathParameters(path).contains(String(expression.dropFirst(14))), "\(route): \(expression)")
                            } else {
                                #expect(expression.hasPrefix("$response.body#/"), "\(route): \(expression)")
                                #expect(properties[String(expression.dropFirst(16))] != nil, "\(route) \(code): \(expression)")
                            }
                        }
                        count += 1
                    }
                }
            }
        }
        #expect(count >= 30)
        // Whatever a POST makes and names in its answer, a client can follow to; but a mode
        // switch is followed on /v1/gpus, and a webhook secret is never read back.
        let unread: Set = ["/v1/ops/mode", "/v1/webhooks/secrets"]
        for (path, methods) in paths where pathParameters(path).isEmpty && !unread.contains(path) {
            guard let operation = methods["post"] else { continue }
            for (code, response) in operation["responses"] as? [String: [String: Any]] ?? [:] where code.hasPrefix("2") {
                let properties = properties(of: response)
                let namesSomething = properties["id"] != nil || properties["job_id"] != nil
                #expect(!namesSomething || response["links"] != nil, "POST \(path) \(code) makes something and links nowhere")
            }
        }
    }

    @Test("every source and target of the links table is an operation of the document")
    func linkTable() {
        let routes = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        for (source, link) in OpenAPIDocument.links {
            #expect(routes.contains(source), "links from \(source), which is no operation")
            for target in link.targets { #expect(routes.contains(target), "\(source) links to \(target), which is no operation") }
        }
    }

    @Test("/openapi.json serves valid JSON with every path, and path parameters declared")
    func served() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/openapi.json", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(response.status == .ok)
            let document = response.body.json
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            for operation in OpenAPIDocument.operations {
                let entry = try #require(paths[operation.path]?[operation.method.lowercased()] as? [String: Any])
                let parameters = (entry["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "path" }
                let declared = Set(parameters.compactMap { $0["name"] as? String })
                let needed = Set(
                    operation.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                #expect(declared == needed, "\(operation.method) \(operation.path)")
                #expect((entry["responses"] as? [String: Any])?.isEmpty == false)
                // A create that takes an Idempotency-Key declares it and its repeat's 200; no other does.
                let headers = (entry["parameters"] as? [[String: Any]] ?? []).filter { $0["in"] as? String == "header" }
                let idempotent = operation.takesIdempotencyKey
                #expect(headers.map { $0["name"] as? String } == (idempotent ? ["Idempotency-Key"] : []), "\(operation.path)")
                if idempotent {
                    #expect((entry["responses"] as? [String: Any])?["200"] != nil, "\(operation.path): a repeat's 200")
                }
            }
            // Every schema reference resolves.
            let text = String(buffer: response.body)
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let references = text.components(separatedBy: "#/components/schemas/").dropFirst()
                .map { String($0.prefix { $0 != "\"" }) }
            for reference in Set(references) {
                #expect(schemas[reference] != nil, "unresolved $ref \(reference)")
            }
        }
    }
}
