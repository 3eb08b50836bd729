package dev.strata.cli.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.cli.ExitCodes;
import dev.strata.cli.TextTable;
import dev.strata.core.conformance.Check;
import dev.strata.core.conformance.CheckResult;
import dev.strata.core.conformance.ComponentReport;
import dev.strata.core.conformance.ConformanceKit;
import dev.strata.core.plugins.ComponentInfo;
import dev.strata.core.plugins.PluginHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata plugins verify [JAR...]}: runs the conformance kit on the components of the given
 * jars (default: every jar in the plugins folder) and prints one row per component; exit 1 when a
 * check fails.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run the conformance checks (shape, causality, gradients, large inputs, seeding, parameter count)",
                "on every component of the given plugin jars, or of the plugins folder. Exit 1 if any check fails."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PluginsFolder plugins;

    @Parameters(paramLabel = "JAR", arity = "0..*", description = "Plugin jars to verify (default: every jar in the plugins folder).")
    List<Path> jars = new ArrayList<>();

    @Option(names = "--component", paramLabel = "ID", description = "Only these component ids (repeatable).")
    List<String> only = new ArrayList<>();

    @Option(names = "--defaults-only", description = "Check default parameters only, not each search value.")
    boolean defaultsOnly;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // The kit runs blocks in this process: one libtorch thread, as in a worker on a small machine.
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent("ai.djl.offline", "true");
        ConformanceKit kit = new ConformanceKit(ConformanceKit.Settings.defaults().withAllVariants(!defaultsOnly));
        try (PluginHost host = jars.isEmpty() ? plugins.load() : PluginHost.loadJars(jars)) {
            List<ComponentInfo> components = selected(host);
            List<Verified> verified = new ArrayList<>();
            for (ComponentInfo c : components) {
                verified.add(new Verified(c, kit.verify(c.component())));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(json(verified));
            } else {
                print(verified, out);
            }
            return verified.stream().allMatch(Verified::passed) ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    private List<ComponentInfo> selected(PluginHost host) {
        for (String id : only) {
            if (host.registry().find(id).isEmpty()) {
                throw new IllegalArgumentException("--component " + id + ": no such component in " + host.folder());
            }
        }
        return host.registry().all().stream().filter(c -> only.isEmpty() || only.contains(c.id())).toList();
    }

    /** One component's reports; empty for tasks, which the kit does not check. */
    record Verified(ComponentInfo info, List<ComponentReport> reports) {
        boolean passed() {
            return reports.stream().allMatch(ComponentReport::passed);
        }

        /** ok, FAIL, or - when every variant skipped the check (or the kit does not apply). */
        String cell(Check check) {
            boolean any = false;
            for (ComponentReport r : reports) {
                CheckResult c = r.result(check).orElseThrow();
                if (c.failed()) return "FAIL";
                any |= c.status() == CheckResult.Status.PASS;
            }
            return any ? "ok" : "-";
        }

        String variants() {
            if (reports.isEmpty()) return "not checked (task)";
            long refused = reports.stream().filter(r -> r.results().stream().allMatch(c -> c.status() == CheckResult.Status.SKIP)).count();
            return reports.size() + (refused > 0 ? " (" + refused + " refused)" : "");
        }
    }

    private static void print(List<Verified> verified, PrintWriter out) {
        List<String> headers = new ArrayList<>(List.of("KIND", "ID", "VARIANTS"));
        for (Check c : Check.values()) headers.add(c.label());
        headers.add("RESULT");
        TextTable table = new TextTable(40, headers.toArray(String[]::new));
        List<String> failures = new ArrayList<>();
        int failed = 0;
        int checked = 0;
        for (Verified v : verified) {
            List<Object> row = new ArrayList<>(List.of(v.info().component().kind().name().toLowerCase(), v.info().id(), v.variants()));
            for (Check c : Check.values()) row.add(v.reports().isEmpty() ? "" : v.cell(c));
            row.add(v.reports().isEmpty() ? "-" : v.passed() ? "pass" : "FAIL");
            table.row(row.toArray());
            if (!v.reports().isEmpty()) checked++;
            if (!v.passed()) failed++;
            v.reports().forEach(r -> failures.addAll(r.failures()));
        }
        table.print(out);
        for (String f : failures) out.println("FAIL " + f);
        out.printf("%d components checked: %d passed, %d failed%n", checked, checked - failed, failed);
    }

    private static String json(List<Verified> verified) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode all = mapper.createArrayNode();
        for (Verified v : verified) {
            for (ComponentReport r : v.reports()) {
                ObjectNode o = all.addObject();
                o.put("component", r.componentId());
                o.put("kind", v.info().component().kind().name().toLowerCase());
                o.put("plugin", v.info().pluginId() + "@" + v.info().pluginVersion());
                o.set("variant", mapper.valueToTree(r.variant().asMap()));
                o.put("passed", r.passed());
                ObjectNode checks = o.putObject("checks");
                for (CheckResult c : r.results()) {
                    checks.putObject(c.check().label()).put("status", c.status().name().toLowerCase()).put("detail", c.detail());
                }
            }
        }
        return mapper.writeValueAsString(all);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
