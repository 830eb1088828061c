import Testing
import ZeroMQ

/// CURVE keys, Z85, key files and a ZAP handler, checked against published vectors and real loopback sockets.
@Suite("CURVE and ZAP", .timeLimit(.minutes(1)))
struct ZMQCurveTests {
    // The key pairs of the ZeroMQ guide's "Ironhouse" example and libzmq's tests/testutil_security.hpp.
    static let serverPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    static let serverSecret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
    static let clientPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    static let clientSecret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

    @Test func libzmqHasCurve() {
        #expect(ZMQCurveKeyPair.isSupported, "Debian's libzmq is built with libsodium; CURVE must be available")
    }

    @Test func z85MatchesTheSpecificationVector() throws {
        // ZeroMQ RFC 32 (Z85): the 8 bytes 86 4F D2 6F B5 59 F7 5B encode as "HelloWorld"; 4-byte groups are
        // encoded independently, so four copies encode as four copies.
        let hello: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        let key = try ZMQCurveKey(bytes: hello + hello + hello + hello)
        #expect(key.z85 == String(repeating: "HelloWorld", count: 4))
        #expect(try ZMQCurveKey(z85: key.z85) == key)
    }

    @Test func badKeysAreRejected() {
        #expect(throws: ZMQError.self) { try ZMQCurveKey(bytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: ZMQError.self) { try ZMQCurveKey(z85: String(Self.serverPublic.dropLast())) }
        // '~' and '"' are not in the Z85 alphabet.
        #expect(throws: ZMQError.self) { try ZMQCurveKey(z85: "~" + String(Self.serverPublic.dropFirst())) }
        #expect(throws: ZMQError.self) { try ZMQCurveKey(z85: String(Self.serverPublic.dropLast()) + "\"") }
    }

    @Test func publicKeyIsDerivedFromTheSecretKey() throws {
        let server = try ZMQCurveKeyPair(secretKey: ZMQCurveKey(z85: Self.serverSecret))
        #expect(server.publicKey.z85 == Self.serverPublic)
        let client = try ZMQCurveKeyPair(secretKey: ZMQCurveKey(z85: Self.clientSecret))
        #expect(client.publicKey.z85 == Self.clientPublic)
    }

    @Test func generatedPairsAreConsistentAndDistinct() throws {
        let a = try ZMQCurveKeyPair.generate(), b = try ZMQCurveKeyPair.generate()
        #expect(a != b && a.publicKey != b.publicKey)
        #expect(try ZMQCurveKeyPair(secretKey: a.secretKey) == a)
    }

    @Test func certificateTextRoundTripsAndReadsCZMQFiles() throws {
        let pair = try ZMQCurveKeyPair(secretKey: ZMQCurveKey(z85: Self.clientSecret))
        let secret = ZMQCurveCertificate(secret: pair)
        let text = secret.render(comment: ["written by a test"])
        #expect(text.contains("secret-key = \"\(Self.clientSecret)\""))
        #expect(try ZMQCurveCertificate.parse(text) == secret)
        let publicText = ZMQCurveCertificate(publicKey: pair.publicKey).render()
        #expect(!publicText.contains("secret-key"))
        #expect(try ZMQCurveCertificate.parse(publicText).secretKey == nil)
        #expect(try ZMQCurveCertificate.parse(publicText).publicKey.z85 == Self.clientPublic)
        // A certificate as CZMQ's zcert_save_secret writes it (tab-free, with metadata section).
        let czmq = """
            #   ****  Generated on 2015-03-12 13:54:07 by CZMQ  ****
            #   ZeroMQ CURVE **Secret** Certificate
            #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

            metadata
                name = "client"
            curve
                public-key = "\(Self.clientPublic)"
                secret-key = "\(Self.clientSecret)"

            """
        #expect(try ZMQCurveCertificate.parse(czmq).keyPair == pair)
    }

