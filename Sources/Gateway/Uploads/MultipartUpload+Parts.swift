import Hummingbird
import Images

extension MultipartUpload {
    /// Applies one parser event: headers open a part, body bytes go to its staged file or its
    /// text, completion files it in the form.
    func handle(_ event: Event, state: inout ReadState) async throws {
        switch event {
        case .header(let name, let value):
            if state.current == nil {
                state.partsSeen += 1
                guard state.partsSeen <= limits.maxParts else {
                    throw Self.tooLarge("more than \(limits.maxParts) parts", field: nil, limit: nil)
                }
                state.current = Part()
            }
            state.current?.headers.append((name, value))
        case .body(let bytes):
            if state.current == nil {
                // A part with no headers at all.
                state.partsSeen += 1
                state.current = Part()
            }
            try describe(&state)
            try await append(bytes, to: &state.current!)
        case .complete:
            if state.current == nil {
                state.partsSeen += 1
                state.current = Part()
            }
            try describe(&state)
            var part = state.current!
            if part.isFile && part.upload == nil { part.upload = try await blobs.beginUpload() }
            state.current = nil
            try finish(part, into: &state.form)
        }
    }

    /// Reads a part's headers once its body begins: its name, whether it is a file field.
    private func describe(_ state: inout ReadState) throws {
        guard var part = state.current, !part.described else { return }
        part.described = true
        var disposition: HeaderParameters?
        for (name, value) in part.headers {
            switch name.lowercased() {
            case "content-disposition": disposition = HeaderParameters(parsing: value)
            case "content-type": part.contentType = value
            default: break
            }
        }
        guard let disposition, disposition.value == "form-data", let name = disposition["name"], !name.isEmpty else {
            throw Self.malformed("part \(state.partsSeen) has no 'Content-Disposition: form-data; name=…' header")
        }
        guard state.form.fields[name] == nil, state.form.files[name] == nil else {
            throw GatewayError.invalid(field: name, "is given more than once")
        }
        part.name = name
        part.filename = disposition["filename"]
        part.isFile = fileFields.contains(name)
        state.current = part
    }

    private func append(_ bytes: [UInt8], to part: inout Part) async throws {
        let name = part.name ?? ""
        if part.isFile {
            guard part.bytes + bytes.count <= limits.maxFileBytes else {
                throw Self.tooLarge(
                    "'\(name)' is larger than \(limits.maxFileBytes) bytes", field: name, limit: limits.maxFileBytes)
            }
            if part.upload == nil { part.upload = try await blobs.beginUpload() }
            try await part.upload!.append(bytes)
        } else {
            guard part.bytes + bytes.count <= limits.maxFieldBytes else {
                throw Self.tooLarge(
                    "field '\(name)' is larger than \(limits.maxFieldBytes) bytes", field: name,
                    limit: limits.maxFieldBytes)
            }
            part.text.append(contentsOf: bytes)
        }
        part.bytes += bytes.count
    }

    private func finish(_ part: Part, into form: inout Form) throws {
        let name = part.name ?? ""
        if let upload = part.upload {
            form.files[name] = StagedFile(
                field: name, filename: part.filename, contentType: part.contentType, upload: upload,
                byteCount: part.bytes)
        } else {
            guard let text = String(validating: part.text, as: UTF8.self) else {
                throw GatewayError.invalid(field: name, "is not UTF-8 text")
            }
            form.fields[name] = text
        }
    }

    static func malformed(_ message: String) -> GatewayError {
        GatewayError(.badRequest, .malformedMultipart, message)
    }

    static func tooLarge(_ message: String, field: String?, limit: Int?) -> GatewayError {
        var details: [String: String] = [:]
        if let field { details["field"] = field }
        if let limit { details["limit_bytes"] = String(limit) }
        return GatewayError(.contentTooLarge, .bodyTooLarge, message, details: details)
    }
}
