import HTTPTypes
public import Images

extension UploadError {
    /// The gateway's answer to this refusal: 415 for media it does not accept, 413 for
    /// anything too large, 400 for a body that does not parse, 422 otherwise.
    public var gatewayError: GatewayError {
        let status: HTTPResponse.Status =
            switch code {
            case .unsupportedMediaType: .unsupportedMediaType
            case .imageTooLarge, .bodyTooLarge: .contentTooLarge
            case .malformedMultipart: .badRequest
            default: .unprocessableContent
            }
        return GatewayError(status, code, message, details: details, cause: self)
    }
}
