import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

@Suite("ZMQPoller", .timeLimit(.minutes(1)))
struct ZMQPollerTests {
    @Test func timesOutWithNoEventsThenReportsReadable() throws {
        let fixture = try PubSubFixture(prefixes: ["p"])
        let poller = ZMQPoller()
        let index = poller.add(fixture.sub)

        let clock = ContinuousClock()
        let start = clock.now
        #expect(try poller.poll(timeout: .milliseconds(100)) == 0)
        #expect(clock.now - start >= .milliseconds(90))
        #expect(!poller.isReadable(index))

        try fixture.pub.send(topic: "p", payload: [1])
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.isReadable(index))
        #expect(poller.events(at: index) == .readable)
        #expect(try fixture.sub.receive(dontWait: true) == [Array("p".utf8), [1]])

        #expect(try poller.poll(timeout: .zero) == 0)
    }

    @Test func pollsAFileDescriptorNextToASocket() throws {
        let fixture = try PubSubFixture(prefixes: ["p"])
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }

        let poller = ZMQPoller()
        let socketIndex = poller.add(fixture.sub)
        let pipeIndex = poller.add(fileDescriptor: fds[0])
        #expect(poller.count == 2)
        #expect(try poller.poll(timeout: .milliseconds(20)) == 0)

        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.isReadable(pipeIndex))
        #expect(!poller.isReadable(socketIndex))
    }

    @Test func closedSocketInPollerIsAnError() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .sub)
        let poller = ZMQPoller()
        poller.add(socket)
        socket.close()
        let error = try #require(throws: ZMQError.self) { try poller.poll(timeout: .zero) }
        #expect(error.description.contains("closed"))
    }
}
