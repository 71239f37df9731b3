import CRMImport
import PlatformStore

/// The form fields of an import upload besides the file, checked before anything is stored.
struct CRMUploadOptions {
    /// nil: detected from the header.
    var profile: SourceProfile?
    var region: PhoneRegion
    var autoApprove: CRMAutoApproveRule

    init(fields: [String: String]) throws {
        if let raw = fields["source_profile"], !raw.isEmpty {
            guard let profile = SourceProfile(rawValue: raw.lowercased()) else {
                throw GatewayError.invalid(
                    field: "source_profile",
                    "must be one of \(SourceProfile.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
            }
            self.profile = profile
        } else {
            profile = nil
        }
        if let raw = fields["default_region"], !raw.isEmpty {
            guard let region = PhoneRegion(rawValue: raw.uppercased()) else {
                throw GatewayError.invalid(
                    field: "default_region",
                    "must be an ISO 3166 code of a known numbering plan "
                        + "(\(PhoneRegion.allCases.map(\.rawValue).joined(separator: ", "))), not '\(raw)'")
            }
            self.region = region
        } else {
            region = .india
        }
        if let raw = fields["auto_approve"], !raw.isEmpty {
            guard let rule = CRMAutoApproveRule(rawValue: raw) else {
                throw GatewayError.invalid(
                    field: "auto_approve",
                    "must be one of \(CRMAutoApproveRule.allCases.map(\.rawValue).joined(separator: ", ")), not '\(raw)'")
            }
            autoApprove = rule
        } else {
            autoApprove = .none
        }
    }
}
