extension SourceProfile {
    /// The profile a header row looks like; `.generic` when no CRM's fingerprint is there.
    public static func detect(headers: [String]) -> SourceProfile {
        detect(keys: headers.map { HeaderKey($0).compact }).profile
    }

    /// The profile and the headers (as compact keys) that gave it away.
    ///
    /// Zoho is tried first: its contacts exports share "Contact Owner" with HubSpot, but only
    /// Zoho writes "Designation", "Created Time", "Modified Time" or "Secondary Email". A header
    /// containing "hubspot" is HubSpot whatever else is there.
    static func detect(keys: [String]) -> (profile: SourceProfile, markers: [String]) {
        let present = Set(keys)
        func found(_ candidates: [String]) -> [String] { candidates.filter(present.contains) }

        if let hubspotNamed = keys.first(where: { $0.contains("hubspot") }) {
            return (.hubspot, [hubspotNamed])
        }
        let zohoAnchors = found(["recordid", "leadowner", "contactowner"])
        let zohoMarkers = found(["designation", "createdtime", "modifiedtime", "secondaryemail", "skypeid",
            "leadconversiontime", "lastactivitytime"])
        if !zohoAnchors.isEmpty && !zohoMarkers.isEmpty {
            return (.zoho, zohoAnchors + zohoMarkers)
        }
        let hubspotMarkers = found(["lifecyclestage", "contactowner", "createdate", "stateregion", "countryregion",
            "mobilephonenumber", "originalsource", "recordid"])
        if present.contains("lifecyclestage") || present.contains("contactowner"),
            hubspotMarkers.count >= 2 {
            return (.hubspot, hubspotMarkers)
        }
        let salesforceSingles = found(["leadid", "companyaccount", "isconverted", "stateprovince"])
        if !salesforceSingles.isEmpty {
            return (.salesforce, salesforceSingles)
        }
        let ownerAndCompany = found(["leadowner", "company"])
        if ownerAndCompany.count == 2 {
            return (.salesforce, ownerAndCompany)
        }
        // A data-loader export: API names only Salesforce writes together.
        let apiNames = found(["firstname", "lastname", "mobilephone", "leadsource", "status", "ownerid",
            "createddate"])
        if apiNames.contains("mobilephone") || apiNames.contains("ownerid"), apiNames.count >= 3 {
            return (.salesforce, apiNames)
        }
        return (.generic, [])
    }
}
