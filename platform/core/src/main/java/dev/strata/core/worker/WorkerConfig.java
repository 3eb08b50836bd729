package dev.strata.core.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link WorkerPool} starts its worker JVMs.
 *
 * @param pluginsDir plugin folder each worker loads
 * @param device {@code cpu}, {@code gpu} (worker i trains on GPU i) or {@code gpu:N} (all on GPU N)
 * @param workers number of worker processes
 * @param threadsPerWorker libtorch intra-op threads per worker; 0 = {@code max(1, cores / workers)}
 * @param javaExecutable java launcher; null = the running JVM's
 * @param classpath worker classpath; null = this JVM's {@code java.class.path}
 * @param jvmArgs extra JVM options (heap size, say), before the ones the pool sets
 * @param mainClass worker main class; null = {@link WorkerMain} (tests use a fake one)
 * @param logDir when set, each worker's stderr is appended to {@code worker-<i>.log} there
 * @param startupTimeout how long a worker may take to say it is ready; null = 5 minutes
 * @param classDataArchive a class-data-sharing archive of the worker's classes (see
 *     {@link #WORKER_ARCHIVE}), or null for none
 */
public record WorkerConfig(
        Path pluginsDir,
        String device,
        int workers,
        int threadsPerWorker,
        String javaExecutable,
        String classpath,
        List<String> jvmArgs,
        String mainClass,
        Path logDir,
        Duration startupTimeout,
        Path classDataArchive) {

    private static final Pattern DEVICE = Pattern.compile("cpu|gpu|gpu:\\d+");

    public WorkerConfig {
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        device = device == null ? "cpu" : device.trim().toLowerCase(java.util.Locale.ROOT);
        checkDevice(device);
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        if (threadsPerWorker < 0) throw new IllegalArgumentException("threads per worker must not be negative, got " + threadsPerWorker);
        if (threadsPerWorker == 0) threadsPerWorker = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        if (javaExecutable == null) {
            javaExecutable = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        if (classpath == null) classpath = System.getProperty("java.class.path");
        jvmArgs = jvmArgs == null ? List.of() : List.copyOf(jvmArgs);
        if (mainClass == null) mainClass = WorkerMain.class.getName();
        if (startupTimeout == null) startupTimeout = Duration.ofMinutes(5);
    }

    /**
     * The worker's Java heap: tensors live in libtorch's native memory, so the heap holds only array
     * handles, model blocks and the task's data. Starting at 256 MiB instead of the JVM's default
     * (1/64 of the machine's memory, growing towards 1/4) keeps the worker's resident memory from
     * climbing with the heap (docs/performance.md: +29% between steps 1,000 and 10,000 with the
     * defaults); the 2 GiB ceiling leaves room for a byte-level corpus read into memory.
     */
    static final List<String> WORKER_HEAP = List.of("-Xms256m", "-Xmx2g");

    /** Defaults for everything but the plugins, device and number of workers. */
    public static WorkerConfig of(Path pluginsDir, String device, int workers) {
        return new WorkerConfig(pluginsDir, device, workers, 0, null, null, defaultJvmArgs(), null, null, null, defaultArchive());
    }

    /**
     * Where {@link #of} keeps the workers' class-data-sharing archive: {@code build/strata-worker.jsa}
     * under {@code strata.home} (set by {@code bin/strata}), as the CLI keeps its own. A worker
     * started with it is ready in about 0.7 s instead of 0.95 s (docs/performance.md). Without
     * {@code strata.home} (tests, an embedding application) workers start without one.
     */
    static final String WORKER_ARCHIVE = "build/strata-worker.jsa";

    static Path defaultArchive() {
        String home = System.getProperty("strata.home");
        return home == null || home.isBlank() ? null : Path.of(home).toAbsolutePath().resolve(WORKER_ARCHIVE);
    }

    public WorkerConfig withClassDataArchive(Path archive) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, classpath, jvmArgs, mainClass, logDir, startupTimeout, archive);
    }

    /** JVM options of every worker: {@link #WORKER_HEAP}, then STRATA_WORKER_JAVA_OPTS (space-separated) if set. */
    static List<String> defaultJvmArgs() {
        List<String> args = new ArrayList<>(WORKER_HEAP);
        String extra = System.getenv("STRATA_WORKER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) args.addAll(List.of(extra.strip().split("\\s+")));
        return args;
    }

    public WorkerConfig withThreadsPerWorker(int threads) {
        return new WorkerConfig(pluginsDir, device, workers, threads, javaExecutable, classpath, jvmArgs, mainClass, logDir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withJavaExecutable(String java) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, java, classpath, jvmArgs, mainClass, logDir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withClasspath(String cp) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, cp, jvmArgs, mainClass, logDir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withJvmArgs(List<String> args) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, classpath, args, mainClass, logDir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withMainClass(String main) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, classpath, jvmArgs, main, logDir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withLogDir(Path dir) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, classpath, jvmArgs, mainClass, dir, startupTimeout, classDataArchive);
    }

    public WorkerConfig withStartupTimeout(Duration timeout) {
        return new WorkerConfig(pluginsDir, device, workers, threadsPerWorker, javaExecutable, classpath, jvmArgs, mainClass, logDir, timeout, classDataArchive);
    }

    /** The device worker {@code index} trains on: {@code gpu} spreads workers over GPUs 0..N-1. */
    public String deviceFor(int index) {
        return device.equals("gpu") ? "gpu:" + index : device;
    }

    /** The command line of worker {@code index}. */
    public List<String> command(int index) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable);
        cmd.addAll(jvmArgs);
        if (classDataArchive != null) {
            // Worker 0 (re)writes the archive when it exits and the archive is missing or was made
            // from other jars; the others only read it, so that no two JVMs write the file at once.
            // A missing or unusable archive is skipped silently (the JVM then loads classes as usual).
            if (index == 0) cmd.add("-XX:+AutoCreateSharedArchive");
            cmd.add("-XX:SharedArchiveFile=" + classDataArchive);
            cmd.add("-Xlog:cds=off");
            cmd.add("-Xlog:cds+dynamic=off");
        }
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + threadsPerWorker);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.add("--plugins");
        cmd.add(pluginsDir.toAbsolutePath().toString());
        cmd.add("--device");
        cmd.add(deviceFor(index));
        cmd.add("--threads");
        cmd.add(Integer.toString(threadsPerWorker));
        return cmd;
    }

    /** Environment variables set for every worker (OpenMP and MKL threads). */
    public Map<String, String> environment() {
        String t = Integer.toString(threadsPerWorker);
        return Map.of("OMP_NUM_THREADS", t, "MKL_NUM_THREADS", t);
    }

    /** Refuses a device spec other than {@code cpu}, {@code gpu}, {@code gpu:N}. */
    static void checkDevice(String device) {
        if (device == null || !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got '" + device + "'");
        }
    }
}
