import Logging

/// Pure helpers shared by the handlers: merging metadata sources and flattening nested values to key paths.
enum LogMetadata {
    /// Merges handler metadata, then the provider's, then the call's; later sources win on equal keys.
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        call: Logger.Metadata?
    ) -> Logger.Metadata {
        var result = handler
        if let provided = provider?.get(), !provided.isEmpty {
            result.merge(provided) { _, new in new }
        }
        if let call, !call.isEmpty {
            result.merge(call) { _, new in new }
        }
        return result
    }

    /// Flattens `metadata` to `(path, value)` pairs sorted by key: dictionaries recurse with keys joined by
    /// `separator`, strings and arrays use their string form, empty dictionaries produce nothing.
    static func flattened(_ metadata: Logger.Metadata, separator: String) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        append(metadata, prefix: nil, separator: separator, to: &result)
        return result
    }

    private static func append(
        _ metadata: Logger.Metadata,
        prefix: String?,
        separator: String,
        to result: inout [(key: String, value: String)]
    ) {
        for key in metadata.keys.sorted() {
            let path = prefix.map { $0 + separator + key } ?? key
            switch metadata[key]! {
            case .dictionary(let nested):
                append(nested, prefix: path, separator: separator, to: &result)
            case let value:
                result.append((path, value.description))
            }
        }
    }
}
