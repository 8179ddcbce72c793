package dev.fdkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the innermost objects of a JSON document whose values are strings, numbers, booleans, null or arrays of
 * those (what lsfd -J prints): each as key to value, the value's text (strings unescaped; null as Java null; an
 * array's elements joined by newlines, as lsfd before 2.40 printed multi-valued columns).
 */
final class FlatJson {
    private FlatJson() {}

    static List<Map<String, String>> objects(String json) {
        List<Map<String, String>> out = new ArrayList<>();
        int i = 0;
        while ((i = json.indexOf('{', i)) >= 0) {
            int end = innermostEnd(json, i);
            if (end < 0) {
                i++;
                continue;
            }
            out.add(object(json, i + 1, end));
            i = end + 1;
        }
        return out;
    }

    /** The index of the '}' closing the object at {@code open}, or -1 if another object opens first. */
    private static int innermostEnd(String s, int open) {
        boolean inString = false;
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                return -1;
            } else if (c == '}') {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> object(String s, int from, int to) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = from;
        while (i < to) {
            i = s.indexOf('"', i);
            if (i < 0 || i >= to) break;
            StringBuilder key = new StringBuilder();
            i = string(s, i, key);
            i = s.indexOf(':', i) + 1;
            while (Character.isWhitespace(s.charAt(i))) i++;
            if (s.charAt(i) == '"') {
                StringBuilder v = new StringBuilder();
                i = string(s, i, v);
                m.put(key.toString(), v.toString());
            } else if (s.charAt(i) == '[') {
                StringBuilder v = new StringBuilder();
                i++;
                while (s.charAt(i) != ']') {
                    char c = s.charAt(i);
                    if (c == ',' || Character.isWhitespace(c)) {
                        i++;
                        continue;
                    }
                    if (!v.isEmpty()) v.append('\n');
                    if (c == '"') {
                        i = string(s, i, v);
                    } else {
                        int j = i;
                        while (s.charAt(j) != ',' && s.charAt(j) != ']' && !Character.isWhitespace(s.charAt(j))) j++;
                        v.append(s, i, j);
                        i = j;
                    }
                }
                m.put(key.toString(), v.toString());
                i++;
            } else {
                int j = i;
                while (j < to && s.charAt(j) != ',' && !Character.isWhitespace(s.charAt(j))) j++;
                String v = s.substring(i, j);
                m.put(key.toString(), v.equals("null") ? null : v);
                i = j;
            }
        }
        return m;
    }

    /** Reads the string starting at the quote at {@code at} into {@code out}; returns the index after it. */
    private static int string(String s, int at, StringBuilder out) {
        int i = at + 1;
        while (s.charAt(i) != '"') {
            char c = s.charAt(i++);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return i + 1;
    }
}
