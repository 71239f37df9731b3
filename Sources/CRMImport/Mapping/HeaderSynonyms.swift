/// Header synonyms for home-made sheets (and custom columns of CRM exports): exact matches on
/// `HeaderKey.compact`, tried after the profile's own table.
enum HeaderSynonyms {
    static let rules: [String: HeaderRule] = {
        var entries: [(String, HeaderRule)] = []
        func add(_ field: CanonicalField, _ headers: [String]) {
            entries += headers.map { ($0, .map(field)) }
        }
        add(.fullName, [
            "Name", "Full Name", "Client Name", "Customer Name", "Contact Name", "Lead Name", "Buyer Name",
            "Prospect Name", "Client", "Customer", "Enquirer Name", "Name of Client", "Name of Customer",
            "Applicant Name", "Contact Person", "Investor Name",
        ])
        add(.firstName, ["First Name", "FName", "Given Name", "Forename"])
        add(.lastName, ["Last Name", "LName", "Surname", "Family Name"])
        add(.salutation, ["Salutation", "Honorific", "Prefix", "Mr/Mrs"])
        add(.phone, [
            "Phone", "Phone No", "Phone Number", "Telephone", "Tel", "Tel No", "Landline", "Landline No",
            "Contact No", "Contact Number", "Contact", "Primary Phone", "Primary Number", "Work Phone",
            "Office Phone", "Business Phone", "Phone 1",
        ])
        add(.mobile, [
            "Mobile", "Mobile No", "Mobile Number", "Mobile Phone", "Mobile Phone Number", "Cell", "Cell Phone",
            "Cell No", "Mob", "Mob No", "Primary Mobile", "Mobile 1", "Contact Mobile", "Client Mobile",
            "Customer Mobile",
        ])
        add(.whatsapp, [
            "WhatsApp", "WhatsApp No", "WhatsApp Number", "WhatsApp Phone", "WhatsApp Phone Number",
            "WhatsApp Mobile", "WA Number", "WA No",
        ])
        add(.altPhone, [
            "Alternate Number", "Alternate No", "Alternate Phone", "Alternate Mobile", "Alternate Contact",
            "Alternate Contact No", "Alt Phone", "Alt Number", "Alt No", "Alt Mobile", "Alternative Number",
            "Secondary Phone", "Secondary Number", "Other Phone", "Phone 2", "Mobile 2", "Contact No 2",
            "Home Phone",
        ])
        add(.email, [
            "Email", "E-mail", "Email ID", "E-mail ID", "Email Address", "Mail", "Mail ID", "Primary Email",
            "Email 1",
        ])
        add(.altEmail, [
            "Alternate Email", "Secondary Email", "Alt Email", "Other Email", "Email 2", "Additional Email",
            "Additional email addresses",
        ])
        add(.city, ["City", "Town", "City/Town", "Current City", "Residence City", "Client City"])
        add(.state, ["State", "Province", "State/Province", "State/Region", "Region"])
        add(.country, ["Country", "Country/Region", "Country of Residence", "Residence Country"])
        add(.address, [
            "Address", "Street", "Street Address", "Mailing Address", "Residential Address", "Full Address",
            "Address Line 1", "Address Line 2", "Postal Address",
        ])
        add(.company, [
            "Company", "Company Name", "Organisation", "Organization", "Organisation Name", "Employer", "Firm",
            "Company / Account", "Account Name",
        ])
        add(.jobTitle, ["Job Title", "Designation", "Occupation", "Profession", "Position"])
        add(.leadSource, [
            "Source", "Lead Source", "Enquiry Source", "Inquiry Source", "Lead Channel", "Channel",
            "Source of Lead", "Original Source", "Lead Origin",
        ])
        add(.leadStatus, [
            "Status", "Lead Status", "Stage", "Lead Stage", "Lifecycle Stage", "Follow-up Status",
            "Current Status",
        ])
        add(.leadOwner, [
            "Owner", "Lead Owner", "Contact Owner", "Assigned To", "Sales Person", "Salesperson",
            "Sales Executive", "RM", "Relationship Manager", "Handled By", "Attended By", "Sales Rep", "Agent",
            "Broker", "Account Manager",
        ])
        add(.leadCreatedAt, [
            "Date", "Enquiry Date", "Inquiry Date", "Lead Date", "Created Date", "Created On", "Created At",
            "Created Time", "Create Date", "Date of Enquiry", "Date Added", "Entry Date", "Received On",
            "Lead Created Date", "Timestamp",
        ])
        add(.notes, [
            "Remarks", "Remark", "Comments", "Comment", "Notes", "Note", "Description", "Feedback",
            "Follow-up Notes", "Call Notes", "Details", "Additional Info", "Requirement", "Requirements",
        ])
        add(.externalId, [
            "ID", "Record ID", "Lead ID", "Contact ID", "Ref No", "Reference No", "Lead No", "Enquiry No",
            "CRM ID", "External ID", "Unique ID", "Customer ID", "Client ID",
        ])
        add(.project, [
            "Project", "Project Name", "Project Interested", "Interested Project", "Project Interest",
            "Interested In", "Project of Interest", "Property", "Property Name", "Development",
        ])
        add(.configuration, [
            "Config", "Configuration", "BHK", "Unit Type", "Unit Config", "Unit Configuration", "Typology",
            "Flat Type", "Apartment Type", "Bedrooms", "No of Bedrooms",
        ])
        add(.propertyType, ["Property Type", "Type of Property", "Property Category", "Asset Type"])
        add(.locationPreference, [
            "Location", "Preferred Location", "Location Preference", "Preferred Area", "Area", "Locality",
            "Micro Market", "Preferred Locality", "Interested Location", "Location Interested",
        ])
        entries += ["S.No", "Sr No", "Sr. No.", "Sl No", "Serial No", "Serial Number", "No."].map {
            ($0, .ignore("row serial number"))
        }
        return HeaderRule.table(entries)
    }()

    /// Budget headers without their unit ("Budget (Cr)" is "budget" + "cr"), longest first so
    /// "budgetmin" wins over "budget".
    static let budgetBases: [(compact: String, field: CanonicalField)] = {
        let bases: [(String, CanonicalField)] = [
            ("budget", .budget), ("budgetrange", .budget), ("pricerange", .budget), ("price", .budget),
            ("expectedbudget", .budget), ("approxbudget", .budget), ("investment", .budget),
            ("ticketsize", .budget), ("clientbudget", .budget),
            ("minbudget", .budgetMin), ("budgetmin", .budgetMin), ("budgetfrom", .budgetMin),
            ("minimumbudget", .budgetMin), ("minprice", .budgetMin),
            ("maxbudget", .budgetMax), ("budgetmax", .budgetMax), ("budgetto", .budgetMax),
            ("maximumbudget", .budgetMax), ("maxprice", .budgetMax),
        ]
        return bases.sorted { $0.0.count > $1.0.count }.map { (compact: $0.0, field: $0.1) }
    }()
}
