package dev.strata.core.worker;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.strata.core.plugins.PluginHost;
import dev.strata.core.training.TrialResult;
import dev.strata.core.training.TrialTrainer;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A training worker: a child JVM that trains one trial at a time for the orchestrator.
 *
 * <pre>
 * java -cp CLASSPATH dev.strata.core.worker.WorkerMain --plugins DIR --device cpu|gpu|gpu:N --threads T
 * </pre>
 *
 * <p>Sets libtorch's thread counts, loads the plugins and libtorch side by side, announces itself
 * with a {@code ready} line, then reads {@link Protocol} trial lines from stdin until EOF and
 * answers each with progress lines and one result line. The protocol goes to the original stdout; {@code System.out} is redirected to
 * stderr first, so that nothing a library prints can corrupt it. A line it cannot parse stops the
 * worker with exit code 2 and the reason on stderr. If the requested GPU does not exist the worker
 * still starts (so it is not restarted in a loop) but fails every trial with that reason.
 */
public final class WorkerMain {

    /** Exit code for a bad command line. */
    static final int USAGE = 64;
    /** Exit code for a line that is not a trial request. */
    static final int PROTOCOL = 2;

    private WorkerMain() {}

    public static void main(String[] args) {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        System.exit(run(args, protocol));
    }

    static int run(String[] args, PrintStream protocol) {
        Path plugins = null;
        String deviceSpec = "cpu";
        int threads = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--plugins" -> plugins = Path.of(value(args, ++i, "--plugins"));
                    case "--device" -> deviceSpec = value(args, ++i, "--device");
                    case "--threads" -> threads = Integer.parseInt(value(args, ++i, "--threads"));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (plugins == null) throw new IllegalArgumentException("--plugins DIR is required");
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
            WorkerConfig.checkDevice(deviceSpec);
        } catch (IllegalArgumentException e) {
            System.err.println("strata worker: " + e.getMessage());
            System.err.println("usage: WorkerMain --plugins DIR --device cpu|gpu|gpu:N --threads T");
            return USAGE;
        }

        // Before the engine loads: PtEngine reads these once.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        exitWithParent();

        // libtorch (about 0.4 s to load) and the plugins (PF4J and Guice, about 0.3 s) load side by
        // side: the worker's start-up is on the critical path of every search's first trial.
        CompletableFuture<Engine> engineLoad = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                engineLoad.complete(Engine.getInstance());
            } catch (Throwable t) {
                engineLoad.completeExceptionally(t);
            }
        }, "strata-engine-load");
        loader.setDaemon(true);
        loader.start();
        try (PluginHost host = PluginHost.load(plugins)) {
            Engine engine = engine(engineLoad);
            Device device = null;
            String deviceError = null;
            try {
                // DJL counts GPUs through the CUDA runtime, not libtorch: CPU-only natives on a GPU box
                // would report GPUs they cannot use.
                int gpus = engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
                device = device(deviceSpec, gpus);
            } catch (IllegalStateException e) {
                deviceError = e.getMessage();
            }
            System.err.println("strata worker " + ProcessHandle.current().pid() + ": " + host.registry().all().size()
                    + " components, engine " + engine.getEngineName() + " " + engine.getVersion() + ", device "
                    + (device != null ? device : deviceSpec + " (unavailable)") + ", " + threads + " thread(s)");
            send(protocol, Protocol.ready(device != null ? device.toString() : deviceSpec, threads, deviceError));

            TrialTrainer trainer = new TrialTrainer();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                Protocol.Message message;
                try {
                    message = Protocol.parse(line);
                } catch (IllegalArgumentException e) {
                    System.err.println("strata worker: " + e.getMessage());
                    return PROTOCOL;
                }
                if (!(message instanceof Protocol.Trial(var request))) {
                    System.err.println("strata worker: expected a trial, got " + Protocol.abbreviate(line));
                    return PROTOCOL;
                }
                TrialResult result;
                if (deviceError != null) {
                    result = TrialResult.failed(request.trialId(), deviceError);
                } else {
                    result = trainer.train(request, host.registry(), device,
                            (id, step, loss) -> send(protocol, Protocol.progress(id, step, loss)));
                }
                send(protocol, Protocol.encode(result));
            }
            return 0;
        } catch (IOException e) {
            System.err.println("strata worker: cannot read stdin: " + e);
            return 1;
        } catch (RuntimeException e) {
            System.err.println("strata worker: " + e);
            return 1;
        }
    }

    /** The loaded engine, or the engine's own failure (not wrapped). */
    private static Engine engine(CompletableFuture<Engine> load) {
        try {
            return load.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /**
     * The device for a spec, or an {@link IllegalStateException} saying why it is not there.
     * {@code gpu} means GPU 0.
     */
    static Device device(String spec, int gpuCount) {
        if (spec.equals("cpu")) return Device.cpu();
        int index = spec.equals("gpu") ? 0 : Integer.parseInt(spec.substring("gpu:".length()));
        if (gpuCount == 0) {
            throw new IllegalStateException("device " + spec + " requested but the PyTorch engine sees no GPU"
                    + " (CPU-only natives, or no CUDA driver); use --device cpu or install CUDA natives (docs/gpu.md)");
        }
        if (index >= gpuCount) {
            throw new IllegalStateException("device " + spec + " requested but the PyTorch engine sees only " + gpuCount + " GPU(s)");
        }
        return Device.gpu(index);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static void send(PrintStream protocol, String line) {
        protocol.print(line);
        protocol.print('\n');
        protocol.flush();
    }

    /** An orphaned worker (its orchestrator killed) stops at once instead of finishing its trial. */
    private static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    }
}
