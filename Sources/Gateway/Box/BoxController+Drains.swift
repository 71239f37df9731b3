import GPUBox
import Hummingbird

/// `POST /v1/gpus/{box}/{index}/drain` and `DELETE /v1/gpus/{box}/{index}/drain`: operators take
/// a GPU out of service (its running jobs finish, then its backend stops) and put it back (a
/// GPU a fatal Xid drained comes back the same way). The box's agent follows within a tick.
extension BoxController {
    struct DrainRequest: Decodable {
        var reason: String?
    }

    struct DrainAnswer: Encodable {
        var object = "gpu_drain"
        var box: String
        var index: Int
        var drained: Bool
        var drain: GPUDrain?
        /// False when the box's agent is not heartbeating: it follows when it is back.
        var agent_alive: Bool
    }

    static let maxReasonLength = 500

    @Sendable func drain(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let (view, index) = try await gpu(context)
        let body = try await JSONResponse.decode(DrainRequest.self, from: request, context: context)
        let reason = (body.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count <= Self.maxReasonLength else {
            throw GatewayError.invalid(field: "reason", "is longer than \(Self.maxReasonLength) characters")
        }
        let drain = try await boxes.drain(
            box: view.status.box, gpu: index, requestedBy: "\(principal.tenant):\(principal.subject)",
            reason: reason.isEmpty ? "operator drain" : reason, immediate: false)
        logger.info("GPU \(index) of \(view.status.box) drained by \(drain.requestedBy): \(drain.reason)")
        return try JSONResponse.make(
            DrainAnswer(
                box: view.status.box, index: index, drained: true, drain: drain,
                agent_alive: view.isAlive(timeout: BoxDirectory.heartbeatTimeout)),
            status: .accepted)
    }

    @Sendable func undrain(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let (view, index) = try await gpu(context)
        if try await boxes.undrain(box: view.status.box, gpu: index) {
            logger.info("GPU \(index) of \(view.status.box) undrained by \(principal.tenant):\(principal.subject)")
        }
        return try JSONResponse.make(
            DrainAnswer(
                box: view.status.box, index: index, drained: false, drain: nil,
                agent_alive: view.isAlive(timeout: BoxDirectory.heartbeatTimeout)))
    }

    /// The box and GPU the path names: 404 for a box that never reported or a GPU it does not
    /// have, 422 for an index that is not a number.
    private func gpu(_ context: GatewayContext) async throws -> (BoxStateStore.BoxView, Int) {
        let name = try context.parameter("box")
        let text = try context.parameter("index")
        guard let index = Int(text), index >= 0 else {
            throw GatewayError.invalid(field: "index", "'\(text)' is not a GPU index")
        }
        guard let view = try await boxes.box(name) else { throw GatewayError.notFound("box '\(name)'") }
        guard view.status.gpus.contains(where: { $0.index == index }) else {
            throw GatewayError.notFound("GPU \(index) of box '\(name)'")
        }
        return (view, index)
    }
}
