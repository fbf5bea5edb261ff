import Foundation

/// A value made on first request, once, under a lock; a failure is not remembered, so
/// a later request tries again (after the user fixed what was missing, say).
final class LazyBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    func value(_ make: () throws -> Value) throws -> Value {
        try lock.withLock {
            if let stored { return stored }
            let made = try make()
            stored = made
            return made
        }
    }
}
