/// A stable code for a problem with one cell (or one row), as the review screen matches on it.
/// Declared as static members so a new code is an addition; JSON is the bare string.
public struct FieldIssueCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    // Rows
    /// The row has no name, no valid phone and no valid email: nothing to build a person from.
    public static let noIdentity: Self = "no_identity"
    /// A cell starts with `=` or `@` and looks like a spreadsheet formula; it is kept as text.
    public static let formulaLikeValue: Self = "formula_like_value"

    // Phones
    /// Letters or symbols a phone number cannot contain.
    public static let phoneInvalidCharacters: Self = "phone_invalid_characters"
    /// Too few digits for any number of its country.
    public static let phoneTooShort: Self = "phone_too_short"
    /// More digits than E.164 allows (15), or than its country uses.
    public static let phoneTooLong: Self = "phone_too_long"
    /// The digits do not fit the numbering plan of the country they belong to.
    public static let phoneInvalidNumber: Self = "phone_invalid_number"
    /// A spreadsheet showed the number in scientific notation ("9.19876543210E+11"): digits may be
    /// lost, so it is not converted.
    public static let phoneScientificNotation: Self = "phone_scientific_notation"
    /// An Indian landline without its STD code.
    public static let phoneMissingAreaCode: Self = "phone_missing_area_code"
    /// A toll-free or service number, not a person's.
    public static let phoneNotPersonal: Self = "phone_not_personal"
    /// The number had an extension, which E.164 cannot carry; the number is kept without it.
    public static let phoneExtensionDropped: Self = "phone_extension_dropped"

    // Emails
    /// Not an email address the platform can send to.
    public static let emailInvalid: Self = "email_invalid"

    // Budgets
    /// A bare small number ("2") with no unit in the cell or the column: crore? lakh?
    public static let budgetUnitAmbiguous: Self = "budget_unit_ambiguous"
    /// The budget text could not be read.
    public static let budgetUnparseable: Self = "budget_unparseable"
    /// A range whose ends are in different currencies.
    public static let budgetCurrencyMismatch: Self = "budget_currency_mismatch"

    // Dates
    /// The date text could not be read, or names a day that does not exist.
    public static let dateUnparseable: Self = "date_unparseable"
    /// The date was an Excel serial day number and was converted: worth a glance.
    public static let dateFromExcelSerial: Self = "date_from_excel_serial"

    // Property interest
    /// A configuration text that names no known unit configuration or property type.
    public static let configurationUnrecognized: Self = "configuration_unrecognized"
    /// A property type text that names no known property type.
    public static let propertyTypeUnrecognized: Self = "property_type_unrecognized"
}
