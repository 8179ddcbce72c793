package dev.fdkit.internal;

import java.util.Arrays;

/** A growable int array: descriptor numbers without boxing. */
public final class IntList {
    private int[] a = new int[64];
    private int n;

    public void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    public int size() {
        return n;
    }

    public int get(int i) {
        return a[i];
    }

    /** The values at [from, to) as a new array. */
    public int[] slice(int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    /** Empties the list, keeping its capacity. */
    public void clear() {
        n = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
