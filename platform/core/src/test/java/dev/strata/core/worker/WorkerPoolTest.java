package dev.strata.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import dev.strata.api.Params;
import dev.strata.core.architecture.Architecture;
import dev.strata.core.architecture.ComponentRef;
import dev.strata.core.architecture.LayerSpec;
import dev.strata.core.training.Recipe;
import dev.strata.core.training.TaskSpec;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pool's mechanics, with {@link FakeWorkerMain} child JVMs (real processes, no DJL). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerPoolTest {

    @TempDir
    Path tmp;

    static final Architecture ARCH = new Architecture(8, List.of(new LayerSpec(ComponentRef.of("a"), ComponentRef.of("b"),
            ComponentRef.of("c"), ComponentRef.of("d"))), ComponentRef.of("c"));

    static TrialRequest trial(long id, String task, Map<String, ?> params, int timeLimit) {
        return new TrialRequest(id, ARCH, new TaskSpec(task, Params.of(params), 1, null),
                new Recipe(10, 4, 1e-3, 0, 0, 0.1, 5, 0, timeLimit), 100 + id);
    }

    WorkerConfig fake(int workers) {
        return WorkerConfig.of(tmp, "cpu", workers).withMainClass(FakeWorkerMain.class.getName()).withThreadsPerWorker(1)
                .withLogDir(tmp.resolve("logs")).withJvmArgs(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
    }

    @Test
    void trainsOnWarmWorkersThatAreReused() {
        List<String> progress = new CopyOnWriteArrayList<>();
        try (WorkerPool pool = new WorkerPool(fake(2), (id, step, loss) -> progress.add(id + ":" + step))) {
            List<CompletableFuture<TrialResult>> futures = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                futures.add(pool.submit(trial(i, "fake.sleep", Map.of("millis", 100), 30)));
            }
            Set<Double> pids = new HashSet<>();
            for (int i = 1; i <= 6; i++) {
                TrialResult r = futures.get(i - 1).join();
                assertThat(r.ok()).as(r.error()).isTrue();
                assertThat(r.trialId()).isEqualTo(i);
                assertThat(r.metric("val_loss")).isEqualTo(100 + i);
                assertThat(r.metric("threads")).isEqualTo(1);
                assertThat(r.curve().getFirst().accuracy()).isNaN();
                pids.add(r.metric("pid"));
            }
            assertThat(pids).hasSizeBetween(1, 2);
            assertThat(progress).hasSize(18).contains("1:1", "6:3");
            assertThat(pool.utilisation()).isGreaterThan(0).isLessThanOrEqualTo(1);
            assertThat(pool.workers()).extracting(WorkerPool.WorkerStatus::restarts).containsOnly(0);
            assertThat(pool.workers().stream().mapToInt(WorkerPool.WorkerStatus::trials).sum()).isEqualTo(6);
            assertThat(pool.recentStderr(0)).anyMatch(l -> l.contains("OMP_NUM_THREADS=1"));
            // The worker's non-protocol stdout line was set aside, not taken for a message.
            assertThat(pool.recentStderr(0)).contains("[stdout] this line is not protocol and must be ignored");
        }
    }

    @Test
    void releasedWorkersExitOnTheirOwnAndTakeNoMoreTrials() throws Exception {
        try (WorkerPool pool = new WorkerPool(fake(1))) {
            TrialResult r = pool.submit(trial(1, "fake.ok", Map.of(), 30)).join();
            assertThat(r.ok()).as(r.error()).isTrue();
            ProcessHandle worker = ProcessHandle.of((long) r.metric("pid")).orElseThrow();
            pool.release();
            // Its input ended: the worker stops by itself, before close() is called.
            assertThat(worker.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
            TrialResult late = pool.submit(trial(2, "fake.ok", Map.of(), 30)).join();
            assertThat(late.ok()).isFalse();
            assertThat(late.error()).isEqualTo("worker pool released");
        }
    }

    @Test
    void workerZeroWritesTheClassDataArchiveAndLaterWorkersStartWithIt() throws Exception {
        Path archive = tmp.resolve("cds/worker.jsa");
        Files.createDirectories(archive.getParent());
        // As under bin/strata, the class path must be jars only: class-data sharing refuses folders.
        String jars = jarsOnly(tmp.resolve("cds/classes.jar"));
        try (WorkerPool pool = new WorkerPool(fake(2).withClasspath(jars).withClassDataArchive(archive))) {
            assertThat(pool.submit(trial(1, "fake.ok", Map.of(), 30)).join().ok()).isTrue();
            assertThat(pool.submit(trial(2, "fake.ok", Map.of(), 30)).join().ok()).isTrue();
        }
        // Written by worker 0 as it exited (the JVM's dynamic archive, made from the classes it loaded).
        assertThat(archive).as(Files.readString(tmp.resolve("logs/worker-0.log"))).exists();
        assertThat(Files.size(archive)).isGreaterThan(100_000);
        try (WorkerPool pool = new WorkerPool(fake(1).withClasspath(jars).withClassDataArchive(archive))) {
            TrialResult r = pool.submit(trial(3, "fake.ok", Map.of(), 30)).join();
            assertThat(r.ok()).as(r.error()).isTrue();
        }
    }

    /** This JVM's class path with its folders (target/classes, target/test-classes) packed into {@code jar}. */
    private static String jarsOnly(Path jar) throws java.io.IOException {
        List<String> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path folder = Path.of(entry);
                if (!Files.isDirectory(folder)) {
                    entries.add(entry);
                    continue;
                }
                try (var files = Files.walk(folder)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        String name = folder.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                        if (!names.add(name)) continue;
                        out.putNextEntry(new java.util.jar.JarEntry(name));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        }
        entries.addFirst(jar.toString());
        return String.join(java.io.File.pathSeparator, entries);
    }

    @Test
    void timeLimitKillsTheWorkerAndAReplacementTakesOver() {
        try (WorkerPool pool = new WorkerPool(fake(1))) {
            long t0 = System.nanoTime();
            TrialResult slow = pool.submit(trial(1, "fake.sleep", Map.of("millis", 60_000), 1)).join();
            assertThat(slow.ok()).isFalse();
            assertThat(slow.error()).isEqualTo("time limit of 1s exceeded");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
            TrialResult next = pool.submit(trial(2, "fake.ok", Map.of(), 30)).join();
            assertThat(next.ok()).as(next.error()).isTrue();
            assertThat(pool.workers().getFirst().restarts()).isEqualTo(1);
        }
    }

    @Test
    void aWorkerThatDiesFailsItsTrialAndIsRestarted() {
        try (WorkerPool pool = new WorkerPool(fake(1))) {
            TrialResult first = pool.submit(trial(1, "fake.ok", Map.of(), 30)).join();
            TrialResult crash = pool.submit(trial(2, "fake.exit", Map.of("code", 3), 30)).join();
            assertThat(crash.ok()).isFalse();
            assertThat(crash.trialId()).isEqualTo(2);
            assertThat(crash.error()).isEqualTo("worker died (exit code 3): fake worker: exiting with code 3 as asked");
            TrialResult after = pool.submit(trial(3, "fake.ok", Map.of(), 30)).join();
            assertThat(after.ok()).as(after.error()).isTrue();
            assertThat(after.metric("pid")).isNotEqualTo(first.metric("pid"));
            assertThat(pool.workers().getFirst().restarts()).isEqualTo(1);
        }
    }

    @Test
    void aChattyWorkerDoesNotBlockAndItsStderrIsLogged() throws Exception {
        try (WorkerPool pool = new WorkerPool(fake(1))) {
            TrialResult r = pool.submit(trial(1, "fake.spam", Map.of("lines", 5000), 30)).join();
            assertThat(r.ok()).as(r.error()).isTrue();
            assertThat(pool.recentStderr(0)).hasSize(WorkerPool.STDERR_LINES);
        }
        assertThat(Files.readAllLines(tmp.resolve("logs/worker-0.log"))).hasSizeGreaterThan(5000);
    }

    @Test
    void whenNoWorkerCanStartTrialsFailWithTheReason() {
        WorkerConfig broken = fake(1).withMainClass("dev.strata.does.not.Exist");
        try (WorkerPool pool = new WorkerPool(broken)) {
            TrialResult r = pool.submit(trial(1, "fake.ok", Map.of(), 30)).join();
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).startsWith("no worker could start: worker exited (exit code 1) before it was ready")
                    .contains("dev.strata.does.not.Exist");
            TrialResult later = pool.submit(trial(2, "fake.ok", Map.of(), 30)).join();
            assertThat(later.error()).startsWith("no worker could start");
        }
    }

    @Test
    void closeFailsTrialsThatDidNotFinish() {
        CompletableFuture<TrialResult> running;
        CompletableFuture<TrialResult> queued;
        try (WorkerPool pool = new WorkerPool(fake(1))) {
            running = pool.submit(trial(1, "fake.sleep", Map.of("millis", 60_000), 120));
            queued = pool.submit(trial(2, "fake.ok", Map.of(), 30));
            while (pool.workers().getFirst().trials() == 0) {
                Thread.onSpinWait();
            }
        }
        assertThat(running.join().error()).isEqualTo("worker pool closed while the trial was running");
        assertThat(queued.join().error()).isEqualTo("worker pool closed before the trial started");
    }

    @Test
    void theRealWorkerAnswersWithAFailedResultForUnknownComponents() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("no-plugins"));
        WorkerConfig real = WorkerConfig.of(plugins, "cpu", 1).withThreadsPerWorker(1).withLogDir(tmp.resolve("real-logs"));
        try (WorkerPool pool = new WorkerPool(real)) {
            TrialResult r = pool.submit(trial(9, "task.none", Map.of(), 120)).join();
            assertThat(r.ok()).isFalse();
            assertThat(r.trialId()).isEqualTo(9);
            assertThat(r.error()).isEqualTo("IllegalArgumentException: unknown component 'task.none'");
            assertThat(pool.workers().getFirst().readyError()).isNull();
        }
    }

    @Test
    void aWorkerAskedForAMissingGpuFailsEachTrialWithTheReason() throws Exception {
        Engine engine = Engine.getInstance();
        Assumptions.assumeFalse(engine.hasCapability("CUDA") && engine.getGpuCount() > 0, "this machine has a usable GPU");
        Path plugins = Files.createDirectories(tmp.resolve("no-plugins"));
        try (WorkerPool pool = new WorkerPool(WorkerConfig.of(plugins, "gpu", 1).withThreadsPerWorker(1))) {
            TrialResult r = pool.submit(trial(4, "task.none", Map.of(), 120)).join();
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).startsWith("device gpu:0 requested but the PyTorch engine sees no GPU");
            assertThat(pool.workers().getFirst().readyError()).isEqualTo(r.error());
            assertThat(pool.workers().getFirst().alive()).isTrue();
        }
    }
}
