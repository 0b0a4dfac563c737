import AntreWire
import Foundation
import Synchronization

/// Why a phone page's ticket could not be looked up.
public enum TicketLookupError: Error, Sendable, Equatable {
    /// Not one of today's tickets (or not a ticket number at all).
    case notFound
    /// antred is away, or too many lookups wait: the page retries.
    case unavailable(String)
}

/// GetTicket for the phone pages, on one dedicated thread with one connection (the
/// Varlink client blocks), each answer handed to the waiting request. At most
/// `capacity` lookups wait; more are refused at once (the phones retry).
public final class TicketLookup: Sendable {
    private struct Job: Sendable {
        var number: String
        var done: @Sendable (Result<TicketInfo, TicketLookupError>) -> Void
    }

    private let socketPath: String
    private let capacity: Int
    private let jobs = Mutex<[Job]>([])
    private let signal = DispatchSemaphore(value: 0)

    public init(socketPath: String, capacity: Int = 64) {
        self.socketPath = socketPath
        self.capacity = capacity
        let thread = Thread { [self] in loop() }
        thread.name = "antre-board-lookup"
        thread.start()
    }

    public func ticket(_ number: String) async -> Result<TicketInfo, TicketLookupError> {
        await withCheckedContinuation { continuation in
            submit(number) { continuation.resume(returning: $0) }
        }
    }

    private func submit(_ number: String, done: @escaping @Sendable (Result<TicketInfo, TicketLookupError>) -> Void) {
        let accepted = jobs.withLock { jobs -> Bool in
            guard jobs.count < capacity else { return false }
            jobs.append(Job(number: number, done: done))
            return true
        }
        guard accepted else { return done(.failure(.unavailable("busy"))) }
        signal.signal()
    }

    private func loop() {
        var client: VarlinkClient?
        while true {
            signal.wait()
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            // One retry on a fresh connection: antred may have restarted since the last lookup.
            var result = lookup(job.number, client: &client)
            if case .failure(.unavailable) = result { result = lookup(job.number, client: &client) }
            job.done(result)
        }
    }

    private func lookup(_ number: String, client: inout VarlinkClient?) -> Result<TicketInfo, TicketLookupError> {
        do {
            let connection = try client ?? VarlinkClient(path: socketPath, timeout: 5)
            client = connection
            let reply = try connection.call(QueueInterface.name + ".GetTicket", GetTicketParameters(number: number),
                                            as: TicketReply.self)
            return .success(reply.ticket)
        } catch let error as VarlinkError where error.name == "io.antre.Queue.TicketNotFound"
            || error.name == "org.varlink.service.InvalidParameter" {
            return .failure(.notFound)
        } catch let error as VarlinkError {
            return .failure(.unavailable(error.description))
        } catch {
            client = nil
            return .failure(.unavailable("\(error)"))
        }
    }
}