    @Test func certificateErrorsNameTheProblem() throws {
        let missing = try #require(throws: ZMQCurveCertificateError.self) { try ZMQCurveCertificate.parse("# nothing\ncurve\n") }
        #expect(missing.message.contains("public-key"))
        let short = try #require(throws: ZMQCurveCertificateError.self) {
            try ZMQCurveCertificate.parse("curve\n    public-key = \"abc\"\n")
        }
        #expect(short.message.contains("line 2"))
        // A secret key next to someone else's public key.
        let mismatched = "curve\n    public-key = \"\(Self.serverPublic)\"\n    secret-key = \"\(Self.clientSecret)\"\n"
        let error = try #require(throws: ZMQCurveCertificateError.self) { try ZMQCurveCertificate.parse(mismatched) }
        #expect(error.message.contains("does not belong"))
    }

    @Test func zapRequestFramesRoundTrip() throws {
        let key = try ZMQCurveKey(z85: Self.clientPublic)
        let request = ZAPRequest(requestID: [1, 2], domain: "obs", address: "127.0.0.1", mechanism: "CURVE", credentials: [key.bytes])
        let parsed = try #require(ZAPRequest(frames: request.frames))
        #expect(parsed == request && parsed.curvePublicKey == key)
        #expect(ZAPRequest(frames: [Array("2.0".utf8)] + Array(request.frames.dropFirst())) == nil)
        #expect(ZAPRequest(frames: Array(request.frames.prefix(5))) == nil)
        let reply = request.reply(accept: false, statusText: "no")
        #expect(reply.frames == [Array("1.0".utf8), [1, 2], Array("400".utf8), Array("no".utf8), [], []])
    }

    /// A CURVE server SUB with a ZAP handler on the same thread that admits `allowed`; returns what arrived, and
    /// the ZAP requests seen, while `client` sends probes for `seconds` (or until a probe arrives).
    private func exchange(client: (ZMQSocket) throws -> Void, allowed: Set<ZMQCurveKey>, seconds: Double)
        throws -> (received: Int, requests: [ZAPRequest])
    {
        let context = try ZMQContext()
        let zap = try ZMQSocket(context: context, type: .rep)
        try zap.bind(ZAPRequest.endpoint)
        let server = try ZMQSocket(context: context, type: .sub)
        try server.makeCurveServer(keyPair: ZMQCurveKeyPair(secretKey: ZMQCurveKey(z85: Self.serverSecret)))
        try server.setZAPDomain("observations")
        try server.subscribe(prefix: "")
        try server.bind("tcp://127.0.0.1:*")
        let clientContext = try ZMQContext()
        let publisher = try ZMQSocket(context: clientContext, type: .pub)
        try client(publisher)
        try publisher.connect(try server.lastEndpoint)
        let poller = ZMQPoller()
        let zapIndex = poller.add(zap), serverIndex = poller.add(server)
        var requests: [ZAPRequest] = []
        var received = 0
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        while clock.now < deadline && received == 0 {
            try publisher.send(topic: "t", payload: [1])
            _ = try poller.poll(timeout: .milliseconds(20))
            if poller.isReadable(zapIndex), let frames = try zap.receive(dontWait: true) {
                let request = try #require(ZAPRequest(frames: frames))
                requests.append(request)
                let admit = request.curvePublicKey.map { allowed.contains($0) } ?? false
                try zap.send(frames: request.reply(accept: admit, statusText: admit ? "OK" : "key not allowed").frames)
            }
            if poller.isReadable(serverIndex) { while try server.receive(dontWait: true) != nil { received += 1 } }
        }
        return (received, requests)
    }

    @Test func allowedClientKeyGetsThrough() throws {
        let client = try ZMQCurveKeyPair(secretKey: ZMQCurveKey(z85: Self.clientSecret))
        let result = try exchange(client: {
            try $0.makeCurveClient(keyPair: client, serverKey: ZMQCurveKey(z85: Self.serverPublic))
        }, allowed: [client.publicKey], seconds: 10)
        #expect(result.received > 0)
        let request = try #require(result.requests.first)
        #expect(request.domain == "observations" && request.mechanism == "CURVE" && request.address == "127.0.0.1")
        #expect(request.curvePublicKey == client.publicKey)
    }

    @Test func unknownClientKeyIsRefusedByTheHandler() throws {
        let allowed = try ZMQCurveKeyPair.generate()
        let stranger = try ZMQCurveKeyPair.generate()
        let result = try exchange(client: {
            try $0.makeCurveClient(keyPair: stranger, serverKey: ZMQCurveKey(z85: Self.serverPublic))
        }, allowed: [allowed.publicKey], seconds: 1.5)
        #expect(result.received == 0)
        #expect(result.requests.contains { $0.curvePublicKey == stranger.publicKey }, "the handler was asked about the key")
    }

    @Test func plainTextClientFailsTheHandshake() throws {
        let result = try exchange(client: { _ in }, allowed: [], seconds: 1.5)
        #expect(result.received == 0)
        #expect(result.requests.isEmpty, "a NULL client never reaches the handler: the mechanisms differ")
    }
}
