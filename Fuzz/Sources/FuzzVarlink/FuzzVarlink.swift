import AntreCore
import AntreWire
import Dispatch

/// libFuzzer entry: the input is what a client writes to antred's socket.
/// It is fed in reads of a size picked from its length, so message boundaries
/// fall anywhere across reads, as they do on a real socket (and seeds stay
/// plain wire bytes). Every complete message goes
/// through the call decoder and the dispatcher (with a handler that answers
/// like the daemon, without a daemon), and through the client's reply decoder.
/// Crashes, sanitizer reports and broken invariants (`check`) are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVarlink(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    let readSize = count % 61 + 1
    let stream = input[...]

    // A small limit so inputs of a few KiB reach the too-large path too.
    var framer = VarlinkFramer(maxMessageSize: 2048)
    var messages: [[UInt8]] = []
    var overflowed = false
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + readSize, stream.endIndex)
        do {
            messages += try framer.feed(stream[offset..<end])
        } catch {
            overflowed = true
            break
        }
        offset = end
    }
    if !overflowed { checkFraming(Array(stream), messages: messages, rest: framer.bufferedByteCount) }

    for message in messages {
        decodeAsCall(message)
        decodeAsReply(message)
        dispatch(message)
    }
    return 0
}

/// Without an overflow the framer loses and invents nothing: its messages are
/// exactly the input's non-empty NUL-separated pieces, and the unterminated
/// tail stays buffered.
private func checkFraming(_ stream: [UInt8], messages: [[UInt8]], rest: Int) {
    let pieces = stream.split(separator: 0, omittingEmptySubsequences: false)
    let tail = stream.last == 0 ? 0 : (pieces.last?.count ?? 0)
    let complete = (stream.last == 0 ? pieces : pieces.dropLast()).filter { !$0.isEmpty }.map(Array.init)
    check(messages == complete, "framer output differs from the input's NUL-separated messages")
    check(rest == tail, "framer buffered \(rest) bytes, the unterminated tail has \(tail)")
}

/// A call that decodes survives its own encoding: what the CLI sends is what
/// the daemon reads.
private func decodeAsCall(_ message: [UInt8]) {
    guard let call = try? VarlinkCall(decoding: message) else { return }
    check(!call.interface.isEmpty && !call.memberName.isEmpty, "decoded call without interface or member")
    let wire = call.encoded()
    check(wire.last == 0 && wire.dropLast().allSatisfy { $0 != 0 }, "encoded call is not one NUL-terminated message")
    guard let again = try? VarlinkCall(decoding: wire.dropLast()) else {
        fail("re-encoded call does not decode: \(String(decoding: wire.dropLast(), as: UTF8.self))")
    }
    check(again == call, "re-encoded call differs: \(call) became \(again)")
}

/// The client's side: any bytes a (hostile) service sends decode or are refused,
/// and an error's text for the officer can be built.
private func decodeAsReply(_ message: [UInt8]) {
    guard let response = VarlinkResponse(decoding: message) else { return }
    if let error = response.error { _ = error.description }
}

/// Runs the dispatcher on one message and checks the outcome is well formed.
/// The dispatcher is async; the fuzzer's thread waits for it (this thread is
/// libFuzzer's own, not the cooperative pool).
private func dispatch(_ message: [UInt8]) {
    let done = DispatchSemaphore(value: 0)
    let task = Task {
        defer { done.signal() }
        switch await dispatcher.handle(message) {
        case let .reply(bytes):
            checkReply(bytes, message: message)
        case let .stream(replies):
            for await bytes in replies { checkReply(bytes, message: message) }
        case .none, .close:
            break
        }
    }
    done.wait()
    _ = task
}

/// Every reply is one NUL-terminated JSON object the client can read.
private func checkReply(_ bytes: [UInt8], message: [UInt8]) {
    check(bytes.last == 0 && bytes.dropLast().allSatisfy { $0 != 0 },
          "reply is not one NUL-terminated message for \(String(decoding: message, as: UTF8.self))")
    check(VarlinkResponse(decoding: bytes.dropLast()) != nil,
          "reply is not a Varlink reply: \(String(decoding: bytes, as: UTF8.self))")
}

private let dispatcher = VarlinkDispatcher(info: ServiceInfo(version: "fuzz"), handler: FuzzQueue())

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("FuzzVarlink invariant: \(message)")
}
