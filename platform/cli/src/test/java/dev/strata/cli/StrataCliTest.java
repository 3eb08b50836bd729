package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StrataCliTest {

    @Test
    void eachCommandIsRegisteredUnderItsOwnName() {
        for (Map.Entry<String, java.util.function.Supplier<Object>> e : StrataCli.COMMANDS.entrySet()) {
            assertThat(new CommandLine(e.getValue().get()).getCommandName()).as(e.getKey()).isEqualTo(e.getKey());
        }
        assertThat(StrataCli.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(StrataCli.COMMANDS.keySet());
    }

    @Test
    void aSubcommandRunBuildsOnlyThatSubcommand() {
        CommandLine cl = StrataCli.commandLineFor(new String[] {"results", "top", "--help"});
        assertThat(cl.getSubcommands().keySet()).containsExactly("results");
        assertThat(cl.getSubcommands().get("results").getSubcommands()).containsKey("top");
    }

    @Test
    void helpAndTyposGetEveryCommand() {
        assertThat(StrataCli.commandLineFor(new String[] {"--help"}).getSubcommands().keySet())
                .containsExactlyElementsOf(StrataCli.COMMANDS.keySet());
        assertThat(StrataCli.commandLineFor(new String[0]).getSubcommands()).hasSize(StrataCli.COMMANDS.size());

        CommandLine typo = StrataCli.commandLineFor(new String[] {"serach", "x.yaml"});
        StringWriter err = new StringWriter();
        typo.setErr(new PrintWriter(err));
        int code = typo.execute("serach", "x.yaml");
        assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString()).contains("'serach'").contains("strata --help");
    }
}
