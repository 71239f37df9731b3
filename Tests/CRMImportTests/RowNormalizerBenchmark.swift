import CRMImport
import Foundation
import Testing

/// Throughput of `RowNormalizer` on two twelve-column workloads. Off unless `CRM_BENCH=1`; run it
/// in a release build:
///
///     CRM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter RowNormalizerBenchmark
///
/// It prints rows per second (wall clock and the thread's CPU time, the figure to compare on a
/// shared machine) and asserts nothing about speed. `CRM_BENCH_ROWS` sets the row count.
@Suite("RowNormalizer benchmark", .enabled(if: ProcessInfo.processInfo.environment["CRM_BENCH"] == "1"))
struct RowNormalizerBenchmark {
    static let count = ProcessInfo.processInfo.environment["CRM_BENCH_ROWS"].flatMap { Int($0) } ?? 1_000_000

    @Test("home-made sheet: messy cells, a quarter of the rows with issues")
    func homemade() throws {
        let csv = try FixtureCSV.load("homemade_leads.csv")
        // The sheet's eleven columns and a city: twelve.
        try run("home-made", headers: csv.header + ["City"], rows: csv.rows.map { $0 + ["Mumbai"] }, dayFirst: true)
    }

    @Test("CRM export: twelve clean HubSpot columns")
    func crmExport() throws {
        let csv = try FixtureCSV.load("hubspot_contacts.csv")
        let keep = ["First Name", "Last Name", "Email", "Mobile Phone Number", "Company Name", "Job Title", "City",
            "Country/Region", "Lead Status", "Contact owner", "Create Date", "Budget"]
        let indexes = try keep.map { header in try #require(csv.header.firstIndex(of: header)) }
        try run("CRM export", headers: keep, rows: csv.rows.map { row in indexes.map { row[$0] } }, dayFirst: false)
    }

    func run(_ label: String, headers: [String], rows: [[String]], dayFirst: Bool) throws {
        let manifest = ColumnMapper().manifest(headers: headers, profile: nil)
        #expect(manifest.isResolved)
        let normalizer = RowNormalizer(manifest: manifest, defaultRegion: .india, dayFirst: dayFirst)
        var issues = 0
        var phones = 0
        let clock = ContinuousClock()
        let cpuStart = Self.threadCPUSeconds()
        let elapsed = clock.measure {
            for index in 0..<Self.count {
                let row = normalizer.normalize(fields: rows[index % rows.count])
                issues &+= row.issues.count
                phones &+= row.person?.phones.count ?? 0
            }
        }
        let cpu = Self.threadCPUSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "RowNormalizer \(label): \(Self.count) rows of \(headers.count) columns: wall \(seconds) s = "
                + "\(Int(Double(Self.count) / seconds)) rows/s; thread CPU \(cpu) s = "
                + "\(Int(Double(Self.count) / cpu)) rows/s (issues \(issues), phones \(phones))")
        #expect(phones > 0)
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
