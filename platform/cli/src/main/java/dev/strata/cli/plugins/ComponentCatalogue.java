package dev.strata.cli.plugins;

import dev.strata.api.Component;
import dev.strata.api.ComponentKind;
import dev.strata.api.Dimension;
import dev.strata.core.plugins.ComponentInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The component catalogue ({@code docs/components.md}) as Markdown, generated from what the
 * components say about themselves, so it cannot drift from the code: id, what it computes, its
 * parameters with defaults, ranges and search values, causal-safety, cost in sequence length, the
 * paper, and any notes (speed caveats).
 */
final class ComponentCatalogue {

    private ComponentCatalogue() {}

    static String markdown(List<ComponentInfo> components) {
        StringBuilder md = new StringBuilder();
        md.append("# Component catalogue\n\n");
        md.append("Generated from the components themselves by `bin/strata plugins docs --out docs/components.md`; ")
                .append("do not edit by hand (a test fails when this file is out of date).\n");
        md.append(components.size()).append(" components from ")
                .append(components.stream().map(ComponentInfo::pluginId).distinct().count()).append(" plugins. ")
                .append("*Causal-safe* components never read positions after t in causal mode and pass the conformance kit's ")
                .append("causality check; the others are refused on causal tasks. *Cost* is how compute grows with ")
                .append("sequence length n at training time. Every component passes `bin/strata plugins verify`.\n");
        for (ComponentKind kind : ComponentKind.values()) {
            List<ComponentInfo> ofKind = components.stream().filter(c -> c.component().kind() == kind)
                    .sorted(Comparator.comparing(ComponentInfo::id)).toList();
            if (ofKind.isEmpty()) continue;
            md.append("\n## ").append(title(kind)).append(" (").append(ofKind.size()).append(")\n\n");
            md.append("| id | what it computes | parameters | causal-safe | cost | source | plugin |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            List<String> notes = new ArrayList<>();
            for (ComponentInfo info : ofKind) {
                Component c = info.component();
                md.append("| `").append(c.id()).append("` ").append(c.version())
                        .append(" | ").append(cell(c.description()))
                        .append(" | ").append(parameters(c))
                        .append(" | ").append(kind == ComponentKind.TASK ? "" : c.causalSafe() ? "yes" : "**no**")
                        .append(" | ").append(kind == ComponentKind.TASK ? "" : cell(c.complexity()))
                        .append(" | ").append(cell(c.reference()))
                        .append(" | ").append(info.pluginId())
                        .append(" |\n");
                if (!c.notes().isBlank()) notes.add("- `" + c.id() + "`: " + c.notes().strip());
            }
            if (!notes.isEmpty()) {
                md.append("\nNotes:\n\n");
                notes.forEach(n -> md.append(n).append('\n'));
            }
        }
        return md.toString();
    }

    private static String title(ComponentKind kind) {
        return switch (kind) {
            case ATTENTION -> "Attention";
            case TOKEN_MIXER -> "Token mixers";
            case CHANNEL_MIXER -> "Channel mixers";
            case NORM -> "Norms";
            case RESIDUAL -> "Residual and depth operators";
            case TASK -> "Tasks";
        };
    }

    private static String parameters(Component c) {
        if (c.dimensions().isEmpty()) return "none";
        return c.dimensions().stream().map(ComponentCatalogue::dimension).collect(Collectors.joining("<br>"));
    }

    /** {@code heads}=4 (int 1..64; searched 1, 2, 4): attention heads */
    private static String dimension(Dimension d) {
        StringBuilder s = new StringBuilder("`").append(d.name()).append("`=").append(value(d.defaultValue())).append(" (");
        switch (d.type()) {
            case INT, FLOAT -> s.append(d.type() == Dimension.Type.INT ? "int " : "real ")
                    .append(value(d.min())).append("..").append(value(d.max()))
                    .append("; searched ").append(d.searchValues().stream().map(ComponentCatalogue::value).collect(Collectors.joining(", ")));
            case CHOICE -> s.append("one of ").append(String.join(", ", d.choices()));
            case TEXT -> s.append("text");
        }
        s.append(")");
        if (!d.description().isBlank()) s.append(": ").append(cell(d.description()));
        return s.toString();
    }

    private static String value(Object v) {
        if (v instanceof Double x) {
            if (x == Math.rint(x) && Math.abs(x) < 1e9) return Long.toString(x.longValue());
            return String.format(Locale.ROOT, "%s", x);
        }
        return String.valueOf(v);
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ").strip();
    }
}
