import Broker
public import Hummingbird
import JobContracts
public import PlatformStore

/// `GET /api/crm/qd/{person_id}`: a person's QD scores (the `qd.score` jobs' bundles), newest
/// first, tenant-scoped; each bundle points back to the readings that drove it.
public struct QDScoresController: Sendable {
    let store: QDScoreStore

    public init(store: QDScoreStore) {
        self.store = store
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.get("/api/crm/qd/{person_id}", use: history)
    }

    struct History: Encodable {
        var object = "list"
        var person_id: String
        var data: [QDSignalBundle]
        var next_cursor: String?
        var has_more: Bool
    }

    @Sendable func history(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let personID = try context.parameter("person_id")
        guard (1...200).contains(personID.count) else {
            throw GatewayError.invalid(field: "person_id", "must be 1 to 200 characters")
        }
        let paging = try PageQuery(request, defaultLimit: 50, maxLimit: 500, cursorIs: "a signal id")
        let page = try await store.history(
            tenant: principal.tenant, personID: personID, before: paging.cursor, limit: paging.limit + 1)
        let shown = Array(page.prefix(paging.limit))
        let next = page.count > paging.limit ? shown.last?.signal_id : nil
        return try JSONResponse.make(History(person_id: personID, data: shown, next_cursor: next, has_more: next != nil))
    }
}
