import CBLAS
import Foundation

/// Which OpenBLAS kernels run the GEMMs, and a fix for CPUs that OpenBLAS does not recognise.
///
/// Why: Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH) picks its kernels from the CPU model number.
/// On CPUs newer than the library (Sapphire Rapids, and virtual CPUs that hide the model) it
/// falls back to the generic "Prescott" SSE3 kernels, which run sgemm 4–5× slower than the AVX-512
/// ones the CPU supports. OpenBLAS reads `OPENBLAS_CORETYPE` only while the library loads, before
/// any Swift code runs, so the only way to choose from inside the program is to restart it with the
/// variable set. A value already set by the user is always respected.
public enum BLASRuntime {
    /// The kernel family OpenBLAS chose (e.g. "SkylakeX", "Haswell", "Prescott").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Number of threads OpenBLAS uses for a large GEMM.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS limited to one thread, for code that issues GEMMs from several
    /// threads of its own (OpenBLAS's threads on top would oversubscribe the cores), then
    /// restores the thread count. Safe when several threads do this at once: the first one in
    /// lowers the count, the last one out restores it.
    static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        singleThreadLock.lock()
        if singleThreadUsers == 0 { savedThreads = openblas_get_num_threads() }
        singleThreadUsers += 1
        if savedThreads > 1 { openblas_set_num_threads(1) }
        singleThreadLock.unlock()
        defer {
            singleThreadLock.lock()
            singleThreadUsers -= 1
            if singleThreadUsers == 0, savedThreads > 1 { openblas_set_num_threads(savedThreads) }
            singleThreadLock.unlock()
        }
        return try body()
    }

    private static let singleThreadLock = NSLock()
    nonisolated(unsafe) private static var singleThreadUsers = 0
    nonisolated(unsafe) private static var savedThreads: Int32 = 1

    /// The best `OPENBLAS_CORETYPE` for this CPU from the instruction-set flags in /proc/cpuinfo,
    /// or nil when none is known to be better than OpenBLAS's own choice.
    public static func recommendedCoreType(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String? {
        guard let cpuinfo, let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Kernels OpenBLAS falls back to when it does not recognise the CPU.
    static let genericCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Coppermine", "Northwood", "Banias", "Atom", "unknown"]

    /// When OpenBLAS chose generic kernels on a CPU with AVX2/AVX-512 and the user did not set
    /// `OPENBLAS_CORETYPE`, re-executes this program (same arguments) with it set. Returns only
    /// when no restart is needed or the restart failed (the program then runs, just slower).
    /// Call first thing in `main`, before any output.
    public static func restartWithFasterKernelsIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["CLIPDETECT_NO_BLAS_RESTART"] == nil,
              genericCores.contains(coreName), let core = recommendedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("CLIPDETECT_NO_BLAS_RESTART", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure: carry on with the generic kernels.
        unsetenv("OPENBLAS_CORETYPE")
    }
}
