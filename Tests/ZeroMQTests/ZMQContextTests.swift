import Dispatch
import Testing
import ZeroMQ

@Suite("ZMQContext shutdown", .timeLimit(.minutes(1)))
struct ZMQContextTests {
    /// Calls `shutdown()` on another thread after `delay`.
    private func shutDown(_ context: ZMQContext, after delay: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { context.shutdown() }
    }

    @Test func shutdownFromAnotherThreadEndsABlockingReceive() throws {
        let context = try ZMQContext()
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.subscribe(prefix: "")
        try sub.bind("tcp://127.0.0.1:*")
        try sub.setReceiveTimeout(.seconds(10))  // only a bound: the test expects ETERM long before
        shutDown(context, after: 0.2)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: ZMQError.self) {
            try sub.receiveMultipart { $0.count }
        }
        #expect(error.isTerminated)
        #expect(clock.now - start < .seconds(5))
        // Every later call fails the same way; closing still works.
        #expect(throws: ZMQError.self) { try sub.receive(dontWait: true) }
        sub.close()
    }

    @Test func shutdownFromAnotherThreadEndsABlockingPoll() throws {
        let context = try ZMQContext()
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.bind("tcp://127.0.0.1:*")
        let poller = ZMQPoller()
        poller.add(sub)
        shutDown(context, after: 0.2)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(throws: ZMQError.self) { try poller.poll(timeout: .seconds(10)) }
        #expect(error.isTerminated)
        #expect(!error.isAgain)
        #expect(clock.now - start < .seconds(5))
    }

    @Test func contextOutlivesItsVariableWhileSocketsExist() throws {
        var socket: ZMQSocket? = try ZMQSocket(context: ZMQContext(), type: .pair)
        try socket?.bind("inproc://kept-alive")
        socket = nil  // closes the socket, then terminates the context without blocking (linger 0)
        #expect(socket == nil)
    }
}
