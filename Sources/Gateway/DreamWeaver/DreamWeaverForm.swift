public import JobContracts

/// The text fields of a `POST /dream-weaver` upload, validated.
///
/// - `room_type`: `[a-z_]{1,40}`. The workflows know `knownRoomTypes`; others are accepted
///   (a new workflow may know more) and passed on as given.
/// - `style`: style keywords, free text ("warm scandinavian"), 1 to 200 characters after
///   trimming, one line.
/// - `seed`: optional, an integer from 0 to 4294967295; an empty field counts as absent (what
///   an HTML form sends for a blank input).
/// - `workflow`: optional, one of the workflows the boxes render (the gateway's
///   `dream_weaver_workflows`); absent or empty, the default.
public struct DreamWeaverForm: Sendable, Equatable {
    public static let knownRoomTypes = [
        "living_room", "bedroom", "kitchen", "dining_room", "bathroom", "office", "nursery", "patio",
    ]
    public static let maxStyleCharacters = 200

    public var roomType: String
    public var style: String
    public var seed: UInt32?
    /// The workflow chosen; nil for the default.
    public var workflow: String?

    public init(roomType: String, style: String, seed: UInt32?, workflow: String? = nil) {
        self.roomType = roomType
        self.style = style
        self.seed = seed
        self.workflow = workflow
    }

    /// Validates the fields; a `GatewayError` 422 naming the first field at fault. `workflows`:
    /// the names a `workflow` field may give.
    public init(fields: [String: String], workflows: [String] = [DreamWeaverRender.defaultWorkflow]) throws {
        guard let roomType = fields["room_type"] else {
            throw GatewayError.invalid(
                field: "room_type", "is required (e.g. \(Self.knownRoomTypes.joined(separator: ", ")))")
        }
        guard (1...40).contains(roomType.utf8.count),
            roomType.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_") })
        else {
            throw GatewayError.invalid(
                field: "room_type",
                "must be 1-40 characters of a-z and _ (e.g. \(Self.knownRoomTypes.joined(separator: ", ")))")
        }
        guard let rawStyle = fields["style"] else { throw GatewayError.invalid(field: "style", "is required") }
        let style = HeaderParameters.trim(rawStyle)
        guard !style.isEmpty else { throw GatewayError.invalid(field: "style", "must not be empty") }
        guard style.count <= Self.maxStyleCharacters else {
            throw GatewayError.invalid(
                field: "style", "must be at most \(Self.maxStyleCharacters) characters, not \(style.count)")
        }
        guard !style.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw GatewayError.invalid(field: "style", "must be one line of text without control characters")
        }
        var seed: UInt32?
        if let rawSeed = fields["seed"], !HeaderParameters.trim(rawSeed).isEmpty {
            guard let parsed = UInt32(HeaderParameters.trim(rawSeed)) else {
                throw GatewayError.invalid(field: "seed", "must be an integer from 0 to 4294967295")
            }
            seed = parsed
        }
        var workflow: String?
        if let raw = fields["workflow"], !HeaderParameters.trim(raw).isEmpty {
            let name = HeaderParameters.trim(raw)
            guard workflows.contains(name) else {
                throw GatewayError.invalid(
                    field: "workflow", "must be one of \(workflows.joined(separator: ", ")), not '\(name.prefix(64))'")
            }
            workflow = name
        }
        self.init(roomType: roomType, style: style, seed: seed, workflow: workflow)
    }
}
