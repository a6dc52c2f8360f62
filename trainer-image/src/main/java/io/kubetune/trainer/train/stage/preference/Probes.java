package io.kubetune.trainer.train.stage.preference;

import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** The few prompts, each with a good answer, that stages rm, dpo and kto ask before and after. */
final class Probes {
    private static final int COUNT = 3;

    private Probes() {}

    /**
     * The first examples that {@code good} keeps, as chats of their prompt then their answer.
     *
     * @param answer the answer an example holds up as good
     */
    static <S> List<Sample.Chat> of(
            List<S> examples,
            Predicate<S> good,
            Function<S, List<Turn>> prompt,
            Function<S, List<Turn>> answer) {
        return examples.stream()
                .filter(good)
                .limit(COUNT)
                .map(
                        e -> {
                            List<Turn> turns = new ArrayList<>(prompt.apply(e));
                            turns.addAll(answer.apply(e));
                            return new Sample.Chat(turns);
                        })
                .toList();
    }
}
