package dev.strata.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code strata serve} as a user runs it: its errors, and a page served until it is stopped. */
class ServeCommandTest {

    @TempDir
    Path dir;

    record Run(CommandLine cl, StringWriter out, StringWriter err) {
        ServeCommand command() {
            return cl.getSubcommands().get("serve").getCommand();
        }
    }

    static Run cli() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = StrataCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl, out, err);
    }

    @Test
    void withoutADatabaseItSaysSoInOneLineAndExitsTwo() {
        Path missing = dir.resolve("nothing/strata");
        Run r = cli();
        int code = r.cl().execute("serve", "--db", missing.toString(), "--port", "0");
        assertThat(code).isEqualTo(2);
        assertThat(r.err().toString().strip()).isEqualTo("strata: no results database at " + missing.toAbsolutePath() + ".mv.db: run a search first");
        assertThat(Files.exists(dir.resolve("nothing/strata.mv.db"))).as("a read command never creates a database").isFalse();
    }

    @Test
    void aBadPortOrABusyPortIsOneLineAndExitTwo() throws Exception {
        Path db = dir.resolve("strata");
        SyntheticResults.generate(db, 1, 3, 1);
        Run r = cli();
        assertThat(r.cl().execute("serve", "--db", db.toString(), "--port", "70000")).isEqualTo(2);
        assertThat(r.err().toString()).contains("--port 70000: must be between 0 and 65535");

        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r2 = cli();
            assertThat(r2.cl().execute("serve", "--db", db.toString(), "--port", Integer.toString(busy.getLocalPort()))).isEqualTo(2);
            assertThat(r2.err().toString().strip()).startsWith("strata: cannot listen on 127.0.0.1:" + busy.getLocalPort()).contains("--port")
                    .doesNotContain("\n");
        }
    }

    @Test
    void servesThePageOnLoopbackUntilStoppedAndWarnsAboutOtherAddresses() throws Exception {
        Path db = dir.resolve("strata");
        SyntheticResults.generate(db, 1, 5, 2);
        Run r = cli();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> r.cl().execute("serve", "--db", db.toString(), "--port", "0"));
        URI uri = awaitUrl(r, exit);
        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Strata dashboard");
        assertThat(r.err().toString()).isEmpty();
        r.command().stop.countDown();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();

        Run wide = cli();
        CompletableFuture<Integer> exit2 = CompletableFuture.supplyAsync(() -> wide.cl().execute("serve", "--db", db.toString(), "--port", "0", "--host", "0.0.0.0"));
        awaitUrl(wide, exit2);
        assertThat(wide.err().toString()).contains("warning: serving on 0.0.0.0").contains("no authentication");
        wide.command().stop.countDown();
        assertThat(exit2.get(10, TimeUnit.SECONDS)).isZero();
    }

    private static URI awaitUrl(Run r, CompletableFuture<Integer> exit) throws Exception {
        Pattern p = Pattern.compile("strata dashboard: (http://\\S+)");
        for (int i = 0; i < 300; i++) {
            Matcher m = p.matcher(r.out().toString());
            if (m.find()) return URI.create(m.group(1));
            if (exit.isDone()) throw new AssertionError("serve exited " + exit.get() + ": " + r.err());
            Thread.sleep(50);
        }
        throw new AssertionError("serve printed no URL: " + r.out() + r.err());
    }
}
