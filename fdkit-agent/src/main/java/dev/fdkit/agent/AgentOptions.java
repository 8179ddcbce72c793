package dev.fdkit.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's options, {@code -javaagent:fdkit-agent.jar=spawn=on,stacks=off,stackDepth=32,include=com.example}.
 * Parsed strictly: an unknown name or value is an {@link IllegalArgumentException} naming it and what is accepted.
 * No options turn both parts on.
 *
 * @param spawn      route ProcessBuilder and Runtime.exec through fdkit's spawn
 * @param stacks     record the stack that opened each descriptor
 * @param stackDepth how many frames to show per opener
 * @param include    package prefixes: show only openers with a frame in one of them (empty: all)
 * @param exclude    package prefixes: do not show openers whose first frame outside the JDK is in one of them
 *                   (stackDepth, include and exclude apply when a record is read: an open records the raw stack)
 */
public record AgentOptions(boolean spawn, boolean stacks, int stackDepth, List<String> include, List<String> exclude) {
    /** The stack depth recorded when {@code stackDepth} is not given. */
    public static final int DEFAULT_STACK_DEPTH = 32;
    static final int MAX_STACK_DEPTH = 1024;

    /** Options as given; the package lists are copied, so later changes to the caller's lists do not reach them. */
    public AgentOptions {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /**
     * Parses the agent's options: comma-separated {@code spawn=on|off}, {@code stacks=on|off}, {@code stackDepth=N},
     * {@code include=PKG[:PKG]}, {@code exclude=PKG[:PKG]}.
     *
     * @param options the options as given to -javaagent or the Attach API; null or blank for the defaults
     * @return the options
     * @throws IllegalArgumentException naming an unknown option or a bad value
     */
    public static AgentOptions parse(String options) {
        boolean spawn = true, stacks = true;
        int depth = DEFAULT_STACK_DEPTH;
        List<String> include = new ArrayList<>(), exclude = new ArrayList<>();
        if (options != null && !options.isBlank()) {
            for (String item : options.split(",", -1)) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("fdkit agent option \"" + item + "\" is not NAME=VALUE; names: "
                            + "spawn, stacks, stackDepth, include, exclude");
                }
                String name = item.substring(0, eq).trim(), value = item.substring(eq + 1).trim();
                switch (name) {
                    case "spawn" -> spawn = onOff(name, value);
                    case "stacks" -> stacks = onOff(name, value);
                    case "stackDepth" -> depth = depth(value);
                    case "include" -> include.addAll(packages(name, value));
                    case "exclude" -> exclude.addAll(packages(name, value));
                    default -> throw new IllegalArgumentException("unknown fdkit agent option \"" + name
                            + "\"; accepted: spawn, stacks, stackDepth, include, exclude");
                }
            }
        }
        return new AgentOptions(spawn, stacks, depth, include, exclude);
    }

    private static boolean onOff(String name, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("fdkit agent option " + name + "=" + value
                    + " is not one of on, off");
        };
    }

    private static int depth(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_STACK_DEPTH) return n;
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException("fdkit agent option stackDepth=" + value + " is not a number from 1 to "
                + MAX_STACK_DEPTH);
    }

    /** Package prefixes separated by ':' (',' separates options). */
    private static List<String> packages(String name, String value) {
        List<String> out = new ArrayList<>();
        for (String p : value.split(":", -1)) {
            if (p.isEmpty() || !p.matches("[\\p{javaJavaIdentifierPart}.]+") || p.startsWith(".") || p.endsWith(".")) {
                throw new IllegalArgumentException("fdkit agent option " + name + "=" + value
                        + " is not a ':'-separated list of package names");
            }
            out.add(p);
        }
        return out;
    }

    /** Whether a frame of class {@code className} is in the include list (true when the list is empty). */
    boolean included(String className) {
        return include.isEmpty() || matches(include, className);
    }

    boolean excluded(String className) {
        return matches(exclude, className);
    }

    private static boolean matches(List<String> prefixes, String className) {
        for (String p : prefixes) {
            if (className.startsWith(p) && (className.length() == p.length() || className.charAt(p.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "spawn=" + (spawn ? "on" : "off") + ",stacks=" + (stacks ? "on" : "off") + ",stackDepth=" + stackDepth
                + (include.isEmpty() ? "" : ",include=" + String.join(":", include))
                + (exclude.isEmpty() ? "" : ",exclude=" + String.join(":", exclude));
    }
}
