package io.taskscope.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A text table sized to its content, like ps and lsns print: numbers right-aligned, the last
 * column left unpadded so that long command lines are never cut.
 */
public final class Table {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    /** {@code right[i]} right-aligns column i (numbers). */
    public Table(List<String> headers, List<Boolean> right) {
        this.headers = headers.toArray(String[]::new);
        this.right = new boolean[headers.size()];
        for (int i = 0; i < this.right.length; i++) this.right[i] = right.get(i);
    }

    public void add(List<String> row) {
        String[] r = new String[headers.length];
        for (int i = 0; i < r.length; i++) r[i] = i < row.size() && row.get(i) != null ? clean(row.get(i)) : "";
        rows.add(r);
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) width[i] = headers[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        line(out, headers, width);
        for (String[] r : rows) line(out, r, width);
        out.flush();
    }

    private void line(PrintWriter out, String[] cells, int[] width) {
        StringBuilder b = new StringBuilder(128);
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) b.append(' ');
            boolean last = i == cells.length - 1;
            int pad = width[i] - cells[i].length();
            if (right[i]) b.append(" ".repeat(pad)).append(cells[i]);
            else if (last) b.append(cells[i]);
            else b.append(cells[i]).append(" ".repeat(pad));
        }
        out.println(b.toString().stripTrailing());
    }

    /** Command lines and names come from neighbours: escaped as {@link io.taskscope.text.Escape#text} does. */
    public static String clean(String s) {
        return io.taskscope.text.Escape.text(s);
    }
}
