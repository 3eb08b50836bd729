package dev.strata.core.worker;

import dev.strata.core.training.ProgressListener;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Trains trials on a fixed number of warm worker processes ({@link WorkerMain} JVMs), one trial
 * per worker at a time.
 *
 * <p>{@link #submit} queues a trial; the first idle worker takes it. Workers are reused across
 * trials. A trial that runs past its recipe's time limit has its worker killed and fails with
 * "time limit of Ns exceeded"; a worker that dies mid-trial (crash, native abort, OOM kill) fails
 * its trial with "worker died (exit code X): last stderr line". Either way a replacement worker
 * starts. A worker that cannot start three times in a row retires its slot; when no slot is left,
 * every queued trial fails with the reason. The returned futures always complete, with a result:
 * failures are failed {@link TrialResult}s, never exceptions.
 *
 * <p>Each worker has one thread here that feeds it and reads its stdout, plus one that drains its
 * stderr (into {@code worker-<i>.log} when {@link WorkerConfig#logDir()} is set, and the last lines
 * in memory), so a chatty worker never blocks.
 */
public final class WorkerPool implements AutoCloseable {

    /** Lines of each worker's stderr kept in memory. */
    static final int STDERR_LINES = 100;
    /** Consecutive failed starts after which a slot gives up. */
    static final int START_ATTEMPTS = 3;
    /** How long {@link #close()} lets workers exit on their own before killing them. */
    static final long CLOSE_GRACE_MILLIS = 5_000;

    private final WorkerConfig config;
    private final ProgressListener listener;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicInteger liveSlots;
    private final long startNanos = System.nanoTime();
    private final Thread shutdownHook;
    private volatile boolean closed;
    private volatile boolean released;
    /** Put in the queue by {@link #close()}: the slot that takes it stops. */
    private final Job stop = new Job(null, null);
    private volatile String deadReason;

    /** Starts {@code config.workers()} workers (in the background: the constructor does not wait). */
    public WorkerPool(WorkerConfig config) {
        this(config, ProgressListener.NONE);
    }

    /** As {@link #WorkerPool(WorkerConfig)}, with a listener for the progress of every trial. */
    public WorkerPool(WorkerConfig config, ProgressListener listener) {
        this.config = config;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.liveSlots = new AtomicInteger(config.workers());
        if (config.logDir() != null) {
            try {
                Files.createDirectories(config.logDir());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create worker log folder " + config.logDir() + ": " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < config.workers(); i++) {
            slots.add(new Slot(i));
        }
        shutdownHook = new Thread(this::killAll, "strata-worker-pool-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        for (Slot s : slots) {
            s.thread.start();
        }
    }

    public WorkerConfig config() {
        return config;
    }

    /** Number of worker slots. */
    public int size() {
        return slots.size();
    }

    /** Trials waiting for a worker. */
    public int queued() {
        return queue.size();
    }

    /** Queues a trial. */
    public CompletableFuture<TrialResult> submit(TrialRequest request) {
        return submit(request, null);
    }

    /** Queues a trial; {@code progress} (and the pool's listener) hear its progress lines. */
    public CompletableFuture<TrialResult> submit(TrialRequest request, ProgressListener progress) {
        Job job = new Job(request, progress);
        if (closed || released) {
            job.fail(closed ? "worker pool is closed" : "worker pool released");
            return job.future;
        }
        queue.add(job);
        if (liveSlots.get() == 0) {
            failQueued("no worker could start: " + deadReason);
        } else if (closed) {
            failQueued("worker pool is closed");
        }
        return job.future;
    }

    /**
     * Busy time of all workers over their available time since the pool started: busy seconds /
     * (workers * wall seconds). 1 means no worker was ever idle.
     */
    public double utilisation() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        if (wall <= 0) return 0;
        double busy = 0;
        for (Slot s : slots) busy += s.busySeconds();
        return busy / (slots.size() * wall);
    }

    /** A snapshot of every worker. */
    public List<WorkerStatus> workers() {
        List<WorkerStatus> out = new ArrayList<>();
        for (Slot s : slots) out.add(s.status());
        return out;
    }

    /** The last lines worker {@code index} wrote to stderr (its current or last process). */
    public List<String> recentStderr(int index) {
        WorkerProcess p = slots.get(index).lastProcess;
        return p == null ? List.of() : p.stderrTail();
    }

    /**
     * One worker as seen from the pool.
     *
     * @param busySeconds time spent training trials (including the current one)
     * @param readyError why the worker cannot train (its device is missing), or null
     */
    public record WorkerStatus(int index, String device, long pid, boolean alive, boolean busy, int trials, int restarts,
            double busySeconds, String readyError) {}

    /**
     * Tells the workers that no more trials will come: each exits on its own once its input ends
     * (after its current trial, if any) while the caller finishes up, so that {@link #close()} later finds it gone instead of waiting
     * for its JVM to stop. Trials submitted afterwards fail. A search calls it when its last trial
     * has reported.
     */
    public void release() {
        released = true;
        failQueued("worker pool released before the trial started");
        for (Slot s : slots) {
            WorkerProcess p = s.worker;
            if (p != null) p.closeStdin(); // a worker still training finishes its trial first
        }
    }

    /**
     * Stops the workers: trials not yet started fail, stdin of each worker is closed so it exits
     * after its current line, and workers still running after a grace period are killed (their
     * trials fail with "worker pool closed").
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        failQueued("worker pool closed before the trial started");
        for (Slot s : slots) {
            WorkerProcess p = s.worker;
            if (p != null) p.closeStdin();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
        for (Slot s : slots) {
            WorkerProcess p = s.worker;
            if (p == null) continue;
            if (p.ready == null) {
                // Still starting (the search stopped on bad input, say): nothing to finish, and it
                // would only read the end of its input once libtorch is loaded.
                p.kill();
                continue;
            }
            long left = deadline - System.nanoTime();
            if (!p.waitFor(Math.max(0, left))) {
                p.kill();
            }
        }
        // Wakes the slots waiting for work at once (they poll in 250 ms steps otherwise).
        for (int i = 0; i < slots.size(); i++) queue.add(stop);
        for (Slot s : slots) {
            try {
                s.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private void killAll() {
        for (Slot s : slots) {
            WorkerProcess p = s.worker;
            if (p != null) p.process.destroyForcibly();
        }
    }

    private void failQueued(String reason) {
        Job j;
        while ((j = queue.poll()) != null) {
            if (j != stop) j.fail(reason);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A queued or running trial. */
    private final class Job {
        final TrialRequest request;
        final ProgressListener progress;
        final CompletableFuture<TrialResult> future = new CompletableFuture<>();

        Job(TrialRequest request, ProgressListener progress) {
            this.request = request;
            this.progress = progress;
        }

        void fail(String reason) {
            future.complete(TrialResult.failed(request.trialId(), reason));
        }

        void progress(int step, double loss) {
            for (ProgressListener l : new ProgressListener[] {listener, progress}) {
                if (l == null) continue;
                try {
                    l.onProgress(request.trialId(), step, loss);
                } catch (RuntimeException e) {
                    // a listener's bug must not lose the trial
                }
            }
        }
    }

    /** One worker slot: a thread that keeps a worker process alive and feeds it trials. */
    private final class Slot implements Runnable {
        final int index;
        final String device;
        final Thread thread;
        volatile WorkerProcess worker;
        volatile WorkerProcess lastProcess;
        volatile long busySince; // 0 when idle
        final AtomicLong busyNanos = new AtomicLong();
        volatile int trials;
        volatile int restarts;
        private int starts;
        private String lastStartError;

        Slot(int index) {
            this.index = index;
            this.device = config.deviceFor(index);
            this.thread = new Thread(this, "strata-worker-" + index);
            this.thread.setDaemon(true);
        }

        double busySeconds() {
            long since = busySince;
            long current = since == 0 ? 0 : Math.max(0, System.nanoTime() - since);
            return (busyNanos.get() + current) / 1e9;
        }

        WorkerStatus status() {
            WorkerProcess p = worker;
            return new WorkerStatus(index, device, p == null ? -1 : p.process.pid(), p != null && p.process.isAlive(),
                    busySince != 0, trials, restarts, busySeconds(), p == null || p.ready == null ? null : p.ready.error());
        }

        @Override
        public void run() {
            try {
                if (!ensureWorker()) return;
                while (!closed) {
                    Job job;
                    try {
                        job = queue.poll(250, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (job == null) continue;
                    if (job == stop) return;
                    if (closed) {
                        job.fail("worker pool closed before the trial started");
                        return;
                    }
                    if (!ensureWorker()) {
                        job.fail("no worker could start: " + lastStartError);
                        return;
                    }
                    runJob(job);
                    if (!closed && worker == null && !ensureWorker()) return;
                }
            } finally {
                WorkerProcess p = worker;
                if (p != null && closed) p.closeStdin();
                if (!closed && liveSlots.decrementAndGet() == 0) {
                    deadReason = lastStartError;
                    failQueued("no worker could start: " + lastStartError);
                }
            }
        }

        /** A live, ready worker, starting one if needed; false when this slot gives up. */
        private boolean ensureWorker() {
            WorkerProcess current = worker;
            if (current != null && current.process.isAlive()) return true;
            worker = null;
            for (int attempt = 1; attempt <= START_ATTEMPTS && !closed; attempt++) {
                try {
                    if (starts++ > 0) restarts++;
                    WorkerProcess p = WorkerProcess.start(config.command(index), config.environment(), logFile(), index);
                    worker = p;
                    lastProcess = p;
                    if (closed) {
                        p.kill();
                        return false;
                    }
                    p.awaitReady(config.startupTimeout().toNanos());
                    return true;
                } catch (IOException | RuntimeException e) {
                    lastStartError = e.getMessage();
                    WorkerProcess p = worker;
                    if (p != null) p.kill();
                    worker = null;
                }
            }
            return false;
        }

        private Path logFile() {
            return config.logDir() == null ? null : config.logDir().resolve("worker-" + index + ".log");
        }

        private void runJob(Job job) {
            WorkerProcess p = worker;
            TrialRequest request = job.request;
            int limit = request.recipe().timeLimitSeconds();
            long start = System.nanoTime();
            busySince = start;
            trials++;
            try {
                try {
                    p.send(Protocol.encode(request));
                } catch (IOException e) {
                    died(job, p);
                    return;
                }
                long deadline = limit > 0 ? start + TimeUnit.SECONDS.toNanos(limit) : Long.MAX_VALUE;
                while (true) {
                    long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                    String line = left <= 0 ? null : p.nextLine(left);
                    if (line == null) {
                        p.kill();
                        worker = null;
                        job.fail("time limit of " + limit + "s exceeded");
                        return;
                    }
                    if (line == WorkerProcess.EOF) {
                        died(job, p);
                        return;
                    }
                    Protocol.Message m;
                    try {
                        m = Protocol.parse(line);
                    } catch (IllegalArgumentException e) {
                        p.noteStray(line);
                        continue;
                    }
                    if (m instanceof Protocol.Progress(long id, int step, double loss) && id == request.trialId()) {
                        job.progress(step, loss);
                    } else if (m instanceof Protocol.Result(TrialResult result) && result.trialId() == request.trialId()) {
                        job.future.complete(result);
                        return;
                    }
                }
            } finally {
                busyNanos.addAndGet(System.nanoTime() - start);
                busySince = 0;
            }
        }

        private void died(Job job, WorkerProcess p) {
            worker = null;
            int code = p.exitCode();
            if (closed) {
                job.fail("worker pool closed while the trial was running");
                return;
            }
            String last = p.lastStderrLine();
            job.fail("worker died (exit code " + code + ")" + (last == null ? "" : ": " + last));
        }
    }

    /** A running worker JVM and the threads that read its output. */
    static final class WorkerProcess {
        /** Put in {@link #lines} when stdout ends. */
        static final String EOF = new String("<end of stdout>");

        final Process process;
        private final BufferedWriter stdin;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Deque<String> stderr = new ArrayDeque<>();
        private final Thread stderrReader;
        volatile Protocol.Ready ready;

        private WorkerProcess(Process process, Path log, int index) {
            this.process = process;
            this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            Thread out = new Thread(this::readStdout, "strata-worker-" + index + "-stdout");
            out.setDaemon(true);
            out.start();
            stderrReader = new Thread(() -> readStderr(log), "strata-worker-" + index + "-stderr");
            stderrReader.setDaemon(true);
            stderrReader.start();
        }

        static WorkerProcess start(List<String> command, java.util.Map<String, String> env, Path log, int index) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            return new WorkerProcess(pb.start(), log, index);
        }

        /** Waits for the {@code ready} line; throws with the reason if the worker dies or is too slow. */
        void awaitReady(long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : nextLine(left);
                if (line == null) {
                    throw new IllegalStateException("worker did not get ready within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + "s");
                }
                if (line == EOF) {
                    int code = exitCode();
                    String last = lastStderrLine();
                    throw new IllegalStateException("worker exited (exit code " + code + ") before it was ready" + (last == null ? "" : ": " + last));
                }
                try {
                    if (Protocol.parse(line) instanceof Protocol.Ready r) {
                        ready = r;
                        return;
                    }
                } catch (IllegalArgumentException e) {
                    noteStray(line);
                }
            }
        }

        /** The next stdout line, {@link #EOF}, or null after {@code timeoutNanos}. */
        String nextLine(long timeoutNanos) {
            try {
                return timeoutNanos == Long.MAX_VALUE ? lines.take() : lines.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        void send(String line) throws IOException {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        }

        void closeStdin() {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
        }

        boolean waitFor(long nanos) {
            try {
                return process.waitFor(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        void kill() {
            process.destroyForcibly();
            waitFor(TimeUnit.SECONDS.toNanos(10));
        }

        /** The exit code once the process is gone (killed if it lingers), -1 if unknown. */
        int exitCode() {
            if (!waitFor(TimeUnit.SECONDS.toNanos(5))) {
                kill();
            }
            return process.isAlive() ? -1 : process.exitValue();
        }

        /** The last meaningful stderr line, after the stderr reader has caught up with a dead process. */
        String lastStderrLine() {
            if (!process.isAlive()) {
                try {
                    stderrReader.join(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (stderr) {
                // Skip decoration such as the '#' lines that end a JVM crash report.
                for (var it = stderr.descendingIterator(); it.hasNext(); ) {
                    String line = it.next().strip();
                    if (line.chars().anyMatch(Character::isLetterOrDigit)) return line;
                }
                return null;
            }
        }

        List<String> stderrTail() {
            synchronized (stderr) {
                return List.copyOf(stderr);
            }
        }

        /** A stdout line that is not protocol (should not happen: the worker redirects System.out). */
        void noteStray(String line) {
            remember("[stdout] " + line);
        }

        private void remember(String line) {
            synchronized (stderr) {
                if (stderr.size() == STDERR_LINES) stderr.removeFirst();
                stderr.addLast(line);
            }
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                lines.add(EOF);
            }
        }

        private void readStderr(Path log) {
            Writer file = null;
            try {
                if (log != null) {
                    file = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    file.write("--- worker pid " + process.pid() + " started\n");
                    file.flush();
                }
            } catch (IOException e) {
                file = null;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) remember(line);
                    if (file != null) {
                        try {
                            file.write(line);
                            file.write('\n');
                            file.flush();
                        } catch (IOException e) {
                            file = null;
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                if (file != null) {
                    try {
                        file.close();
                    } catch (IOException e) {
                        // nothing to do
                    }
                }
            }
        }
    }
}
