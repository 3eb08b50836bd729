package dev.strata.core.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code peak_memory_mb} metric: the worker process's peak resident memory (Linux {@code VmHWM})
 * during one trial, in MiB. {@link #reset} at the start of a trial writes {@code 5} to
 * {@code /proc/self/clear_refs}, which sets the high-water mark back to the current resident size;
 * {@link #peakMiB} at its end reads it from {@code /proc/self/status}. So the number is the most the
 * whole worker (JVM, libtorch, the trial's tensors) held at once during this trial, not the trial's
 * own tensors alone. Without {@code /proc} (not Linux), or where the reset is refused, the value is
 * the process's peak so far, or NaN when it cannot be read.
 *
 * <p>On a GPU this is still host memory: DJL 0.36 exposes no peak statistics of libtorch's CUDA
 * allocator (only {@code CudaUtils.getGpuMemory}, the device's current use by all processes).
 */
final class PeakMemory {

    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {}

    /** Resets the process's peak resident size to its current size; quietly does nothing where that fails. */
    static void reset() {
        try {
            Files.writeString(CLEAR_REFS, "5");
        } catch (IOException | RuntimeException e) {
            // no /proc, or not allowed: the peak then covers the process's life so far
        }
    }

    /** VmHWM in MiB, or NaN when it cannot be read. */
    static double peakMiB() {
        try {
            return parseVmHwm(Files.readAllLines(STATUS));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The {@code VmHWM:   12345 kB} line of a /proc status file, in MiB; NaN when absent. */
    static double parseVmHwm(List<String> status) {
        for (String line : status) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring(6).strip().split("\\s+");
                return Long.parseLong(parts[0]) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
