package dev.fdkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.fdkit.internal.Json.quote;

/**
 * The document {@code fdkit bench --json} prints, and the reader {@code --compare} and {@code --from} use on one
 * printed earlier: a header of settings and machine facts (strings, numbers, booleans, a list of notes) and every
 * result with its ratios.
 */
final class BenchJson {
    private BenchJson() {}

    /** A document read back: its header fields and its results. */
    record Document(Map<String, Object> header, List<Result> results) {
        String string(String key) {
            Object v = header.get(key);
            return v == null ? "?" : v instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : v.toString();
        }
    }

    static String write(Map<String, Object> header, List<Result> results) {
        StringBuilder sb = new StringBuilder("{\n");
        for (Map.Entry<String, Object> e : header.entrySet()) {
            sb.append("  ").append(quote(e.getKey())).append(": ").append(value(e.getValue())).append(",\n");
        }
        sb.append("  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append(i == 0 ? "\n    " : ",\n    ")
                    .append("{\"suite\": ").append(quote(r.suite().id()))
                    .append(", \"method\": ").append(quote(r.method()))
                    .append(", \"n\": ").append(r.n())
                    .append(String.format(Locale.ROOT, ", \"median_us\": %.3f, \"min_us\": %.3f", r.medianMicros(),
                            r.minMicros()))
                    .append(", \"calls\": ").append(r.calls()).append(", \"rounds\": ").append(r.rounds())
                    .append(String.format(Locale.ROOT, ", \"extra\": %.1f", r.extra()))
                    .append(", \"ratios\": [");
            for (int k = 0; k < r.ratios().size(); k++) {
                Ratio q = r.ratios().get(k);
                sb.append(k == 0 ? "" : ", ").append("{\"column\": ").append(quote(q.column()))
                        .append(", \"anchor\": ").append(quote(q.anchor()))
                        .append(String.format(Locale.ROOT, ", \"ratio\": %.4f, \"low\": %.4f, \"high\": %.4f, "
                                + "\"level\": %.4f}", q.median(), q.low(), q.high(), q.level()));
            }
            sb.append("]}");
        }
        return sb.append(results.isEmpty() ? "]\n}" : "\n  ]\n}").toString();
    }

    private static String value(Object v) {
        if (v instanceof String s) return quote(s);
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++) sb.append(i == 0 ? "" : ", ").append(value(list.get(i)));
            return sb.append(']').toString();
        }
        return String.valueOf(v); // numbers and booleans
    }

    /** Reads a document {@link #write} printed; IllegalArgumentException naming the file for anything else. */
    static Document read(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            Object parsed = new Parser(text).document();
            if (!(parsed instanceof Map<?, ?> map) || !(map.get("results") instanceof List<?> list)) {
                throw new IllegalArgumentException("no \"results\" list");
            }
            Map<String, Object> header = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!k.equals("results")) header.put((String) k, v);
            });
            List<Result> results = new ArrayList<>();
            for (Object o : list) results.add(result((Map<?, ?>) o));
            return new Document(header, results);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " is not the output of 'fdkit bench --json': " + e.getMessage(), e);
        }
    }

    private static Result result(Map<?, ?> m) {
        List<Ratio> ratios = new ArrayList<>();
        for (Object o : (List<?>) m.get("ratios")) {
            Map<?, ?> q = (Map<?, ?>) o;
            ratios.add(new Ratio((String) q.get("column"), (String) q.get("anchor"), num(q, "ratio"), num(q, "low"),
                    num(q, "high"), num(q, "level")));
        }
        return new Result(Suite.byId((String) m.get("suite")), (String) m.get("method"), (int) num(m, "n"),
                num(m, "median_us"), num(m, "min_us"), (int) num(m, "calls"), (int) num(m, "rounds"), ratios,
                num(m, "extra"));
    }

    private static double num(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Double d) return d;
        throw new IllegalArgumentException("\"" + key + "\" is missing or not a number in " + m);
    }

    /** JSON as the bench writes it: objects, arrays, strings with escapes, numbers, true, false, null. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value();
            skip();
            if (i != s.length()) throw error("text after the document");
            return v;
        }

        private Object value() {
            skip();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            for (String word : new String[] {"true", "false", "null"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) throw error("unexpected '" + c + "'");
            return Double.parseDouble(s.substring(start, i));
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skip();
            if (peek('}')) return m;
            do {
                skip();
                String key = string();
                skip();
                expect(':');
                m.put(key, value());
                skip();
            } while (peek(','));
            expect('}');
            return m;
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            i++;
            skip();
            if (peek(']')) return list;
            do {
                list.add(value());
                skip();
            } while (peek(','));
            expect(']');
            return list;
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (i >= s.length()) break;
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw error("short \\u escape");
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> sb.append(e); // \" \\ \/
                }
            }
            expect('"');
            return sb.toString();
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        /** Consumes {@code c} if it comes next. */
        private boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) throw error("expected '" + c + "'");
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + i);
        }
    }
}
