package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the assistant's replies in a rendered conversation, so only they are trained on.
 *
 * <p>First by rendering turn by turn: the text turn i adds after the generation prompt of turns [0,
 * i) is the reply, end-of-turn marker included. Some templates re-render earlier turns once later
 * ones exist (Mistral moves the system prompt into the last user turn); for those each reply is
 * located in the full rendering, followed by the end-of-turn text a one-turn probe shows.
 */
final class TrainableSegments {
    private static final String PROBE_QUESTION = "kubetune probe question";
    private static final String PROBE_ANSWER = "kubetune probe answer";

    private TrainableSegments() {}

    static List<Segment> split(ChatTemplate template, List<Turn> turns) {
        try {
            return turnByTurn(template, turns);
        } catch (PrefixMismatch e) {
            return located(template, turns);
        }
    }

    private static List<Segment> turnByTurn(ChatTemplate template, List<Turn> turns) {
        List<Segment> segments = new ArrayList<>();
        String done = "";
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).role() != Role.ASSISTANT) {
                continue;
            }
            String prompt = template.render(turns.subList(0, i), true);
            String withReply = template.render(turns.subList(0, i + 1), false);
            add(segments, after(done, prompt), false);
            add(segments, after(prompt, withReply), true);
            done = withReply;
        }
        add(segments, after(done, template.render(turns, false)), false);
        return segments;
    }

    private static List<Segment> located(ChatTemplate template, List<Turn> turns) {
        String endOfTurn = endOfTurn(template);
        String full = template.render(turns, false);
        List<Segment> segments = new ArrayList<>();
        int position = 0;
        for (Turn turn : turns) {
            if (turn.role() != Role.ASSISTANT) {
                continue;
            }
            String reply = turn.text().strip();
            int start = full.indexOf(reply, position);
            if (start < 0) {
                throw new IllegalStateException(
                        "the chat template does not render the assistant's reply verbatim, so it"
                                + " cannot be masked for the loss; set the dataset's template to"
                                + " chatml (or alpaca, vicuna)");
            }
            int end = start + reply.length();
            int marker = end;
            while (marker < full.length() && Character.isWhitespace(full.charAt(marker))) {
                marker++;
            }
            if (!endOfTurn.isEmpty() && full.startsWith(endOfTurn, marker)) {
                end = marker + endOfTurn.length();
            }
            add(segments, full.substring(position, start), false);
            add(segments, full.substring(start, end), true);
            position = end;
        }
        add(segments, full.substring(position), false);
        return segments;
    }

    /** What the template writes right after a reply, e.g. "&lt;/s&gt;" or "&lt;|eot_id|&gt;". */
    private static String endOfTurn(ChatTemplate template) {
        Turn question = new Turn(Role.USER, PROBE_QUESTION);
        String prompt = template.render(List.of(question), true);
        String withReply =
                template.render(List.of(question, new Turn(Role.ASSISTANT, PROBE_ANSWER)), false);
        int at = withReply.indexOf(PROBE_ANSWER, commonPrefix(prompt, withReply));
        return at < 0 ? "" : withReply.substring(at + PROBE_ANSWER.length()).stripTrailing();
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static void add(List<Segment> segments, String text, boolean trainable) {
        if (!text.isEmpty()) {
            segments.add(new Segment(text, trainable));
        }
    }

    private static String after(String prefix, String text) {
        if (!text.startsWith(prefix)) {
            throw new PrefixMismatch();
        }
        return text.substring(prefix.length());
    }

    /** The template re-rendered an earlier turn differently. */
    private static final class PrefixMismatch extends RuntimeException {
        PrefixMismatch() {
            super(null, null, false, false);
        }
    }
}
