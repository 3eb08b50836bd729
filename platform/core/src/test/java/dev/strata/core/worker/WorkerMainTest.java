package dev.strata.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real worker as a child process: handshake, and refusal of bad input. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerMainTest {

    @TempDir
    Path tmp;

    private Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                WorkerMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr.txt").toFile()).start();
    }

    @Test
    void saysReadyThenStopsOnAMalformedLine() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Process p = start("--plugins", plugins.toString(), "--device", "cpu", "--threads", "1");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Protocol.Ready ready = (Protocol.Ready) Protocol.parse(out.readLine());
        assertThat(ready.device()).isEqualTo("cpu()");
        assertThat(ready.threads()).isEqualTo(1);
        assertThat(ready.pid()).isEqualTo(p.pid());
        assertThat(ready.error()).isNull();
        try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write("garbage\n");
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(WorkerMain.PROTOCOL);
        assertThat(out.readLine()).isNull(); // nothing but protocol on stdout
        assertThat(Files.readString(tmp.resolve("stderr.txt"))).contains("strata worker: not a JSON line: garbage");
    }

    @Test
    void refusesABadCommandLine() throws Exception {
        Process p = start("--device", "tpu");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(WorkerMain.USAGE);
        assertThat(Files.readString(tmp.resolve("stderr.txt"))).contains("strata worker: --plugins DIR is required");
    }
}
