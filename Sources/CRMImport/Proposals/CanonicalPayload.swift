public import VelocityTypes

/// The canonical payload of a proposal: the fields a commit writes, per entity type. A
/// reviewer's edit is checked and normalized here the way an imported row is: phones to
/// E.164, emails lower-cased and valid, names cleaned with their match key recomputed.
public enum CanonicalPayload {
    /// The fields each entity type's payload may hold.
    public static let fields: [String: Set<String>] = [
        "person": [
            "full_name", "first_name", "last_name", "salutation", "name_key", "primary_phone", "phones",
            "primary_email", "emails", "city", "state", "country", "address", "job_title",
        ],
        "account": ["name", "name_key"],
        "lead": ["source", "status", "owner", "created_at", "notes", "external_id"],
        "property_interest": [
            "project", "configuration", "property_type", "location", "budget_min", "budget_max", "currency",
        ],
    ]

    /// A company's identity: letters and digits, lower-cased, single-spaced.
    public static func accountKey(_ name: String) -> String {
        var words: [String] = []
        var word = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return words.joined(separator: " ")
    }

    /// `payload` as a reviewer edited it for a proposal of `entityType`, checked and
    /// normalized; throws naming the first field that does not fit.
    public static func normalizedEdit(
        _ payload: JSONValue, entityType: String, region: PhoneRegion
    ) throws(CanonicalPayloadError) -> JSONValue {
        guard case .object(var fields) = payload else {
            throw CanonicalPayloadError(field: "", "must be an object")
        }
        guard let allowed = Self.fields[entityType] else {
            throw CanonicalPayloadError(field: "", "belongs to an unknown entity type \(entityType)")
        }
        for key in fields.keys.sorted() where !allowed.contains(key) {
            throw CanonicalPayloadError(
                field: key, "is not a field of a \(entityType); use \(allowed.sorted().joined(separator: ", "))")
        }
        for (key, value) in fields where !["phones", "emails", "budget_min", "budget_max"].contains(key) {
            switch value {
            case .string, .null: continue
            default: throw CanonicalPayloadError(field: key, "must be a string or null")
            }
        }
        fields = fields.filter { !$0.value.isNull }
        switch entityType {
        case "person": try person(&fields, region: region)
        case "account":
            guard let name = fields["name"]?.stringValue, !accountKey(name).isEmpty else {
                throw CanonicalPayloadError(field: "name", "is required")
            }
            fields["name_key"] = .string(accountKey(name))
        case "property_interest": try interest(&fields)
        default: break
        }
        return .object(fields)
    }

    private static func person(_ fields: inout [String: JSONValue], region: PhoneRegion) throws(CanonicalPayloadError) {
        let names = PersonNameNormalizer()
        let name = names.normalize(
            fullName: fields["full_name"]?.stringValue, firstName: fields["first_name"]?.stringValue,
            lastName: fields["last_name"]?.stringValue, salutation: fields["salutation"]?.stringValue)
        fields["full_name"] = .string(name?.fullName ?? "")
        fields["name_key"] = .string(name?.matchKey ?? "")
        for (key, value) in [("first_name", name?.firstName), ("last_name", name?.lastName), ("salutation", name?.salutation)] {
            fields[key] = value.map(JSONValue.string)
        }
        let phones = PhoneNormalizer(defaultRegion: region)
        var numbers: [String] = []
        func phone(_ text: String, field: String) throws(CanonicalPayloadError) -> String {
            switch phones.normalize(text) {
            case .valid(let number): return number.e164
            case .invalid(_, let message): throw CanonicalPayloadError(field: field, message)
            }
        }
        if let primary = fields["primary_phone"]?.stringValue {
            let e164 = try phone(primary, field: "primary_phone")
            fields["primary_phone"] = .string(e164)
            numbers.append(e164)
        }
        for (index, item) in try strings(fields["phones"], field: "phones").enumerated() {
            let e164 = try phone(item, field: "phones.\(index)")
            if !numbers.contains(e164) { numbers.append(e164) }
        }
        fields["phones"] = .array(numbers.map(JSONValue.string))
        let emails = EmailNormalizer()
        var addresses: [String] = []
        if let primary = fields["primary_email"]?.stringValue {
            guard let address = emails.normalizeAddress(primary) else {
                throw CanonicalPayloadError(field: "primary_email", "'\(primary)' is not an email address")
            }
            fields["primary_email"] = .string(address)
            addresses.append(address)
        }
        for (index, item) in try strings(fields["emails"], field: "emails").enumerated() {
            guard let address = emails.normalizeAddress(item) else {
                throw CanonicalPayloadError(field: "emails.\(index)", "'\(item)' is not an email address")
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        fields["emails"] = .array(addresses.map(JSONValue.string))
        guard !(name?.fullName ?? "").isEmpty || !numbers.isEmpty || !addresses.isEmpty else {
            throw CanonicalPayloadError(field: "full_name", "a person needs a name, a phone or an email")
        }
    }

    private static func interest(_ fields: inout [String: JSONValue]) throws(CanonicalPayloadError) {
        var bounds: [String: Int64] = [:]
        for key in ["budget_min", "budget_max"] {
            guard let value = fields[key] else { continue }
            guard let amount = value.intValue, amount >= 0 else {
                throw CanonicalPayloadError(field: key, "must be a whole, non-negative amount")
            }
            bounds[key] = amount
        }
        if let low = bounds["budget_min"], let high = bounds["budget_max"], low > high {
            throw CanonicalPayloadError(field: "budget_max", "must not be below budget_min")
        }
        if !bounds.isEmpty {
            guard let currency = fields["currency"]?.stringValue, currency.count == 3,
                currency.unicodeScalars.allSatisfy({ $0.properties.isUppercase })
            else {
                throw CanonicalPayloadError(field: "currency", "is required with a budget: an ISO 4217 code such as INR")
            }
        }
    }

    private static func strings(_ value: JSONValue?, field: String) throws(CanonicalPayloadError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value else { throw CanonicalPayloadError(field: field, "must be an array of strings") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard let string = item.stringValue else {
                throw CanonicalPayloadError(field: "\(field).\(index)", "must be a string")
            }
            strings.append(string)
        }
        return strings
    }
}

/// A field of an edited canonical payload that does not fit.
public struct CanonicalPayloadError: Error, Sendable, Equatable {
    /// The field's path in the payload (`primary_phone`, `emails.1`).
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
