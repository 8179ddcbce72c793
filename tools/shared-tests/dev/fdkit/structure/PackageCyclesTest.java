package dev.fdkit.structure;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * No two packages of this module depend on each other, directly or through others: the public API uses its
 * internal packages, never the reverse. Read from the compiled classes (target/classes): every class named in a
 * constant pool, as a class entry or inside a descriptor or signature, is a dependency of the class's package.
 * One source shared by every module's tests (the parent pom adds it), each run on its own module's classes.
 */
class PackageCyclesTest {
    /** A class named inside a descriptor or generic signature: "Ldev/fdkit/Foo;" or "Ldev/fdkit/Foo<". */
    private static final Pattern NAMED_CLASS = Pattern.compile("L([\\w/$]+)[;<]");

    @Test
    void noPackageDependsOnItself() throws IOException {
        Path classes = Path.of("target", "classes");
        Map<String, Map<String, String>> graph = dependencies(classes);
        assertEquals(List.of(), cycles(graph).stream().map(c -> describe(c, graph)).toList(),
                "package cycles among the classes of " + classes.toAbsolutePath());
    }

    /**
     * Package -> the packages of this module it uses -> one class reference that shows it ("a.B -> c.D"). Only
     * packages with classes here count: the JDK's and other modules' cannot close a cycle through this module.
     */
    static Map<String, Map<String, String>> dependencies(Path classes) throws IOException {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        if (!Files.isDirectory(classes)) return graph; // a module of tests only
        List<ClassModel> models = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                if (f.getFileName().toString().equals("module-info.class")) continue;
                ClassModel m = ClassFile.of().parse(f);
                models.add(m);
                graph.putIfAbsent(packageOf(m.thisClass().asInternalName()), new TreeMap<>());
            }
        }
        for (ClassModel m : models) {
            String self = m.thisClass().asInternalName();
            String from = packageOf(self);
            for (String used : namedClasses(m)) {
                String to = packageOf(used);
                if (!to.equals(from) && graph.containsKey(to)) {
                    graph.get(from).putIfAbsent(to, dotted(self) + " -> " + dotted(used));
                }
            }
        }
        return graph;
    }

    private static List<String> namedClasses(ClassModel m) {
        List<String> out = new ArrayList<>();
        for (PoolEntry e : m.constantPool()) {
            if (e instanceof ClassEntry c) {
                String name = c.asInternalName();
                if (name.startsWith("[")) addNamedIn(name, out);
                else out.add(name);
            } else if (e instanceof Utf8Entry u) {
                addNamedIn(u.stringValue(), out);
            }
        }
        return out;
    }

    private static void addNamedIn(String descriptor, List<String> out) {
        Matcher matcher = NAMED_CLASS.matcher(descriptor);
        while (matcher.find()) out.add(matcher.group(1));
    }

    /** The strongly connected sets of more than one package (Tarjan's algorithm, iterative: no deep recursion). */
    static List<List<String>> cycles(Map<String, Map<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<List<String>> out = new ArrayList<>();
        for (String root : graph.keySet()) {
            if (index.containsKey(root)) continue;
            Deque<Map.Entry<String, List<String>>> work = new ArrayDeque<>();
            visit(root, graph, index, low, stack, work);
            while (!work.isEmpty()) {
                var top = work.peek();
                String v = top.getKey();
                if (!top.getValue().isEmpty()) {
                    String w = top.getValue().removeFirst();
                    if (!index.containsKey(w)) visit(w, graph, index, low, stack, work);
                    else if (stack.contains(w)) low.put(v, Math.min(low.get(v), index.get(w)));
                    continue;
                }
                work.pop();
                if (!work.isEmpty()) {
                    String parent = work.peek().getKey();
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    TreeSet<String> component = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) out.add(List.copyOf(component));
                }
            }
        }
        return out;
    }

    private static void visit(String v, Map<String, Map<String, String>> graph, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack,
                              Deque<Map.Entry<String, List<String>>> work) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        work.push(Map.entry(v, new ArrayList<>(graph.get(v).keySet())));
    }

    /** The packages of a cycle and, for each use between them, the first class reference found. */
    private static String describe(List<String> cycle, Map<String, Map<String, String>> graph) {
        StringBuilder sb = new StringBuilder(String.join(" <-> ", cycle.stream().map(PackageCyclesTest::dotted).toList()));
        for (String from : cycle) {
            graph.get(from).forEach((to, example) -> {
                if (cycle.contains(to)) sb.append("\n  ").append(example);
            });
        }
        return sb.toString();
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    private static String dotted(String internalName) {
        return internalName.replace('/', '.');
    }
}
