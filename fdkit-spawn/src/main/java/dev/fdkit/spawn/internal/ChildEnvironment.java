package dev.fdkit.spawn.internal;

import dev.fdkit.internal.Environ;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A child's environment as {@code FdProcessBuilder.environment()} hands it out: a map of Strings that behaves as
 * the JDK's ProcessBuilder map does (same checks at the same moment, same exceptions, equality and hashing by the
 * encoded bytes, an empty name allowed), and that remembers the original bytes of every variable the caller did
 * not touch, so one that is not valid in the platform encoding reaches the child unchanged.
 */
public final class ChildEnvironment extends AbstractMap<String, String> {
    /** A name or a value: the String the caller sees and the bytes the child gets. */
    private record Text(String str, byte[] bytes) {
        static Text of(String s) {
            return new Text(s, s.getBytes(Spawner.JNU));
        }

        /** For lookups: anything but a String is refused, as the JDK's map does. */
        static Text query(Object o) {
            return of((String) o);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text t && Arrays.equals(bytes, t.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return str;
        }
    }

    private final Map<Text, Text> vars;

    private ChildEnvironment(Map<Text, Text> vars) {
        this.vars = vars;
    }

    /** The JVM's environment as System.getenv() saw it, each variable with the bytes it came with. */
    private static final class Startup {
        static final Map<Text, Text> VARS = read();

        private static Map<Text, Text> read() {
            Map<String, String> seen = System.getenv();
            Map<Text, Text> out = new LinkedHashMap<>();
            byte[][] raw = Environ.current();
            // Back to front, so that the first of duplicate entries wins, as getenv(3) finds it.
            for (int i = raw.length - 1; i >= 0; i--) {
                byte[] e = raw[i];
                int eq = indexOf(e, (byte) '=');
                if (eq < 0) continue;
                Text name = new Text(new String(e, 0, eq, Spawner.JNU), Arrays.copyOfRange(e, 0, eq));
                Text value = new Text(new String(e, eq + 1, e.length - eq - 1, Spawner.JNU),
                        Arrays.copyOfRange(e, eq + 1, e.length));
                out.put(name, value);
            }
            // Keep only what System.getenv() shows (native code may have changed environ since), with its bytes.
            Map<Text, Text> kept = new HashMap<>();
            Map<String, String> byName = new HashMap<>();
            out.forEach((k, v) -> {
                if (v.str().equals(seenValue(seen, k.str()))) {
                    kept.put(k, v);
                    byName.put(k.str(), v.str());
                }
            });
            for (Map.Entry<String, String> e : seen.entrySet()) {
                if (!e.getValue().equals(byName.get(e.getKey()))) kept.put(Text.of(e.getKey()), Text.of(e.getValue()));
            }
            return kept;
        }

        /** System.getenv's value for a decoded name, also when the name does not survive re-encoding. */
        private static String seenValue(Map<String, String> seen, String name) {
            String v = seen.get(name);
            if (v != null) return v;
            for (Map.Entry<String, String> e : seen.entrySet()) if (e.getKey().equals(name)) return e.getValue();
            return null;
        }
    }

    /** A modifiable copy of the JVM's environment. */
    public static ChildEnvironment ofJvm() {
        return new ChildEnvironment(new HashMap<>(Startup.VARS));
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }

    private static Text name(String s) {
        if (s.indexOf('=') >= 0 || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid environment variable name: \"" + s + "\"");
        }
        return Text.of(s);
    }

    private static Text value(String s) {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("Invalid environment variable value: \"" + s + "\"");
        return Text.of(s);
    }

    private static String str(Text t) {
        return t == null ? null : t.str();
    }

    /** "NAME=value" entries for execve, each variable in its own bytes; names in {@code drop} are left out. */
    byte[][] entries(Set<String> drop) {
        byte[][] out = new byte[vars.size()][];
        int n = 0;
        for (Map.Entry<Text, Text> e : vars.entrySet()) {
            if (drop.contains(e.getKey().str())) continue;
            byte[] k = e.getKey().bytes(), v = e.getValue().bytes();
            byte[] entry = Arrays.copyOf(k, k.length + 1 + v.length);
            entry[k.length] = '=';
            System.arraycopy(v, 0, entry, k.length + 1, v.length);
            out[n++] = entry;
        }
        return Arrays.copyOf(out, n);
    }

    /** An independent copy, for a start that must not see later changes. */
    public ChildEnvironment copy() {
        return new ChildEnvironment(new HashMap<>(vars));
    }

    @Override
    public int size() {
        return vars.size();
    }

    @Override
    public boolean isEmpty() {
        return vars.isEmpty();
    }

    @Override
    public void clear() {
        vars.clear();
    }

    @Override
    public boolean containsKey(Object key) {
        return vars.containsKey(Text.query(key));
    }

