package io.kubetune.trainer.data;

import java.util.List;

/**
 * A pair with no prompt column: the prompt is the longest common prefix of chosen and rejected, as
 * TRL's extract_prompt takes it (in characters for text, in whole messages for conversations).
 */
final class SharedPrefix {
    private SharedPrefix() {}

    static Sample.Preference split(
            PreferenceParser.Answer chosen, PreferenceParser.Answer rejected, double margin) {
        if (chosen.text()) {
            return splitText(chosen.turns().get(0).text(), rejected.turns().get(0).text(), margin);
        }
        List<Turn> c = chosen.turns();
        List<Turn> r = rejected.turns();
        int at = divergence(c, r);
        return new Sample.Preference(
                c.subList(0, at), c.subList(at, c.size()), r.subList(at, r.size()), false, margin);
    }

    private static Sample.Preference splitText(String chosen, String rejected, double margin) {
        int[] c = chosen.codePoints().toArray();
        int[] r = rejected.codePoints().toArray();
        int at = divergence(c, r);
        // TRL moves the space before the answer out of the prompt and into both answers.
        if (at > 0 && c[at - 1] == ' ') {
            at--;
        }
        String prompt = new String(c, 0, at);
        return new Sample.Preference(
                List.of(new Turn(Role.USER, prompt)),
                List.of(new Turn(Role.ASSISTANT, new String(c, at, c.length - at))),
                List.of(new Turn(Role.ASSISTANT, new String(r, at, r.length - at))),
                true,
                margin);
    }

    /**
     * The first index where the two differ. As in TRL's loop, when one is a prefix of the other the
     * last element of the shorter is left to the answers, so neither answer is empty.
     */
    private static int divergence(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return Math.max(0, n - 1);
    }

    private static int divergence(List<Turn> a, List<Turn> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return i;
            }
        }
        return Math.max(0, n - 1);
    }
}
