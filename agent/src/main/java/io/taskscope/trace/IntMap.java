package io.taskscope.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An int-keyed hash map (open addressing, linear probing): the tracer looks up its tracee by tid
 * on every stop, and a {@code HashMap<Integer, ...>} would box tids above 127 on each lookup.
 * Used only by the tracer thread.
 */
final class IntMap<V> {
    private static final int FREE = 0; // tids are positive; 0 marks an empty slot
    private int[] keys = new int[64];
    private Object[] values = new Object[64];
    private int size;

    @SuppressWarnings("unchecked")
    V get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == key) return (V) values[i];
            if (k == FREE) return null;
        }
    }

    void put(int key, V value) {
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            if (keys[i] == FREE) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(int key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (keys[i] != key) {
            if (keys[i] == FREE) return null;
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        keys[i] = FREE;
        values[i] = null;
        size--;
        // Re-insert the rest of the probe run so that later lookups still find them.
        for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
            int k = keys[j];
            Object v = values[j];
            keys[j] = FREE;
            values[j] = null;
            size--;
            put(k, (V) v);
        }
        return old;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) if (keys[i] != FREE) out.add((V) values[i]);
        return out;
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                @SuppressWarnings("unchecked") V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @Override
    public String toString() {
        return "IntMap" + Arrays.toString(Arrays.stream(keys).filter(k -> k != FREE).toArray());
    }
}
