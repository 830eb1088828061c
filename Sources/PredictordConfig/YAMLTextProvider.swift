import Configuration

/// A configuration provider over YAML text the loader has already read, so the values and the unknown-key check come
/// from the same bytes: reading the file twice (once per use) could mix two versions of it during a SIGHUP edit.
struct YAMLTextProvider: ConfigProvider {
    private let parsed: YAMLSnapshot

    /// Parses `text` (a YAML mapping at the top level); `source` names it in the reader's diagnostics.
    init(text: String, source: String) throws {
        let bytes = Array(text.utf8)
        parsed = try YAMLSnapshot(data: bytes.span.bytes, providerName: "YAML \(source)", parsingOptions: .default)
    }

    var providerName: String { parsed.providerName }

    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        try parsed.value(forKey: key, type: type)
    }

    func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws -> LookupResult {
        try value(forKey: key, type: type)
    }

    nonisolated(nonsending) func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey, type: ConfigType,
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    func snapshot() -> any ConfigSnapshot { parsed }

    nonisolated(nonsending) func watchSnapshot<Return: ~Copyable>(
        updatesHandler: nonisolated(nonsending) (_ updates: ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}
