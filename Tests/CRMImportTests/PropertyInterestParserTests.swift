import CRMImport
import Testing

/// Configurations, property types and project names.
@Suite("Property interest parser")
struct PropertyInterestParserTests {
    let parser = PropertyInterestParser()

    @Test("configurations and types", arguments: [
        ("3 BHK", "3 BHK", PropertyType.apartment), ("3BHK", "3 BHK", .apartment), ("3bhk", "3 BHK", .apartment),
        ("3 bhk flat", "3 BHK", .apartment), (" 3  BHK  Apartment ", "3 BHK", .apartment),
        ("2.5 BHK", "2.5 BHK", .apartment), ("3.0 BHK", "3 BHK", .apartment), ("10 BHK", "10 BHK", .apartment),
        ("3+1 BHK", "3+1 BHK", .apartment), ("3 + 1 bhk", "3+1 BHK", .apartment),
        ("4 BHK Villa", "4 BHK", .villa), ("villa 4bhk", "4 BHK", .villa), ("1 RK", "1 RK", .apartment),
        ("1rk", "1 RK", .apartment), ("4 BHK Duplex", "4 BHK", .duplex), ("2/3 BHK", "2/3 BHK", .apartment),
        ("2 & 3 BHK", "2/3 BHK", .apartment), ("2 or 3 bhk", "2/3 BHK", .apartment), ("3 Bed", "3 BHK", .apartment),
        ("3 bedrooms", "3 BHK", .apartment), ("3BR penthouse", "3 BHK", .penthouse),
        ("3 BHK sea facing", "3 BHK", .apartment), ("5 BHK Row House", "5 BHK", .rowHouse),
    ])
    func configurations(text: String, configuration: String, type: PropertyType) throws {
        let parsed = try #require(parser.parseConfiguration(text), "\(text)")
        #expect(parsed.configuration == configuration)
        #expect(parsed.propertyType == type)
    }

    @Test("type words alone", arguments: [
        ("Penthouse", PropertyType.penthouse), ("Plot", .plot), ("Studio", .studio), ("Duplex", .duplex),
        ("Row house", .rowHouse), ("Rowhouse", .rowHouse), ("Villa", .villa), ("Office", .commercial),
        ("Shop", .commercial), ("Independent House", .independentHouse), ("Farm house", .farmhouse),
        ("FLAT", .apartment), ("Bungalow", .independentHouse), ("Commercial", .commercial),
    ])
    func types(text: String, type: PropertyType) throws {
        let parsed = try #require(parser.parseConfiguration(text), "\(text)")
        #expect(parsed.configuration == nil)
        #expect(parsed.propertyType == type)
        #expect(parser.parsePropertyType(text) == type)
    }

    @Test("text that names neither", arguments: ["Sea facing", "", "BHK", "11 BHK", "0 BHK", "Tower B", "2.3 BHK"])
    func unrecognized(text: String) {
        #expect(parser.parseConfiguration(text) == nil)
    }

    @Test("project names", arguments: [
        ("DLF THE CAMELLIAS", "DLF The Camellias"), ("lodha park", "Lodha Park"),
        ("  Lodha   World One ", "Lodha World One"), ("M3M GOLF ESTATE", "M3M Golf Estate"),
        ("ATS KOCOON", "ATS Kocoon"), ("Oberoi Sky City", "Oberoi Sky City"), ("GODREJ PARK OF WORLI", "Godrej Park of Worli"),
        ("SOBHA DREAM ACRES", "Sobha Dream Acres"), ("prestige lakeside habitat", "Prestige Lakeside Habitat"),
        ("BKC ONE", "BKC One"), ("Tata Promont", "Tata Promont"), ("ÉLAN THE MARK", "Élan The Mark"),
    ])
    func projects(text: String, expected: String) {
        #expect(parser.normalizeProject(text) == expected)
    }
}
