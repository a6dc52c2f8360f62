package io.kubetune.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one step's time went, from the Chrome trace libtorch's profiler writes: each op's self time
 * (its duration less the ops nested in it, so nothing is counted twice), summed per op name and per
 * {@link OpGroup}, and the part of the step's wall time spent outside any libtorch op.
 *
 * @param wallMs the step's wall time
 * @param ops per op name, largest self time first
 * @param groups self time per group, {@link OpGroup#OUTSIDE} included, in the enum's order
 */
public record StepProfile(double wallMs, List<OpTime> ops, Map<OpGroup, Double> groups) {

    /** Calls and summed self time of one op name. */
    public record OpTime(String name, int calls, double selfMs) {}

    // Rounding of the trace's microsecond timestamps: a child may end a hair after its parent.
    private static final double EPSILON_US = 0.01;

    private record Event(
            String name, double start, double duration, List<List<Long>> shapes, long tid) {
        double end() {
            return start + duration;
        }

        boolean isBackwardNode() {
            return name.startsWith("autograd::engine::evaluate_function");
        }
    }

    /**
     * Reads a trace.
     *
     * @param trace the file {@code JniUtils.stopProfile} wrote
     * @param wallMs the step's wall time measured around the profiled code
     * @param vocab the model's vocabulary size (places element-wise ops, see {@link OpGroup})
     * @param intermediate the model's feed-forward width
     */
    public static StepProfile read(Path trace, double wallMs, int vocab, int intermediate)
            throws IOException {
        List<Event> events = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(trace.toFile())) {
            if (!"X".equals(e.path("ph").asText())) {
                continue;
            }
            List<List<Long>> shapes = new ArrayList<>();
            for (JsonNode s : e.path("shape")) {
                List<Long> dims = new ArrayList<>();
                s.forEach(d -> dims.add(d.asLong()));
                shapes.add(dims);
            }
            events.add(
                    new Event(
                            e.path("name").asText(),
                            e.path("ts").asDouble(),
                            e.path("dur").asDouble(),
                            shapes,
                            e.path("tid").asLong()));
        }
        return summarise(events, wallMs, vocab, intermediate);
    }

    private static StepProfile summarise(
            List<Event> events, double wallMs, int vocab, int intermediate) {
        // Without a backward (evaluation), nothing runs after it.
        double backwardEnd = Double.POSITIVE_INFINITY;
        for (Event e : events) {
            if (e.isBackwardNode()) {
                backwardEnd =
                        backwardEnd == Double.POSITIVE_INFINITY
                                ? e.end()
                                : Math.max(backwardEnd, e.end());
            }
        }
        // Parents before children: by thread, start, then the longer first.
        events.sort(
                Comparator.comparingLong(Event::tid)
                        .thenComparingDouble(Event::start)
                        .thenComparing(Comparator.comparingDouble(Event::duration).reversed()));
        Map<String, double[]> byName = new LinkedHashMap<>();
        Map<OpGroup, Double> groups = new EnumMap<>(OpGroup.class);
        for (OpGroup g : OpGroup.values()) {
            groups.put(g, 0.0);
        }
        double[] selfUs = new double[events.size()];
        Deque<Integer> open = new ArrayDeque<>();
        long tid = Long.MIN_VALUE;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (e.tid() != tid) {
                open.clear();
                tid = e.tid();
            }
            while (!open.isEmpty() && events.get(open.peek()).end() < e.end() - EPSILON_US) {
                open.pop();
            }
            selfUs[i] += e.duration();
            if (!open.isEmpty()) {
                selfUs[open.peek()] -= e.duration();
            }
            open.push(i);
        }
        double profiledMs = 0;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            double ms = Math.max(0, selfUs[i]) / 1000;
            profiledMs += ms;
            double[] entry = byName.computeIfAbsent(e.name(), n -> new double[2]);
            entry[0]++;
            entry[1] += ms;
            OpGroup g =
                    OpGroup.classify(
                            e.name(), e.shapes(), e.start() > backwardEnd, vocab, intermediate);
            groups.merge(g, ms, Double::sum);
        }
        groups.put(OpGroup.OUTSIDE, Math.max(0, wallMs - profiledMs));
        List<OpTime> ops = new ArrayList<>();
        byName.forEach((n, v) -> ops.add(new OpTime(n, (int) v[0], v[1])));
        ops.sort(Comparator.comparingDouble(OpTime::selfMs).reversed());
        return new StepProfile(wallMs, List.copyOf(ops), groups);
    }

    /** Time inside libtorch ops (all self times). */
    public double profiledMs() {
        return ops.stream().mapToDouble(OpTime::selfMs).sum();
    }

    /** The printed summary: the {@code top} ops by self time, then the groups. */
    public String table(String title, int top) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        java.util.Locale.ROOT,
                        "profile of one %s: wall %.1f ms, in libtorch ops %.1f ms (%.1f%%)%n",
                        title,
                        wallMs,
                        profiledMs(),
                        100 * profiledMs() / wallMs));
        out.append(
                String.format("  %-52s %7s %10s %7s%n", "op (self time)", "calls", "ms", "share"));
        for (OpTime op : ops.subList(0, Math.min(top, ops.size()))) {
            out.append(row(op.name(), Integer.toString(op.calls()), op.selfMs()));
        }
        out.append(String.format("  %-52s %7s %10s %7s%n", "group", "", "ms", "share"));
        for (Map.Entry<OpGroup, Double> g : groups.entrySet()) {
            out.append(row(g.getKey().label(), "", g.getValue()));
        }
        return out.toString();
    }

    private String row(String name, String calls, double ms) {
        String shown = name.length() > 52 ? name.substring(0, 51) + "…" : name;
        return String.format(
                java.util.Locale.ROOT,
                "  %-52s %7s %10.1f %6.1f%%%n",
                shown,
                calls,
                ms,
                100 * ms / wallMs);
    }
}
