#if canImport(Glibc)
import Glibc
#endif

/// Makes a context current on the calling thread, remembering per thread which context
/// SwiftLLM last made current so the common case costs one thread-local read. The
/// engine loop runs on its own thread, so every entry point that calls the driver
/// goes through here first.
enum CurrentContext {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        _ = pthread_key_create(&key, nil)
        return key
    }()

    static func ensure(_ context: CUcontext, driver: DriverAPI) throws {
        let wanted = UnsafeMutableRawPointer(context)
        // pthread_getspecific comes into Swift as an implicitly unwrapped pointer: bind it
        // optionally, since it is nil on a thread's first call.
        let current: UnsafeMutableRawPointer? = pthread_getspecific(key)
        if current == wanted { return }
        try driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
        _ = pthread_setspecific(key, wanted)
    }

    /// Forgets the calling thread's record (after the context is released).
    static func forget() {
        _ = pthread_setspecific(key, nil)
    }
}
