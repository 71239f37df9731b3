import Broker
import Foundation
import HTTPTypes
public import Hummingbird
import Images
import Logging
import PlatformStore
import PostgresClient
import Schedules

/// Turns every error a route throws into the one JSON error shape, so no client ever sees a
/// stack trace, an HTML page, or an empty body. Unknown errors are logged and answered 500.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.map(error)
            if mapped.status.kind == .serverError {
                context.logger.error(
                    "\(request.method) \(request.uri.path) failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try mapped.response(from: request, context: context)
        }
    }

    /// The gateway's answer to an error from anywhere below it.
    public static func map(_ error: any Error) -> GatewayError {
        switch error {
        case let error as GatewayError:
            return error
        case let error as BrokerError:
            return map(error)
        case let error as ScheduleError:
            return map(error)
        case let error as UploadError:
            return error.gatewayError
        case let error as DecodingError:
            return map(error)
        case let error as PlatformStoreError:
            return map(error)
        case let error as HTTPError:
            return map(error)
        case let error as PostgresError where error.isUnstorableText:
            // A NUL in text that got past the routes' own checks: the client's to fix.
            return GatewayError.nulText(field: "body")
        case let error as any HTTPResponseError:
            return GatewayError(error.status, code(for: error.status), error.status.reasonPhrase)
        default:
            return GatewayError(.internalServerError, .internalError, "internal error")
        }
    }

    static func map(_ error: PlatformStoreError) -> GatewayError {
        switch error.code {
        case .batchNotFound: return .notFound("import batch")
        case .batchNotReady, .checkpointMoved: return GatewayError(.conflict, error.code, error.message)
        case .proposalNotInBatch, .proposalNotOpen, .unknownMergeTarget:
            return GatewayError(.unprocessableContent, error.code, error.message)
        default: return GatewayError(.internalServerError, .internalError, "internal error")
        }
    }

    static func map(_ error: ScheduleError) -> GatewayError {
        switch error.code {
        case .cronInvalid: return .invalid(field: "cron", error.message)
        case .timeZoneInvalid: return .invalid(field: "time_zone", error.message)
        case .scheduleNotFound: return .notFound("schedule")
        case .scheduleConflict: return GatewayError(.conflict, .conflict, error.message)
        default: return GatewayError(.internalServerError, .internalError, "internal error")
        }
    }

    static func map(_ error: BrokerError) -> GatewayError {
        switch error.code {
        case .invalidJob, .invalidLimits:
            let field = error.field ?? "body"
            return GatewayError(.unprocessableContent, .invalidRequest, error.message, details: ["field": field])
        case .payloadTooLarge:
            return GatewayError(
                .contentTooLarge, .bodyTooLarge, error.message, details: error.field.map { ["field": $0] } ?? [:])
        case .jobNotFound:
            return .notFound("job")
        case .jobNotDead:
            return GatewayError(.conflict, .conflict, error.message)
        case .brokerUnavailable, .recordStoreUnavailable:
            return GatewayError(
                .serviceUnavailable, .unavailable, "the queue is unavailable; retry shortly",
                headers: [.retryAfter: "1"])
        default:
            return GatewayError(.internalServerError, .internalError, "internal error")
        }
    }

    static func map(_ error: DecodingError) -> GatewayError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .malformedJSON(context.debugDescription)
        case .dataCorrupted(let context):
            return .invalid(field: path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid(field: field, "is required")
        case .typeMismatch(let type, let context):
            return .invalid(field: path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(field: path(context.codingPath), "must be \(describe(type)), not null")
        @unknown default:
            return .malformedJSON("\(error)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }

    static func map(_ error: HTTPError) -> GatewayError {
        var mapped = GatewayError(error.status, code(for: error.status), error.body ?? error.status.reasonPhrase)
        mapped.headers = error.headers
        return mapped
    }

    static func code(for status: HTTPResponse.Status) -> VelocityErrorCode {
        switch status.code {
        case 400: .malformedJSON
        case 401: .unauthenticated
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 413: .bodyTooLarge
        case 422: .invalidRequest
        case 429: .rateLimited
        case 503: .unavailable
        default: status.kind == .serverError ? .internalError : VelocityErrorCode("http_\(status.code)")
        }
    }
}
