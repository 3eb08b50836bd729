package dev.strata.core.worker;

import dev.strata.core.training.CurvePoint;
import dev.strata.core.training.TrialRequest;
import dev.strata.core.training.TrialResult;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A stand-in worker for testing {@link WorkerPool}'s mechanics (dispatch, time limits, crashes,
 * restarts) without DJL: speaks {@link Protocol} and does what the trial's task id says.
 *
 * <ul>
 *   <li>{@code fake.ok}: reports progress, then a result with val_loss = seed and the worker's pid;
 *   <li>{@code fake.sleep}: sleeps {@code millis}, then answers like {@code fake.ok};
 *   <li>{@code fake.exit}: writes a line to stderr and exits with {@code code};
 *   <li>{@code fake.spam}: writes {@code lines} lines to stderr, then answers like {@code fake.ok}.
 * </ul>
 */
public final class FakeWorkerMain {

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        String device = "cpu";
        int threads = 0;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--device")) device = args[i + 1];
            if (args[i].equals("--threads")) threads = Integer.parseInt(args[i + 1]);
        }
        out.println("this line is not protocol and must be ignored");
        System.setOut(System.err);
        System.err.println("fake worker " + ProcessHandle.current().pid() + " on " + device + " OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
        out.println(Protocol.ready(device, threads, null));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            Protocol.Message m;
            try {
                m = Protocol.parse(line);
            } catch (IllegalArgumentException e) {
                System.err.println("fake worker: " + e.getMessage());
                System.exit(2);
                return;
            }
            if (!(m instanceof Protocol.Trial(TrialRequest r))) {
                System.err.println("fake worker: not a trial");
                System.exit(2);
                return;
            }
            var params = r.task().params();
            switch (r.task().id()) {
                case "fake.sleep" -> Thread.sleep(params.getInt("millis"));
                case "fake.exit" -> {
                    System.err.println("fake worker: exiting with code " + params.getInt("code") + " as asked");
                    System.exit(params.getInt("code"));
                }
                case "fake.spam" -> {
                    for (int i = 0; i < params.getInt("lines"); i++) System.err.println("spam line " + i + " ".repeat(100));
                }
                default -> { }
            }
            for (int step = 1; step <= 3; step++) {
                out.println(Protocol.progress(r.trialId(), step, 1.0 / step));
            }
            out.println(Protocol.encode(new TrialResult(r.trialId(), true, null,
                    Map.of("val_loss", (double) r.seed(), "pid", (double) ProcessHandle.current().pid(), "threads", (double) threads),
                    List.of(new CurvePoint(3, "val", r.seed(), Double.NaN)), Map.of(r.task().id(), "fake@1/1"))));
        }
    }
}
