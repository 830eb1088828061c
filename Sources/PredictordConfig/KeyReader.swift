import Configuration

/// Typed, strict reads over a `ConfigReader`: a missing key takes its default, a present but unusable value
/// becomes a ``ConfigurationIssue`` naming the key (swift-configuration alone would silently use the default).
struct KeyReader {
    let reader: ConfigReader
    private(set) var issues: [ConfigurationIssue] = []
    /// Every key asked for, so unknown keys in the file can be reported as likely typos.
    private(set) var knownKeys: Set<String> = []

    init(reader: ConfigReader) { self.reader = reader }

    mutating func fail(_ key: String, _ message: String) {
        issues.append(ConfigurationIssue(key: key, message: message))
    }

    /// The raw scalar text at `key`, or nil when absent; an array where a scalar belongs is an issue.
    mutating func raw(_ key: String) -> String? {
        knownKeys.insert(key)
        if let s = reader.string(forKey: ConfigKey(key)) { return s }
        if reader.stringArray(forKey: ConfigKey(key)) != nil { fail(key, "expected a single value, got a list") }
        return nil
    }

    /// The raw list at `key` (a YAML sequence, a comma-separated environment value, or one scalar), or nil.
    mutating func rawList(_ key: String) -> [String]? {
        knownKeys.insert(key)
        if let list = reader.stringArray(forKey: ConfigKey(key)) { return list }
        if let s = reader.string(forKey: ConfigKey(key)) {
            return s.isEmpty ? [] : s.split(separator: ",").map { $0.trimmingCharacters() }
        }
        return nil
    }

    mutating func string(_ key: String, default value: String) -> String { raw(key) ?? value }

    mutating func requiredString(_ key: String) -> String? {
        guard let s = raw(key) else { fail(key, "is required"); return nil }
        return s
    }

    mutating func int(_ key: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let s = raw(key) else { return value }
        guard let v = Int(s) else { fail(key, "expected an integer, got '\(s)'"); return value }
        guard range.contains(v) else { fail(key, "must be in \(range.lowerBound)...\(range.upperBound), got \(v)"); return value }
        return v
    }

    mutating func optionalInt(_ key: String) -> Int? {
        guard let s = raw(key) else { return nil }
        guard let v = Int(s) else { fail(key, "expected an integer, got '\(s)'"); return nil }
        return v
    }

    mutating func double(_ key: String, default value: Double) -> Double {
        guard let s = raw(key) else { return value }
        guard let v = Double(s), v.isFinite else { fail(key, "expected a finite number, got '\(s)'"); return value }
        return v
    }

    mutating func bool(_ key: String, default value: Bool) -> Bool {
        guard let s = raw(key) else { return value }
        switch s.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: fail(key, "expected true or false, got '\(s)'"); return value
        }
    }

    mutating func strings(_ key: String, default value: [String]) -> [String] { rawList(key) ?? value }

    mutating func doubles(_ key: String) -> [Double]? {
        guard let list = rawList(key) else { return nil }
        var out: [Double] = []
        for (i, s) in list.enumerated() {
            guard let v = Double(s) else { fail("\(key)[\(i)]", "expected a number, got '\(s)'"); return nil }
            out.append(v)
        }
        return out
    }
}

extension KeyReader {
    /// A list of integers in `range` (one scalar reads as a one-element list), or `value` when absent.
    mutating func ints(_ key: String, default value: [Int], range: ClosedRange<Int>) -> [Int] {
        guard let list = rawList(key) else { return value }
        var out: [Int] = []
        for (i, s) in list.enumerated() {
            guard let v = Int(s), range.contains(v) else {
                fail("\(key)[\(i)]", "expected an integer in \(range.lowerBound)...\(range.upperBound), got '\(s)'")
                return value
            }
            out.append(v)
        }
        return out
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
