public import CRMImport
import Foundation
import JobContracts
import PostgresClient
public import VelocityTypes

extension CRMImportManifestRecord {
    /// A stored version of `manifest`.
    public init(
        _ manifest: MappingManifest, id: String, batchID: String, version: Int, createdBy: String
    ) throws {
        let data = try JSONEncoder().encode(manifest)
        guard let value = JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
            throw PostgresError(.malformedRow, "a mapping manifest did not encode as JSON")
        }
        self.init(
            id: id, batchID: batchID, version: version, sourceProfile: manifest.sourceProfile.rawValue,
            manifest: value, resolved: manifest.isResolved, createdBy: createdBy)
    }

    /// The stored manifest, decoded; throws naming the field when it is not one.
    public func mappingManifest() throws -> MappingManifest {
        do {
            return try JSONDecoder().decode(MappingManifest.self, from: Data(manifest.jsonBytes))
        } catch {
            throw PostgresError(.malformedRow, "crm_import_manifests.manifest of \(id) is not a mapping manifest: \(error)")
        }
    }

    /// The `ImportMappingManifest` artifact as the API shows it: the platform's fields
    /// (`manifest_id`, `batch_id`, `source_profile`, `column_mappings`, `unmapped_columns`,
    /// `resolver_notes`) with the artifact metadata.
    public var artifactView: JSONValue {
        let fields = manifest.objectValue ?? [:]
        return .object([
            "manifest_id": .string(id),
            "batch_id": .string(batchID),
            "version": .int(Int64(version)),
            "source_profile": .string(sourceProfile),
            "column_mappings": fields["columns"] ?? .array([]),
            "unmapped_columns": fields["unmapped_columns"] ?? .array([]),
            "resolver_notes": fields["resolver_notes"] ?? .array([]),
            "is_resolved": .bool(resolved),
            "artifact": .object([
                "artifact_id": .string(id), "artifact_type": .string("ImportMappingManifest"),
                "schema_version": .string("1"), "source_system": .string("velocity.crm.import"),
                "created_at": .string(
                    Date(timeIntervalSince1970: Double(createdMilliseconds) / 1000).formatted(.iso8601)),
                "created_by": .string(createdBy),
                "confidence": .double(
                    (fields["columns"]?.arrayValue ?? []).compactMap { $0["confidence"]?.doubleValue }.min() ?? 1),
                "provenance": .object(["batch_id": .string(batchID), "version": .int(Int64(version))]),
            ]),
        ])
    }
}
