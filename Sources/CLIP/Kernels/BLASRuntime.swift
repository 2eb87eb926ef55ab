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

    /// How long (2^n cycles) an idle OpenBLAS worker thread polls after a threaded GEMM before
    /// it sleeps, as `shortenIdleSpin()` sets it: 2²⁰ cycles, ~0.4 ms at 2.45 GHz (see there).
    static let idleSpinExponent = 20

    /// Makes OpenBLAS's idle worker threads sleep soon after each threaded GEMM instead of
    /// polling for ~0.1 s.
    ///
    /// Why: OpenBLAS (pthreads build) keeps its idle workers polling with `sched_yield` for 2²⁸
    /// cycles after every GEMM. Between an encoder layer's GEMMs come the phases this library
    /// runs on all cores itself (the attention core, ~10 ms a layer for OWL-ViT B/32 at 768 px;
    /// the MLP activation; layer norms), and there the polling threads take the cores from
    /// ours. OpenBLAS reads `OPENBLAS_THREAD_TIMEOUT` (n: 2^n cycles, 4 ≤ n ≤ 30) when it starts
    /// its threads; this sets it, re-reads the environment and stops the threads, which
    /// OpenBLAS restarts at the next threaded GEMM. 2²⁰ cycles keep a worker polling across the
    /// sub-millisecond gaps (a layer norm) and let it sleep through the long phases; waking it
    /// costs a little GEMM time. A value the user set is kept (so `OPENBLAS_THREAD_TIMEOUT=28`
    /// restores OpenBLAS's own behaviour); a BLAS without these entry points is left alone.
    /// Call early, before GEMMs run on other threads (the CLI does it first thing in `main`).
    ///
    /// Measured (`clipdetect bench --config owlvit-b-32 --detect examples/scene.png --json
    /// --iterations 3`, 5 alternating rounds, medians in seconds per image; quiet 2-core EPYC,
    /// load average 1.3–1.8 from the runs themselves; n set through the environment):
    ///
    /// | OPENBLAS_THREAD_TIMEOUT | total | attention core | linear GEMMs | rest of encode |
    /// |---|---|---|---|---|
    /// | 28 (OpenBLAS's default) | 1.043 | 0.197 | 0.755 | 0.070 |
    /// | **20** | 0.971 | 0.124 | 0.769 | 0.059 |
    /// | 4 (sleep at once) | 0.989 | 0.125 | 0.780 | 0.062 |
    ///
    /// n = 20 was chosen on that run; a second one (22: 1.000 total, 24: 1.064) agreed, and the
    /// later check in the README (5 rounds, 19:56 UTC) gave 20: 1.065 / 0.136 attention against
    /// 28: 1.110 / 0.196.
    public static func shortenIdleSpin() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_THREAD_TIMEOUT"] == nil, env["GOTO_THREAD_TIMEOUT"] == nil,
              let readEnv = dlsym(nil, "openblas_read_env"), let shutdown = dlsym(nil, "blas_thread_shutdown_")
        else { return }
        setenv("OPENBLAS_THREAD_TIMEOUT", String(idleSpinExponent), 1)
        unsafeBitCast(readEnv, to: (@convention(c) () -> Void).self)()
        _ = unsafeBitCast(shutdown, to: (@convention(c) () -> Int32).self)()
    }

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
