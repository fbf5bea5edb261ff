import NIOCore

/// The TCP connection a request arrived on, watched so that a client who goes away
/// cancels its request even while it waits in the queue and nothing is being written.
struct ClientConnection: Sendable {
    /// How often the connection is checked: an atomic read, rare enough that hundreds of
    /// waiting requests cost nothing measurable, often enough that an abandoned request
    /// stops within a quarter of a second.
    static let pollInterval: Duration = .milliseconds(250)

    let channel: any Channel

    /// nil for a channel that is not open (requests handed to the router in-process), which
    /// has no client to lose.
    init?(channel: any Channel) {
        guard channel.isActive else { return nil }
        self.channel = channel
    }

    /// Returns once the client has closed the connection; throws `CancellationError` when
    /// the waiting task is cancelled first.
    func waitUntilClosed() async throws {
        while channel.isActive { try await Task.sleep(for: Self.pollInterval) }
    }
}
