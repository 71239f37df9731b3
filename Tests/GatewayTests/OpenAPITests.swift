import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Testing

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

    @Test("/openapi.json serves valid JSON with every path, and path parameters declared")
    func served() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(uri: "/openapi.json", method: .get, headers: GatewayFixture.auth(fixture.acme))
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
