package dev.strata.cli.serve;

/** Ids and counts from a request, parsed as numbers and nothing else. */
final class Ids {

    private Ids() {}

    /** A positive database id (search or trial) from a path segment. */
    static long parseId(String what, String text) {
        if (text == null || !text.matches("[0-9]{1,18}")) {
            throw ApiError.badRequest("bad " + what + " id '" + Json.clip(text) + "': must be a positive whole number");
        }
        long id = Long.parseLong(text);
        if (id < 1) throw ApiError.badRequest("bad " + what + " id '" + text + "': must be a positive whole number");
        return id;
    }

    static int parseInt(String name, String text) {
        if (!text.matches("-?[0-9]{1,9}")) {
            throw ApiError.badRequest(name + " must be a whole number, got '" + Json.clip(text) + "'");
        }
        return Integer.parseInt(text);
    }
}