    @Override
    public boolean containsValue(Object value) {
        return vars.containsValue(Text.query(value));
    }

    @Override
    public String get(Object key) {
        return str(vars.get(Text.query(key)));
    }

    @Override
    public String put(String key, String value) {
        return str(vars.put(name(key), value(value)));
    }

    @Override
    public String remove(Object key) {
        return str(vars.remove(Text.query(key)));
    }

    @Override
    public Set<String> keySet() {
        return new Names(vars);
    }

    @Override
    public Collection<String> values() {
        return new Values(vars);
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new Entries(vars);
    }

    /** The names or the values as Strings; lookups refuse null and non-Strings as the map does. */
    private abstract static class TextView extends AbstractCollection<String> {
        final Collection<Text> texts;

        TextView(Collection<Text> texts) {
            this.texts = texts;
        }

        @Override
        public Iterator<String> iterator() {
            return mapped(texts.iterator(), Text::str);
        }

        @Override
        public int size() {
            return texts.size();
        }

        @Override
        public boolean contains(Object o) {
            return texts.contains(Text.query(o));
        }

        @Override
        public boolean remove(Object o) {
            return texts.remove(Text.query(o));
        }

        @Override
        public void clear() {
            texts.clear();
        }
    }

    /** The names: equal to any set with the same Strings, hashed as a set of Strings. */
    private static final class Names extends TextView implements Set<String> {
        Names(Map<Text, Text> vars) {
            super(vars.keySet());
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) return true;
            if (!(o instanceof Set<?> other) || other.size() != size()) return false;
            try {
                return containsAll(other);
            } catch (ClassCastException | NullPointerException notAName) {
                return false;
            }
        }

        @Override
        public int hashCode() {
            int h = 0;
            for (String name : this) h += name.hashCode();
            return h;
        }
    }

    /**
     * The values. Equal only to the values view of the same map, and hashed as that one object, as the JDK's
     * (a collection of values has no contract for equality).
     */
    private static final class Values extends TextView {
        Values(Map<Text, Text> vars) {
            super(vars.values());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Values other && texts.equals(other.texts);
        }

        @Override
        public int hashCode() {
            return texts.hashCode();
        }
    }

    /**
     * The entries. As the JDK's: an element is looked at only as far as the lookup needs (a null or non-String key
     * or value fails with NullPointerException or ClassCastException when it is reached), and the set is equal only
     * to another environment's entry set.
     */
    private static final class Entries extends AbstractSet<Map.Entry<String, String>> {
        private final Map<Text, Text> vars;

        Entries(Map<Text, Text> vars) {
            this.vars = vars;
        }

        @Override
        public Iterator<Map.Entry<String, String>> iterator() {
            return mapped(vars.entrySet().iterator(), Entry::new);
        }

        @Override
        public int size() {
            return vars.size();
        }

        @Override
        public boolean contains(Object o) {
            return vars.entrySet().contains(asQuery(o));
        }

        @Override
        public boolean remove(Object o) {
            return vars.entrySet().remove(asQuery(o));
        }

        @Override
        public void clear() {
            vars.clear();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entries other && vars.entrySet().equals(other.vars.entrySet());
        }

        @Override
        public int hashCode() {
            return vars.entrySet().hashCode();
        }

        /** {@code o} as an entry of the underlying map, converted only when the map asks for its key or value. */
        private static Map.Entry<Text, Text> asQuery(Object o) {
            if (o instanceof Entry e) return e.e;
            return new Map.Entry<>() {
                @Override
                public Text getKey() {
                    return Text.query(((Map.Entry<?, ?>) o).getKey());
                }

                @Override
                public Text getValue() {
                    return Text.query(((Map.Entry<?, ?>) o).getValue());
                }

                @Override
                public Text setValue(Text value) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    /** A view entry: hashes as the JDK's (by the bytes), checks a new value as put does, equals only its kind. */
    private static final class Entry implements Map.Entry<String, String> {
        private final Map.Entry<Text, Text> e;

        Entry(Map.Entry<Text, Text> e) {
            this.e = e;
        }

        @Override
        public String getKey() {
            return e.getKey().str();
        }

        @Override
        public String getValue() {
            return e.getValue().str();
        }

        @Override
        public String setValue(String v) {
            return e.setValue(value(v)).str();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry other && e.equals(other.e);
        }

        @Override
        public int hashCode() {
            return e.hashCode();
        }

        @Override
        public String toString() {
            return getKey() + "=" + getValue();
        }
    }

    private static <A, B> Iterator<B> mapped(Iterator<A> it, java.util.function.Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public B next() {
                return f.apply(it.next());
            }

            @Override
            public void remove() {
                it.remove();
            }
        };
    }
}
