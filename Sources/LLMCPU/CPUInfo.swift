#if canImport(Glibc)
import Glibc
#endif

/// Facts about the host CPU.
public enum CPUInfo {
    /// Online logical cores.
    public static var coreCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
