import Foundation

/// The server's bounded queue: how many completions are waiting for their first token or
/// generating, and whether new ones are taken. Beyond the limit a request is refused with
/// 429 rather than queued without bound; once shutdown begins, with 503.
public final class AdmissionControl: @unchecked Sendable {
    /// Completions queued or running at most.
    public let limit: Int
    private let lock = NSLock()
    private var waiting = 0
    private var running = 0
    private var draining = false

    public init(limit: Int) {
        self.limit = limit
    }

    /// Takes `completions` slots, or refuses: 503 while shutting down, 429 when full.
    func admit(_ completions: Int) throws(APIError) -> AdmissionTicket {
        let admitted = lock.withLock { () -> APIError? in
            if draining { return .shuttingDown }
            guard waiting + running + completions <= limit else { return .busy(limit: limit) }
            waiting += completions
            return nil
        }
        if let refusal = admitted { throw refusal }
        return AdmissionTicket(control: self, completions: completions)
    }

    /// From now on every request is refused with 503; admitted ones go on.
    public func beginDraining() {
        lock.withLock { draining = true }
    }

    public var isDraining: Bool { lock.withLock { draining } }

    /// Completions admitted that have not produced a token yet, and those that have.
    public var counts: (waiting: Int, running: Int) { lock.withLock { (waiting, running) } }

    fileprivate func started() {
        lock.withLock {
            waiting -= 1
            running += 1
        }
    }

    fileprivate func release(waiting notStarted: Int, running started: Int) {
        lock.withLock {
            waiting -= notStarted
            running -= started
        }
    }
}

/// The slots one request holds, given back by `release()` when its generation ends, or
/// when the ticket goes away without that (a streamed response body that was never
/// written because the client left first).
final class AdmissionTicket: @unchecked Sendable {
    private let control: AdmissionControl
    private let completions: Int
    private let lock = NSLock()
    private var startedCount = 0
    private var released = false

    fileprivate init(control: AdmissionControl, completions: Int) {
        self.control = control
        self.completions = completions
    }

    /// One of the request's completions produced its first token.
    func completionStarted() {
        lock.withLock { startedCount += 1 }
        control.started()
    }

    /// Gives the slots back; later calls do nothing.
    func release() {
        let started = lock.withLock { () -> Int? in
            defer { released = true }
            return released ? nil : startedCount
        }
        if let started { control.release(waiting: completions - started, running: started) }
    }

    deinit {
        release()
    }
}
