import Systemd
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Journal fields")
struct JournalFieldTests {
    @Test(arguments: [
        ("MESSAGE", "MESSAGE"),
        ("PREDICTORD_STREAM_ID", "PREDICTORD_STREAM_ID"),
        ("predictord_stream", "PREDICTORD_STREAM"),
        ("stream-id", "STREAM_ID"),
        ("stream.id é", "STREAM_ID__"),
        ("_PID", "PID"),
        ("__x", "X"),
        ("1abc", "F1ABC"),
        ("_9", "F9"),
        ("", "FIELD"),
        ("___", "FIELD"),
        ("=", "FIELD"),
    ])
    func namesAreSanitized(input: String, expected: String) {
        #expect(JournalField.sanitizedName(input) == expected)
        #expect(JournalField(input, "v").name == expected)
    }

    @Test func namesAreCutTo64Characters() {
        let name = JournalField.sanitizedName(String(repeating: "A", count: 100))
        #expect(name.count == 64)
    }

    @Test func entryIsEncodedAsNameEqualsValueItems() {
        let fields: [JournalField] = [
            .message("two\nlines"), .priority(.warning), .identifier("predictord"), JournalField("stream", "s=1"),
        ]
        let items = Journal.encode(fields).map { String(decoding: $0, as: UTF8.self) }
        #expect(items == ["MESSAGE=two\nlines", "PRIORITY=4", "SYSLOG_IDENTIFIER=predictord", "STREAM=s=1"])
        #expect(Journal.encode([JournalField("X", "é")]) == [[0x58, 0x3D, 0xC3, 0xA9]])
    }

    @Test func emptyEntryIsRejected() {
        #expect(Journal.send([JournalField]()) == -EINVAL)
    }

    @Test func priorityRawValuesAreSyslogSeverities() {
        #expect(JournalPriority.emergency.rawValue == 0)
        #expect(JournalPriority.error.rawValue == 3)
        #expect(JournalPriority.debug.rawValue == 7)
    }
}
