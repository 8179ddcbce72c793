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

    public int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
